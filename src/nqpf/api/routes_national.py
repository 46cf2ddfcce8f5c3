"""Routes of the national planning analyses and the industrial chains: herding (declared or
revealed), the optimal layout, target tracking, the chain catalogue, one chain's definition
and a province's chain map. Each answers with the result document
(:mod:`nqpf.api._respond`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from nqpf.api._respond import RESULT_RESPONSES, RegionPath, Year, result_response
from nqpf.results import Result, tables_result

if TYPE_CHECKING:
    pass

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")

Indicator = Annotated[str, Query(min_length=1, max_length=64, description="indicator id")]
Regions = Annotated[
    list[Annotated[str, Query(min_length=1, max_length=64)]] | None,
    Query(max_length=100, description="regions (default all provinces)"),
]
ChainPath = Annotated[
    str, Path(min_length=1, max_length=64, description="chain id or name: nev, 新能源汽车")
]


@router.get("/herding", tags=["industries"], responses=RESULT_RESPONSES)
async def herding(
    request: Request,
    view: Literal["declared", "revealed"] = "declared",
    density_quantile: Annotated[float, Query(gt=0, lt=1)] = 0.5,
    source: Literal["listed", "census"] = "listed",
    start: Annotated[int | None, Query(ge=2000, le=2025)] = None,
    end: Annotated[int | None, Query(ge=2000, le=2025)] = None,
    level: Literal["province", "prefecture", "county"] = "county",
    density_min: Annotated[float | None, Query(ge=0, le=1)] = None,
) -> Response:
    """Herding (同质化): ``declared`` — provinces' declared priority fields against their fit;
    ``revealed`` — entries and structural convergence in the data (listed firms by year, or
    census 2010 → 2020 at ``level``)."""
    options: dict[str, Any] = {"view": view, "density_quantile": density_quantile, "source": source}
    options |= {"start": start, "end": end, "level": level, "density_min": density_min}

    def run() -> Result:
        from nqpf.services.plan import herding as run_herding

        return run_herding(
            view=view,
            density_quantile=density_quantile,
            source=source,
            start=start,
            end=end,
            level=level,
            density_min=density_min,
        )

    return await result_response(request, {"analysis": "herding", **options}, run)


@router.get("/plan/layout", tags=["industries"], responses=RESULT_RESPONSES)
async def layout(
    request: Request,
    k: Annotated[int, Query(ge=1, le=20, description="priorities per province")] = 5,
    hubs_min: Annotated[int, Query(ge=0, le=31, description="hubs per industry, at least")] = 1,
    hubs: Annotated[int, Query(ge=1, le=31, description="hubs per industry, at most")] = 6,
    per_group: Annotated[
        int | None, Query(ge=1, le=31, description="hubs of an industry per macro-region, at most")
    ] = None,
    fit: Literal["density", "rca"] = "density",
    lock_rca: Annotated[
        float | None, Query(gt=0, le=100, description="keep strengths with RCA ≥ this")
    ] = None,
) -> Response:
    """The optimal national division of labour (exact MILP over listed-company industries),
    its shadow costs and its difference from the declared priorities."""
    options: dict[str, Any] = {"k": k, "hubs_min": hubs_min, "hubs": hubs, "per_group": per_group}
    options |= {"fit": fit, "lock_rca": lock_rca}

    def run() -> Result:
        from nqpf.errors import InputError
        from nqpf.services.plan import layout as run_layout

        if hubs_min > hubs:
            raise InputError(f"hubs_min {hubs_min} exceeds hubs {hubs}", column="hubs_min")
        return run_layout(
            k=k, hubs_min=hubs_min, hubs_max=hubs, per_group=per_group, fit=fit, lock_rca=lock_rca
        )

    return await result_response(request, {"analysis": "layout", **options}, run)


@router.get("/targets", tags=["industries"], responses=RESULT_RESPONSES)
async def targets(
    request: Request,
    indicator: Indicator,
    target: Annotated[float, Query(description="target value")],
    by: Annotated[Year, Query(description="target year")],
    region: Regions = None,
    direction: Literal["+", "-"] | None = None,
    model: Literal["log_linear", "linear"] = "log_linear",
    alpha: Annotated[float, Query(gt=0, lt=1)] = 0.1,
    since: Annotated[Year | None, Query(description="first year of the trend")] = None,
) -> Response:
    """Every province's (or the given regions') trajectory of an indicator against a target:
    required growth vs trend, projection, probability, status."""
    options: dict[str, Any] = {
        "indicator": indicator,
        "target": target,
        "by": by,
        "regions": region,
    }
    options |= {"direction": direction, "model": model, "alpha": alpha, "since": since}

    def run() -> Result:
        from nqpf.services.plan import targets as run_targets

        return run_targets(
            indicator,
            target=target,
            by=by,
            regions=region,
            direction=direction,
            model=model,
            alpha=alpha,
            since=since,
        )

    return await result_response(request, {"analysis": "targets", **options}, run)


@router.get("/targets/national", tags=["industries"], responses=RESULT_RESPONSES)
async def national_targets(
    request: Request,
    indicator: Indicator,
    region: Regions = None,
    direction: Literal["+", "-"] | None = None,
    model: Literal["log_linear", "linear"] = "log_linear",
    alpha: Annotated[float, Query(gt=0, lt=1)] = 0.1,
) -> Response:
    """Every province against each national target or path of the indicator stated in the
    policy library."""
    url: str | None = request.app.state.db_url
    options: dict[str, Any] = {"indicator": indicator, "regions": region, "direction": direction}
    options |= {"model": model, "alpha": alpha}

    def run() -> Result:
        from nqpf.services.plan import national_targets as run_national

        return run_national(
            indicator, url=url, regions=region, direction=direction, model=model, alpha=alpha
        )

    # the library can grow while the server runs: not cached
    return await result_response(
        request, {"analysis": "national_targets", **options}, run, cache=False
    )


# ------------------------------------------------------------------------------- chains
@router.get("/chains", tags=["chains"], responses=RESULT_RESPONSES)
async def chains(request: Request) -> Response:
    """The packaged industrial chains: id, names, segments upstream → downstream, listed
    firms, sources."""

    def run() -> Result:
        import pandas as pd

        from nqpf.services.chains import chain_catalog

        catalog = chain_catalog()
        return tables_result(
            "chains",
            {},
            {"chains": catalog},
            provenance=pd.DataFrame(
                {"source": sorted(set("; ".join(catalog["sources"]).split("; ")))}
            ),
        )

    return await result_response(request, {"analysis": "chains"}, run)


@router.get("/chains/{chain}", tags=["chains"], responses=RESULT_RESPONSES)
async def chain(request: Request, chain: ChainPath) -> Response:
    """One chain's definition: its segments upstream → downstream, what each feeds, its
    input-output sectors and why it belongs."""

    def run() -> Result:
        import pandas as pd

        from nqpf.services.chains import get_chain

        found = get_chain(chain)
        levels = found.levels()
        segments = pd.DataFrame(
            {
                "segment": [s.id for s in found.segments],
                "name_zh": [s.name_zh for s in found.segments],
                "name_en": [s.name_en for s in found.segments],
                "level": [levels[s.id] for s in found.segments],
                "feeds": [", ".join(s.feeds) for s in found.segments],
                "io_sectors": [", ".join(s.io_sectors) for s in found.segments],
                "flow": [s.flow for s in found.segments],
                "reason": [s.reason for s in found.segments],
            }
        )
        edges = pd.DataFrame(found.edges(), columns=["from_segment", "to_segment"])
        return tables_result(
            "chain",
            {"chain": found.id, "name_zh": found.name_zh, "name_en": found.name_en},
            {"segments": segments, "edges": edges},
            provenance=pd.DataFrame({"source": list(found.sources)}),
        )

    return await result_response(request, {"analysis": "chain", "chain": chain}, run)


@router.get("/chains/{chain}/map/{region}", tags=["chains"], responses=RESULT_RESPONSES)
async def chain_map(
    request: Request,
    chain: ChainPath,
    region: RegionPath,
    strong_lq: Annotated[float, Query(gt=0, le=100)] = 1.0,
    min_firms: Annotated[int, Query(ge=1, le=1000)] = 3,
    anchors: bool = True,
    partners: Annotated[int, Query(ge=1, le=31)] = 3,
    firms: Annotated[int, Query(ge=1, le=50)] = 5,
) -> Response:
    """A province's chain map: strong, weak and missing links, partner regions for the gaps
    and candidate firms, with the input-output check of each step."""
    options: dict[str, Any] = {"chain": chain, "region": region, "strong_lq": strong_lq}
    options |= {"min_firms": min_firms, "anchors": anchors, "partners": partners, "firms": firms}

    def run() -> Result:
        from nqpf.chain.chainmap import ChainMapOptions
        from nqpf.services.chains import chain_map as run_map

        opts = ChainMapOptions(
            strong_lq=strong_lq,
            min_firms=min_firms,
            anchors_make_strong=anchors,
            max_partners=partners,
            max_firms=firms,
        )
        return run_map(chain, region, options=opts)

    return await result_response(request, {"analysis": "chain_map", **options}, run)
