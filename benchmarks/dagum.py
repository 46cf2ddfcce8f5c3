"""Dagum Gini decomposition: nqpf (sorted prefix sums, O(n log n)) vs a pairwise loop.

Run: python benchmarks/dagum.py
Case 1: 2,900 units in 4 groups × 13 years (a county panel). Case 2: 100,000 units, one
year. The peer is a straightforward pure-Python double loop over all unit pairs (the way
Dagum is usually scripted); it is timed on one year of case 1 and on a 2,900-unit subset
for case 2, and extrapolated by its exact pair count (n² per year), as the output says.
Both sides are checked to give the same G, G_w, G_nb, G_t on the year they share.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from nqpf.disparity import dagum_gini


def loop_dagum(y: np.ndarray, g: np.ndarray) -> dict[str, float]:
    """Dagum (1997) with explicit loops over unit pairs."""
    labels = sorted(set(g))
    n = len(y)
    mu = sum(y) / n
    yl, gl = y.tolist(), g.tolist()
    pair = {(j, h): 0.0 for j in labels for h in labels}
    total = 0.0
    for i in range(n):
        yi, gi = yl[i], gl[i]
        for r in range(n):
            d = abs(yi - yl[r])
            total += d
            pair[(gi, gl[r])] += d
    size = {j: int((g == j).sum()) for j in labels}
    mean = {j: float(y[g == j].mean()) for j in labels}
    p = {j: size[j] / n for j in labels}
    s = {j: size[j] * mean[j] / (n * mu) for j in labels}
    gw = sum(pair[(j, j)] / (2 * size[j] ** 2 * mean[j]) * p[j] * s[j] for j in labels)
    gnb = gt = 0.0
    for a, j in enumerate(labels):
        for h in labels[a + 1 :]:
            gjh = pair[(j, h)] / (size[j] * size[h] * (mean[j] + mean[h]))
            delta = pair[(j, h)] / (size[j] * size[h])
            djh = abs(mean[j] - mean[h]) / delta
            term = gjh * (p[j] * s[h] + p[h] * s[j])
            gnb += term * djh
            gt += term * (1 - djh)
    return {"G": total / (2 * n * n * mu), "G_w": gw, "G_nb": gnb, "G_t": gt}


def panel(n: int, years: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, str]]:
    regions = [f"u{i}" for i in range(n)]
    groups = {r: f"g{i % 4}" for i, r in enumerate(regions)}
    frame = pd.DataFrame(
        {
            "region": np.tile(regions, years),
            "year": np.repeat(np.arange(2011, 2011 + years), n),
            "value": rng.lognormal(0, 0.8, n * years),
        }
    )
    return frame, groups


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _memory_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            return int(f.readline().split()[1]) / 2**20
    except OSError:
        return float("nan")


def main() -> None:
    rng = np.random.default_rng(2024)
    print(f"machine: {os.cpu_count()} cores, {_memory_gib():.0f} GiB; wall-clock seconds\n")

    data, groups = panel(2_900, 13, rng)
    ours, t_ours = timed(dagum_gini, data, groups=groups)
    first = data[data["year"] == 2011]
    y = first["value"].to_numpy()
    g = first["region"].map(groups).to_numpy()
    ref, t_loop_year = timed(loop_dagum, y, g)
    row = ours.summary.iloc[0]
    gap = max(abs(row[k] - ref[k]) for k in ("G", "G_w", "G_nb", "G_t"))
    t_loop = t_loop_year * 13
    print("case 1: n = 2,900 units × 4 groups × 13 years")
    print(f"  nqpf dagum_gini, 13 years:        {t_ours:9.3f} s")
    print(f"  pairwise loop, 1 year measured:   {t_loop_year:9.3f} s")
    print(f"  pairwise loop, 13 years (×13):    {t_loop:9.3f} s (extrapolated)")
    print(f"  speed-up:                         {t_loop / t_ours:9.0f}×")
    print(f"  max |difference| of G, G_w, G_nb, G_t in 2011: {gap:.2e}\n")

    big, big_groups = panel(100_000, 1, rng)
    _, t_big = timed(dagum_gini, big, groups=big_groups)
    sub = big.iloc[:2_900]
    _, t_sub = timed(loop_dagum, sub["value"].to_numpy(), sub["region"].map(big_groups).to_numpy())
    t_big_loop = t_sub * (100_000 / 2_900) ** 2
    print("case 2: n = 100,000 units × 4 groups, 1 year")
    print(f"  nqpf dagum_gini:                  {t_big:9.3f} s")
    print(f"  pairwise loop, 2,900 measured:    {t_sub:9.3f} s")
    print(f"  pairwise loop, 100,000 (× n²):    {t_big_loop:9.0f} s (extrapolated)")
    print(f"  speed-up:                         {t_big_loop / t_big:9.0f}×")
    _, t_boot = timed(dagum_gini, data[data["year"] == 2011], groups=groups, bootstrap=200, seed=1)
    print(f"\nbootstrap, 200 replicates, n = 2,900, 1 year: {t_boot:.3f} s")


if __name__ == "__main__":
    main()
