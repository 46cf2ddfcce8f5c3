"""The declarative base shared by every table NQPF stores.

All models (the policy library, enterprise directory, supply/demand board, …) derive from
:class:`Base`, so one :class:`~sqlalchemy.MetaData` holds the whole schema. Its naming
convention gives every index and constraint a deterministic name, which Alembic needs to
alter or drop them later (SQLite's batch mode recreates tables by those names).
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

__all__ = ["NAMING_CONVENTION", "Base"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every NQPF table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
