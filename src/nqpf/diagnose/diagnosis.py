"""One region's diagnosis: its top obstacle factors, the coupling coordination of two of its
pillars, and its index trajectory against its group and the nation — from an assessment.

Obstacle degree: :mod:`nqpf.diagnose.obstacle`; coupling coordination:
:mod:`nqpf.diagnose.coupling`. :func:`nqpf.services.disparity.diagnose` runs the default
assessment when none is given; :mod:`nqpf.present.disparity` writes ``diagnosis.xlsx``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np
import pandas as pd

from nqpf.diagnose.coupling import coupling_coordination
from nqpf.diagnose.obstacle import ObstacleResult, obstacle_degree, top_obstacles
from nqpf.errors import InputError
from nqpf.ingest.checks import GroupSpec, group_labels
from nqpf.regions import normalize_region, region_label
from nqpf.results import ResultMixin, hash_spec

__all__ = ["AssessmentLike", "Diagnosis", "region_diagnosis"]


class AssessmentLike(Protocol):
    """What a diagnosis reads from an assessment (:class:`nqpf.Assessment` has it)."""

    @property
    def scores(self) -> pd.DataFrame: ...

    @property
    def normalized(self) -> pd.DataFrame: ...

    @property
    def indicator_weights(self) -> pd.Series: ...

    @property
    def pillar_of(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class Diagnosis(ResultMixin):
    """One region's diagnosis: obstacles, coupling and trajectory (all years), on the
    result protocol (:mod:`nqpf.results`; ``spec_hash`` over the assessment's normalised
    values, weights and scores and the options)."""

    kind: ClassVar[str] = "diagnosis"

    region: str
    region_name: str
    group: str
    obstacles: pd.DataFrame
    pillar_obstacles: pd.DataFrame
    coupling: pd.DataFrame
    trajectory: pd.DataFrame
    spec: dict[str, Any] = field(default_factory=dict)
    spec_hash: str = "000000000000"
    provenance: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"source": []}))
    warnings: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "obstacles": self.obstacles,
            "pillar_obstacles": self.pillar_obstacles,
            "coupling": self.coupling,
            "trajectory": self.trajectory,
        }


def region_diagnosis(
    region: str,
    assessment: AssessmentLike,
    *,
    top: int = 5,
    subsystems: Sequence[str] = ("tech", "industry"),
    grouping: GroupSpec = "four-regions",
    provenance: pd.DataFrame | None = None,
) -> Diagnosis:
    """Obstacle degrees (top ``top`` indicators, all pillars), coupling coordination of
    ``subsystems`` and the index trajectory against the region's group and the nation
    (unweighted mean of the units assessed), for every assessed year.

    ``assessment``: an :class:`nqpf.Assessment`, or any object exposing ``scores``,
    ``normalized``, ``indicator_weights`` and ``pillar_of``; ``provenance`` its data sources
    (kept on the result). ``region``: a code of the assessment (a province, prefecture or
    county) or a province name. ``grouping``: a grouping of provinces
    (:data:`nqpf.regions.GROUPINGS`) or a mapping of every assessed code to its group (a
    prefecture's province …).
    """
    normalized = assessment.normalized
    weights = assessment.indicator_weights
    pillar_of = dict(assessment.pillar_of)
    regions = normalized.index.get_level_values(0).astype(str)
    code = str(region) if str(region) in set(regions) else normalize_region(region)
    scores = assessment.scores
    scores = scores.assign(region=scores["region"].astype(str))
    names = dict(zip(scores["region"], scores.get("region_name", scores["region"]), strict=True))
    name = region_label(code) or str(names.get(code, code))
    if code not in set(regions):
        raise InputError(
            f"{name} ({code}) is not in the assessment",
            column="region",
            hint="assess it first (nqpf.assess(regions=...)) or pick an assessed region",
        )
    result = obstacle_degree(normalized, weights, pillar_of=pillar_of)
    mine = result.indicators[result.indicators["region"].astype(str) == code]
    obstacles = top_obstacles(ObstacleResult(mine, result.pillars), top)
    pillar_obstacles = result.pillars[result.pillars["region"].astype(str) == code]
    missing = [s for s in subsystems if s not in set(pillar_of.values())]
    if missing:
        raise InputError(
            f"no pillar {', '.join(missing)} in the assessment's framework",
            hint=f"pillars are {', '.join(sorted(set(pillar_of.values())))}",
        )
    subs = scores.loc[scores["region"] == code, ["region", "year", *subsystems]]
    coupling = coupling_coordination(subs.sort_values("year"), list(subsystems))
    labels = group_labels(scores["region"], grouping)
    group = str(labels[scores["region"] == code].iloc[0])
    in_group = labels == group
    trajectory = (
        scores[scores["region"] == code][["year", "index", "rank"]]
        .merge(scores.groupby("year", as_index=False).agg(n_units=("index", "size")), on="year")
        .merge(
            scores[in_group]
            .groupby("year", as_index=False)
            .agg(index_group=("index", "mean"), n_group=("index", "size")),
            on="year",
        )
        .merge(
            scores.groupby("year", as_index=False).agg(index_nation=("index", "mean")), on="year"
        )
        .sort_values("year", ignore_index=True)
    )
    trajectory["gap_group"] = trajectory["index"] - trajectory["index_group"]
    trajectory["gap_nation"] = trajectory["index"] - trajectory["index_nation"]
    trajectory["growth_log"] = (
        np.log(trajectory["index"]).diff() if (trajectory["index"] > 0).all() else np.nan
    )
    spec = {
        "region": code,
        "top": top,
        "subsystems": list(subsystems),
        "grouping": grouping if isinstance(grouping, str) else "custom",
    }
    return Diagnosis(
        region=code,
        region_name=name,
        group=group,
        obstacles=obstacles,
        pillar_obstacles=pillar_obstacles.reset_index(drop=True),
        coupling=coupling,
        trajectory=trajectory,
        spec=spec,
        spec_hash=hash_spec(
            spec, normalized, weights.rename("weight").to_frame(), assessment.scores
        ),
        provenance=provenance if provenance is not None else pd.DataFrame({"source": []}),
    )
