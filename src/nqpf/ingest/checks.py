"""Validation of the frames the analyses are given — one home for every check (floor 0).

Each check raises :class:`nqpf.errors.InputError` naming the indicator or column
(``column=``) and, where it matters, the region and year, and says what to do.

* Wide indicator matrices (the index methods): ``X`` has one row per region-year (a
  MultiIndex ``(region, year)``) and one float column per indicator id —
  :func:`numeric_frame`, :func:`require_complete`, :func:`require_non_negative`,
  :func:`year_level`, :func:`row_label`.
* Long panels (the disparity functions): ``region, year, value`` —
  :func:`require_columns`, :func:`drop_missing`, :func:`require_positive`; groups of
  regions: :func:`group_labels`, :func:`group_order`.
* Weights a user gives (expert weights, aggregation weights, fixed weights of a framework
  YAML, coupling's α) sum to 1: :func:`require_unit_sum`.

Options (names, years, counts) are checked by :mod:`nqpf.ingest.options`.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError, NQPFWarning

__all__ = [
    "SUM_TOLERANCE",
    "GroupSpec",
    "drop_missing",
    "group_labels",
    "group_order",
    "numeric_frame",
    "require_columns",
    "require_complete",
    "require_non_negative",
    "require_positive",
    "require_unit_sum",
    "row_label",
    "year_level",
]


#: Weights given by a user (expert weights, aggregation weights, fixed weights in a framework
#: YAML) must sum to 1 within this; they are written as decimals.
SUM_TOLERANCE = 1e-6


def require_unit_sum(total: float, *, what: str = "weights", file: str | None = None) -> None:
    """The one check that user-given weights sum to 1 (within :data:`SUM_TOLERANCE`)."""
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise InputError(
            f"{what} sum to {total:.6g}, not 1",
            file=file,
            hint="rescale them so that they sum to 1",
        )


def numeric_frame(X: object, *, what: str = "X") -> pd.DataFrame:
    """Return ``X`` as a float DataFrame, or raise naming the first non-numeric column."""
    if not isinstance(X, pd.DataFrame):
        raise InputError(
            f"{what} must be a pandas DataFrame, got {type(X).__name__}",
            hint="pass a wide DataFrame: one row per (region, year), one column per indicator",
        )
    if X.shape[1] == 0:
        raise InputError(f"{what} has no indicator columns", hint="give at least one indicator")
    if X.shape[0] == 0:
        raise InputError(f"{what} has no rows", hint="give at least one region-year")
    if X.columns.has_duplicates:
        dup = X.columns[X.columns.duplicated()][0]
        raise InputError("indicator appears twice", column=str(dup), hint="drop the duplicate")
    # dtypes, not X[col]: a Series per column costs more than the checks (pandas 3)
    for col, dtype in X.dtypes.items():
        if not (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)):
            raise InputError(
                f"indicator is not numeric (dtype {dtype})",
                column=str(col),
                hint="convert the column to numbers or drop it",
            )
    return X.astype(float)


def row_label(index: pd.Index, i: int) -> str:
    """Human-readable label of row ``i`` (``region=…, year=…`` for a MultiIndex)."""
    key = index[i]
    if isinstance(index, pd.MultiIndex):
        names = [str(n) if n is not None else f"level{k}" for k, n in enumerate(index.names)]
        return ", ".join(f"{n}={v}" for n, v in zip(names, key, strict=True))
    return f"row {key}"


def require_complete(X: pd.DataFrame, *, method: str) -> None:
    """Raise on the first missing value, naming its region-year and indicator."""
    missing = np.isnan(X.to_numpy())
    if missing.any():
        i, j = (int(v[0]) for v in np.nonzero(missing))
        raise InputError(
            f"missing value at {row_label(X.index, i)}; {method} needs a complete matrix",
            column=str(X.columns[j]),
            hint="impute first (impute='linear', 'ffill_bfill' or 'group_mean') or drop the indicator",
        )


def require_non_negative(X: pd.DataFrame, *, method: str, hint: str) -> None:
    """Raise on the first negative value, naming its region-year and indicator."""
    negative = X.to_numpy() < 0
    if negative.any():
        i, j = (int(v[0]) for v in np.nonzero(negative))
        raise InputError(
            f"negative value {X.to_numpy()[i, j]:g} at {row_label(X.index, i)}; {method} needs values ≥ 0",
            column=str(X.columns[j]),
            hint=hint,
        )


def year_level(index: pd.Index) -> Hashable:
    """Name of the year level of a MultiIndex, or raise explaining the expected shape."""
    if isinstance(index, pd.MultiIndex) and "year" in index.names:
        return "year"
    raise InputError(
        "scope='year' needs a row index with a level named 'year'",
        hint="index the wide matrix by (region, year), e.g. X.set_index(['region', 'year'])",
    )


# ------------------------------------------------------------------ long panels and groups
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
