"""``nqpf serve`` (the REST API and web portal) and ``nqpf user …`` (portal accounts)."""

from __future__ import annotations

from typing import Annotated

import typer

from nqpf.cli._console import stdout
from nqpf.cli.db import DbOption

users = typer.Typer(help="账户 Portal accounts: add and list users.", no_args_is_help=True)


def serve(
    host: Annotated[
        str, typer.Option(help="address to listen on (127.0.0.1: this machine only)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
    db: DbOption = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="server processes")] = 1,
    max_upload_mb: Annotated[
        float | None,
        typer.Option(
            min=0.001, max=10_000, help="largest data upload accepted, MB (default 20; larger: 413)"
        ),
    ] = None,
) -> None:
    """服务 Serve the REST API (/api/docs) and the dashboard (/) over the packaged data."""
    import os

    import uvicorn

    from nqpf.db import connect, safe_url

    engine = connect(db)  # reachable and migrated before the first request
    if db:
        os.environ["NQPF_DB_URL"] = db
    if max_upload_mb is not None:
        os.environ["NQPF_MAX_UPLOAD_MB"] = repr(max_upload_mb)  # read by each server process
    stdout().print(
        f"NQPF serving http://{host}:{port}/ (API docs /api/docs; database {safe_url(engine.url)})",
        highlight=False,
        markup=False,
    )
    uvicorn.run(
        "nqpf.api.app:default_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@users.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="user name (3–64 letters, digits, _ . -)")],
    role: Annotated[str, typer.Option(help="viewer | analyst | admin")] = "viewer",
    display_name: Annotated[str | None, typer.Option(help="name shown beside comments")] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="password (asked)"
        ),
    ] = "",
    db: DbOption = None,
) -> None:
    """新增 Add a portal account (the password is stored as an Argon2id hash)."""
    from nqpf.db import connect
    from nqpf.db.accounts import ROLES
    from nqpf.db.accounts_repo import create_user
    from nqpf.errors import InputError

    if role not in ROLES:
        raise InputError(
            f"role {role!r} is unknown — use one of {', '.join(ROLES)}", column="--role"
        )
    user = create_user(connect(db), username, password, role=role, display_name=display_name)  # type: ignore[arg-type]
    stdout().print(f"added {user.username} ({user.role})", highlight=False, markup=False)


@users.command("list")
def list_users(db: DbOption = None) -> None:
    """列表 List the portal's accounts and roles."""
    from nqpf.db import connect
    from nqpf.db.accounts_repo import list_users as load_users

    for user in load_users(connect(db)):
        stdout().print(
            f"{user.username}\t{user.role}\t{user.display_name}", highlight=False, markup=False
        )
