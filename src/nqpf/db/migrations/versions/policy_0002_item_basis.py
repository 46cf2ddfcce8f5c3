"""Policy items: why a target is one (``basis``: goal statement, later year, target word).

Revision ID: policy_0002
Revises: policy_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "policy_0002"
down_revision: str | Sequence[str] | None = "policy_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("policy_items") as batch:
        batch.add_column(sa.Column("basis", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("policy_items") as batch:
        batch.drop_column("basis")
