"""Enterprise directory (imported enterprises) and supply/demand board (posts).

Revision ID: market_0001
Revises: 0000_base
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "market_0001"
down_revision: str | Sequence[str] | None = "0000_base"
branch_labels: str | Sequence[str] | None = ("market",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "market_enterprises",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(12), nullable=False),
        sa.Column("city", sa.String(12)),
        sa.Column("industry", sa.String(50)),
        sa.Column("board", sa.String(16)),
        sa.Column("ownership", sa.String(32)),
        sa.Column("list_year", sa.Integer),
        sa.Column("code", sa.String(20)),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name", "region", name="uq_market_enterprises_name"),
    )
    op.create_index(op.f("ix_market_enterprises_region"), "market_enterprises", ["region"])
    op.create_index(op.f("ix_market_enterprises_industry"), "market_enterprises", ["industry"])
    op.create_table(
        "market_posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("enterprise", sa.String(200), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("industry", sa.String(50), nullable=False),
        sa.Column("chain", sa.String(40), nullable=False),
        sa.Column("segment", sa.String(40), nullable=False),
        sa.Column("region", sa.String(12), nullable=False),
        sa.Column("quantity", sa.Float),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("owner_hash", sa.String(64), nullable=False),
        sa.Column("client_key", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('supply', 'demand')", name="kind"),
        sa.UniqueConstraint("owner_hash", "client_key", name="uq_market_posts_owner_hash"),
    )
    op.create_index(op.f("ix_market_posts_region"), "market_posts", ["region"])
    op.create_index("ix_market_posts_kind_valid", "market_posts", ["kind", "valid_until"])
    op.create_index("ix_market_posts_chain_segment", "market_posts", ["chain", "segment"])


def downgrade() -> None:
    op.drop_table("market_posts")
    op.drop_table("market_enterprises")
