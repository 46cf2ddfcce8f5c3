"""Queries and writes of the policy library (see :mod:`nqpf.db.policy` for the tables).

The full-text index stores words, not characters: callers pass each document's words
(``index_words``, e.g. jieba's search-mode segmentation) and each query's words. SQLite
matches them with FTS5 (all words must occur; ranked by BM25), PostgreSQL with a
``tsvector`` built from the same words (``@@`` with an AND query; ranked by ``ts_rank``).
Words are lower-cased on both sides, so "5G" matches "5g".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

from nqpf.db.engine import session_scope
from nqpf.db.policy import PolicyDocument, PolicyItem

__all__ = [
    "DOCUMENT_COLUMNS",
    "ITEM_COLUMNS",
    "add_document",
    "document",
    "document_count",
    "find_by_sha256",
    "items",
    "list_documents",
    "search",
    "text_sha256",
    "texts",
]

DOCUMENT_COLUMNS = [
    "id",
    "title",
    "issuer",
    "level",
    "region",
    "issued",
    "year",
    "doc_type",
    "source_url",
    "origin",
    "chars",
]
# The item columns are the model's (one definition: the table; the extractor's
# ITEM_COLUMNS are the same minus document_id, checked by tests/test_policy_extract.py).
ITEM_COLUMNS = [c.name for c in PolicyItem.__table__.columns if c.name != "id"]


def text_sha256(body: str) -> str:
    """The key that makes a document unique in the library."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def find_by_sha256(engine: Engine, sha256: str) -> int | None:
    """The id of the document with this text, if the library has it."""
    with engine.connect() as conn:
        found = conn.execute(
            select(PolicyDocument.id).where(PolicyDocument.sha256 == sha256)
        ).scalar_one_or_none()
    return found


def add_document(
    session: Session,
    meta: Mapping[str, Any],
    body: str,
    *,
    index_words: Sequence[str],
    extracted: Iterable[Mapping[str, Any]] = (),
    origin: str = "user",
) -> int:
    """Store one document, its full-text index entry and its extracted items; returns its id.

    ``meta`` holds ``title`` (required), ``issuer``, ``level`` (default ``national``),
    ``region``, ``issued`` (a date or ISO string), ``year``, ``doc_type`` (default
    ``policy``), ``source_url``, ``source_note``. Runs in the caller's transaction.
    """
    issued = meta.get("issued")
    if isinstance(issued, str):
        issued = date.fromisoformat(issued)
    doc = PolicyDocument(
        title=str(meta["title"]),
        issuer=meta.get("issuer"),
        level=meta.get("level") or "national",
        region=meta.get("region"),
        issued=issued,
        year=int(meta["year"]) if meta.get("year") is not None else None,
        doc_type=meta.get("doc_type") or "policy",
        text=body,
        source_url=meta.get("source_url"),
        source_note=meta.get("source_note"),
        sha256=text_sha256(body),
        origin=origin,
        added_at=datetime.now(UTC),
    )
    doc.items = [PolicyItem(**{k: item.get(k) for k in ITEM_COLUMNS[1:]}) for item in extracted]
    session.add(doc)
    session.flush()
    _index(session, doc.id, str(meta["title"]), index_words)
    return doc.id


def _index(session: Session, doc_id: int, title: str, words: Sequence[str]) -> None:
    lowered = [w.lower() for w in words]
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("INSERT INTO policy_fts(rowid, title, body) VALUES (:id, :title, :body)"),
            {"id": doc_id, "title": title, "body": " ".join(lowered)},
        )
    else:
        vector = " ".join(f"{_pg_quote(w)}:{i + 1}" for i, w in enumerate(lowered[:16383]))
        session.execute(
            text("INSERT INTO policy_search(document_id, tsv) VALUES (:id, CAST(:v AS tsvector))"),
            {"id": doc_id, "v": vector},
        )


def _pg_quote(word: str) -> str:
    """A lexeme in tsvector/tsquery input syntax (quoted; quotes and backslashes escaped)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _fts5_query(words: Sequence[str]) -> str:
    """Any of the words (FTS5 OR); each word a quoted string."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


def search(engine: Engine, words: Sequence[str], *, limit: int = 20) -> pd.DataFrame:
    """Documents containing every word, best first: ``id, title, year, level, region, score``.

    A document is found when its text contains every word (exact, as substrings: jieba
    segments the same characters differently in different contexts, 碳中和 as 碳中/和 in a
    query and 碳/中/和 after 碳达峰, so the token index alone would miss it). The full-text
    index ranks: ``score`` is FTS5's BM25 over the words (sign flipped, so larger is better)
    on SQLite, ``ts_rank`` on PostgreSQL, 0 where the index has none of them; comparable
    within one back end only.
    """
    lowered = [w.lower() for w in words if w.strip()]
    columns = ["id", "title", "year", "level", "region", "score"]
    if not lowered:
        return pd.DataFrame(columns=columns)
    params: dict[str, Any] = {f"w{i}": w for i, w in enumerate(lowered)}
    params["n"] = limit
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            contains = " AND ".join(f"instr(lower(d.text), :w{i}) > 0" for i in range(len(lowered)))
            params["q"] = _fts5_query(lowered)
            rows = conn.execute(
                text(
                    "SELECT d.id, d.title, d.year, d.level, d.region, "
                    "COALESCE(f.score, 0.0) AS score FROM policy_documents d LEFT JOIN "
                    "(SELECT rowid AS rid, -bm25(policy_fts) AS score FROM policy_fts "
                    "WHERE policy_fts MATCH :q) f ON f.rid = d.id "
                    f"WHERE {contains} ORDER BY score DESC, d.id LIMIT :n"
                ),
                params,
            ).all()
        else:
            contains = " AND ".join(
                f"strpos(lower(d.text), :w{i}) > 0" for i in range(len(lowered))
            )
            params["q"] = " | ".join(_pg_quote(w) for w in lowered)
            rows = conn.execute(
                text(
                    "SELECT d.id, d.title, d.year, d.level, d.region, "
                    "COALESCE(ts_rank(s.tsv, CAST(:q AS tsquery)), 0.0) AS score "
                    "FROM policy_documents d LEFT JOIN policy_search s ON s.document_id = d.id "
                    f"WHERE {contains} ORDER BY score DESC, d.id LIMIT :n"
                ),
                params,
            ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def texts(engine: Engine, doc_ids: Sequence[int]) -> dict[int, str]:
    """The texts of several documents in one query."""
    if not doc_ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(PolicyDocument.id, PolicyDocument.text).where(
                PolicyDocument.id.in_(list(doc_ids))
            )
        ).all()
    return {int(i): str(t) for i, t in rows}


def document_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count(PolicyDocument.id))).scalar_one())


def list_documents(
    engine: Engine,
    *,
    level: str | None = None,
    region: str | None = None,
    year: int | None = None,
    doc_type: str | None = None,
) -> pd.DataFrame:
    """Documents (without their text), newest first, filtered by the given fields."""
    query = select(
        PolicyDocument.id,
        PolicyDocument.title,
        PolicyDocument.issuer,
        PolicyDocument.level,
        PolicyDocument.region,
        PolicyDocument.issued,
        PolicyDocument.year,
        PolicyDocument.doc_type,
        PolicyDocument.source_url,
        PolicyDocument.origin,
        func.length(PolicyDocument.text),
    )
    for column, value in (
        (PolicyDocument.level, level),
        (PolicyDocument.region, region),
        (PolicyDocument.year, year),
        (PolicyDocument.doc_type, doc_type),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(PolicyDocument.year.desc(), PolicyDocument.id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=DOCUMENT_COLUMNS)


def document(engine: Engine, doc_id: int) -> dict[str, Any] | None:
    """One document with its text, or None."""
    with session_scope(engine) as session:
        doc = session.get(PolicyDocument, doc_id)
        if doc is None:
            return None
        return {
            c: getattr(doc, c)
            for c in (
                "id",
                "title",
                "issuer",
                "level",
                "region",
                "issued",
                "year",
                "doc_type",
                "text",
                "source_url",
                "source_note",
                "origin",
            )
        }


def items(
    engine: Engine,
    *,
    kind: str | None = None,
    indicator: str | None = None,
    document_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Extracted items with their document's title, year and level."""
    query = select(
        *(getattr(PolicyItem, c) for c in ITEM_COLUMNS),
        PolicyDocument.title.label("document_title"),
        PolicyDocument.year.label("document_year"),
        PolicyDocument.level.label("document_level"),
    ).join(PolicyDocument, PolicyDocument.id == PolicyItem.document_id)
    if kind is not None:
        query = query.where(PolicyItem.kind == kind)
    if indicator is not None:
        query = query.where(PolicyItem.indicator == indicator)
    if document_ids is not None:
        query = query.where(PolicyItem.document_id.in_(list(document_ids)))
    query = query.order_by(PolicyItem.document_id, PolicyItem.start, PolicyItem.id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    columns = [*ITEM_COLUMNS, "document_title", "document_year", "document_level"]
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def replace_items(session: Session, doc_id: int, extracted: Iterable[Mapping[str, Any]]) -> None:
    """Replace a document's extracted items (after the extractor improved)."""
    session.execute(delete(PolicyItem).where(PolicyItem.document_id == doc_id))
    session.add_all(
        PolicyItem(document_id=doc_id, **{k: item.get(k) for k in ITEM_COLUMNS[1:]})
        for item in extracted
    )
