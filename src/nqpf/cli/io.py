"""``nqpf io …``: input-output linkages, key sectors and their change across years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._output import Col, FormatOption, emit, messages, num, show_table

app = typer.Typer(
    help="投入产出 Input-output: linkages, key sectors, multipliers, extraction.",
    no_args_is_help=True,
)

_KEY_ZH = {"key": "关键", "backward": "后向型", "forward": "前向型", "weak": "弱关联"}


@app.command("linkages")
def linkages_command(
    year: Annotated[int, typer.Option(help="table year: 2017, 2018 or 2020")] = 2020,
    sectors: Annotated[
        int | None, typer.Option(help="42, or the detailed table (149 in 2017, else 153)")
    ] = None,
    forward: Annotated[
        str, typer.Option(help="forward linkage: ghosh (Ghosh row sums) | leontief (Hirschman)")
    ] = "ghosh",
    flows: Annotated[
        str, typer.Option(help="total | domestic (domestic flows: 42-sector tables only)")
    ] = "total",
    sort: Annotated[
        str, typer.Option(help="backward | forward | extraction_total | output_multiplier")
    ] = "backward",
    top: Annotated[int, typer.Option(help="rows to show")] = 20,
    out: Annotated[
        Path | None, typer.Option(help="write io_linkages_<table>.xlsx and .csv here")
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """产业关联 Backward/forward linkages, key sectors, multipliers, hypothetical extraction."""
    from nqpf.errors import InputError
    from nqpf.services.io import io_linkages

    if sort not in ("backward", "forward", "extraction_total", "output_multiplier"):
        raise InputError(
            f"unknown sort column {sort!r}",
            hint="backward, forward, extraction_total or output_multiplier",
        )
    result = io_linkages(year, sectors, forward=forward, flows=flows)  # type: ignore[arg-type]
    frame = result.linkages
    shown = frame.sort_values(sort, ascending=False).head(top)
    console = messages(fmt)
    if fmt != "table":
        emit(fmt, shown, result=result)
    else:
        counts = frame["key_type"].value_counts()
        show_table(
            shown,
            [
                Col("sector", "部门 sector", lambda r: f"{r['sector']} {r['name']}", row=True),
                Col("backward", "后向 BL", num(".3f"), numeric=True),
                Col("forward", "前向 FL", num(".3f"), numeric=True),
                Col("key_type", "类型 type", lambda k: _KEY_ZH[str(k)]),
                Col("output_multiplier", "产出乘数 output mult.", num(".3f"), numeric=True),
                Col("income_multiplier", "收入乘数 income mult.", num(".3f"), numeric=True, drop=1),
                Col("extraction_total", "抽取损失 extraction", num(".2%"), numeric=True),
            ],
            title=f"{year} 投入产出表 ({result.table}) 产业关联 linkages — "
            f"关键部门 key sectors {counts.get('key', 0)}/{len(frame)}",
        )
    console.print(
        "BL/FL: Rasmussen 标准化影响力/感应度系数 (>1 高于平均); FL 按 "
        + ("Ghosh 逆矩阵行和" if forward == "ghosh" else "Leontief 逆矩阵行和 (Hirschman)")
        + "; 抽取损失 = 完全抽取该部门后总产出减少的比例 (Miller & Blair 2009, ch. 12).",
        highlight=False,
    )
    if out is not None:
        from nqpf.present.io import write_io_linkages

        xlsx, csv = write_io_linkages(result, out)
        console.print(f"已写出 Wrote {xlsx} and {csv}", highlight=False)


@app.command("compare")
def compare_command(
    years: Annotated[
        list[int] | None, typer.Argument(help="years (default 2017 2018 2020)")
    ] = None,
    top: Annotated[int, typer.Option(help="sectors with the largest change to show")] = 15,
    out: Annotated[Path | None, typer.Option(help="write io_compare.xlsx here")] = None,
    fmt: FormatOption = "table",
) -> None:
    """跨年比较 Linkages of several years on the 149 sectors of 2017 (concordance)."""
    from nqpf.services.io import compare_years

    chosen = tuple(years) if years else (2017, 2018, 2020)
    result = compare_years(chosen)
    first, last = min(chosen), max(chosen)
    frame = result.compare
    wide = frame.pivot(index=["sector", "name"], columns="year", values="backward")
    wide.columns = [f"BL {y}" for y in wide.columns]
    change = frame.drop_duplicates("sector").set_index(["sector", "name"])["backward_change"]
    order = change.abs().sort_values(ascending=False).index[:top]
    shown = wide.loc[order].assign(change=change.loc[order]).reset_index()
    if fmt != "table":
        emit(fmt, shown, result=result)
    else:
        show_table(
            shown,
            [
                Col("sector", "部门 sector", lambda r: f"{r['sector']} {r['name']}", row=True),
                *(Col(f"BL {y}", f"BL {y}", num(".3f"), numeric=True) for y in sorted(chosen)),
                Col("change", "变化 change", num("+.3f"), numeric=True),
            ],
            title=f"后向关联变化 Backward linkage change {first}→{last}",
        )
    if out is not None:
        from nqpf.present.io import write_io_compare

        path = write_io_compare(result, out)
        messages(fmt).print(f"已写出 Wrote {path}", highlight=False)
