"""Prepared answers and the pure-ASGI fast path that serves them.

A cached answer (an analysis's result document, the regions, the catalog, the map layers)
is encoded once into a :class:`Prepared`: the JSON bytes, their gzip (level
:data:`GZIP_LEVEL`, made once, kept when it is smaller) and the ETag. A client that sends
``Accept-Encoding: gzip`` gets the gzip bytes with ``Content-Encoding: gzip`` — no
compression per request — and a client whose ``If-None-Match`` names the ETag gets ``304``.

The first request of a URL goes through FastAPI (routing, parameter validation, the
service); its prepared answer is then registered under the request's exact path and query
string in a :class:`HitStore`. :class:`FastPath`, an ASGI middleware in front of the
application, answers a later GET of the same path and query straight from the store,
before FastAPI's routing and validation. Only answers that depend on nothing but the path
and query are registered (the analyses of the packaged data, the reference data); answers
over the database (board, directory, library, imports) never are.

The dashboard's files (``/`` and ``/static/…``, packaged and unchanged while the server
runs) are *captured*: the first 200 answer of such a GET (no cookie set, not already
encoded, at most :data:`MAX_CAPTURE_BYTES`) is kept with its gzip, and later requests are
answered from memory instead of a file read in the thread pool. Range requests get the
whole file (allowed by RFC 9110 §14.2).
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["GZIP_LEVEL", "FastPath", "HitStore", "Prepared", "prepare"]

#: zlib level of the prepared gzip bodies (6: gzip's default; 9 saves ~2 % more, slower).
GZIP_LEVEL = 6
#: Bodies shorter than this are sent as they are (gzip would not pay for its header).
MIN_GZIP_BYTES = 1024
#: Requests whose prepared answers the fast path keeps (most recently used). Many URLs can
#: share one answer; distinct answers are at most this many (≈ 1.2 MB for the largest, the
#: full provincial assessment with its gzip), so memory stays bounded under any query mix.
MAX_HITS = 256
#: Largest file answer captured for the fast path (the bundled Plotly is ≈ 4.6 MB).
MAX_CAPTURE_BYTES = 16 * 1024 * 1024
#: Media types worth compressing (fonts and images are compressed already).
_COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


@dataclass(frozen=True)
class Prepared:
    """An encoded answer: ``body``, its ``gzipped`` form (``None`` when not smaller),
    the ``etag`` (quoted, or ``None``) and the media type."""

    body: bytes
    gzipped: bytes | None
    etag: str | None
    media_type: str = "application/json"

    def headers(self, *, gzip_ok: bool) -> tuple[list[tuple[bytes, bytes]], bytes]:
        """The raw headers and body of a 200 answer to a client that does (not) accept
        gzip."""
        use_gzip = gzip_ok and self.gzipped is not None
        body = self.gzipped if use_gzip and self.gzipped is not None else self.body
        headers = [
            (b"content-type", self.media_type.encode("latin-1")),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"vary", b"Accept-Encoding"),
            (b"cache-control", b"no-cache"),
        ]
        if use_gzip:
            headers.append((b"content-encoding", b"gzip"))
        if self.etag is not None:
            headers.append((b"etag", self.etag.encode("latin-1")))
        return headers, body


def prepare(body: bytes, etag: str | None = None, media_type: str = "application/json") -> Prepared:
    """Encode once: the body, its gzip when that is smaller (text types only), the ETag."""
    packed = None
    if len(body) >= MIN_GZIP_BYTES and media_type.startswith(_COMPRESSIBLE):
        packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        if len(packed) >= len(body):
            packed = None
    return Prepared(body, packed, etag, media_type)


def accepts_gzip(value: str | bytes | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip;q=0`` does not)."""
    if not value:
        return False
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    for part in text.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and _zero(q[2:]))
    return False


def _zero(text: str) -> bool:
    try:
        return float(text) == 0.0
    except ValueError:
        return False


class HitStore:
    """Prepared answers by (path, query string), the :data:`MAX_HITS` most recent."""

    def __init__(self, max_entries: int = MAX_HITS) -> None:
        self._max = max_entries
        self._hits: OrderedDict[tuple[str, bytes], Prepared] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, key: tuple[str, bytes]) -> Prepared | None:
        with self._guard:
            found = self._hits.get(key)
            if found is not None:
                self._hits.move_to_end(key)
            return found

    def put(self, key: tuple[str, bytes], answer: Prepared) -> None:
        with self._guard:
            self._hits[key] = answer
            self._hits.move_to_end(key)
            while len(self._hits) > self._max:
                self._hits.popitem(last=False)

    def __len__(self) -> int:
        return len(self._hits)


class FastPath:
    """ASGI middleware answering a GET whose path and query the :class:`HitStore` holds,
    without entering the application; it captures the answers of the paths ``capture``
    (the exact path ``/``, and prefixes ending in ``/``) as they pass (module docstring)."""

    def __init__(self, app: ASGIApp, store: HitStore, capture: tuple[str, ...] = ()) -> None:
        self.app = app
        self.store = store
        self.capture = capture

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            key = (scope["path"], scope["query_string"])
            hit = self.store.get(key)
            if hit is not None:
                await _send(hit, scope, send)
                return
            if self._captured(scope["path"]):
                await self.app(scope, receive, _Capture(send, key, self.store).send)
                return
        await self.app(scope, receive, send)

    def _captured(self, path: str) -> bool:
        return any(
            path == prefix or (prefix.endswith("/") and len(prefix) > 1 and path.startswith(prefix))
            for prefix in self.capture
        )


class _Capture:
    """Forwards an answer unchanged and keeps a copy of a plain 200 for the store."""

    def __init__(self, send: Send, key: tuple[str, bytes], store: HitStore) -> None:
        self._send = send
        self._key = key
        self._store = store
        self._keep = False
        self._parts: list[bytes] = []
        self._size = 0
        self._etag: str | None = None
        self._media = ""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = {k.lower(): v for k, v in message.get("headers", [])}
            self._keep = (
                message["status"] == 200
                and b"set-cookie" not in headers
                and b"content-encoding" not in headers
                and b"content-type" in headers
            )
            if self._keep:
                self._media = headers[b"content-type"].decode("latin-1")
                tag = headers.get(b"etag")
                self._etag = tag.decode("latin-1") if tag is not None else None
        elif message["type"] == "http.response.body" and self._keep:
            chunk = message.get("body", b"")
            self._size += len(chunk)
            self._parts.append(chunk)
            if self._size > MAX_CAPTURE_BYTES:
                self._keep, self._parts = False, []
            elif not message.get("more_body", False):
                answer = prepare(b"".join(self._parts), self._etag, self._media)
                self._store.put(self._key, answer)
        await self._send(message)


async def _send(answer: Prepared, scope: Scope, send: Send) -> None:
    encoding = match = None
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            encoding = value
        elif name == b"if-none-match":
            match = value
    if answer.etag is not None and match is not None and match.decode("latin-1") == answer.etag:
        headers = [
            (b"etag", answer.etag.encode("latin-1")),
            (b"cache-control", b"no-cache"),
            (b"vary", b"Accept-Encoding"),
        ]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers, body = answer.headers(gzip_ok=accepts_gzip(encoding))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
