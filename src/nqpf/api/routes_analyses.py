"""Routes of the regional analyses: assessment, audit, disparity, diagnosis, opportunities
and structural peers, at the level of provinces, prefectures or counties (``level``, as
``nqpf … --level``; docs/levels.md). Each validates its parameters (422 naming the field),
calls one service and answers with the result document (:mod:`nqpf.api._respond`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from nqpf.api._respond import (
    RESULT_RESPONSES,
    RegionPath,
    Years,
    result_response,
    result_responses,
)
from nqpf.methods import AggregateMethod, NormalizeMethod, Scope
from nqpf.results import Result

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["analyses"])

# The choices are the Literal types of nqpf.index (validated again, once, by AssessmentSpec);
# normalize 'target' needs per-indicator targets, which a query cannot carry.
Framework = Literal["ndrc", "three-elements"]
Weights = Literal["entropy", "critic", "equal", "pca", "entropy,critic"]
Grouping = Literal["four-regions", "three-belts"]
#: Groups of a disparity analysis: below the province also the units' provinces.
DisparityGrouping = Literal["four-regions", "three-belts", "province"]
#: The packaged industry matrices (a user's file is the CLI's business: no paths here);
#: ``auto``: listed companies for a province, the 2020 census below.
Matrix = Literal["auto", "listed", "census2020", "census2010"]
#: The units of an analysis (docs/levels.md).
Level = Literal["province", "prefecture", "county"]
#: ``level`` of the routes that take one region: forces the level its name is read at
#: (default: found from the name, a province first — 北京 is the province, 合肥 the city).
RegionLevel = Annotated[
    Level | None,
    Query(description="province, prefecture or county (default: found from the name)"),
]
#: What ``GET /assess`` answers: everything, or the scores, pillars and weights only.
AssessView = Literal["full", "scores"]
#: The tables of ``view=scores``.
SCORE_TABLES = ("scores", "pillars", "weights", "rank_bands")
Strategy = Literal["low_hanging", "balanced", "long_jump"]
Relatedness = Literal["co-location", "io"]
#: Most Dagum bootstrap replicates a request may ask for (a job for more is the CLI's).
MAX_BOOTSTRAP = 2000


def _years(year: list[int] | None) -> list[int] | None:
    return sorted(set(year)) if year else None


def _assessment_spec(
    framework: str,
    normalize: str,
    scope: str,
    weights: str,
    aggregate: str,
    years: Any,
    level: str = "province",
) -> Any:
    from nqpf.services.assessment import AssessmentSpec

    return AssessmentSpec.of(
        framework=framework,
        level=level,
        normalize=normalize,
        scope=scope,
        weights=weights,
        aggregate=aggregate,
        years=years,
    )


def _unit(region: str, level: str | None, within: str | None) -> tuple[str, str | None]:
    """The region (and ``within``) to hand to a service: as given when no level is forced,
    else the code of the unit the name names at that level."""
    if level is None:
        return region, within
    from nqpf.regions import find_unit

    return find_unit(region, level=level, within=within)[1], None  # type: ignore[arg-type]


def _scores_view(result: Result) -> Result:
    """The assessment without its large tables (contributions, outliers, Sobol indices):
    the same kind, spec and ``spec_hash``, tables :data:`SCORE_TABLES` that it has."""
    from nqpf.results import TablesResult

    tables = result.tables()
    return TablesResult(
        kind=result.kind,
        spec=result.spec,
        spec_hash=result.spec_hash,
        provenance=result.provenance,
        warnings=list(result.warnings),
        named={name: tables[name] for name in SCORE_TABLES if name in tables},
    )


def _pillars(result: Result) -> dict[str, Any]:
    framework = getattr(result, "framework", None)
    pillars = framework.pillars if framework is not None else ()
    return {"pillars": [{"id": p.id, "name_zh": p.name_zh, "name_en": p.name_en} for p in pillars]}


def _pillars_of(spec: Any) -> Any:
    """``extra`` of the assessment route: the pillars of the result's framework (a view
    keeps no framework: then the spec's)."""

    def extra(result: Result) -> dict[str, Any]:
        if getattr(result, "framework", None) is not None:
            return _pillars(result)
        from nqpf.index.framework import load_framework

        pillars = load_framework(spec.framework).pillars
        return {
            "pillars": [{"id": p.id, "name_zh": p.name_zh, "name_en": p.name_en} for p in pillars]
        }

    return extra


_PILLAR = {
    "type": "object",
    "required": ["id", "name_zh", "name_en"],
    "properties": {k: {"type": "string"} for k in ("id", "name_zh", "name_en")},
}


@router.get("/assess", responses=result_responses(pillars={"type": "array", "items": _PILLAR}))
async def assess(
    request: Request,
    framework: Framework = "ndrc",
    normalize: NormalizeMethod = "minmax",
    scope: Scope = "panel",
    weights: Weights = "entropy",
    aggregate: AggregateMethod = "linear",
    year: Years = None,
    level: Level = "province",
    view: AssessView = "full",
    dataset: Annotated[
        int | None,
        Query(ge=1, le=2**62, description="an imported data set laid on the packaged panel"),
    ] = None,
) -> Response:
    """NQPF composite assessment of the provinces (or, ``level``, the prefectures or
    counties) on the packaged data.

    The result document (tables scores, pillars, weights, contributions …) plus ``pillars``
    (id and zh/en names); ``view=scores``: the tables scores, pillars and weights only (no
    contributions), the same ``spec_hash``. ``dataset``: the values of an imported data set
    (``POST /data/import``) replace and extend the packaged provincial panel (warnings say
    how many). With uncertainty: ``POST /api/v1/jobs/assess``.
    """
    years = _years(year)
    options: dict[str, Any] = {"framework": framework, "normalize": normalize, "scope": scope}
    options |= {"weights": weights, "aggregate": aggregate, "years": years, "level": level}
    options |= {"dataset": dataset}
    spec = _assessment_spec(framework, normalize, scope, weights, aggregate, years, level)
    url = request.app.state.db_url

    def run() -> Result:
        from nqpf.services.assessment import assess_spec

        if dataset is None:
            result = assess_spec(spec)
        else:
            from nqpf.services.data import imported_set

            label, values = imported_set(dataset, url)
            result = assess_spec(spec, overlay=values, overlay_label=label)
        return _scores_view(result) if view == "scores" else result

    return await result_response(
        request,
        {"analysis": "assess", "view": view, **options},
        run,
        extra=_pillars_of(spec),
        variant="" if view == "full" else view,
    )


@router.get("/audit", responses=RESULT_RESPONSES)
async def audit(
    request: Request,
    framework: Framework = "ndrc",
    normalize: NormalizeMethod = "minmax",
    scope: Scope = "panel",
    weights: Weights = "entropy",
    aggregate: AggregateMethod = "linear",
    year: Years = None,
    validate: bool = True,
) -> Response:
    """Audit of the assessment with these options: correlations, collinearity, small bases,
    rank stability, and (``validate``) the comparison with published rankings."""
    years = _years(year)
    options: dict[str, Any] = {"framework": framework, "normalize": normalize, "scope": scope}
    options |= {"weights": weights, "aggregate": aggregate, "years": years, "validate": validate}
    spec = _assessment_spec(framework, normalize, scope, weights, aggregate, years)

    def run() -> Result:
        from nqpf.services.audit import audit as run_audit

        return run_audit(spec=spec, validate=validate)

    return await result_response(request, {"analysis": "audit", **options}, run)


@router.get("/disparity", responses=RESULT_RESPONSES)
async def disparity(
    request: Request,
    measure: Annotated[
        str,
        Query(min_length=1, max_length=64, description="index, a pillar id or an indicator id"),
    ] = "index",
    by: DisparityGrouping = "four-regions",
    weight: Annotated[
        str | None, Query(min_length=1, max_length=64, description="population-like weights")
    ] = None,
    year: Years = None,
    bootstrap: Annotated[int, Query(ge=0, le=MAX_BOOTSTRAP)] = 0,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0,
    spatial: bool = True,
    level: Level = "province",
) -> Response:
    """Regional disparities of a measure: Dagum Gini and its decomposition, Theil, σ/β
    convergence, kernel density, Moran's I, LISA and (spatial) Markov transitions; of the
    provinces, or (``level``) the prefectures or counties (``by=province`` groups them by
    province; queen contiguity of the level, units without a boundary left out with a note)."""
    from nqpf.services.disparity import DisparitySpec

    years = _years(year)
    spec = DisparitySpec(
        measure=measure,
        groups=by,
        weight=weight,
        years=tuple(years) if years else None,
        bootstrap=bootstrap,
        seed=seed,
        spatial=spatial,
        level=level,
    )
    options: dict[str, Any] = {"measure": measure, "by": by, "weight": weight, "years": years}
    options |= {"bootstrap": bootstrap, "seed": seed, "spatial": spatial, "level": level}

    def run() -> Result:
        from nqpf.services.disparity import disparity as run_disparity

        return run_disparity(spec)

    return await result_response(request, {"analysis": "disparity", **options}, run)


@router.get("/diagnose/{region}", responses=RESULT_RESPONSES)
async def diagnose(
    request: Request,
    region: RegionPath,
    top: Annotated[int, Query(ge=1, le=50)] = 5,
    subsystem: Annotated[
        list[Annotated[str, Query(min_length=1, max_length=32)]] | None,
        Query(min_length=2, max_length=6, description="pillars to couple (default tech, industry)"),
    ] = None,
    by: Annotated[
        DisparityGrouping | None,
        Query(description="group of the trajectory (default four-regions; province below)"),
    ] = None,
    level: RegionLevel = None,
    within: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="narrows an ambiguous county name"),
    ] = None,
) -> Response:
    """A province's (prefecture's, county's) obstacle degrees, coupling coordination and
    trajectory vs its group and the nation."""
    subsystems = tuple(subsystem) if subsystem else ("tech", "industry")
    options: dict[str, Any] = {
        "region": region,
        "top": top,
        "subsystems": list(subsystems),
        "by": by,
        "level": level,
        "within": within,
    }

    def run() -> Result:
        from nqpf.services.disparity import diagnose as run_diagnosis

        return run_diagnosis(
            region, top=top, subsystems=subsystems, grouping=by, level=level, within=within
        )

    return await result_response(request, {"analysis": "diagnose", **options}, run)


@router.get("/opportunities/presets")
def opportunity_presets() -> dict[str, dict[str, float]]:
    """The strategy presets: the weight of each score component (低垂果实 low_hanging,
    balanced, 长跳 long_jump)."""
    from nqpf.industry.opportunities import STRATEGIES

    return {name: dict(weights) for name, weights in STRATEGIES.items()}


@router.get("/opportunities/{region}", responses=RESULT_RESPONSES)
async def opportunities(
    request: Request,
    region: RegionPath,
    matrix: Matrix = "auto",
    strategy: Strategy = "balanced",
    within: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="narrows an ambiguous county name"),
    ] = None,
    threshold: Annotated[float, Query(ge=0, le=100, description="RCA of presence")] = 1.0,
    relatedness: Relatedness = "co-location",
    include_nontradable: bool = False,
    level: RegionLevel = None,
) -> Response:
    """A region's strengths and its ranked opportunities (scores, reasons, levers, backtest
    hit rates); tables opportunities, strengths, backtest … of the result document."""
    from nqpf.services.opportunities import OpportunitySpec

    unit, inside = _unit(region, level, within)
    spec = OpportunitySpec(
        region=unit,
        matrix=matrix,
        strategy=strategy,
        within=inside,
        threshold=threshold,
        relatedness=relatedness,
        include_nontradable=include_nontradable,
    )
    options: dict[str, Any] = {
        "region": region,
        "matrix": matrix,
        "strategy": strategy,
        "within": within,
        "level": level,
    }
    options |= {"threshold": threshold, "relatedness": relatedness}
    options |= {"include_nontradable": include_nontradable}

    def run() -> Result:
        from nqpf.services.opportunities import opportunities as run_opportunities

        return run_opportunities(spec)

    return await result_response(request, {"analysis": "opportunities", **options}, run)


@router.get("/similar/{region}", responses=RESULT_RESPONSES)
async def similar(
    request: Request,
    region: RegionPath,
    matrix: Matrix = "auto",
    top: Annotated[int, Query(ge=1, le=100)] = 5,
    within: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    level: RegionLevel = None,
) -> Response:
    """The regions whose industrial structure is closest to the region's, and its Krugman
    specialisation index."""
    from nqpf.services.industry import SimilaritySpec

    unit, inside = _unit(region, level, within)
    spec = SimilaritySpec(region=unit, matrix=matrix, top=top, within=inside)
    options: dict[str, Any] = {"region": region, "matrix": matrix, "top": top, "within": within}
    options |= {"level": level}

    def run() -> Result:
        from nqpf.services.industry import similar as run_similar

        return run_similar(spec)

    return await result_response(request, {"analysis": "similar", **options}, run)
