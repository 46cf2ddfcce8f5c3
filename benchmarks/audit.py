"""Speed of the statistical audit (target: 2,900 units × 20 indicators × 5 years < 10 s) and of
`nqpf assess` with outlier treatment and audit on the packaged data (target < 10 s).

Run: python benchmarks/audit.py [--units 2900] [--years 5] [--rounds 3]

Ours: the audit core (correlations at every level with Pearson and Spearman, collinear pairs,
Cronbach's alpha and PCA per pillar, S_i by spline smoother for every indicator, rank shift and
volatility) on a synthetic panel. Peer, on the same matrix, interleaved: pandas ``corr``
(Pearson and Spearman) for the same pairs, pingouin ``cronbach_alpha`` and scikit-learn ``PCA``
per pillar, and statsmodels ``lowess`` (frac 0.1, delta 1 % of the range) for E(y | x_i) — the
smoother of the JRC audits. Threads: whatever BLAS uses (stated in the output); one process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd


def synthetic(units: int, years: int) -> tuple[pd.DataFrame, dict[str, object]]:
    rng = np.random.default_rng(0)
    idx = pd.MultiIndex.from_product(
        [[f"U{k:04d}" for k in range(units)], range(2019, 2019 + years)], names=["region", "year"]
    )
    common = rng.uniform(size=(len(idx), 1))
    norm = pd.DataFrame(
        0.5 * common + 0.5 * rng.uniform(size=(len(idx), 20)),
        index=idx,
        columns=[f"x{j}" for j in range(20)],
    )
    fw = {
        "pillars": [
            {
                "id": f"p{p}",
                "subpillars": [
                    {
                        "id": f"s{p}{s}",
                        "indicators": [
                            {"id": f"x{p * 4 + s * 2 + k}", "direction": "+"} for k in range(2)
                        ],
                    }
                    for s in range(2)
                ],
            }
            for p in range(5)
        ]
    }
    return norm, fw


def ours(norm: pd.DataFrame, fw_raw: dict[str, object]) -> float:
    from nqpf.index import audit
    from nqpf.index.framework import load_framework

    fw = load_framework(fw_raw, known=set(norm.columns))
    start = time.perf_counter()
    subs = pd.DataFrame(
        {
            s.id: norm[[i.id for i in s.children]].mean(axis=1)
            for p in fw.pillars
            for s in p.children
        }
    )
    pills = pd.DataFrame({p.id: subs[[s.id for s in p.children]].mean(axis=1) for p in fw.pillars})
    index = pills.mean(axis=1)
    w = pd.Series(1 / 20, index=norm.columns)
    audit.level_correlations(norm, subs, pills, index, fw)
    audit.collinear_pairs(norm, fw)
    audit.reliability(norm, fw)
    audit.effective_importance(norm, index, w)
    audit.rank_shift(norm, index)
    audit.rank_volatility(norm, index, w)
    return time.perf_counter() - start


def peer(norm: pd.DataFrame) -> float:
    import pingouin
    from sklearn.decomposition import PCA
    from statsmodels.nonparametric.smoothers_lowess import lowess

    start = time.perf_counter()
    index = norm.mean(axis=1)
    both = norm.assign(index=index)
    both.corr(method="pearson")
    both.corr(method="spearman")
    for p in range(5):
        items = norm[[f"x{p * 4 + j}" for j in range(4)]]
        pingouin.cronbach_alpha(data=items)
        PCA().fit((items - items.mean()) / items.std())
    y = index.to_numpy()
    for c in norm.columns:
        x = norm[c].to_numpy()
        fit = lowess(y, x, frac=0.1, delta=0.01 * np.ptp(x), return_sorted=False)
        float(np.var(fit) / np.var(y))
    return time.perf_counter() - start


def assess_cli() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from nqpf.cli import main; main()",
                "assess",
                "--outliers",
                "jrc",
                "--audit",
                "--out",
                tmp,
            ],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2900)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from threadpoolctl import threadpool_info

    threads = {i["internal_api"]: i["num_threads"] for i in threadpool_info()}
    print(f"cores {os.cpu_count()}, BLAS threads {threads}")
    norm, fw = synthetic(args.units, args.years)
    print(f"audit of {args.units} units × 20 indicators × {args.years} years ({len(norm)} rows)")
    times: dict[str, list[float]] = {"ours": [], "peer": []}
    for _ in range(args.rounds):
        times["ours"].append(ours(norm, fw))
        times["peer"].append(peer(norm))
    best = {k: min(v) for k, v in times.items()}
    print(
        f"  ours {best['ours']:.2f} s (target < 10 s), peer {best['peer']:.2f} s, "
        f"peer/ours {best['peer'] / best['ours']:.1f}×"
    )
    t = min(assess_cli() for _ in range(args.rounds))
    print(f"nqpf assess --outliers jrc --audit on the packaged data: {t:.2f} s (target < 10 s)")


if __name__ == "__main__":
    main()
