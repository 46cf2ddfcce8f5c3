"""Speed of the statistical audit (target: 2,900 units × 20 indicators × 5 years < 10 s) and of
`nqpf assess --audit` on the packaged data, outlier treatment on (target < 10 s end to end).

Run: python benchmarks/audit.py [--units 2900] [--years 5] [--repeats 3] [--threads 1]

Ours: the audit core (correlations at every level with Pearson and Spearman, collinear pairs,
Cronbach's alpha and PCA per pillar, S_i by spline smoother for every indicator, rank shift and
volatility) on a synthetic panel. Baseline, on the same matrix, interleaved (``_harness``):
pandas ``corr`` (Pearson and Spearman) for the same pairs, pingouin ``cronbach_alpha`` and
scikit-learn ``PCA`` per pillar, and statsmodels ``lowess`` (frac 0.1, delta 1 % of the range)
for E(y | x_i), the smoother of the JRC audits. The script checks that both give the same
Cronbach's alpha and indicator–index Pearson r before it prints the ratio. Wall and CPU
(user + system) time are both printed: the machine may be shared, and CPU time is what the
code costs. The end-to-end case runs ``nqpf assess --audit`` in a child process (imports,
data, construction, audit, xlsx/html/docx writing) and reads the child's CPU time.
"""

from __future__ import annotations

import argparse

from _harness import interleaved, machine, report  # first: pins the BLAS threads

# isort: split
import resource
import statistics
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


def ours(norm: pd.DataFrame, fw_raw: dict[str, object]) -> dict[str, pd.DataFrame]:
    from nqpf.index import audit
    from nqpf.index.framework import load_framework

    fw = load_framework(fw_raw, known=set(norm.columns))
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
    out = {
        "correlations": audit.level_correlations(norm, subs, pills, index, fw),
        "reliability": audit.reliability(norm, fw),
    }
    audit.collinear_pairs(norm, fw)
    audit.effective_importance(norm, index, w)
    audit.rank_shift(norm, index)
    audit.rank_volatility(norm, index, w)
    return out


def peer(norm: pd.DataFrame) -> dict[str, object]:
    import pingouin
    from sklearn.decomposition import PCA
    from statsmodels.nonparametric.smoothers_lowess import lowess

    index = norm.mean(axis=1)
    both = norm.assign(index=index)
    pearson = both.corr(method="pearson")
    both.corr(method="spearman")
    alphas = {}
    for p in range(5):
        items = norm[[f"x{p * 4 + j}" for j in range(4)]]
        alphas[f"p{p}"] = float(pingouin.cronbach_alpha(data=items)[0])
        PCA().fit((items - items.mean()) / items.std())
    y = index.to_numpy()
    for c in norm.columns:
        x = norm[c].to_numpy()
        fit = lowess(y, x, frac=0.1, delta=0.01 * np.ptp(x), return_sorted=False)
        float(np.var(fit) / np.var(y))
    return {"alpha": alphas, "pearson": pearson["index"]}


def cpu_of(fn: object) -> float:
    start = time.process_time()
    fn()  # type: ignore[operator]
    return time.process_time() - start


def assess_cli() -> tuple[float, float]:
    """Wall and CPU (user + system of the child) seconds of `nqpf assess --audit`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from nqpf.cli import main; main()",
                "assess",
                "--audit",
                "--out",
                f"{tmp}/out",
            ],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2900)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    print(machine())
    norm, fw = synthetic(args.units, args.years)
    mine, theirs = ours(norm, fw), peer(norm)
    rel = mine["reliability"].set_index("pillar")["cronbach_alpha"]
    for pillar, alpha in theirs["alpha"].items():  # type: ignore[attr-defined]
        assert abs(rel[pillar] - alpha) < 1e-9, (pillar, rel[pillar], alpha)
    corr = mine["correlations"]
    r_ind = corr[(corr["item_level"] == "indicator") & (corr["against_level"] == "index")]
    peer_r = theirs["pearson"]
    assert np.allclose(r_ind.set_index("item")["pearson"], peer_r[r_ind["item"]], atol=1e-9)
    print("checked: Cronbach's alpha and indicator–index Pearson r equal the baseline's")
    a, b = interleaved(lambda: ours(norm, fw), lambda: peer(norm), repeats=args.repeats)
    report(
        f"audit core, {args.units} units × 20 indicators × {args.years} years ({len(norm)} rows)"
        " — target < 10 s",
        a,
        b,
        "pandas+pingouin+sklearn+lowess",
    )
    cpu = statistics.median(cpu_of(lambda: ours(norm, fw)) for _ in range(args.repeats))
    print(f"  nqpf CPU  {cpu:8.2f} s (user + system, median of {args.repeats})")
    runs = [assess_cli() for _ in range(args.repeats)]
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    print(
        f"nqpf assess --audit (packaged data, ndrc defaults: JRC outliers, xlsx/html/docx): "
        f"wall {wall:.2f} s (range {min(w for w, _ in runs):.2f}–{max(w for w, _ in runs):.2f}), "
        f"CPU {cpu:.2f} s — target < 10 s"
    )


if __name__ == "__main__":
    main()
