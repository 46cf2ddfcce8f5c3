"""Board posts: a status (``live`` or ``withdrawn``) and the portal account that posted.

A withdrawn post stays in the table (its comments and history keep their target) but
leaves the board and the matches. ``author_id`` is the ``web_users.id`` of the logged-in
poster (``NULL`` for posts made with an owner token only, e.g. from the command line); it
is a plain integer, not a foreign key, so that the market branch does not depend on the
accounts branch.

Revision ID: market_0002
Revises: market_0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "market_0002"
down_revision: str | Sequence[str] | None = "market_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("market_posts") as batch:
        batch.add_column(sa.Column("status", sa.String(12), nullable=False, server_default="live"))
        batch.add_column(sa.Column("author_id", sa.Integer))
        batch.create_check_constraint("status", "status IN ('live', 'withdrawn')")
        batch.create_index("ix_market_posts_author_id", ["author_id"])


def downgrade() -> None:
    with op.batch_alter_table("market_posts") as batch:
        batch.drop_index("ix_market_posts_author_id")
        batch.drop_constraint("status", type_="check")
        batch.drop_column("author_id")
        batch.drop_column("status")
