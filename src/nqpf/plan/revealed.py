r"""Revealed herding (防止一哄而上, from the data over time): industries that many regions
entered at once, how many of those entries lacked relatedness, and structural convergence.

**Entries.** With revealed comparative advantage RCA_rk(t) (Balassa) of region r in
industry k at the start t0 and the end t1 of a window, region r *enters* k when
RCA_rk(t0) < 1 ≤ RCA_rk(t1) (Hidalgo et al. 2007; Neffke, Henning & Boschma 2011). The
candidates of k are the regions with RCA_rk(t0) < 1. An entry *lacks relatedness* when the
region's relatedness density to k at t0, ω_rk(t0), ranks below the ``density_quantile``
percentile of all regions' densities to k (the same rule as the declared view's "base"),
or, with ``density_min``, when ω_rk(t0) < density_min (an absolute cut; a relative one
cannot call more than about that share of a simultaneous mass entry unrelated).
Per industry k, with N regions:

* c_k  = |{r : RCA_rk(t0) < 1}|                      candidates;
* e_k  = |{r : RCA_rk(t0) < 1 ≤ RCA_rk(t1)}|          entrants in the window;
* u_k  = |{entrants with ω_rk(t0) below the percentile}|  entries without relatedness;
* entry rate e_k / c_k, unrelated share u_k / e_k;
* **revealed herding index** R_k = u_k / N: the share of all regions that entered k in the
  window without a related base. R = 1 when every region entered k at once from unrelated
  positions; R = 0 when every entry was into a related industry, however many there were.

**Structural convergence.** With shares s_ik = X_ik / Σ_k X_ik, the Krugman dissimilarity
of two regions is K_ij = Σ_k |s_ik − s_jk| ∈ [0, 2] (Krugman 1991) and the structural
similarity coefficient S_ij = s_i·s_j / (‖s_i‖‖s_j‖) ∈ [0, 1] (UNIDO 1979). Their means over
all pairs i < j are computed without the n × n matrices:

* mean K = Σ_k d_k with the industry component d_k = mean_{i<j} |s_ik − s_jk|, and for the
  sorted column x_(1) ≤ … ≤ x_(n): Σ_{i<j} |x_i − x_j| = Σ_i (2i − n − 1) x_(i);
* mean S = (‖Σ_i u_i‖² − n) / (n(n − 1)) with the unit vectors u_i = s_i / ‖s_i‖.

Falling mean K and rising mean S over time mean that regional structures converge
(产业结构趋同); a falling d_k says regions' shares of industry k became alike.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = [
    "convergence_path",
    "entry_waves",
    "industry_dispersion",
    "mean_pairwise_krugman",
    "mean_pairwise_similarity",
    "revealed_herding",
]


def _shares(values: pd.DataFrame) -> np.ndarray:
    x = values.to_numpy(dtype=float)
    if (x < 0).any() or not np.isfinite(x).all():
        raise InputError("values must be finite and non-negative")
    totals = x.sum(axis=1, keepdims=True)
    if (totals <= 0).any():
        raise InputError("every region needs a positive total")
    shares: np.ndarray = x / totals
    return shares


def industry_dispersion(values: pd.DataFrame) -> pd.Series:
    """d_k = mean over region pairs i < j of |s_ik − s_jk| (the industry's part of the mean
    Krugman dissimilarity), in O(n log n) per industry."""
    n = len(values)
    if n < 2:
        raise InputError("at least two regions are needed")
    s = np.sort(_shares(values), axis=0)
    weights = 2.0 * np.arange(1, n + 1) - n - 1.0
    total = weights @ s
    return pd.Series(total / (n * (n - 1) / 2.0), index=values.columns, name="dispersion")


def mean_pairwise_krugman(values: pd.DataFrame) -> float:
    """Mean Krugman dissimilarity over all region pairs (0 identical … 2 disjoint)."""
    return float(industry_dispersion(values).sum())


def mean_pairwise_similarity(values: pd.DataFrame) -> float:
    """Mean structural similarity coefficient (cosine of shares) over all region pairs."""
    n = len(values)
    if n < 2:
        raise InputError("at least two regions are needed")
    s = _shares(values)
    unit = s / np.linalg.norm(s, axis=1, keepdims=True)
    total = unit.sum(axis=0)
    return float((total @ total - n) / (n * (n - 1)))


def convergence_path(panels: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """Per year: regions, industries, mean Krugman dissimilarity, mean similarity, and their
    changes from the previous year in the path (negative Krugman change = converging)."""
    rows = []
    for year in sorted(panels):
        values = panels[year]
        rows.append(
            {
                "year": int(year),
                "regions": len(values),
                "industries": values.shape[1],
                "krugman_mean": mean_pairwise_krugman(values),
                "similarity_mean": mean_pairwise_similarity(values),
            }
        )
    path = pd.DataFrame(rows)
    path["krugman_change"] = path["krugman_mean"].diff()
    path["similarity_change"] = path["similarity_mean"].diff()
    return path


def entry_waves(first_entry: pd.DataFrame, *, regions: int) -> pd.DataFrame:
    """Per industry, from each region's first year in it (columns ``region, industry,
    year``): regions ever entered, the year most regions entered (earliest on ties), how
    many entered then and that count's share of all ``regions``."""
    if regions <= 0:
        raise InputError("the number of regions must be positive")
    counts = first_entry.groupby(["industry", "year"]).size().rename("entries").reset_index()
    counts = counts.sort_values(["industry", "entries", "year"], ascending=[True, False, True])
    peaks = counts.groupby("industry").head(1).set_index("industry")
    total = first_entry.groupby("industry")["region"].nunique()
    out = pd.DataFrame(
        {
            "regions_entered": total,
            "peak_year": peaks["year"].astype(int),
            "peak_entries": peaks["entries"].astype(int),
        }
    )
    out["peak_share"] = out["peak_entries"] / regions
    return (
        out.rename_axis("industry")
        .reset_index()
        .sort_values(["peak_entries", "industry"], ascending=[False, True], ignore_index=True)
    )


def revealed_herding(
    rca_start: pd.DataFrame,
    rca_end: pd.DataFrame,
    density_start: pd.DataFrame,
    *,
    values_start: pd.DataFrame,
    values_end: pd.DataFrame,
    density_quantile: float = 0.5,
    density_min: float | None = None,
    labels: Mapping[str, str] | None = None,
    window: str = "",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The revealed herding index per industry and the entries with their relatedness.

    All tables are region × industry on the same regions and industries: RCA at the start
    and the end of the window, relatedness density at the start, and the values (for the
    dispersion d_k at both ends). Returns (index table, entries table).
    """
    if not 0 <= density_quantile <= 1:
        raise InputError(f"density_quantile {density_quantile} must be in [0, 1]")
    if density_min is not None and not 0 <= density_min <= 1:
        raise InputError(f"density_min {density_min} must be in [0, 1]")
    frames = (rca_end, density_start, values_start, values_end)
    for frame in frames:
        if not (frame.index.equals(rca_start.index) and frame.columns.equals(rca_start.columns)):
            raise InputError("the start and end tables must have the same regions and industries")
    n = len(rca_start)
    if n == 0:
        raise InputError("no regions")
    absent = rca_start < 1.0
    entered = absent & (rca_end >= 1.0)
    pct = density_start.rank(axis=0, pct=True)
    related = pct >= density_quantile if density_min is None else density_start >= density_min
    unrelated = entered & ~related
    d0 = industry_dispersion(values_start)
    d1 = industry_dispersion(values_end)
    names = dict(labels or {})
    rows = []
    for k in rca_start.columns:
        c = int(absent[k].sum())
        e = int(entered[k].sum())
        u = int(unrelated[k].sum())
        label = names.get(str(k), str(k))
        change = float(d1[k] - d0[k])
        trend_zh = "趋同" if change < 0 else "分化"
        trend_en = "converged" if change < 0 else "diverged"
        rows.append(
            {
                "industry": str(k),
                "name": label,
                "window": window,
                "candidates": c,
                "entrants": e,
                "entry_rate": e / c if c else np.nan,
                "unrelated_entrants": u,
                "unrelated_share": u / e if e else np.nan,
                "herding_index": u / n,
                "dispersion_start": float(d0[k]),
                "dispersion_end": float(d1[k]),
                "dispersion_change": change,
                "explanation_zh": (
                    f"{window}期间,{n}个地区中有{e}个新形成{label}的比较优势(候选{c}个),"
                    f"其中{u}个在起点缺乏关联基础(关联密度低于多数地区);"
                    f"各地区{label}占比差异{trend_zh}。"
                ),
                "explanation_en": (
                    f"In {window}, {e} of {n} regions gained a comparative advantage in {label} "
                    f"({c} could); {u} of them had no related base at the start (relatedness "
                    f"density below most regions); regions' shares of {label} {trend_en}."
                ),
            }
        )
    table = pd.DataFrame(rows).sort_values(
        ["herding_index", "entrants", "industry"], ascending=[False, False, True], ignore_index=True
    )
    stacked = pd.DataFrame(
        {
            "entered": entered.stack(),
            "related": related.stack(),
            "rca_start": rca_start.stack(),
            "rca_end": rca_end.stack(),
            "density_start": density_start.stack(),
            "density_pct": pct.stack(),
        }
    )
    entries = stacked[stacked["entered"]].drop(columns="entered")
    entries = entries.rename_axis(["region", "industry"]).reset_index()
    return table, entries[
        ["region", "industry", "rca_start", "rca_end", "density_start", "density_pct", "related"]
    ]
