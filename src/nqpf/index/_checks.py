"""Shared validation of the wide indicator matrix used by the index methods.

The wide matrix ``X`` has one row per region-year (a MultiIndex ``(region, year)``) and one
float column per indicator id. Every check raises :class:`nqpf.errors.InputError` naming the
indicator (``column=``) and, where it matters, the region and year, and says what to do.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__: list[str] = []

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
