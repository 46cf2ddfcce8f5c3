"""Alembic environment: runs on the connection handed over by :mod:`nqpf.db.migrate`, or on
``sqlalchemy.url`` when the ``alembic`` command line is used by a developer."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from nqpf.db.models import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if _connection is not None:
    _run(_connection)
else:
    _url = context.config.get_main_option("sqlalchemy.url")
    if not _url:
        raise SystemExit("set sqlalchemy.url (alembic -x is not used): alembic -c … upgrade heads")
    with create_engine(_url).begin() as _conn:
        _run(_conn)
