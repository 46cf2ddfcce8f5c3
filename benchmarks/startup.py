"""Start-up and load times of the foundation (goal: `nqpf --help` under 1 s).

Run: python benchmarks/startup.py [--repeat 5]
Prints the median wall time of `nqpf --help`, of `nqpf data show rd_intensity --year 2023`,
and of loading the whole packaged panel in-process, next to a bare `python -c pass` as the
floor every command pays.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cli = [sys.executable, "-c", "from nqpf.cli import main; main()"]
    floor = wall([sys.executable, "-c", "pass"], args.repeat)
    help_time = wall([*cli, "--help"], args.repeat)
    show_time = wall([*cli, "data", "show", "rd_intensity", "--year", "2023"], args.repeat)
    start = time.perf_counter()
    from nqpf.data import load_panel

    panel = load_panel()
    load_time = time.perf_counter() - start
    print(f"python -c pass                  {floor:6.3f} s")
    print(f"nqpf --help                     {help_time:6.3f} s  (goal < 1 s)")
    print(f"nqpf data show rd_intensity     {show_time:6.3f} s")
    print(f"load_panel() in-process         {load_time:6.3f} s  ({len(panel):,} values)")


if __name__ == "__main__":
    main()
