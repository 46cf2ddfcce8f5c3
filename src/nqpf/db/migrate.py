"""Schema migrations (Alembic), packaged in :mod:`nqpf.db.migrations` and run from Python.

Every feature that stores tables owns an Alembic *branch*: its first revision sits on the
shared root revision ``0000_base`` with ``branch_labels = ("<feature>",)``; later revisions of
that feature follow its own head. Features therefore land independently, the database has
one head per feature, and :func:`upgrade` goes to ``"heads"`` (all of them). A revision that
needs another feature's table says so with ``depends_on``. See ``docs/database.md``.

:func:`ensure_schema` runs on the first :func:`nqpf.db.connect` of a process. It migrates
after a read-only check (no lock: a database already at the packaged heads is not
written), and otherwise inside one transaction holding a lock — SQLite's write lock (``BEGIN IMMEDIATE``) or a
PostgreSQL advisory lock — so processes that start together migrate once, one after the
other, and a failed migration leaves the schema as it was (both back ends have
transactional DDL).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from nqpf.db._options import READ_ONLY
from nqpf.db.errors import DatabaseError

__all__ = ["current_revisions", "ensure_schema", "head_revisions", "upgrade"]

_SCRIPTS = Path(__file__).with_name("migrations")
#: Key of the PostgreSQL advisory lock held while migrating (any constant bigint; "NQPF").
_PG_LOCK_KEY = 0x4E515046


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at the packaged scripts (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revisions() -> frozenset[str]:
    """The newest revision of every branch the installed NQPF knows."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revisions the database is at (empty for a new database)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def ensure_schema(engine: Engine) -> None:
    """Bring the database to :func:`head_revisions` unless it is there already."""
    with engine.connect().execution_options(**READ_ONLY) as connection:
        if current_revisions(connection) == head_revisions():
            return
    upgrade(engine)


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Run the migrations up to ``revision`` (default: every branch's head), under a lock."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        current = current_revisions(connection)
        unknown = current - _known_revisions()
        if unknown:
            raise DatabaseError(
                f"database {engine.url.render_as_string(hide_password=True)} was migrated by a "
                f"newer NQPF (revision {', '.join(sorted(unknown))}) — upgrade nqpf"
            )
        if revision == "heads" and current == head_revisions():
            return  # another process migrated while this one waited for the lock
        command.upgrade(alembic_config(connection), revision)


@cache
def _known_revisions() -> frozenset[str]:
    scripts = ScriptDirectory.from_config(alembic_config())
    return frozenset(script.revision for script in scripts.walk_revisions())
