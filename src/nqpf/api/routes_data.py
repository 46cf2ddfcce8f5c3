"""Routes of the data sets users upload: ``POST /api/v1/data/import`` (analyst or admin) and
``GET /api/v1/data/imports``; ``GET /api/v1/assess?dataset=ID`` lays one on the packaged
panel (:mod:`nqpf.api.routes_analyses`).

An upload is a ``multipart/form-data`` body with the fields ``file`` (CSV in UTF-8 or GBK,
.xlsx or .parquet) and ``name`` (a label). In this order, before anything is parsed:

1. the caller must be an analyst or admin (401/403; a cookie session needs its CSRF token);
2. a ``Content-Length`` above the limit (:data:`DEFAULT_MAX_UPLOAD_MB` MB plus
   :data:`MULTIPART_SLACK` bytes for the form's own headers) is refused with 413 without
   reading the body; a body without length is counted while it streams and refused as soon
   as it passes the limit;
3. the file must be named .csv/.txt/.tsv, .xlsx or .parquet *and* look like one (zip
   signature, ``PAR1``, decodable text): else 415;
4. its content is read and checked by :func:`nqpf.services.data.import_upload` (the readers
   of ``nqpf data import``): a bad cell is 422 with one line naming row and column.

The body is parsed in memory (the multipart parser spools a large file to an anonymous
temporary file); the name the browser sends is used only in messages, never as a path.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message

from nqpf.api._respond import RESULT_RESPONSES, result_response
from nqpf.api.security import need_analyst
from nqpf.db.accounts_repo import UserInfo
from nqpf.errors import InputError, NQPFError, UnsupportedFileError
from nqpf.results import Result, tables_result

__all__ = ["DEFAULT_MAX_UPLOAD_MB", "MULTIPART_SLACK", "PayloadTooLargeError", "router"]

router = APIRouter(prefix="/api/v1", tags=["data"])

#: Largest upload accepted by default (``nqpf serve --max-upload-mb``).
DEFAULT_MAX_UPLOAD_MB = 20
#: Bytes of a multipart body besides the file (boundaries, part headers, the label).
MULTIPART_SLACK = 64 * 1024
#: Longest label of a data set.
MAX_NAME = 200


class PayloadTooLargeError(NQPFError):
    """An upload over the server's size limit (HTTP 413)."""


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the upload is larger than this server's limit of {limit / 1_048_576:.3g} MB — "
        "split the table, or ask the administrator to raise nqpf serve --max-upload-mb"
    )


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "name"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "CSV (UTF-8 or GBK), .xlsx or .parquet; long, wide or "
                        "NBS layout as nqpf data import reads",
                    },
                    "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME},
                },
            }
        }
    },
}

_SUMMARY = {
    "type": "object",
    "required": ["id", "name", "rows", "columns", "regions", "years", "warnings"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "rows": {"type": "integer", "description": "values stored"},
        "columns": {"type": "array", "items": {"type": "string"}, "description": "the header"},
        "regions": {"type": "array", "items": {"type": "string"}, "description": "codes"},
        "years": {"type": "array", "items": {"type": "integer"}},
        "indicators": {"type": "array", "items": {"type": "string"}},
        "warnings": {"type": "array", "items": {"type": "string"}},
    },
}


async def _form_within(request: Request, limit: int) -> Any:
    """The multipart form of ``request``, refusing (413) a body over ``limit`` bytes (plus
    :data:`MULTIPART_SLACK`) before reading it when its length is declared, and as soon as
    it passes the limit while it streams otherwise."""
    cap = limit + MULTIPART_SLACK
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise InputError("Content-Length: not a number", column="Content-Length")
        if int(declared) > cap:
            raise _too_large(limit)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        raise UnsupportedFileError(
            f"send the file as multipart/form-data, not {kind or 'a body without type'}",
            hint="an HTML form with enctype=multipart/form-data, or curl -F file=@table.csv",
        )
    seen = 0

    async def receive() -> Message:
        nonlocal seen
        message = await request.receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise _too_large(limit)
        return message

    counted = Request(request.scope, receive)
    return await counted.form(max_files=1, max_fields=4)


@router.post(
    "/data/import",
    status_code=201,
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses={
        201: {
            "description": "stored",
            "content": {"application/json": {"schema": _SUMMARY}},
        },
        401: {"description": "not logged in"},
        403: {"description": "not an analyst or admin, or no CSRF token"},
        413: {"description": "larger than the server's limit"},
        415: {"description": "not a CSV, .xlsx or .parquet file (by name and content)"},
        422: {"description": "a bad cell or field (one line naming row and column)"},
    },
)
async def import_data(
    request: Request, user: Annotated[UserInfo, Depends(need_analyst)]
) -> dict[str, Any]:
    """Import a table (CSV in UTF-8 or GBK, .xlsx, .parquet) as a named data set, checked as
    ``nqpf data import`` checks a file (regions, numbers, units, duplicates); analyst or
    admin. Answers its summary: id, name, rows (values stored), columns (the file's
    header), regions, years, indicators, warnings."""
    from nqpf.services.data import import_upload

    limit: int = request.app.state.max_upload_bytes
    form = await _form_within(request, limit)
    upload = form.get("file")
    name = form.get("name")
    if not isinstance(upload, UploadFile):
        raise InputError("file: required (a form field holding the table)", column="file")
    if not isinstance(name, str) or not name.strip():
        raise InputError("name: required (a label for the data set)", column="name")
    if len(name) > MAX_NAME:
        raise InputError(f"name: at most {MAX_NAME} characters", column="name")
    raw = await upload.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(limit)
    summary: dict[str, Any] = await run_in_threadpool(
        lambda: import_upload(
            raw,
            file_name=upload.filename or "",
            name=name,
            author_id=user.id,
            url=request.app.state.db_url,
        )
    )
    return summary


@router.get("/data/imports", responses=RESULT_RESPONSES)
async def data_imports(request: Request) -> Response:
    """The imported data sets, newest first (table ``imports``: id, name, file_type, rows,
    regions, years, indicators, created_at); ``GET /assess?dataset=ID`` uses one."""
    url = request.app.state.db_url

    def run() -> Result:
        from nqpf.services.data import data_imports as listed

        return tables_result("data_imports", {}, {"imports": listed(url)})

    return await result_response(request, {"analysis": "data_imports"}, run, cache=False)
