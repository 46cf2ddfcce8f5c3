"""The disparity and diagnosis services: load the measure (an indicator of the packaged
panel, or the index or a pillar of an assessment), run the analysis of
:mod:`nqpf.disparity.report` or :mod:`nqpf.diagnose.diagnosis`, return its result.

Measures: an indicator id of the catalog (``gdp_per_capita``), ``index`` (the NQPF index
of :func:`nqpf.assess`) or a pillar id of its framework (``tech``, ``industry`` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from nqpf.data import catalog, load_panel
from nqpf.diagnose.diagnosis import AssessmentLike, Diagnosis, region_diagnosis
from nqpf.disparity._input import GroupSpec
from nqpf.disparity.report import DisparityReport, disparity_report
from nqpf.errors import InputError
from nqpf.index.assessment import Assessment
from nqpf.services.assessment import assess

__all__ = ["diagnose", "disparity", "measure_panel"]


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
    cat = catalog()
    if measure in set(cat["id"]):
        spec = cat.set_index("id").loc[measure]
        panel = load_panel([measure], years=years)
        label = f"{spec['name_zh']} {spec['name_en']} ({spec['unit']})"
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


def _assess(years: Iterable[int] | None) -> Assessment:
    """``nqpf.assess()`` on the packaged data (its default options)."""
    return assess(years=list(years)) if years is not None else assess()


def disparity(
    measure: str = "index",
    *,
    groups: GroupSpec = "four-regions",
    weight: str | None = None,
    years: Iterable[int] | None = None,
    bootstrap: int = 0,
    seed: int | None = 0,
    spatial: bool = True,
) -> DisparityReport:
    """The disparity report of ``measure`` (:func:`measure_panel`); ``weight`` an indicator id
    of population-like weights (e.g. ``population``) for the weighted Dagum and Theil."""
    panel, label = measure_panel(measure, years=years)
    weights = None
    if weight:
        weights = load_panel([weight], years=years)[["region", "year", "value"]].rename(
            columns={"value": "weight"}
        )
    return disparity_report(
        panel,
        label=label,
        groups=groups,
        weights=weights,
        bootstrap=bootstrap,
        seed=seed,
        spatial=spatial,
    )


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
    return region_diagnosis(region, found, top=top, subsystems=subsystems, grouping=grouping)
