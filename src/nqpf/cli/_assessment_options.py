"""The assessment options of the command line, defined once for ``nqpf assess`` and
``nqpf audit`` (and any command that runs an assessment).

Each option is an ``Annotated`` type used as a parameter's annotation; :func:`assessment_spec`
turns the values into the one validated :class:`~nqpf.services.assessment.AssessmentSpec`.
The help texts name the choices of the ``Literal`` types in :mod:`nqpf.index` (written out
here, so that ``nqpf --help`` does not import pandas; ``tests/test_cli_options.py`` checks
that they name every choice).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from nqpf.services.assessment import AssessmentSpec

Years = Annotated[
    list[str] | None,
    typer.Option(
        "--year",
        "-y",
        help="year(s) or a range, e.g. 2023 or 2018-2023; default: the framework's years",
    ),
]
Framework = Annotated[
    str,
    typer.Option(
        help="ndrc, three-elements, or the path of a framework YAML; below the province "
        "the level's own (city, county)"
    ),
]
Level = Annotated[
    str,
    typer.Option(
        help="province (31), prefecture (地级, ≈300 with data) or county (县级, ≈2,900): the "
        "packaged panel and how region names resolve"
    ),
]
Data = Annotated[
    Path | None, typer.Option(help="your long CSV/Excel (region, year, indicator, value)")
]
Normalize = Annotated[
    str,
    typer.Option(help="minmax, zscore, max or rank (target: Python API only)"),
]
Scope = Annotated[str, typer.Option(help="panel (comparable over years) or year")]
Weights = Annotated[
    str, typer.Option(help="equal, entropy, critic, pca, or several: entropy,critic")
]
Combine = Annotated[str, typer.Option(help="mean, geometric or game")]
EntropyShift = Annotated[
    float | None, typer.Option(help="entropy shift ε (papers: 1e-5); default 0·ln0 = 0")
]
Aggregate = Annotated[str, typer.Option(help="linear, geometric or topsis")]
Impute = Annotated[
    str | None,
    typer.Option(
        help="none, or methods applied in order: linear, linear_extrapolate, ffill_bfill, "
        "group_mean, year_mean, column_mean (e.g. linear,ffill_bfill,column_mean); "
        "default: the framework's (ndrc: linear,ffill_bfill,group_mean), else none"
    ),
]
MaxMissingUnit = Annotated[
    float | None, typer.Option(help="drop regions with a larger share of missing values")
]
MaxMissingIndicator = Annotated[
    float | None, typer.Option(help="drop indicators with a larger share of missing values")
]
Upper = Annotated[
    str | None,
    typer.Option(
        help="upper-level weights: sum (the papers') or equal; default: the framework's "
        "(ndrc: equal), else sum"
    ),
]
Outliers = Annotated[
    str | None,
    typer.Option(
        help="outlier treatment: none, jrc (winsorise else log), winsor, log; default: the "
        "framework's (ndrc: jrc), else none"
    ),
]
SkewThreshold = Annotated[float, typer.Option(help="|skewness| threshold")]
KurtosisThreshold = Annotated[float, typer.Option(help="kurtosis threshold")]
WinsorMax = Annotated[int, typer.Option(help="most points winsorised")]
Out = Annotated[Path, typer.Option(help="output directory")]


def assessment_spec(year: list[str] | None, **options: Any) -> AssessmentSpec:
    """The validated spec of the options above (``year`` as typed: ``2018-2023`` …);
    ``normalize target`` is refused, since its targets cannot be given here."""
    from nqpf.errors import InputError
    from nqpf.ingest.options import parse_years
    from nqpf.services.assessment import AssessmentSpec

    if options.get("normalize") == "target":
        raise InputError(
            "--normalize target needs a target value per indicator, which the command line "
            "cannot take",
            hint="use the Python API: nqpf.assess(normalize='target', targets={...})",
        )
    return AssessmentSpec.of(years=parse_years(year), **options)
