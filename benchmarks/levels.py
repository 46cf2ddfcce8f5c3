"""Prefecture and county level: the goals of issue 14 measured on packaged data.

1. ``nqpf assess --level prefecture`` (goal < 10 s) and ``--level county`` (goal < 30 s), run
   as a user runs them (a fresh process, all four output files written); CPU time (user +
   system of the child) and wall time, because the machine is shared: wall time depends on
   the load, CPU time much less.
2. The county assessment with uncertainty (Sobol base N, in process): CPU and wall.
3. Dagum on the real county panel (college_share, 2010 and 2020, ≈2,900 units, the 31
   provinces as groups): ``nqpf.disparity.dagum_gini`` against the vectorised NumPy O(n²)
   baseline of ``benchmarks/dagum.py``, interleaved, after checking they agree to 1e-9.

Run: python benchmarks/levels.py [--repeats 3] [--threads 1] [--uncertainty 256]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

from _harness import interleaved, machine, report  # first: pins the BLAS threads

# isort: split
import numpy as np

import nqpf
from dagum import numpy_dagum
from nqpf.data import load_subnational
from nqpf.disparity import dagum_gini

NQPF = [sys.executable, "-c", "from nqpf.cli import main; main()"]


def cli(level: str) -> tuple[float, float]:
    """CPU (user + system of the child) and wall seconds of ``nqpf assess --level``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [*NQPF, "assess", "--level", level, "--out", out, "--top", "3"],
            check=True,
            capture_output=True,
            env={**os.environ, "NQPF_HOME": out},
        )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--uncertainty", type=int, default=256)
    args = parser.parse_args()
    print(machine(), "(the machine is shared by 8 sessions: wall time depends on the load)\n")

    for level, goal in (("prefecture", 10.0), ("county", 30.0)):
        runs = [cli(level) for _ in range(args.repeats)]
        cpu = sorted(r[0] for r in runs)[len(runs) // 2]
        wall = sorted(r[1] for r in runs)[len(runs) // 2]
        print(
            f"nqpf assess --level {level}: CPU {cpu:.1f} s, wall {wall:.1f} s (median of "
            f"{len(runs)}; goal < {goal:.0f} s)"
        )

    cpu0, wall0 = time.process_time(), time.perf_counter()
    a = nqpf.assess(level="county", uncertainty=args.uncertainty)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    assert a.uncertainty is not None
    print(
        f"county assessment with uncertainty N={args.uncertainty} "
        f"({a.uncertainty.n_runs} runs, {a.uncertainty.n_configurations} configurations, "
        f"{a.scores['region'].nunique()} counties): CPU {cpu:.1f} s, wall {wall:.1f} s"
    )

    panel = load_subnational("county", ["college_share"], years=[2010, 2020])
    frame = panel[["region", "year", "value"]]
    groups = {c: c[:2] for c in frame["region"].unique()}
    ours = dagum_gini(frame, groups=groups).summary
    base = numpy_dagum(frame, groups)
    cols = ["G", "G_w", "G_nb", "G_t"]
    np.testing.assert_allclose(ours[cols].to_numpy(), base[cols].to_numpy(), rtol=1e-9)
    a_t, b_t = interleaved(
        lambda: dagum_gini(frame, groups=groups),
        lambda: numpy_dagum(frame, groups),
        repeats=args.repeats,
    )
    report(
        f"Dagum, county college_share 2010 + 2020 ({len(frame):,} unit-years, 31 province "
        "groups; G, G_w, G_nb, G_t agree to 1e-9)",
        a_t,
        b_t,
        "numpy n²",
    )


if __name__ == "__main__":
    main()
