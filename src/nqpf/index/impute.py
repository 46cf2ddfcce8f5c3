"""Imputation of missing indicator values (缺失值插补), every filled cell flagged.

Methods on the wide matrix ``X`` (index ``(region, year)``):

``none``         nothing is filled.
``linear``       linear interpolation in time within each region and indicator, using the year
                 values as the x axis (uneven gaps are handled); only *interior* gaps are filled,
                 leading and trailing gaps stay missing (no extrapolation).
``ffill_bfill``  within each region and indicator, carry the last observed value forward, then
                 the first observed value backward (fills every gap of a region with ≥ 1 value).
``group_mean``   the mean of the observed values of the same indicator, year and group
                 (``groups`` maps region → group, e.g. the four regions 东/中/西/东北); a cell stays
                 missing when its whole group is missing that year.

Returns ``(imputed, flags)`` where ``flags`` is a boolean DataFrame of the same shape, True
exactly where a missing value was filled. Reference: OECD/JRC (2008) Handbook, section 3.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.index._checks import numeric_frame

__all__ = ["IMPUTE_METHODS", "impute"]

IMPUTE_METHODS: tuple[str, ...] = ("none", "linear", "ffill_bfill", "group_mean")


def impute(
    X: pd.DataFrame,
    method: str = "none",
    *,
    groups: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing values of ``X`` by ``method``; return ``(imputed X, imputed-flag frame)``.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_product([["11"], [2020, 2021, 2023]], names=["region", "year"])
    >>> X = pd.DataFrame({"rd": [1.0, None, 4.0]}, index=idx)
    >>> imputed, flags = impute(X, "linear")
    >>> imputed["rd"].tolist(), flags["rd"].tolist()
    ([1.0, 2.0, 4.0], [False, True, False])
    """
    X = numeric_frame(X)
    if method not in IMPUTE_METHODS:
        raise InputError(
            f"unknown imputation method {method!r}",
            hint=f"use one of {', '.join(IMPUTE_METHODS)}",
        )
    if method == "none":
        return X.copy(), pd.DataFrame(False, index=X.index, columns=X.columns)
    _require_panel_index(X)
    filled = _group_mean(X, groups) if method == "group_mean" else _within_region(X, method)
    flags = X.isna() & filled.notna()
    return filled, flags


def _within_region(X: pd.DataFrame, method: str) -> pd.DataFrame:
    region = X.index.get_level_values("region")
    year = X.index.get_level_values("year").to_numpy(dtype=float)
    out = X.to_numpy(copy=True)
    for members in pd.Series(np.arange(len(X))).groupby(region).indices.values():
        rows = np.asarray(members)[np.argsort(year[members], kind="stable")]
        block = out[rows]
        if method == "linear":
            out[rows] = _interpolate_inside(year[rows], block)
        else:
            out[rows] = pd.DataFrame(block).ffill().bfill().to_numpy()
    return pd.DataFrame(out, index=X.index, columns=X.columns)


def _interpolate_inside(t: np.ndarray, block: np.ndarray) -> np.ndarray:
    result = block.copy()
    for j in range(block.shape[1]):
        seen = ~np.isnan(block[:, j])
        if seen.sum() < 2:
            continue
        first, last = t[seen][0], t[seen][-1]
        gap = ~seen & (t > first) & (t < last)
        result[gap, j] = np.interp(t[gap], t[seen], block[seen, j])
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
