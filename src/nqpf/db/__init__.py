"""The database floor: engine from a URL, shared declarative base, packaged migrations.

>>> from nqpf.db import connect
>>> engine = connect("sqlite://")          # in memory; migrated on first use
>>> sorted(engine.dialect.get_table_names(engine.connect()))[:1]
['alembic_version']

SQLite (a file under ``$NQPF_HOME``) is the default; PostgreSQL is used by URL
(``postgresql+psycopg://user@host/db``, or ``NQPF_DB_URL``). See :mod:`nqpf.db.engine`
and :mod:`nqpf.db.migrate`; ``docs/database.md`` explains how a feature adds its tables.
"""

from __future__ import annotations

from nqpf.db.base import Base
from nqpf.db.engine import connect, default_url, dispose_all, resolve_url, safe_url, session_scope
from nqpf.db.errors import DatabaseError
from nqpf.db.migrate import current_revisions, ensure_schema, head_revisions, upgrade

__all__ = [
    "Base",
    "DatabaseError",
    "connect",
    "current_revisions",
    "default_url",
    "dispose_all",
    "ensure_schema",
    "head_revisions",
    "resolve_url",
    "safe_url",
    "session_scope",
    "upgrade",
]
