"""The database engine: one URL, SQLite by default, PostgreSQL in production.

URL resolution (first that is set):

1. the ``url`` argument (CLI: ``--db``);
2. the environment variable ``NQPF_DB_URL``;
3. a SQLite file ``nqpf.db`` in ``$NQPF_HOME`` (default ``~/.nqpf``), the same home the
   workspace uses (:mod:`nqpf.ingest.workspace`).

PostgreSQL URLs name the psycopg 3 driver, e.g.
``postgresql+psycopg://user:password@host:5432/nqpf``; a bare ``postgresql://`` is read as
that driver too.

SQLite connections are set up so that several processes can share one file safely: WAL
journal (readers never block the writer), a 30 s busy timeout, foreign keys on, and every
transaction opened with ``BEGIN IMMEDIATE`` — the write lock is taken at the start, so two
concurrent writers wait for each other instead of one failing half-way (pysqlite's default
would not even put DDL inside the transaction). A connection created with the execution option
``READ_ONLY`` (``engine.connect().execution_options(**READ_ONLY)``) opens plain deferred
transactions instead: it reads without queueing behind writers, which is what the schema
check of every :func:`connect` does.

The first :func:`connect` to a database brings its schema up to date with the migrations
packaged in :mod:`nqpf.db.migrations` (see :func:`nqpf.db.migrate.ensure_schema`).
A database that cannot be reached raises :class:`~nqpf.db.errors.DatabaseError` with a
one-line message; the password is never shown.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from nqpf.db._options import READ_ONLY
from nqpf.db.errors import DatabaseError
from nqpf.home import nqpf_home

__all__ = [
    "READ_ONLY",
    "connect",
    "default_url",
    "dispose_all",
    "resolve_url",
    "safe_url",
    "session_scope",
]

#: Seconds a SQLite connection waits for another process's write lock before failing.
SQLITE_BUSY_TIMEOUT_S = 30
#: Seconds a PostgreSQL connection attempt may take before the server counts as unreachable.
PG_CONNECT_TIMEOUT_S = 10

_ENGINES: dict[str, Engine] = {}
_MIGRATED: set[str] = set()
_LOCK = threading.Lock()


def default_url() -> str:
    """``$NQPF_DB_URL`` or the SQLite file ``$NQPF_HOME/nqpf.db``."""
    env = os.environ.get("NQPF_DB_URL")
    if env:
        return env
    return f"sqlite:///{nqpf_home() / 'nqpf.db'}"


def resolve_url(url: str | URL | None = None) -> URL:
    """Parse a database URL (``None``: :func:`default_url`); bad URLs raise DatabaseError."""
    text = default_url() if url is None else url
    try:
        parsed = make_url(text)
    except exc.ArgumentError:
        raise DatabaseError(
            f"{text!r} is not a database URL — use e.g. sqlite:///path/nqpf.db or "
            "postgresql+psycopg://user@host/dbname"
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"database {safe_url(parsed)}: only SQLite and PostgreSQL are supported"
        )
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL with its password masked, for messages."""
    parsed = url if isinstance(url, URL) else make_url(url)
    return parsed.render_as_string(hide_password=True)


def connect(url: str | URL | None = None, *, migrate: bool = True) -> Engine:
    """An engine for ``url`` whose schema is up to date (one engine per URL per process).

    Raises :class:`DatabaseError` with one line when the database cannot be reached.
    """
    parsed = resolve_url(url)
    key = parsed.render_as_string(hide_password=False)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _create(parsed)
            check_reachable(engine)
            _ENGINES[key] = engine
        if migrate and key not in _MIGRATED:
            from nqpf.db.migrate import ensure_schema

            ensure_schema(engine)
            _MIGRATED.add(key)
    return engine


def check_reachable(engine: Engine) -> None:
    """Open one connection; a failure becomes a one-line :class:`DatabaseError`."""
    try:
        with engine.connect():
            pass
    except exc.DBAPIError as error:
        raise DatabaseError(
            f"cannot reach database {safe_url(engine.url)}: {_first_line(error.orig)} — "
            "check the URL (--db or NQPF_DB_URL), that the server runs and accepts you"
        ) from None


def dispose_all() -> None:
    """Close every cached engine (tests, or before a process forks)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
        _MIGRATED.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


def _create(url: URL) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            return _create_sqlite(url)
        return create_engine(
            url, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S}
        )
    except (exc.NoSuchModuleError, ImportError) as error:
        raise DatabaseError(
            f"database {safe_url(url)}: driver not installed ({_first_line(error)}) — "
            "pip install 'psycopg[binary]'"
        ) from None


def _create_sqlite(url: URL) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if not memory:
        assert url.database is not None
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    if memory:
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"]["check_same_thread"] = False
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite (see the module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        read_only = all(options.get(key) == value for key, value in READ_ONLY.items())
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
