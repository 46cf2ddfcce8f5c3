"""Indicator weights (赋权): equal, entropy, CRITIC, PCA, AHP, expert, and their combinations.

``X`` given to the objective methods is the **normalised** matrix (higher = better), one row per
region-year in scope. Every returned Series is indexed by ``X``'s columns, non-negative and sums
to 1.

Entropy weight method (熵权法; Shannon 1948, as used for MCDM by Zeleny 1982 and
Hwang & Yoon 1981). With n rows::

    p_ij = x_ij / Σ_i x_ij,   e_j = −k Σ_i p_ij ln p_ij,   k = 1 / ln n,
    d_j = 1 − e_j,            w_j = d_j / Σ_j d_j.

Zero convention (``zero=``):

* ``"0log0"`` (default): 0·ln 0 = 0, the limit of p ln p. Same as pyrepo-mcda's
  ``entropy_weighting``. pymcdm 1.4's ``entropy_weights`` refuses a matrix holding a zero (its
  sum normalisation needs x > 0) and, past that check, would set a column's whole entropy to 0
  when it holds a zero, making that weight maximal; without zeros all three agree.
* ``"shift"``: x_ij + ε before p_ij (ε = ``shift``, default 1e-5), the convention of many
  Chinese NQPF papers that translate min-max scores by 0.00001.

CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995, Computers & Operations Research 22(7)):
C_j = σ_j Σ_k (1 − r_jk) with σ_j the standard deviation of column j and r the Pearson
correlation matrix; w_j = C_j / Σ C. The ddof of σ cancels in the normalisation.

PCA weights (主成分分析赋权), the variant documented here: standardise the columns
(z-scores), eigen-decompose their correlation matrix, keep the first m components whose
cumulative explained variance reaches ``min_variance`` (default 0.85), take the absolute loadings
|a_jk| = |u_jk| √λ_k, and weight each indicator by Σ_k (λ_k / Σ_{k≤m} λ) |a_jk|, normalised to
sum 1 (cf. OECD/JRC 2008 Handbook, section 6.1, which uses rotated squared loadings instead).

AHP (Saaty 1977, J. Math. Psychology 15(3); Saaty 1980, *The Analytic Hierarchy Process*): w is
the principal right eigenvector of the reciprocal pairwise matrix A, λ_max its eigenvalue,
CI = (λ_max − n)/(n − 1), CR = CI/RI with Saaty's random index RI (Saaty 1980, table for
n = 1…10: 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49).

Game-theory combination (博弈论组合赋权): with L base vectors w_1…w_L, find α minimising
‖Σ_k α_k w_k − w_l‖ for every l, whose first-order conditions are the linear system
Σ_k α_k (w_l·w_k) = w_l·w_l (l = 1…L); then α* = |α| / Σ|α| and w = Σ_k α*_k w_k. A
singular system (e.g. identical base vectors) is solved in least squares with minimum norm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.ingest.checks import (
    numeric_frame,
    require_complete,
    require_non_negative,
    require_unit_sum,
)

__all__ = [
    "COMBINE_METHODS",
    "SAATY_RANDOM_INDEX",
    "WEIGHT_METHODS",
    "AHPResult",
    "CombineMethod",
    "WeightMethod",
    "ahp_weights",
    "combine_weights",
    "compute_weights",
    "critic_weights",
    "entropy_weights",
    "equal_weights",
    "expert_weights",
    "pca_weights",
]

WeightMethod = Literal["equal", "entropy", "critic", "pca"]
WEIGHT_METHODS: tuple[str, ...] = get_args(WeightMethod)
CombineMethod = Literal["mean", "geometric", "game"]
COMBINE_METHODS: tuple[str, ...] = get_args(CombineMethod)
ENTROPY_ZERO_CONVENTIONS: tuple[str, ...] = ("0log0", "shift")
DEFAULT_ENTROPY_SHIFT = 1e-5  # the ε = 0.00001 translation of most NQPF papers
DEFAULT_PCA_VARIANCE = 0.85  # keep components up to 85% cumulative explained variance
RECIPROCITY_TOLERANCE = 1e-6  # relative tolerance on a_ij · a_ji = 1
SHARE_ROUNDING = 1e-12  # cumulative explained variance can miss e.g. 1.0 by float rounding

#: Saaty's random consistency index RI by matrix order n (Saaty 1980, *The Analytic Hierarchy
#: Process*, McGraw-Hill, table 1.7 as commonly reproduced).
SAATY_RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}


@dataclass(frozen=True)
class AHPResult:
    """Result of :func:`ahp_weights`: weights and Saaty's consistency statistics."""

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float
    ri: float


def equal_weights(X: pd.DataFrame) -> pd.Series:
    """Equal weights 1/m for the m columns of ``X``."""
    X = numeric_frame(X)
    m = X.shape[1]
    return pd.Series(np.full(m, 1.0 / m), index=X.columns, name="weight")


def entropy_weights(
    X: pd.DataFrame, *, zero: str = "0log0", shift: float = DEFAULT_ENTROPY_SHIFT
) -> pd.Series:
    """Entropy weights (熵权法) of the normalised matrix ``X``; formula in the module docstring.

    ``zero="0log0"`` uses 0·ln 0 = 0; ``zero="shift"`` adds ``shift`` (ε) to every value first.
    Raises :class:`~nqpf.errors.InputError` on missing or negative values, an all-zero column, or
    a constant column (its entropy is 1 and it carries no information).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0]})
    >>> entropy_weights(X).round(4).tolist()
    [0.274, 0.726]
    """
    X = _objective_input(X, "entropy weights")
    if zero not in ENTROPY_ZERO_CONVENTIONS:
        raise InputError(f"unknown entropy zero convention {zero!r}", hint="use '0log0' or 'shift'")
    require_non_negative(
        X, method="the entropy method", hint="normalise with 'minmax', 'max' or 'rank' first"
    )
    x = X.to_numpy()
    if zero == "shift":
        if not (np.isfinite(shift) and shift > 0):
            raise InputError(f"entropy shift must be positive, got {shift!r}", hint="e.g. 1e-5")
        x = x + shift
    _require_not_constant(X, x, "the entropy method")
    totals = x.sum(axis=0)
    if (totals == 0).any():
        j = int(np.argmax(totals == 0))
        raise InputError(
            "indicator is 0 for every row; its entropy is undefined",
            column=str(X.columns[j]),
            hint="drop the indicator or use zero='shift'",
        )
    return _normalised(entropy_divergence(x), X.columns)


def entropy_divergence(x: np.ndarray) -> np.ndarray:
    """``d_j = 1 − e_j`` of every column of a complete matrix with non-negative, non-constant
    columns (checked by :func:`entropy_weights`; the uncertainty engine checks once)."""
    n = x.shape[0]
    p = x / x.sum(axis=0)
    # 0·ln 0 = 0: the limit of p ln p as p → 0
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    divergence: np.ndarray = 1.0 - (-plogp.sum(axis=0) / np.log(n))
    return divergence


def critic_weights(X: pd.DataFrame) -> pd.Series:
    """CRITIC weights: C_j = σ_j Σ_k (1 − r_jk), w = C / ΣC (Diakoulaki et al. 1995).

    Raises :class:`~nqpf.errors.InputError` on missing values or a constant column (its
    correlations are undefined).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [1.0, 0.0, 0.5]})
    >>> critic_weights(X).round(4).tolist()
    [0.5, 0.5]
    """
    X = _objective_input(X, "CRITIC weights")
    x = X.to_numpy()
    _require_not_constant(X, x, "CRITIC")
    sigma = x.std(axis=0, ddof=1)
    r = np.atleast_2d(np.corrcoef(x, rowvar=False))
    return _normalised(sigma * (1.0 - r).sum(axis=0), X.columns)


def pca_weights(X: pd.DataFrame, *, min_variance: float = DEFAULT_PCA_VARIANCE) -> pd.Series:
    """PCA weights (variant in the module docstring): variance-weighted absolute loadings.

    Raises :class:`~nqpf.errors.InputError` on missing values or a constant column.
    """
    X = _objective_input(X, "PCA weights")
    if not 0 < min_variance <= 1:
        raise InputError(f"min_variance must be in (0, 1], got {min_variance!r}", hint="e.g. 0.85")
    x = X.to_numpy()
    _require_not_constant(X, x, "PCA weighting")
    if x.shape[1] == 1:
        return _normalised(np.ones(1), X.columns)
    corr = np.corrcoef(x, rowvar=False)
    eigval, eigvec = np.linalg.eigh(corr)
    order = np.argsort(eigval)[::-1]
    eigval, eigvec = np.clip(eigval[order], 0.0, None), eigvec[:, order]
    share = np.cumsum(eigval) / eigval.sum()
    # first m with cumulative share ≥ min_variance, tolerating the rounding of the share sums
    m = min(int(np.searchsorted(share, min_variance - SHARE_ROUNDING) + 1), len(eigval))
    loadings = np.abs(eigvec[:, :m]) * np.sqrt(eigval[:m])
    return _normalised(loadings @ (eigval[:m] / eigval[:m].sum()), X.columns)


def ahp_weights(pairwise: pd.DataFrame, *, max_cr: float = 0.1) -> AHPResult:
    """AHP weights from Saaty's pairwise-comparison matrix (层次分析法), with consistency check.

    ``pairwise`` is square with the same labels on rows and columns; a_ij says how much more
    important i is than j (1–9 scale), a_ji = 1/a_ij. Raises
    :class:`~nqpf.errors.InputError` when the matrix is not square/positive/reciprocal, when
    n > 10 (no RI), or when CR > ``max_cr``.

    Examples
    --------
    >>> import pandas as pd
    >>> A = pd.DataFrame([[1, 3], [1 / 3, 1]], index=["a", "b"], columns=["a", "b"])
    >>> ahp_weights(A).weights.tolist()
    [0.75, 0.25]
    """
    a = _pairwise_matrix(pairwise)
    n = a.shape[0]
    if n not in SAATY_RANDOM_INDEX:
        raise InputError(
            f"AHP matrix of order {n}: Saaty's random index is tabulated for n ≤ 10 only",
            hint="group the criteria into sub-criteria of at most 10 each",
        )
    eigval, eigvec = np.linalg.eig(a)
    k = int(np.argmax(eigval.real))
    lambda_max = float(eigval[k].real)
    vector = np.abs(eigvec[:, k].real)  # Perron vector: one sign, take it positive
    weights = pd.Series(vector / vector.sum(), index=pairwise.index, name="weight")
    ci = (lambda_max - n) / (n - 1) if n > 1 else 0.0
    ri = SAATY_RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    if cr > max_cr:
        raise InputError(
            f"AHP matrix is inconsistent: CR = {cr:.4f} > {max_cr} "
            f"(λ_max = {lambda_max:.4f}, CI = {ci:.4f}, RI = {ri})",
            hint="revise the pairwise judgements, or raise max_cr if you accept the inconsistency",
        )
    return AHPResult(weights=weights, lambda_max=lambda_max, ci=ci, cr=cr, ri=ri)


def expert_weights(mapping: Mapping[str, float], columns: Sequence[str] | pd.Index) -> pd.Series:
    """Weights given by experts: validated to name every column, be ≥ 0 and sum to 1."""
    columns = list(columns)
    unknown = [k for k in mapping if k not in columns]
    if unknown:
        raise InputError(
            "weight given for an unknown indicator",
            column=str(unknown[0]),
            hint=f"known indicators: {', '.join(map(str, columns))}",
        )
    missing = [c for c in columns if c not in mapping]
    if missing:
        raise InputError(
            "no weight given for this indicator",
            column=str(missing[0]),
            hint="give a weight for every indicator (0 to leave one out)",
        )
    values = np.array([float(mapping[c]) for c in columns])
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        j = int(np.argmax(bad))
        raise InputError(
            f"weight must be a non-negative number, got {mapping[columns[j]]!r}",
            column=str(columns[j]),
            hint="use weights ≥ 0 that sum to 1",
        )
    total = float(values.sum())
    require_unit_sum(total, what="expert weights")
    return pd.Series(values / total, index=pd.Index(columns), name="weight")


def compute_weights(X: pd.DataFrame, method: str, **options: Any) -> pd.Series:
    """Dispatch to the objective weighting ``method`` in :data:`WEIGHT_METHODS`.

    ``options`` are passed on (e.g. ``zero``/``shift`` for entropy, ``min_variance`` for PCA).
    """
    if method == "equal":
        return equal_weights(X, **options)
    if method == "entropy":
        return entropy_weights(X, **options)
    if method == "critic":
        return critic_weights(X, **options)
    if method == "pca":
        return pca_weights(X, **options)
    raise InputError(
        f"unknown weighting method {method!r}",
        hint=f"use one of {', '.join(WEIGHT_METHODS)} (AHP and expert weights are given directly)",
    )


def combine_weights(weights: Sequence[pd.Series], how: str = "mean") -> pd.Series:
    """Combine several weight vectors over the same indicators (组合赋权).

    ``"mean"`` arithmetic mean; ``"geometric"`` Π_k w_k^(1/L) renormalised (a zero in any
    vector gives 0); ``"game"`` game-theory combination (module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.Series([0.2, 0.8], index=["x", "y"])
    >>> b = pd.Series([0.6, 0.4], index=["x", "y"])
    >>> combine_weights([a, b], "mean").round(6).tolist()
    [0.4, 0.6]
    """
    if how not in COMBINE_METHODS:
        raise InputError(
            f"unknown combination {how!r}", hint=f"use one of {', '.join(COMBINE_METHODS)}"
        )
    if len(weights) == 0:
        raise InputError("no weight vectors to combine", hint="give at least one")
    index = weights[0].index
    for k, w in enumerate(weights):
        if not w.index.equals(index) and set(w.index) != set(index):
            raise InputError(
                f"weight vector {k + 1} does not cover the same indicators as the first",
                hint="compute every weight vector on the same indicator columns",
            )
    W = np.column_stack([w.reindex(index).to_numpy(dtype=float) for w in weights])
    if np.isnan(W).any() or (W < 0).any():
        raise InputError("weights to combine must be non-negative numbers", hint="check inputs")
    if (W.sum(axis=0) <= 0).any():
        raise InputError("a weight vector to combine is all zero", hint="check inputs")
    return _normalised(combine_arrays(W, how), index)


def combine_arrays(W: np.ndarray, how: str) -> np.ndarray:
    """The combination of the weight vectors in the columns of ``W`` (valid, non-zero), before
    the final normalisation to sum 1 (see :func:`combine_weights`)."""
    W = W / W.sum(axis=0)
    combined: np.ndarray
    if how == "mean":
        combined = W.mean(axis=1)
    elif how == "geometric":
        with np.errstate(divide="ignore"):
            combined = np.exp(np.log(W).mean(axis=1))
    else:
        gram = W.T @ W  # (w_l · w_k)
        alpha = np.linalg.lstsq(gram, np.diag(gram), rcond=None)[0]
        alpha = np.abs(alpha) / np.abs(alpha).sum()
        combined = W @ alpha
    return combined


# --- private helpers ---


def _objective_input(X: pd.DataFrame, method: str) -> pd.DataFrame:
    X = numeric_frame(X)
    require_complete(X, method=method)
    if X.shape[0] < 2:
        raise InputError(f"{method} need at least two rows (region-years)", hint="add regions")
    return X


def _require_not_constant(X: pd.DataFrame, x: np.ndarray, method: str) -> None:
    constant = np.ptp(x, axis=0) == 0
    if constant.any():
        j = int(np.argmax(constant))
        raise InputError(
            f"indicator is constant ({x[0, j]:g} for every row); {method} is undefined for it",
            column=str(X.columns[j]),
            hint="drop the indicator or give it a fixed weight",
        )


def _normalised(values: np.ndarray, index: pd.Index) -> pd.Series:
    total = float(values.sum())
    if not np.isfinite(total) or total <= 0:
        raise InputError(
            "weights are all zero: no indicator discriminates the rows",
            hint="check the data or use equal weights",
        )
    return pd.Series(values / total, index=index, name="weight")


def _pairwise_matrix(pairwise: pd.DataFrame) -> np.ndarray:
    if not isinstance(pairwise, pd.DataFrame) or pairwise.shape[0] != pairwise.shape[1]:
        raise InputError(
            "AHP pairwise matrix must be a square DataFrame", hint="rows and columns = criteria"
        )
    if not pairwise.index.equals(pairwise.columns):
        raise InputError(
            "AHP pairwise matrix must have the same labels, in the same order, on rows and columns",
            hint="reorder with pairwise.loc[labels, labels]",
        )
    a = pairwise.to_numpy(dtype=float)
    bad = ~np.isfinite(a) | (a <= 0)
    if bad.any():
        i, j = (int(v[0]) for v in np.nonzero(bad))
        raise InputError(
            f"AHP judgement a[{pairwise.index[i]}, {pairwise.columns[j]}] = {a[i, j]!r} "
            "must be a positive number",
            column=str(pairwise.columns[j]),
            hint="use Saaty's 1–9 scale and its reciprocals",
        )
    off = np.abs(a * a.T - 1.0) > RECIPROCITY_TOLERANCE
    if off.any():
        i, j = (int(v[0]) for v in np.nonzero(off))
        raise InputError(
            f"AHP matrix is not reciprocal: a[{pairwise.index[i]}, {pairwise.columns[j]}] = "
            f"{a[i, j]:g} but a[{pairwise.columns[j]}, {pairwise.index[i]}] = {a[j, i]:g}",
            column=str(pairwise.columns[j]),
            hint="set a_ji = 1 / a_ij and a_ii = 1",
        )
    return a
