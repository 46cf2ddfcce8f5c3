"""Shared input handling of the disparity functions: columns, groups, missing values."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError, NQPFWarning

GroupSpec = str | Mapping[str, str]
"""A grouping name of :data:`nqpf.regions.GROUPINGS` or a mapping region → group label."""


def require_columns(data: pd.DataFrame, columns: list[str], *, what: str) -> None:
    """Raise :class:`InputError` naming the first missing column."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"{what} needs a pandas DataFrame, got {type(data).__name__}",
            hint="pass a long frame with columns region, year, value",
        )
    for col in columns:
        if col not in data.columns:
            raise InputError(
                f"{what}: no column {col!r} (columns are {', '.join(map(str, data.columns))})",
                column=col,
                hint=f"rename your column to {col!r} or pass its name as an option",
            )


def drop_missing(data: pd.DataFrame, columns: list[str], *, what: str) -> pd.DataFrame:
    """Drop rows with a missing value in ``columns``, warning with the rows dropped."""
    bad = data[columns].isna().any(axis=1)
    if bad.any():
        dropped = data.loc[bad]
        labels = [
            f"{r.get('region', '?')}/{r.get('year', '?')}" for r in dropped.to_dict("records")
        ]
        shown = ", ".join(labels[:10]) + (f" … ({len(labels)} in all)" if len(labels) > 10 else "")
        warnings.warn(
            f"{what}: {len(labels)} row(s) with missing values excluded: {shown}",
            NQPFWarning,
            stacklevel=3,
        )
    return data.loc[~bad]


def group_labels(regions: pd.Series, groups: GroupSpec) -> pd.Series:
    """The group label of every region in ``regions``.

    ``groups`` is a grouping name (``"four-regions"``, ``"three-belts"``) or a mapping
    region → group. An unknown grouping name, or a region the mapping lacks, raises
    :class:`InputError`.
    """
    if isinstance(groups, str):
        from nqpf.regions import GROUPINGS

        if groups not in GROUPINGS:
            raise InputError(
                f"unknown grouping {groups!r}",
                hint=f"use one of {', '.join(GROUPINGS)} or pass a mapping region → group",
            )
        mapping: Mapping[str, str] = {
            code: group for group, codes in GROUPINGS[groups].items() for code in codes
        }
    else:
        mapping = groups
    # map each distinct region once (a county panel repeats every region every year)
    codes, uniques = pd.factorize(regions.astype(str))
    names = uniques.tolist()
    mapped = [mapping.get(u) for u in names]
    missing = sorted(str(u) for u, m in zip(names, mapped, strict=True) if m is None)
    if missing:
        raise InputError(
            f"region(s) {', '.join(missing)} have no group",
            column="region",
            hint="use province codes (e.g. 340000) or give every region a group in the mapping",
        )
    return pd.Series(np.array(mapped, dtype=object)[codes], index=regions.index).astype(str)


def require_positive(values: np.ndarray, regions: pd.Series, *, what: str, strict: bool) -> None:
    """Raise :class:`InputError` naming the regions whose value is ≤ 0 (or < 0)."""
    bad = values <= 0 if strict else values < 0
    if bad.any():
        names = ", ".join(sorted(set(regions.astype(str)[bad])))
        need = "positive" if strict else "non-negative"
        raise InputError(
            f"{what} needs {need} values; region(s) {names} have "
            f"{'zero or negative' if strict else 'negative'} values",
            column="value",
            hint="use a positive measure (e.g. index scores shifted above 0, or levels not growth)",
        )


def group_order(groups: GroupSpec, labels: pd.Series) -> list[str]:
    """Groups in their grouping's order (NBS order), or sorted for a custom mapping."""
    if isinstance(groups, str):
        from nqpf.regions import GROUPINGS

        return list(GROUPINGS[groups])
    return sorted(str(g) for g in pd.unique(labels.to_numpy()))
