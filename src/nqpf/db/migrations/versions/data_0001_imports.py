"""Data sets imported through the portal: ``data_imports`` and their values.

Revision ID: data_0001
Revises: 0000_base
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "data_0001"
down_revision: str | Sequence[str] | None = "0000_base"
branch_labels: str | Sequence[str] | None = ("data",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("file_type", sa.String(8), nullable=False),
        sa.Column("header_json", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("warnings_json", sa.Text, nullable=False),
        sa.Column("author_id", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "data_import_values",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "import_id",
            sa.Integer,
            sa.ForeignKey(
                "data_imports.id",
                ondelete="CASCADE",
                name="fk_data_import_values_import_id_data_imports",
            ),
            nullable=False,
        ),
        sa.Column("region", sa.String(12), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("indicator", sa.String(200), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("unit", sa.String(50)),
        sa.Column("source_row", sa.Integer, nullable=False),
    )
    op.create_index("ix_data_import_values_import_id", "data_import_values", ["import_id"])


def downgrade() -> None:
    op.drop_table("data_import_values")
    op.drop_table("data_imports")
