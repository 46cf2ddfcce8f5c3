"""Routes of the portal's content: the enterprise directory (企业), the supply/demand board
(供应/求购) and the policy library (资讯). Reads are open; posting to the board needs an
analyst (or admin) account. Answers are result documents (:mod:`nqpf.api._respond`); they
read the database, so they are not cached.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from nqpf.api._respond import RESULT_RESPONSES, Year, result_response
from nqpf.api.security import Caller, need_analyst
from nqpf.db.accounts_repo import AuthenticationError, UserInfo
from nqpf.errors import InputError
from nqpf.results import Result, tables_result

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")

Text64 = Annotated[str, Query(min_length=1, max_length=64)]
TextList = Annotated[list[Text64] | None, Query(max_length=50)]
#: The document types of the library (``nqpf.db.policy.DOC_TYPES``).
DocType = Literal["work_report", "plan", "policy", "article", "other"]
#: Most rows one page of a list returns.
MAX_LIMIT = 500
#: Longest text ``POST /policy/extract`` reads (characters; a long policy is ~60 000).
MAX_EXTRACT_CHARS = 200_000

_LISTED_SOURCE = (
    "Tushare stock_basic (A-share listed firms); imported enterprises: the portal database"
)


def _url(request: Request) -> str | None:
    url: str | None = request.app.state.db_url
    return url


# ------------------------------------------------------------------------------ enterprises
@router.get("/enterprises", tags=["enterprises"], responses=RESULT_RESPONSES)
async def enterprises(
    request: Request,
    name: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    region: TextList = None,
    industry: TextList = None,
    chain: Text64 | None = None,
    segment: Text64 | None = None,
    board: TextList = None,
    ownership: TextList = None,
    listed_from: Annotated[Year | None, Query()] = None,
    listed_to: Annotated[Year | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Search the directory (listed companies and imported enterprises): table
    ``enterprises`` (one page), table ``page`` (total matches, offset, limit)."""
    options: dict[str, Any] = {"name": name, "region": region, "industry": industry}
    options |= {"chain": chain, "segment": segment, "board": board, "ownership": ownership}
    options |= {"listed_from": listed_from, "listed_to": listed_to}
    options |= {"limit": limit, "offset": offset}
    url = _url(request)

    def run() -> Result:
        import pandas as pd

        from nqpf.services.market import firms_search

        found = firms_search(
            name=name,
            region=region,
            industry=industry,
            chain=chain,
            segment=segment,
            board=board,
            ownership=ownership,
            listed_from=listed_from,
            listed_to=listed_to,
            url=url,
        )
        page = _city_names(found.iloc[offset : offset + limit].reset_index(drop=True))
        counts = pd.DataFrame({"total": [len(found)], "offset": [offset], "limit": [limit]})
        return tables_result(
            "enterprises",
            options,
            {"enterprises": page, "page": counts},
            provenance=pd.DataFrame({"source": [_LISTED_SOURCE]}),
        )

    return await result_response(request, {"analysis": "enterprises", **options}, run, cache=False)


def _city_names(page: pd.DataFrame) -> pd.DataFrame:
    """``page`` with the city's name in ``city`` and its GB/T 2260 code in ``city_code``
    beside it (a name an importer gave stays as it is; its code is empty)."""
    import pandas as pd

    from nqpf.errors import UnknownRegionError
    from nqpf.regions import division_name

    def name(code: object) -> object:
        text = "" if code is None or code is pd.NA or code != code else str(code)
        if not (len(text) == 6 and text.isdigit()):
            return code
        try:
            return division_name(text)
        except UnknownRegionError:
            return code

    if "city" not in page.columns:
        return page
    codes = page["city"]
    is_code = codes.astype("string").str.fullmatch(r"\d{6}").fillna(False).astype(bool)
    out = page.assign(city=codes.map(name))
    out.insert(list(out.columns).index("city") + 1, "city_code", codes.where(is_code, None))
    return out


# ------------------------------------------------------------------------------ board
class NewPost(BaseModel):
    """A supply offer (供应) or purchase request (求购)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["supply", "demand"]
    enterprise: str = Field(min_length=1, max_length=200)
    product: str = Field(min_length=1, max_length=200)
    region: str = Field(min_length=1, max_length=64)
    contact: str = Field(min_length=1, max_length=200)
    valid_until: date
    industry: str = Field(default="", max_length=50)
    chain: str = Field(default="", max_length=40)
    segment: str = Field(default="", max_length=40)
    quantity: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    unit: str = Field(default="", max_length=20)
    description: str = Field(default="", max_length=2000)
    client_key: str = Field(
        default="", max_length=100, description="idempotency key: a retry makes no second post"
    )


class PostChanges(BaseModel):
    """Fields of a post to change (any of :class:`NewPost`'s but ``kind`` and
    ``client_key``); the changed post is validated as a whole."""

    model_config = ConfigDict(extra="forbid")

    enterprise: str | None = Field(default=None, min_length=1, max_length=200)
    product: str | None = Field(default=None, min_length=1, max_length=200)
    region: str | None = Field(default=None, min_length=1, max_length=64)
    contact: str | None = Field(default=None, min_length=1, max_length=200)
    valid_until: date | None = None
    industry: str | None = Field(default=None, max_length=50)
    chain: str | None = Field(default=None, max_length=40)
    segment: str | None = Field(default=None, max_length=40)
    quantity: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    unit: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=2000)


#: The owner token of a post, as returned by ``POST /board`` (header ``X-Owner-Token``).
OwnerToken = Annotated[
    str | None,
    Header(
        alias="X-Owner-Token",
        min_length=1,
        max_length=200,
        description="the post's owner token (instead of logging in as its author or an admin)",
    ),
]

#: Answers of the routes that change a post.
_CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no credentials (log in, send an API token or X-Owner-Token)"},
    403: {"description": "not the post's author, an admin or its owner token"},
    404: {"description": "no such post"},
    422: {"description": "a bad field (`detail` names it)"},
}


@router.get("/board", tags=["board"], responses=RESULT_RESPONSES)
async def board(
    request: Request,
    kind: Literal["supply", "demand"] | None = None,
    region: Text64 | None = None,
    chain: Text64 | None = None,
    segment: Text64 | None = None,
    include_expired: bool = False,
    include_withdrawn: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Response:
    """Live supply offers and purchase requests, newest first (table ``posts``; column
    ``status`` is ``live`` or, with ``include_withdrawn``, ``withdrawn``)."""
    options: dict[str, Any] = {"kind": kind, "region": region, "chain": chain}
    options |= {"segment": segment, "include_expired": include_expired, "limit": limit}
    options |= {"include_withdrawn": include_withdrawn}
    url = _url(request)

    def run() -> Result:
        from nqpf.services.market import board_list

        posts = board_list(
            kind=kind,
            region=region,
            chain=chain,
            segment=segment,
            include_expired=include_expired,
            include_withdrawn=include_withdrawn,
            limit=limit,
            url=url,
        )
        return tables_result("board", options, {"posts": posts})

    return await result_response(request, {"analysis": "board", **options}, run, cache=False)


@router.post("/board", tags=["board"], status_code=201, responses={201: {"description": "posted"}})
def post_to_board(
    body: NewPost,
    request: Request,
    user: Annotated[UserInfo, Depends(need_analyst)],
) -> dict[str, Any]:
    """Post a supply offer or purchase request (analyst or admin). Returns the post's id,
    whether it is new (a retry with the same ``client_key`` is not) and its owner token
    (keep it: changing or withdrawing the post needs it)."""
    from nqpf.services.market import board_post

    post_id, created, token = board_post(body.model_dump(), url=_url(request), author_id=user.id)
    return {"id": post_id, "created": created, "owner_token": token, "by": user.username}


def _editor(user: UserInfo | None, token: str | None) -> Any:
    """Who changes a post: the caller's account and/or the owner token; neither → 401."""
    from nqpf.db.market_repo import Editor

    if user is None and token is None:
        raise AuthenticationError(
            "changing a post needs its author's or an admin's log-in, or X-Owner-Token"
        )
    return Editor(
        token=token,
        user_id=user.id if user is not None else None,
        admin=user is not None and user.role == "admin",
    )


def _post_json(post: dict[str, Any]) -> dict[str, Any]:
    """A stored post as JSON (the columns of the board list; dates as ISO text)."""
    out: dict[str, Any] = {}
    for key, value in post.items():
        out[key] = value.isoformat() if isinstance(value, date) else value
    return out


@router.patch("/board/{post_id}", tags=["board"], responses=_CHANGE_RESPONSES)
def change_post(
    post_id: Annotated[int, Path(ge=1, le=2**62)],
    body: PostChanges,
    request: Request,
    user: Caller,
    owner_token: OwnerToken = None,
) -> dict[str, Any]:
    """Change a post: its author (logged in), an admin, or with its ``X-Owner-Token``.
    Answers the post as stored afterwards (the board list's columns, with ``status``)."""
    from nqpf.services.market import board_update

    changes = body.model_dump(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None and k != "quantity"]
    if nulls:
        raise InputError(f"{nulls[0]}: cannot be null", column=nulls[0])
    post = board_update(post_id, changes, editor=_editor(user, owner_token), url=_url(request))
    return _post_json(post)


@router.delete("/board/{post_id}", tags=["board"], responses=_CHANGE_RESPONSES)
def withdraw_post(
    post_id: Annotated[int, Path(ge=1, le=2**62)],
    request: Request,
    user: Caller,
    owner_token: OwnerToken = None,
) -> dict[str, Any]:
    """Withdraw a post (its author, an admin, or with its ``X-Owner-Token``): it leaves the
    board and the matches (``include_withdrawn=true`` shows it)."""
    from nqpf.services.market import board_withdraw

    board_withdraw(post_id, editor=_editor(user, owner_token), url=_url(request))
    return {"id": post_id, "status": "withdrawn"}


@router.get("/board/{post_id}/matches", tags=["board"], responses=RESULT_RESPONSES)
async def board_matches(
    request: Request,
    post_id: Annotated[int, Path(ge=1, le=2**62)],
    top: Annotated[int, Query(ge=1, le=100)] = 10,
    include_withdrawn: bool = False,
) -> Response:
    """A post (table ``post``) and its best counterparts along the chains, each with the
    reasons of its score (table ``matches``). A withdrawn post is 404 and is matched with
    nothing, unless ``include_withdrawn``."""
    url = _url(request)
    options: dict[str, Any] = {"post_id": post_id, "top": top}
    options |= {"include_withdrawn": include_withdrawn}

    def run() -> Result:
        import pandas as pd

        from nqpf.services.market import board_match

        post, matches = board_match(post_id, top=top, url=url, include_withdrawn=include_withdrawn)
        return tables_result(
            "board_matches", options, {"matches": matches, "post": pd.DataFrame([post])}
        )

    return await result_response(request, {"analysis": "matches", **options}, run, cache=False)


# ------------------------------------------------------------------------------ policy library
_LIBRARY_LOCK = threading.Lock()


def _library(request: Request) -> Any:
    """The policy library over the app's database; the packaged documents are stored on
    first use (once per process)."""
    from nqpf.services.policy import PolicyLibrary

    state = request.app.state
    with _LIBRARY_LOCK:
        loaded = getattr(state, "policy_loaded", False)
        library = PolicyLibrary(state.db_url, load_corpus=not loaded)
        state.policy_loaded = True
    return library


@router.get("/policy/documents", tags=["policy"], responses=RESULT_RESPONSES)
async def policy_documents(
    request: Request,
    level: Literal["national", "province", "prefecture", "county"] | None = None,
    region: Text64 | None = None,
    year: Annotated[Year | None, Query()] = None,
    doc_type: DocType | None = None,
) -> Response:
    """The library's documents, newest first, without their text (table ``documents``)."""
    options: dict[str, Any] = {"level": level, "region": region, "year": year, "doc_type": doc_type}

    def run() -> Result:
        lib = _library(request)
        filters = {k: v for k, v in options.items() if v is not None}
        return tables_result("policy_documents", options, {"documents": lib.documents(**filters)})

    return await result_response(
        request, {"analysis": "policy_documents", **options}, run, cache=False
    )


@router.get("/policy/search", tags=["policy"], responses=RESULT_RESPONSES)
async def policy_search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200, description="words, all must occur")],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Response:
    """Documents containing every word of ``q``, best first, each with a snippet (table
    ``hits``)."""
    options: dict[str, Any] = {"q": q, "limit": limit}

    def run() -> Result:
        hits = _library(request).search(q, limit=limit)
        return tables_result("policy_search", options, {"hits": hits})

    return await result_response(
        request, {"analysis": "policy_search", **options}, run, cache=False
    )


@router.get("/policy/documents/{doc_id}", tags=["policy"], responses=RESULT_RESPONSES)
async def policy_document(
    request: Request, doc_id: Annotated[int, Path(ge=1, le=2**62)]
) -> Response:
    """One document: table ``document`` (one row with its text) and the items extracted from
    it (table ``items``: targets, measures, industries …)."""
    options: dict[str, Any] = {"doc_id": doc_id}

    def run() -> Result:
        import pandas as pd

        lib = _library(request)
        doc = lib.document(doc_id)
        items = lib.items(doc_id)
        source = pd.DataFrame({"source": [doc.get("source_url") or doc.get("origin") or ""]})
        return tables_result(
            "policy_document",
            options,
            {"document": pd.DataFrame([doc]), "items": items},
            provenance=source,
        )

    return await result_response(
        request, {"analysis": "policy_document", **options}, run, cache=False
    )


class ExtractText(BaseModel):
    """A policy text to read (not stored)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_EXTRACT_CHARS)
    year: int | None = Field(default=None, ge=1949, le=2100)
    doc_type: DocType = "policy"


@router.post("/policy/extract", tags=["policy"], responses=RESULT_RESPONSES)
async def policy_extract(request: Request, body: ExtractText) -> Response:
    """The items (targets, measures, industries …) extracted from a text, which is not
    stored (table ``items``)."""
    options: dict[str, Any] = {
        "year": body.year,
        "doc_type": body.doc_type,
        "chars": len(body.text),
    }

    def run() -> Result:
        from nqpf.services.policy import extract_text

        if "\x00" in body.text:
            raise InputError("text: contains NUL characters", column="text")
        items = extract_text(body.text, year=body.year, doc_type=body.doc_type)
        return tables_result("policy_extract", options, {"items": items})

    return await result_response(
        request, {"analysis": "policy_extract", **options}, run, cache=False
    )
