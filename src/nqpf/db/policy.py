"""Tables of the policy library (资讯): documents, their full-text index, extracted items.

``policy_documents`` holds each document once (keyed by the SHA-256 of its text) with its
metadata; ``policy_items`` the statements extracted from it (quantities, targets, industries
named, measures), each with its sentence and character offsets into ``text``.

The full-text index is not an ORM table because it is back-end specific (created by the
migration ``policy_0001``): SQLite keeps an FTS5 table ``policy_fts`` (rowid = document
id) and PostgreSQL a table ``policy_search`` with a ``tsvector`` column and a GIN index.
Both index the document's words as segmented by jieba (Chinese has no spaces), see
:mod:`nqpf.db.policy_repo`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nqpf.db.base import Base

__all__ = ["DOC_TYPES", "ITEM_KINDS", "LEVELS", "PolicyDocument", "PolicyItem"]

LEVELS = ("national", "province", "prefecture", "county")
DOC_TYPES = ("work_report", "plan", "policy", "article", "other")
ITEM_KINDS = ("quantity", "target", "industry", "measure")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PolicyDocument(Base):
    """One policy document (government work report, plan, policy, article)."""

    __tablename__ = "policy_documents"
    __table_args__ = (
        CheckConstraint(_one_of("level", LEVELS), name="level"),
        CheckConstraint(_one_of("doc_type", DOC_TYPES), name="doc_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    issuer: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(12), index=True)
    issued: Mapped[date | None] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    doc_type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(1000))
    source_note: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    origin: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[PolicyItem]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )


class PolicyItem(Base):
    """A statement extracted from a document, located by sentence and character offsets."""

    __tablename__ = "policy_items"
    __table_args__ = (CheckConstraint(_one_of("kind", ITEM_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("policy_documents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), index=True)
    sentence_no: Mapped[int] = mapped_column(Integer)
    sentence_start: Mapped[int] = mapped_column(Integer)
    sentence_end: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    phrase: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(200))
    indicator: Mapped[str | None] = mapped_column(String(64), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    year: Mapped[int | None] = mapped_column(Integer)
    base_value: Mapped[float | None] = mapped_column(Float)
    base_year: Mapped[int | None] = mapped_column(Integer)
    comparison: Mapped[str | None] = mapped_column(String(32))
    basis: Mapped[str | None] = mapped_column(String(16))
    industry: Mapped[str | None] = mapped_column(String(64))
    pillar: Mapped[str | None] = mapped_column(String(64))

    document: Mapped[PolicyDocument] = relationship(back_populates="items")
