"""Consoles shared by the commands (created on first use).

Rich markup, emoji codes and highlighting are off, so user text (file names, labels,
messages) prints literally — ``[/x]`` or ``[link=…]`` in a region name is text, not markup —
and control characters (escape sequences) are removed from every string rendered. Styles
are given explicitly with :func:`styled`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.console import Console
from rich.text import Text

from nqpf.outputs import clean_text


class SafeConsole(Console):
    """A console that never interprets text: no markup, no emoji, no control characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(clean_text(text, keep_newlines=True), **kwargs)


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line from plain parts and ``(text, style)`` parts, control characters removed."""
    return Text.assemble(
        *(
            (clean_text(p[0], keep_newlines=True), p[1])
            if isinstance(p, tuple)
            else clean_text(p, keep_newlines=True)
            for p in parts
        )
    )


@lru_cache(maxsize=1)
def stdout() -> Console:
    return SafeConsole()


@lru_cache(maxsize=1)
def stderr() -> Console:
    return SafeConsole(stderr=True)
