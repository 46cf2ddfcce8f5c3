"""The disparity and diagnosis services: load the measure (an indicator of the packaged
panel, or the index or a pillar of an assessment), run the analysis of
:mod:`nqpf.disparity.report` or :mod:`nqpf.diagnose.diagnosis`, return its result.

Measures: an indicator id of the catalog (``gdp_per_capita``), ``index`` (the NQPF index
of :func:`nqpf.assess`) or a pillar id of its framework (``tech``, ``industry`` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

import pandas as pd

from nqpf.data import load_panel, sources
from nqpf.diagnose.diagnosis import AssessmentLike, Diagnosis, region_diagnosis
from nqpf.disparity.report import DisparityReport, disparity_report
from nqpf.errors import InputError
from nqpf.index.assessment import Assessment
from nqpf.indicators import formula_inputs, indicator, indicator_specs
from nqpf.results import hash_spec
from nqpf.services._cache import cached
from nqpf.services.assessment import assess

__all__ = ["DisparitySpec", "diagnose", "disparity", "measure_panel", "measure_provenance"]


def measure_panel(
    measure: str = "index",
    *,
    years: Iterable[int] | None = None,
    assessment: Any = None,
) -> tuple[pd.DataFrame, str]:
    """Long ``region, region_name, year, value`` of ``measure`` and its label.

    ``index`` and pillar ids come from ``assessment`` (default: ``nqpf.assess()`` on the
    packaged data); any other name must be an indicator id of the catalog.
    """
    meta = _indicator_meta(measure)
    if meta is not None:
        panel = load_panel([measure], years=years)
        named = " ".join(n for n in (meta["name_zh"], meta["name_en"]) if n)
        label = f"{named} ({meta['unit']})"
        return panel[["region", "region_name", "year", "value"]].reset_index(drop=True), label
    if assessment is None:
        assessment = _assess(years)
    scores = assessment.scores
    names = {"index": "新质生产力指数 NQPF index", **dict(assessment.pillar_names)}
    if measure not in names or measure not in scores.columns:
        raise InputError(
            f"unknown measure {measure!r}",
            hint=f"use index, a pillar ({', '.join(assessment.pillar_names)}) or an "
            "indicator id (`nqpf data list`)",
        )
    panel = scores[["region", "region_name", "year", measure]].rename(columns={measure: "value"})
    return panel.reset_index(drop=True), names[measure]


def _indicator_meta(measure: str) -> dict[str, Any] | None:
    """Names and unit of ``measure`` when it is an indicator (of the catalog, or imported
    into the workspace), else ``None``: what :func:`nqpf.data.catalog` says about it,
    without loading the whole panel for its coverage."""
    specs = indicator_specs()
    if measure in specs:
        found = specs[measure]
        return {"name_zh": found.name_zh, "name_en": found.name_en, "unit": found.unit}
    from nqpf.ingest.workspace import Workspace

    user = Workspace.default().catalog()
    if measure not in set(user["id"]):
        return None
    row = user.set_index("id").loc[measure]
    return {"name_zh": str(row["name_zh"]), "name_en": "", "unit": str(row["unit"])}


def _assess(years: Iterable[int] | None) -> Assessment:
    """``nqpf.assess()`` on the packaged data (its default options)."""
    return assess(years=list(years)) if years is not None else assess()


Grouping = Literal["four-regions", "three-belts"]


@dataclass(frozen=True)
class DisparitySpec:
    """Options of ``nqpf disparity``, validated when made."""

    measure: str = "index"
    groups: Grouping = "four-regions"
    weight: str | None = None
    years: tuple[int, ...] | None = None
    bootstrap: int = 0
    seed: int | None = 0
    spatial: bool = True

    def __post_init__(self) -> None:
        if self.groups not in get_args(Grouping):
            raise InputError(
                f"unknown grouping {self.groups!r}",
                column="by",
                hint=f"use one of {', '.join(get_args(Grouping))}",
            )
        if self.bootstrap < 0:
            raise InputError("bootstrap replicates must be ≥ 0", column="bootstrap")
        if self.years is not None:
            object.__setattr__(self, "years", tuple(int(y) for y in self.years))


def disparity(spec: DisparitySpec) -> DisparityReport:
    """The disparity report of ``spec.measure`` (:func:`measure_panel`); ``spec.weight`` an
    indicator id of population-like weights (e.g. ``population``) for the weighted Dagum
    and Theil. Cached by the hash of the panel, the weights and the options."""
    years = list(spec.years) if spec.years is not None else None
    assessment = None if _indicator_meta(spec.measure) is not None else _assess(years)
    panel, label = measure_panel(spec.measure, years=years, assessment=assessment)
    weights = None
    if spec.weight:
        weights = load_panel([spec.weight], years=years)[["region", "year", "value"]].rename(
            columns={"value": "weight"}
        )
    frames = [panel] if weights is None else [panel, weights]
    key = hash_spec({"kind": "disparity", **asdict(spec)}, *frames)

    def build() -> DisparityReport:
        spatial_weights = None
        if spec.spatial:
            from nqpf.services.spatial import contiguity_weights

            spatial_weights = contiguity_weights()
        return disparity_report(
            panel,
            label=label,
            groups=spec.groups,
            weights=weights,
            bootstrap=spec.bootstrap,
            seed=spec.seed,
            spatial=spec.spatial,
            spatial_weights=spatial_weights,
            provenance=measure_provenance(spec.measure, years, assessment=assessment),
        )

    return cached(key, build)


def measure_provenance(
    measure: str, years: Iterable[int] | None = None, *, assessment: Any = None
) -> pd.DataFrame:
    """The sources behind a measure: each ``source_id`` of an indicator's values (and of the
    inputs of a derived indicator) with its registry entry, or the provenance table of the
    assessment (default: ``nqpf.assess()`` on the packaged data) for the index and its
    pillars."""
    if _indicator_meta(measure) is not None:
        spec = indicator(measure)
        ids = [measure, *sorted(formula_inputs(spec.formula))] if spec.formula else [measure]
        used = pd.Series(load_panel(ids, years=years)["source_id"].unique(), name="source_id")
        return used.to_frame().merge(sources(), on="source_id", how="left")
    return (assessment if assessment is not None else _assess(years)).provenance


def diagnose(
    region: str,
    *,
    assessment: AssessmentLike | None = None,
    top: int = 5,
    subsystems: Sequence[str] = ("tech", "industry"),
    grouping: str = "four-regions",
) -> Diagnosis:
    """:func:`nqpf.diagnose.region_diagnosis` of ``region`` on ``assessment`` (default
    ``nqpf.assess()`` on the packaged data)."""
    found = assessment if assessment is not None else _assess(None)
    provenance: pd.DataFrame | None = getattr(found, "provenance", None)
    return region_diagnosis(
        region,
        found,
        top=top,
        subsystems=subsystems,
        grouping=grouping,
        provenance=provenance,
    )
