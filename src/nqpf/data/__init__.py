"""Loaders of the packaged dataset (and of the user's workspace beside it).

The packaged tables are built by ``scripts/build_dataset.py`` from public official
statistics; every stored value carries a ``source_id`` whose full provenance (publisher,
file, table, unit as published, conversion, vintage, licence, citation) is in
:func:`sources`. Derived indicators (ratios, per-capita values) are computed here from the
catalog formula when they are requested — never stored.

>>> panel = load_panel(["rd_intensity"], years=[2023])
>>> panel.set_index("region_name").loc["北京", "value"]
np.float64(6.73)
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.indicators import evaluate_formula, formula_inputs, indicator, indicator_specs
from nqpf.packaged import load_divisions
from nqpf.packaged import table as _table
from nqpf.regions import NATIONAL_CODE, normalize_region, region_name

__all__ = [
    "SubnationalLevel",
    "article_figures",
    "catalog",
    "load_alternatives",
    "load_census_industry",
    "load_divisions",
    "load_enterprises",
    "load_io_table",
    "load_panel",
    "load_subnational",
    "published_rankings",
    "sources",
]

PanelSource = Literal["all", "packaged", "workspace"]

PANEL_COLUMNS = ["region", "region_name", "year", "indicator", "value", "unit", "source_id"]


def _copy(name: str) -> pd.DataFrame:
    return _table(name).copy()


def sources() -> pd.DataFrame:
    """Provenance of every ``source_id``: dataset, publisher, repository and commit, file,
    table/sheet, item, unit as published, conversion factor, vintage, licence, citation —
    of the provincial panel and of the sub-national panel (:func:`load_subnational`)."""
    return pd.concat([_table("sources"), _table("subnational_sources")], ignore_index=True)


def load_alternatives(indicator_id: str | None = None) -> pd.DataFrame:
    """Values that other sources or vintages give for the packaged panel's cells (first
    releases of revised GDP, the revised 2023 R&D intensity, …)."""
    frame = _copy("panel_alternatives")
    if indicator_id is not None:
        frame = frame[frame["indicator"] == indicator(indicator_id).id]
    return frame.reset_index(drop=True)


def _stored_panel(source: PanelSource) -> pd.DataFrame:
    parts = []
    if source in ("all", "packaged"):
        parts.append(_table("panel"))
    if source in ("all", "workspace"):
        from nqpf.ingest.workspace import Workspace

        user = Workspace.default().panel()
        if not user.empty:
            parts.append(user[["region", "year", "indicator", "value", "source_id"]])
    if not parts:
        return _table("panel").iloc[:0]
    if len(parts) == 1:
        return parts[0]
    # A user's own values replace packaged ones for the same cell.
    merged = pd.concat(parts, ignore_index=True)
    return merged.drop_duplicates(["region", "year", "indicator"], keep="last")


def load_panel(
    indicators: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    regions: Iterable[str] | None = None,
    *,
    include_national: bool = False,
    source: PanelSource = "all",
) -> pd.DataFrame:
    """The province × year panel as a long DataFrame.

    Parameters
    ----------
    indicators:
        Catalog ids (stored or derived) or ids of indicators imported into the workspace;
        ``None`` loads every stored indicator (derived ones only when asked for).
    years, regions:
        Filters; regions may be any label :func:`nqpf.regions.normalize_region` accepts.
    include_national:
        Also return national totals (region ``"100000"``, 全国) where the source has them.
    source:
        ``"packaged"`` data only, the user's ``"workspace"`` only, or ``"all"`` (workspace
        values replace packaged ones for the same region, year and indicator).

    Returns
    -------
    DataFrame with columns ``region`` (adcode), ``region_name``, ``year``, ``indicator``,
    ``value``, ``unit``, ``source_id``. Gaps stay gaps: no value is imputed.
    """
    stored = _stored_panel(source)
    specs = indicator_specs()
    if indicators is None:
        wanted = sorted(stored["indicator"].unique())
    else:
        wanted = list(dict.fromkeys(indicators))
    available = set(stored["indicator"].unique())
    for ind in wanted:
        if ind not in available and ind not in specs:
            indicator(ind)  # raises with suggestions
    derived = [i for i in wanted if i in specs and specs[i].derived]
    needed = set(wanted) - set(derived)
    for ind in derived:
        needed |= formula_inputs(specs[ind].formula or "")
    frame = stored[stored["indicator"].isin(needed)]
    if years is not None:
        frame = frame[frame["year"].isin(list(years))]
    if regions is not None:
        codes = [
            NATIONAL_CODE if str(r) in {NATIONAL_CODE, "全国"} else normalize_region(r)
            for r in regions
        ]
        frame = frame[frame["region"].isin(codes)]
    if not include_national:
        frame = frame[frame["region"] != NATIONAL_CODE]
    parts = [frame[frame["indicator"].isin(set(wanted) - set(derived))], *_derive(derived, frame)]
    out = pd.concat(parts, ignore_index=True)
    units = {k: v.unit for k, v in specs.items()}
    if source != "packaged":
        from nqpf.ingest.workspace import Workspace

        units.update(Workspace.default().units())
    out["unit"] = out["indicator"].map(units)
    out["region_name"] = out["region"].map(_region_names())
    out["year"] = out["year"].astype("int64")
    return out[PANEL_COLUMNS].sort_values(["indicator", "region", "year"], ignore_index=True)


def _derive(derived: list[str], frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The derived indicators ``derived`` from the stored values in ``frame``: one region ×
    year table of every input (a single pivot for all formulas), then each formula on its
    columns; region-years where a formula gives NaN or ±inf (an input missing or zero) are
    left out."""
    if not derived:
        return []
    specs = indicator_specs()
    formulas = {ind: specs[ind].formula or "" for ind in derived}
    inputs = sorted(set().union(*(formula_inputs(f) for f in formulas.values())))
    wide = frame[frame["indicator"].isin(inputs)].pivot_table(
        index=["region", "year"], columns="indicator", values="value", aggfunc="first"
    )
    for name in inputs:
        if name not in wide:
            wide[name] = float("nan")
    parts = []
    for ind, formula in formulas.items():
        values: pd.Series = evaluate_formula(
            formula, {name: wide[name] for name in formula_inputs(formula)}
        )
        result = values.rename("value").reset_index()
        finite = np.isfinite(result["value"].to_numpy(dtype=float))
        parts.append(result[finite].assign(indicator=ind, source_id=f"derived: {formula}"))
    return parts


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    from nqpf.regions import province_codes

    names = {code: region_name(code) for code in province_codes()}
    names[NATIONAL_CODE] = region_name(NATIONAL_CODE)
    return names


def catalog(*, include_workspace: bool = True) -> pd.DataFrame:
    """The indicator catalog with the years and regions each indicator covers.

    Columns: ``id``, ``name_zh``, ``name_en``, ``unit``, ``direction``, ``pillar``,
    ``formula`` (derived indicators), ``sources``, ``note`` (scope or comparability
    caveats), ``first_year``, ``last_year``, ``n_regions``, ``origin`` (catalog or workspace).
    """
    panel = load_panel(list(indicator_specs()), source="packaged")
    coverage = panel.groupby("indicator").agg(
        first_year=("year", "min"), last_year=("year", "max"), n_regions=("region", "nunique")
    )
    src = _table("panel").merge(_table("sources")[["source_id", "dataset"]], on="source_id")
    datasets = src.groupby("indicator")["dataset"].agg(lambda s: "; ".join(sorted(set(s))))
    rows = []
    for spec in indicator_specs().values():
        rows.append(
            {
                "id": spec.id,
                "name_zh": spec.name_zh,
                "name_en": spec.name_en,
                "unit": spec.unit,
                "direction": spec.direction,
                "pillar": spec.pillar,
                "formula": spec.formula,
                "sources": datasets.get(spec.id, "derived" if spec.derived else ""),
                "note": spec.note,
                "origin": "catalog",
            }
        )
    out = pd.DataFrame(rows).merge(coverage, left_on="id", right_index=True, how="left")
    if include_workspace:
        from nqpf.ingest.workspace import Workspace

        user = Workspace.default().catalog()
        if not user.empty:
            out = pd.concat([out, user[~user["id"].isin(out["id"])]], ignore_index=True)
    return out


def article_figures() -> pd.DataFrame:
    """National figures cited by the seed article (NDRC, 因地制宜发展新质生产力, 2025), each
    with the quoted phrase it comes from and, where one exists, the catalog indicator."""
    return _copy("article_figures")


def published_rankings() -> pd.DataFrame:
    """Independent published provincial rankings used to validate the index, as published:
    measure, report_year, data_year (the statistics year the report is based on: report year
    − 2 for 中国区域创新能力评价报告), rank, province (name), region (adcode), value_published,
    source_url, note. Hand-entered from the pages named in ``source_url``."""
    from importlib import resources

    from nqpf.regions import normalize_region

    path = resources.files("nqpf.data").joinpath("published_rankings.csv")
    frame = pd.read_csv(
        str(path), dtype={"value_published": str, "note": str}, keep_default_na=False
    )
    frame.insert(5, "region", frame["province"].map(normalize_region))
    return frame


def load_census_industry(
    census_year: Literal[2010, 2020] = 2020,
    *,
    level: Literal["province", "prefecture", "county", "national"] = "province",
) -> pd.DataFrame:
    """Employment by GB/T 4754 section from the census long-form sample (≈10%).

    Sections use the 2017 letters for both censuses (the 2010 table follows GB/T 4754-2002,
    whose F/G/H/I sections are re-lettered; see ``census_sections``). Employment is counted
    by place of residence, in persons of the sample, not grossed up.
    """
    frame = _table("census_industry")
    frame = frame[(frame["census_year"] == census_year) & (frame["level"] == level)]
    if frame.empty:
        raise InputError(
            f"no census {census_year} rows at level {level!r}",
            hint="the 2010 table has no national row: sum the provinces",
        )
    divisions = _table("divisions")
    names = divisions[divisions["census_year"] == census_year].set_index("code")["name"]
    sections = _table("census_sections").set_index("section")["name_2017"]
    out = frame.assign(
        name=frame["code"].map(names).fillna("全国"),
        section_name=frame["section"].map(sections),
    )
    return out.reset_index(drop=True)


def load_enterprises() -> pd.DataFrame:
    """A-share listed companies (Tushare ``stock_basic`` snapshot of 2026-06): province,
    city where known, Tushare industry, board (主板/创业板/科创板/北交所), listing date,
    ownership type. ``province`` is the registered location, not where production is."""
    return _copy("enterprises")


def load_io_table(
    year: Literal[2017, 2018, 2020] = 2020, n_sectors: Literal[42, 149, 153] = 153
) -> pd.DataFrame:
    """A national input-output table in tidy form (values in 万元).

    Columns: ``row_code``, ``row_origin`` (Domestic/Imports for the non-competitive
    42-sector tables, Total otherwise), ``col_code``, ``value``; join ``io_sectors`` names
    with :func:`io_sectors`.
    """
    frame = _table("io_tables")
    part = frame[(frame["year"] == year) & (frame["n_sectors"] == n_sectors)]
    if part.empty:
        tables = sorted(frame["table"].unique())
        raise InputError(
            f"no input-output table for {year} with {n_sectors} sectors",
            hint=f"available: {', '.join(tables)}",
        )
    return part.reset_index(drop=True)


def io_sectors(table: str) -> pd.DataFrame:
    """Codes and names (zh, en) of an input-output table's rows and columns."""
    frame = _table("io_sectors")
    return frame[frame["table"] == table].reset_index(drop=True)


SubnationalLevel = Literal["province", "prefecture", "county"]

SUBNATIONAL_COLUMNS = [
    "region",
    "region_name",
    "level",
    "year",
    "indicator",
    "value",
    "unit",
    "source_id",
    "flag",
]


def load_subnational(
    level: SubnationalLevel = "prefecture",
    indicators: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    regions: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The prefecture or county panel as a long DataFrame (packaged data).

    Regions are 2020 census codes (the four municipalities are prefecture-level units under
    their province code); 2010 census values of units that changed their code since are under
    the 2020 code with ``flag`` ``"2010 code …"``; abolished units keep their own code.
    ``flag`` is ``"interpolated"`` for prefecture populations filled by the compiler.
    Indicators are those of :func:`nqpf.indicators.subnational_specs`; derived ones (shares,
    per-capita values) are computed on loading from their stored parts, never stored.

    Columns: ``region``, ``region_name``, ``level``, ``year``, ``indicator``, ``value``,
    ``unit``, ``source_id``, ``flag``.

    >>> p = load_subnational("prefecture", ["city_gdp"], years=[2023], regions=["合肥"])
    >>> float(p["value"].iloc[0])
    12673.78
    """
    from nqpf.indicators import subnational_specs

    _check_level(level)
    specs = subnational_specs()
    stored = _table("subnational_panel")
    stored = stored[stored["level"] == level]
    wanted = list(dict.fromkeys(indicators)) if indicators is not None else list(specs)
    for ind in wanted:
        if ind not in specs:
            import difflib

            close = difflib.get_close_matches(ind, list(specs), n=3)
            raise InputError(
                f"unknown sub-national indicator {ind!r}",
                column=ind,
                hint=f"did you mean {', '.join(close)}?" if close else "see subnational.yaml",
            )
    derived = [i for i in wanted if specs[i].derived]
    needed = set(wanted) - set(derived)
    for ind in derived:
        needed |= formula_inputs(specs[ind].formula or "")
    frame = stored[stored["indicator"].isin(needed)]
    if years is not None:
        frame = frame[frame["year"].isin([int(y) for y in years])]
    if regions is not None:
        codes = [_division_code(r, level) for r in regions]
        frame = frame[frame["region"].isin(codes)]
    parts = [frame[frame["indicator"].isin(set(wanted) - set(derived))]]
    for ind in derived:
        formula = specs[ind].formula or ""
        inputs = sorted(formula_inputs(formula))
        wide = frame[frame["indicator"].isin(inputs)].pivot_table(
            index=["region", "year"], columns="indicator", values="value", aggfunc="first"
        )
        for name in inputs:
            if name not in wide:
                wide[name] = float("nan")
        flags = (
            frame[frame["indicator"].isin(inputs) & (frame["flag"] != "")]
            .groupby(["region", "year"])["flag"]
            .agg(lambda s: "; ".join(sorted(set(s))))
            .to_dict()  # a dict: one lookup per row below (Series.get is ~0.5 ms a call)
        )
        values: pd.Series = evaluate_formula(formula, {n: wide[n] for n in inputs})
        result = values.rename("value").reset_index()
        result = result[np.isfinite(result["value"].to_numpy(dtype=float))]
        result["flag"] = [
            flags.get((r, y), "") for r, y in zip(result["region"], result["year"], strict=True)
        ]
        parts.append(result.assign(indicator=ind, source_id=f"derived: {formula}"))
    out = pd.concat(parts, ignore_index=True)
    out["level"] = level
    out["unit"] = out["indicator"].map({k: v.unit for k, v in specs.items()})
    out["region_name"] = out["region"].map(_division_names(level))
    out["year"] = out["year"].astype("int64")
    return out[SUBNATIONAL_COLUMNS].sort_values(["indicator", "region", "year"], ignore_index=True)


def _check_level(level: str) -> None:
    if level not in ("province", "prefecture", "county"):
        raise InputError(
            f"unknown level {level!r}", column="level", hint="use province, prefecture or county"
        )


def _division_code(label: object, level: str) -> str:
    from nqpf.regions import find_division

    return find_division(label, level=level)  # type: ignore[arg-type]


@lru_cache(maxsize=3)
def _division_names(level: str) -> dict[str, str]:
    """Names of the units of a level: 2020 census names, then 2010 names of abolished units."""
    from nqpf.regions import MUNICIPALITIES

    divisions = _table("divisions")
    names: dict[str, str] = {}
    for year in (2010, 2020):  # 2020 names win; abolished units keep their 2010 name
        part = divisions[divisions["census_year"] == year]
        names.update(dict(zip(part["code"], part["name"].str.replace("巿", "市"), strict=True)))
    if level == "prefecture":
        for code in MUNICIPALITIES:
            names[code] = region_name(code, lang="full")
    return names
