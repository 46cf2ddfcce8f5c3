"""Imputation of missing indicator values (缺失值插补), every filled cell flagged.

Methods on the wide matrix ``X`` (index ``(region, year)``), applied **in the order given** when
a chain is passed (``["linear", "ffill_bfill", "column_mean"]`` or ``"linear,ffill_bfill,column_mean"``);
each step sees the values the previous steps filled:

``none``                nothing is filled (only alone, not in a chain).
``linear``              linear interpolation in time within each region and indicator, using the
                        year values as the x axis (uneven gaps are handled); only *interior* gaps are
                        filled, leading and trailing gaps stay missing (no extrapolation).
``linear_extrapolate``  as ``linear``, and leading/trailing gaps continue the straight line through
                        the two nearest observed years (needs ≥ 2 observed years in that region).
``ffill_bfill``         within each region and indicator, carry the last observed value forward,
                        then the first observed value backward (fills every gap of a region with
                        ≥ 1 value).
``group_mean``          the mean of the observed values of the same indicator, year and group
                        (``groups`` maps region → group, e.g. the four regions 东/中/西/东北); a cell
                        stays missing when its whole group is missing that year.
``year_mean``           the mean of the indicator over all regions **in the same year**
                        (cross-sectional mean).
``column_mean``         the mean of the indicator over the **whole panel** (all regions and years),
                        i.e. ``X.fillna(X.mean())`` on the wide panel, as in many NQPF papers
                        (e.g. the 127ww/nqp-spatial-development measurement script, after a
                        per-province ``interpolate(limit_direction="both")``).

Missingness rules (:func:`missing_shares`, :func:`drop_sparse`): the share of missing raw values
of each unit (over its indicator-years) and of each indicator (over its region-years); a unit or
indicator whose share exceeds a threshold is dropped before imputation, with a message.

Returns ``(imputed, flags)`` where ``flags`` is a boolean DataFrame of the same shape, True
exactly where a missing value was filled; :func:`impute_steps` also counts the values each step
filled. Reference: OECD/JRC (2008) Handbook, section 3 (imputation of missing data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.ingest.checks import numeric_frame

__all__ = [
    "IMPUTE_METHODS",
    "ImputeMethod",
    "SparseDrop",
    "drop_sparse",
    "impute",
    "impute_steps",
    "missing_shares",
    "parse_chain",
]

ImputeMethod = Literal[
    "none",
    "linear",
    "linear_extrapolate",
    "ffill_bfill",
    "group_mean",
    "year_mean",
    "column_mean",
]
IMPUTE_METHODS: tuple[str, ...] = get_args(ImputeMethod)


def parse_chain(method: str | Sequence[str]) -> tuple[str, ...]:
    """The imputation chain as a tuple of method names (``"a,b"`` or ``["a", "b"]``), validated.

    >>> parse_chain("linear, ffill_bfill,column_mean")
    ('linear', 'ffill_bfill', 'column_mean')
    """
    parts = method.split(",") if isinstance(method, str) else list(method)
    chain = tuple(str(p).strip() for p in parts if str(p).strip())
    if not chain:
        raise InputError(
            "empty imputation chain",
            column="impute",
            hint="use 'none' or e.g. 'linear,column_mean'",
        )
    for m in chain:
        if m not in IMPUTE_METHODS:
            raise InputError(
                f"unknown imputation method {m!r}",
                column="impute",
                hint=f"use one of {', '.join(IMPUTE_METHODS)} (a chain: linear,ffill_bfill,column_mean)",
            )
    if "none" in chain and len(chain) > 1:
        raise InputError(
            "'none' cannot be part of an imputation chain",
            column="impute",
            hint="use 'none' alone, or list only the methods to apply",
        )
    return chain


def impute(
    X: pd.DataFrame,
    method: str | Sequence[str] = "none",
    *,
    groups: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing values of ``X`` by ``method`` (one method or a chain applied in order);
    return ``(imputed X, imputed-flag frame)``.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_product([["11"], [2020, 2021, 2023]], names=["region", "year"])
    >>> X = pd.DataFrame({"rd": [1.0, None, 4.0]}, index=idx)
    >>> imputed, flags = impute(X, "linear")
    >>> imputed["rd"].tolist(), flags["rd"].tolist()
    ([1.0, 2.0, 4.0], [False, True, False])
    """
    filled, flags, _ = impute_steps(X, method, groups=groups)
    return filled, flags


def impute_steps(
    X: pd.DataFrame,
    method: str | Sequence[str] = "none",
    *,
    groups: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """As :func:`impute`, plus a long table ``step, method, indicator, n_filled`` counting the
    values each step of the chain filled (only non-zero counts)."""
    X = numeric_frame(X)
    chain = parse_chain(method)
    counts: list[dict[str, object]] = []
    if chain == ("none",):
        empty = pd.DataFrame(columns=["step", "method", "indicator", "n_filled"])
        return X.copy(), pd.DataFrame(False, index=X.index, columns=X.columns), empty
    _require_panel_index(X)
    filled = X
    for step, m in enumerate(chain, start=1):
        before = filled.isna()
        if m == "group_mean":
            filled = _group_mean(filled, groups)
        elif m == "year_mean":
            means = filled.groupby(level="year").transform("mean")
            filled = filled.fillna(means)
        elif m == "column_mean":
            filled = filled.fillna(filled.mean())
        else:
            filled = _within_region(filled, m)
        newly = (before & filled.notna()).sum()
        counts += [
            {"step": step, "method": m, "indicator": str(k), "n_filled": int(v)}
            for k, v in newly.items()
            if v > 0
        ]
    flags = X.isna() & filled.notna()
    return filled, flags, pd.DataFrame(counts, columns=["step", "method", "indicator", "n_filled"])


@dataclass(frozen=True)
class SparseDrop:
    """Units and indicators dropped for too many missing values, with their missing shares."""

    units: dict[str, float]
    indicators: dict[str, float]

    def messages(self) -> list[str]:
        """One line per dropped unit or indicator (Chinese with English)."""
        return [f"剔除地区 dropped region {u}: {s:.0%} missing" for u, s in self.units.items()] + [
            f"剔除指标 dropped indicator {i}: {s:.0%} missing" for i, s in self.indicators.items()
        ]


def missing_shares(X: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Share of missing values of each unit (over its indicator-years) and of each indicator
    (over its region-years)."""
    miss = X.isna()
    by_unit = miss.groupby(level="region").mean().mean(axis=1)
    return by_unit, miss.mean()


def drop_sparse(
    X: pd.DataFrame,
    *,
    max_missing_unit: float | None = None,
    max_missing_indicator: float | None = None,
) -> tuple[pd.DataFrame, SparseDrop]:
    """Drop indicators, then units, whose share of missing values exceeds the threshold.

    Thresholds are shares in [0, 1); ``None`` keeps everything. Indicators are judged first on
    the whole panel, units on the indicators kept. Raises if nothing would remain.
    """
    _require_panel_index(X)
    for name, value in (
        ("max_missing_unit", max_missing_unit),
        ("max_missing_indicator", max_missing_indicator),
    ):
        if value is not None and not 0.0 <= value < 1.0:
            raise InputError(
                f"{name} = {value} is outside [0, 1)",
                column=name,
                hint="give the largest share of missing values to keep, e.g. 0.3",
            )
    dropped_ind: dict[str, float] = {}
    if max_missing_indicator is not None:
        share = X.isna().mean()
        dropped_ind = {str(k): float(v) for k, v in share[share > max_missing_indicator].items()}
        if len(dropped_ind) == X.shape[1]:
            raise InputError(
                f"every indicator has more than {max_missing_indicator:.0%} missing values",
                column="max_missing_indicator",
                hint="raise the threshold or give data with fewer gaps",
            )
        X = X.drop(columns=list(dropped_ind))
    dropped_units: dict[str, float] = {}
    if max_missing_unit is not None:
        by_unit, _ = missing_shares(X)
        dropped_units = {str(k): float(v) for k, v in by_unit[by_unit > max_missing_unit].items()}
        if len(dropped_units) == len(by_unit):
            raise InputError(
                f"every region has more than {max_missing_unit:.0%} missing values",
                column="max_missing_unit",
                hint="raise the threshold or give data with fewer gaps",
            )
        keep = ~X.index.get_level_values("region").astype(str).isin(list(dropped_units))
        X = X[keep]
    return X, SparseDrop(units=dropped_units, indicators=dropped_ind)


def _within_region(X: pd.DataFrame, method: str) -> pd.DataFrame:
    region = X.index.get_level_values("region")
    year = X.index.get_level_values("year").to_numpy(dtype=float)
    out = X.to_numpy(copy=True)
    for members in pd.Series(np.arange(len(X))).groupby(region).indices.values():
        rows = np.asarray(members)[np.argsort(year[members], kind="stable")]
        block = out[rows]
        if method == "ffill_bfill":
            out[rows] = pd.DataFrame(block).ffill().bfill().to_numpy()
        else:
            out[rows] = _interpolate(year[rows], block, extrapolate=method == "linear_extrapolate")
    return pd.DataFrame(out, index=X.index, columns=X.columns)


def _interpolate(t: np.ndarray, block: np.ndarray, *, extrapolate: bool) -> np.ndarray:
    result = block.copy()
    for j in range(block.shape[1]):
        seen = ~np.isnan(block[:, j])
        if seen.sum() < 2:
            continue
        ts, vs = t[seen], block[seen, j]
        first, last = ts[0], ts[-1]
        gap = ~seen & (t > first) & (t < last)
        result[gap, j] = np.interp(t[gap], ts, vs)
        if extrapolate:
            lead = ~seen & (t < first)
            slope = (vs[1] - vs[0]) / (ts[1] - ts[0])
            result[lead, j] = vs[0] + slope * (t[lead] - ts[0])
            trail = ~seen & (t > last)
            slope = (vs[-1] - vs[-2]) / (ts[-1] - ts[-2])
            result[trail, j] = vs[-1] + slope * (t[trail] - ts[-1])
    return result


def _group_mean(X: pd.DataFrame, groups: Mapping[str, str] | None) -> pd.DataFrame:
    if not groups:
        raise InputError(
            "impute='group_mean' needs groups (region → group)",
            hint="e.g. groups={r: nqpf.regions.group_of(r, 'four-regions') for r in regions}",
        )
    regions = X.index.get_level_values("region")
    unknown = [r for r in pd.unique(regions) if r not in groups]
    if unknown:
        raise InputError(
            f"region {unknown[0]!r} has no group",
            hint="give every region of the data a group in `groups`",
        )
    key = [regions.map(groups), X.index.get_level_values("year")]
    means = X.groupby(key).transform("mean")
    means.index = X.index
    return X.fillna(means)


def _require_panel_index(X: pd.DataFrame) -> None:
    names = list(X.index.names) if isinstance(X.index, pd.MultiIndex) else []
    if "region" not in names or "year" not in names:
        raise InputError(
            "imputation needs a row index with levels 'region' and 'year'",
            hint="index the wide matrix by (region, year), e.g. X.set_index(['region', 'year'])",
        )
    if not pd.api.types.is_numeric_dtype(X.index.get_level_values("year")):
        raise InputError(
            "the 'year' level of the row index must be numeric",
            hint="convert it, e.g. X.index = X.index.set_levels(years.astype(int), level='year')",
        )
    if X.index.has_duplicates:
        raise InputError(
            f"duplicate region-year row {X.index[X.index.duplicated()][0]!r}",
            hint="aggregate or drop duplicate rows first",
        )
