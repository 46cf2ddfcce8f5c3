"""Backtesting opportunity scores (回测): did regions enter the industries ranked high?

Two region × industry tables of the same regions and industries, at t0 and t1, give with
presence M = 1[RCA ≥ threshold]:

* candidates — cells with M_cp(t0) = 0 (the cells an opportunity ranking scores);
* entries    — candidates with M_cp(t1) = 1 (RCA crossed the threshold upwards);
* exits      — cells with M_cp(t0) = 1 and M_cp(t1) = 0.

A score s_cp (higher = more likely) is judged on the candidates by

* ROC AUC — the probability that a random entry scores above a random non-entry, ties
  counting one half (Mann–Whitney U / (n₁ n₀); Hanley & McNeil 1982, *Radiology* 143:29);
* average precision AP = Σ_n (R_n − R_{n−1}) P_n over the distinct score thresholds taken
  from the top (the step-wise area under the precision–recall curve, as
  ``sklearn.metrics.average_precision_score``: no interpolation);
* precision@k — within each region, the share of its k top-scored candidates that were
  entries, averaged over the regions with at least k candidates (ties broken by the column
  order of the table); the share a reader of a top-k list would have seen come true.

Baselines: ``random`` (the expected values of a random score: AUC ½, AP and precision@k
the entry rate), ``ubiquity`` (number of regions with M_p(t0) = 1: common industries are
entered most) and ``growth`` (national growth of the industry between t0 and t1 — this one
looks ahead and is a reference, not a forecast). Entries and exits follow Hidalgo et al.
(2007, *Science* 317:482) and Neffke, Henning & Boschma (2011, *Economic Geography* 87:237).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.industry.advantage import presence, rca

__all__ = [
    "Transitions",
    "auc_and_ap",
    "average_precision",
    "cluster_bootstrap_difference",
    "decile_hit_rates",
    "evaluate_scores",
    "fold_auc",
    "precision_at_k",
    "roc_auc",
    "score_decile",
    "transitions",
    "verdict",
]


@dataclass(frozen=True)
class Transitions:
    """Presence at t0 and t1 and the cells that changed (region × industry, 0/1)."""

    rca0: pd.DataFrame
    rca1: pd.DataFrame
    candidates: pd.DataFrame
    entries: pd.DataFrame
    exits: pd.DataFrame

    def summary(self) -> dict[str, int]:
        """Counts of regions, industries, candidate cells, entries and exits."""
        return {
            "regions": int(self.rca0.shape[0]),
            "industries": int(self.rca0.shape[1]),
            "candidates": int(self.candidates.to_numpy().sum()),
            "entries": int(self.entries.to_numpy().sum()),
            "exits": int(self.exits.to_numpy().sum()),
        }


#: Draws of the cluster bootstrap (:func:`cluster_bootstrap_difference`) and its seed:
#: 200 draws put the SE within about ±5 % of its limit (relative SE of an SE ≈ 1/√(2·200)).
#: Above BOOTSTRAP_CELLS candidate cells the draws are made on a fixed random sample of
#: BOOTSTRAP_CELLS cells (drawn with BOOTSTRAP_SEED, before any draw of clusters): the SE
#: of the sample's difference is that of the full difference plus the sampling of cells,
#: so it can only overstate the SE (conservative), and a 2,800 × 1,300 backtest spends
#: seconds, not a minute, on it (200 draws × 4 scores × 2.7 M cells otherwise).
BOOTSTRAP_RESAMPLES = 200
BOOTSTRAP_CELLS = 100_000
BOOTSTRAP_SEED = 17
#: A score is "above" (or "below") a baseline when its difference is more than VERDICT_Z
#: standard errors from zero (two-sided 95 % under the normal approximation of the
#: bootstrap distribution), "tied" otherwise, and "identical" when it is the baseline
#: (difference 0 and SE 0, or by construction).
VERDICT_Z = 1.96
#: Numbers per block of bootstrap draws × thresholds held at once (8 MB of float64).
BOOTSTRAP_BATCH = 1_000_000


def transitions(
    values0: pd.DataFrame, values1: pd.DataFrame, *, threshold: float = 1.0
) -> Transitions:
    """Entries and exits between two region × industry tables of the same rows and columns.

    >>> t0 = pd.DataFrame({"a": [2.0, 1.0], "b": [1.0, 2.0]}, index=["x", "y"])
    >>> t1 = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]}, index=["x", "y"])
    >>> transitions(t0, t1).entries.to_numpy().tolist()
    [[0, 1], [1, 0]]
    """
    if not values0.index.equals(values1.index) or not values0.columns.equals(values1.columns):
        raise InputError(
            "the two periods have different regions or industries",
            hint="align them first (same rows and columns in the same order)",
        )
    r0, r1 = rca(values0), rca(values1)
    m0 = presence(r0, threshold=threshold)
    m1 = presence(r1, threshold=threshold)
    candidates = (1 - m0).astype(np.int64)
    return Transitions(
        rca0=r0,
        rca1=r1,
        candidates=candidates,
        entries=(candidates * m1).astype(np.int64),
        exits=(m0 * (1 - m1)).astype(np.int64),
    )


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve of ``score`` for the binary labels ``y`` (ties count ½).

    >>> roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.75
    """
    return auc_and_ap(y, score)[0]


def fold_auc(y: np.ndarray, score: np.ndarray, fold: np.ndarray) -> float:
    """ROC AUC over the pairs (entry, non-entry) of the same fold only: the per-fold AUCs
    averaged with weights n₁ n₀ (NaN when no fold has both classes).

    Cross-fitted scores of different folds come from different models whose intercepts
    differ with the training folds' entry rates; pooling them ("merged" AUC) then ranks
    cells of one fold against another's calibration, which biases the AUC downwards when
    folds are few and small (Forman & Scholz 2010, *SIGKDD Explorations* 12(1):49; Airola
    et al. 2011, *Comput. Stat. Data Anal.* 55:1828). A score that needs no fitting gets
    the same treatment, so the two are compared on the same pairs.

    >>> fold_auc(np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.8, 0.9]), np.array([1, 1, 2, 2]))
    1.0
    """
    y, score = _checked(y, score)
    fold = np.asarray(fold).ravel()
    if fold.shape != y.shape:
        raise InputError(f"{y.size} labels but {fold.size} fold labels")
    order = np.argsort(-score)
    return _fold_auc_sorted(score[order], y[order], fold[order])


def _fold_auc_sorted(s: np.ndarray, hits: np.ndarray, fold: np.ndarray) -> float:
    """:func:`fold_auc` on cells already sorted by descending score (a fold's cells, taken
    in that order, are sorted too: one sort serves every fold)."""
    total = weight = 0.0
    for k in np.unique(fold):
        inside = fold == k
        n1 = int(hits[inside].sum())
        n0 = int(inside.sum()) - n1
        if n1 and n0:
            total += _from_sorted(s[inside], hits[inside])[0] * n1 * n0
            weight += n1 * n0
    return total / weight if weight else float("nan")


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """Average precision Σ (R_n − R_{n−1}) P_n over distinct thresholds, from the top.

    >>> average_precision(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.8333333333333333
    """
    return auc_and_ap(y, score)[1]


def auc_and_ap(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """:func:`roc_auc` and :func:`average_precision` from one sort.

    >>> auc_and_ap(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    (0.75, 0.8333333333333333)
    """
    return _ranked(*_checked(y, score))


def _ranked(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """ROC AUC and AP from one descending sort.

    With tp_i, fp_i the cumulative entries and non-entries at the i-th distinct threshold,
    AUC = Σ_i (fp_i − fp_{i−1}) (tp_{i−1} + tp_i) / 2 / (P N) — the trapezoid of each tied
    block, which counts a tie one half — and AP = Σ_i (tp_i − tp_{i−1}) / P · tp_i / n_i.
    """
    order = np.argsort(-score)
    return _from_sorted(score[order], y[order])


def _from_sorted(
    s: np.ndarray, hits: np.ndarray, weight: np.ndarray | None = None
) -> tuple[float, float]:
    """AUC and AP of scores ``s`` sorted descending with their labels ``hits`` (each cell
    counted ``weight`` times, default once). Only the totals of each run of equal scores
    enter, so the order inside a tie (the sort need not be stable) does not change them."""
    # the last position of every run of equal scores is a threshold
    last = np.r_[np.flatnonzero(s[1:] != s[:-1]), s.size - 1]
    if weight is None:
        tp = np.cumsum(hits)[last].astype(float)
        seen = last + 1.0
    else:
        tp = np.cumsum(weight * hits)[last]
        seen = np.cumsum(weight)[last]
    fp = seen - tp
    n1 = float(tp[-1]) if tp.size else 0.0
    n0 = float(fp[-1]) if fp.size else 0.0
    if n1 == 0:
        return float("nan"), float("nan")
    gained = np.diff(np.r_[0.0, tp])
    # thresholds that add no entry add nothing (also where a zero weight leaves seen = 0)
    precision = np.divide(tp, seen, out=np.zeros_like(tp), where=gained > 0)
    ap = float(np.sum(gained / n1 * precision))
    if n0 == 0:
        return float("nan"), ap
    tp_prev = np.r_[0.0, tp[:-1]]
    auc = float(np.sum(np.diff(np.r_[0.0, fp]) * (tp_prev + tp)) / 2.0 / (n1 * n0))
    return auc, ap


def cluster_bootstrap_difference(
    y: np.ndarray,
    scores: dict[str, np.ndarray],
    baseline: np.ndarray,
    clusters: np.ndarray,
    *,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    max_cells: int = BOOTSTRAP_CELLS,
) -> pd.DataFrame:
    """Differences score − ``baseline`` in ROC AUC and AP of each of ``scores``, with their
    standard errors from a bootstrap over clusters (regions' provinces): whole clusters
    are drawn with replacement, so cells of one province, which share shocks, stay
    together (Field & Welsh 2007, *J. R. Stat. Soc. B* 69:369, on the cluster bootstrap;
    DeLong's variance would treat the cells as independent). Resampling by
    ``scipy.stats.bootstrap`` (every score on the same draws), its ``standard_error``. The
    fitted models are held fixed: the SE is that of the test sample, not of the fitting.
    ``n_resamples`` defaults to :data:`BOOTSTRAP_RESAMPLES`; above ``max_cells`` (default
    :data:`BOOTSTRAP_CELLS`) cells the SEs come from a fixed random sample of ``max_cells``
    cells (conservative: the sampling of cells adds to the spread), the differences
    themselves from all cells.

    One row per score: ``d_auc``, ``se_auc``, ``d_ap``, ``se_ap``.
    """
    from scipy.stats import bootstrap

    y, baseline = _checked(y, baseline)
    checked = {name: _checked(y, s)[1] for name, s in scores.items()}
    keys, codes = np.unique(np.asarray(clusters).ravel(), return_inverse=True)
    if codes.size != y.size:
        raise InputError(f"{y.size} labels but {codes.size} cluster labels")
    # a draw of clusters weights each cell by how often its cluster was drawn (the same AUC
    # and AP as concatenating the drawn cells): one sort per score, and each score's
    # cumulative counts per cluster at its thresholds, serve every draw as a matrix product
    every = (baseline, *checked.values())
    orders = [np.argsort(-s) for s in every]
    point = np.array([_from_sorted(s[o], y[o]) for s, o in zip(every, orders, strict=True)])
    point = (point[1:] - point[0]).reshape(-1, 2)
    if y.size > max_cells:
        sample = np.zeros(y.size, dtype=bool)
        sample[np.random.default_rng(seed).choice(y.size, size=max_cells, replace=False)] = True
        # the sampled cells of a sorted array, taken in order, are sorted
        orders = [o[sample[o]] for o in orders]
    curves = [
        _cluster_curves(s[o], y[o], codes[o], keys.size) for s, o in zip(every, orders, strict=True)
    ]

    def statistic(drawn: np.ndarray, axis: int = -1) -> np.ndarray:
        draws = np.moveaxis(drawn, axis, -1).reshape(-1, drawn.shape[axis])
        weight = np.zeros((draws.shape[0], keys.size))
        np.add.at(weight, (np.arange(draws.shape[0])[:, None], draws), 1.0)
        base, *rest = (_weighted_metrics(weight, *c) for c in curves)
        return np.concatenate([r - base for r in rest], axis=1).T

    se = np.asarray(
        bootstrap(
            (np.arange(keys.size),),
            statistic,
            vectorized=True,
            n_resamples=n_resamples,
            batch=max(1, BOOTSTRAP_BATCH // max(curves[0][0].shape[1], 1)),
            method="percentile",
            rng=np.random.default_rng(seed),
        ).standard_error
    ).reshape(-1, 2)
    return pd.DataFrame(
        {"d_auc": point[:, 0], "se_auc": se[:, 0], "d_ap": point[:, 1], "se_ap": se[:, 1]},
        index=pd.Index(list(checked), name="score"),
    )


def verdict(difference: float, se: float, *, identical: bool = False) -> str:
    """Where a score stands against the baseline from its difference and that difference's
    SE (:data:`VERDICT_Z`), Chinese first; ``identical`` when the score is the baseline by
    construction (the feasibility model that fell back on RCA in every fold).

    >>> [verdict(0.084, 0.015), verdict(0.004, 0.008), verdict(-0.05, 0.02), verdict(0, 0)]
    ['高于 above', '持平 tied', '低于 below', '等同 identical']
    """
    if identical or (difference == 0.0 and se == 0.0):
        return "等同 identical"
    if difference > VERDICT_Z * se:
        return "高于 above"
    if difference < -VERDICT_Z * se:
        return "低于 below"
    return "持平 tied"


def _cluster_curves(
    s: np.ndarray, hits: np.ndarray, codes: np.ndarray, n_clusters: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative entries and cells of each cluster (rows) at each distinct threshold of the
    descending scores ``s`` (columns)."""
    start = np.ones(s.size, dtype=bool)
    start[1:] = s[1:] != s[:-1]
    run = np.cumsum(start) - 1
    n_runs = int(run[-1]) + 1 if s.size else 0
    at = codes * n_runs + run
    size = n_clusters * n_runs
    tp = np.bincount(at, weights=hits.astype(float), minlength=size)
    seen = np.bincount(at, minlength=size).astype(float)
    return (
        tp.reshape(n_clusters, n_runs).cumsum(axis=1),
        seen.reshape(n_clusters, n_runs).cumsum(axis=1),
    )


def _weighted_metrics(weight: np.ndarray, tp_c: np.ndarray, seen_c: np.ndarray) -> np.ndarray:
    """AUC and AP (columns) for each row of cluster weights, as :func:`_from_sorted` with
    each cell weighted by its cluster's weight (NaN where a draw lacks a class)."""
    tp = weight @ tp_c
    seen = weight @ seen_c
    fp = seen - tp
    n1, n0 = tp[:, -1:], fp[:, -1:]
    gained = np.diff(tp, axis=1, prepend=0.0)
    precision = np.divide(tp, seen, out=np.zeros_like(tp), where=gained > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ap = np.sum(gained * precision, axis=1) / n1[:, 0]
        tp_prev = np.concatenate([np.zeros((tp.shape[0], 1)), tp[:, :-1]], axis=1)
        area = np.sum(np.diff(fp, axis=1, prepend=0.0) * (tp_prev + tp), axis=1)
        auc = area / 2.0 / (n1[:, 0] * n0[:, 0])
    auc = np.where((n1[:, 0] > 0) & (n0[:, 0] > 0), auc, np.nan)
    ap = np.where(n1[:, 0] > 0, ap, np.nan)
    return np.stack([auc, ap], axis=1)


def precision_at_k(
    y: pd.DataFrame | np.ndarray,
    score: pd.DataFrame | np.ndarray,
    candidates: pd.DataFrame | np.ndarray,
    k: int,
) -> float:
    """Mean over regions (rows) of the share of entries among the k top-scored candidates.

    Regions with fewer than k candidates are left out; ties are broken by column order.

    >>> y = np.array([[1, 0, 0], [0, 0, 1]])
    >>> s = np.array([[0.9, 0.5, 0.1], [0.9, 0.5, 0.1]])
    >>> precision_at_k(y, s, np.ones((2, 3)), 1)
    0.5
    """
    if k < 1:
        raise InputError(f"k must be ≥ 1, got {k}")
    hits = np.asarray(y, dtype=bool)
    cand = np.asarray(candidates, dtype=bool)
    s = np.where(cand, np.asarray(score, dtype=float), -np.inf)
    s = np.where(np.isnan(s), -np.inf, s)
    keep = cand.sum(axis=1) >= k
    if not keep.any():
        return float("nan")
    s, hit = s[keep], hits[keep] & cand[keep]
    rows = np.arange(s.shape[0])
    found = 0
    # k passes of argmax (its first maximum breaks ties by column order): O(k n), no sort
    for _ in range(k):
        best = np.argmax(s, axis=1)
        found += int(hit[rows, best].sum())
        s[rows, best] = -np.inf
    return float(found / (k * s.shape[0]))


def evaluate_scores(
    tr: Transitions,
    scores: dict[str, pd.DataFrame],
    *,
    ks: tuple[int, ...] = (3, 5),
    mask: pd.DataFrame | None = None,
    fold: pd.Series | None = None,
) -> pd.DataFrame:
    """ROC AUC, AP and precision@k of every score on the candidate cells, with baselines.

    ``scores`` maps a name to a region × industry table aligned with ``tr``; ``mask``
    (0/1, same shape) narrows the candidates (e.g. tradable industries only). Rows are the
    scores plus the ``random`` expectation; a score with missing values is judged on the
    cells where it is defined (the ``cells`` column). ``fold`` (region → cross-fitting
    fold) adds ``auc_fold``, the AUC over pairs of the same fold (:func:`fold_auc`).
    """
    cand = tr.candidates.to_numpy().astype(bool)
    if mask is not None:
        cand &= mask.reindex_like(tr.candidates).fillna(0).to_numpy().astype(bool)
    entries = tr.entries.to_numpy().astype(bool) & cand
    folds = None
    if fold is not None:
        folds = np.broadcast_to(fold.reindex(tr.candidates.index).to_numpy()[:, None], cand.shape)
    rows = []
    for name, table in scores.items():
        s = table.reindex_like(tr.candidates).to_numpy(dtype=float)
        use = cand & ~np.isnan(s)
        order = np.argsort(-s[use])
        ranked, hits = s[use][order], entries[use][order]
        auc, ap = _from_sorted(ranked, hits)
        row: dict[str, float | int | str] = {
            "score": name,
            "cells": int(use.sum()),
            "entries": int(entries[use].sum()),
            "auc": auc,
        }
        if folds is not None:
            row["auc_fold"] = _fold_auc_sorted(ranked, hits, folds[use][order])
        row["ap"] = ap
        for k in ks:
            row[f"p@{k}"] = precision_at_k(entries, s, use, k)
        rows.append(row)
    rate = entries[cand].mean() if cand.any() else float("nan")
    random: dict[str, float | int | str] = {
        "score": "random",
        "cells": int(cand.sum()),
        "entries": int(entries[cand].sum()),
        "auc": 0.5,
    }
    if folds is not None:
        random["auc_fold"] = 0.5
    random["ap"] = float(rate)
    for k in ks:
        keep = cand.sum(axis=1) >= k
        region_rate = entries[keep].sum(axis=1) / cand[keep].sum(axis=1)
        random[f"p@{k}"] = float(region_rate.mean()) if keep.any() else float("nan")
    rows.append(random)
    return pd.DataFrame(rows).set_index("score")


def decile_hit_rates(y: np.ndarray, score: np.ndarray, *, bins: int = 10) -> pd.DataFrame:
    """Share of entries among the cells of each score decile (1 = top tenth).

    The lower edge of decile d is the (1 − d/bins) quantile of the scores (decile ``bins``
    reaches down to −∞); :func:`score_decile` places new scores on the same edges.

    >>> out = decile_hit_rates(np.array([1, 0, 1, 0]), np.array([0.9, 0.1, 0.8, 0.2]), bins=2)
    >>> out[["lower", "hit_rate"]].to_dict("list")
    {'lower': [0.5, -inf], 'hit_rate': [1.0, 0.0]}
    """
    y, score = _checked(y, score)
    if y.size < bins:
        raise InputError(f"{y.size} scored cells cannot fill {bins} bins")
    lower = np.r_[np.quantile(score, 1.0 - np.arange(1, bins) / bins), -np.inf]
    decile = score_decile(score, lower)
    cells = np.bincount(decile, minlength=bins + 1)[1:]
    entries = np.bincount(decile, weights=y, minlength=bins + 1)[1:]
    with np.errstate(invalid="ignore"):
        rate = entries / cells
    return pd.DataFrame(
        {"lower": lower, "cells": cells, "entries": entries.astype(int), "hit_rate": rate},
        index=pd.Index(np.arange(1, bins + 1), name="decile"),
    )


def score_decile(score: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Decile (1 = top) of each score given the deciles' descending lower edges."""
    s = np.asarray(score, dtype=float)
    above: np.ndarray = (np.asarray(lower)[None, :-1] > s.reshape(-1, 1)).sum(axis=1)
    return 1 + above


def _checked(y: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y).ravel()
    score = np.asarray(score, dtype=float).ravel()
    if y.shape != score.shape:
        raise InputError(f"{y.size} labels but {score.size} scores")
    if np.isnan(score).any():
        raise InputError("scores contain NaN", hint="drop the cells without a score first")
    return y.astype(bool), score
