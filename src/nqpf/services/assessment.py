"""The assessment service: :func:`assess` loads the packaged panel of a level (the provinces'
panel, or the prefecture or county panel of :func:`nqpf.data.load_subnational`) or a user's
long table, selects years and regions, runs the construction (:mod:`nqpf.index.construct`) and, when
asked, the uncertainty analysis (:mod:`nqpf.index.uncertainty`), and returns an
:class:`~nqpf.index.assessment.Assessment`.

Construction (each step an explicit option, see :func:`assess`) and its references are in
:mod:`nqpf.index.construct`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nqpf.data import SubnationalLevel, article_figures, load_panel, load_subnational
from nqpf.errors import InputError
from nqpf.index.aggregate import AggregateMethod
from nqpf.index.assessment import Assessment
from nqpf.index.construct import (
    Construction,
    Upper,
    check_option,
    construct,
    drop_indicator,
    spec_hash,
    treat,
)
from nqpf.index.framework import FRAMEWORKS, Framework, load_framework
from nqpf.index.impute import ImputeMethod, drop_sparse, parse_chain
from nqpf.index.normalize import NormalizeMethod, Scope
from nqpf.index.outliers import OutlierMethod
from nqpf.index.weights import CombineMethod, WeightMethod
from nqpf.indicators import indicator_specs
from nqpf.ingest.options import check_years
from nqpf.regions import (
    NATIONAL_CODE,
    find_division,
    group_of,
    normalize_region,
    province_codes,
    region_label,
)
from nqpf.results import hash_spec
from nqpf.services._cache import cached, holds

__all__ = [
    "LEVEL_FRAMEWORKS",
    "AssessmentSpec",
    "assess",
    "assess_spec",
    "comparison_with_national",
]

#: The packaged framework of each level: ``ndrc`` (provinces), ``city`` (prefectures, the four
#: municipalities included), ``county`` (counties and districts).
LEVEL_FRAMEWORKS: dict[str, str] = {"province": "ndrc", "prefecture": "city", "county": "county"}


@dataclass(frozen=True)
class AssessmentSpec:
    """Every option of an assessment, validated once when the spec is made (the choices by
    :func:`nqpf.index.construct.check_option`, the years by
    :func:`nqpf.ingest.options.check_years`); made by :meth:`of` from the loose values of
    :func:`assess`, the command line and the API.

    ``impute``, ``upper`` and ``outliers`` left ``None`` take the framework's ``defaults:``
    (:meth:`construction`). The options are documented at :func:`assess`.

    ``level`` picks the packaged panel (provinces, prefectures or counties) and how region
    names are resolved; below the province the default framework ``ndrc`` (whose indicators
    exist only for provinces) becomes the level's own (:data:`LEVEL_FRAMEWORKS`).
    """

    framework: str | Path | Mapping[str, Any] | Framework = "ndrc"
    level: SubnationalLevel = "province"
    years: tuple[int, ...] | None = None
    regions: tuple[str, ...] | None = None
    normalize: NormalizeMethod = "minmax"
    scope: Scope = "panel"
    weights: tuple[WeightMethod, ...] = ("entropy",)
    combine: CombineMethod = "mean"
    entropy_shift: float | None = None
    aggregate: AggregateMethod = "linear"
    impute: tuple[ImputeMethod, ...] | None = None
    max_missing_unit: float | None = None
    max_missing_indicator: float | None = None
    upper: Upper | None = None
    outliers: OutlierMethod | None = None
    skew_threshold: float = 2.0
    kurtosis_threshold: float = 3.5
    winsor_max: int = 5
    targets: Mapping[str, float] | None = None
    uncertainty: int = 0
    seed: int = 20250101

    def __post_init__(self) -> None:
        if self.level not in LEVEL_FRAMEWORKS:
            raise InputError(
                f"unknown level {self.level!r}",
                column="level",
                hint="use province, prefecture or county",
            )
        if self.level != "province" and isinstance(self.framework, str):
            if self.framework == "ndrc":
                object.__setattr__(self, "framework", LEVEL_FRAMEWORKS[self.level])
            elif self.framework in FRAMEWORKS:
                raise InputError(
                    f"framework {self.framework!r} is made of provincial indicators and has no "
                    f"data at the {self.level} level",
                    column="framework",
                    hint=f"use --framework {LEVEL_FRAMEWORKS[self.level]} (the default at this "
                    "level) or a YAML over the sub-national indicators (`nqpf data list`)",
                )
        if self.years is not None:
            object.__setattr__(self, "years", tuple(check_years(self.years, option="years")))
        if self.regions is not None:
            object.__setattr__(self, "regions", tuple(str(r) for r in self.regions))
        for name in ("normalize", "scope", "weights", "combine", "aggregate"):
            check_option(name, getattr(self, name))
        for name in ("upper", "outliers"):
            if getattr(self, name) is not None:
                check_option(name, getattr(self, name))
        if self.impute is not None:
            check_option("impute", ",".join(self.impute))
        if self.normalize == "target" and not self.targets:
            raise InputError(
                "normalize='target' needs a target value per indicator",
                column="normalize",
                hint="give targets={indicator: value, ...} or another method",
            )

    @classmethod
    def of(cls, **options: Any) -> AssessmentSpec:
        """The spec of loose option values: ``weights`` and ``impute`` as ``"a,b"`` strings or
        lists, ``years`` and ``regions`` any iterables; unknown option names are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown assessment option(s): {', '.join(unknown)}")
        weights = options.get("weights")
        if weights is not None:
            parts = weights.split(",") if isinstance(weights, str) else weights
            options["weights"] = tuple(m.strip() for m in parts if m.strip())
        if options.get("impute") is not None:
            options["impute"] = parse_chain(options["impute"])
        for name in ("years", "regions"):
            if options.get(name) is not None:
                options[name] = tuple(options[name])
        return cls(**options)

    def construction(self, fw: Framework) -> Construction:
        """The construction of this spec, the framework's ``defaults:`` filling ``impute``,
        ``upper`` and ``outliers`` when not given (else ``none``, ``sum``, ``none``)."""
        defaults: Mapping[str, Any] = fw.defaults
        impute = (
            ",".join(self.impute)
            if self.impute is not None
            else ",".join(parse_chain(defaults.get("impute", "none")))
        )
        return Construction(
            normalize=self.normalize,
            scope=self.scope,
            weights=self.weights,
            combine=self.combine,
            entropy_shift=self.entropy_shift,
            aggregate=self.aggregate,
            impute=impute,
            upper=self.upper if self.upper is not None else defaults.get("upper", "sum"),
            outliers=self.outliers
            if self.outliers is not None
            else defaults.get("outliers", "none"),
            skew_threshold=self.skew_threshold,
            kurtosis_threshold=self.kurtosis_threshold,
            winsor_max=self.winsor_max,
        )


def assess(
    data: pd.DataFrame | str | Path | None = None,
    *,
    framework: str | Path | Mapping[str, Any] | Framework = "ndrc",
    level: str = "province",
    years: Iterable[int] | None = None,
    regions: Iterable[str] | None = None,
    normalize: str = "minmax",
    scope: str = "panel",
    weights: str | Sequence[str] = "entropy",
    combine: str = "mean",
    entropy_shift: float | None = None,
    aggregate: str = "linear",
    impute: str | Sequence[str] | None = None,
    max_missing_unit: float | None = None,
    max_missing_indicator: float | None = None,
    upper: str | None = None,
    outliers: str | None = None,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    winsor_max: int = 5,
    targets: Mapping[str, float] | None = None,
    uncertainty: int = 0,
    seed: int = 20250101,
    progress: Callable[[int, int], None] | None = None,
) -> Assessment:
    """Assess new quality productive forces of regions over years.

    The options make an :class:`AssessmentSpec` (validated there, once); the work is
    :func:`assess_spec`.

    Parameters
    ----------
    data:
        ``None`` for the packaged provincial panel; a long DataFrame (region, year, indicator,
        value[, region_name, source_id]); or the path of a long CSV/Excel file
        (read with :func:`nqpf.ingest.read_long`).
    framework:
        ``"ndrc"`` (default), ``"three-elements"``, a YAML path or a dict (see
        :mod:`nqpf.index.framework`); ``"city"`` and ``"county"`` at those levels.
    level:
        ``province`` (default), ``prefecture`` or ``county``: the packaged panel used when
        ``data`` is None (:func:`nqpf.data.load_subnational` below the province) and how the
        names in ``regions`` are resolved (合肥 → 340100). Below the province the default
        framework is the level's (``city``, ``county``).
    years:
        Years to assess. Default: the framework's ``years`` with packaged data, all years of
        a user's data.
    regions:
        Regions to keep (names or codes); default all.
    normalize, scope:
        Normalisation (:data:`~nqpf.index.normalize.NormalizeMethod`: ``minmax``, ``zscore``,
        ``max``, ``rank``, ``target``) and its scope: ``panel`` (one min/max over all years,
        comparable over time) or ``year``.
    weights, combine:
        One weighting method (:data:`~nqpf.index.weights.WeightMethod`) or several
        (``"entropy,critic"`` or a list), combined by ``mean``, ``geometric`` or ``game``.
    entropy_shift:
        ``None``: entropy with 0·ln 0 = 0; a number ε: ``p = (x + ε) / Σ(x + ε)`` as in most
        NQPF papers (ε = 1e-5).
    aggregate:
        ``linear``, ``geometric`` or ``topsis``, applied at every level.
    impute:
        One method or a chain applied in order (``"linear,ffill_bfill,column_mean"`` or a list):
        ``none``, ``linear``, ``linear_extrapolate``, ``ffill_bfill``, ``group_mean`` (four
        regions 东中西东北), ``year_mean``, ``column_mean`` (see :mod:`nqpf.index.impute`).
    max_missing_unit, max_missing_indicator:
        Drop units / indicators whose share of missing raw values exceeds this (in [0, 1))
        before imputation; the messages are in ``options["dropped"]``. Default: keep all.
    upper:
        How upper-level weights are obtained: ``sum`` or ``equal`` (module docstring).
    outliers, skew_threshold, kurtosis_threshold, winsor_max:
        Outlier treatment between imputation and normalisation: ``none``, ``jrc`` (winsorise
        up to ``winsor_max`` points, else log), ``winsor`` or ``log``, for indicators with
        |skewness| ≥ ``skew_threshold`` and kurtosis ≥ ``kurtosis_threshold`` (see
        :mod:`nqpf.index.outliers`); the treatment table is ``Assessment.outliers``.

    ``impute``, ``upper`` and ``outliers`` left as ``None`` take the framework's ``defaults:``
    (``ndrc``: ``linear,ffill_bfill,group_mean``, ``equal``, ``jrc``), else ``none``, ``sum``,
    ``none``.
    uncertainty:
        Base sample size N of the Sobol design (0 = no uncertainty analysis); see
        :func:`nqpf.index.uncertainty.run_uncertainty`.
    seed, progress:
        Seed of the scrambled Sobol sequence; ``progress(done, total)`` callback.

    Examples
    --------
    The configuration of most NQPF papers (panel min-max, entropy with ε = 1e-5 and CRITIC
    averaged, linear)::

        a = assess(weights=["entropy", "critic"], combine="mean", entropy_shift=1e-5)
    """
    spec = AssessmentSpec.of(
        framework=framework,
        level=level,
        years=years,
        regions=regions,
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
        targets=targets,
        uncertainty=uncertainty,
        seed=seed,
    )
    return assess_spec(spec, data, progress=progress)


def assess_spec(
    spec: AssessmentSpec,
    data: pd.DataFrame | str | Path | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    overlay: pd.DataFrame | None = None,
    overlay_label: str = "imported data",
) -> Assessment:
    """The assessment of ``data`` (see :func:`assess`) under ``spec``, cached by the hash of
    the data and the options.

    ``overlay`` (a long table: region, year, indicator, value[, unit]; provinces only) is
    laid onto the packaged panel: its values replace the packaged ones of the same region,
    year and indicator and add the ones the panel lacks; the rest of the run is that of the
    packaged data (years, dropped indicators, denominator floors from the packaged panel).
    Values of indicators outside the framework or of regions outside the panel are ignored,
    with a warning."""
    fw_known = None
    long = _load_data(data)
    if data is not None:
        fw_known = set(long["indicator"].unique())
    fw = load_framework(spec.framework, known=fw_known)
    supplied = long
    notes: list[str] = []
    if data is None:
        long = _packaged(fw, spec.level, spec.years)
        if overlay is not None:
            long, notes = _overlaid(long, overlay, fw, spec.level, overlay_label)
    elif overlay is not None:
        raise InputError("an overlay is laid on the packaged data, not on a user's table")
    construction = spec.construction(fw)
    long = _select(long, fw, spec.years, spec.regions, packaged=data is None, level=spec.level)
    absent: list[str] = []
    if data is None:
        fw, absent = _drop_absent(long, fw)
    wide = _wide(long, fw)
    wide, floored = _apply_floors(wide, fw, supplied, packaged=data is None)
    max_missing_unit = spec.max_missing_unit
    if max_missing_unit is None and "max_missing_unit" in fw.defaults:
        max_missing_unit = _share(fw.defaults["max_missing_unit"], fw.id)
    wide, dropped = drop_sparse(
        wide,
        max_missing_unit=max_missing_unit,
        max_missing_indicator=spec.max_missing_indicator,
    )
    for ind in dropped.indicators:
        fw = drop_indicator(fw, ind)
    if dropped.units:
        long = long[~long["region"].isin(list(dropped.units))]
    long = long[long["indicator"].isin(fw.indicator_ids)]
    targets = spec.targets
    options = {
        **construction.as_dict(),
        "framework": fw.id,
        "level": spec.level,
        "years": sorted({int(y) for y in wide.index.get_level_values("year")}),
        "uncertainty": spec.uncertainty,
        "seed": spec.seed,
        "dropped": [*notes, *absent, *dropped.messages()],
        "floored": floored,
        "data": ("packaged" if overlay is None else f"packaged + {overlay_label}")
        if data is None
        else (str(data) if not isinstance(data, pd.DataFrame) else "DataFrame"),
    }
    key = hash_spec(
        {
            "kind": "assessment",
            **options,
            "framework": fw.to_dict(),
            "targets": dict(sorted((targets or {}).items())),
        },
        wide,
        long,
    )
    hit = holds(key)
    result = cached(
        key,
        lambda: _build(
            wide, long, fw, construction, options, targets, spec.uncertainty, spec.seed, progress
        ),
    )
    if hit and progress is not None and result.uncertainty is not None:
        done = result.uncertainty.n_configurations
        progress(done, done)  # a cached result: the work is done
    return result


def _build(
    wide: pd.DataFrame,
    long: pd.DataFrame,
    fw: Framework,
    construction: Construction,
    options: dict[str, Any],
    targets: Mapping[str, float] | None,
    uncertainty: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> Assessment:
    groups = _groups(wide)
    built = construct(wide, fw, construction, groups=groups, targets=targets)
    treatment = None
    if construction.outliers != "none":
        from nqpf.index.impute import impute as fill

        treatment = treat(fill(wide, construction.impute, groups=groups)[0], fw, construction)
    result = Assessment(
        framework=fw,
        construction=construction,
        data=long,
        built=built,
        region_names=_names(long),
        provenance=_provenance(long, fw),
        spec_hash=spec_hash(wide, fw, construction, targets),
        options=options,
        outliers=treatment,
        warnings=[*options["dropped"], *_floor_notes(options["floored"])],
    )
    if uncertainty > 0:
        from nqpf.index.uncertainty import run_uncertainty

        result.uncertainty = run_uncertainty(
            wide,
            fw,
            construction,
            result.scores,
            n=uncertainty,
            seed=seed,
            groups=groups,
            targets=targets,
            progress=progress,
        )
    return result


# ---------------------------------------------------------------------- data preparation
def _load_data(data: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    if data is None:
        return pd.DataFrame(columns=["region", "year", "indicator", "value"])
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
    else:
        from nqpf.ingest import read_long

        frame = read_long(data)
    missing = {"region", "year", "indicator", "value"} - set(frame.columns)
    if missing:
        raise InputError(
            f"the data lacks column(s) {', '.join(sorted(missing))}",
            column=sorted(missing)[0],
            hint="give a long table with columns region, year, indicator, value",
        )
    frame["region"] = frame["region"].astype(str)
    frame["year"] = pd.to_numeric(frame["year"], errors="raise").astype(int)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    infinite = frame[np.isinf(frame["value"].to_numpy())]
    if not infinite.empty:
        first = infinite.iloc[0]
        raise InputError(
            f"{len(infinite)} value(s) are not finite, e.g. {first['value']} for "
            f"{first['region']} {first['year']} {first['indicator']}",
            column="value",
            hint="give finite numbers; leave missing values empty (NaN)",
        )
    return frame


def _overlaid(
    long: pd.DataFrame, overlay: pd.DataFrame, fw: Framework, level: str, label: str
) -> tuple[pd.DataFrame, list[str]]:
    """The packaged ``long`` panel with ``overlay``'s values laid on it (see
    :func:`assess_spec`), and the notes on what was used and ignored."""
    if level != "province":
        raise InputError(
            "an imported data set is laid on the provinces' panel",
            column="level",
            hint="assess it with level province",
        )
    keys = ["region", "year", "indicator"]
    extra = overlay.assign(region=overlay["region"].astype(str), year=overlay["year"].astype(int))
    extra = extra.dropna(subset=["value"])
    usable = extra["indicator"].isin(fw.indicator_ids) & extra["region"].isin(
        set(long["region"].astype(str))
    )
    ignored = int((~usable).sum())
    extra = extra[usable]
    names = long.drop_duplicates("region").set_index("region")["region_name"]
    units = long.drop_duplicates("indicator").set_index("indicator")["unit"]
    extra = pd.DataFrame(
        {
            "region": extra["region"],
            "region_name": extra["region"].map(names),
            "year": extra["year"],
            "indicator": extra["indicator"],
            "value": extra["value"].astype(float),
            "unit": extra["indicator"].map(units),
            "source_id": f"import: {label}",
        }
    )
    replaced = long.merge(extra[keys], on=keys, how="left", indicator=True)["_merge"] == "both"
    kept = long[~replaced.to_numpy()]
    merged = pd.concat([kept, extra], ignore_index=True).sort_values(keys, ignore_index=True)
    notes = [
        f"导入数据 {label}：替换 {int(replaced.sum())} 个、新增 {len(extra) - int(replaced.sum())} "
        f"个值 (imported data {label}: {int(replaced.sum())} packaged values replaced, "
        f"{len(extra) - int(replaced.sum())} added)"
    ]
    if ignored:
        notes.append(
            f"导入数据 {label}：{ignored} 个值不属于本框架的指标或省份，未使用 ({ignored} values "
            "of indicators outside the framework, or of regions outside the panel, not used)"
        )
    return merged, notes


def _packaged(fw: Framework, level: str, years: Iterable[int] | None) -> pd.DataFrame:
    """The packaged panel of the framework's indicators: the provinces', or the prefecture or
    county panel (only the years needed: the spec's, else the framework's)."""
    if level == "province":
        return load_panel(fw.indicator_ids)
    if years is None and fw.years is not None:
        years = range(fw.years[0], fw.years[1] + 1)
    return load_subnational(level, fw.indicator_ids, years=years)  # type: ignore[arg-type]


def _select(
    long: pd.DataFrame,
    fw: Framework,
    years: Iterable[int] | None,
    regions: Iterable[str] | None,
    *,
    packaged: bool,
    level: str = "province",
) -> pd.DataFrame:
    long = long[long["indicator"].isin(fw.indicator_ids)]
    if years is not None:
        wanted = {int(y) for y in years}
    elif packaged and fw.years is not None:
        wanted = set(range(fw.years[0], fw.years[1] + 1))
    else:
        wanted = {int(y) for y in long["year"].unique()}
    long = long[long["year"].isin(wanted)]
    if regions is not None:
        present = set(long["region"].astype(str))
        codes = {str(r) if str(r) in present else _region_code(str(r), level) for r in regions}
        long = long[long["region"].isin(codes)]
    if long.empty:
        raise InputError(
            f"no data for the framework's indicators in years {sorted(wanted)[:10]}",
            hint="check --year and that the data has the framework's indicators",
        )
    return long.reset_index(drop=True)


def _share(text: str, framework: str) -> float:
    """A framework's ``defaults: max_missing_unit`` as a number in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1:
        raise InputError(
            f"defaults: max_missing_unit {text!r} is not a share in [0, 1)",
            file=framework,
            column="defaults",
            hint="e.g. max_missing_unit: 0 (drop every unit with a missing value)",
        )
    return value


def _region_code(label: str, level: str) -> str:
    """The code of a region name at ``level`` (合肥 → 340100 at the prefecture level)."""
    if level == "province":
        return normalize_region(label)
    return find_division(label, level=level)  # type: ignore[arg-type]


def _drop_absent(long: pd.DataFrame, fw: Framework) -> tuple[Framework, list[str]]:
    """Packaged data: a framework indicator without any value in the selected years (CO2 has
    none after 2022) leaves the framework for this run, with a message; its siblings share its
    weight."""
    have = set(long["indicator"].unique())
    gone = [i for i in fw.indicator_ids if i not in have]
    if len(gone) == len(fw.indicator_ids):
        return fw, []
    for ind in gone:
        fw = drop_indicator(fw, ind)
    years = sorted({int(y) for y in long["year"].unique()})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    return fw, [
        f"指标 {ind} 在 {span} 无数据，本次评价不含 (indicator {ind} has no packaged value in "
        f"{span}; left out of this assessment)"
        for ind in gone
    ]


def _wide(long: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    dup = long.duplicated(["region", "year", "indicator"])
    if dup.any():
        row = long[dup].iloc[0]
        raise InputError(
            f"two values for region {row['region']}, year {row['year']}",
            column=str(row["indicator"]),
            hint="keep one value per region, year and indicator",
        )
    wide = long.pivot(index=["region", "year"], columns="indicator", values="value")
    absent = [i for i in fw.indicator_ids if i not in wide.columns]
    if absent:
        raise InputError(
            f"indicator {absent[0]!r} has no values in the selected years",
            column=absent[0],
            hint="choose other years (--year) or drop it from the framework",
        )
    wide = wide[fw.indicator_ids].sort_index().astype(float)
    wide.columns.name = None
    return wide


def _apply_floors(
    wide: pd.DataFrame, fw: Framework, supplied: pd.DataFrame, *, packaged: bool
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The framework's denominator floors (:mod:`nqpf.index.floors`); denominators from the
    packaged panel or the user's data. Returns the floored table and the floored cells."""
    floors = fw.floors
    if not floors:
        return wide, []
    from nqpf.index.floors import apply_floors

    dens = sorted({f.denominator for f in floors.values()})
    regions = set(wide.index.get_level_values("region").astype(str))
    years = sorted({int(y) for y in wide.index.get_level_values("year")})
    src = load_panel(dens, years=years) if packaged else supplied
    src = src[
        src["indicator"].isin(dens)
        & src["region"].astype(str).isin(regions)
        & src["year"].isin(years)
    ]
    den = (
        src.pivot_table(index=["region", "year"], columns="indicator", values="value")
        if not src.empty
        else pd.DataFrame(index=wide.index)
    )
    wide, table = apply_floors(wide, den, floors)
    return wide, [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]


def _floor_notes(floored: list[dict[str, Any]]) -> list[str]:
    """One message per floored indicator: how many values, of which regions."""
    if not floored:
        return []
    frame = pd.DataFrame(floored)
    out = []
    for ind, g in frame.groupby("indicator", sort=True):
        names = ", ".join(sorted({region_label(str(r)) or str(r) for r in g["region"]}))
        out.append(
            f"小分母 floor: {len(g)} value(s) of {ind} set missing and imputed "
            f"(denominator {g['denominator'].iloc[0]} below its floor: {names})"
        )
    return out


def _names(long: pd.DataFrame) -> dict[str, str]:
    """Region names: the data's ``region_name`` column, else the registry's (provinces, the
    nation), else the region label itself."""
    names: dict[str, str] = {}
    if "region_name" in long.columns:
        names = dict(zip(long["region"].astype(str), long["region_name"].astype(str), strict=False))
    for code in map(str, long["region"].unique()):
        if names.get(code, "") in ("", "nan", "None"):
            names[code] = region_label(code) or code
    return names


def _groups(wide: pd.DataFrame) -> dict[str, str] | None:
    """Four-regions group (东部/中部/西部/东北) of each province, for ``group_mean`` imputation;
    None when the data are not all provinces."""
    regions = [str(r) for r in wide.index.get_level_values("region").unique()]
    if not set(regions) <= set(province_codes()):
        return None
    return {r: group_of(r) for r in regions}


def _provenance(long: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    frame = long.copy()
    if "source_id" not in frame.columns:
        frame["source_id"] = "user data"
    frame["source_id"] = frame["source_id"].astype(str)
    rows = []
    for node in fw.indicators:
        g = frame[frame["indicator"] == node.id]
        rows.append(
            {
                "indicator": node.id,
                "name_zh": node.name_zh,
                "name_en": node.name_en,
                "pillar": fw.pillar_of[node.id],
                "direction": "+" if node.direction > 0 else "-",
                "first_year": int(g["year"].min()),
                "last_year": int(g["year"].max()),
                "n_values": int(g["value"].notna().sum()),
                "source_ids": "; ".join(sorted(g["source_id"].unique())),
                "rationale": node.rationale,
                "framework_source": node.source,
            }
        )
    return pd.DataFrame(rows)


def comparison_with_national(assessment: Assessment) -> pd.DataFrame:
    """Each framework indicator's provincial distribution against the national value.

    Columns: indicator, year, national (packaged national row), article (the value the NDRC
    article cites for that year, where it does), province_mean, province_median,
    province_min, province_max, n_above_national. Only indicators of the packaged catalog.
    """
    ids = [i for i in assessment.framework.indicator_ids if i in indicator_specs()]
    years = sorted({int(y) for y in assessment.data["year"].unique()})
    raw = assessment.data[assessment.data["indicator"].isin(ids)]
    panel = load_panel(ids, years=years, include_national=True) if ids else raw.iloc[:0]
    nat = panel[panel["region"] == NATIONAL_CODE].set_index(["indicator", "year"])["value"]
    art = article_figures().dropna(subset=["indicator"])
    art = art[art["period"].astype(str).str.fullmatch(r"\d{4}")]
    art_v = art.set_index(["indicator", "year"])["value"]
    rows = []
    for (ind, year_label), g in raw.groupby(["indicator", "year"]):
        year = int(str(year_label))
        key = (str(ind), year)
        national = float(nat[key]) if key in nat.index else np.nan
        rows.append(
            {
                "indicator": ind,
                "year": year,
                "national": national,
                "article": float(art_v[key]) if key in art_v.index else np.nan,
                "province_mean": g["value"].mean(),
                "province_median": g["value"].median(),
                "province_min": g["value"].min(),
                "province_max": g["value"].max(),
                "n_above_national": int((g["value"] > national).sum())
                if not np.isnan(national)
                else pd.NA,
            }
        )
    return pd.DataFrame(rows)
