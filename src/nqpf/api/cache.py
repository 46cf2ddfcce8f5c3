"""An in-process cache of analysis results keyed by the hash of their spec.

The spec is every option of a run (JSON-serialisable); its key is the SHA-256 of the spec's
canonical JSON (sorted keys). Concurrent requests for the same spec compute it once: the
first takes a per-key lock, the others wait for its result. The cache keeps the
:data:`MAX_ENTRIES` most recently used results.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["MAX_ENTRIES", "ResultCache", "spec_key"]

#: Results kept (an assessment's JSON is a few hundred kB).
MAX_ENTRIES = 64


def spec_key(spec: Mapping[str, Any]) -> str:
    """SHA-256 of the spec's canonical JSON."""
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResultCache:
    """Least-recently-used results by spec, computed once under concurrency."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._results: OrderedDict[str, Any] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def peek(self, spec: Mapping[str, Any]) -> Any | None:
        """The cached result of ``spec``, or ``None`` (no computing, no waiting)."""
        key = spec_key(spec)
        with self._guard:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        return None

    def get_or_run(self, spec: Mapping[str, Any], run: Callable[[], Any]) -> Any:
        """The cached result of ``spec``, computing it with ``run()`` on a miss."""
        key = spec_key(spec)
        with self._guard:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._results:
                    return self._results[key]
            result = run()
            with self._guard:
                self._results[key] = result
                while len(self._results) > self._max:
                    self._results.popitem(last=False)
                self._locks.pop(key, None)
            return result
