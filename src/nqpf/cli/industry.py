"""``nqpf opportunities`` and ``nqpf similar``: 因地制宜 industry choices and structural peers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nqpf.cli._console import stdout, styled
from nqpf.cli._output import Col, FormatOption, emit, messages, num, show_table

if TYPE_CHECKING:
    import pandas as pd

FORCE_HELP = "write into --out even if it holds files NQPF did not write (they are kept)"
MATRIX_HELP = (
    "auto (listed for a province, census2020 below) | listed (上市公司, provinces) | "
    "census2020 | census2010 (普查就业) | a CSV/XLSX file"
)


def opportunities(
    region: Annotated[
        str, typer.Argument(help="province, prefecture or county (安徽, 合肥, 肥西县, 340123)")
    ],
    matrix: Annotated[str, typer.Option(help=MATRIX_HELP)] = "auto",
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
    force: Annotated[bool, typer.Option(help=FORCE_HELP)] = False,
    fmt: FormatOption = "table",
) -> None:
    """机会产业 A region's strengths, then the industries it is best placed to grow."""
    from nqpf.ingest.options import check_choice, check_range
    from nqpf.services.opportunities import OpportunitySpec
    from nqpf.services.opportunities import opportunities as run

    check_range(top, option="--top", low=1)
    check_range(threshold, option="--threshold", low=0)
    check_choice(strategy, ("low_hanging", "balanced", "long_jump"), option="--strategy")
    check_choice(relatedness, ("co-location", "io"), option="--relatedness")
    result = run(
        OpportunitySpec(
            region=region,
            matrix=matrix,
            strategy=strategy,  # type: ignore[arg-type]
            within=within,
            threshold=threshold,
            relatedness=relatedness,  # type: ignore[arg-type]
            include_nontradable=include_nontradable,
        )
    )
    ranking, label = result.opportunities, result.region_label
    matrix = str(result.spec["matrix"])  # auto → the matrix used
    backtested = result.backtest is not None
    console = messages(fmt)
    if fmt != "table":
        emit(fmt, ranking.head(top).reset_index(names="code"), result=result)
    else:
        _print_strengths(result.strengths, label, matrix, backtested)
        show_table(
            ranking.head(top).reset_index(names="code"),
            [
                Col("rank", "#", num(".0f"), numeric=True),
                Col("name", "产业 industry", _industry, row=True),
                Col("type", "类型 type", lambda t: _TYPE_ZH[str(t)], drop=4),
                Col("rca", "RCA", num(".2f"), numeric=True),
                Col("density", "密度 density", num(".2f"), numeric=True),
                Col("pci", "PCI", num("+.2f"), numeric=True, drop=3),
                Col("growth", "增长 growth", num(".1%"), numeric=True, drop=2),
                Col("score", "得分 score", num(".2f"), numeric=True),
                Col("hit_rate", "回测命中 hit rate", num(".0%"), numeric=True, drop=1),
                Col("lever_zh", "施策 lever", lambda t: str(t).split("：")[0], drop=5),
            ],
            title=f"{label} 机会产业 opportunities（{matrix}, {strategy}）",
        )
    for i in range(min(3, len(ranking))):
        console.print(styled((f"理由 Reason {i + 1}: ", "bold"), str(ranking["reason_zh"].iloc[i])))
    if result.backtest is not None:
        auc = result.backtest.metrics["auc"].astype(float)
        console.print(
            f"回测 Backtest {_HISTORY_LABEL.get(matrix, 'previous year')}: "
            f"可行性模型 AUC {auc['feasibility']:.2f}（仅 RCA {auc['rca']:.2f}，"
            f"关联密度 {auc['density']:.2f}）；命中率 = 同一得分十分位的历史候选产业"
            f"在下一期形成比较优势的比例。详见 nqpf backtest opportunities",
            style="dim",
        )
    else:
        console.print(
            "无历史期，可行性 = 标准化关联密度，未回测 No earlier period: feasibility is "
            "the standardised density, not backtested.",
            style="dim",
        )
    diagnostic = result.diagnostic
    for _, check in diagnostic[~diagnostic["ok"]].iterrows():
        console.print(
            styled(
                (f"复杂度诊断 Complexity check ({check['check']}): ", "yellow"),
                f"{check['message_zh']} {check['message_en']}",
            )
        )
    if out is not None:
        from nqpf.present.industry import write_opportunities

        paths = write_opportunities(out, result, force=force)
        console.print(f"已写出 Wrote {paths[0]} and {paths[1]}")


def similar(
    region: Annotated[str, typer.Argument(help="province, prefecture or county")],
    matrix: Annotated[str, typer.Option(help=MATRIX_HELP)] = "auto",
    top: Annotated[int, typer.Option(help="how many peers")] = 5,
    within: Annotated[str | None, typer.Option(help="narrows an ambiguous county name")] = None,
    fmt: FormatOption = "table",
) -> None:
    """结构相似 Regions with the most similar industrial structure (similarity, Krugman)."""
    from nqpf.ingest.options import check_range
    from nqpf.services.industry import SimilaritySpec
    from nqpf.services.industry import similar as run

    check_range(top, option="--top", low=1)

    result = run(SimilaritySpec(region=region, matrix=matrix, top=top, within=within))
    label, matrix = result.region_label, str(result.spec["matrix"])  # auto → the matrix used
    console = messages(fmt)
    if fmt != "table":
        emit(fmt, result=result)
    else:
        show_table(
            result.peers,
            [
                Col(
                    "region_name",
                    "地区 region",
                    lambda r: f"{r['region_name']} ({r['region']})",
                    row=True,
                ),
                Col("similarity", "相似系数 similarity", num(".3f"), numeric=True),
                Col("krugman", "Krugman 差异 dissimilarity", num(".3f"), numeric=True),
            ],
            title=f"{label} 结构相似地区 structural peers（{matrix}）",
        )
    console.print(
        f"{label} Krugman 专业化指数 specialisation index: {result.specialisation:.3f}"
        f"（全部{result.n_regions}个地区中位数 median {result.specialisation_median:.3f}）",
    )


_TYPE_ZH = {"traditional": "传统", "emerging": "新兴", "future": "未来"}
_HISTORY_LABEL = {"listed": "2020 → 2025", "census2020": "2010 → 2020"}
_CENSUS_UNIT = (
    "规模 = {y}年人口普查长表（约10%抽样）的从业人员数（人），超额 = 规模 − 全国同比例下的规模 · "
    "size = employed persons in the {y} census long-form sample (≈10 %), excess = size above "
    "the national share"
)
_SIZE_UNIT = {
    "census2020": _CENSUS_UNIT.format(y=2020),
    "census2010": _CENSUS_UNIT.format(y=2010),
    "listed": "规模 = 上市公司家数 · size = listed companies",
}


def _industry(row: dict[str, object]) -> str:
    """The industry's name, after its code when the ranking is indexed by code."""
    return str(row["name"]) if row["name"] == row["code"] else f"{row['code']} {row['name']}"


def _print_strengths(found: pd.DataFrame, label: str, matrix: str, trend: bool) -> None:
    columns = [
        Col(
            "name",
            "产业 industry",
            lambda r: str(r["name"]) + ("" if r["tradable"] else "（本地服务 local）"),
            row=True,
        ),
        Col("rca", "RCA", num(".2f"), numeric=True),
        Col("value", "规模 size", num(",.0f"), numeric=True, drop=2),
        Col("share", "占比 share", num(".1%"), numeric=True, drop=1),
        Col("excess", "超额 excess", num(",.0f"), numeric=True),
    ]
    if trend:
        columns += [
            Col("rca_before", "RCA 前期 before", num(".2f"), numeric=True, drop=3),
            Col("value_change", "规模变化 size change", num("+.0%"), numeric=True, drop=4),
        ]
    show_table(
        found.head(10),
        [c for c in columns if c.key in found.columns or c.row],
        title=f"{label} 现有优势产业 current strengths（RCA ≥ 1，按超额规模排序 by excess size）",
    )
    if matrix in _SIZE_UNIT and not found.empty:
        stdout().print(_SIZE_UNIT[matrix], highlight=False)
    if found.empty:
        stdout().print(f"{label} 没有 RCA ≥ 1 的产业 has no industry with RCA ≥ 1", highlight=False)
