"""``nqpf data …``: browse the packaged data, its provenance, and import your own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._console import stdout, styled
from nqpf.cli._output import Col, FormatOption, emit, frame_columns, messages, num, show_table

app = typer.Typer(help="数据 Data: catalog, values, sources, import.", no_args_is_help=True)


@app.command("list")
def list_indicators(
    pillar: Annotated[str | None, typer.Option(help="only this pillar (tech, industry, …)")] = None,
    lang: Annotated[str, typer.Option(help="zh or en labels")] = "zh",
    fmt: FormatOption = "table",
) -> None:
    """指标目录 The indicator catalog: id, name, unit, direction, pillar, years covered."""
    import pandas as pd

    from nqpf.data import catalog
    from nqpf.ingest.options import check_choice

    check_choice(lang, ("zh", "en"), option="--lang")
    cat = catalog()
    if pillar:
        cat = cat[cat["pillar"] == pillar]
    name = "name_en" if lang == "en" else "name_zh"
    if fmt != "table":
        emit(fmt, cat.reset_index(drop=True))
        return

    def years(row: dict[str, float]) -> str:
        first, last = row["first_year"], row["last_year"]
        return "" if pd.isna(first) else f"{first:.0f}–{last:.0f}"

    show_table(
        cat,
        [
            Col("id", "id"),
            Col(name, "名称 name"),
            Col("unit", "单位 unit", drop=3),
            Col("direction", "方向 dir", drop=2),
            Col("pillar", "支柱 pillar", drop=1),
            Col("years", "年份 years", years, numeric=True, row=True, drop=4),
            Col("formula", "公式 formula", drop=5),
        ],
        title="NQPF 指标目录 indicator catalog",
    )


@app.command("show")
def show(
    indicator: Annotated[str, typer.Argument(help="indicator id, e.g. rd_intensity")],
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="region(s); default all")
    ] = None,
    year: Annotated[list[int] | None, typer.Option("--year", "-y", help="year(s)")] = None,
    national: Annotated[bool, typer.Option(help="also show the national value")] = True,
    lang: Annotated[str, typer.Option(help="zh or en region names")] = "zh",
    fmt: FormatOption = "table",
) -> None:
    """显示数据 Show an indicator: one year as a ranked table, several years as a matrix."""
    import pandas as pd

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
        ranked = pd.concat([view.ranked, view.nation], ignore_index=True)
        ranked = ranked.assign(region_name=ranked["region"].map(names))
        if fmt != "table":
            emit(fmt, ranked)
            return
        show_table(
            ranked,
            [
                Col("rank", "排名 rank", num(".0f"), numeric=True),
                Col("region_name", "地区 region"),
                Col("region", "代码 code", drop=1),
                Col("value", f"值 value ({spec.unit})", _fmt, numeric=True),
                Col("source_id", "来源 source", drop=2),
            ],
            title=f"{title}, {years[0]}",
            row_styles=[None] * len(view.ranked) + ["italic"] * len(view.nation),
        )
    else:
        wide = panel.pivot_table(index="region", columns="year", values="value", aggfunc="first")
        wide.columns = [str(y) for y in wide.columns]
        wide = wide.reset_index()
        wide.insert(1, "region_name", wide["region"].map(names))
        if fmt != "table":
            emit(fmt, wide)
            return
        show_table(
            wide,
            [
                Col("region_name", "地区 region"),
                *(
                    Col(str(y), str(y), _fmt, numeric=True, drop=len(years) - i)
                    for i, y in enumerate(years)
                ),
            ],
            title=title,
        )
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
    if value is None or value != value:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    return f"{value:.4g}" if 0 < abs(value) < 0.01 else f"{value:.2f}"


@app.command("sources")
def show_sources(
    full: Annotated[bool, typer.Option(help="every source_id, not one line per dataset")] = False,
    fmt: FormatOption = "table",
) -> None:
    """数据来源 Provenance and the attributions the publishers ask for."""
    from nqpf.data import sources
    from nqpf.services.data import sources_by_dataset

    src = sources()
    if fmt != "table":
        emit(fmt, src if full else sources_by_dataset())
        return
    if full:
        show_table(
            src,
            [
                Col("source_id", "source_id"),
                Col("dataset", "dataset", drop=5),
                Col("file", "file", drop=4),
                Col("item", "item"),
                Col("unit_published", "unit", drop=2),
                Col("factor", "×", num("g"), numeric=True, drop=3),
                Col("vintage", "vintage", drop=1),
            ],
            title="sources",
        )
        return

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
    fmt: FormatOption = "table",
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

    summary = import_summary(added).reset_index()
    messages(fmt).print(
        styled(
            ("imported ", "green"), f"{len(added)} values from {file.name} into {workspace.root}"
        )
    )
    if fmt != "table":
        emit(fmt, summary)
    else:
        show_table(summary, frame_columns(summary), title="导入 imported")
