"""``nqpf audit``: the statistical coherence audit of an assessment (audit.xlsx, audit.html)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._console import stdout


def audit(
    year: Annotated[
        list[str] | None,
        typer.Option("--year", "-y", help="year(s) or a range; default: the framework's years"),
    ] = None,
    framework: Annotated[
        str, typer.Option(help="ndrc, three-elements, or the path of a framework YAML")
    ] = "ndrc",
    data: Annotated[
        Path | None, typer.Option(help="your long CSV/Excel (region, year, indicator, value)")
    ] = None,
    normalize: Annotated[str, typer.Option(help="minmax, zscore, max, rank, target")] = "minmax",
    weights: Annotated[
        str, typer.Option(help="equal, entropy, critic, pca or several")
    ] = "entropy",
    aggregate: Annotated[str, typer.Option(help="linear, geometric or topsis")] = "linear",
    upper: Annotated[
        str | None, typer.Option(help="sum or equal; default: the framework's (ndrc: equal)")
    ] = None,
    outliers: Annotated[
        str | None, typer.Option(help="none, jrc, winsor, log; default: the framework's")
    ] = None,
    impute: Annotated[
        str | None, typer.Option(help="imputation chain; default: the framework's")
    ] = None,
    collinear: Annotated[float, typer.Option(help="|r| above which a pair is collinear")] = 0.92,
    out: Annotated[Path, typer.Option(help="output directory")] = Path("nqpf-output"),
) -> None:
    """统计一致性审计 Statistical audit: correlations, Cronbach's α, PCA, effective importance,
    rank shifts, volatility, small bases, validation against published rankings."""
    from nqpf.cli.assess import _years
    from nqpf.present.audit import write_audit
    from nqpf.services.audit import audit as run

    result = run(
        data,
        framework=framework,
        years=_years(year),
        normalize=normalize,
        weights=weights,
        aggregate=aggregate,
        upper=upper,
        outliers=outliers,
        impute=impute,
        collinear=collinear,
    )
    for line in result.warnings:
        stdout().print(f"• {line}", highlight=False, markup=False)
    for path in write_audit(result, out):
        stdout().print(f"[green]写入 wrote[/] {path}", highlight=False)
