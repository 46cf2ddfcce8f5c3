"""Region × industry matrices (地区 × 产业矩阵): one long form for every source.

Every matrix is a long DataFrame with the columns

``region, region_name, industry, industry_name, year, value, unit, classification``

built from the packaged data (:func:`listed_matrix`, :func:`census_matrix`) or from a
user's own file (:func:`read_matrix`), and turned into a wide region × industry table of
non-negative values for one year by :func:`to_wide`. Regions or industries whose total is
zero carry no information about comparative advantage (their RCA is 0/0) and are dropped
there with an :class:`~nqpf.errors.NQPFWarning` naming them.

Classifications
---------------
``listed``
    The 110 Tushare industries of A-share listed companies; the value is the number of
    companies registered in the province and listed on or before 31 December of the year
    (a stock of survivors: companies delisted before the 2026 snapshot are absent).
``gbt4754_section``
    The 20 sections (门类 A–T) of GB/T 4754-2017; the value is census employment (persons
    in the ≈10% long-form sample, by place of residence).
anything else
    A user's own classification; codes are not checked.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError, NQPFWarning

__all__ = [
    "COLUMNS",
    "census_matrix",
    "drop_empty",
    "known_industries",
    "listed_matrix",
    "read_matrix",
    "to_wide",
    "validate_matrix",
]

COLUMNS = [
    "region",
    "region_name",
    "industry",
    "industry_name",
    "year",
    "value",
    "unit",
    "classification",
]

#: Years of the packaged listed-company matrix when none are asked for.
LISTED_DEFAULT_YEARS = (2015, 2020, 2025)

_REQUIRED = ("region", "industry", "year", "value")


def listed_matrix(years: list[int] | tuple[int, ...] = LISTED_DEFAULT_YEARS) -> pd.DataFrame:
    """Province × listed-company industry counts (stock listed by 31 Dec of each year).

    >>> m = listed_matrix([2020])
    >>> sorted(m.columns) == sorted(COLUMNS)
    True
    """
    from nqpf.data import load_enterprises
    from nqpf.regions import region_name

    firms = load_enterprises().dropna(subset=["province", "industry", "list_date"])
    listed_year = pd.to_datetime(firms["list_date"]).dt.year
    frames = []
    for year in years:
        stock = firms[listed_year <= year]
        counts = stock.groupby(["province", "industry"]).size().rename("value").reset_index()
        counts["year"] = int(year)
        frames.append(counts)
    out = pd.concat(frames, ignore_index=True).rename(columns={"province": "region"})
    out["region_name"] = out["region"].map(lambda c: region_name(str(c)))
    out["industry_name"] = out["industry"]
    out["unit"] = "家 companies"
    out["classification"] = "listed"
    out["value"] = out["value"].astype(float)
    return out[COLUMNS]


def census_matrix(
    census_year: Literal[2010, 2020] = 2020,
    *,
    level: Literal["province", "prefecture", "county"] = "province",
    exclude: tuple[str, ...] = ("T",),
) -> pd.DataFrame:
    """Census employment by GB/T 4754 section for provinces, prefectures or counties.

    ``exclude`` drops sections: by default T (国际组织, a few hundred persons in the
    national sample, nearly all in Beijing), whose RCA would be noise that ranks it as
    the most "complex" industry.

    >>> m = census_matrix(2020, level="province")
    >>> m["industry"].nunique(), m["region"].nunique()
    (19, 31)
    """
    from nqpf.data import load_census_industry

    census = load_census_industry(census_year, level=level)
    census = census[~census["section"].isin(exclude)]
    out = pd.DataFrame(
        {
            "region": census["code"].astype(str),
            "region_name": census["name"].astype(str),
            "industry": census["section"].astype(str),
            "industry_name": census["section_name"].astype(str),
            "year": census["census_year"].astype(int),
            "value": census["value"].astype(float),
            "unit": "人 persons (sample)",
            "classification": "gbt4754_section",
        }
    )
    return out[COLUMNS]


def known_industries(classification: str) -> dict[str, str] | None:
    """Codes → names of a packaged classification, or ``None`` for a user's own one."""
    if classification == "gbt4754_section":
        from nqpf.data import load_census_industry

        nat = load_census_industry(2020, level="national")
        return dict(zip(nat["section"].astype(str), nat["section_name"].astype(str), strict=True))
    if classification == "listed":
        from nqpf.data import load_enterprises

        names = sorted(load_enterprises()["industry"].dropna().unique())
        return {str(n): str(n) for n in names}
    return None


def read_matrix(
    path: str | Path,
    *,
    classification: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a user's long region × industry file (CSV or Excel) and validate it.

    The file needs the columns ``region, industry, year, value`` (optional:
    ``region_name, industry_name, unit, classification``), e.g. an industrial yearbook's
    revenue by 2-digit industry or business-registration counts. ``classification``
    overrides the file's column; ``gbt4754_section`` and ``listed`` codes are checked.
    """
    from nqpf.ingest.readers import read_records
    from nqpf.ingest.values import display_name

    frame = read_records(path, sheet=sheet)
    rows = frame.pop("source_row").to_numpy()
    frame = frame.replace("", None)
    if classification is not None:
        frame["classification"] = classification
    return validate_matrix(frame, file=display_name(path), rows=rows)


def validate_matrix(
    frame: pd.DataFrame, *, file: str | None = None, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """Check a long matrix and return it with :data:`COLUMNS` and proper dtypes.

    Cells are read by the foundation's rules (:func:`nqpf.ingest.values.parse_number`:
    "…", "-", "—" and empty cells are missing, i.e. no activity; ``2023年`` is a year).
    Raises :class:`~nqpf.errors.InputError` naming the row (``rows``: each row's number in
    the file; default as a spreadsheet shows a frame, header on row 1) for a missing
    column, a non-numeric or negative value, a bad year, a duplicated (region, industry,
    year) or an industry code outside a packaged classification.
    """
    from nqpf.ingest.values import parse_number, parse_year

    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            file=file,
            hint="a matrix file needs region, industry, year, value (one row per cell)",
        )
    out = frame.reset_index(drop=True).copy()
    if rows is None:
        rows = np.arange(len(out)) + 2
    where_file = file or "matrix"
    for col in ("region", "industry"):
        blank = out[col].isna() | (out[col].astype(str).str.strip() == "")
        if blank.any():
            raise InputError(
                f"empty {col}", file=file, row=int(rows[blank.to_numpy()][0]), column=col
            )
        out[col] = out[col].astype(str).str.strip()
    value = pd.to_numeric(out["value"], errors="coerce")
    for i in np.flatnonzero((value.isna() & out["value"].notna()).to_numpy()).tolist():
        value.iloc[i] = parse_number(
            out["value"].iloc[i], file=where_file, row=int(rows[i]), column="value"
        )
    negative = value < 0
    if negative.any():
        where = np.flatnonzero(negative.to_numpy())
        raise InputError(
            f"{len(where)} negative value(s), first {value.iloc[where[0]]}",
            file=file,
            row=int(rows[where[0]]),
            column="value",
            hint="counts, employment and output cannot be negative; fix or drop those rows",
        )
    out["value"] = value.fillna(0.0).astype(float)
    year = pd.to_numeric(out["year"], errors="coerce")
    for i in np.flatnonzero((year.isna() | (year != year.round())).to_numpy()).tolist():
        year.iloc[i] = parse_year(
            out["year"].iloc[i], file=where_file, row=int(rows[i]), column="year"
        )
    out["year"] = year.astype(int)
    dup = out.duplicated(["region", "industry", "year"], keep="first")
    if dup.any():
        first = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"duplicate cell ({out['region'].iloc[first]}, {out['industry'].iloc[first]}, "
            f"{out['year'].iloc[first]})",
            file=file,
            row=int(rows[first]),
            hint="one row per region, industry and year; sum sub-items before importing",
        )
    if "classification" not in out.columns:
        out["classification"] = "custom"
    out["classification"] = out["classification"].fillna("custom").astype(str)
    for classification in out["classification"].unique():
        known = known_industries(classification)
        if known is None:
            continue
        mask = (out["classification"] == classification) & ~out["industry"].isin(known)
        if mask.any():
            where = np.flatnonzero(mask.to_numpy())
            codes = ", ".join(sorted(out["industry"].iloc[where].unique())[:5])
            raise InputError(
                f"{len(where)} row(s) with industry codes unknown to {classification!r}: {codes}",
                file=file,
                row=int(rows[where[0]]),
                column="industry",
                hint=f"use the codes of {classification!r} or declare classification=custom",
            )
    for col, default in (("region_name", None), ("industry_name", None), ("unit", "")):
        if col not in out.columns:
            out[col] = (
                out["region" if col == "region_name" else "industry"]
                if default is None
                else default
            )
        out[col] = out[col].fillna("").astype(str)
    return out[COLUMNS]


def to_wide(matrix: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The region × industry table of one year (default: the latest), zeros filled.

    Regions and industries with a zero total are dropped with an
    :class:`~nqpf.errors.NQPFWarning` naming them.
    """
    if matrix.empty:
        raise InputError("the matrix is empty")
    if year is None:
        year = int(matrix["year"].max())
    part = matrix[matrix["year"] == year]
    if part.empty:
        years = ", ".join(str(y) for y in sorted(matrix["year"].unique()))
        raise InputError(f"no cells for year {year}", hint=f"years available: {years}")
    # sum into a dense table by integer codes (a pivot without the group-by overhead)
    rows, regions = pd.factorize(part["region"], sort=True)
    cols, industries = pd.factorize(part["industry"], sort=True)
    cells = np.bincount(
        rows * len(industries) + cols,
        weights=part["value"].to_numpy(dtype=float),
        minlength=len(regions) * len(industries),
    )
    wide = pd.DataFrame(
        cells.reshape(len(regions), len(industries)),
        index=pd.Index(regions, name="region"),
        columns=pd.Index(industries, name="industry"),
    )
    return drop_empty(wide)


def drop_empty(wide: pd.DataFrame) -> pd.DataFrame:
    """Drop all-zero regions (rows) and industries (columns), warning with their names."""
    for label in ("region(s)", "industry(ies)"):
        totals = wide.sum(axis="columns" if label == "region(s)" else "index")
        empty = totals.index[totals <= 0].tolist()
        if empty:
            shown = ", ".join(str(x) for x in empty[:10]) + (" …" if len(empty) > 10 else "")
            warnings.warn(
                f"dropped {len(empty)} {label} with a zero total: {shown}",
                NQPFWarning,
                stacklevel=3,
            )
            wide = wide.drop(index=empty) if label == "region(s)" else wide.drop(columns=empty)
    return wide
