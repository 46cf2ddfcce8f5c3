"""``nqpf assess``: the composite NQPF assessment of regions, with rank bands and outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from nqpf.cli import _assessment_options as o
from nqpf.cli._console import progress as progress_of
from nqpf.cli._console import stderr, styled
from nqpf.cli._output import OUTPUT_DIR, Col, FormatOption, emit, messages, num, show_table
from nqpf.cli.industry import FORCE_HELP

if TYPE_CHECKING:
    import pandas as pd

    from nqpf.index.assessment import Assessment

#: Largest Sobol base sample N accepted (N·(D+2) runs; SALib's examples use 512–4096).
MAX_UNCERTAINTY = 1 << 16

#: Rows of the terminal table below the province (all rows are in scores.csv).
SHOWN_BELOW_PROVINCE = 50

#: Messages about dropped units shown in the terminal (all are in assessment.xlsx).
SHOWN_MESSAGES = 5

#: Units of each level (upper bounds), for the memory check of --uncertainty.
UNITS = {"province": 31, "prefecture": 340, "county": 2_950}


def assess(
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
    uncertainty: Annotated[
        int, typer.Option(help="Sobol base sample size N for rank bands (0 = off)")
    ] = 0,
    seed: Annotated[int, typer.Option(help="seed of the Sobol sequence")] = 20250101,
    out: o.Out = OUTPUT_DIR,
    lang: Annotated[str, typer.Option(help="zh or en region names in the table")] = "zh",
    top: Annotated[
        int | None,
        typer.Option(help="rows shown in the table (0 = all; default: all provinces, 50 below)"),
    ] = None,
    audit: Annotated[
        bool, typer.Option("--audit", help="also write the statistical audit (audit.xlsx/html)")
    ] = False,
    force: Annotated[bool, typer.Option(help=FORCE_HELP)] = False,
    fmt: FormatOption = "table",
) -> None:
    """新质生产力综合评价 Assess NQPF: ranked table, scores.csv, assessment.xlsx, assessment.html,
    assessment.docx."""
    from nqpf.ingest.options import (
        check_choice,
        check_memory,
        check_range,
        parse_years,
        uncertainty_bytes,
    )
    from nqpf.present.assessment import write_assessment
    from nqpf.services.assessment import assess_spec

    years = parse_years(year)
    check_range(uncertainty, option="--uncertainty", low=0, high=MAX_UNCERTAINTY)
    if uncertainty:
        check_memory(
            uncertainty_bytes(
                uncertainty, factors=8, units=UNITS.get(level, 31) * len(years or range(30))
            ),
            what=f"--uncertainty {uncertainty}",
            hint="use a base sample N of 256–4096 (Saltelli's usual range)",
        )
    if top is None:
        top = 0 if level == "province" else SHOWN_BELOW_PROVINCE
    check_range(top, option="--top", low=0)
    check_choice(lang, ("zh", "en"), option="--lang")
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
        uncertainty=uncertainty,
        seed=seed,
    )
    with progress_of("不确定性分析 uncertainty", visible=uncertainty > 0) as report:
        result = assess_spec(spec, data, progress=report)
    paths = write_assessment(result, out, force=force)
    if audit:
        from nqpf.present.audit import write_audit
        from nqpf.services.audit import audit_of

        paths += write_audit(audit_of(result), out, force=force)
    dropped = [str(m) for m in result.options.get("dropped", [])]
    for message in dropped[:SHOWN_MESSAGES]:
        stderr().print(message, style="yellow")
    if len(dropped) > SHOWN_MESSAGES:
        stderr().print(
            f"… 另 {len(dropped) - SHOWN_MESSAGES} 条 and {len(dropped) - SHOWN_MESSAGES} more "
            "(all in the options sheet of assessment.xlsx)",
            style="yellow",
        )

    scores = result.scores
    latest = scores[scores["year"] == scores["year"].max()]
    if fmt != "table":
        emit(fmt, latest.head(top) if top > 0 else latest, result=result)
    else:
        _print_scores(result, latest, lang=lang, top=top, codes=level != "province")
    if result.uncertainty is not None:
        sobol = result.uncertainty.sobol
        text = ", ".join(f"{r.factor} S1={r.S1:.2f} ST={r.ST:.2f}" for r in sobol.itertuples())
        messages(fmt).print(
            f"Sobol ({result.uncertainty.n_runs} runs, "
            f"{result.uncertainty.n_configurations} configurations): {text}",
            style="dim",
        )
    for path in paths:
        messages(fmt).print(styled(("写入 wrote ", "green"), str(path)))


def _print_scores(
    result: Assessment, latest: pd.DataFrame, *, lang: str, top: int, codes: bool = False
) -> None:
    """The latest year's ranking; pillar columns go first (last pillar first) on a narrow
    terminal. ``codes``: names followed by their code (county names repeat: 桥西区 …)."""
    from nqpf.regions import region_label

    bands = None
    if result.uncertainty is not None:
        bands = result.uncertainty.ranks.set_index(["region", "year"])
    labels = {n.id: n.name_en if lang == "en" else n.name_zh for n in result.framework.pillars}
    pillars = result.framework.pillar_ids

    def name(row: dict[str, object]) -> str:
        text = str(row["region_name"])
        if lang == "en":
            text = region_label(str(row["region"]), lang="en") or text
        return f"{text} {row['region']}" if codes else text

    def band(row: dict[str, Any]) -> str:
        assert bands is not None
        b = bands.loc[(row["region"], row["year"])]
        return f"{b['rank_p05']:.0f}–{b['rank_p95']:.0f}"

    columns = [
        Col("rank", "排名 rank", num(".0f"), numeric=True),
        Col("region_name", "地区 region", name, row=True),
        Col("index", "指数 index", num(".4f"), numeric=True),
    ]
    if bands is not None:
        columns.append(Col("band", "5–95% 排名区间 band", band, numeric=True, row=True))
    columns += [
        Col(p, labels[p], num(".3f"), numeric=True, drop=1 + i) for i, p in enumerate(pillars)
    ]
    rows = latest.head(top) if top > 0 else latest
    show_table(
        rows,
        columns,
        title=f"NQPF {int(latest['year'].iloc[0])} — {result.framework.name_zh} "
        f"(spec {result.spec_hash})",
    )
