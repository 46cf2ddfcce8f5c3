"""Diagnosis of a region: obstacle degree (障碍度), coupling coordination (耦合协调度) and the
region's trajectory against its group and the nation.

Every function takes frames (an assessment's normalised indicators, weights and scores) and
returns tidy DataFrames. See ``docs/disparity.md``.
"""

from __future__ import annotations

from nqpf.diagnose.coupling import (
    COORDINATION_CLASSES,
    coordination_class,
    coupling_coordination,
)
from nqpf.diagnose.diagnosis import Diagnosis, region_diagnosis
from nqpf.diagnose.obstacle import ObstacleResult, obstacle_degree, top_obstacles

__all__ = [
    "COORDINATION_CLASSES",
    "Diagnosis",
    "ObstacleResult",
    "coordination_class",
    "coupling_coordination",
    "obstacle_degree",
    "region_diagnosis",
    "top_obstacles",
]
