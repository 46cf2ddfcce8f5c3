"""``nqpf data …``: browse the packaged data, its provenance, and import your own."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nqpf.cli._console import stdout, styled

if TYPE_CHECKING:
    pass

app = typer.Typer(help="数据 Data: catalog, values, sources, import.", no_args_is_help=True)


@app.command("list")
def list_indicators(
    pillar: Annotated[str | None, typer.Option(help="only this pillar (tech, industry, …)")] = None,
    lang: Annotated[str, typer.Option(help="zh or en labels")] = "zh",
) -> None:
    """指标目录 The indicator catalog: id, name, unit, direction, pillar, years covered."""
    import pandas as pd
    from rich.table import Table

    from nqpf.data import catalog
    from nqpf.ingest.options import check_choice

    check_choice(lang, ("zh", "en"), option="--lang")
    cat = catalog()
    if pillar:
        cat = cat[cat["pillar"] == pillar]
    name = "name_en" if lang == "en" else "name_zh"
    table = Table(title="NQPF 指标目录 indicator catalog", header_style="bold")
    for col in (
        "id",
        "名称 name",
        "单位 unit",
        "方向 dir",
        "支柱 pillar",
        "年份 years",
        "公式 formula",
    ):
        table.add_column(col, no_wrap=col.startswith(("id", "年份", "单位")))
    for row in cat.to_dict("records"):
        years = (
            "" if pd.isna(row["first_year"]) else f"{row['first_year']:.0f}–{row['last_year']:.0f}"
        )
        formula = "" if pd.isna(row["formula"]) else str(row["formula"])
        table.add_row(
            str(row["id"]),
            str(row[name] or ""),
            str(row["unit"]),
            str(row["direction"]),
            str(row["pillar"]),
            years,
            formula,
        )
    stdout().print(table)


@app.command("show")
def show(
    indicator: Annotated[str, typer.Argument(help="indicator id, e.g. rd_intensity")],
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="region(s); default all")
    ] = None,
    year: Annotated[list[int] | None, typer.Option("--year", "-y", help="year(s)")] = None,
    national: Annotated[bool, typer.Option(help="also show the national value")] = True,
    lang: Annotated[str, typer.Option(help="zh or en region names")] = "zh",
) -> None:
    """显示数据 Show an indicator: one year as a ranked table, several years as a matrix."""
    from rich.table import Table

    from nqpf.ingest.options import check_choice, check_years

    check_choice(lang, ("zh", "en"), option="--lang")
    if year:
        year = check_years(year)
    from nqpf.services.data import indicator_view

    view = indicator_view(
        indicator,
        regions=region,
        years=year,
        national=national,
        lang="en" if lang == "en" else "zh",
    )
    spec, panel, names, years = view.spec, view.panel, view.names, view.years
    title = f"{spec.name_zh} {spec.name_en} ({spec.unit})"
    if len(years) == 1:
        table = Table(title=f"{title}, {years[0]}", header_style="bold")
        for col in (
            "排名 rank",
            "地区 region",
            "代码 code",
            f"值 value ({spec.unit})",
            "来源 source",
        ):
            table.add_column(col, justify="right" if "value" in col or "rank" in col else "left")
        for row in view.ranked.to_dict("records"):
            table.add_row(
                str(row["rank"]),
                names[row["region"]],
                str(row["region"]),
                _fmt(row["value"]),
                _short_source(str(row["source_id"])),
            )
        for row in view.nation.to_dict("records"):
            table.add_row(
                "",
                names[row["region"]],
                str(row["region"]),
                _fmt(row["value"]),
                _short_source(str(row["source_id"])),
                style="italic",
            )
    else:
        wide = panel.pivot_table(index="region", columns="year", values="value", aggfunc="first")
        table = Table(title=title, header_style="bold")
        table.add_column("地区 region")
        for y in years:
            table.add_column(str(y), justify="right")
        for code, values in wide.iterrows():
            table.add_row(names[str(code)], *(_fmt(float(v)) for v in values))
    stdout().print(table)
    for sid in panel["source_id"].unique():
        if sid not in view.sources.index:
            continue
        s = view.sources.loc[sid]
        stdout().print(
            f"{sid}: {s['dataset']} — {s['publisher']}; {s['file']} "
            f"({s['table']}: {s['item']}, {s['unit_published']}); {s['vintage']}",
            style="dim",
        )
    if spec.formula:
        stdout().print(f"derived: {spec.id} = {spec.formula}", style="dim")


def _fmt(value: float) -> str:
    if value != value:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    return f"{value:.4g}" if 0 < abs(value) < 0.01 else f"{value:.2f}"


def _short_source(source_id: str) -> str:
    return source_id if len(source_id) <= 40 else source_id[:37] + "…"


@app.command("sources")
def show_sources(
    full: Annotated[bool, typer.Option(help="every source_id, not one line per dataset")] = False,
) -> None:
    """数据来源 Provenance and the attributions the publishers ask for."""
    from rich.table import Table

    from nqpf.data import sources

    src = sources()
    if full:
        table = Table(title="sources", header_style="bold")
        for col in ("source_id", "dataset", "file", "item", "unit", "×", "vintage"):
            table.add_column(col, no_wrap=col.startswith(("id", "年份", "单位")))
        for r in src.to_dict("records"):
            table.add_row(
                *(str(r[c]) for c in ("source_id", "dataset", "file", "item", "unit_published")),
                f"{r['factor']:g}",
                str(r["vintage"]),
            )
        stdout().print(table)
        return
    from nqpf.services.data import sources_by_dataset

    for r in sources_by_dataset().to_dict("records"):
        repo = str(r["repository"]).replace("+", "/")
        stdout().print(styled((str(r["dataset"]), "bold"), f" — {r['publisher']}"))
        stdout().print(
            f"  from github.com/{repo} @ {str(r['commit'])[:10]}; {r['size']} series",
            highlight=False,
        )
        stdout().print(f"  licence: {r['licence']}", highlight=False)
        stdout().print(f"  cite: {r['citation']}", highlight=False)
    stdout().print("\nCensus tables: " + _CENSUS_NOTE, highlight=False)
    stdout().print(
        "Listed companies: Tushare stock_basic via github.com/yzq129/quant-factor "
        "(Tushare terms apply).",
        highlight=False,
    )
    stdout().print(
        "Input-output tables: NBS, via the ionet R package (Carol-seven/ionet, GPL-3).",
        highlight=False,
    )


_CENSUS_NOTE = (
    "NBS 6th and 7th population census county tables, compiled by Dong, Du & Liu "
    "(2022), SSRN 4049338 (github.com/leiii/census, MIT)."
)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV or Excel file", exists=False)],
    layout: Annotated[str, typer.Option(help="auto, nbs, long or wide")] = "auto",
    indicator: Annotated[
        str | None, typer.Option(help="indicator id/name when the file holds one indicator")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="unit of the values, e.g. 亿元")] = None,
    year: Annotated[int | None, typer.Option(help="year, for a regions × indicators table")] = None,
    region: Annotated[str | None, typer.Option(help="region, for a one-region NBS export")] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet name")] = None,
    replace: Annotated[bool, typer.Option(help="overwrite values already imported")] = False,
) -> None:
    """导入数据 Import a data.stats export, long or wide table into your workspace."""
    from nqpf.errors import InputError
    from nqpf.ingest.readers import Layout, read_table
    from nqpf.ingest.workspace import Workspace

    layouts: dict[str, Layout] = {"auto": "auto", "nbs": "nbs", "long": "long", "wide": "wide"}
    if layout not in layouts:
        raise InputError(f"unknown layout {layout!r}", hint="use auto, nbs, long or wide")
    frame = read_table(
        file,
        layout=layouts[layout],
        indicator=indicator,
        unit=unit,
        year=year,
        region=region,
        sheet=sheet,
    )
    workspace = Workspace.default()
    added = workspace.add(frame, replace=replace)
    from nqpf.services.data import import_summary

    summary = import_summary(added)
    stdout().print(
        styled(("imported ", "green"), f"{len(added)} values from {file.name} into {workspace.root}")
    )
    stdout().print(summary.to_string())
