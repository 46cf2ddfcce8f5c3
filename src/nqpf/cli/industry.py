"""``nqpf opportunities`` and ``nqpf similar``: 因地制宜 industry choices and structural peers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nqpf.cli._console import stdout, styled

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
) -> None:
    """机会产业 A region's strengths, then the industries it is best placed to grow."""
    from rich.table import Table

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
    console = stdout()
    _print_strengths(result.strengths, label, matrix, backtested)
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
            "无历史期，可行性 = 关联密度百分位，未回测 No earlier period: feasibility is "
            "the density percentile, not backtested.",
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
) -> None:
    """结构相似 Regions with the most similar industrial structure (similarity, Krugman)."""
    from rich.table import Table

    from nqpf.ingest.options import check_range
    from nqpf.services.industry import SimilaritySpec
    from nqpf.services.industry import similar as run

    check_range(top, option="--top", low=1)

    result = run(SimilaritySpec(region=region, matrix=matrix, top=top, within=within))
    label, matrix = result.region_label, str(result.spec["matrix"])
    table = Table(title=f"{label} 结构相似地区 structural peers（{matrix}）", header_style="bold")
    for col in ("地区 region", "相似系数 similarity", "Krugman 差异 dissimilarity"):
        table.add_column(col)
    for row in result.peers.itertuples():
        table.add_row(
            f"{row.region_name} ({row.region})", f"{row.similarity:.3f}", f"{row.krugman:.3f}"
        )
    console = stdout()
    console.print(table)
    console.print(
        f"{label} Krugman 专业化指数 specialisation index: {result.specialisation:.3f}"
        f"（全部{result.n_regions}个地区中位数 median {result.specialisation_median:.3f}）",
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
