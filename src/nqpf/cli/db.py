"""``nqpf db …``: the database's location and schema version (migrations run by themselves
on first use; ``nqpf db upgrade`` runs them explicitly, e.g. before starting servers)."""

from __future__ import annotations

from typing import Annotated

import typer

from nqpf.cli._console import stdout

app = typer.Typer(help="数据库 Database: status and migrations.", no_args_is_help=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="database URL (default $NQPF_DB_URL or $NQPF_HOME/nqpf.db)"),
]


@app.command("upgrade")
def upgrade(db: DbOption = None) -> None:
    """迁移 Bring the database schema to the newest version."""
    from nqpf.db import connect, safe_url

    engine = connect(db)
    stdout().print(f"database {safe_url(engine.url)} is at the newest schema", highlight=False)


@app.command("status")
def status(db: DbOption = None) -> None:
    """状态 The database URL (password hidden), its schema revisions and the newest ones."""
    from nqpf.db import connect, current_revisions, head_revisions, safe_url

    engine = connect(db, migrate=False)
    with engine.connect() as connection:
        current = current_revisions(connection)
    heads = head_revisions()
    state = "up to date" if current == heads else "needs `nqpf db upgrade`"
    stdout().print(
        f"database: {safe_url(engine.url)}\n"
        f"revisions: {', '.join(sorted(current)) or '(empty)'}\n"
        f"newest:    {', '.join(sorted(heads))}\n"
        f"state:     {state}",
        highlight=False,
    )
