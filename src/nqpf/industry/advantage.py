"""Comparative advantage (比较优势): RCA / location quotient, presence, diversity, ubiquity.

For a region c and an industry p with value X_cp (employment, companies, output):

    RCA_cp = (X_cp / Σ_p X_cp) / (Σ_c X_cp / Σ_cp X_cp)          (Balassa 1965)

— the same number as the location quotient (区位熵) of regional science. Presence is
binary, M_cp = 1 if RCA_cp ≥ threshold else 0 (always 0 or 1: the Growth Lab
``ecomplexity`` "both" test adds two binaries and can yield 2), or continuous,
M_cp = RCA_cp / (1 + RCA_cp) ∈ [0, 1). Diversity k_c,0 = Σ_p M_cp and ubiquity
k_p,0 = Σ_c M_cp (Hidalgo & Hausmann 2009, PNAS 106:10570).

Small counts make RCA noisy (a county with 3 listed firms): ``smoothing`` adds a
pseudo-count α to every cell before the shares (additive/Laplace smoothing,
X_cp + α), and ``min_total`` drops regions whose total is below a floor, with a warning.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from nqpf.errors import InputError, NQPFWarning

__all__ = ["continuous_presence", "diversity", "presence", "rca", "ubiquity"]


def rca(values: pd.DataFrame, *, smoothing: float = 0.0, min_total: float = 0.0) -> pd.DataFrame:
    """Revealed comparative advantage / location quotient of a region × industry table.

    >>> t = pd.DataFrame({"a": [2.0, 1.0], "b": [0.0, 1.0]}, index=["x", "y"])
    >>> rca(t).round(3).to_dict("list")
    {'a': [1.333, 0.667], 'b': [0.0, 2.0]}
    """
    _check_values(values)
    if smoothing < 0:
        raise InputError(f"smoothing must be ≥ 0, got {smoothing}")
    table = values
    if min_total > 0:
        totals = table.sum(axis=1)
        small = totals.index[totals < min_total].tolist()
        if small:
            warnings.warn(
                f"dropped {len(small)} region(s) with a total below {min_total}: "
                + ", ".join(str(s) for s in small[:10]),
                NQPFWarning,
                stacklevel=2,
            )
            table = table.drop(index=small)
    x = table.to_numpy(dtype=float) + smoothing
    row = x.sum(axis=1, keepdims=True)
    col = x.sum(axis=0, keepdims=True)
    if (row <= 0).any() or (col <= 0).any():
        raise InputError(
            "a region or industry has a zero total, so its RCA is 0/0",
            hint="drop it first (nqpf.industry.matrix.drop_empty) or use smoothing > 0",
        )
    out = (x / row) / (col / x.sum())
    return pd.DataFrame(out, index=table.index, columns=table.columns)


def presence(rca_table: pd.DataFrame, *, threshold: float = 1.0) -> pd.DataFrame:
    """Binary presence M_cp = 1[RCA_cp ≥ threshold] (0/1 integers, never more than 1)."""
    if threshold <= 0:
        raise InputError(f"presence threshold must be > 0, got {threshold}")
    return (rca_table.fillna(0.0) >= threshold).astype(np.int64)


def continuous_presence(rca_table: pd.DataFrame) -> pd.DataFrame:
    """Continuous presence M_cp = RCA_cp / (1 + RCA_cp), in [0, 1)."""
    return rca_table / (1.0 + rca_table)


def diversity(presence_table: pd.DataFrame) -> pd.Series:
    """Diversity k_c,0 = Σ_p M_cp: how many industries each region has an advantage in."""
    return presence_table.sum(axis=1).rename("diversity")


def ubiquity(presence_table: pd.DataFrame) -> pd.Series:
    """Ubiquity k_p,0 = Σ_c M_cp: how many regions have an advantage in each industry."""
    return presence_table.sum(axis=0).rename("ubiquity")


def _check_values(values: pd.DataFrame) -> None:
    x = values.to_numpy(dtype=float)
    if np.isnan(x).any():
        raise InputError("the table has missing values", hint="fill no activity with 0")
    if (x < 0).any():
        r, c = (int(i[0]) for i in np.nonzero(x < 0))
        raise InputError(
            f"negative value at region {values.index[r]!r}, industry {values.columns[c]!r}",
            hint="values must be ≥ 0",
        )
