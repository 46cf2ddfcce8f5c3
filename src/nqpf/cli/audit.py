"""``nqpf audit``: the statistical coherence audit of an assessment (audit.xlsx, audit.html)."""

from __future__ import annotations

from typing import Annotated

import typer

from nqpf.cli import _assessment_options as o
from nqpf.cli._console import styled
from nqpf.cli._output import OUTPUT_DIR, FormatOption, emit, messages


def audit(
    year: o.Years = None,
    framework: o.Framework = "ndrc",
    level: o.Level = "province",
    data: o.Data = None,
    normalize: o.Normalize = "minmax",
    scope: o.Scope = "panel",
    weights: o.Weights = "entropy",
    combine: o.Combine = "mean",
    entropy_shift: o.EntropyShift = None,
    aggregate: o.Aggregate = "linear",
    impute: o.Impute = None,
    max_missing_unit: o.MaxMissingUnit = None,
    max_missing_indicator: o.MaxMissingIndicator = None,
    upper: o.Upper = None,
    outliers: o.Outliers = None,
    skew_threshold: o.SkewThreshold = 2.0,
    kurtosis_threshold: o.KurtosisThreshold = 3.5,
    winsor_max: o.WinsorMax = 5,
    collinear: Annotated[float, typer.Option(help="|r| above which a pair is collinear")] = 0.92,
    out: o.Out = OUTPUT_DIR,
    fmt: FormatOption = "table",
) -> None:
    """统计一致性审计 Statistical audit: correlations, Cronbach's α, PCA, effective importance,
    rank shifts, volatility, small bases, validation against published rankings."""
    from nqpf.present.audit import write_audit
    from nqpf.services.audit import audit as run

    spec = o.assessment_spec(
        year,
        framework=framework,
        level=level,
        normalize=normalize,
        scope=scope,
        weights=weights,
        combine=combine,
        entropy_shift=entropy_shift,
        aggregate=aggregate,
        impute=impute,
        max_missing_unit=max_missing_unit,
        max_missing_indicator=max_missing_indicator,
        upper=upper,
        outliers=outliers,
        skew_threshold=skew_threshold,
        kurtosis_threshold=kurtosis_threshold,
        winsor_max=winsor_max,
    )
    result = run(data, spec=spec, collinear=collinear)
    console = messages(fmt)
    if fmt != "table":
        emit(fmt, result=result)
    for line in result.warnings:
        console.print(f"• {line}", highlight=False, markup=False)
    for path in write_audit(result, out):
        console.print(styled(("写入 wrote ", "green"), str(path)))
