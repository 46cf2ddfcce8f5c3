"""Commands registered by name and imported only when used.

``nqpf --help`` lists every command from the static table :data:`COMMANDS` (name, module,
one-line help) without importing a single command module, and ``nqpf assess …`` imports
``nqpf.cli.assess`` alone. Before this, building the ``nqpf`` group imported all fourteen
command modules and made typer read the signature of every one of the ~50 commands on every
start (≈ 0.25 s), and the rich help renderer (``typer.rich_utils`` with its Markdown parser,
≈ 0.2 s); the top-level help is now click's plain help, while each command's own
``--help`` keeps typer's rich layout.

``tests/test_cli_lazy.py`` checks that the one-line help in :data:`COMMANDS` is the first
paragraph of each command's own help, so the table cannot drift from the commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any, NamedTuple

import typer
import typer.main
from typer.core import TyperGroup


class Entry(NamedTuple):
    """Where a command lives: ``module.attr`` is a command function, or a ``typer.Typer``
    sub-application when ``group`` is true."""

    module: str
    attr: str
    group: bool
    help: str


def _cmd(module: str, attr: str, help: str) -> Entry:
    return Entry(f"nqpf.cli.{module}", attr, False, help)


def _grp(module: str, attr: str, help: str) -> Entry:
    return Entry(f"nqpf.cli.{module}", attr, True, help)


#: The commands of ``nqpf`` in the order ``nqpf --help`` lists them.
COMMANDS: dict[str, Entry] = {
    "serve": _cmd(
        "serve",
        "serve",
        "服务 Serve the REST API (/api/docs) and the dashboard (/) over the packaged data.",
    ),
    "assess": _cmd(
        "assess",
        "assess",
        "新质生产力综合评价 Assess NQPF: ranked table, scores.csv, assessment.xlsx, "
        "assessment.html, assessment.docx.",
    ),
    "audit": _cmd(
        "audit",
        "audit",
        "统计一致性审计 Statistical audit: correlations, Cronbach's α, PCA, effective "
        "importance, rank shifts, volatility, small bases, validation against published "
        "rankings.",
    ),
    "opportunities": _cmd(
        "industry",
        "opportunities",
        "机会产业 A region's strengths, then the industries it is best placed to grow.",
    ),
    "similar": _cmd(
        "industry",
        "similar",
        "结构相似 Regions with the most similar industrial structure (similarity, Krugman).",
    ),
    "disparity": _cmd(
        "disparity",
        "disparity",
        "区域差异 Dagum Gini decomposition, Theil, convergence, kernel density, Moran's I.",
    ),
    "herding": _cmd(
        "plan",
        "herding",
        "扎堆 Herding: fields many regions declare without a base, or industries many "
        "regions entered at once without relatedness (--view revealed).",
    ),
    "plan": _cmd(
        "plan",
        "plan",
        "布局 Optimal national division of labour (exact MILP) and its shadow costs.",
    ),
    "targets": _cmd(
        "plan",
        "targets",
        "目标 Required growth vs trend, projection, probability and status per region.",
    ),
    "diagnose": _cmd(
        "disparity",
        "diagnose",
        "区域诊断 Obstacle degree, coupling coordination and trajectory vs group and nation.",
    ),
    "report": _cmd(
        "report",
        "report",
        "报告 A province's, prefecture's or county's profile (or `national`) for leaders: "
        "summary, level and rank, pillars, strengths and obstacles, disparity context, "
        "opportunities, chains, targets, sources.",
    ),
    "data": _grp("data", "app", "数据 Data: catalog, values, sources, import."),
    "backtest": _grp("backtest", "app", "回测 Backtests of the rankings on past data."),
    "io": _grp(
        "io", "app", "投入产出 Input-output: linkages, key sectors, multipliers, extraction."
    ),
    "chain": _grp(
        "chain",
        "app",
        "产业链 Industrial chains: list, a region's chain map (strong/weak/missing), IO check.",
    ),
    "db": _grp("db", "app", "数据库 Database: status and migrations."),
    "policy": _grp(
        "policy", "app", "资讯 Policy library: documents, full-text search, extracted targets."
    ),
    "micro": _grp(
        "micro",
        "app",
        "微观数据 Firm and patent records: import, aggregate (DuckDB or Spark), synthesize.",
    ),
    "firms": _grp(
        "market", "firms_app", "企业名录 Enterprise directory: search, region profile, import."
    ),
    "board": _grp(
        "market", "board_app", "供需对接 Supply/demand board: post, list, match, delete."
    ),
    "user": _grp("serve", "users", "账户 Portal accounts: add and list users."),
}


def load(name: str) -> Any:
    """The click command ``name`` of :data:`COMMANDS`, built from its module by typer."""
    entry = COMMANDS[name]
    target = getattr(importlib.import_module(entry.module), entry.attr)
    if entry.group:
        command: Any = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _Commands(MutableMapping[str, Any]):
    """The group's commands: every name of :data:`COMMANDS` is a key from the start; its
    command is built on first look-up."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = load(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the commands of nqpf are fixed")

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(name not in COMMANDS for name in self._built)


class LazyGroup(TyperGroup):
    """The ``nqpf`` group: commands from :data:`COMMANDS`, imported on use; plain help."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        eager = dict(self.commands)  # any registered on the typer app itself
        self.commands = _Commands()
        self.commands.update(eager)
        self.rich_markup_mode = None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [
            (name, COMMANDS[name].help if name in COMMANDS else self.commands[name].help or "")
            for name in self.commands
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
