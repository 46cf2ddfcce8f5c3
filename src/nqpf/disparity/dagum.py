r"""Dagum Gini coefficient and its decomposition by subgroups (Dagum 1997).

For units :math:`i` with values :math:`y_i \ge 0` and weights :math:`w_i` (1 each
unless population weights are given) split into :math:`k` groups, with group weight
:math:`W_j = \sum_{i \in j} w_i`, group mean :math:`\bar Y_j = \sum_{i\in j} w_i y_i / W_j`,
total weight :math:`W` and overall mean :math:`\mu`:

.. math::

    G      &= \frac{\sum_i \sum_r w_i w_r |y_i - y_r|}{2 W^2 \mu} \\
    G_{jj} &= \frac{\sum_{i\in j}\sum_{r\in j} w_i w_r |y_i - y_r|}{2 W_j^2 \bar Y_j}
              \quad\text{(within group j)} \\
    G_{jh} &= \frac{\sum_{i\in j}\sum_{r\in h} w_i w_r |y_i - y_r|}
                   {W_j W_h (\bar Y_j + \bar Y_h)}
              \quad\text{(between groups j and h)} \\
    p_j &= W_j / W, \qquad s_j = W_j \bar Y_j / (W \mu) \\
    D_{jh} &= \frac{d_{jh} - p_{jh}}{d_{jh} + p_{jh}}
            = \frac{|\bar Y_j - \bar Y_h|}{\Delta_{jh}}, \quad
            \Delta_{jh} = \frac{\sum_{i\in j}\sum_{r\in h} w_i w_r |y_i - y_r|}{W_j W_h} \\
    G_w &= \sum_j G_{jj}\, p_j s_j, \quad
    G_{nb} = \sum_{j<h} G_{jh} (p_j s_h + p_h s_j) D_{jh}, \quad
    G_t = \sum_{j<h} G_{jh} (p_j s_h + p_h s_j)(1 - D_{jh})

and :math:`G = G_w + G_{nb} + G_t` exactly. :math:`d_{jh}` (the gross economic
affluence) and :math:`p_{jh}` (the first-order transvariation) are the weighted means
of :math:`(y_j - y_h)^+` and :math:`(y_h - y_j)^+` with group j the richer one; their
difference is :math:`\bar Y_j - \bar Y_h` and their sum :math:`\Delta_{jh}`, which gives
the closed form of the relative economic affluence :math:`D_{jh}` used here.

With unit weights this is Dagum's formula; with population weights every unit counts in
proportion to its weight (a province stands for its residents), the convention of the
population-weighted Gini. A group with a single member has :math:`G_{jj} = 0` (there is
no within-group pair); it still enters the between-group terms, and a warning says so.

The double sums are computed from sorted values with prefix sums, in
:math:`O(n \log n)`: for sorted values, :math:`\sum_{i<r} w_i w_r (y_r - y_i) =
\sum_r w_r (y_r C_r - S_r)` with :math:`C_r, S_r` the cumulative weight and weighted
value of the units before :math:`r`.

Bootstrap confidence intervals resample units with replacement *within* each group
(so group sizes are kept) and report percentile intervals.

Reference: Dagum, C. (1997). A new approach to the decomposition of the Gini income
inequality ratio. *Empirical Economics* 22(4), 515–531.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"region": list("abcd"), "year": 2020, "value": [1.0, 2.0, 3.0, 4.0]})
>>> res = dagum_gini(data, groups={"a": "low", "b": "low", "c": "high", "d": "high"})
>>> round(float(res.summary["G"].iloc[0]), 6)
0.25
>>> round(float(res.summary[["G_w", "G_nb", "G_t"]].sum(axis=1).iloc[0]), 12)
0.25
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import InputError, NQPFWarning
from nqpf.ingest.checks import (
    GroupSpec,
    drop_missing,
    group_labels,
    group_order,
    require_columns,
    require_positive,
)

__all__ = ["DagumResult", "dagum_gini", "gini_coefficient", "pair_abs_diff_sum"]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class DagumResult:
    """Dagum decomposition, one row per year (or per ``by`` value).

    Attributes
    ----------
    summary:
        ``year, n, G, G_w, G_nb, G_t, share_w, share_nb, share_t`` (shares of G, sum 1).
    within:
        ``year, group, n, mean, G_jj``.
    between:
        ``year, group_j, group_h, G_jh, D_jh`` for every unordered pair of groups.
    options:
        The options used (groups, weight, bootstrap, ci, seed).

    With ``bootstrap > 0`` every statistic column ``X`` has ``X_low`` and ``X_high``.
    """

    summary: pd.DataFrame
    within: pd.DataFrame
    between: pd.DataFrame
    options: dict[str, object] = field(default_factory=dict)


def dagum_gini(
    data: pd.DataFrame,
    *,
    groups: GroupSpec = "four-regions",
    value: str = "value",
    weight: str | None = None,
    by: str | None = "year",
    bootstrap: int = 0,
    ci: float = 0.95,
    seed: int | None = None,
) -> DagumResult:
    """Dagum Gini decomposition per ``by`` (year) of a long region-year frame.

    Parameters
    ----------
    data:
        Long frame with columns ``region``, ``by`` (``year``), ``value`` and optionally
        ``weight``. Rows with a missing value are excluded with a warning.
    groups:
        ``"four-regions"`` (NBS 东部/中部/西部/东北), ``"three-belts"`` or a mapping
        region → group label.
    value, weight:
        Column names; ``weight`` (e.g. population) makes the Gini population-weighted.
    by:
        Column that splits the data into separate decompositions; None for one.
    bootstrap:
        Number of bootstrap replicates for percentile confidence intervals (0: none).
    ci:
        Confidence level of the intervals.
    seed:
        Seed of the bootstrap random generator.
    """
    cols = ["region", value] + ([weight] if weight else []) + ([by] if by else [])
    require_columns(data, cols, what="dagum_gini")
    if bootstrap < 0 or not 0 < ci < 1:
        raise InputError(f"bootstrap={bootstrap}, ci={ci}", hint="use bootstrap ≥ 0 and 0 < ci < 1")
    frame = drop_missing(data, cols, what="dagum_gini")
    values = frame[value].to_numpy(dtype=float)
    require_positive(values, frame["region"], what="the Gini coefficient", strict=False)
    if weight:
        require_positive(
            frame[weight].to_numpy(dtype=float), frame["region"], what="weight", strict=True
        )
    # label each distinct region once: a county panel repeats every region every year
    region_code, regions = pd.factorize(frame["region"])
    labels = group_labels(pd.Series(regions), groups)
    order = group_order(groups, labels)
    k = len(order)
    group = pd.Index(order).get_indexer(pd.Index(labels))[region_code].astype(np.int64)
    if by:
        found, year = np.unique(frame[by].to_numpy(), return_inverse=True)
        keys = list(found)
    else:
        keys, year = [None], np.zeros(len(frame), dtype=np.int64)
    wts = frame[weight].to_numpy(dtype=float) if weight else np.ones(len(frame))
    stats, count = _dagum_panel(values, wts, year, group, len(keys), k)
    empty = (count > 0) & (stats["ysum"] == 0)
    if empty.any():
        t, j = np.argwhere(empty)[0]
        raise InputError(
            f"group {order[j]!r} has mean 0{f' in {by} {keys[t]}' if by else ''}",
            column=value,
            hint="the Gini coefficient divides by group means; drop the group",
        )
    singletons = {order[j] for j in np.flatnonzero((count == 1).any(axis=0))}
    pairs = _pairs(k)
    label = {by: keys} if by else {}
    summary = pd.DataFrame({**label, "n": count.sum(axis=1)})
    for name in ("G", "G_w", "G_nb", "G_t", "share_w", "share_nb", "share_t"):
        summary[name] = stats[name]
    t_w, j_w = np.nonzero(count > 0)
    within = pd.DataFrame(
        {
            **({by: np.asarray(keys, dtype=object)[t_w]} if by else {}),
            "group": np.asarray(order, dtype=object)[j_w],
            "n": count[t_w, j_w],
            "mean": stats["mean"][t_w, j_w],
            "G_jj": stats["G_jj"][t_w, j_w],
        }
    )
    pj = np.array([j for j, _ in pairs], dtype=np.int64)
    ph = np.array([h for _, h in pairs], dtype=np.int64)
    both = (count[:, pj] > 0) & (count[:, ph] > 0) if pairs else np.zeros((len(keys), 0), bool)
    t_b, p_b = np.nonzero(both)
    between = pd.DataFrame(
        {
            **({by: np.asarray(keys, dtype=object)[t_b]} if by else {}),
            "group_j": np.asarray(order, dtype=object)[pj[p_b]] if pairs else [],
            "group_h": np.asarray(order, dtype=object)[ph[p_b]] if pairs else [],
            "G_jh": stats["G_jh"][t_b, p_b],
            "D_jh": stats["D_jh"][t_b, p_b],
        }
    )
    if by:
        for frame_ in (summary, within, between):
            frame_[by] = frame_[by].astype(frame[by].dtype)
    if bootstrap:
        summary, within, between = _with_bootstrap(
            summary,
            within,
            between,
            frame.assign(_group=np.asarray(order, dtype=object)[group]),
            value,
            weight,
            by,
            keys,
            order,
            bootstrap=bootstrap,
            rng=np.random.default_rng(seed),
            tail=(1 - ci) / 2,
        )
    if singletons:
        warnings.warn(
            f"dagum_gini: group(s) {', '.join(sorted(singletons))} have a single member; "
            "their within-group Gini G_jj is set to 0 (no pair to compare)",
            NQPFWarning,
            stacklevel=2,
        )
    return DagumResult(
        summary=summary,
        within=within,
        between=between,
        options={
            "groups": groups if isinstance(groups, str) else "custom",
            "weight": weight,
            "bootstrap": bootstrap,
            "ci": ci,
            "seed": seed,
        },
    )


def gini_coefficient(values: Any, weights: Any = None) -> float:
    r"""Gini coefficient :math:`\sum_i\sum_r w_i w_r |y_i - y_r| / (2 W^2 \mu)`.

    >>> gini_coefficient([1.0, 2.0, 3.0, 4.0])
    0.25
    """
    y = np.asarray(values, dtype=float).reshape(1, -1)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float).reshape(1, -1)
    total_w = w.sum()
    mu = float((w * y).sum() / total_w)
    return float(_within_sum(y, w)[0] / (2 * total_w**2 * mu))


def pair_abs_diff_sum(a: Any, b: Any, a_weights: Any = None, b_weights: Any = None) -> float:
    r""":math:`\sum_i \sum_r a^w_i b^w_r |a_i - b_r|` in :math:`O((n+m)\log(n+m))`.

    >>> pair_abs_diff_sum([1.0, 4.0], [2.0, 3.0])
    6.0
    """
    x = np.asarray(a, dtype=float).reshape(1, -1)
    y = np.asarray(b, dtype=float).reshape(1, -1)
    xw = np.ones_like(x) if a_weights is None else np.asarray(a_weights, float).reshape(1, -1)
    yw = np.ones_like(y) if b_weights is None else np.asarray(b_weights, float).reshape(1, -1)
    return float(_between_sum(x, xw, y, yw)[0])


def _dagum_panel(
    values: FloatArray,
    weights: FloatArray,
    year: np.ndarray,
    group: np.ndarray,
    n_years: int,
    k: int,
) -> tuple[dict[str, FloatArray], np.ndarray]:
    r"""All Dagum statistics of every year in one pass over the arrays.

    One sort by (year, value); for each unit u, :math:`C_u^h` is the weight of group h's
    units sorted before u in its year. Every pair is counted by the unit sorted later, so
    :math:`A_{jh} = \sum_{u\in j} w_u y_u (2C_u^h - W_h)` gives the between sums
    :math:`A_{jh} + A_{hj}` and the within sums :math:`2(A_{jj} + \sum_{u\in j} w_u^2 y_u)`.
    Returns the statistics (years × groups or × pairs of :func:`_pairs`) and the counts.
    """
    order = np.lexsort((values, year))
    y, w, t, g = values[order], weights[order], year[order], group[order]
    cell = t * k + g
    rows = np.arange(len(y))
    onehot = np.zeros((len(y), k))
    onehot[rows, g] = w
    before = np.cumsum(onehot, axis=0) - onehot  # weight of each group sorted before u
    starts = np.searchsorted(t, np.arange(n_years))
    base = np.vstack([before, before[-1:] + onehot[-1:]])[starts]  # …before the year began
    before -= base[t]
    wsum = np.bincount(cell, w, minlength=n_years * k).reshape(n_years, k)  # W_j
    ysum = np.bincount(cell, w * y, minlength=n_years * k).reshape(n_years, k)
    count = np.bincount(cell, minlength=n_years * k).reshape(n_years, k)
    wy = w * y
    lead = wy[:, None] * (2 * before - wsum[t])
    a = np.stack(
        [np.bincount(cell, lead[:, h], minlength=n_years * k) for h in range(k)], axis=1
    ).reshape(n_years, k, k)
    own = np.bincount(cell, wy * w, minlength=n_years * k).reshape(n_years, k)
    within = 2 * (np.einsum("tjj->tj", a) + own)  # Σ_{i,r∈j} w_i w_r |y_i − y_r|
    pairs = _pairs(k)
    pj = np.array([j for j, _ in pairs], dtype=np.int64)
    ph = np.array([h for _, h in pairs], dtype=np.int64)
    between = a[:, pj, ph] + a[:, ph, pj]  # Σ_{i∈j} Σ_{r∈h} w_i w_r |y_i − y_r|
    present = count > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = ysum / wsum  # Ȳ_j
        total_w = wsum.sum(axis=1)  # W
        mu = ysum.sum(axis=1) / total_w  # μ
        g_jj = np.where(present, within / (2 * wsum**2 * mean), np.nan)
        p = wsum / total_w[:, None]  # p_j
        s = ysum / (total_w * mu)[:, None]  # s_j
        g_w = np.where(present, g_jj * p * s, 0.0).sum(axis=1)
        both = present[:, pj] & present[:, ph]
        g_jh = np.where(
            both, between / (wsum[:, pj] * wsum[:, ph] * (mean[:, pj] + mean[:, ph])), np.nan
        )
        delta = between / (wsum[:, pj] * wsum[:, ph])  # Δ_jh = d_jh + p_jh
        gap = np.abs(mean[:, pj] - mean[:, ph])  # d_jh − p_jh
        # Δ_jh = 0 only when both groups hold one and the same value: no affluence.
        d_jh = np.where(both & (delta > 0), gap / delta, 0.0)
        # non-overlapping groups give D = 1 exactly; rounding must not push it past 1
        d_jh = np.where(both, np.clip(d_jh, 0.0, 1.0), np.nan)
        term = np.where(both, g_jh * (p[:, pj] * s[:, ph] + p[:, ph] * s[:, pj]), 0.0)
        g_nb = (term * np.nan_to_num(d_jh)).sum(axis=1)
        g_t = (term * (1 - np.nan_to_num(d_jh))).sum(axis=1)
        g = (within.sum(axis=1) + 2 * between.sum(axis=1)) / (2 * total_w**2 * mu)
        safe = np.where(g > 0, g, 1.0)
    stats = {
        "G": g,
        "G_w": g_w,
        "G_nb": g_nb,
        "G_t": g_t,
        "share_w": np.where(g > 0, g_w / safe, np.nan),
        "share_nb": np.where(g > 0, g_nb / safe, np.nan),
        "share_t": np.where(g > 0, g_t / safe, np.nan),
        "mean": mean,
        "ysum": ysum,
        "G_jj": g_jj,
        "G_jh": g_jh,
        "D_jh": d_jh,
    }
    return stats, count


def _with_bootstrap(
    summary: pd.DataFrame,
    within: pd.DataFrame,
    between: pd.DataFrame,
    frame: pd.DataFrame,
    value: str,
    weight: str | None,
    by: str | None,
    keys: list[Any],
    order: list[str],
    *,
    bootstrap: int,
    rng: np.random.Generator,
    tail: float,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Percentile intervals: units resampled with replacement within each group, per year."""
    lows: dict[tuple[str, str], list[float]] = {}

    def add(table: str, name: str, draws: FloatArray) -> None:
        lows.setdefault((table, f"{name}_low"), []).append(float(np.nanquantile(draws, tail)))
        lows.setdefault((table, f"{name}_high"), []).append(float(np.nanquantile(draws, 1 - tail)))

    for key in keys:
        part = frame[frame[by] == key] if by else frame
        present = [g for g in order if (part["_group"] == g).any()]
        vals, wts, sizes = [], [], []
        for g in present:
            sel = (part["_group"] == g).to_numpy()
            vals.append(part[value].to_numpy(dtype=float)[sel])
            wts.append(part[weight].to_numpy(dtype=float)[sel] if weight else np.ones(sel.sum()))
            sizes.append(int(sel.sum()))
        picks = [rng.integers(0, n, size=(bootstrap, n)) for n in sizes]
        bv = np.concatenate([v[i] for v, i in zip(vals, picks, strict=True)], axis=1)
        bw = np.concatenate([w[i] for w, i in zip(wts, picks, strict=True)], axis=1)
        boot = _dagum_arrays(bv, bw, sizes)
        for name in ("G", "G_w", "G_nb", "G_t", "share_w", "share_nb", "share_t"):
            add("summary", name, boot[name])
        for j in range(len(present)):
            add("within", "G_jj", boot["G_jj"][:, j])
        for pair in range(len(_pairs(len(present)))):
            add("between", "G_jh", boot["G_jh"][:, pair])
            add("between", "D_jh", boot["D_jh"][:, pair])
    tables = {"summary": summary, "within": within, "between": between}
    for table, frame_ in tables.items():
        columns: list[str] = []
        for col in frame_.columns:
            columns.append(col)
            if (table, f"{col}_low") in lows:
                frame_[f"{col}_low"] = lows[(table, f"{col}_low")]
                frame_[f"{col}_high"] = lows[(table, f"{col}_high")]
                columns += [f"{col}_low", f"{col}_high"]
        tables[table] = frame_[columns]
    return tables["summary"], tables["within"], tables["between"]


def _dagum_arrays(
    values: FloatArray, weights: FloatArray, sizes: list[int]
) -> dict[str, FloatArray]:
    """All Dagum statistics for each row of ``values`` (replicates × units).

    Columns are grouped in consecutive blocks of ``sizes``.
    """
    bounds = np.cumsum([0, *sizes])
    blocks = [slice(int(bounds[j]), int(bounds[j + 1])) for j in range(len(sizes))]
    wsum = np.stack([weights[:, b].sum(axis=1) for b in blocks], axis=1)  # W_j
    ysum = np.stack([(weights[:, b] * values[:, b]).sum(axis=1) for b in blocks], axis=1)
    mean = ysum / wsum  # Ȳ_j
    total_w = wsum.sum(axis=1)  # W
    mu = ysum.sum(axis=1) / total_w  # μ
    within = np.stack(
        [_within_sum(values[:, b], weights[:, b]) for b in blocks], axis=1
    )  # Σ_{i,r∈j} w_i w_r |y_i − y_r|
    g_jj = within / (2 * wsum**2 * mean)
    p = wsum / total_w[:, None]  # p_j
    s = ysum / (total_w * mu)[:, None]  # s_j
    g_w = (g_jj * p * s).sum(axis=1)
    pairs = _pairs(len(sizes))
    between = np.zeros((values.shape[0], len(pairs)))
    g_jh = np.zeros_like(between)
    d_jh = np.zeros_like(between)
    g_nb = np.zeros(values.shape[0])
    g_t = np.zeros(values.shape[0])
    for k, (j, h) in enumerate(pairs):
        bj, bh = blocks[j], blocks[h]
        total = _between_sum(values[:, bj], weights[:, bj], values[:, bh], weights[:, bh])
        between[:, k] = total
        g_jh[:, k] = total / (wsum[:, j] * wsum[:, h] * (mean[:, j] + mean[:, h]))
        delta = total / (wsum[:, j] * wsum[:, h])  # Δ_jh = d_jh + p_jh
        gap = np.abs(mean[:, j] - mean[:, h])  # d_jh − p_jh
        # Δ_jh = 0 only when both groups hold one and the same value: no affluence.
        d_jh[:, k] = np.divide(gap, delta, out=np.zeros_like(gap), where=delta > 0)
        # non-overlapping groups give D = 1 exactly; rounding must not push it past 1
        np.clip(d_jh[:, k], 0.0, 1.0, out=d_jh[:, k])
        term = g_jh[:, k] * (p[:, j] * s[:, h] + p[:, h] * s[:, j])
        g_nb += term * d_jh[:, k]
        g_t += term * (1 - d_jh[:, k])
    g = (within.sum(axis=1) + 2 * between.sum(axis=1)) / (2 * total_w**2 * mu)
    safe = np.where(g > 0, g, 1.0)
    return {
        "G": g,
        "G_w": g_w,
        "G_nb": g_nb,
        "G_t": g_t,
        "share_w": np.where(g > 0, g_w / safe, np.nan),
        "share_nb": np.where(g > 0, g_nb / safe, np.nan),
        "share_t": np.where(g > 0, g_t / safe, np.nan),
        "mean": mean,
        "G_jj": g_jj,
        "G_jh": g_jh,
        "D_jh": d_jh,
    }


def _within_sum(values: FloatArray, weights: FloatArray) -> FloatArray:
    """Σ_i Σ_r w_i w_r |y_i − y_r| per row, from sorted values and prefix sums."""
    order = np.argsort(values, axis=1, kind="stable")
    y = np.take_along_axis(values, order, axis=1)
    w = np.take_along_axis(weights, order, axis=1)
    before_w = np.cumsum(w, axis=1) - w  # C_r: weight of the units below r
    before_wy = np.cumsum(w * y, axis=1) - w * y  # S_r: their weighted values
    # each unordered pair once, so twice for the ordered double sum
    result: FloatArray = 2 * (w * (y * before_w - before_wy)).sum(axis=1)
    return result


def _between_sum(a: FloatArray, aw: FloatArray, b: FloatArray, bw: FloatArray) -> FloatArray:
    """Σ_{i∈a} Σ_{r∈b} w_i w_r |a_i − b_r| per row: one sort of the pooled values."""
    y = np.concatenate([a, b], axis=1)
    w = np.concatenate([aw, bw], axis=1)
    in_a = np.concatenate([np.ones_like(a), np.zeros_like(b)], axis=1)
    order = np.argsort(y, axis=1, kind="stable")
    y = np.take_along_axis(y, order, axis=1)
    w = np.take_along_axis(w, order, axis=1)
    in_a = np.take_along_axis(in_a, order, axis=1)
    wa, wb = w * in_a, w * (1 - in_a)
    # every cross pair is counted by whichever of its two units sorts later
    ca, sa = np.cumsum(wa, axis=1) - wa, np.cumsum(wa * y, axis=1) - wa * y
    cb, sb = np.cumsum(wb, axis=1) - wb, np.cumsum(wb * y, axis=1) - wb * y
    result: FloatArray = (wa * (y * cb - sb) + wb * (y * ca - sa)).sum(axis=1)
    return result


def _pairs(k: int) -> list[tuple[int, int]]:
    return [(j, h) for j in range(k) for h in range(j + 1, k)]
