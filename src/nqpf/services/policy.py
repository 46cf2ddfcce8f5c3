"""The policy library service (资讯): documents in the database, full-text search, extraction.

:class:`PolicyLibrary` opens the database (:func:`nqpf.db.connect`), loads the packaged
corpus on first use — the State Council's government work reports 2006–2025 and the seed
article, built by ``scripts/build_dataset.py`` into ``policy_corpus.parquet`` — and keeps,
for every document, its jieba words in the full-text index and its extracted items
(:func:`nqpf.policy.extract.extract`) in ``policy_items``.

>>> lib = PolicyLibrary("sqlite://")
>>> lib.search("新质生产力").iloc[0]["title"]
'因地制宜发展新质生产力'
>>> targets = lib.targets()
>>> float(targets.loc[2025, "gdp_growth"])
5.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, text

from nqpf.db import connect, session_scope
from nqpf.db import policy_repo as repo
from nqpf.db.policy import DOC_TYPES, LEVELS
from nqpf.errors import InputError
from nqpf.policy.extract import HEADLINE_RULES, extract
from nqpf.policy.segment import index_words, query_words

__all__ = ["PolicyLibrary", "decode_document", "headline_labels"]

#: Characters of context shown on each side of the first hit in a search result.
SNIPPET_CONTEXT = 40
#: Share of control characters above which a file counts as binary, not text.
_BINARY_SHARE = 0.01
_PG_CORPUS_LOCK = 0x4E515047

Progress = Callable[[int, int], None]


def decode_document(data: bytes, *, file: str) -> str:
    """Text of a document file: UTF-8 (with or without BOM) or GB18030; empty, binary or
    undecodable files raise :class:`InputError` (nothing is stored)."""
    if not data.strip():
        raise InputError("the document is empty", file=file, hint="give a text file with content")
    if b"\x00" in data[:8192]:
        raise InputError(
            "this is a binary file, not text", file=file, hint="convert it to UTF-8 text (.txt)"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            body = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(
            "unknown text encoding (neither UTF-8 nor GB18030)",
            file=file,
            hint="save the document as UTF-8 text",
        )
    controls = sum(1 for ch in body if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > _BINARY_SHARE * len(body):
        raise InputError(
            "this looks like a binary file, not text",
            file=file,
            hint="convert it to UTF-8 text (.txt)",
        )
    return "\n".join(line.strip() for line in body.splitlines() if line.strip())


def headline_labels() -> pd.DataFrame:
    """``indicator, zh, en`` of the headline targets read from work reports."""
    return pd.DataFrame(
        [(r.id, r.zh, r.en) for r in HEADLINE_RULES], columns=["indicator", "zh", "en"]
    )


class PolicyLibrary:
    """Documents, search and extracted items in one database (``url``: see
    :func:`nqpf.db.connect`; default SQLite under ``$NQPF_HOME``)."""

    def __init__(
        self, url: str | None = None, *, load_corpus: bool = True, progress: Progress | None = None
    ) -> None:
        self.engine: Engine = connect(url)
        if load_corpus:
            self.load_packaged(progress=progress)

    # -- loading -------------------------------------------------------------------------
    def load_packaged(self, *, progress: Progress | None = None) -> int:
        """Store the packaged documents the library does not have yet; returns how many."""
        corpus = packaged_corpus()
        with self.engine.connect() as conn:
            have = {
                r[0]
                for r in conn.execute(
                    text("SELECT sha256 FROM policy_documents WHERE origin = 'packaged'")
                )
            }
        if set(corpus["sha256"]) <= have:
            return 0
        added = 0
        with session_scope(self.engine) as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CORPUS_LOCK})
            have = {r[0] for r in session.execute(text("SELECT sha256 FROM policy_documents"))}
            todo = corpus[~corpus["sha256"].isin(have)]
            records: list[dict[str, Any]] = todo.to_dict("records")  # type: ignore[assignment]
            for number, row in enumerate(records, start=1):
                self._store(session, row, row["text"], origin="packaged")
                added += 1
                if progress is not None:
                    progress(number, len(todo))
        return added

    def _store(self, session: Any, meta: Mapping[str, Any], body: str, *, origin: str) -> int:
        items = extract(body, year=meta.get("year"), doc_type=meta.get("doc_type") or "policy")
        records = [
            {str(k): (None if pd.isna(v) else v) for k, v in rec.items()}
            for rec in items.to_dict("records")
        ]
        clean = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in meta.items()}
        return repo.add_document(
            session,
            clean,
            body,
            index_words=index_words(f"{meta['title']}\n{body}"),
            extracted=records,
            origin=origin,
        )

    def add(
        self,
        path: str | Path,
        *,
        title: str | None = None,
        issuer: str | None = None,
        level: str = "province",
        region: str | None = None,
        issued: str | None = None,
        doc_type: str = "policy",
        source_url: str | None = None,
    ) -> int:
        """Add a text file (UTF-8 or GB18030) with its metadata; returns the document id.

        ``region`` is a province name or code (normalised to its GB/T 2260 code). A file
        whose text the library already holds is an error naming that document.
        """
        file = Path(path)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the document: {exc.strerror}", file=file.name) from None
        body = decode_document(data, file=file.name)
        meta = self._meta(
            title=title or file.stem,
            issuer=issuer,
            level=level,
            region=region,
            issued=issued,
            doc_type=doc_type,
            source_url=source_url,
            file=file.name,
        )
        existing = repo.find_by_sha256(self.engine, repo.text_sha256(body))
        if existing is not None:
            raise InputError(
                f"the library already holds this text as document {existing}",
                file=file.name,
                hint=f"see it with `nqpf policy extract {existing}`",
            )
        with session_scope(self.engine) as session:
            return self._store(session, meta, body, origin="user")

    @staticmethod
    def _meta(
        *,
        title: str,
        issuer: str | None,
        level: str,
        region: str | None,
        issued: str | None,
        doc_type: str,
        source_url: str | None,
        file: str,
    ) -> dict[str, Any]:
        if level not in LEVELS:
            raise InputError(f"level {level!r} is not one of {', '.join(LEVELS)}", file=file)
        if doc_type not in DOC_TYPES:
            raise InputError(f"type {doc_type!r} is not one of {', '.join(DOC_TYPES)}", file=file)
        day = None
        if issued is not None:
            try:
                day = date.fromisoformat(issued)
            except ValueError:
                raise InputError(f"date {issued!r} is not YYYY-MM-DD", file=file) from None
        code = None
        if region is not None:
            from nqpf.regions import normalize_region

            code = normalize_region(region)
        return {
            "title": title,
            "issuer": issuer,
            "level": level,
            "region": code,
            "issued": day,
            "year": day.year if day else None,
            "doc_type": doc_type,
            "source_url": source_url,
            "source_note": f"added by the user from {file}",
        }

    # -- reading -------------------------------------------------------------------------
    def documents(self, **filters: Any) -> pd.DataFrame:
        """Documents without their text (filters: level, region, year, doc_type)."""
        return repo.list_documents(self.engine, **filters)

    def document(self, doc_id: int) -> dict[str, Any]:
        found = repo.document(self.engine, doc_id)
        if found is None:
            raise InputError(
                f"no document {doc_id} in the library", hint="list them with `nqpf policy list`"
            )
        return found

    def search(self, query: str, *, limit: int = 20) -> pd.DataFrame:
        """Documents containing every word of ``query``, best first, with a snippet."""
        words = query_words(query)
        if not words:
            raise InputError(f"the query {query!r} has no words to search for")
        hits = repo.search(self.engine, words, limit=limit)
        bodies = repo.texts(self.engine, [int(i) for i in hits["id"]])
        hits["snippet"] = [_snippet(bodies[int(i)], words) for i in hits["id"]]
        return hits

    def items(self, doc_id: int | None = None, *, kind: str | None = None) -> pd.DataFrame:
        """Extracted items (of one document, or all), with their document's title and year."""
        ids = None if doc_id is None else [self.document(doc_id)["id"]]
        return repo.items(self.engine, kind=kind, document_ids=ids)

    def targets(self, *, level: str = "national", doc_type: str = "work_report") -> pd.DataFrame:
        """Every year's headline targets: year × indicator, e.g. ``gdp_growth`` 5.0 for 2025
        (国内生产总值增长5%左右). Per report and indicator: the first statement in the goal
        statement that carries a qualifier (左右/以上/以内), else the first there, else the
        first qualified one elsewhere. A range (6.5%－7%) gives its lower bound (the phrase has
        both)."""
        long = self.target_statements(level=level, doc_type=doc_type)
        # A statement of this year's goals, or a qualified one (5%左右, 900万人以上), is
        # the target; an unqualified one elsewhere in the report may restate a result.
        qualified = long["comparison"].str.contains(":", regex=False).fillna(False)
        goal = long["basis"] == "goal"
        keep = long.assign(_rank=(~goal).astype(int) + (~qualified).astype(int))[goal | qualified]
        first = keep.sort_values(
            ["year", "indicator", "_rank", "start"], kind="stable"
        ).drop_duplicates(["year", "indicator"])
        wide = first.pivot(index="year", columns="indicator", values="value")
        order = [r.id for r in HEADLINE_RULES if r.id in wide.columns]
        wide.columns.name = "indicator"
        return wide[order]

    def target_statements(
        self, *, level: str = "national", doc_type: str = "work_report"
    ) -> pd.DataFrame:
        """Headline target statements with their phrase, unit, comparison and document."""
        items = repo.items(self.engine, kind="target")
        docs = repo.list_documents(self.engine, level=level, doc_type=doc_type)
        items = items[items["document_id"].isin(docs["id"])]
        headline = {r.id for r in HEADLINE_RULES if r.annual}
        items = items[items["indicator"].isin(headline) & items["year"].notna()]
        items = items[items["year"] == items["document_year"]]
        items = items.assign(year=items["year"].astype(int))
        return items[
            [
                "year",
                "indicator",
                "value",
                "unit",
                "comparison",
                "basis",
                "phrase",
                "document_id",
                "document_title",
                "start",
                "end",
            ]
        ].reset_index(drop=True)


def _snippet(body: str, words: list[str]) -> str:
    """Text around the first occurrence of any query word."""
    lowered = body.lower()
    at = min((p for p in (lowered.find(w.lower()) for w in words) if p >= 0), default=0)
    lo, hi = max(0, at - SNIPPET_CONTEXT), at + SNIPPET_CONTEXT
    return ("…" if lo else "") + body[lo:hi].replace("\n", " ") + ("…" if hi < len(body) else "")


def packaged_corpus() -> pd.DataFrame:
    """The packaged documents (``policy_corpus.parquet``): metadata, text and SHA-256."""
    path = Path(str(resources.files("nqpf.data").joinpath("policy_corpus.parquet")))
    return pd.read_parquet(path)


def extract_text(body: str, *, year: int | None = None, doc_type: str = "policy") -> pd.DataFrame:
    """Items of a text that is not stored (``nqpf policy extract FILE``)."""
    return extract(body, year=year, doc_type=doc_type)
