"""Dagum Gini decomposition: nqpf (all years in one sorted pass, O(n log n)) vs the
strongest fair baseline, a vectorised NumPy O(n²) that forms |y_i − y_r| for all pairs of
a year (in row blocks, so 20,000 units fit in memory) and sums them per pair of groups with
one BLAS product.

Run: python benchmarks/dagum.py [--repeats 5] [--threads 1] [--skip-large]

Both sides start from the same long DataFrame (region, year, value) and a region → group
mapping (4 groups) and return G, G_w, G_nb, G_t for every year; the script checks that they
agree to 1e-9 before it prints the ratio. Cases: 2,900 units × 13 years (a county panel)
and 20,000 units × 13 years.
"""

from __future__ import annotations

import argparse

from _harness import interleaved, machine, report  # first: pins the BLAS threads

# isort: split
import numpy as np
import pandas as pd

from nqpf.disparity import dagum_gini

_BLOCK = 2_000  # rows of |y_i − y_r| per block: 2,000 × 20,000 × 8 B = 320 MB


def numpy_dagum(frame: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """Dagum (1997) per year from all pairwise absolute differences, vectorised."""
    labels = sorted(set(groups.values()))
    rows = []
    for year, part in frame.groupby("year", sort=True):
        y = part["value"].to_numpy(dtype=float)
        code = pd.Index(labels).get_indexer(part["region"].map(groups))
        onehot = np.zeros((len(y), len(labels)))
        onehot[np.arange(len(y)), code] = 1.0
        pair = np.zeros((len(labels), len(labels)))  # Σ_{i∈j} Σ_{r∈h} |y_i − y_r|
        for start in range(0, len(y), _BLOCK):
            block = np.abs(y[start : start + _BLOCK, None] - y[None, :])
            pair += onehot[start : start + _BLOCK].T @ (block @ onehot)
        n = len(y)
        size = onehot.sum(axis=0)
        mean = (onehot.T @ y) / size
        mu = y.mean()
        p, s = size / n, size * mean / (n * mu)
        g_w = float((np.diag(pair) / (2 * size**2 * mean) * p * s).sum())
        g_nb = g_t = 0.0
        for j in range(len(labels)):
            for h in range(j + 1, len(labels)):
                g_jh = pair[j, h] / (size[j] * size[h] * (mean[j] + mean[h]))
                d_jh = abs(mean[j] - mean[h]) / (pair[j, h] / (size[j] * size[h]))
                term = g_jh * (p[j] * s[h] + p[h] * s[j])
                g_nb += term * d_jh
                g_t += term * (1 - d_jh)
        g = pair.sum() / (2 * n * n * mu)
        rows.append({"year": year, "G": g, "G_w": g_w, "G_nb": g_nb, "G_t": g_t})
    return pd.DataFrame(rows)


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


def case(n: int, years: int, repeats: int, rng: np.random.Generator) -> float:
    data, groups = panel(n, years, rng)
    ours = dagum_gini(data, groups=groups).summary
    base = numpy_dagum(data, groups)
    cols = ["G", "G_w", "G_nb", "G_t"]
    np.testing.assert_allclose(ours[cols].to_numpy(), base[cols].to_numpy(), rtol=1e-9)
    a, b = interleaved(
        lambda: dagum_gini(data, groups=groups),
        lambda: numpy_dagum(data, groups),
        repeats=repeats,
        warm_up=n <= 5_000,
    )
    return report(
        f"n = {n:,} units × 4 groups × {years} years (G, G_w, G_nb, G_t agree to 1e-9)",
        a,
        b,
        "numpy n²",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    print(machine(), "\n")
    rng = np.random.default_rng(2024)
    case(2_900, 13, args.repeats, rng)
    if not args.skip_large:
        case(20_000, 13, max(1, args.repeats // 2), rng)


if __name__ == "__main__":
    main()
