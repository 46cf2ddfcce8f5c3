"""Denominator floors (小分母下限): a ratio whose denominator is tiny is treated as missing.

A share or per-capita ratio of a unit with a tiny base swings on a few events (a province
whose R&D spending is 2 % of the median's gets an extreme basic-research share from one
project). The OECD/JRC Handbook (2008, step 3) treats such values as unreliable: here a
framework states, per indicator, a floor on the denominator::

    value_it := missing   if  d_it < f_t,
    f_t = min                          (absolute, in the denominator's unit), or
    f_t = s · median_i(d_it)           (share s of the year's median over the assessed units)

The missing values are then filled by the assessment's imputation chain and flagged like every
imputed value; :func:`apply_floors` returns the table of floored cells for the audit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.index.framework import Floor

__all__ = ["FLOORED_COLUMNS", "apply_floors"]

#: Columns of the floored-cells table.
FLOORED_COLUMNS = [
    "indicator",
    "denominator",
    "region",
    "year",
    "value",
    "denominator_value",
    "floor",
]


def apply_floors(
    wide: pd.DataFrame, denominators: pd.DataFrame, floors: Mapping[str, Floor]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set to NaN every value of ``wide`` (region-year × indicator) whose denominator in
    ``denominators`` (region-year × denominator id, same index) is below its floor.

    Returns the floored copy of ``wide`` and a table (:data:`FLOORED_COLUMNS`) of the cells
    removed (their value, the denominator and the floor). A region-year without a
    denominator value is left as it is. A floor that removes every value of an indicator is
    an :class:`~nqpf.errors.InputError`.
    """
    out = wide.copy()
    rows: list[pd.DataFrame] = []
    years = wide.index.get_level_values("year")
    for ind, floor in floors.items():
        if ind not in out.columns:
            continue
        if floor.denominator not in denominators.columns:
            raise InputError(
                f"the floor of {ind!r} needs its denominator {floor.denominator!r}, "
                "which the data lack",
                column=floor.denominator,
                hint=f"add {floor.denominator} to the data or remove the floor",
            )
        den = denominators[floor.denominator].reindex(wide.index).astype(float)
        if floor.min is not None:
            limit = pd.Series(floor.min, index=wide.index)
        else:
            limit = den.groupby(years).transform("median") * float(floor.share_of_median or 0)
        values = out[ind]
        hit = (den < limit).to_numpy() & values.notna().to_numpy()
        if not hit.any():
            continue
        if hit.sum() == values.notna().sum():
            raise InputError(
                f"the floor of {ind!r} ({floor.describe()}) removes every value",
                column=ind,
                hint="lower the floor or drop the indicator",
            )
        idx = wide.index[hit]
        rows.append(
            pd.DataFrame(
                {
                    "indicator": ind,
                    "denominator": floor.denominator,
                    "region": idx.get_level_values("region").astype(str),
                    "year": idx.get_level_values("year").astype(int),
                    "value": values.to_numpy(float)[hit],
                    "denominator_value": den.to_numpy(float)[hit],
                    "floor": limit.to_numpy(float)[hit],
                }
            )
        )
        out.loc[hit, ind] = np.nan
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=FLOORED_COLUMNS)
    return out, table
