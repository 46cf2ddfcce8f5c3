"""The ``nqpf data`` commands, run as a user runs them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from nqpf.regions import province_codes, region_name
from tests.conftest import run_nqpf as run


def test_show_one_year_prints_31_provinces_sorted_with_unit_and_source(tmp_path: Path) -> None:
    result = run("data", "show", "rd_intensity", "--year", "2023", home=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    rows = re.findall(r"│\s+(\d+) │ (\S+)\s+│ (\d{6})\s+│\s+([\d.]+) │", out)
    assert [int(r[0]) for r in rows] == list(range(1, 32))
    assert {r[2] for r in rows} == set(province_codes())
    values = [float(r[3]) for r in rows]
    assert values == sorted(values, reverse=True)
    assert rows[0][1] == region_name("110000") and values[0] == 6.73
    assert "(%)" in out and "全国" in out
    assert "China Statistical Yearbook on Science and Technology" in out


def test_show_cost_indicator_ranks_lowest_first(tmp_path: Path) -> None:
    result = run(
        "data", "show", "energy_intensity", "--year", "2019", "--no-national", home=tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = re.findall(r"│\s+\d+ │ \S+\s+│ \d{6}\s+│\s+([\d.]+) │", result.stdout)
    values = [float(v) for v in rows]
    assert values == sorted(values)
    assert "derived: energy_intensity = energy_consumption / gdp" in result.stdout


def test_unknown_indicator_exits_2_with_suggestion(tmp_path: Path) -> None:
    result = run("data", "show", "rd_intensty", home=tmp_path)
    assert result.returncode == 2
    assert "rd_intensity" in result.stderr and "Traceback" not in result.stderr


def test_list_and_sources(tmp_path: Path) -> None:
    listing = run("data", "list", home=tmp_path)
    assert listing.returncode == 0 and "rd_intensity" in listing.stdout
    sources = run("data", "sources", home=tmp_path)
    assert sources.returncode == 0
    for expected in ("CEADs", "Guan", "SSRN 4049338", "NBS"):
        assert expected in sources.stdout


def test_cli_starts_without_loading_pandas() -> None:
    code = "import sys, nqpf.cli; print('pandas' in sys.modules, 'scipy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = run("--version", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"nqpf {version('nqpf')}"


def test_long_work_prints_plain_progress_lines_when_not_on_a_terminal(tmp_path: Path) -> None:
    """Off a terminal (pipe, log, CI) the uncertainty analysis reports each tenth done."""
    result = run(
        "assess",
        "--uncertainty",
        "8",
        "--top",
        "3",
        "--out",
        str(tmp_path / "out"),
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = [
        line for line in result.stderr.splitlines() if line.startswith("不确定性分析 uncertainty:")
    ]
    percents = [int(re.search(r": (\d+)%", line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert percents == sorted(set(percents)) and percents[-1] == 100
    assert re.search(r": 100% \((\d+)/\1\)$", lines[-1])
