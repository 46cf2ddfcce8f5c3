"""The house rule of NQPF's benchmarks, in one place.

Every benchmark script imports this module *before* NumPy: it pins the BLAS/OpenMP thread
pools to ``--threads`` (default 1, so a baseline cannot win or lose by a second core that a
loaded machine may not give it) and states them. Timings are interleaved A/B repeats
(ours, baseline, ours, baseline, …) after one untimed warm-up of each, reported as the
median with the range; the ratio is the baseline's median over ours. Each script checks the
baseline's output against ours in the same run before it prints a ratio.
"""

from __future__ import annotations

import os
import sys

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _threads_from_argv() -> str:
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


THREADS = _threads_from_argv()
if "numpy" in sys.modules:
    raise RuntimeError("import benchmarks._harness before numpy, so the thread pins apply")
for _var in _THREAD_VARS:
    os.environ[_var] = THREADS

import datetime  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402


def machine() -> str:
    """One line: date, cores, memory, Python/NumPy/pandas, BLAS and its threads."""
    import numpy as np
    import pandas as pd

    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            mem = f"{int(f.readline().split()[1]) / 2**20:.0f} GiB"
    except OSError:
        mem = "? GiB"
    blas = "?"
    try:
        from threadpoolctl import threadpool_info

        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            blas = f"{info[0].get('internal_api')} {info[0].get('version')} "
            blas += f"({info[0].get('architecture')}, {info[0].get('num_threads')} thread(s))"
    except ImportError:
        pass
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{datetime.date.today().isoformat()} · {os.cpu_count()} cores, {mem} · load {load:.1f} · "
        f"Python {platform.python_version()}, NumPy {np.__version__}, pandas {pd.__version__} · "
        f"BLAS {blas}{f', OPENBLAS_CORETYPE={coretype}' if coretype else ''} · "
        f"{', '.join(f'{v}={THREADS}' for v in _THREAD_VARS)}"
    )


def interleaved(
    ours: Callable[[], Any], baseline: Callable[[], Any], *, repeats: int, warm_up: bool = True
) -> tuple[list[float], list[float]]:
    """Wall times of ``repeats`` alternating runs of each, after one warm-up of each (skip
    it only where one run takes seconds, so caches and imports cannot matter)."""
    if warm_up:
        ours()
        baseline()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeats):
        for fn, out in ((ours, a), (baseline, b)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return a, b


def summary(times: list[float]) -> str:
    """Median with the range, in adaptive units."""
    med = statistics.median(times)
    unit, scale = ("s", 1.0) if med >= 1 else ("ms", 1e3)
    return f"{med * scale:8.1f} {unit} (range {min(times) * scale:.1f}–{max(times) * scale:.1f})"


def report(label: str, ours: list[float], baseline: list[float], baseline_name: str) -> float:
    """Print both medians and the ratio baseline / ours; returns the ratio."""
    ratio = statistics.median(baseline) / statistics.median(ours)
    print(f"{label}")
    print(f"  nqpf      {summary(ours)}")
    print(f"  {baseline_name:<9} {summary(baseline)}")
    print(f"  ratio     {ratio:8.1f}× (baseline median / nqpf median, {len(ours)} repeats each)")
    return ratio


def cli_command(args: list[str]) -> list[str]:
    """``nqpf ARGS`` as a fresh interpreter runs it (the installed console script's path)."""
    return [sys.executable, "-c", "from nqpf.cli import main; main()", *args]


def run_timed(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + sys of the child and of its children, e.g. Chromium)
    of one run: on a loaded machine the wall time grows with the load, the CPU time much less."""
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=os.environ.copy())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_commands(
    floor_cmd: list[str], commands: dict[str, list[str]], repeats: int
) -> tuple[list[float], list[float], dict[str, list[float]], dict[str, list[float]]]:
    """Interleaved repeats (floor, each command, floor, …): the floor's wall and CPU times,
    then each command's wall and CPU times by name."""
    floor: list[float] = []
    floor_cpu: list[float] = []
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        w, c = run_timed(floor_cmd)
        floor.append(w)
        floor_cpu.append(c)
        for name, cmd in commands.items():
            w, c = run_timed(cmd)
            wall[name].append(w)
            cpu[name].append(c)
    return floor, floor_cpu, wall, cpu
