"""``nqpf herding``, ``nqpf plan`` and ``nqpf targets``: 全国一盘棋 — crowded industries, an
optimal national division of labour, trajectories against targets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nqpf.cli._output import Format, FormatOption, emit, frame_columns, messages, show_table

if TYPE_CHECKING:
    from nqpf.plan.report import PlanResult

OutOption = Annotated[
    Path | None, typer.Option(help="write <kind>.xlsx and an offline <kind>.html here")
]
DeclaredOption = Annotated[
    Path | None,
    typer.Option(
        help="declared priorities CSV (region, industry, source); default: the packaged set"
    ),
]


def _show(result: PlanResult, columns: list[str], title: str, top: int, fmt: Format) -> None:
    frame = result.to_frame()[columns].head(top)
    if fmt != "table":
        emit(fmt, frame, result=result)
    else:

        def cell(value: object, column: str) -> str:
            return f"{value:.4g}" if isinstance(value, float) else str(value)

        show_table(frame, frame_columns(frame, cell), title=title)
    for line in [*result.notes, *result.warnings]:
        messages(fmt).print(line, highlight=False)


def _write(result: PlanResult, out: Path | None, fmt: Format) -> None:
    if out is None:
        return
    from nqpf.present.plan import write_plan_result

    for path in write_plan_result(result, out):
        messages(fmt).print(f"written: {path}", highlight=False)


def herding(
    view: Annotated[
        str, typer.Option(help="declared (declared priorities vs fit) | revealed (data over time)")
    ] = "declared",
    declared: DeclaredOption = None,
    density_quantile: Annotated[
        float, typer.Option(help="density percentile that counts as a base / related")
    ] = 0.5,
    source: Annotated[
        str,
        typer.Option(
            help="revealed view: listed (listing years) | census (2010→2020) | micro (--micro)"
        ),
    ] = "listed",
    start: Annotated[
        int | None, typer.Option(help="revealed view, listed: first year (default 2015)")
    ] = None,
    end: Annotated[
        int | None, typer.Option(help="revealed view, listed: last year (default 2025)")
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(
            help="revealed view, census/micro: province | prefecture | county "
            "(default county; micro: province)"
        ),
    ] = None,
    density_min: Annotated[
        float | None,
        typer.Option(
            help="revealed view: absolute relatedness-density cut instead of the percentile"
        ),
    ] = None,
    micro: Annotated[
        Path | None,
        typer.Option(
            help="firm records (a store of nqpf micro import, or Parquet): revealed view from "
            "them (implies --view revealed --source micro)"
        ),
    ] = None,
    depth: Annotated[
        str, typer.Option(help="with --micro: GB/T 4754 depth section | 2 | 3 | 4")
    ] = "2",
    top: Annotated[int, typer.Option(help="rows to show")] = 25,
    out: OutOption = None,
    fmt: FormatOption = "table",
) -> None:
    """扎堆 Herding: fields many regions declare without a base, or industries many regions
    entered at once without relatedness (--view revealed)."""
    from nqpf.services.plan import herding as run

    if micro is not None:
        view, source = "revealed", "micro"
    result = run(
        view=view,  # type: ignore[arg-type]
        declared=declared,
        density_quantile=density_quantile,
        source=source,  # type: ignore[arg-type]
        start=start,
        end=end,
        level=level,  # type: ignore[arg-type]
        density_min=density_min,
        micro=micro,
        depth=depth,
    )
    if view == "revealed":
        columns = [
            "name",
            "candidates",
            "entrants",
            "unrelated_entrants",
            "herding_index",
            "dispersion_change",
        ]
        title = (
            f"扎堆度（实际进入）revealed herding index {result.spec['start']}–{result.spec['end']}"
        )
    else:
        columns = ["name", "declared", "without_base", "hubs_today", "crowding", "herding_index"]
        title = "扎堆度 herding index"
    _show(result, columns, title, top, fmt)
    _write(result, out, fmt)


def plan(
    k: Annotated[int, typer.Option(help="priorities per province")] = 5,
    hubs_min: Annotated[
        int, typer.Option("--hubs-min", help="hub provinces per industry, at least")
    ] = 1,
    hubs_max: Annotated[
        int, typer.Option("--hubs", "--hubs-max", help="hub provinces per industry, at most")
    ] = 6,
    per_group: Annotated[
        int | None,
        typer.Option(
            help="at most this many hubs of an industry per macro-region (东部/中部/西部/东北)"
        ),
    ] = None,
    fit: Annotated[str, typer.Option(help="density (relatedness density) | rca")] = "density",
    lock_rca: Annotated[
        float | None, typer.Option(help="keep existing strengths with RCA ≥ this")
    ] = None,
    declared: DeclaredOption = None,
    top: Annotated[int, typer.Option(help="rows to show")] = 40,
    out: OutOption = None,
    fmt: FormatOption = "table",
) -> None:
    """布局 Optimal national division of labour (exact MILP) and its shadow costs."""
    from nqpf.services.plan import layout

    result = layout(
        k=k,
        hubs_min=hubs_min,
        hubs_max=hubs_max,
        per_group=per_group,
        fit=fit,  # type: ignore[arg-type]
        lock_rca=lock_rca,
        declared=declared,
    )
    _show(result, ["region", "region_name", "industry", "fit"], "重点产业布局 layout", top, fmt)
    _write(result, out, fmt)


def targets(
    indicator: Annotated[str, typer.Argument(help="indicator id, e.g. rd_intensity")],
    target: Annotated[float | None, typer.Option(help="target value")] = None,
    by: Annotated[int | None, typer.Option(help="target year")] = None,
    national: Annotated[
        bool,
        typer.Option(
            "--national", help="every province against the national targets/paths in the library"
        ),
    ] = False,
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="region(s); default all")
    ] = None,
    model: Annotated[str, typer.Option(help="log_linear | linear")] = "log_linear",
    since: Annotated[int | None, typer.Option(help="first year of the trend")] = None,
    top: Annotated[int, typer.Option(help="rows to show")] = 40,
    out: OutOption = None,
    fmt: FormatOption = "table",
) -> None:
    """目标 Required growth vs trend, projection, probability and status per region."""
    from nqpf.errors import InputError
    from nqpf.services.plan import national_targets
    from nqpf.services.plan import targets as run

    if national:
        result = national_targets(indicator, regions=region, model=model)  # type: ignore[arg-type]
        columns = [
            "target",
            "target_year",
            "region_name",
            "mode",
            "start",
            "end",
            "required_growth",
            "historical_cagr",
            "status",
        ]
        _show(result, columns, f"全国目标对照 {indicator} (library)", top, fmt)
        _write(result, out, fmt)
        return
    if target is None or by is None:
        raise InputError("give --target and --by, or --national for the library's targets")
    result = run(indicator, target=target, by=by, regions=region, model=model, since=since)  # type: ignore[arg-type]
    _show(
        result,
        [
            "region_name",
            "latest_year",
            "latest",
            "required_growth",
            "historical_cagr",
            "projection",
            "projection_lower",
            "projection_upper",
            "probability",
            "status",
        ],
        f"目标跟踪 {indicator} → {target:g} by {by}",
        top,
        fmt,
    )
    _write(result, out, fmt)
