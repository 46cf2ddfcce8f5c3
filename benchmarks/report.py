"""Wall and CPU time of `nqpf report`: a region profile in every format, the national
overview, and a prefecture's and a county's profile, against the floor every command pays.

Run: python benchmarks/report.py [--repeats 2] [--threads 1] [--region 安徽]
     [--part all|province|units] [--prefecture 合肥] [--county 肥西县]

``--part units`` times only `nqpf report 合肥 --format docx|pdf` and `nqpf report 肥西县
--format docx|xlsx` (the level's assessment, diagnosis, disparity by province, the census
opportunities and similarity, and the parent province's chains and targets).

No peer tool writes these reports, so (house rule, docs/benchmarks.md) the script prints the
wall time **and the CPU time** (user + sys of the child process, which a loaded machine
inflates much less than the wall time) of each command, each run in a fresh process, the
commands interleaved with the floor (`python -c "import numpy, pandas"`) after one untimed
warm-up of each (the first report ever builds the policy-library database and unpacks the
font under $NQPF_HOME; the warm-up pays that). It checks that each run wrote its file. Part 2
times, in this process, what the national report's China map costs: drawing the
choropleth (`nqpf.present.charts.index_map`) and rendering it as the Word report's PNG.
The line `summary:` states the load average: on a machine shared by several jobs the wall
times are several times the quiet-machine ones.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _harness import (  # first: pins the BLAS threads
    cli_command,
    machine,
    run_timed,
    summary,
    time_commands,
)

FORMATS = ("docx", "pdf", "html", "xlsx")


def _unit_commands(prefecture: str, county: str, out: Path) -> dict[str, list[str]]:
    pairs = ((prefecture, "docx"), (prefecture, "pdf"), (county, "docx"), (county, "xlsx"))
    return {
        f"report {name} --format {fmt}": cli_command(
            ["report", name, "--format", fmt, "--out", str(out / f"unit-{name}-{fmt}")]
        )
        for name, fmt in pairs
    }


def _commands(region: str, out: Path) -> dict[str, list[str]]:
    commands = {
        f"report {region} --format {fmt}": cli_command(
            ["report", region, "--format", fmt, "--out", str(out / fmt)]
        )
        for fmt in FORMATS
    }
    for fmt in ("docx", "pdf"):
        commands[f"report national --format {fmt}"] = cli_command(
            ["report", "national", "--format", fmt, "--out", str(out / f"national-{fmt}")]
        )
    return commands


def _map_cost(repeats: int) -> tuple[list[float], list[float]]:
    """Process CPU seconds of drawing the national choropleth, and of rendering it as PNG."""
    from nqpf.present.charts import index_map, png
    from nqpf.services.report import ReportSpec, national_report

    ranking = national_report(ReportSpec("national")).frames["ranking"]
    png(index_map(ranking["region"], ranking["index"]))  # warm-up: font, map data
    draw: list[float] = []
    render: list[float] = []
    for _ in range(repeats):
        start = time.process_time()
        fig = index_map(ranking["region"], ranking["index"])
        draw.append(time.process_time() - start)
        start = time.process_time()
        png(fig)
        render.append(time.process_time() - start)
    return draw, render


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--region", default="安徽")
    parser.add_argument("--part", choices=("all", "province", "units"), default="all")
    parser.add_argument("--prefecture", default="合肥")
    parser.add_argument("--county", default="肥西县")
    args = parser.parse_args()
    print(machine(), "\n")
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        commands: dict[str, list[str]] = {}
        if args.part in ("all", "province"):
            commands |= _commands(args.region, out)
        if args.part in ("all", "units"):
            commands |= _unit_commands(args.prefecture, args.county, out)
        floor_cmd = [sys.executable, "-c", "import numpy, pandas"]
        for cmd in [floor_cmd, *commands.values()]:  # warm-up; fails loudly if a command does
            run_timed(cmd)
        written = len(list(out.rglob("report-*")))
        if written != len(commands):
            raise SystemExit(f"{len(commands)} commands wrote {written} reports")
        floor, floor_cpu, wall, cpu = time_commands(floor_cmd, commands, args.repeats)
    print(
        f"python -c 'import numpy, pandas'        wall {summary(floor)}  CPU {summary(floor_cpu)}"
    )
    for name in commands:
        print(f"nqpf {name:<34} wall {summary(wall[name])}  CPU {summary(cpu[name])}")
    draw: list[float] = []
    render: list[float] = []
    if args.part != "units":
        draw, render = _map_cost(max(args.repeats, 3))
        print(f"national map: draw CPU {summary(draw)}; PNG (200 dpi) CPU {summary(render)}")
    load_end = os.getloadavg()[0]
    parts = [
        f"{name.split(' --format ')[0].split()[-1]} {name.split()[-1]} CPU "
        f"{statistics.median(cpu[name]):.1f} s (wall {statistics.median(wall[name]):.1f} s)"
        for name in commands
    ]
    print(
        f"summary: load {load_start:.1f}→{load_end:.1f} on {os.cpu_count()} cores (shared); "
        + "; ".join(parts)
        + (
            f"; map draw+PNG CPU {statistics.median(draw) + statistics.median(render):.2f} s"
            if draw
            else ""
        )
    )


if __name__ == "__main__":
    main()
