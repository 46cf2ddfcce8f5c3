"""Accounts, tokens, sessions and comments of the portal: the storage rules.

Passwords are hashed with Argon2id (``argon2-cffi``'s defaults, RFC 9106's second
recommended profile); only the hash is stored. Tokens and sessions are random 256-bit secrets
(:func:`secrets.token_urlsafe`) stored by their SHA-256, so a copy of the database gives no
usable secret. A session also has a CSRF token (stored by hash) that a browser echoes in the
``X-CSRF-Token`` header of every write (the synchroniser-token pattern, OWASP CSRF
Prevention Cheat Sheet).

Log-in attempts are rate limited per user name and per client address: after
:data:`MAX_FAILURES_PER_USER` (or :data:`MAX_FAILURES_PER_CLIENT`) failures within
:data:`FAILURE_WINDOW`, further attempts are refused until the window has passed, whether or
not the password is right. The message never says whether the user name exists.

Roles are ordered ``viewer`` < ``analyst`` < ``admin``; :func:`require_role` checks that a
user has at least the role an action needs.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError

from nqpf.db.accounts import COMMENT_TARGETS, ROLES, Comment, LoginFailure, Token, User
from nqpf.db.engine import session_scope
from nqpf.errors import InputError, NQPFError

__all__ = [
    "FAILURE_WINDOW",
    "MAX_COMMENT_CHARS",
    "MAX_COMMENT_PAGE",
    "MAX_FAILURES_PER_CLIENT",
    "MAX_FAILURES_PER_USER",
    "AuthenticationError",
    "CommentInfo",
    "ConflictError",
    "IssuedToken",
    "PermissionDeniedError",
    "RateLimitedError",
    "Role",
    "UserInfo",
    "add_comment",
    "authenticate",
    "check_csrf",
    "create_user",
    "delete_comment",
    "issue_token",
    "list_comments",
    "list_users",
    "require_role",
    "resolve_token",
    "revoke_token",
]

Role = Literal["viewer", "analyst", "admin"]
TargetKind = Literal["document", "region", "post", "analysis"]

#: Failed log-ins of one user name tolerated within :data:`FAILURE_WINDOW`.
MAX_FAILURES_PER_USER = 5
#: Failed log-ins from one client address tolerated within :data:`FAILURE_WINDOW`.
MAX_FAILURES_PER_CLIENT = 20
FAILURE_WINDOW = timedelta(minutes=15)
#: A browser session lasts a working day at most.
SESSION_TTL = timedelta(hours=12)
MAX_COMMENT_CHARS = 5000
#: Most comments one page of :func:`list_comments` returns.
MAX_COMMENT_PAGE = 200
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 256
#: User names: letters (any script), digits, ``_ . -``; 3–64 characters.
_USERNAME = re.compile(r"^[\w.\-]{3,64}$")

_HASHER = PasswordHasher()


class AuthenticationError(NQPFError):
    """No valid credentials (HTTP 401)."""


class PermissionDeniedError(NQPFError):
    """Valid credentials without the role or ownership an action needs (HTTP 403)."""


class ConflictError(NQPFError):
    """The thing exists already (HTTP 409)."""


class RateLimitedError(NQPFError):
    """Too many failed log-ins (HTTP 429)."""


@dataclass(frozen=True)
class UserInfo:
    """What the rest of NQPF may know of a user (never the hash)."""

    id: int
    username: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class IssuedToken:
    """A token as issued: the secret is shown once and stored only as a hash."""

    secret: str
    csrf: str | None
    expires_at: datetime | None
    user: UserInfo


@dataclass(frozen=True)
class CommentInfo:
    """A comment as shown (the body is plain text; escape it when rendering)."""

    id: int
    target_kind: str
    target_id: str
    author: str
    body: str
    created_at: datetime
    #: The author's user id (the dashboard offers withdrawal on one's own comments).
    author_id: int


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored moment is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _info(user: User) -> UserInfo:
    role: Role = user.role  # type: ignore[assignment]  # checked by the table's constraint
    return UserInfo(user.id, user.username, user.display_name, role)


def create_user(
    engine: Engine,
    username: str,
    password: str,
    *,
    role: Role = "viewer",
    display_name: str | None = None,
) -> UserInfo:
    """Add an account; the password is stored as an Argon2id hash."""
    if not _USERNAME.fullmatch(username):
        raise InputError(
            f"user name {username!r} is not allowed — use 3–64 letters, digits, '_', '.' or '-'"
        )
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise InputError(f"password must have {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters")
    if role not in ROLES:
        raise InputError(f"role {role!r} is unknown — use one of {', '.join(ROLES)}")
    name = (display_name or username).strip()[:100] or username
    try:
        with session_scope(engine) as session:
            user = User(
                username=username,
                display_name=name,
                password_hash=_HASHER.hash(password),
                role=role,
                disabled=False,
                created_at=_now(),
            )
            session.add(user)
            session.flush()
            return _info(user)
    except IntegrityError:
        raise ConflictError(f"user {username!r} exists already") from None


def list_users(engine: Engine) -> list[UserInfo]:
    """Every enabled account, by user name."""
    with session_scope(engine) as session:
        users = session.scalars(select(User).where(~User.disabled).order_by(User.username))
        return [_info(u) for u in users]


def authenticate(engine: Engine, username: str, password: str, *, client: str = "") -> UserInfo:
    """The user whose password this is; failures are counted for the rate limit."""
    keys = [f"user:{username[:100]}", *([f"client:{client[:100]}"] if client else [])]
    limits = [MAX_FAILURES_PER_USER, MAX_FAILURES_PER_CLIENT]
    since = _now() - FAILURE_WINDOW
    with session_scope(engine) as session:
        session.execute(delete(LoginFailure).where(LoginFailure.at < since))
        for key, limit in zip(keys, limits, strict=False):
            count = session.scalar(
                select(func.count()).select_from(LoginFailure).where(LoginFailure.key == key)
            )
            if (count or 0) >= limit:
                raise RateLimitedError(
                    "too many failed log-ins — wait "
                    f"{int(FAILURE_WINDOW.total_seconds() // 60)} minutes and try again"
                )
        user = session.scalar(select(User).where(User.username == username))
        ok = False
        if user is not None and not user.disabled:
            try:
                ok = _HASHER.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        if ok and user is not None:
            if _HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = _HASHER.hash(password)
            return _info(user)
        now = _now()
        session.add_all([LoginFailure(key=key, at=now) for key in keys])
    raise AuthenticationError("wrong user name or password")


def issue_token(
    engine: Engine,
    user: UserInfo,
    *,
    kind: Literal["api", "session"] = "api",
    name: str = "",
    ttl: timedelta | None = None,
) -> IssuedToken:
    """A new API token (no expiry unless ``ttl``) or browser session (12 h, with CSRF)."""
    secret = ("nqpf_" if kind == "api" else "") + secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if kind == "session" else None
    lifetime = ttl if ttl is not None else (SESSION_TTL if kind == "session" else None)
    expires = _now() + lifetime if lifetime is not None else None
    with session_scope(engine) as session:
        session.add(
            Token(
                user_id=user.id,
                kind=kind,
                name=name[:100],
                secret_sha256=_sha256(secret),
                csrf_sha256=_sha256(csrf) if csrf else None,
                created_at=_now(),
                expires_at=expires,
                revoked=False,
            )
        )
    return IssuedToken(secret, csrf, expires, user)


def _live_token(engine: Engine, secret: str) -> tuple[Token, User] | None:
    with session_scope(engine) as session:
        row = session.execute(
            select(Token, User)
            .join(User, User.id == Token.user_id)
            .where(Token.secret_sha256 == _sha256(secret))
        ).first()
        if row is None:
            return None
        token, user = row
        if token.revoked or user.disabled:
            return None
        if token.expires_at is not None and _aware(token.expires_at) <= _now():
            return None
        return token, user


def resolve_token(
    engine: Engine, secret: str, *, kind: Literal["api", "session"] | None = None
) -> UserInfo | None:
    """The user of a live token or session (``None`` if unknown, revoked or expired)."""
    found = _live_token(engine, secret)
    if found is None or (kind is not None and found[0].kind != kind):
        return None
    return _info(found[1])


def check_csrf(engine: Engine, session_secret: str, csrf: str) -> bool:
    """Whether ``csrf`` is the CSRF token of the live session ``session_secret``."""
    found = _live_token(engine, session_secret)
    if found is None or found[0].csrf_sha256 is None:
        return False
    return secrets.compare_digest(found[0].csrf_sha256, _sha256(csrf))


def revoke_token(engine: Engine, secret: str) -> None:
    """End a session or withdraw a token (unknown secrets are ignored)."""
    with session_scope(engine) as session:
        token = session.scalar(select(Token).where(Token.secret_sha256 == _sha256(secret)))
        if token is not None:
            token.revoked = True


def require_role(user: UserInfo | None, role: Role) -> UserInfo:
    """``user`` if it has at least ``role``; else 401 (no user) or 403 (role too low)."""
    if user is None:
        raise AuthenticationError("log in first (a session cookie or an API token)")
    if ROLES.index(user.role) < ROLES.index(role):
        raise PermissionDeniedError(
            f"this needs the role {role!r}; {user.username} is {user.role!r}"
        )
    return user


def _check_target(target_kind: str, target_id: str) -> None:
    if target_kind not in COMMENT_TARGETS:
        raise InputError(
            f"comments are on {', '.join(COMMENT_TARGETS)}, not {target_kind!r}",
            column="target_kind",
        )
    if not target_id or len(target_id) > 64:
        raise InputError("target_id must have 1–64 characters", column="target_id")


def add_comment(
    engine: Engine, user: UserInfo, target_kind: str, target_id: str, body: str
) -> CommentInfo:
    """Store a comment (any logged-in user; the text is kept as written)."""
    _check_target(target_kind, target_id)
    text = body.strip()
    if not text:
        raise InputError("the comment is empty", column="body")
    if len(text) > MAX_COMMENT_CHARS:
        raise InputError(
            f"the comment has {len(text)} characters; at most {MAX_COMMENT_CHARS}",
            column="body",
        )
    with session_scope(engine) as session:
        comment = Comment(
            target_kind=target_kind,
            target_id=target_id,
            user_id=user.id,
            body=text,
            created_at=_now(),
            deleted=False,
        )
        session.add(comment)
        session.flush()
        return CommentInfo(
            comment.id, target_kind, target_id, user.display_name, text, comment.created_at, user.id
        )


def list_comments(
    engine: Engine,
    target_kind: str | None = None,
    target_id: str | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
    newest_first: bool = True,
) -> tuple[list[CommentInfo], int]:
    """One page of comments (``limit`` from ``offset``), newest first unless
    ``newest_first`` is false, and the total count; ``target_kind`` and ``target_id``
    narrow the list to one kind of target or one target when given."""
    if target_kind is not None and target_kind not in COMMENT_TARGETS:
        _check_target(target_kind, target_id or "-")
    if target_id is not None and not 1 <= len(target_id) <= 64:
        raise InputError("target_id must have 1–64 characters", column="target_id")
    if not 1 <= limit <= MAX_COMMENT_PAGE:
        raise InputError(f"limit must be 1–{MAX_COMMENT_PAGE}, not {limit}", column="limit")
    if offset < 0:
        raise InputError(f"offset must be 0 or more, not {offset}", column="offset")
    where = [~Comment.deleted]
    if target_kind is not None:
        where.append(Comment.target_kind == target_kind)
    if target_id is not None:
        where.append(Comment.target_id == target_id)
    order = (
        (Comment.created_at.desc(), Comment.id.desc())
        if newest_first
        else (Comment.created_at, Comment.id)
    )
    with session_scope(engine) as session:
        total = session.scalar(select(func.count()).select_from(Comment).where(*where)) or 0
        rows = session.execute(
            select(Comment, User.display_name)
            .join(User, User.id == Comment.user_id)
            .where(*where)
            .order_by(*order)
            .limit(limit)
            .offset(offset)
        ).all()
        return [_comment_info(c, author) for c, author in rows], int(total)


def _comment_info(comment: Comment, author: str) -> CommentInfo:
    return CommentInfo(
        comment.id,
        comment.target_kind,
        comment.target_id,
        author,
        comment.body,
        _aware(comment.created_at),
        comment.user_id,
    )


def delete_comment(engine: Engine, user: UserInfo, comment_id: int) -> None:
    """Withdraw a comment: its author or an admin."""
    with session_scope(engine) as session:
        comment = session.get(Comment, comment_id)
        if comment is None or comment.deleted:
            raise InputError(f"comment {comment_id} does not exist", column="id")
        if comment.user_id != user.id and user.role != "admin":
            raise PermissionDeniedError("only its author or an admin can delete a comment")
        comment.deleted = True
