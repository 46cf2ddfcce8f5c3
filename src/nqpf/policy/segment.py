"""Chinese word segmentation (jieba) with NQPF's own dictionary.

The dictionary adds the words the policy library must keep whole: indicator names of the
catalog, the emerging/future industry fields and their aliases, and the headline-target
phrases of :mod:`nqpf.policy.extract`. A private :class:`jieba.Tokenizer` is used, so the
global jieba state of a user's program is left alone.

Documents are indexed with jieba's search mode (every word plus the dictionary words inside
longer ones: 新质生产力 → 新质, 生产力, 新质生产力), queries with its precise mode, so a
query word is found inside a longer indexed word.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

__all__ = ["dictionary_words", "index_words", "query_words", "tokenizer"]

#: Frequency given to dictionary words: high enough that jieba keeps them whole.
_WORD_FREQ = 100_000
_WORD = re.compile(r"\w", re.UNICODE)
_LOCK = threading.Lock()


@cache
def dictionary_words() -> tuple[str, ...]:
    """Words added to jieba's dictionary (indicator names, fields, headline phrases)."""
    from nqpf.indicators import indicator_specs
    from nqpf.policy.fields import field_aliases
    from nqpf.policy.headlines import HEADLINE_RULES

    words: set[str] = set()
    for spec in indicator_specs().values():
        words.add(spec.name_zh)
        words.update(a for a in spec.aliases if re.search(r"[\u4e00-\u9fff]", a))
    words.update(field_aliases())
    for rule in HEADLINE_RULES:
        words.update(rule.words)
    return tuple(sorted(w for w in words if len(w) > 1 and " " not in w))


@cache
def tokenizer() -> jieba.Tokenizer:
    """jieba with NQPF's dictionary (built once per process; about a second)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _LOCK:
        tk = jieba.Tokenizer()
        tk.initialize()
        for word in dictionary_words():
            tk.add_word(word, freq=_WORD_FREQ)
    return tk


def _keep(words: Iterable[str]) -> list[str]:
    return [w.strip() for w in words if w.strip() and _WORD.search(w)]


def index_words(text: str) -> list[str]:
    """Words under which a document is found (search mode; punctuation dropped)."""
    return _keep(tokenizer().cut_for_search(text))


def query_words(query: str) -> list[str]:
    """Words of a search query (precise mode; punctuation dropped)."""
    return _keep(tokenizer().cut(query))
