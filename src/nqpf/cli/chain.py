"""``nqpf chain …``: industrial chain definitions and a region's chain map (产业链图谱)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._console import stdout

app = typer.Typer(
    help="产业链 Industrial chains: list, a region's chain map (strong/weak/missing), IO check.",
    no_args_is_help=True,
)

_STYLE = {"strong": "bold green", "weak": "bold yellow", "missing": "bold red"}
_LABEL = {"strong": "强 strong", "weak": "弱 weak", "missing": "缺 missing"}


@app.command("list")
def list_chains() -> None:
    """产业链目录 The packaged chains: segments upstream → downstream, listed firms."""
    from rich.table import Table

    from nqpf.services.chains import chain_catalog

    table = Table(title="产业链 Industrial chains", header_style="bold")
    for col in ("id", "名称 name", "环节 segments (upstream → downstream)", "上市企业 firms"):
        table.add_column(col, no_wrap=col == "id")
    for row in chain_catalog().to_dict("records"):
        table.add_row(
            str(row["id"]),
            f"{row['name_zh']}\n{row['name_en']}",
            str(row["segments"]),
            str(row["firms"]),
        )
    stdout().print(table)


@app.command("show")
def show(
    chain: Annotated[str, typer.Argument(help="chain id or name: 新能源汽车, nev, 光伏, …")],
    region: Annotated[str, typer.Option("--region", "-r", help="province: 安徽, 340000, …")],
    strong_lq: Annotated[float, typer.Option(help="location quotient of a strong link")] = 1.0,
    min_firms: Annotated[int, typer.Option(help="listed firms needed for a strong link")] = 3,
    anchors: Annotated[
        bool, typer.Option(help="a segment's named leader (龙头) makes the link strong")
    ] = True,
    partners: Annotated[int, typer.Option(help="partner regions per gap")] = 3,
    firms: Annotated[int, typer.Option(help="candidate firms per partner")] = 5,
    out: Annotated[Path | None, typer.Option(help="write an offline HTML page and an xlsx")] = None,
) -> None:
    """产业链图谱 A region's strong, weak and missing links, partners and candidate firms."""
    from rich.table import Table

    from nqpf.chain.chainmap import ChainMapOptions
    from nqpf.services.chains import chain_map

    options = ChainMapOptions(
        strong_lq=strong_lq,
        min_firms=min_firms,
        anchors_make_strong=anchors,
        max_partners=partners,
        max_firms=firms,
    )
    result = chain_map(chain, region, options=options, check_flows=out is not None)
    console = stdout()
    names = {s.id: s.name_zh for s in result.chain.segments}
    table = Table(
        title=f"{result.region_name} · {result.chain.name_zh}产业链 (上游 → 下游 upstream → downstream)",
        header_style="bold",
    )
    for col in ("环节 segment", "状态 status", "企业 firms", "区位熵 LQ", "说明 why"):
        table.add_column(col, no_wrap=col.startswith(("状态", "企业", "区位熵")))
    for row in result.segments.to_dict("records"):
        status = str(row["status"])
        table.add_row(
            str(row["name_zh"]),
            f"[{_STYLE[status]}]{_LABEL[status]}[/]",
            str(row["firms"]),
            f"{row['lq']:.2f}",
            str(row["reason_zh"]),
        )
    console.print(table)
    if result.partners.empty:
        console.print("没有需要补链的环节，或没有地区在这些环节是强链。 No gaps to fill.")
    else:
        ptable = Table(title="补链合作伙伴 Partner regions for the gaps", header_style="bold")
        for col in (
            "环节 segment",
            "#",
            "地区 region",
            "得分 score",
            "理由 reason",
            "候选企业 firms",
        ):
            ptable.add_column(col, no_wrap=col in ("#", "得分 score"))
        cands = result.candidates
        for row in result.partners.to_dict("records"):
            here = cands[(cands["segment"] == row["segment"]) & (cands["region"] == row["partner"])]
            ptable.add_row(
                names[str(row["segment"])].split("（")[0],
                str(row["rank"]),
                str(row["partner_name"]),
                f"{row['score']:.2f}",
                str(row["reason_zh"]),
                "、".join(f"{n}({c})" for n, c in zip(here["name"], here["code"], strict=True)),
            )
        console.print(ptable)
    for warning in result.warnings:
        console.print(f"[yellow]注意 Note:[/] {warning}", highlight=False)
    if out is not None:
        from nqpf.present.chain_map import write_chain_map

        page, book = write_chain_map(result, out)
        console.print(f"已写出 Wrote {page} and {book}", highlight=False)


@app.command("check")
def check(
    year: Annotated[int, typer.Option(help="input-output table year")] = 2020,
    min_coefficient: Annotated[
        float, typer.Option(help="input coefficient a step needs to count as a real flow")
    ] = 0.001,
) -> None:
    """投入产出检验 Does every upstream → downstream step show an input flow in the IO table?"""
    from rich.table import Table

    from nqpf.services.chains import chain_flow_checks

    result = chain_flow_checks(year, min_coefficient=min_coefficient)
    table = Table(title=f"{year} 投入产出表中的产业链环节流量 chain steps", header_style="bold")
    for col in ("chain", "上游 → 下游", "类型 flow", "投入系数 coefficient", "可见 real"):
        table.add_column(col)
    for row in result.to_dict("records"):
        table.add_row(
            str(row["chain"]),
            f"{row['upstream']} → {row['downstream']}",
            str(row["flow"]),
            f"{row['coefficient']:.4f}",
            "✓" if row["real"] else "✗",
        )
    stdout().print(table)
