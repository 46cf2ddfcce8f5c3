"""Execution options shared by the engine (which honours them) and its users."""

from __future__ import annotations

from typing import Any

#: Execution option of connections that only read: on SQLite their transactions open with a
#: deferred ``BEGIN`` (no write lock) instead of ``BEGIN IMMEDIATE``; PostgreSQL ignores it.
READ_ONLY: dict[str, Any] = {"nqpf_read_only": True}
