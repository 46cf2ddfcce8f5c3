"""Database errors with one-line messages (no driver traceback reaches the user)."""

from __future__ import annotations

from nqpf.errors import NQPFError

__all__ = ["DatabaseError", "NotOwnerError"]


class DatabaseError(NQPFError):
    """The database cannot be reached, opened or migrated; the message says which URL and
    what to do. Passwords in URLs are never shown."""


class NotOwnerError(NQPFError):
    """Editing or deleting a board post without being its owner, author or an admin."""
