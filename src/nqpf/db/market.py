"""Tables of the enterprise directory (企业) and the supply/demand board (供应/求购).

``market_enterprises`` holds the enterprises users import (the packaged listed companies
stay in the Parquet dataset; the directory searches both). One row per (name, region): a
re-import of the same enterprise updates it.

``market_posts`` holds supply offers and purchase requests. A post's owner is identified by
the SHA-256 of a secret owner token (the token itself is never stored); editing and
deleting need the token. ``client_key`` makes submissions idempotent: the same owner
submitting the same key twice gets the first post back, enforced by a unique constraint so
that concurrent duplicates cannot both be stored. ``status`` is ``live`` or ``withdrawn`` (a
withdrawn post leaves the board and the matches but keeps its row); ``author_id`` is the
portal account (``web_users.id``) that posted it, when one did.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from nqpf.db.base import Base

__all__ = ["MarketEnterprise", "MarketPost"]


class MarketEnterprise(Base):
    """An enterprise imported by a user (name, region, industry, board, ownership, …)."""

    __tablename__ = "market_enterprises"
    __table_args__ = (UniqueConstraint("name", "region"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(12), index=True)
    city: Mapped[str | None] = mapped_column(String(12))
    industry: Mapped[str | None] = mapped_column(String(50), index=True)
    board: Mapped[str | None] = mapped_column(String(16))
    ownership: Mapped[str | None] = mapped_column(String(32))
    list_year: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MarketPost(Base):
    """A supply offer (``supply``) or purchase request (``demand``)."""

    __tablename__ = "market_posts"
    __table_args__ = (
        CheckConstraint("kind IN ('supply', 'demand')", name="kind"),
        CheckConstraint("status IN ('live', 'withdrawn')", name="status"),
        UniqueConstraint("owner_hash", "client_key"),
        Index("ix_market_posts_kind_valid", "kind", "valid_until"),
        Index("ix_market_posts_chain_segment", "chain", "segment"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    enterprise: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(50), default="")
    chain: Mapped[str] = mapped_column(String(40), default="")
    segment: Mapped[str] = mapped_column(String(40), default="")
    region: Mapped[str] = mapped_column(String(12), index=True)
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20), default="")
    valid_until: Mapped[date] = mapped_column(Date)
    contact: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_hash: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), default="live", server_default="live")
    author_id: Mapped[int | None] = mapped_column(Integer, index=True)
