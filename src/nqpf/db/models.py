"""The registry of table modules: importing them fills :data:`nqpf.db.base.Base.metadata`.

A feature that adds tables appends its module here (and adds an Alembic revision on its
own branch, see ``docs/database.md``); Alembic's ``--autogenerate`` compares the database
with this metadata.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from nqpf.db.base import Base

__all__ = ["MODEL_MODULES", "metadata"]

MODEL_MODULES: tuple[str, ...] = (
    "nqpf.db.policy",
    "nqpf.db.market",
    "nqpf.db.accounts",
    "nqpf.db.imports",
)


def metadata() -> MetaData:
    """The metadata of every registered table."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata
