"""Opportunity backtest: the census 2010 → 2020 pair and a 2,800 × 1,300 × 2 synthetic pair.

Run: python benchmarks/backtest.py [--regions 2800 --industries 1300] [--skip-synthetic]

Goals (issue 17): the census backtest under 5 s, the synthetic one under 60 s. Each run
times our ``backtest_opportunities`` end to end (transitions, complexity and density,
features, the cross-fitted feasibility model, every score of every preset, all metrics).
The metrics part is also timed side by side with scikit-learn's ``roc_auc_score`` and
``average_precision_score`` on the same arrays, interleaved (ours, sklearn, ours, …), with
the ratio printed. Threads: whatever BLAS/NumPy use by default (stated in the output);
scikit-learn's logistic regression (Newton-CG) runs single-threaded.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd


def census_pair_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    from nqpf.services.matrices import census_pair

    before, after, _ = census_pair("county")
    return before, after


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


def run_backtest(before: pd.DataFrame, after: pd.DataFrame, label: str) -> None:
    from nqpf.industry.screen import backtest_opportunities

    start = time.perf_counter()
    cpu = time.process_time()
    result = backtest_opportunities(before, after)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    auc = result.metrics["auc"]
    print(
        f"{label}: {before.shape[0]} × {before.shape[1]} × 2, "
        f"{result.summary['candidates_scored']} candidate cells, "
        f"{result.summary['entries_scored']} entries — backtest {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU; AUC feasibility {auc['feasibility']:.3f}, rca {auc['rca']:.3f}, "
        f"density {auc['density']:.3f}"
    )
    metrics_side_by_side(result, label)


def metrics_side_by_side(result: object, label: str, rounds: int = 3) -> None:
    from sklearn import metrics

    from nqpf.industry.backtest import average_precision, roc_auc

    tr = result.transitions  # type: ignore[attr-defined]
    cand = tr.candidates.to_numpy().astype(bool)
    y = tr.entries.to_numpy()[cand].astype(bool)
    s = tr.rca0.to_numpy()[cand]
    ours, theirs = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        a, p = roc_auc(y, s), average_precision(y, s)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        a2, p2 = metrics.roc_auc_score(y, s), metrics.average_precision_score(y, s)
        theirs.append(time.perf_counter() - t)
        assert abs(a - a2) < 1e-12 and abs(p - p2) < 1e-12
    print(
        f"  {label} metrics on {y.size} cells: ours {min(ours) * 1e3:.1f} ms, "
        f"sklearn {min(theirs) * 1e3:.1f} ms, ratio sklearn/ours {min(theirs) / min(ours):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", type=int, default=2800)
    parser.add_argument("--industries", type=int, default=1300)
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    print(f"cores: {os.cpu_count()}, OMP_NUM_THREADS={threads}")
    start = time.perf_counter()
    before, after = census_pair_tables()
    print(f"census pair loaded and matched in {time.perf_counter() - start:.2f} s")
    run_backtest(before, after, "census county 2010 → 2020")
    if not args.skip_synthetic:
        before, after = synthetic_pair(args.regions, args.industries)
        run_backtest(before, after, "synthetic")


if __name__ == "__main__":
    main()
