"""How every analysis route answers: the result document of :mod:`nqpf.results`, cached.

A route names its request (``kind`` plus its validated parameters, JSON-serialisable) and
gives a function that calls a service and returns a result object. :func:`result_response`
answers with ``result.to_json()`` — schema ``nqpf.result`` v1, the same document
``nqpf … --format json`` writes — as bytes, with ``ETag: "<spec_hash>"``; a request whose
``If-None-Match`` names that tag gets ``304 Not Modified``.

Cached routes keep the prepared document (:class:`~nqpf.api.fastpath.Prepared`: the bytes,
their gzip made once, the ETag) in the app's :class:`~nqpf.api.cache.ResultCache` keyed by
the request: a hit is answered on the event loop without touching a thread; a miss runs the
service in the thread pool (the services themselves cache results by ``spec_hash``). The
prepared answer is also registered under the request's path and query for the pure-ASGI
fast path (:class:`~nqpf.api.fastpath.FastPath`), which answers the next identical GET
before FastAPI's routing. Routes over the database (board, policy library, directory with
imported firms) are not cached: their tables change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import Path, Query, Request, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from nqpf.api.cache import ResultCache
from nqpf.api.fastpath import HitStore, Prepared, accepts_gzip, prepare
from nqpf.results import JSON_SCHEMA, Result

__all__ = [
    "RESULT_RESPONSES",
    "Encoded",
    "RegionPath",
    "Year",
    "Years",
    "cached_json",
    "result_response",
    "result_responses",
]

#: A year as a query parameter (the range NQPF accepts anywhere).
Year = Annotated[int, Field(ge=1949, le=2100)]
#: Repeatable ``?year=2022&year=2023``.
Years = Annotated[list[Year] | None, Query(max_length=100)]
#: A region in a path: a name (安徽, 合肥市, Anhui) or a GB/T 2260 code.
RegionPath = Annotated[
    str, Path(min_length=1, max_length=64, description="region name or code: 安徽, 340000")
]

#: The encoded document (its bytes, gzip and ETag).
Encoded = Prepared

_SCHEMA = {k: v for k, v in JSON_SCHEMA.items() if k not in ("$schema", "$id")}


def result_responses(**extra: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of the answers of an analysis route: the result document, with
    ``extra`` top-level members (name → JSON Schema) when the route adds some."""
    schema = _SCHEMA
    if extra:
        schema = {**_SCHEMA, "properties": {**_SCHEMA["properties"], **extra}}
        schema["required"] = [*_SCHEMA["required"], *extra]
    return {
        200: {
            "description": "The result document (schema nqpf.result v1; see docs/api.md)",
            "content": {"application/json": {"schema": schema}},
        },
        404: {"description": "Unknown region (one-line `detail`)"},
        422: {"description": "A bad parameter (`detail` names it; `field` when NQPF found it)"},
    }


#: OpenAPI description of the answers of every analysis route.
RESULT_RESPONSES = result_responses()


def encode(result: Result, extra: Mapping[str, Any] | None = None, *, variant: str = "") -> Encoded:
    """The JSON bytes of ``result`` (with ``extra`` top-level members) and its ETag
    (``"<spec_hash>"``, or ``"<spec_hash>-<variant>"`` for a partial view of the result)."""
    text = result.to_json()
    if extra:
        doc = json.loads(text)
        doc.update(extra)
        text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
    tag = f"{result.spec_hash}-{variant}" if variant else result.spec_hash
    return prepare(text.encode("utf-8"), f'"{tag}"')


def _answer(request: Request, encoded: Encoded) -> Response:
    """A 304 when ``If-None-Match`` names the ETag, else the body (gzip when accepted)."""
    if encoded.etag is not None and request.headers.get("if-none-match") == encoded.etag:
        headers = {"ETag": encoded.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
        return Response(status_code=304, headers=headers)
    raw, body = encoded.headers(gzip_ok=accepts_gzip(request.headers.get("accept-encoding")))
    answer = Response(body)
    answer.raw_headers = raw
    return answer


def _register(request: Request, encoded: Encoded) -> None:
    """Let the fast path answer this path and query from now on."""
    hits: HitStore = request.app.state.hits
    hits.put((request.scope["path"], request.scope["query_string"]), encoded)


async def _cached(
    request: Request, key: Mapping[str, Any], build: Callable[[], Encoded]
) -> Response:
    """Answer ``key`` from the app's cache (``build()`` in a worker thread on a miss, once
    however many requests ask at the same time) and register it for the fast path."""
    store: ResultCache = request.app.state.cache
    hit: Encoded | None = store.peek(key)
    made: Encoded = (
        hit if hit is not None else await run_in_threadpool(store.get_or_run, key, build)
    )
    _register(request, made)
    return _answer(request, made)


async def cached_json(
    request: Request, key: Mapping[str, Any], build: Callable[[], Any]
) -> Response:
    """Answer plain JSON (``build()``'s value, encoded once; NaN is refused) cached under
    ``key`` and registered for the fast path: reference data that never changes while the
    server runs (regions, catalog, sources, map layers)."""

    def encoded() -> Encoded:
        text = json.dumps(build(), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return prepare(text.encode("utf-8"))

    return await _cached(request, key, encoded)


async def result_response(
    request: Request,
    key: Mapping[str, Any],
    run: Callable[[], Result],
    *,
    extra: Callable[[Result], Mapping[str, Any]] | None = None,
    cache: bool = True,
    variant: str = "",
) -> Response:
    """Answer ``key`` with the document of ``run()``'s result (cached when ``cache``;
    ``variant`` names a partial view in the ETag)."""

    def build() -> Encoded:
        result = run()
        return encode(result, extra(result) if extra is not None else None, variant=variant)

    if not cache:
        return _answer(request, await run_in_threadpool(build))
    return await _cached(request, key, build)
