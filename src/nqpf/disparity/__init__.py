"""Regional disparities: Dagum Gini, Theil and GE indices, convergence, kernel densities.

Every function takes a long region-year frame (``region, year, value`` and optionally a
weight column) and returns tidy DataFrames. See ``docs/disparity.md``.
"""

from __future__ import annotations

from nqpf.disparity.dagum import DagumResult, dagum_gini, gini_coefficient, pair_abs_diff_sum

__all__ = ["DagumResult", "dagum_gini", "gini_coefficient", "pair_abs_diff_sum"]
