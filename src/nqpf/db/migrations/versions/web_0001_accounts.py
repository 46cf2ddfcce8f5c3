"""Portal accounts, tokens and sessions, log-in failures, comments.

Revision ID: web_0001
Revises: 0000_base
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "web_0001"
down_revision: str | Sequence[str] | None = "0000_base"
branch_labels: str | Sequence[str] | None = ("web",)
depends_on: str | Sequence[str] | None = None

_ROLES = "role IN ('viewer', 'analyst', 'admin')"
_KINDS = "kind IN ('api', 'session')"
_TARGETS = "target_kind IN ('document', 'region', 'post', 'analysis')"


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_ROLES, name="role"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "web_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("web_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("csrf_sha256", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.CheckConstraint(_KINDS, name="kind"),
        sa.UniqueConstraint("secret_sha256"),
    )
    op.create_index(op.f("ix_web_tokens_user_id"), "web_tokens", ["user_id"])
    op.create_table(
        "web_login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(op.f("ix_web_login_failures_key"), "web_login_failures", ["key"])
    op.create_index(op.f("ix_web_login_failures_at"), "web_login_failures", ["at"])
    op.create_table(
        "web_comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("web_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.CheckConstraint(_TARGETS, name="target"),
    )
    op.create_index("ix_web_comments_target", "web_comments", ["target_kind", "target_id"])


def downgrade() -> None:
    op.drop_index("ix_web_comments_target", table_name="web_comments")
    op.drop_table("web_comments")
    op.drop_index(op.f("ix_web_login_failures_at"), table_name="web_login_failures")
    op.drop_index(op.f("ix_web_login_failures_key"), table_name="web_login_failures")
    op.drop_table("web_login_failures")
    op.drop_index(op.f("ix_web_tokens_user_id"), table_name="web_tokens")
    op.drop_table("web_tokens")
    op.drop_table("web_users")
