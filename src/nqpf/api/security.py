"""Who is calling: API tokens (``Authorization: Bearer …``) or a browser session cookie.

A session cookie is ``HttpOnly`` and ``SameSite=Strict`` (``Secure`` when served over HTTPS);
writes made with it must also carry the session's CSRF token in ``X-CSRF-Token``. Requests
with an API token carry no cookie and need no CSRF token (a browser never adds the header
by itself).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from nqpf.db.accounts_repo import (
    AuthenticationError,
    PermissionDeniedError,
    UserInfo,
    check_csrf,
    require_role,
    resolve_token,
)

__all__ = [
    "SESSION_COOKIE",
    "Caller",
    "current_user",
    "engine_of",
    "need_analyst",
    "need_user",
]

SESSION_COOKIE = "nqpf_session"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def engine_of(request: Request) -> Engine:
    """The app's database engine (opened at start-up)."""
    engine: Engine = request.app.state.engine
    return engine


def current_user(request: Request) -> UserInfo | None:
    """The caller, or ``None`` for an anonymous request."""
    engine = engine_of(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
        user = resolve_token(engine, secret.strip(), kind="api")
        if user is None:
            raise AuthenticationError("the API token is unknown, revoked or expired")
        return user
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        return None
    user = resolve_token(engine, session, kind="session")
    if user is None:
        return None
    if request.method not in _SAFE_METHODS:
        csrf = request.headers.get("x-csrf-token", "")
        if not csrf or not check_csrf(engine, session, csrf):
            raise PermissionDeniedError(
                "missing or wrong X-CSRF-Token header (send the token the log-in returned)"
            )
    return user


#: The caller, or ``None`` when anonymous (a route that accepts other credentials too).
Caller = Annotated[UserInfo | None, Depends(current_user)]


def need_user(user: Caller) -> UserInfo:
    """Any logged-in user (viewer or above)."""
    return require_role(user, "viewer")


def need_analyst(user: Caller) -> UserInfo:
    """An analyst or admin."""
    return require_role(user, "analyst")
