"""``nqpf chain …``: industrial chain definitions and a region's chain map (产业链图谱)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nqpf.cli._console import stdout, styled
from nqpf.cli._output import Col, FormatOption, emit, messages, num, show_table

if TYPE_CHECKING:
    from nqpf.services.chains import ChainMapResult

app = typer.Typer(
    help="产业链 Industrial chains: list, a region's chain map (strong/weak/missing), IO check.",
    no_args_is_help=True,
)

_STYLE = {"strong": "bold green", "weak": "bold yellow", "missing": "bold red"}
_LABEL = {"strong": "强 strong", "weak": "弱 weak", "missing": "缺 missing"}


@app.command("list")
def list_chains(fmt: FormatOption = "table") -> None:
    """产业链目录 The packaged chains: segments upstream → downstream, listed firms."""
    from nqpf.services.chains import chain_catalog

    catalog = chain_catalog()
    if fmt != "table":
        emit(fmt, catalog)
        return
    show_table(
        catalog,
        [
            Col("id", "id"),
            Col("name_zh", "名称 name", lambda r: f"{r['name_zh']}\n{r['name_en']}", row=True),
            Col("segments", "环节 segments (upstream → downstream)"),
            Col("firms", "上市企业 firms", numeric=True),
        ],
        title="产业链 Industrial chains",
    )


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
    micro: Annotated[
        str | None,
        typer.Option(
            help="firm records instead of listed companies: a store (*.duckdb, nqpf micro "
            "import) or a Parquet file/folder with the store's columns"
        ),
    ] = None,
    level: Annotated[
        str, typer.Option(help="with --micro: province, prefecture or county")
    ] = "province",
    year: Annotated[
        int | None, typer.Option(help="with --micro: firms alive on 31 Dec (default: last year)")
    ] = None,
    measure: Annotated[
        str, typer.Option(help="with --micro: firms or capital (registered capital)")
    ] = "firms",
    fmt: FormatOption = "table",
) -> None:
    """产业链图谱 A region's strong, weak and missing links, partners and candidate firms."""
    from nqpf.chain.chainmap import ChainMapOptions

    options = ChainMapOptions(
        strong_lq=strong_lq,
        min_firms=min_firms,
        anchors_make_strong=anchors,
        max_partners=partners,
        max_firms=firms,
    )
    result: ChainMapResult
    if micro is None:
        from nqpf.services.chains import chain_map

        if (level, year, measure) != ("province", None, "firms"):
            from nqpf.errors import InputError

            raise InputError("--level, --year and --measure need --micro (firm records)")
        result = chain_map(chain, region, options=options, check_flows=out is not None)
    else:
        from nqpf.services.chain_micro import chain_map_micro

        result = chain_map_micro(
            chain,
            region,
            micro,
            level=level,  # type: ignore[arg-type]
            year=year,
            measure=measure,  # type: ignore[arg-type]
            options=options,
            check_flows=out is not None,
        )
    console = messages(fmt)
    if fmt != "table":
        emit(fmt, result=result)
    else:
        _print_chain_map(result)
    for warning in result.warnings:
        console.print(styled(("注意 Note: ", "yellow"), str(warning)))
    if out is not None:
        from nqpf.present.chain_map import write_chain_map

        page, book = write_chain_map(result, out)
        console.print(f"已写出 Wrote {page} and {book}", highlight=False)


def _print_chain_map(result: ChainMapResult) -> None:
    names = {s.id: s.name_zh for s in result.chain.segments}
    title = (
        f"{result.region_name} · {result.chain.name_zh}产业链 (上游 → 下游 upstream → downstream)"
    )
    columns = [
        Col("name_zh", "环节 segment"),
        Col("status", "状态 status", lambda s: styled((_LABEL[str(s)], _STYLE[str(s)]))),
        Col("firms", "企业 firms", numeric=True),
        Col("lq", "区位熵 LQ", num(".2f"), numeric=True),
        Col("reason_zh", "说明 why", drop=1),
    ]
    year = getattr(result, "year", None)
    if year is not None:
        title += f" · {year}-12-31 企业记录 firm records"
        if getattr(result, "synthetic", False):
            title += " · 合成数据 synthetic"
        columns.insert(3, Col("gbt4754", "行业小类 GB/T 4754", drop=2))
    show_table(result.segments, columns, title=title)
    if result.partners.empty:
        stdout().print("没有需要补链的环节，或没有地区在这些环节是强链。 No gaps to fill.")
        return
    cands = result.candidates

    def firms(row: dict[str, object]) -> str:
        here = cands[(cands["segment"] == row["segment"]) & (cands["region"] == row["partner"])]
        return "、".join(f"{n}({c})" for n, c in zip(here["name"], here["code"], strict=True))

    show_table(
        result.partners,
        [
            Col("segment", "环节 segment", lambda s: names[str(s)].split("（")[0]),
            Col("rank", "#", numeric=True),
            Col("partner_name", "地区 region"),
            Col("score", "得分 score", num(".2f"), numeric=True),
            Col("reason_zh", "理由 reason", drop=1),
            Col("firms", "候选企业 firms", firms, row=True, drop=2),
        ],
        title="补链合作伙伴 Partner regions for the gaps",
    )


@app.command("check")
def check(
    year: Annotated[int, typer.Option(help="input-output table year")] = 2020,
    min_coefficient: Annotated[
        float, typer.Option(help="input coefficient a step needs to count as a real flow")
    ] = 0.001,
    fmt: FormatOption = "table",
) -> None:
    """投入产出检验 Does every upstream → downstream step show an input flow in the IO table?"""
    from nqpf.services.chains import chain_flow_checks

    result = chain_flow_checks(year, min_coefficient=min_coefficient)
    if fmt != "table":
        emit(fmt, result)
        return
    show_table(
        result,
        [
            Col("chain", "chain"),
            Col(
                "upstream",
                "上游 → 下游",
                lambda r: f"{r['upstream']} → {r['downstream']}",
                row=True,
            ),
            Col("flow", "类型 flow"),
            Col("coefficient", "投入系数 coefficient", num(".4f"), numeric=True),
            Col("real", "可见 real", lambda v: "✓" if v else "✗"),
        ],
        title=f"{year} 投入产出表中的产业链环节流量 chain steps",
    )
