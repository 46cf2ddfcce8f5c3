"""Opportunity backtest: the census 2010 → 2020 county pair and a 2,800 × 1,300 × 2 synthetic
pair, against the goals of issue 17 (census under 5 s, synthetic under 60 s).

Run: python benchmarks/backtest.py [--repeats 3] [--threads 1] [--regions 2800
--industries 1300] [--skip-synthetic]

Each run times ``backtest_opportunities`` end to end as ``nqpf backtest opportunities``
calls it (transitions, complexity and density, the model's features with the prefecture and
province groups, the five province-block fits of the feasibility model and their
predictions, every score of every preset, all metrics including the within-fold AUC, and
the cluster-bootstrap SEs of the differences from RCA, 200 draws over provinces, on a fixed
sample of 100,000 cells above that size), wall and CPU time (the machine is
shared; CPU time is what the run itself used), after one warm-up run that pays the imports, with the load average before and after.
Loading and matching the census pair is timed apart. There is no library that backtests an
opportunity ranking; the part that has a peer — the metrics — is timed side by side with
scikit-learn's ``roc_auc_score`` and ``average_precision_score`` on the same arrays,
interleaved, checked equal to 1e-12, with the ratio printed. The BLAS/OpenMP threads are
pinned by ``_harness`` (default 1, stated in the header line); the model's Newton-CG solver
(SciPy) runs in one thread.
"""

from __future__ import annotations

import argparse
import os

from _harness import THREADS, interleaved, machine, report  # first: pins the BLAS threads

# isort: split
import statistics
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

GOALS = {"census": 5.0, "synthetic": 60.0}


def census_pair_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    from nqpf.industry.screen import align
    from nqpf.services.industry import region_groups
    from nqpf.services.matrices import census_pair

    before, after, _ = census_pair("county")
    a, b = align(before, after)
    return a, b, region_groups(a.index)


def synthetic_pair(n_regions: int, n_industries: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nested synthetic data (capability vs difficulty) that drifts between the periods."""
    rng = np.random.default_rng(20260101)
    capability = rng.uniform(0, 1, n_regions)[:, None]
    difficulty = rng.uniform(0, 1, n_industries)[None, :]
    tables = []
    for step in (0.0, 0.05):
        noise = rng.lognormal(0, 1, (n_regions, n_industries))
        x = noise * (1 + 20 * (capability + step > difficulty))
        tables.append(
            pd.DataFrame(
                x,
                index=pd.Index([f"{11 + i % 31:02d}{i:04d}" for i in range(n_regions)]),
                columns=pd.Index([f"p{j:04d}" for j in range(n_industries)]),
            )
        )
    return tables[0], tables[1]


def timed_backtest(
    before: pd.DataFrame, after: pd.DataFrame, groups: pd.DataFrame | None, types: Any
) -> tuple[Any, float, float]:
    from nqpf.industry.screen import backtest_opportunities

    wall, cpu = time.perf_counter(), time.process_time()
    result = backtest_opportunities(before, after, types=types, groups=groups)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run(label: str, before: pd.DataFrame, after: pd.DataFrame, repeats: int, **kw: Any) -> None:
    timed_backtest(before, after, **kw)  # warm-up: imports, caches
    walls, cpus = [], []
    load_before = os.getloadavg()[0]
    for _ in range(repeats):
        result, wall, cpu = timed_backtest(before, after, **kw)
        walls.append(wall)
        cpus.append(cpu)
    auc = result.metrics["auc"]
    s = result.summary
    goal = GOALS[label]
    verdict = "met" if statistics.median(walls) < goal else "NOT met (wall)"
    if statistics.median(cpus) < goal <= statistics.median(walls):
        verdict += ", met in CPU time"
    print(
        f"{label}: {before.shape[0]} × {before.shape[1]} × 2, {s['candidates_scored']} candidate "
        f"cells, {s['entries_scored']} entries; backtest median {statistics.median(walls):.2f} s "
        f"wall (range {min(walls):.2f}–{max(walls):.2f}), {statistics.median(cpus):.2f} s CPU, "
        f"{repeats} runs; goal < {goal:.0f} s: {verdict}; load average "
        f"{load_before:.1f} → {os.getloadavg()[0]:.1f} (2 cores shared)"
    )
    fold = result.metrics["auc_fold"]
    print(
        f"  AUC feasibility {auc['feasibility']:.3f} (within folds {fold['feasibility']:.3f}), "
        f"rca {auc['rca']:.3f} ({fold['rca']:.3f}), density {auc['density']:.3f}; "
        f"specifications {', '.join(result.folds['specification'])}"
    )
    metrics_side_by_side(result, label)


def metrics_side_by_side(result: Any, label: str, repeats: int = 5) -> None:
    from sklearn import metrics

    from nqpf.industry.backtest import average_precision, roc_auc

    tr = result.transitions
    cand = tr.candidates.to_numpy().astype(bool)
    y = tr.entries.to_numpy()[cand].astype(bool)
    s = tr.rca0.to_numpy()[cand]
    a, p = roc_auc(y, s), average_precision(y, s)
    a2, p2 = metrics.roc_auc_score(y, s), metrics.average_precision_score(y, s)
    assert abs(a - a2) < 1e-12 and abs(p - p2) < 1e-12
    ours, theirs = interleaved(
        lambda: (roc_auc(y, s), average_precision(y, s)),
        lambda: (metrics.roc_auc_score(y, s), metrics.average_precision_score(y, s)),
        repeats=repeats,
    )
    report(f"  {label} AUC + AP on {y.size} cells", ours, theirs, "sklearn")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", type=int, default=2800)
    parser.add_argument("--industries", type=int, default=1300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--threads", default="1", help="BLAS/OpenMP threads (set by _harness)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(machine())
    print(f"threads: BLAS/OpenMP {THREADS}; SciPy Newton-CG single-threaded")
    from nqpf.industry.classification import industry_types

    wall, cpu = time.perf_counter(), time.process_time()
    before, after, groups = census_pair_tables()
    print(
        f"census pair loaded, matched and grouped: {time.perf_counter() - wall:.2f} s wall, "
        f"{time.process_time() - cpu:.2f} s CPU"
    )
    types = industry_types("gbt4754_section")
    run("census", before, after, args.repeats, groups=groups, types=types)
    if not args.skip_synthetic:
        before, after = synthetic_pair(args.regions, args.industries)
        run("synthetic", before, after, 1, groups=None, types=None)


if __name__ == "__main__":
    main()
