"""The disparity and diagnosis services: load the measure (an indicator of the packaged
panel, or the index or a pillar of an assessment), run the analysis of
:mod:`nqpf.disparity.report` or :mod:`nqpf.diagnose.diagnosis`, return its result.

Measures: an indicator id of the catalog (``gdp_per_capita``), ``index`` (the NQPF index
of :func:`nqpf.assess`) or a pillar id of its framework (``tech``, ``industry`` …).

Below the province (``level="prefecture"`` or ``"county"``) the measures are the index and
pillars of the level's assessment (``nqpf.assess(level=...)``) or an indicator of the
sub-national catalog (:func:`nqpf.indicators.subnational_specs`, e.g. ``city_gdp_per_capita``,
``college_share``); the groups are the units' provinces (``province``) or the provinces'
groups (``four-regions``, ``three-belts``), given to the core as a mapping code → group.
Moran's I, LISA and the spatial Markov chain use the queen contiguity of the level
(:func:`nqpf.services.spatial.contiguity_weights`); units without a boundary of their own
(development zones) are left out of them with a note naming them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, get_args

import pandas as pd

from nqpf.data import SubnationalLevel, load_panel, load_subnational, sources
from nqpf.diagnose.diagnosis import AssessmentLike, Diagnosis, region_diagnosis
from nqpf.disparity.report import DisparityReport, disparity_report
from nqpf.errors import InputError
from nqpf.index.assessment import Assessment
from nqpf.indicators import formula_inputs, indicator, indicator_specs, subnational_specs
from nqpf.ingest.checks import GroupSpec
from nqpf.regions import find_unit, group_of, province_codes, region_name
from nqpf.results import hash_spec
from nqpf.services._cache import cached
from nqpf.services.assessment import assess

__all__ = [
    "DisparitySpec",
    "diagnose",
    "disparity",
    "measure_panel",
    "measure_provenance",
    "unit_groups",
]


def measure_panel(
    measure: str = "index",
    *,
    years: Iterable[int] | None = None,
    assessment: Any = None,
    level: SubnationalLevel = "province",
) -> tuple[pd.DataFrame, str]:
    """Long ``region, region_name, year, value`` of ``measure`` and its label.

    ``index`` and pillar ids come from ``assessment`` (default: ``nqpf.assess(level=level)``
    on the packaged data); any other name must be an indicator id of the catalog of the level.
    """
    if level != "province" and measure in subnational_specs():
        spec_ = subnational_specs()[measure]
        panel = load_subnational(level, [measure], years=years)
        if panel.empty:
            raise InputError(
                f"indicator {measure!r} has no {level} values"
                + (f" in {', '.join(map(str, years))}" if years is not None else ""),
                column="measure",
                hint="`nqpf data show` lists where an indicator has values; choose other years",
            )
        label = f"{spec_.name_zh} {spec_.name_en} ({spec_.unit})"
        return panel[["region", "region_name", "year", "value"]].reset_index(drop=True), label
    meta = _indicator_meta(measure) if level == "province" else None
    if meta is not None:
        panel = load_panel([measure], years=years)
        named = " ".join(n for n in (meta["name_zh"], meta["name_en"]) if n)
        label = f"{named} ({meta['unit']})"
        return panel[["region", "region_name", "year", "value"]].reset_index(drop=True), label
    if assessment is None:
        assessment = _assess(years, level)
    scores = assessment.scores
    names = {"index": "新质生产力指数 NQPF index", **dict(assessment.pillar_names)}
    if measure not in names or measure not in scores.columns:
        ids = "`nqpf data list`" if level == "province" else "subnational.yaml"
        raise InputError(
            f"unknown measure {measure!r}",
            hint=f"use index, a pillar ({', '.join(assessment.pillar_names)}) or an "
            f"indicator id ({ids})",
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


def _is_indicator(measure: str, level: SubnationalLevel) -> bool:
    """Whether ``measure`` is an indicator of the level's catalog (not the index or a
    pillar of the level's assessment)."""
    if level == "province":
        return _indicator_meta(measure) is not None
    return measure in subnational_specs()


def _assess(years: Iterable[int] | None, level: SubnationalLevel = "province") -> Assessment:
    """``nqpf.assess(level=level)`` on the packaged data (its default options)."""
    return assess(level=level, years=list(years)) if years is not None else assess(level=level)


Grouping = Literal["four-regions", "three-belts", "province"]


def unit_groups(codes: Iterable[str], grouping: Grouping) -> GroupSpec:
    """The groups of prefecture or county codes: their province (``province``, named 安徽 …)
    or their province's group in a grouping of provinces (``four-regions``: 东部 …). A
    grouping of provinces is returned as its name when every code is a province.

    >>> unit_groups(["340100", "341200", "110000"], "four-regions")
    {'340100': '中部', '341200': '中部', '110000': '东部'}
    >>> unit_groups(["340100", "320500"], "province")
    {'340100': '安徽', '320500': '江苏'}
    """
    codes = list(dict.fromkeys(map(str, codes)))
    if grouping == "province":
        return {c: region_name(c[:2] + "0000") for c in codes}
    provinces = {c[:2] + "0000" for c in codes}
    if set(codes) == provinces:
        return grouping
    return {c: group_of(c[:2] + "0000", grouping=grouping) for c in codes}


@dataclass(frozen=True)
class DisparitySpec:
    """Options of ``nqpf disparity``, validated when made. ``level``: the units compared
    (provinces, prefectures or counties); ``groups``: the Dagum/Theil groups —
    ``four-regions`` or ``three-belts`` (groups of provinces, and of the units in them), or
    ``province`` (the units' provinces; below the province only)."""

    measure: str = "index"
    groups: Grouping = "four-regions"
    weight: str | None = None
    years: tuple[int, ...] | None = None
    bootstrap: int = 0
    seed: int | None = 0
    spatial: bool = True
    level: SubnationalLevel = "province"

    def __post_init__(self) -> None:
        if self.groups not in get_args(Grouping):
            raise InputError(
                f"unknown grouping {self.groups!r}",
                column="by",
                hint=f"use one of {', '.join(get_args(Grouping))}",
            )
        if self.level not in ("province", "prefecture", "county"):
            raise InputError(
                f"unknown level {self.level!r}",
                column="level",
                hint="use province, prefecture or county",
            )
        if self.groups == "province" and self.level == "province":
            raise InputError(
                "grouping by province needs units below the province",
                column="by",
                hint="use --level prefecture or county, or --by four-regions",
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
    assessment = None if _is_indicator(spec.measure, spec.level) else _assess(years, spec.level)
    panel, label = measure_panel(spec.measure, years=years, assessment=assessment, level=spec.level)
    weights = None
    if spec.weight:
        if spec.level == "province":
            found = load_panel([spec.weight], years=years)
        else:
            found = load_subnational(spec.level, [spec.weight], years=years)
        weights = found[["region", "year", "value"]].rename(columns={"value": "weight"})
    frames = [panel] if weights is None else [panel, weights]
    key = hash_spec({"kind": "disparity", **asdict(spec)}, *frames)

    def build() -> DisparityReport:
        spatial_weights = None
        if spec.spatial:
            from nqpf.services.spatial import contiguity_weights

            spatial_weights = contiguity_weights(level=spec.level)
        groups: GroupSpec = spec.groups
        if spec.level != "province":
            groups = unit_groups(panel["region"], spec.groups)
        return disparity_report(
            panel,
            label=label,
            groups=groups,
            weights=weights,
            bootstrap=spec.bootstrap,
            seed=spec.seed,
            spatial=spec.spatial,
            spatial_weights=spatial_weights,
            provenance=measure_provenance(
                spec.measure, years, assessment=assessment, level=spec.level
            ),
        )

    return cached(key, build)


def measure_provenance(
    measure: str,
    years: Iterable[int] | None = None,
    *,
    assessment: Any = None,
    level: SubnationalLevel = "province",
) -> pd.DataFrame:
    """The sources behind a measure: each ``source_id`` of an indicator's values (and of the
    inputs of a derived indicator) with its registry entry, or the provenance table of the
    assessment (default: ``nqpf.assess(level=level)`` on the packaged data) for the index
    and its pillars."""
    if level != "province" and measure in subnational_specs():
        spec_ = subnational_specs()[measure]
        ids = [measure, *sorted(formula_inputs(spec_.formula))] if spec_.formula else [measure]
        found = load_subnational(level, ids, years=years)["source_id"]
        used = pd.Series(found[~found.str.startswith("derived:")].unique(), name="source_id")
        return used.to_frame().merge(sources(), on="source_id", how="left")
    if level == "province" and _indicator_meta(measure) is not None:
        spec = indicator(measure)
        ids = [measure, *sorted(formula_inputs(spec.formula))] if spec.formula else [measure]
        used = pd.Series(load_panel(ids, years=years)["source_id"].unique(), name="source_id")
        return used.to_frame().merge(sources(), on="source_id", how="left")
    return (assessment if assessment is not None else _assess(years, level)).provenance


def diagnose(
    region: str,
    *,
    assessment: AssessmentLike | None = None,
    top: int = 5,
    subsystems: Sequence[str] = ("tech", "industry"),
    grouping: str | None = None,
    level: SubnationalLevel | None = None,
    within: str | None = None,
) -> Diagnosis:
    """:func:`nqpf.diagnose.region_diagnosis` of ``region`` on ``assessment`` (default
    ``nqpf.assess(level=...)`` on the packaged data).

    ``region`` is a province, prefecture or county name or code, resolved by
    :func:`nqpf.regions.find_unit` (合肥 → the prefecture 340100; ``level`` forces a level,
    ``within`` narrows an ambiguous county name). ``grouping``: a grouping of provinces
    (:data:`nqpf.regions.GROUPINGS`; default ``four-regions`` for a province) or, below the
    province, ``province`` (the default there: the trajectory is compared with the mean of
    the units of the same province)."""
    assessed = set() if assessment is None else set(assessment.scores["region"].astype(str))
    found_level: SubnationalLevel
    if level is None and within is None and str(region) in assessed:
        code = str(region)  # a code of the given assessment, of whatever level
        found_level = "province" if code in province_codes() else "prefecture"
    else:
        found_level, code = find_unit(region, level=level, within=within)
    found = assessment if assessment is not None else _assess(None, found_level)
    if grouping is None:
        grouping = "four-regions" if found_level == "province" else "province"
    return _diagnosis(code, found, top, subsystems, grouping)


def _diagnosis(
    code: str,
    assessment: AssessmentLike,
    top: int,
    subsystems: Sequence[str],
    grouping: str,
) -> Diagnosis:
    if grouping not in get_args(Grouping):
        raise InputError(
            f"unknown grouping {grouping!r}",
            column="by",
            hint=f"use one of {', '.join(get_args(Grouping))}",
        )
    codes = assessment.scores["region"].astype(str)
    if grouping == "province" and set(codes) <= set(province_codes()):
        raise InputError(
            "grouping by province needs units below the province",
            column="by",
            hint="diagnose a prefecture or county (合肥, 肥西县), or use --by four-regions",
        )
    groups = unit_groups(codes, grouping)  # type: ignore[arg-type]
    provenance: pd.DataFrame | None = getattr(assessment, "provenance", None)
    found = region_diagnosis(
        code,
        assessment,
        top=top,
        subsystems=subsystems,
        grouping=groups,
        provenance=provenance,
    )
    names: dict[str, str] | None = getattr(assessment, "pillar_names", None)
    if names is None:
        return found
    # the pillars' names beside their ids, so tables and printouts name them
    return replace(
        found,
        obstacles=found.obstacles.assign(pillar_name=found.obstacles["pillar"].map(names)),
        pillar_obstacles=found.pillar_obstacles.assign(
            pillar_name=found.pillar_obstacles["pillar"].map(names)
        ),
    )
