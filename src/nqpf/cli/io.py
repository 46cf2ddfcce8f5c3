"""``nqpf io …``: input-output linkages, key sectors and their change across years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._console import stdout

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
    out: Annotated[Path | None, typer.Option(help="write linkages.xlsx and a CSV here")] = None,
) -> None:
    """产业关联 Backward/forward linkages, key sectors, multipliers, hypothetical extraction."""
    from rich.table import Table

    from nqpf.errors import InputError
    from nqpf.services.io import io_linkages

    if sort not in ("backward", "forward", "extraction_total", "output_multiplier"):
        raise InputError(
            f"unknown sort column {sort!r}",
            hint="backward, forward, extraction_total or output_multiplier",
        )
    result = io_linkages(year, sectors, forward=forward, flows=flows)  # type: ignore[arg-type]
    shown = result.sort_values(sort, ascending=False).head(top)
    counts = result["key_type"].value_counts()
    table = Table(
        title=f"{year} 投入产出表 ({result['table'].iloc[0]}) 产业关联 linkages — "
        f"关键部门 key sectors {counts.get('key', 0)}/{len(result)}",
        header_style="bold",
    )
    for col in (
        "部门 sector",
        "后向 BL",
        "前向 FL",
        "类型 type",
        "产出乘数\noutput mult.",
        "收入乘数\nincome mult.",
        "抽取损失\nextraction",
    ):
        table.add_column(col, no_wrap=True, min_width=16 if col.startswith("部门") else None)
    for row in shown.to_dict("records"):
        income = float(row["income_multiplier"])
        table.add_row(
            f"{row['sector']} {row['name']}",
            f"{row['backward']:.3f}",
            f"{row['forward']:.3f}",
            _KEY_ZH[str(row["key_type"])],
            f"{row['output_multiplier']:.3f}",
            "" if income != income else f"{income:.3f}",
            f"{row['extraction_total']:.2%}",
        )
    console = stdout()
    console.print(table)
    console.print(
        "BL/FL: Rasmussen 标准化影响力/感应度系数 (>1 高于平均); FL 按 "
        + ("Ghosh 逆矩阵行和" if forward == "ghosh" else "Leontief 逆矩阵行和 (Hirschman)")
        + "; 抽取损失 = 完全抽取该部门后总产出减少的比例 (Miller & Blair 2009, ch. 12).",
        highlight=False,
    )
    if out is not None:
        from nqpf.outputs import atomic_write_csv, atomic_write_excel

        stem = f"io_linkages_{result['table'].iloc[0]}"
        xlsx = atomic_write_excel(out / f"{stem}.xlsx", {"linkages": result})
        csv = atomic_write_csv(out / f"{stem}.csv", result)
        console.print(f"已写出 Wrote {xlsx} and {csv}", highlight=False)


@app.command("compare")
def compare_command(
    years: Annotated[
        list[int] | None, typer.Argument(help="years (default 2017 2018 2020)")
    ] = None,
    top: Annotated[int, typer.Option(help="sectors with the largest change to show")] = 15,
    out: Annotated[Path | None, typer.Option(help="write io_compare.xlsx here")] = None,
) -> None:
    """跨年比较 Linkages of several years on the 149 sectors of 2017 (concordance)."""
    from rich.table import Table

    from nqpf.services.io import compare_years

    chosen = tuple(years) if years else (2017, 2018, 2020)
    result = compare_years(chosen)
    first, last = min(chosen), max(chosen)
    wide = result.pivot(index=["sector", "name"], columns="year", values="backward")
    change = result.drop_duplicates("sector").set_index(["sector", "name"])["backward_change"]
    order = change.abs().sort_values(ascending=False).index[:top]
    table = Table(title=f"后向关联变化 Backward linkage change {first}→{last}", header_style="bold")
    table.add_column("部门 sector")
    for y in sorted(chosen):
        table.add_column(f"BL {y}")
    table.add_column("变化 change")
    for key in order:
        table.add_row(
            f"{key[0]} {key[1]}",
            *(f"{wide.loc[key, y]:.3f}" for y in sorted(chosen)),
            f"{change[key]:+.3f}",
        )
    stdout().print(table)
    if out is not None:
        from nqpf.outputs import atomic_write_excel

        path = atomic_write_excel(out / "io_compare.xlsx", {"compare": result})
        stdout().print(f"已写出 Wrote {path}", highlight=False)
