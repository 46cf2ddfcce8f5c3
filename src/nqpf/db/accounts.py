"""Tables of the portal's accounts and comments (评论区).

``web_users`` holds one row per account: a unique user name, an Argon2id password hash
(never the password) and a role. Roles are ordered — ``viewer`` < ``analyst`` < ``admin`` —
and a write action names the least role it needs (see :mod:`nqpf.db.accounts_repo`).

``web_tokens`` holds API tokens and browser sessions alike, by the SHA-256 of the secret
(the secret itself is shown once, when issued). A session token also carries the SHA-256 of
its CSRF token, which a browser form must echo on every write.

``web_login_failures`` records failed log-ins by key (user name, client address) so that
log-in attempts can be rate limited across server processes.

``web_comments`` are comments on a target — a policy document, a region, a board post or an
analysis — identified by ``(target_kind, target_id)``; the body is stored as written and is
escaped wherever it is shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nqpf.db.base import Base

__all__ = [
    "COMMENT_TARGETS",
    "ROLES",
    "TOKEN_KINDS",
    "Comment",
    "LoginFailure",
    "Token",
    "User",
]

#: Roles from least to most privileged.
ROLES = ("viewer", "analyst", "admin")
TOKEN_KINDS = ("api", "session")
COMMENT_TARGETS = ("document", "region", "post", "analysis")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class User(Base):
    """An account of the portal."""

    __tablename__ = "web_users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Token(Base):
    """An API token or a browser session, stored by the hash of its secret."""

    __tablename__ = "web_tokens"
    __table_args__ = (CheckConstraint(_one_of("kind", TOKEN_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailure(Base):
    """One failed log-in, by user name or client address (for rate limits)."""

    __tablename__ = "web_login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Comment(Base):
    """A comment on a document, region, board post or analysis."""

    __tablename__ = "web_comments"
    __table_args__ = (CheckConstraint(_one_of("target_kind", COMMENT_TARGETS), name="target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
