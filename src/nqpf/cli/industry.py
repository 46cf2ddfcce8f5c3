"""``nqpf opportunities`` and ``nqpf similar``: 因地制宜 industry choices and structural peers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nqpf.cli._console import stdout

if TYPE_CHECKING:
    import pandas as pd

MATRIX_HELP = "listed (上市公司, provinces) | census2020 | census2010 (普查就业) | a CSV/XLSX file"


def opportunities(
    region: Annotated[
        str, typer.Argument(help="province, prefecture or county (安徽, 合肥, 肥西县, 340123)")
    ],
    matrix: Annotated[str, typer.Option(help=MATRIX_HELP)] = "listed",
    strategy: Annotated[str, typer.Option(help="low_hanging | balanced | long_jump")] = "balanced",
    top: Annotated[int, typer.Option(help="rows to show")] = 15,
    within: Annotated[
        str | None, typer.Option(help="province/prefecture narrowing an ambiguous county name")
    ] = None,
    threshold: Annotated[float, typer.Option(help="RCA threshold of presence")] = 1.0,
    relatedness: Annotated[
        str,
        typer.Option(
            help="co-location (from the matrix) | io (2020 input-output table, census only)"
        ),
    ] = "co-location",
    out: Annotated[
        Path | None, typer.Option(help="write an offline HTML page and an XLSX here")
    ] = None,
    include_nontradable: Annotated[
        bool,
        typer.Option(
            "--include-nontradable", help="also rank local services (公共管理、教育、零售…)"
        ),
    ] = False,
) -> None:
    """机会产业 A region's strengths, then the industries it is best placed to grow."""
    from rich.table import Table

    from nqpf.errors import InputError
    from nqpf.industry.complexity import complexity, complexity_diagnostic
    from nqpf.industry.matrix import known_industries
    from nqpf.industry.opportunities import swot
    from nqpf.industry.screen import screen

    values, code, label, growth, classification = _load(region, matrix, within)
    types = _types(classification)
    names = known_industries(classification) or {}
    proximity_table = _io_proximity(values, classification) if relatedness == "io" else None
    if relatedness not in ("io", "co-location"):
        raise InputError(f"unknown relatedness {relatedness!r}", hint="co-location or io")
    history, history_growth = _history(values, matrix, code)
    result = screen(
        values,
        code,
        history=history,
        strategy=strategy,  # type: ignore[arg-type]
        growth=growth,
        types=types,
        threshold=threshold,
        region_label=label,
        industry_names=names,
        proximity_table=proximity_table,
        include_nontradable=include_nontradable,
        backtest_growth=history_growth,
    )
    ranking = result.opportunities
    console = stdout()
    _print_strengths(result.strengths, label, matrix, history is not None)
    from nqpf.industry.advantage import presence, rca

    m = presence(rca(values), threshold=threshold)
    cx = complexity(m, proximity_table=proximity_table)
    diagnostic = complexity_diagnostic(m, cx)
    table = Table(
        title=f"{label} 机会产业 opportunities（{matrix}, {strategy}）", header_style="bold"
    )
    for col in (
        "#",
        "产业\nindustry",
        "类型\ntype",
        "RCA",
        "密度\ndensity",
        "PCI",
        "增长\ngrowth",
        "得分\nscore",
        "回测命中\nhit rate",
        "施策\nlever",
    ):
        table.add_column(col, no_wrap=not col.startswith(("产业", "施策")))
    for name, row in ranking.head(top).iterrows():
        growth_text = "" if row["growth"] != row["growth"] else f"{row['growth']:.1%}"
        table.add_row(
            str(row["rank"]),
            f"{row['name']}" if row["name"] == name else f"{name} {row['name']}",
            _TYPE_ZH[str(row["type"])],
            f"{row['rca']:.2f}",
            f"{row['density']:.2f}",
            f"{row['pci']:+.2f}",
            growth_text,
            f"{row['score']:.2f}",
            "" if row["hit_rate"] != row["hit_rate"] else f"{row['hit_rate']:.0%}",
            str(row["lever_zh"]).split("：")[0],
        )
    console.print(table)
    for i in range(min(3, len(ranking))):
        console.print(
            f"[bold]理由 Reason {i + 1}:[/] {ranking['reason_zh'].iloc[i]}", highlight=False
        )
    if result.backtest is not None:
        auc = result.backtest.metrics["auc"].astype(float)
        console.print(
            f"[dim]回测 Backtest {_HISTORY_LABEL.get(matrix, 'previous year')}: "
            f"可行性模型 AUC {auc['feasibility']:.2f}（仅 RCA {auc['rca']:.2f}，"
            f"关联密度 {auc['density']:.2f}）；命中率 = 同一得分十分位的历史候选产业"
            f"在下一期形成比较优势的比例。详见 nqpf backtest opportunities[/]",
            highlight=False,
        )
    else:
        console.print(
            "[dim]无历史期，可行性 = 关联密度百分位，未回测 No earlier period: feasibility is "
            "the density percentile, not backtested.[/]",
            highlight=False,
        )
    for _, check in diagnostic[~diagnostic["ok"]].iterrows():
        console.print(
            f"[yellow]复杂度诊断 Complexity check ({check['check']}):[/] {check['message_zh']} {check['message_en']}",
            highlight=False,
        )
    if out is not None:
        from nqpf.present.industry import write_opportunities

        paths = write_opportunities(
            out,
            code,
            label,
            ranking,
            swot(values, code, threshold=threshold, proximity_table=proximity_table),
            diagnostic,
            types,
            cx.proximity,
            result.strengths,
        )
        console.print(f"已写出 Wrote {paths[0]} and {paths[1]}", highlight=False)


def similar(
    region: Annotated[str, typer.Argument(help="province, prefecture or county")],
    matrix: Annotated[str, typer.Option(help=MATRIX_HELP)] = "listed",
    top: Annotated[int, typer.Option(help="how many peers")] = 5,
    within: Annotated[str | None, typer.Option(help="narrows an ambiguous county name")] = None,
) -> None:
    """结构相似 Regions with the most similar industrial structure (similarity, Krugman)."""
    from rich.table import Table

    from nqpf.industry.structure import krugman_specialisation, peers

    values, code, label, _, _ = _load(region, matrix, within)
    found = peers(values, code, n=top)
    names = _names(values.index.tolist(), matrix)
    table = Table(title=f"{label} 结构相似地区 structural peers（{matrix}）", header_style="bold")
    for col in ("地区 region", "相似系数 similarity", "Krugman 差异 dissimilarity"):
        table.add_column(col)
    for peer, row in found.iterrows():
        table.add_row(
            f"{names.get(str(peer), peer)} ({peer})",
            f"{row['similarity']:.3f}",
            f"{row['krugman']:.3f}",
        )
    console = stdout()
    console.print(table)
    spec = krugman_specialisation(values)
    console.print(
        f"{label} Krugman 专业化指数 specialisation index: {spec[code]:.3f}"
        f"（全部{len(spec)}个地区中位数 median {spec.median():.3f}）",
        highlight=False,
    )


_TYPE_ZH = {"traditional": "传统", "emerging": "新兴", "future": "未来"}
_HISTORY_LABEL = {"listed": "2020 → 2025", "census2020": "2010 → 2020"}


def _print_strengths(found: pd.DataFrame, label: str, matrix: str, trend: bool) -> None:
    from rich.table import Table

    table = Table(
        title=f"{label} 现有优势产业 current strengths（RCA ≥ 1，按超额规模排序 by excess size）",
        header_style="bold",
    )
    for col in ("产业 industry", "RCA", "规模 size", "占比 share", "超额 excess"):
        table.add_column(col)
    if trend:
        table.add_column("RCA 前期 before")
        table.add_column("规模变化 size change")
    for _, row in found.head(10).iterrows():
        cells = [
            str(row["name"]) + ("" if row["tradable"] else "（本地服务 local）"),
            f"{row['rca']:.2f}",
            f"{row['value']:,.0f}",
            f"{row['share']:.1%}",
            f"{row['excess']:,.0f}",
        ]
        if trend:
            before = row.get("rca_before")
            change = row.get("value_change")
            cells.append("" if before is None or before != before else f"{before:.2f}")
            cells.append("" if change is None or change != change else f"{change:+.0%}")
        table.add_row(*cells)
    stdout().print(table)
    if found.empty:
        stdout().print(f"{label} 没有 RCA ≥ 1 的产业 has no industry with RCA ≥ 1", highlight=False)


def _history(
    values: pd.DataFrame, matrix: str, code: str
) -> tuple[pd.DataFrame | None, pd.Series | None]:
    """The table of the previous period (for the feasibility model and the backtest) and
    the national growth known at that date."""
    import warnings

    from nqpf.errors import NQPFWarning
    from nqpf.industry.matrix import listed_matrix, to_wide
    from nqpf.industry.opportunities import national_growth

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NQPFWarning)
        if matrix == "listed":
            long = listed_matrix((2015, 2020))
            return to_wide(long, 2020), national_growth(long)
        if matrix == "census2020":
            from nqpf.industry.census_pair import census_pair

            level = (
                "province"
                if code.endswith("0000")
                else "prefecture"
                if code.endswith("00")
                else "county"
            )
            before, _, _ = census_pair(level)  # type: ignore[arg-type]
            return before, None
    return None, None


def _load(
    region: str, matrix: str, within: str | None
) -> tuple[pd.DataFrame, str, str, pd.Series | None, str]:
    """The wide table, the region's row key, its label, national growth, classification."""
    from nqpf.errors import InputError
    from nqpf.industry.matrix import census_matrix, listed_matrix, read_matrix, to_wide
    from nqpf.industry.opportunities import national_growth
    from nqpf.regions import division_name, find_division, normalize_region, region_name

    if matrix == "listed":
        code = normalize_region(region)
        long = listed_matrix((2020, 2025))
        return to_wide(long), code, region_name(code), national_growth(long), "listed"
    if matrix in ("census2020", "census2010"):
        year = 2020 if matrix == "census2020" else 2010
        code = find_division(region, census_year=year, within=within)  # type: ignore[arg-type]
        level = (
            "province"
            if code.endswith("0000")
            else "prefecture"
            if code.endswith("00")
            else "county"
        )
        long = census_matrix(year, level=level)  # type: ignore[arg-type]
        both = [census_matrix(y, level="province") for y in (2010, 2020)]
        import pandas as pd

        growth = national_growth(pd.concat(both, ignore_index=True))
        return to_wide(long), code, division_name(code, census_year=year), growth, "gbt4754_section"  # type: ignore[arg-type]
    path = Path(matrix)
    if not path.exists():
        raise InputError(f"unknown matrix {matrix!r}", hint=f"use {MATRIX_HELP}")
    long = read_matrix(path)
    wide = to_wide(long)
    key = region if region in wide.index else None
    if key is None:
        for resolve in (normalize_region, find_division):
            try:
                candidate = resolve(region)
            except InputError:
                continue
            if candidate in wide.index:
                key = candidate
                break
    if key is None:
        shown = ", ".join(map(str, wide.index[:8]))
        raise InputError(
            f"region {region!r} is not in {path.name}", hint=f"regions in the file: {shown} …"
        )
    user_growth = national_growth(long) if long["year"].nunique() > 1 else None
    classification = str(long["classification"].iloc[0])
    names = long.drop_duplicates("region").set_index("region")["region_name"]
    return wide, key, str(names.get(key, key)), user_growth, classification


def _io_proximity(values: pd.DataFrame, classification: str) -> pd.DataFrame:
    from nqpf.errors import InputError
    from nqpf.industry.relatedness import io_relatedness

    if classification != "gbt4754_section":
        raise InputError(
            "input-output relatedness is between GB/T 4754 sections",
            hint="use it with --matrix census2020 or census2010",
        )
    return io_relatedness().loc[values.columns, values.columns]


def _types(classification: str) -> pd.DataFrame | None:
    from nqpf.errors import InputError
    from nqpf.industry.classification import industry_types

    try:
        return industry_types(classification)
    except InputError:
        return None


def _names(codes: list[str], matrix: str) -> dict[str, str]:
    from nqpf.errors import InputError
    from nqpf.regions import division_name

    year = 2010 if matrix == "census2010" else 2020
    out = {}
    for code in codes:
        try:
            out[code] = division_name(code, census_year=year)  # type: ignore[arg-type]
        except InputError:
            out[code] = code
    return out
