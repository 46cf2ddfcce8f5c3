"""``nqpf disparity`` and ``nqpf diagnose REGION``: regional disparities and one region's
diagnosis (obstacles, coupling, trajectory)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nqpf.cli._console import stdout, styled
from nqpf.cli._output import OUTPUT_DIR, FormatOption, emit, frame_columns, messages, show_table
from nqpf.cli.industry import FORCE_HELP

#: Most Dagum bootstrap replicates accepted.
MAX_BOOTSTRAP = 100_000

#: Groups shown as columns; more (31 provinces) are shown as rows, one column per year.
WIDE_GROUPS = 8

if TYPE_CHECKING:
    import pandas as pd

    from nqpf.diagnose.diagnosis import Diagnosis


def disparity(
    measure: Annotated[
        str, typer.Option(help="index, a pillar id (tech, industry …) or an indicator id")
    ] = "index",
    by: Annotated[
        str,
        typer.Option(help="grouping: four-regions, three-belts, or province (below the province)"),
    ] = "four-regions",
    level: Annotated[
        str, typer.Option(help="units compared: province, prefecture (≈300) or county (≈2,900)")
    ] = "province",
    weight: Annotated[
        str | None,
        typer.Option(
            help="indicator id of population weights: population; census_population or "
            "city_population below the province"
        ),
    ] = None,
    year: Annotated[list[int] | None, typer.Option("--year", "-y", help="year(s)")] = None,
    bootstrap: Annotated[int, typer.Option(help="bootstrap replicates of Dagum CIs")] = 0,
    seed: Annotated[int, typer.Option(help="random seed (bootstrap, permutations)")] = 0,
    out: Annotated[
        Path, typer.Option(help="folder for disparity.xlsx and disparity.html")
    ] = OUTPUT_DIR,
    force: Annotated[bool, typer.Option(help=FORCE_HELP)] = False,
    fmt: FormatOption = "table",
) -> None:
    """区域差异 Dagum Gini decomposition, Theil, convergence, kernel density, Moran's I."""
    from nqpf.ingest.options import bootstrap_bytes, check_memory, check_range, check_years
    from nqpf.present.disparity import write_disparity
    from nqpf.services.disparity import DisparitySpec
    from nqpf.services.disparity import disparity as run

    if year:
        year = check_years(year)
    check_range(bootstrap, option="--bootstrap", low=0, high=MAX_BOOTSTRAP)
    check_memory(
        bootstrap_bytes(bootstrap, regions={"prefecture": 340, "county": 2_950}.get(level, 34)),
        what=f"--bootstrap {bootstrap}",
        hint="1000–2000 replicates give stable 95% intervals",
    )
    spec = DisparitySpec(
        measure=measure,
        groups=by,  # type: ignore[arg-type]
        weight=weight,
        years=tuple(year) if year else None,
        bootstrap=bootstrap,
        seed=seed,
        level=level,  # type: ignore[arg-type]
    )
    report = run(spec)
    label = report.label
    console = messages(fmt)
    if fmt != "table":
        emit(fmt, result=report)
        for note in report.notes:
            console.print(styled(("注意 Note: ", "yellow"), note))
        for path in write_disparity(report, out, force=force):
            console.print(styled(("wrote ", "green"), str(path)))
        return
    console.print(styled((f"区域差异 Disparities: {label}", "bold"), f" — {by}"))
    s = report.dagum.summary
    cols = ["year", "G", "G_w", "G_nb", "G_t", "share_w", "share_nb", "share_t"]
    if bootstrap:
        cols[2:2] = ["G_low", "G_high"]
    shares = {"share_w": "w %", "share_nb": "nb %", "share_t": "t %"}
    _table(
        "Dagum 基尼系数及分解 Dagum Gini decomposition (contribution shares %)",
        s[cols].rename(columns=shares),
        percent=" %",
    )
    order = list(report.dagum.within["group"].drop_duplicates())
    within = report.dagum.within.pivot(index="year", columns="group", values="G_jj")[order]
    _table("区域内基尼 G_jj within groups", _by_year(within))
    between = report.dagum.between.assign(pair=lambda d: d["group_j"] + "–" + d["group_h"]).pivot(
        index="year", columns="pair", values="G_jh"
    )
    if between.shape[1] > WIDE_GROUPS:  # 31 provinces make 465 pairs: the widest gaps only
        latest = between.iloc[-1].nlargest(WIDE_GROUPS).index
        title = f"区域间基尼 G_jh between groups (largest {WIDE_GROUPS}; all in disparity.xlsx)"
        _table(title, _by_year(between[latest], rows=True))
    else:
        _table("区域间基尼 G_jh between groups", between.reset_index())
    if report.theil is not None:
        _table(
            "泰尔指数 Theil T",
            report.theil.summary[["year", "index", "within", "between", "share_between"]],
            percent="share_",
        )
    if report.sigma is not None:
        order = list(report.sigma["group"].drop_duplicates())
        sigma = report.sigma.pivot(index="year", columns="group", values="cv")[order]
        _table("σ 收敛 sigma convergence: CV by group", _by_year(sigma))
    if report.beta is not None:
        _table(
            "β 收敛 beta convergence (cluster-robust SE)",
            report.beta[["group", "model", "beta", "se", "p", "speed", "half_life", "n_regions"]],
        )
    _table(
        "核密度 Kernel density shape",
        report.kde.summary[["year", "bandwidth", "peak_x", "peak_width", "n_peaks", "right_tail"]],
    )
    if report.moran is not None:
        _table(
            "全局莫兰指数 Global Moran's I (queen)", report.moran[["year", "n", "I", "z", "p_sim"]]
        )
    if report.lisa is not None:
        clusters = report.lisa.pivot_table(
            index="year", columns="cluster", values="region", aggfunc="count", fill_value=0
        )
        order = [c for c in ("HH", "LL", "HL", "LH", "ns") if c in clusters.columns]
        _table(
            "局部莫兰 LISA clusters (p_sim < 0.05)",
            clusters[order].reset_index(),
        )
    if report.markov is not None:
        classic = report.markov[report.markov["lag_class"] == "all"].pivot(
            index="from_class", columns="to_class", values="probability"
        )
        classic.columns = [f"→{c}" for c in classic.columns]
        _table(
            "马尔可夫转移概率 Markov transitions between quartile classes (spatial: xlsx)",
            classic.reset_index(),
        )
    for note in report.notes:
        console.print(styled(("注意 Note: ", "yellow"), note))
    for path in write_disparity(report, out, force=force):
        console.print(styled(("wrote ", "green"), str(path)))


def diagnose(
    region: Annotated[
        str, typer.Argument(help="province, prefecture or county name or code: 安徽, 合肥, 肥西县")
    ],
    year: Annotated[int | None, typer.Option(help="year of the obstacles (default latest)")] = None,
    top: Annotated[int, typer.Option(help="number of top obstacles")] = 5,
    subsystems: Annotated[
        str, typer.Option(help="pillars to couple, comma-separated")
    ] = "tech,industry",
    by: Annotated[
        str | None,
        typer.Option(
            help="group of the trajectory: four-regions or three-belts (default for a "
            "province), province (default below)"
        ),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(help="province, prefecture or county (default: found from the name)"),
    ] = None,
    within: Annotated[
        str | None, typer.Option(help="province or prefecture of an ambiguous county name")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="write diagnosis.xlsx into this folder")] = None,
    force: Annotated[bool, typer.Option(help=FORCE_HELP)] = False,
    fmt: FormatOption = "table",
) -> None:
    """区域诊断 Obstacle degree, coupling coordination and trajectory vs group and nation."""

    from nqpf.data import catalog
    from nqpf.errors import InputError
    from nqpf.indicators import subnational_specs
    from nqpf.ingest.options import check_choice, check_range, check_years
    from nqpf.services.disparity import diagnose as run_diagnosis

    check_range(top, option="--top", low=1)
    if year is not None:
        check_years([year])
    if level is not None:
        check_choice(level, ("province", "prefecture", "county"), option="--level")
    d = run_diagnosis(
        region,
        top=top,
        subsystems=[s.strip() for s in subsystems.split(",")],
        grouping=by,
        level=level,  # type: ignore[arg-type]
        within=within,
    )
    names = {k: v.name_zh for k, v in subnational_specs().items()}
    names.update(zip(catalog()["id"], catalog()["name_zh"], strict=True))
    latest = year if year is not None else int(d.obstacles["year"].max())
    have = sorted(int(y) for y in d.obstacles["year"].unique())
    if latest not in have:
        raise InputError(
            f"--year {latest}: no obstacle degrees for that year",
            hint=f"years with data: {have[0]}–{have[-1]}" if have else "no year has data",
        )
    console = messages(fmt)
    if fmt != "table":
        emit(fmt, result=d)
    else:
        _print_diagnosis(d, latest, names)
    if out is not None:
        from nqpf.present.disparity import write_diagnosis

        path = write_diagnosis(d, out, force=force)
        console.print(styled(("wrote ", "green"), str(path)))


def _print_diagnosis(d: Diagnosis, latest: int, names: dict[str, str]) -> None:
    import pandas as pd

    t = d.trajectory
    now = t[t["year"] == latest]
    sizes = (int(now["n_group"].iloc[0]), int(now["n_units"].iloc[0])) if len(now) else ("?", "?")
    stdout().print(
        f"区域诊断 Diagnosis: {d.region_name} ({d.region}, {d.group}) — {latest}年 比较组 group "
        f"{d.group}: {sizes[0]} 个单元 units; 全体 all: {sizes[1]} 个单元 units",
        style="bold",
        highlight=False,
    )
    trajectory = pd.DataFrame(
        {
            "年份 year": t["year"],
            "指数 index": t["index"],
            "排名 rank": [f"{r:.0f}/{n}" for r, n in zip(t["rank"], t["n_units"], strict=True)],
            f"{d.group}均值 group mean": t["index_group"],
            "全体均值 all-unit mean": t["index_nation"],
            "与全体差 gap": t["gap_nation"],
        }
    )
    _table("发展轨迹 Trajectory vs group and nation", trajectory)
    pillar_names = _pillar_names(d)
    obstacles = d.obstacles[d.obstacles["year"] == latest]
    _table(
        f"主要障碍因子 Top obstacles {latest} (%)",
        pd.DataFrame(
            {
                "rank": obstacles["rank"],
                "指标 indicator": obstacles["indicator"].map(names).fillna(obstacles["indicator"]),
                "维度 pillar": obstacles["pillar"].map(pillar_names),
                "obstacle": obstacles["obstacle"],
            }
        ),
    )
    pillars = d.pillar_obstacles.assign(pillar=lambda f: f["pillar"].map(pillar_names))
    _table(
        "支柱障碍度 Pillar obstacles (%)",
        pillars.pivot(index="year", columns="pillar", values="obstacle").reset_index(),
        digits=2,
    )
    _table(
        "耦合协调度 Coupling coordination",
        d.coupling.drop(columns=["region", "class_en"]).rename(columns=pillar_names),
    )


def _pillar_names(d: Diagnosis) -> dict[str, str]:
    """Pillar id → its name (the id where the diagnosis carries no names)."""
    found = {p: p for p in d.pillar_obstacles["pillar"]}
    if "pillar_name" in d.pillar_obstacles.columns:
        found.update(
            zip(d.pillar_obstacles["pillar"], d.pillar_obstacles["pillar_name"], strict=True)
        )
    return found


def _by_year(frame: pd.DataFrame, *, rows: bool = False) -> pd.DataFrame:
    """A year × group table as printed: groups as columns, or as rows (``rows``, or when
    there are more than :data:`WIDE_GROUPS` of them)."""
    if frame.shape[1] <= WIDE_GROUPS and not rows:
        return frame.reset_index()
    out = frame.T
    out.columns = [str(c) for c in out.columns]
    out.index.name = "group"
    return out.reset_index()


def _table(title: str, frame: pd.DataFrame, *, percent: str | None = None, digits: int = 4) -> None:
    def cell(value: Any, column: str) -> str:
        return _cell(value, column, percent, digits)

    show_table(frame, frame_columns(frame, cell), title=title)


def _cell(value: Any, column: str, percent: str | None, digits: int) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if value != value:
            return "—"
        if percent and (column.startswith(percent) or column.endswith(percent)):
            return f"{100 * value:.1f}"
        if column in ("obstacle",):
            return f"{value:.2f}"
        if column == "rank":
            return f"{value:.0f}"
        return f"{value:.{digits}f}"
    return str(value)
