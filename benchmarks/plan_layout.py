"""Speed of the national layout MILP (targets: 31 provinces × 110 industries < 10 s,
340 prefectures × 110 industries < 2 min), wall and CPU time.

Run: python benchmarks/plan_layout.py [--repeats 3] [--threads 1]

Peer, interleaved with ours (benchmarks/_harness.py): ``scipy.optimize.milp`` (HiGHS branch
and bound) on the same formulation without our LP-relaxation shortcut; its optimum must
equal ours before a ratio is printed. HiGHS uses its default threads in both.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _harness import interleaved, machine, report  # first: pins the BLAS threads

# isort: split
import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from nqpf.plan.layout import _constraints, plan_layout


def _fit(n: int, m: int) -> pd.DataFrame:
    rng = np.random.default_rng(n)
    return pd.DataFrame(
        rng.random((n, m)), index=[f"r{i}" for i in range(n)], columns=[f"j{j}" for j in range(m)]
    )


def _peer(fit: pd.DataFrame, k: int, lo: int, hi: int, groups: dict[str, str], per: int) -> float:
    n, m = fit.shape
    a, b_lo, b_hi, _ = _constraints(
        n,
        m,
        np.full(n, float(k)),
        np.full(m, float(lo)),
        np.full(m, float(hi)),
        pd.Series(groups).reindex(fit.index),
        per,
    )
    res = milp(
        -fit.to_numpy().ravel(),
        constraints=LinearConstraint(a, b_lo, b_hi),
        integrality=np.ones(n * m),
        bounds=Bounds(0, 1),
    )
    return float(-res.fun)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    print(machine())
    for n, k, lo, hi, per, target in ((31, 5, 1, 6, 2, 10.0), (340, 3, 3, 12, 4, 120.0)):
        fit = _fit(n, 110)
        groups = {r: "ECWN"[i % 4] for i, r in enumerate(fit.index)}
        ours = plan_layout(fit, k=k, hubs_min=lo, hubs_max=hi, groups=groups, max_per_group=per)
        best = _peer(fit, k, lo, hi, groups, per)
        assert abs(ours.objective - best) < 1e-6, (ours.objective, best)
        cpu: list[float] = []

        def run(
            fit: pd.DataFrame = fit,
            groups: dict[str, str] = groups,
            limits: tuple[int, int, int, int] = (k, lo, hi, per),
            cpu: list[float] = cpu,
        ) -> None:
            start = time.process_time()
            k, lo, hi, per = limits
            plan_layout(fit, k=k, hubs_min=lo, hubs_max=hi, groups=groups, max_per_group=per)
            cpu.append(time.process_time() - start)

        def peer(
            fit: pd.DataFrame = fit,
            groups: dict[str, str] = groups,
            limits: tuple[int, int, int, int] = (k, lo, hi, per),
        ) -> None:
            _peer(fit, *limits[:3], groups, limits[3])

        a, b = interleaved(run, peer, repeats=args.repeats, warm_up=False)
        report(f"layout MILP {n}×110 (optimum equal to scipy milp's)", a, b, "scipy milp")
        print(f"  nqpf CPU {statistics.median(cpu):.2f} s median (target < {target:.0f} s wall)")


if __name__ == "__main__":
    main()
