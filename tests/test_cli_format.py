"""The command line reads well anywhere: ``--format table|csv|json`` on every table, tables
that fit 80 and 120 columns without cutting a number or a name, one output folder, and
Chinese and English in every ``--help``.

The numbers a table shows are checked against the same run's machine-readable output
(``--format json``/``csv``), rounded as the table states, so a cut (``0.81…``), a wrong
column or a wrong row fails.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pandas as pd
import pytest
import typer.main
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.cli._output import OUTPUT_DIR
from nqpf.results import frame_from_json

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (80, 120)
_ANSI = re.compile(r"\x1b\[")


def run(*args: str, columns: int = 80) -> Any:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def rows(output: str) -> list[list[str]]:
    """The body rows of the tables in ``output`` (first line of each row: numbers never
    wrap, so they all sit on it), as stripped cells."""
    found = []
    for line in output.splitlines():
        if line.startswith("│"):
            found.append([c.strip() for c in line.strip("│").split("│")])
    return found


def fits(output: str, columns: int) -> None:
    """No line wider than the terminal, nothing cut short."""
    from rich.cells import cell_len

    assert "…" not in output
    for line in output.splitlines():
        if line.startswith(("┏", "│", "└", "┃", "┡")):
            assert cell_len(line) <= columns, line


def dropped(output: str) -> list[str]:
    match = re.search(r"columns not shown \(terminal \d+ wide\): (.*?) —", output)
    return match.group(1).split(", ") if match else []


@pytest.mark.parametrize("columns", WIDTHS)
def test_assess_table_fits_and_every_number_is_the_results(tmp_path: Path, columns: int) -> None:
    out = tmp_path / "out"
    doc = json.loads(run("assess", "--out", str(out), "--format", "json").stdout)
    scores = frame_from_json(doc["tables"]["scores"])
    latest = scores[scores["year"] == scores["year"].max()].set_index("region_name")
    table = run("assess", "--out", str(out), "--force", columns=columns).stdout
    fits(table, columns)
    pillars = ["tech", "industry", "digital", "green", "talent", "openness"]
    gone = dropped(table)
    if columns == 80:
        assert gone, "six pillars do not fit 80 columns: some must be dropped, with a note"
    assert "--format csv" in table or not gone
    body = [r for r in rows(table) if r[0].isdigit()]
    assert len(body) == 31
    for cells in body:
        row = latest.loc[cells[1]]
        assert int(cells[0]) == row["rank"]
        assert cells[2] == f"{row['index']:.4f}"
        shown = pillars[: len(cells) - 3]
        assert len(shown) == 6 - len(gone)
        for pillar, cell in zip(shown, cells[3:], strict=True):
            assert cell == f"{row[pillar]:.3f}", (cells[1], pillar)


@pytest.mark.parametrize("columns", WIDTHS)
def test_data_show_values_match_csv_at_both_widths(columns: int) -> None:
    csv = run("data", "show", "gdp", "-y", "2023", "--format", "csv").stdout
    frame = pd.read_csv(io.StringIO(csv))
    table = run("data", "show", "gdp", "-y", "2023", columns=columns).stdout
    fits(table, columns)
    body = {r[1]: r for r in rows(table) if r[1]}
    assert len(body) == len(frame) >= 31
    for rec in frame.to_dict("records"):
        cells = body[rec["region_name"]]
        assert f"{rec['value']:,.1f}" in cells  # GDP in 亿元, ≥ 1000: one decimal


@pytest.mark.parametrize("columns", WIDTHS)
def test_io_linkages_every_multiplier_matches(columns: int) -> None:
    doc = json.loads(run("io", "linkages", "--top", "153", "--format", "json").stdout)
    assert doc["kind"] == "io_linkages" and re.fullmatch(r"[0-9a-f]{12}", doc["spec_hash"])
    frame = frame_from_json(doc["tables"]["linkages"]).set_index("sector")
    assert len(frame) == 153
    table = run("io", "linkages", "--top", "153", columns=columns).stdout
    fits(table, columns)
    body = [r for r in rows(table) if r[1]]
    assert len(body) == 153
    for cells in body:
        sector = cells[0].split()[0]
        rec = frame.loc[sector]
        assert cells[1] == f"{rec['backward']:.3f}" and cells[2] == f"{rec['forward']:.3f}"
        assert f"{rec['output_multiplier']:.3f}" in cells
        assert cells[-1] == f"{rec['extraction_total']:.2%}"


@pytest.mark.parametrize("columns", WIDTHS)
def test_disparity_dagum_table_matches_json(tmp_path: Path, columns: int) -> None:
    doc = json.loads(run("disparity", "--out", str(tmp_path / "a"), "--format", "json").stdout)
    summary = frame_from_json(doc["tables"]["dagum_summary"]).set_index("year")
    table = run("disparity", "--out", str(tmp_path / "b"), columns=columns).stdout
    fits(table, columns)
    first = table.split("└")[0]  # the Dagum table is printed first
    body = [r for r in rows(first) if r[0].isdigit()]
    assert len(body) == len(summary)
    for cells in body:
        rec = summary.loc[int(cells[0])]
        assert cells[1:5] == [f"{rec[c]:.4f}" for c in ("G", "G_w", "G_nb", "G_t")]
        assert cells[5:8] == [f"{100 * rec[c]:.1f}" for c in ("share_w", "share_nb", "share_t")]


def test_csv_and_json_are_clean_on_stdout(tmp_path: Path) -> None:
    out = tmp_path / "out"
    csv = run("assess", "--out", str(out), "--format", "csv")
    assert not _ANSI.search(csv.stdout) and "wrote" not in csv.stdout
    assert "wrote" in csv.stderr  # the files written are reported on stderr
    frame = pd.read_csv(io.StringIO(csv.stdout), dtype={"region": str})
    assert len(frame) == 31 and frame["region_name"].iloc[0] == "北京"
    assert frame["index"].is_monotonic_decreasing
    listing = run("chain", "list", "--format", "json").stdout
    doc = json.loads(listing)
    chains = frame_from_json(doc["tables"]["main"])
    assert "nev" in set(chains["id"])
    similar = json.loads(run("similar", "安徽", "--format", "json").stdout)
    assert similar["schema"] == "nqpf.result" and similar["kind"] == "similarity"


def test_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["data", "list", "--format", "xml"])
    assert result.exit_code == 2
    assert "table" in result.output and "csv" in result.output


def _commands() -> Iterator[tuple[str, click.Command]]:
    def walk(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    yield from walk(typer.main.get_command(app), "nqpf")


def test_every_command_helps_in_chinese_and_english() -> None:
    cjk, latin = re.compile(r"[\u4e00-\u9fff]"), re.compile(r"[A-Za-z]{3,}")
    missing = [
        path
        for path, command in _commands()
        if not (cjk.search(command.help or "") and latin.search(command.help or ""))
    ]
    assert not missing


def test_every_table_command_takes_format() -> None:
    """Each command that draws a table (the ones importing the table helper) has --format."""
    import inspect

    for path, command in _commands():
        callback = getattr(command, "callback", None)
        if callback is None or path == "nqpf":
            continue
        source = inspect.getsource(callback)
        if re.search(r"(?<![a-z])(?:show_table|_table|_show)\(", source):
            names = {p.name for p in command.params}
            assert "fmt" in names, path


def test_one_output_folder_ignored_by_git() -> None:
    defaults = {
        path: p.default
        for path, command in _commands()
        for p in command.params
        if p.name == "out" and p.default is not None
    }
    assert defaults and set(map(Path, defaults.values())) == {OUTPUT_DIR}, defaults
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert f"{OUTPUT_DIR}/" in ignored
