"""Queries and writes of the enterprise directory and the supply/demand board.

Posts are written one per transaction. Idempotency: the pair (owner, client key) is unique
in the database, so of two concurrent submissions with the same key exactly one is stored
and the other gets the stored post back (``created=False``). Owner tokens are compared by
their SHA-256 digests with :func:`hmac.compare_digest`.

Changing or withdrawing a post needs its owner token, or the portal account that posted it
(``author_id``), or an admin account (:class:`Editor`). Withdrawing sets ``status`` to
``withdrawn``: the post leaves :func:`list_posts` (unless asked for) and the matching pool.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from nqpf.db.engine import session_scope
from nqpf.db.errors import NotOwnerError
from nqpf.db.market import MarketEnterprise, MarketPost
from nqpf.errors import InputError, NotFoundError

__all__ = [
    "Editor",
    "NotOwnerError",
    "add_post",
    "check_editor",
    "delete_post",
    "enterprises_frame",
    "get_post",
    "list_posts",
    "new_owner_token",
    "owner_hash",
    "posts_frame",
    "update_post",
    "upsert_enterprises",
    "withdraw_post",
]

#: Columns of a post shown to everyone (never the owner hash).
PUBLIC_COLUMNS = [
    "id", "kind", "enterprise", "product", "industry", "chain", "segment", "region",
    "quantity", "unit", "valid_until", "contact", "description", "created_at", "status",
]  # fmt: skip

#: Attempts of a post insert when SQLite reports its write lock busy beyond the timeout.
LOCK_RETRIES = 8

#: Bytes of randomness in an owner token (192 bits, URL-safe text of 32 characters).
TOKEN_BYTES = 24


@dataclass(frozen=True)
class Editor:
    """Who asks to change a post: its owner ``token``, and/or the portal account
    ``user_id`` (its author may change it), ``admin`` (may change any post)."""

    token: str | None = None
    user_id: int | None = None
    admin: bool = False


def new_owner_token() -> str:
    """A fresh secret owner token (keep it: it is needed to edit or delete the posts)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


#: Shortest owner token accepted (ours have 32 characters).
MIN_TOKEN_CHARS = 16


def owner_hash(token: str) -> str:
    if not token or len(token) < MIN_TOKEN_CHARS:
        raise InputError(
            "owner token: too short", hint="use the token nqpf gave you (32 characters)"
        )
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: Fields a post stores besides its id, owner and timestamps.
POST_FIELDS = (
    "kind", "enterprise", "product", "industry", "chain", "segment", "region", "quantity",
    "unit", "valid_until", "contact", "description", "client_key",
)  # fmt: skip


def add_post(
    engine: Engine, post: Mapping[str, Any], token: str, *, author_id: int | None = None
) -> tuple[int, bool]:
    """Store a post whose fields were validated (:func:`nqpf.market.posts.validate_post`);
    returns (id, created). A repeated client key of the same owner returns the first
    post's id with ``created=False``. ``author_id``: the portal account posting it."""
    digest = owner_hash(token)
    unknown = sorted(set(post) - set(POST_FIELDS))
    if unknown:
        raise InputError(f"{unknown[0]}: not a field of a post")
    key = str(post.get("client_key") or "") or uuid.uuid4().hex
    values = {**post, "client_key": key, "owner_hash": digest, "author_id": author_id}
    for attempt in range(LOCK_RETRIES):
        try:
            return _insert_post(engine, values, digest, key)
        except OperationalError as error:
            # SQLite: another writer held the lock longer than the busy timeout (a very
            # busy machine). The insert is idempotent by (owner, key): try again.
            if "database is locked" not in str(error.orig) or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(min(2.0**attempt * 0.1, 5.0))
    raise AssertionError("unreachable")


def _insert_post(
    engine: Engine, values: Mapping[str, Any], digest: str, key: str
) -> tuple[int, bool]:
    now = datetime.now(UTC)
    try:
        with session_scope(engine) as session:
            row = MarketPost(**values, status="live", created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            return int(row.id), True
    except IntegrityError:
        with session_scope(engine) as session:
            found = session.scalar(
                select(MarketPost.id).where(
                    MarketPost.owner_hash == digest, MarketPost.client_key == key
                )
            )
        if found is None:  # the violation was something else: re-raise as is
            raise
        return int(found), False


def get_post(engine: Engine, post_id: int) -> dict[str, Any]:
    """The public columns of a post (withdrawn ones too; ``status`` says which)."""
    with session_scope(engine) as session:
        row = session.get(MarketPost, post_id)
        if row is None:
            raise NotFoundError(f"post {post_id}: not found", hint="see nqpf board list")
        return {c: getattr(row, c) for c in PUBLIC_COLUMNS}


def update_post(
    engine: Engine, post_id: int, token: str | Editor, changes: Mapping[str, Any]
) -> None:
    """Change fields of a post (already validated by the caller); its owner token, its
    author or an admin (``token`` a token or an :class:`Editor`)."""
    editor = token if isinstance(token, Editor) else Editor(token=token)
    allowed = set(POST_FIELDS) - {"client_key", "kind"}
    bad = sorted(set(changes) - allowed)
    if bad:
        raise InputError(
            f"{bad[0]}: cannot be changed", hint=f"changeable: {', '.join(sorted(allowed))}"
        )
    with session_scope(engine) as session:
        _check_editor(session.get(MarketPost, post_id), post_id, editor)
        session.execute(
            update(MarketPost)
            .where(MarketPost.id == post_id)
            .values(**changes, updated_at=datetime.now(UTC))
        )


def check_editor(engine: Engine, post_id: int, editor: Editor) -> None:
    """Raise unless ``editor`` may change post ``post_id`` (:class:`NotFoundError` when it
    does not exist, :class:`NotOwnerError` when the editor may not)."""
    with session_scope(engine) as session:
        _check_editor(session.get(MarketPost, post_id), post_id, editor)


def withdraw_post(engine: Engine, post_id: int, editor: Editor) -> None:
    """Mark a post ``withdrawn`` (its owner token, its author or an admin); withdrawing a
    withdrawn post again changes nothing."""
    with session_scope(engine) as session:
        _check_editor(session.get(MarketPost, post_id), post_id, editor)
        session.execute(
            update(MarketPost)
            .where(MarketPost.id == post_id, MarketPost.status != "withdrawn")
            .values(status="withdrawn", updated_at=datetime.now(UTC))
        )


def delete_post(engine: Engine, post_id: int, token: str) -> None:
    """Remove a post's row for good (owner token only; the portal withdraws instead)."""
    with session_scope(engine) as session:
        _check_editor(session.get(MarketPost, post_id), post_id, Editor(token=token))
        session.execute(delete(MarketPost).where(MarketPost.id == post_id))


def list_posts(
    engine: Engine,
    *,
    kind: str | None = None,
    region: str | None = None,
    chain: str | None = None,
    segment: str | None = None,
    live_on: date | None = None,
    limit: int | None = 100,
    include_withdrawn: bool = False,
) -> pd.DataFrame:
    """Posts, newest first, filtered; ``live_on`` keeps those valid on that day; withdrawn
    posts only with ``include_withdrawn``."""
    query = select(*[getattr(MarketPost, c) for c in PUBLIC_COLUMNS])
    if not include_withdrawn:
        query = query.where(MarketPost.status == "live")
    if kind:
        query = query.where(MarketPost.kind == kind)
    if region:
        query = query.where(MarketPost.region == region)
    if chain:
        query = query.where(MarketPost.chain == chain)
    if segment:
        query = query.where(MarketPost.segment == segment)
    if live_on is not None:
        query = query.where(MarketPost.valid_until >= live_on)
    query = query.order_by(MarketPost.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=PUBLIC_COLUMNS)


def posts_frame(
    engine: Engine, *, live_on: date | None = None, include_withdrawn: bool = False
) -> pd.DataFrame:
    """All posts that are not withdrawn (optionally only those valid on ``live_on``), for
    matching."""
    return list_posts(engine, live_on=live_on, limit=None, include_withdrawn=include_withdrawn)


def upsert_enterprises(engine: Engine, frame: pd.DataFrame, *, source: str) -> tuple[int, int]:
    """Insert or update enterprises keyed by (name, region); returns (inserted, updated)."""
    now = datetime.now(UTC)
    inserted = updated = 0
    fields = ["city", "industry", "board", "ownership", "list_year", "code"]
    with session_scope(engine) as session:
        existing = {
            (r.name, r.region): r
            for r in session.scalars(
                select(MarketEnterprise).where(MarketEnterprise.name.in_(frame["name"].tolist()))
            )
        }
        for rec in frame.to_dict("records"):
            values = {f: _none(rec.get(f)) for f in fields}
            row = existing.get((rec["name"], rec["region"]))
            if row is None:
                session.add(
                    MarketEnterprise(
                        name=rec["name"],
                        region=rec["region"],
                        source=source,
                        imported_at=now,
                        **values,
                    )
                )
                inserted += 1
            else:
                for f, v in values.items():
                    setattr(row, f, v)
                row.source, row.imported_at = source, now
                updated += 1
    return inserted, updated


def enterprises_frame(engine: Engine) -> pd.DataFrame:
    cols = [
        "name",
        "region",
        "city",
        "industry",
        "board",
        "ownership",
        "list_year",
        "code",
        "source",
    ]
    with engine.connect() as conn:
        rows = conn.execute(select(*[getattr(MarketEnterprise, c) for c in cols])).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def _check_editor(row: MarketPost | None, post_id: int, editor: Editor) -> None:
    if row is None:
        raise NotFoundError(f"post {post_id}: not found", hint="see nqpf board list")
    if editor.admin or (editor.user_id is not None and row.author_id == editor.user_id):
        return
    token = editor.token
    if (
        token is not None
        and len(token) >= MIN_TOKEN_CHARS
        and hmac.compare_digest(row.owner_hash, owner_hash(token))
    ):
        return
    raise NotOwnerError(
        f"post {post_id}: only its author, an admin or the holder of its owner token can "
        "change it" + (" (the owner token does not match)" if editor.token is not None else "")
    )


def _none(value: object) -> Any:
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    return value
