"""Outlier treatment (异常值处理) between imputation and normalisation, as in the OECD/JRC
Handbook and COINr's ``Treat`` / ``qTreat``.

For each indicator (pooled over the panel, or within each year, following the assessment's
normalisation scope), with the sample statistics Excel and COINr use
(``e1071`` type 2; ``scipy.stats.skew(bias=False)``, ``scipy.stats.kurtosis(bias=False)``)::

    G1 = √(n(n−1))/(n−2) · m3 / m2^{3/2}                                 skewness
    G2 = (n−1)/((n−2)(n−3)) · ((n+1) · m4/m2² − 3(n−1))                  excess kurtosis

the indicator **fails** when ``|G1| ≥ skew_threshold`` *and* ``G2 ≥ kurtosis_threshold``
(defaults 2 and 3.5, COINr's). Methods:

``none``    nothing is changed.
``winsor``  a failing indicator is winsorised one point at a time: with G1 ≥ 0 the highest value
            (all tied copies) takes the next highest value, with G1 < 0 the lowest takes the next
            lowest; the test is repeated after each step, up to ``winsor_max`` points (default 5).
            It may still fail after that; it is then left winsorised.
``log``     a failing indicator is replaced by ``1 + ln(1 + (x − min x)/a)`` with
            ``a = 0.01·(max x − min x)``: COINr's ``log_CT``, ``ln(x − min x + a)``, minus the
            constant ``ln a`` plus 1, constants that min-max and z-score normalisation remove
            anyway; this keeps the treated values ≥ 1 (1 at the minimum) so ratio-to-maximum
            normalisation stays defined for benefit (x / max) and cost (min / x) indicators, and
            geometric aggregation too. Monotone increasing: the direction is kept.
``jrc``     ``winsor`` first; if the indicator still fails after ``winsor_max`` points, the
            winsorisation is undone and ``log`` is applied to the original values (COINr's default
            ``Treat``: ``f1 = winsorise``, ``f2 = log_CT``, ``combine_treat = FALSE``).

A point is counted once however many steps move it (the winsorised points are the tied top or
bottom values, so this is COINr's ``nwin``). Every treated cell is flagged (``winhi``, ``winlo`` or ``log``) and each indicator's statistics before
and after are in the treatment table.

References: OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 3/5;
Becker, W. et al. (2022), COINr: an R package for developing composite indicators, *JOSS* 7(78),
4567; the JRC COIN audits (e.g. the Global Innovation Index statistical audit) use the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.ingest.checks import numeric_frame

__all__ = [
    "OUTLIER_METHODS",
    "OutlierMethod",
    "OutlierTreatment",
    "kurtosis",
    "log_ct",
    "skewness",
    "treat_outliers",
    "winsorise",
]

OutlierMethod = Literal["none", "jrc", "winsor", "log"]
OUTLIER_METHODS: tuple[str, ...] = get_args(OutlierMethod)

#: Share of the range added before the log so the minimum maps to ln(0.01·range), not −∞ (COINr).
LOG_OFFSET_SHARE = 0.01


@dataclass(frozen=True)
class OutlierTreatment:
    """Treated matrix, per-cell flags ("" where unchanged) and one row per indicator (and year,
    under ``scope="year"``) with the statistics before and after."""

    treated: pd.DataFrame
    flags: pd.DataFrame
    table: pd.DataFrame

    @property
    def treated_indicators(self) -> list[str]:
        changed = self.table[self.table["action"] != "none"]
        return sorted(set(changed["indicator"].astype(str)))


def skewness(x: np.ndarray) -> float:
    """Sample skewness G1 (Excel SKEW, e1071 type 2); NaN with < 3 values or no spread."""
    x = x[~np.isnan(x)]
    n = x.size
    d = x - x.mean()
    m2 = float(np.mean(d**2))
    if n < 3 or m2 <= 0.0:
        return float("nan")
    g1 = float(np.mean(d**3)) / m2**1.5
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(x: np.ndarray) -> float:
    """Sample excess kurtosis G2 (Excel KURT, e1071 type 2); NaN with < 4 values or no spread."""
    x = x[~np.isnan(x)]
    n = x.size
    d = x - x.mean()
    m2 = float(np.mean(d**2))
    if n < 4 or m2 <= 0.0:
        return float("nan")
    r = float(np.mean(d**4)) / m2**2
    return (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * r - 3 * (n - 1))


def _fails(x: np.ndarray, skew_threshold: float, kurtosis_threshold: float) -> bool:
    g1, g2 = skewness(x), kurtosis(x)
    if np.isnan(g1) or np.isnan(g2):
        return False
    return abs(g1) >= skew_threshold and g2 >= kurtosis_threshold


def winsorise(
    x: np.ndarray,
    *,
    winsor_max: int = 5,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Winsorise ``x`` one extreme at a time until it passes or ``winsor_max`` points changed.

    Returns the new values and the flags (``"winhi"``/``"winlo"``/``""``).

    >>> x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100])
    >>> y, flags = winsorise(x)
    >>> y[-2:].tolist(), [f for f in flags if f]
    ([30.0, 30.0], ['winhi'])
    """
    y = x.astype(float, copy=True)
    flags = np.full(y.shape, "", dtype=object)
    while int((flags != "").sum()) < winsor_max and _fails(y, skew_threshold, kurtosis_threshold):
        seen = ~np.isnan(y)
        high = skewness(y) >= 0
        extreme = np.nanmax(y) if high else np.nanmin(y)
        at = seen & (y == extreme)
        rest = y[seen & ~at]
        if rest.size == 0:
            break
        y[at] = rest.max() if high else rest.min()
        flags[at] = "winhi" if high else "winlo"
    return y, flags


def log_ct(x: np.ndarray) -> np.ndarray:
    """``1 + ln(1 + (x − min x)/a)``, ``a = 0.01·(max x − min x)``: COINr's ``log_CT`` shifted to
    1 at the minimum; NaN stays NaN."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    out: np.ndarray = 1.0 + np.log1p((x - lo) / (LOG_OFFSET_SHARE * (hi - lo)))
    return out


def treat_outliers(
    X: pd.DataFrame,
    method: str = "jrc",
    *,
    scope: str = "panel",
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    winsor_max: int = 5,
) -> OutlierTreatment:
    """Treat outliers of every column of ``X`` (rows region-year) by ``method`` (module docstring).

    ``scope="panel"`` treats each indicator over all rows; ``"year"`` within each year (needs a
    ``year`` index level).
    """
    X = numeric_frame(X)
    if method not in OUTLIER_METHODS:
        raise InputError(
            f"unknown outlier treatment {method!r}",
            column="outliers",
            hint=f"use one of {', '.join(OUTLIER_METHODS)}",
        )
    if scope not in ("panel", "year"):
        raise InputError(f"unknown scope {scope!r}", column="scope", hint="use panel or year")
    if not skew_threshold > 0:
        raise InputError(
            f"skew threshold {skew_threshold} must be > 0", column="skew_threshold", hint="e.g. 2"
        )
    if not np.isfinite(kurtosis_threshold):
        raise InputError(
            f"kurtosis threshold {kurtosis_threshold} must be finite",
            column="kurtosis_threshold",
            hint="e.g. 3.5",
        )
    if not (isinstance(winsor_max, int | np.integer) and winsor_max >= 0):
        raise InputError(
            f"winsor_max {winsor_max!r} must be a whole number ≥ 0",
            column="winsor_max",
            hint="e.g. 5",
        )
    if scope == "year":
        if not (isinstance(X.index, pd.MultiIndex) and "year" in X.index.names):
            raise InputError(
                "scope='year' needs a row index with a level named 'year'",
                hint="index the wide matrix by (region, year)",
            )
        years = X.index.get_level_values("year").to_numpy()
        groups: list[tuple[int | None, np.ndarray]] = [
            (int(y), np.flatnonzero(years == y)) for y in sorted(set(years.tolist()))
        ]
    else:
        groups = [(None, np.arange(len(X)))]
    values = X.to_numpy(copy=True)
    flags = np.full(values.shape, "", dtype=object)
    rows: list[dict[str, object]] = []
    opts = {"skew_threshold": skew_threshold, "kurtosis_threshold": kurtosis_threshold}
    for j, col in enumerate(X.columns):
        for year, idx in groups:
            x = values[idx, j]
            before = (skewness(x), kurtosis(x))
            action, new, flag = "none", x, np.full(x.shape, "", dtype=object)
            failed = method != "none" and _fails(x, skew_threshold, kurtosis_threshold)
            if failed and method in ("winsor", "jrc"):
                new, flag = winsorise(x, winsor_max=winsor_max, **opts)
                action = "winsor"
                if method == "jrc" and _fails(new, skew_threshold, kurtosis_threshold):
                    action = "log"
            if failed and (method == "log" or action == "log"):
                new, action = log_ct(x), "log"
                flag = np.where(np.isnan(x), "", "log").astype(object)
            values[idx, j] = new
            flags[idx, j] = flag
            rows.append(
                {
                    "indicator": str(col),
                    "year": "all" if year is None else year,
                    "n": int(np.sum(~np.isnan(x))),
                    "skew_before": before[0],
                    "kurtosis_before": before[1],
                    "fails_before": failed,
                    "action": action,
                    "points": int(np.sum(flag != "")),
                    "skew_after": skewness(new),
                    "kurtosis_after": kurtosis(new),
                    "fails_after": _fails(new, skew_threshold, kurtosis_threshold),
                }
            )
    return OutlierTreatment(
        treated=pd.DataFrame(values, index=X.index, columns=X.columns),
        flags=pd.DataFrame(flags, index=X.index, columns=X.columns),
        table=pd.DataFrame(rows),
    )
