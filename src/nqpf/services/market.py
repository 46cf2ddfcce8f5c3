"""The enterprise directory (企业) and the supply/demand board (供应/求购) as services.

Directory: the packaged A-share list plus the enterprises users import into the database
(:func:`import_enterprises`, CSV/Excel read by the foundation's reader, GB18030 or UTF-8).
Board: posts are validated (:mod:`nqpf.market.posts`), checked against the chain
definitions, stored in the database (:mod:`nqpf.db.market_repo`) and matched along the
chains (:mod:`nqpf.market.match`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nqpf.errors import InputError

if TYPE_CHECKING:
    from nqpf.db.market_repo import Editor

__all__ = [
    "board_delete",
    "board_list",
    "board_match",
    "board_post",
    "board_update",
    "board_withdraw",
    "directory",
    "firms_search",
    "import_enterprises",
    "match_context",
    "profile",
    "segment_members",
]

#: Header names accepted for each column of an imported enterprise list (lower-cased).
IMPORT_HEADERS: Mapping[str, tuple[str, ...]] = {
    "name": ("name", "企业名称", "企业", "名称", "公司名称", "公司"),
    "region": ("region", "地区", "省份", "省", "所在地", "注册地"),
    "city": ("city", "城市", "地市"),
    "industry": ("industry", "行业", "所属行业"),
    "board": ("board", "板块", "上市板块"),
    "ownership": ("ownership", "企业类型", "所有制", "性质", "企业性质"),
    "list_year": ("list_year", "上市年份", "上市年"),
    "code": ("code", "代码", "股票代码", "统一社会信用代码"),
}


# ------------------------------------------------------------------- directory


@cache
def _listed() -> pd.DataFrame:
    from nqpf.data import load_enterprises

    firms = load_enterprises().rename(columns={"province": "region"})
    firms["list_year"] = pd.to_datetime(firms["list_date"]).dt.year.astype("Int64")
    firms["source"] = "listed"
    return firms[
        ["code", "name", "region", "city", "industry", "board", "ownership", "list_year", "source"]
    ]


def directory(*, include_imported: bool = True, url: str | None = None) -> pd.DataFrame:
    """The listed companies and (if asked) the imported enterprises in one frame."""
    frames = [_listed()]
    if include_imported:
        from nqpf.db import connect
        from nqpf.db.market_repo import enterprises_frame

        imported = enterprises_frame(connect(url))
        if not imported.empty:
            imported["list_year"] = imported["list_year"].astype("Int64")
            frames.append(imported)
    return pd.concat(frames, ignore_index=True)


@cache
def segment_members() -> pd.DataFrame:
    """(code, name, region, chain, chain_name, segment) for every firm of every chain segment."""
    from nqpf.chain.chainmap import segment_firms
    from nqpf.services.chains import chains

    firms = _listed().dropna(subset=["industry"])
    parts = [
        segment_firms(c, firms)[["code", "name", "region", "segment"]].assign(
            chain=c.id, chain_name=c.name_zh
        )
        for c in chains()
    ]
    return pd.concat(parts, ignore_index=True)


def firms_search(
    *,
    name: str | None = None,
    region: Sequence[str] | None = None,
    industry: Sequence[str] | None = None,
    chain: str | None = None,
    segment: str | None = None,
    board: Sequence[str] | None = None,
    ownership: Sequence[str] | None = None,
    listed_from: int | None = None,
    listed_to: int | None = None,
    include_imported: bool = True,
    url: str | None = None,
) -> pd.DataFrame:
    """Search the directory; ``chain``/``segment`` keep the firms of a chain (segment)."""
    from nqpf.market.directory import search
    from nqpf.regions import normalize_region
    from nqpf.services.chains import get_chain

    members = None
    if chain:
        found = get_chain(chain)
        members = segment_members()
        members = members[members["chain"] == found.id]
        if segment:
            members = members[members["segment"] == found.segment(segment).id]
    elif segment:
        raise InputError("segment: give the chain too", hint="e.g. --chain nev --segment battery")
    codes = [normalize_region(r) for r in region] if region else None
    firms = directory(include_imported=include_imported, url=url)
    return search(
        firms,
        name=name,
        regions=codes,
        industries=industry,
        boards=board,
        ownership=ownership,
        listed_from=listed_from,
        listed_to=listed_to,
        members=members,
    )


def profile(
    region: str, *, include_imported: bool = True, url: str | None = None
) -> dict[str, pd.DataFrame]:
    """Enterprises of a region by chain, board and ownership; its 科创板 share."""
    from nqpf.market.directory import region_profile
    from nqpf.regions import normalize_region

    code = normalize_region(region)
    return region_profile(
        directory(include_imported=include_imported, url=url), segment_members(), code
    )


def import_enterprises(
    path: str | Path, *, url: str | None = None, sheet: str | int | None = None
) -> tuple[int, int]:
    """Import a user's enterprise list (CSV/Excel; GB18030 or UTF-8) into the database.

    Needs a name and a region column (Chinese or English headers, see
    :data:`IMPORT_HEADERS`); every row is checked before anything is written, and an error
    names the file, row and column. Returns (inserted, updated).
    """
    from nqpf.db import connect
    from nqpf.db.market_repo import upsert_enterprises
    from nqpf.ingest.readers import read_records
    from nqpf.market.directory import BOARDS
    from nqpf.regions import normalize_region

    file = Path(path)
    raw = read_records(file, sheet=sheet)
    columns: dict[str, str] = {}
    for target, names in IMPORT_HEADERS.items():
        for col in raw.columns:
            if col in names and target not in columns:
                columns[target] = col
    for needed in ("name", "region"):
        if needed not in columns:
            raise InputError(
                f"no {needed} column",
                file=file.name,
                hint=f"name a column one of: {', '.join(IMPORT_HEADERS[needed])}",
            )
    rows = []
    for rec in raw.to_dict("records"):
        row_no = int(rec["source_row"])
        name = str(rec[columns["name"]]).strip()
        if not name:
            raise InputError(
                "empty enterprise name", file=file.name, row=row_no, column=columns["name"]
            )
        if len(name) > 200:
            raise InputError(
                "name longer than 200 characters",
                file=file.name,
                row=row_no,
                column=columns["name"],
            )
        try:
            region_code = normalize_region(str(rec[columns["region"]]))
        except InputError as error:
            raise InputError(
                f"unknown region {rec[columns['region']]!r} ({error.message})",
                file=file.name, row=row_no, column=columns["region"],
            ) from None  # fmt: skip
        out: dict[str, Any] = {"name": name, "region": region_code}
        for field in ("city", "industry", "board", "ownership", "code"):
            value = (
                str(rec.get(columns.get(field, ""), "") or "").strip() if field in columns else ""
            )
            out[field] = value or None
        if out["board"] and out["board"] not in BOARDS:
            raise InputError(
                f"unknown board {out['board']!r}", file=file.name, row=row_no,
                column=columns["board"], hint="主板, 创业板, 科创板, 北交所 or empty",
            )  # fmt: skip
        year = (
            str(rec.get(columns.get("list_year", ""), "") or "").strip().removesuffix("年")
            if "list_year" in columns
            else ""
        )
        if year:
            if not year.isdigit() or not 1990 <= int(year) <= date.today().year:
                raise InputError(
                    f"listing year {year!r} is not a year", file=file.name, row=row_no,
                    column=columns["list_year"], hint="e.g. 2021",
                )  # fmt: skip
            out["list_year"] = int(year)
        else:
            out["list_year"] = None
        rows.append(out)
    frame = pd.DataFrame(rows)
    dupes = frame[frame.duplicated(["name", "region"], keep=False)]
    if not dupes.empty:
        first = dupes.iloc[0]
        raise InputError(
            f"enterprise {first['name']!r} appears twice for the same region", file=file.name,
            hint="keep one row per enterprise and region",
        )  # fmt: skip
    return upsert_enterprises(connect(url), frame, source=file.name[:200])


# ------------------------------------------------------------------------ board


def board_post(
    data: Mapping[str, Any],
    *,
    token: str | None = None,
    url: str | None = None,
    today: date | None = None,
    author_id: int | None = None,
) -> tuple[int, bool, str]:
    """Validate and store a post; returns (id, created, owner token). Without a token a new
    one is made (keep it: editing and deleting need it). ``author_id``: the portal account
    posting (it may change and withdraw the post without the token)."""
    from nqpf.db import connect
    from nqpf.db.market_repo import add_post, new_owner_token
    from nqpf.market.posts import validate_post

    post = validate_post(data, today=today or date.today())
    _check_position(post.chain, post.segment)
    owner = token or new_owner_token()
    values = _canonical(dict(post.__dict__))
    post_id, created = add_post(connect(url), values, owner, author_id=author_id)
    return post_id, created, owner


#: The fields of a post that validation sees as a whole (all but id, timestamps, status).
_POST_VALUES = (
    "kind", "enterprise", "product", "industry", "chain", "segment", "region", "quantity",
    "unit", "valid_until", "contact", "description",
)  # fmt: skip


def board_update(
    post_id: int,
    changes: Mapping[str, Any],
    *,
    token: str | None = None,
    editor: Editor | None = None,
    url: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Change a post (its owner ``token``, or an ``editor``: its author or an admin); the
    changed post is validated as a whole. Returns the post as stored afterwards."""
    from nqpf.db import connect
    from nqpf.db.market_repo import Editor, check_editor, get_post, update_post
    from nqpf.market.posts import validate_post

    who = editor if editor is not None else Editor(token=token)
    engine = connect(url)
    check_editor(engine, post_id, who)
    current = get_post(engine, post_id)
    merged = {k: current[k] for k in _POST_VALUES}
    merged.update(changes)
    post = validate_post(merged, today=today or date.today())
    _check_position(post.chain, post.segment)
    values = _canonical({k: getattr(post, k) for k in changes})
    update_post(engine, post_id, who, values)
    return get_post(engine, post_id)


def board_withdraw(post_id: int, *, editor: Editor, url: str | None = None) -> None:
    """Withdraw a post (its owner token, its author or an admin): it leaves the board and
    the matches."""
    from nqpf.db import connect
    from nqpf.db.market_repo import withdraw_post

    withdraw_post(connect(url), post_id, editor)


def board_delete(post_id: int, *, token: str, url: str | None = None) -> None:
    """Remove a post for good (owner token only)."""
    from nqpf.db import connect
    from nqpf.db.market_repo import delete_post

    delete_post(connect(url), post_id, token)


def board_list(
    *,
    kind: str | None = None,
    region: str | None = None,
    chain: str | None = None,
    segment: str | None = None,
    include_expired: bool = False,
    include_withdrawn: bool = False,
    limit: int = 50,
    url: str | None = None,
) -> pd.DataFrame:
    from nqpf.db import connect
    from nqpf.db.market_repo import list_posts
    from nqpf.regions import normalize_region

    if kind is not None and kind not in ("supply", "demand"):
        raise InputError(f"kind: {kind!r} is not supply or demand")
    chain_id = _chain_id(chain) if chain else None
    return list_posts(
        connect(url),
        kind=kind,
        region=normalize_region(region) if region else None,
        chain=chain_id,
        segment=segment,
        live_on=None if include_expired else date.today(),
        limit=limit,
        include_withdrawn=include_withdrawn,
    )


@cache
def match_context() -> dict[str, Any]:
    """What the matcher needs from the chains and the geography (cached per process)."""
    from nqpf.chain.chainmap import ChainMapOptions, segment_status
    from nqpf.services.chains import _firms, _members, chains, geography

    distance, neighbours = geography()
    steps = {c.id: c.edges() for c in chains()}
    names = {f"{c.id}|{s.id}": s.name_zh.split("（")[0] for c in chains() for s in c.segments}
    totals = _firms().groupby("region").size()
    strong: dict[str, set[str]] = {}
    for c in chains():
        status = segment_status(c, _members(c.id), totals, options=ChainMapOptions())
        for seg, group in status[status["status"] == "strong"].groupby("segment"):
            strong[f"{c.id}|{seg}"] = set(group["region"])
    return {
        "steps": steps,
        "neighbours": neighbours,
        "distance": distance,
        "names": names,
        "strong": strong,
    }


def board_match(
    post_id: int,
    *,
    top: int = 10,
    url: str | None = None,
    today: date | None = None,
    weights: Mapping[str, float] | None = None,
    include_withdrawn: bool = False,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The stored post ``post_id`` and its best counterparts, each with an explanation.
    Withdrawn posts are neither matched nor matchable unless ``include_withdrawn``."""
    from nqpf.db import connect
    from nqpf.db.market_repo import get_post, posts_frame
    from nqpf.errors import NotFoundError
    from nqpf.market.match import MatchWeights, PostIndex, rank_counterparts

    engine = connect(url)
    request = get_post(engine, post_id)
    if request["status"] == "withdrawn" and not include_withdrawn:
        raise NotFoundError(
            f"post {post_id}: withdrawn", hint="ask with include_withdrawn=true to see it"
        )
    day = today or date.today()
    pool = posts_frame(engine, live_on=day, include_withdrawn=include_withdrawn)
    index = PostIndex(pool)
    ctx = match_context()
    matches = rank_counterparts(
        request,
        index,
        chain_steps=ctx["steps"],
        neighbours=ctx["neighbours"],
        distance_km=ctx["distance"],
        strong_regions=ctx["strong"],
        segment_names=ctx["names"],
        today=day,
        weights=MatchWeights(**weights) if weights else None,
        top=top,
    )
    return request, matches


def _canonical(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the chain and segment (when given and set) as their ids (新能源汽车 →
    nev); the pair was checked by :func:`_check_position`."""
    chain = values.get("chain")
    if not chain:
        return values
    from nqpf.services.chains import get_chain

    found = get_chain(chain)
    values["chain"] = found.id
    if values.get("segment"):
        values["segment"] = found.segment(values["segment"]).id
    return values


def _chain_id(chain: str) -> str:
    from nqpf.services.chains import get_chain

    return get_chain(chain).id


def _check_position(chain: str, segment: str) -> None:
    if not chain:
        return
    from nqpf.services.chains import get_chain

    try:
        found = get_chain(chain)
    except InputError as error:
        raise InputError(f"chain: {error.message}", hint=error.hint) from None
    if segment:
        try:
            found.segment(segment)
        except InputError as error:
            raise InputError(f"segment: {error.message}", hint=error.hint) from None
