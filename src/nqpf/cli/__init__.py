"""The ``nqpf`` command line.

A thin shell: it parses options, calls the services and renders their results. Heavy
modules (pandas, SciPy, the analysis code) are imported inside the commands, so
``nqpf --help`` starts fast.

Errors that NQPF raises on bad input (:class:`nqpf.errors.NQPFError`) are printed without
a traceback and the command exits with status 2; NQPF's warnings are printed in yellow.
"""

from __future__ import annotations

import sys
import warnings
from typing import TextIO

import typer

from nqpf.cli import assess as assess_commands
from nqpf.cli import audit as audit_commands
from nqpf.cli import backtest as backtest_commands
from nqpf.cli import chain as chain_commands
from nqpf.cli import data as data_commands
from nqpf.cli import db as db_commands
from nqpf.cli import disparity as disparity_commands
from nqpf.cli import industry as industry_commands
from nqpf.cli import io as io_commands
from nqpf.cli import market as market_commands
from nqpf.cli import plan as plan_commands
from nqpf.cli import policy as policy_commands
from nqpf.cli import serve as serve_commands
from nqpf.cli._console import stderr
from nqpf.errors import NQPFError, NQPFWarning

app = typer.Typer(
    name="nqpf",
    help="NQPF — 因地制宜发展新质生产力 decision support: data, assessment, disparities, "
    "industry opportunities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data_commands.app, name="data")
app.add_typer(backtest_commands.app, name="backtest")
app.add_typer(io_commands.app, name="io")
app.add_typer(chain_commands.app, name="chain")
app.add_typer(db_commands.app, name="db")
app.add_typer(policy_commands.app, name="policy")
app.add_typer(market_commands.firms_app, name="firms")
app.add_typer(market_commands.board_app, name="board")
app.add_typer(serve_commands.users, name="user")
app.command("serve")(serve_commands.serve)
app.command("assess")(assess_commands.assess)
app.command("audit")(audit_commands.audit)
app.command("opportunities")(industry_commands.opportunities)
app.command("similar")(industry_commands.similar)
app.command("disparity")(disparity_commands.disparity)
app.command("herding")(plan_commands.herding)
app.command("plan")(plan_commands.plan)
app.command("targets")(plan_commands.targets)
app.command("diagnose")(disparity_commands.diagnose)


def main() -> None:
    """Entry point of the ``nqpf`` script."""
    original = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, NQPFWarning):
            stderr().print(f"[yellow]注意 Warning:[/] {message}", highlight=False)
        else:
            original(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        app()
    except NQPFError as exc:
        stderr().print(f"[bold red]错误 Error:[/] {exc}", highlight=False)
        sys.exit(2)
    finally:
        warnings.showwarning = original
