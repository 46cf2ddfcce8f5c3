"""Policy library: documents, extracted items, full-text index.

Revision ID: policy_0001
Revises: 0000_base
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "policy_0001"
down_revision: str | Sequence[str] | None = "0000_base"
branch_labels: str | Sequence[str] | None = ("policy",)
depends_on: str | Sequence[str] | None = None

_LEVELS = "level IN ('national', 'province', 'prefecture', 'county')"
_DOC_TYPES = "doc_type IN ('work_report', 'plan', 'policy', 'article', 'other')"
_KINDS = "kind IN ('quantity', 'target', 'industry', 'measure')"


def upgrade() -> None:
    op.create_table(
        "policy_documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("issuer", sa.String(200)),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("region", sa.String(12)),
        sa.Column("issued", sa.Date),
        sa.Column("year", sa.Integer),
        sa.Column("doc_type", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source_url", sa.String(1000)),
        sa.Column("source_note", sa.Text),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_LEVELS, name="level"),
        sa.CheckConstraint(_DOC_TYPES, name="doc_type"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_index(op.f("ix_policy_documents_region"), "policy_documents", ["region"])
    op.create_index(op.f("ix_policy_documents_year"), "policy_documents", ["year"])
    op.create_table(
        "policy_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("policy_documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sentence_no", sa.Integer, nullable=False),
        sa.Column("sentence_start", sa.Integer, nullable=False),
        sa.Column("sentence_end", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("phrase", sa.Text, nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("indicator", sa.String(64)),
        sa.Column("value", sa.Float),
        sa.Column("unit", sa.String(32)),
        sa.Column("year", sa.Integer),
        sa.Column("base_value", sa.Float),
        sa.Column("base_year", sa.Integer),
        sa.Column("comparison", sa.String(32)),
        sa.Column("industry", sa.String(64)),
        sa.Column("pillar", sa.String(64)),
        sa.CheckConstraint(_KINDS, name="kind"),
    )
    op.create_index(op.f("ix_policy_items_document_id"), "policy_items", ["document_id"])
    op.create_index(op.f("ix_policy_items_kind"), "policy_items", ["kind"])
    op.create_index(op.f("ix_policy_items_indicator"), "policy_items", ["indicator"])
    if op.get_bind().dialect.name == "sqlite":
        # rowid = policy_documents.id; columns hold jieba-segmented words separated by spaces.
        op.execute("CREATE VIRTUAL TABLE policy_fts USING fts5(title, body, tokenize='unicode61')")
    else:
        op.execute(
            "CREATE TABLE policy_search ("
            " document_id integer PRIMARY KEY REFERENCES policy_documents(id) ON DELETE CASCADE,"
            " tsv tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_policy_search_tsv ON policy_search USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE policy_fts")
    else:
        op.execute("DROP TABLE policy_search")
    op.drop_table("policy_items")
    op.drop_table("policy_documents")
