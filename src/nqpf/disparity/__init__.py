"""Regional disparities: Dagum Gini, Theil and GE indices, convergence, kernel densities,
Phillips–Sul log t test and convergence clubs; and diagnosis: obstacle degree and
coupling coordination.

Spatial weights and Moran's I live in :mod:`nqpf.disparity.spatial` (they need the
``maps`` extra and ``esda``) and are imported from there.

Every function takes a long region-year frame (``region, year, value`` and optionally a
weight column) and returns tidy DataFrames. See ``docs/disparity.md``.
"""

from __future__ import annotations

from nqpf.disparity.clubs import ClubsResult, convergence_clubs, log_t_test
from nqpf.disparity.convergence import beta_convergence, sigma_convergence
from nqpf.disparity.coupling import (
    COORDINATION_CLASSES,
    coordination_class,
    coupling_coordination,
)
from nqpf.disparity.dagum import DagumResult, dagum_gini, gini_coefficient, pair_abs_diff_sum
from nqpf.disparity.kde import KDEResult, bandwidth, kernel_density
from nqpf.disparity.obstacle import ObstacleResult, obstacle_degree, top_obstacles
from nqpf.disparity.theil import GEResult, coefficient_of_variation, ge_index, theil_l, theil_t

__all__ = [
    "COORDINATION_CLASSES",
    "ClubsResult",
    "DagumResult",
    "GEResult",
    "KDEResult",
    "ObstacleResult",
    "bandwidth",
    "beta_convergence",
    "coefficient_of_variation",
    "convergence_clubs",
    "coordination_class",
    "coupling_coordination",
    "dagum_gini",
    "ge_index",
    "gini_coefficient",
    "kernel_density",
    "log_t_test",
    "obstacle_degree",
    "pair_abs_diff_sum",
    "sigma_convergence",
    "theil_l",
    "theil_t",
    "top_obstacles",
]
