"""``nqpf report``: a leader-ready profile of a province, prefecture or county, or the
all-province overview, as Word, PDF, Excel or HTML (services in :mod:`nqpf.services.report`, writers in
:mod:`nqpf.present.report`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._console import stdout, styled
from nqpf.cli._output import OUTPUT_DIR


def report(
    region: Annotated[
        str,
        typer.Argument(
            help="省份、地级市或县 province, prefecture or county (安徽, 合肥, 肥西县, 340123) "
            "或 or `national` 全国"
        ),
    ],
    format: Annotated[
        str, typer.Option("--format", "-f", help="docx | pdf | xlsx | html")
    ] = "docx",
    lang: Annotated[str, typer.Option(help="报告语言 language: zh | en")] = "zh",
    year: Annotated[int | None, typer.Option(help="报告年份 report year (default: latest)")] = None,
    top: Annotated[int, typer.Option(help="rows of obstacles, strengths, opportunities")] = 5,
    uncertainty: Annotated[
        int, typer.Option(help="Sobol base sample size of the rank bands (0 = none; 256 ≈ 40 s)")
    ] = 0,
    level: Annotated[
        str | None,
        typer.Option(help="强制层级 force the level: province | prefecture | county"),
    ] = None,
    within: Annotated[
        str | None,
        typer.Option(
            help="重名县区所在省或地级市 narrow an ambiguous county name (鼓楼区 --within 福州)"
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="output folder")] = OUTPUT_DIR,
) -> None:
    """报告 A province's, prefecture's or county's profile (or `national`) for leaders:
    summary, level and rank, pillars, strengths and obstacles, disparity context,
    opportunities, chains, targets, sources."""
    from nqpf.ingest.options import check_choice
    from nqpf.present.report import FORMATS, write_report
    from nqpf.services.report import ReportSpec, build_report

    check_choice(format, FORMATS, option="--format")
    spec = ReportSpec(
        region,
        year=year,
        lang=lang,  # type: ignore[arg-type]
        top=top,
        uncertainty=uncertainty,
        level=level,  # type: ignore[arg-type]
        within=within,
    )
    result = build_report(spec)
    path = write_report(result, format, out)
    stdout().print(styled(("写入 wrote ", "green"), str(path)), soft_wrap=True)
