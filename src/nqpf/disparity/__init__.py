"""Regional disparities: Dagum Gini, Theil and GE indices, convergence, kernel densities.

Every function takes a long region-year frame (``region, year, value`` and optionally a
weight column) and returns tidy DataFrames. See ``docs/disparity.md``.
"""

from __future__ import annotations

from nqpf.disparity.dagum import DagumResult, dagum_gini, gini_coefficient, pair_abs_diff_sum
from nqpf.disparity.theil import GEResult, coefficient_of_variation, ge_index, theil_l, theil_t

__all__ = [
    "DagumResult",
    "GEResult",
    "coefficient_of_variation",
    "dagum_gini",
    "ge_index",
    "gini_coefficient",
    "pair_abs_diff_sum",
    "theil_l",
    "theil_t",
]
