"""The ``nqpf`` command line.

A thin shell: it parses options, calls the services and renders their results. Heavy
modules (pandas, SciPy, the analysis code) are imported inside the commands, and the
command modules themselves only when their command runs (:mod:`nqpf.cli._lazy`), so
``nqpf --help`` starts fast.

Errors that NQPF raises on bad input (:class:`nqpf.errors.NQPFError`) and usage errors
(unknown option, value of the wrong type) are printed on one line without a traceback and
the command exits with status 2; NQPF's warnings are printed in yellow. Nothing the user
typed or imported is read as rich markup or reaches the terminal as a control sequence.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from typing import Any, TextIO

import typer

from nqpf.cli._lazy import LazyGroup
from nqpf.errors import NQPFError, NQPFWarning

app = typer.Typer(
    cls=LazyGroup,
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

        from nqpf.cli._console import stdout

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


def _click_exceptions() -> tuple[tuple[type[Any], ...], ...]:
    """Typer's usage-error classes: those of the click that newer typers vendor
    (``typer._click``), else click's (no command uses click directly)."""
    try:
        modules: list[Any] = [importlib.import_module("typer._click.exceptions")]
    except ImportError:
        modules = [importlib.import_module("click.exceptions")]

    def pick(name: str) -> tuple[type[Any], ...]:
        return tuple(getattr(m, name) for m in modules if hasattr(m, name))

    return pick("NoArgsIsHelpError"), pick("UsageError"), (KeyboardInterrupt, *pick("Abort"))


def _say(*parts: str | tuple[str, str]) -> None:
    """Print a line on stderr (rich is imported only when there is something to say)."""
    from nqpf.cli._console import stderr, styled

    stderr().print(styled(*parts), soft_wrap=True)


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
            _say(("注意 Warning: ", "yellow"), str(message))
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
        _say(("错误 Error: ", "bold red"), message)
        sys.exit(2)
    except aborts:
        _say("已中断 Aborted")
        sys.exit(130)
    except NQPFError as exc:
        _say(("错误 Error: ", "bold red"), _one_line(str(exc)))
        sys.exit(2)
    finally:
        warnings.showwarning = original
    sys.exit(code if isinstance(code, int) else 0)
