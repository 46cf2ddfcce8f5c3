"""Aggregation of normalised indicators into a composite score (综合指数).

``N`` is the normalised, direction-adjusted matrix (higher = better), rows = region-years;
``w`` are weights over its columns (non-negative, summing to 1). Methods:

``linear``     weighted arithmetic mean (线性加权) :math:`S_i = \\sum_j w_j x_{ij}`; fully
               compensatory (OECD/JRC 2008 Handbook, section 6.2).
``geometric``  weighted geometric mean :math:`S_i = \\prod_j x_{ij}^{w_j}`; needs x ≥ 0. A zero in
               an indicator with positive weight makes the score 0 (no compensation for a zero);
               normalise with ``max``/``target`` or a min-max that avoids 0 if that is not wanted.
``topsis``     TOPSIS (逼近理想解法; Hwang & Yoon 1981): with v_ij = w_j x_ij, the ideal
               v⁺_j = max_i v_ij and anti-ideal v⁻_j = min_i v_ij (over the panel or per year),
               :math:`D^+_i = \\sqrt{\\sum_j (v_{ij} - v^+_j)^2}`,
               :math:`D^-_i = \\sqrt{\\sum_j (v_{ij} - v^-_j)^2}`, closeness
               :math:`C_i = D^-_i / (D^+_i + D^-_i)` in [0, 1]. Because N is already direction-
               adjusted, max is always the ideal; with min-max N this equals pymcdm's and
               pyrepo-mcda's TOPSIS with min-max normalisation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.ingest.checks import (
    numeric_frame,
    require_complete,
    require_non_negative,
    require_unit_sum,
    year_level,
)
from nqpf.methods import AGGREGATE_METHODS, AggregateMethod

__all__ = ["AGGREGATE_METHODS", "AggregateMethod", "aggregate"]


def aggregate(
    N: pd.DataFrame,
    weights: pd.Series,
    method: str = "linear",
    *,
    ideal_scope: str = "panel",
) -> pd.Series:
    """Aggregate the normalised matrix ``N`` with ``weights`` (see the module docstring).

    ``ideal_scope`` (``"panel"`` or ``"year"``) only matters for TOPSIS. Returns a Series indexed
    like ``N``'s rows, named ``"index"``.

    Examples
    --------
    >>> import pandas as pd
    >>> N = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 0.5]})
    >>> aggregate(N, pd.Series({"a": 0.25, "b": 0.75})).tolist()
    [0.75, 0.625]
    """
    N = numeric_frame(N, what="normalised matrix")
    if method not in AGGREGATE_METHODS:
        raise InputError(
            f"unknown aggregation method {method!r}",
            hint=f"use one of {', '.join(AGGREGATE_METHODS)}",
        )
    if ideal_scope not in ("panel", "year"):
        raise InputError(f"unknown ideal_scope {ideal_scope!r}", hint="use 'panel' or 'year'")
    w = _aligned_weights(N, weights)
    require_complete(N, method=f"{method} aggregation")
    x = N.to_numpy()
    if method == "linear":
        score = x @ w
    elif method == "geometric":
        require_non_negative(
            N,
            method="geometric aggregation",
            hint="normalise with 'minmax', 'max', 'rank' or 'target' (not 'zscore'), or use linear",
        )
        with np.errstate(divide="ignore"):
            # Π x^w = exp(Σ w ln x); an x = 0 with w > 0 gives 0, with w = 0 it is ignored
            logs = np.where(w > 0, np.log(np.where(x > 0, x, 0.0)), 0.0)
        score = np.exp(logs @ w)
    elif ideal_scope == "panel":
        score = _topsis(x, w)
    else:
        level = year_level(N.index)
        score = np.empty(len(N))
        for rows in N.groupby(level=level, sort=False).indices.values():
            score[rows] = _topsis(x[rows], w)
    return pd.Series(score, index=N.index, name="index")


def _topsis(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    v = x * w
    d_plus = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    total = d_plus + d_minus
    if (total == 0).any():
        raise InputError(
            "TOPSIS is undefined: every weighted indicator is constant over the rows in scope",
            hint="use ideal_scope='panel', other weights, or linear aggregation",
        )
    closeness: np.ndarray = d_minus / total
    return closeness


def _aligned_weights(N: pd.DataFrame, weights: pd.Series) -> np.ndarray:
    if not isinstance(weights, pd.Series):
        raise InputError(
            f"weights must be a pandas Series indexed by indicator, got {type(weights).__name__}",
            hint="e.g. nqpf.index.weights.entropy_weights(N)",
        )
    unknown = [k for k in weights.index if k not in N.columns]
    if unknown:
        raise InputError(
            "weight given for an indicator that is not in the matrix",
            column=str(unknown[0]),
            hint="compute the weights on the same columns",
        )
    missing = [c for c in N.columns if c not in weights.index]
    if missing:
        raise InputError(
            "no weight for this indicator",
            column=str(missing[0]),
            hint="give every column a weight",
        )
    w = weights.reindex(N.columns).to_numpy(dtype=float)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        j = int(np.argmax(bad))
        raise InputError(
            f"weight must be a non-negative number, got {w[j]!r}",
            column=str(N.columns[j]),
            hint="use weights ≥ 0 that sum to 1",
        )
    require_unit_sum(float(w.sum()))
    return w
