"""Regional disparities: Dagum Gini, Theil and GE indices, convergence, kernel densities,
Phillips–Sul log t test and convergence clubs. (Obstacle degree and coupling coordination
are in :mod:`nqpf.diagnose`.)

Spatial weights and Moran's I live in :mod:`nqpf.disparity.spatial` (they need the
``maps`` extra and ``esda``) and are imported from there.

Every function takes a long region-year frame (``region, year, value`` and optionally a
weight column) and returns tidy DataFrames. See ``docs/disparity.md``.
"""

from __future__ import annotations

from nqpf.disparity.clubs import ClubsResult, convergence_clubs, log_t_test
from nqpf.disparity.convergence import beta_convergence, sigma_convergence
from nqpf.disparity.dagum import DagumResult, dagum_gini, gini_coefficient, pair_abs_diff_sum
from nqpf.disparity.kde import KDEResult, bandwidth, kernel_density
from nqpf.disparity.theil import GEResult, coefficient_of_variation, ge_index, theil_l, theil_t

__all__ = [
    "ClubsResult",
    "DagumResult",
    "GEResult",
    "KDEResult",
    "bandwidth",
    "beta_convergence",
    "coefficient_of_variation",
    "convergence_clubs",
    "dagum_gini",
    "ge_index",
    "gini_coefficient",
    "kernel_density",
    "log_t_test",
    "pair_abs_diff_sum",
    "sigma_convergence",
    "theil_l",
    "theil_t",
]
