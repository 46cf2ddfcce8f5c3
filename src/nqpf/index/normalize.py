"""Normalisation of indicators (指标标准化 / 无量纲化) for composite indices.

Every method maps an indicator onto a common scale and applies its direction so that, after
normalisation, **higher is always better** (正向化). Let :math:`x_{ij}` be region-year ``i``'s
value of indicator ``j``, and let min, max, mean and standard deviation be taken over the rows
in scope (the whole panel, or the rows of one year):

``minmax``  (极差标准化) benefit :math:`(x - \\min)/(\\max - \\min)`, cost
            :math:`(\\max - x)/(\\max - \\min)`; range [0, 1].
``zscore``  (Z-score) :math:`(x - \\bar x)/s` with the sample standard deviation (ddof = 1, as
            R's ``sd`` and the OECD/JRC Handbook's Table 15); cost indicators are negated.
``max``     (比值 / 均值化 to the maximum) benefit :math:`x/\\max`, cost :math:`\\min/x`; needs
            x ≥ 0 (and x > 0 for cost); range [0, 1].
``rank``    percentile rank :math:`(r - 1)/(n - 1)` where ``r`` is the rank from worst (1) to best
            (n) among the n observed rows in scope; tied values share the lowest rank of their
            group (competition ranking, as the OECD/JRC Handbook's Table 15 and R's
            ``dplyr::percent_rank``); range [0, 1]. The Handbook's percentile is r/n.
``target``  distance to a target (目标值法), capped at the target: benefit
            :math:`\\min(x/t, 1)`, cost :math:`\\min(t/x, 1)`; needs a target ``t > 0`` for every
            indicator and x ≥ 0; range [0, 1] (1 = target reached).

Scope ``"panel"`` (default) uses one min/max (etc.) over all years, so scores are comparable
over time; ``"year"`` normalises each year's rows separately (cross-section within a year).
Missing values stay missing.

References: OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, section 5;
Becker, Caperna, Del Sorbo, Norlén, Papadimitriou & Saisana (2022), *COINr: an R package for
developing composite indicators*, JOSS 7(78), 4567.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.ingest.checks import numeric_frame, year_level
from nqpf.methods import NORMALIZE_METHODS, SCOPES, NormalizeMethod, Scope

__all__ = ["NORMALIZE_METHODS", "SCOPES", "NormalizeMethod", "Scope", "normalize"]


def normalize(
    X: pd.DataFrame,
    method: str = "minmax",
    *,
    directions: Mapping[str, int] | None = None,
    scope: str = "panel",
    targets: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Normalise every indicator column of the wide matrix ``X`` (see the module docstring).

    Parameters
    ----------
    X:
        Wide matrix, index ``(region, year)``, one numeric column per indicator.
    method:
        One of :data:`NORMALIZE_METHODS`.
    directions:
        ``{indicator: +1 | -1}``; −1 marks a cost (逆向) indicator. Indicators not named are
        benefit (+1).
    scope:
        ``"panel"`` (one reference over all rows) or ``"year"`` (per level ``year`` of the index).
    targets:
        ``{indicator: target}`` for ``method="target"``; every column needs one.

    Returns
    -------
    DataFrame of the same shape, index and columns; higher = better.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"rd": [1.0, 2.0, 3.0], "co2": [10.0, 30.0, 20.0]})
    >>> normalize(X, "minmax", directions={"co2": -1})
        rd  co2
    0  0.0  1.0
    1  0.5  0.0
    2  1.0  0.5
    """
    X = numeric_frame(X)
    if method not in NORMALIZE_METHODS:
        raise InputError(
            f"unknown normalisation method {method!r}",
            hint=f"use one of {', '.join(NORMALIZE_METHODS)}",
        )
    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}", hint="use 'panel' or 'year'")
    sign = _direction_signs(X, directions)
    target = _targets(X, targets, sign) if method == "target" else None
    if method in ("max", "target"):
        _require_non_negative(X, method)

    def apply(block: pd.DataFrame, where: str) -> pd.DataFrame:
        values = block.to_numpy()
        _require_observed(block, where)
        out = _METHODS[method](values, sign, target, block, where)
        return pd.DataFrame(out, index=block.index, columns=block.columns)

    if scope == "panel":
        return apply(X, "the panel")
    level = year_level(X.index)
    out = np.empty(X.shape)
    for year, rows in X.groupby(level=level, sort=False).indices.items():
        out[rows] = apply(X.iloc[rows], f"year {year}").to_numpy()
    return pd.DataFrame(out, index=X.index, columns=X.columns)


# --- methods: each takes (values, sign, target, block, where) and returns the scaled array ---


def _minmax(
    x: np.ndarray, sign: np.ndarray, target: np.ndarray | None, block: pd.DataFrame, where: str
) -> np.ndarray:
    lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    _require_spread(hi - lo, block, where, "min-max")
    # benefit: (x − min)/(max − min); cost: (max − x)/(max − min)
    scaled = (x - lo) / (hi - lo)
    result: np.ndarray = np.where(sign > 0, scaled, 1.0 - scaled)
    return result


def _zscore(
    x: np.ndarray, sign: np.ndarray, target: np.ndarray | None, block: pd.DataFrame, where: str
) -> np.ndarray:
    n_obs = np.sum(~np.isnan(x), axis=0)
    if (n_obs < 2).any():
        j = int(np.argmax(n_obs < 2))
        raise InputError(
            f"z-score needs at least two observed values in {where}",
            column=str(block.columns[j]),
            hint="use scope='panel' or another method",
        )
    sd = np.nanstd(x, axis=0, ddof=1)
    _require_spread(sd, block, where, "z-score")
    result: np.ndarray = sign * (x - np.nanmean(x, axis=0)) / sd
    return result


def _ratio_to_max(
    x: np.ndarray, sign: np.ndarray, target: np.ndarray | None, block: pd.DataFrame, where: str
) -> np.ndarray:
    hi = np.nanmax(x, axis=0)
    lo = np.nanmin(x, axis=0)
    for j in range(x.shape[1]):
        if sign[j] > 0 and hi[j] == 0:
            raise InputError(
                f"ratio to maximum is undefined: every value in {where} is 0",
                column=str(block.columns[j]),
                hint="drop the indicator or use another method",
            )
        if sign[j] < 0 and lo[j] == 0:
            raise InputError(
                f"ratio to maximum of a cost indicator (min/x) is undefined: a value in {where} is 0",
                column=str(block.columns[j]),
                hint="use 'minmax' for this indicator's direction or shift the data",
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        # benefit: x / max; cost: min / x
        result: np.ndarray = np.where(sign > 0, x / hi, lo / x)
    return result


def _rank(
    x: np.ndarray, sign: np.ndarray, target: np.ndarray | None, block: pd.DataFrame, where: str
) -> np.ndarray:
    oriented = pd.DataFrame(x * sign)
    ranks = oriented.rank(method="min", na_option="keep").to_numpy()
    n_obs = np.sum(~np.isnan(x), axis=0)
    if (n_obs < 2).any():
        j = int(np.argmax(n_obs < 2))
        raise InputError(
            f"percentile rank needs at least two observed values in {where}",
            column=str(block.columns[j]),
            hint="use scope='panel' or another method",
        )
    result: np.ndarray = (ranks - 1.0) / (n_obs - 1.0)
    return result


def _target(
    x: np.ndarray, sign: np.ndarray, target: np.ndarray | None, block: pd.DataFrame, where: str
) -> np.ndarray:
    assert target is not None  # checked by _targets before dispatch
    with np.errstate(divide="ignore"):
        # benefit: min(x/t, 1); cost: min(t/x, 1) (x = 0 meets any cost target)
        ratio = np.where(sign > 0, x / target, target / x)
    result: np.ndarray = np.minimum(ratio, 1.0)
    return result


_Method = Callable[[np.ndarray, np.ndarray, "np.ndarray | None", pd.DataFrame, str], np.ndarray]
_METHODS: dict[str, _Method] = {
    "minmax": _minmax,
    "zscore": _zscore,
    "max": _ratio_to_max,
    "rank": _rank,
    "target": _target,
}


# --- validation helpers ---


def _direction_signs(X: pd.DataFrame, directions: Mapping[str, int] | None) -> np.ndarray:
    directions = dict(directions or {})
    unknown = sorted(str(k) for k in directions if k not in X.columns)
    if unknown:
        raise InputError(
            "direction given for an indicator that is not in the data",
            column=unknown[0],
            hint=f"data columns are {', '.join(map(str, X.columns))}",
        )
    for key, value in directions.items():
        if value not in (1, -1):
            raise InputError(
                f"direction must be +1 (benefit) or -1 (cost), got {value!r}",
                column=str(key),
                hint="use 1 for 正向 and -1 for 逆向 indicators",
            )
    return np.array([float(directions.get(c, 1)) for c in X.columns])


def _targets(X: pd.DataFrame, targets: Mapping[str, float] | None, sign: np.ndarray) -> np.ndarray:
    targets = dict(targets or {})
    values = []
    for col in X.columns:
        if col not in targets:
            raise InputError(
                "method='target' needs a target for every indicator",
                column=str(col),
                hint="pass targets={indicator: value, …}",
            )
        t = float(targets[col])
        if not np.isfinite(t) or t <= 0:
            raise InputError(
                f"target must be a positive number, got {targets[col]!r}",
                column=str(col),
                hint="give the benchmark level in the indicator's unit",
            )
        values.append(t)
    return np.array(values)


def _require_non_negative(X: pd.DataFrame, method: str) -> None:
    negative = (X < 0).any()
    if negative.any():
        col = str(negative[negative].index[0])
        raise InputError(
            f"normalisation {method!r} needs values ≥ 0 but the indicator has negative values",
            column=col,
            hint="use 'minmax' or 'zscore' for indicators that can be negative",
        )


def _require_observed(block: pd.DataFrame, where: str) -> None:
    empty = block.isna().all()
    if empty.any():
        raise InputError(
            f"indicator is missing for every region in {where}",
            column=str(empty[empty].index[0]),
            hint="impute it (impute='linear' or 'ffill_bfill'), drop the year, or drop the indicator",
        )


def _require_spread(spread: np.ndarray, block: pd.DataFrame, where: str, name: str) -> None:
    flat = ~(spread > 0)
    if flat.any():
        j = int(np.argmax(flat))
        raise InputError(
            f"indicator is constant in {where}; {name} normalisation divides by zero",
            column=str(block.columns[j]),
            hint="drop the indicator (it cannot discriminate regions) or use scope='panel'",
        )
