"""The services' result cache: the last :data:`SIZE` results, keyed by ``spec_hash``.

A spec_hash covers the data and every option (:func:`nqpf.results.hash_spec`), so a hit is
the same result; results are shared, not copied (treat them as read-only).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["SIZE", "cached", "clear", "holds"]

#: How many results the cache keeps (least recently used dropped first).
SIZE = 32

R = TypeVar("R")
_RESULTS: OrderedDict[str, Any] = OrderedDict()


def cached(key: str, build: Callable[[], R]) -> R:
    """The result stored under ``key``, else ``build()`` stored and returned."""
    if key in _RESULTS:
        _RESULTS.move_to_end(key)
        found: R = _RESULTS[key]
        return found
    result = build()
    _RESULTS[key] = result
    while len(_RESULTS) > SIZE:
        _RESULTS.popitem(last=False)
    return result


def holds(key: str) -> bool:
    """Whether a result is stored under ``key``."""
    return key in _RESULTS


def clear() -> None:
    """Empty the cache."""
    _RESULTS.clear()
