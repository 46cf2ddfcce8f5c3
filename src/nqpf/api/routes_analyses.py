"""Routes of the provincial analyses: assessment, audit, disparity, diagnosis, opportunities
and structural peers. Each validates its parameters (422 naming the field), calls one
service and answers with the result document (:mod:`nqpf.api._respond`)."""

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
from nqpf.index.aggregate import AggregateMethod
from nqpf.index.normalize import NormalizeMethod, Scope
from nqpf.results import Result

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["analyses"])

# The choices are the Literal types of nqpf.index (validated again, once, by AssessmentSpec);
# normalize 'target' needs per-indicator targets, which a query cannot carry.
Framework = Literal["ndrc", "three-elements"]
Weights = Literal["entropy", "critic", "equal", "pca", "entropy,critic"]
Grouping = Literal["four-regions", "three-belts"]
#: The packaged industry matrices (a user's file is the CLI's business: no paths here).
Matrix = Literal["listed", "census2020", "census2010"]
Strategy = Literal["low_hanging", "balanced", "long_jump"]
Relatedness = Literal["co-location", "io"]
#: Most Dagum bootstrap replicates a request may ask for (a job for more is the CLI's).
MAX_BOOTSTRAP = 2000


def _years(year: list[int] | None) -> list[int] | None:
    return sorted(set(year)) if year else None


def _assessment_spec(
    framework: str, normalize: str, scope: str, weights: str, aggregate: str, years: Any
) -> Any:
    from nqpf.services.assessment import AssessmentSpec

    return AssessmentSpec.of(
        framework=framework,
        normalize=normalize,
        scope=scope,
        weights=weights,
        aggregate=aggregate,
        years=years,
    )


def _pillars(result: Result) -> dict[str, Any]:
    framework = getattr(result, "framework", None)
    pillars = framework.pillars if framework is not None else ()
    return {"pillars": [{"id": p.id, "name_zh": p.name_zh, "name_en": p.name_en} for p in pillars]}


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
) -> Response:
    """NQPF composite assessment of the provinces on the packaged data.

    The result document (tables scores, pillars, weights, contributions …) plus ``pillars``
    (id and zh/en names). With ``--uncertainty``: ``POST /api/v1/jobs/assess``.
    """
    years = _years(year)
    options: dict[str, Any] = {"framework": framework, "normalize": normalize, "scope": scope}
    options |= {"weights": weights, "aggregate": aggregate, "years": years}
    spec = _assessment_spec(framework, normalize, scope, weights, aggregate, years)

    def run() -> Result:
        from nqpf.services.assessment import assess_spec

        return assess_spec(spec)

    return await result_response(request, {"analysis": "assess", **options}, run, extra=_pillars)


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
    by: Grouping = "four-regions",
    weight: Annotated[
        str | None, Query(min_length=1, max_length=64, description="population-like weights")
    ] = None,
    year: Years = None,
    bootstrap: Annotated[int, Query(ge=0, le=MAX_BOOTSTRAP)] = 0,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0,
    spatial: bool = True,
) -> Response:
    """Regional disparities of a measure: Dagum Gini and its decomposition, Theil, σ/β
    convergence, kernel density, Moran's I and (spatial) Markov transitions."""
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
    )
    options: dict[str, Any] = {"measure": measure, "by": by, "weight": weight, "years": years}
    options |= {"bootstrap": bootstrap, "seed": seed, "spatial": spatial}

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
    by: Grouping = "four-regions",
) -> Response:
    """A province's obstacle degrees, coupling coordination and trajectory vs its group and
    the nation."""
    subsystems = tuple(subsystem) if subsystem else ("tech", "industry")
    options: dict[str, Any] = {
        "region": region,
        "top": top,
        "subsystems": list(subsystems),
        "by": by,
    }

    def run() -> Result:
        from nqpf.services.disparity import diagnose as run_diagnosis

        return run_diagnosis(region, top=top, subsystems=subsystems, grouping=by)

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
    matrix: Matrix = "listed",
    strategy: Strategy = "balanced",
    within: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="narrows an ambiguous county name"),
    ] = None,
    threshold: Annotated[float, Query(ge=0, le=100, description="RCA of presence")] = 1.0,
    relatedness: Relatedness = "co-location",
    include_nontradable: bool = False,
) -> Response:
    """A region's strengths and its ranked opportunities (scores, reasons, levers, backtest
    hit rates); tables opportunities, strengths, backtest … of the result document."""
    from nqpf.services.opportunities import OpportunitySpec

    spec = OpportunitySpec(
        region=region,
        matrix=matrix,
        strategy=strategy,
        within=within,
        threshold=threshold,
        relatedness=relatedness,
        include_nontradable=include_nontradable,
    )
    options: dict[str, Any] = {
        "region": region,
        "matrix": matrix,
        "strategy": strategy,
        "within": within,
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
    matrix: Matrix = "listed",
    top: Annotated[int, Query(ge=1, le=100)] = 5,
    within: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Response:
    """The regions whose industrial structure is closest to the region's, and its Krugman
    specialisation index."""
    from nqpf.services.industry import SimilaritySpec

    spec = SimilaritySpec(region=region, matrix=matrix, top=top, within=within)
    options: dict[str, Any] = {"region": region, "matrix": matrix, "top": top, "within": within}

    def run() -> Result:
        from nqpf.services.industry import similar as run_similar

        return run_similar(spec)

    return await result_response(request, {"analysis": "similar", **options}, run)
