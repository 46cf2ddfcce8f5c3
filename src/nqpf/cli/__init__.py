"""The ``nqpf`` command line.

A thin shell: it parses options, calls the services and renders their results. Heavy
modules (pandas, SciPy, the analysis code) are imported inside the commands, so
``nqpf --help`` starts fast.

Errors that NQPF raises on bad input (:class:`nqpf.errors.NQPFError`) and usage errors
(unknown option, value of the wrong type) are printed on one line without a traceback and
the command exits with status 2; NQPF's warnings are printed in yellow. Nothing the user
typed or imported is read as rich markup or reaches the terminal as a control sequence.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import warnings
from typing import Any, TextIO

import click
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
from nqpf.cli import micro as micro_commands
from nqpf.cli import plan as plan_commands
from nqpf.cli import policy as policy_commands
from nqpf.cli import report as report_commands
from nqpf.cli import serve as serve_commands
from nqpf.cli._console import stderr, stdout, styled
from nqpf.errors import NQPFError, NQPFWarning

app = typer.Typer(
    name="nqpf",
    help="NQPF — 因地制宜发展新质生产力 decision support: data, assessment, disparities, "
    "industry opportunities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        stdout().print(f"nqpf {version('nqpf')}", soft_wrap=True)
        raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="显示版本并退出 Show the version and exit.",
    ),
) -> None:
    """NQPF — 因地制宜发展新质生产力 decision support."""


app.add_typer(data_commands.app, name="data")
app.add_typer(backtest_commands.app, name="backtest")
app.add_typer(io_commands.app, name="io")
app.add_typer(chain_commands.app, name="chain")
app.add_typer(db_commands.app, name="db")
app.add_typer(policy_commands.app, name="policy")
app.add_typer(micro_commands.app, name="micro")
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
app.command("report")(report_commands.report)


def _click_exceptions() -> tuple[tuple[type[Any], ...], ...]:
    """Typer's usage-error classes: click's, and those of the click that newer typers
    vendor (``typer._click``)."""
    modules: list[Any] = [click.exceptions]
    with contextlib.suppress(ImportError):
        modules.append(importlib.import_module("typer._click.exceptions"))

    def pick(name: str) -> tuple[type[Any], ...]:
        return tuple(getattr(m, name) for m in modules if hasattr(m, name))

    return pick("NoArgsIsHelpError"), pick("UsageError"), (KeyboardInterrupt, *pick("Abort"))


def _one_line(text: str) -> str:
    """An error message on one line (YAML and OS messages span several)."""
    return " ".join(text.split())


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
            stderr().print(styled(("注意 Warning: ", "yellow"), str(message)), soft_wrap=True)
        else:
            original(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    help_errors, usage_errors, aborts = _click_exceptions()
    try:
        code = app(standalone_mode=False)
    except help_errors as exc:
        print(exc.format_message(), file=sys.stderr)
        sys.exit(2)
    except usage_errors as exc:
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "nqpf"
        message = f"{_one_line(exc.format_message())} — see `{where} --help`"
        stderr().print(styled(("错误 Error: ", "bold red"), message), soft_wrap=True)
        sys.exit(2)
    except aborts:
        stderr().print("已中断 Aborted", soft_wrap=True)
        sys.exit(130)
    except NQPFError as exc:
        stderr().print(styled(("错误 Error: ", "bold red"), _one_line(str(exc))), soft_wrap=True)
        sys.exit(2)
    finally:
        warnings.showwarning = original
    sys.exit(code if isinstance(code, int) else 0)
