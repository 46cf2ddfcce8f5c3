"""Region × industry matrices (地区 × 产业矩阵): one long form for every source.

Every matrix is a long DataFrame with the columns

``region, region_name, industry, industry_name, year, value, unit, classification``

built from the packaged data or a user's own file by the services
(:mod:`nqpf.services.matrices`: ``listed_matrix``, ``census_matrix``, ``read_matrix``; this
module reads no file: :func:`listed_long` and :func:`census_long` shape the loaded tables,
:func:`validate_matrix` checks a user's), and turned into a wide region × industry table of
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
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError, NQPFWarning

__all__ = [
    "COLUMNS",
    "census_long",
    "drop_empty",
    "listed_long",
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


def listed_long(
    firms: pd.DataFrame,
    years: list[int] | tuple[int, ...] = LISTED_DEFAULT_YEARS,
    *,
    region_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Province × listed-company industry counts (stock listed by 31 Dec of each year) from
    a firm table with ``province, industry, list_date``.

    >>> firms = pd.DataFrame({"province": ["340000", "340000", "110000"],
    ...                       "industry": ["汽车整车"] * 3,
    ...                       "list_date": ["2010-05-01", "2021-01-04", "2019-12-31"]})
    >>> listed_long(firms, [2020])[["region", "value"]].to_dict("list")
    {'region': ['110000', '340000'], 'value': [1.0, 1.0]}
    """
    firms = firms.dropna(subset=["province", "industry", "list_date"])
    listed_year = pd.to_datetime(firms["list_date"]).dt.year
    frames = []
    for year in years:
        stock = firms[listed_year <= year]
        counts = stock.groupby(["province", "industry"]).size().rename("value").reset_index()
        counts["year"] = int(year)
        frames.append(counts)
    out = pd.concat(frames, ignore_index=True).rename(columns={"province": "region"})
    names = region_names or {}
    out["region_name"] = [names.get(str(c), str(c)) for c in out["region"]]
    out["industry_name"] = out["industry"]
    out["unit"] = "家 companies"
    out["classification"] = "listed"
    out["value"] = out["value"].astype(float)
    return out[COLUMNS]


def census_long(census: pd.DataFrame, *, exclude: tuple[str, ...] = ("T",)) -> pd.DataFrame:
    """The long matrix of a census employment table (columns ``code, name, section,
    section_name, census_year, value``), without the sections ``exclude``: by default T
    (国际组织, a few hundred persons in the national sample, nearly all in Beijing), whose
    RCA would be noise that ranks it as the most "complex" industry."""
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


def validate_matrix(
    frame: pd.DataFrame,
    *,
    file: str | None = None,
    rows: np.ndarray | None = None,
    known: Callable[[str], Mapping[str, str] | None] | None = None,
) -> pd.DataFrame:
    """Check a long matrix and return it with :data:`COLUMNS` and proper dtypes.

    Cells are read by the foundation's rules (:func:`nqpf.ingest.values.parse_number`:
    "…", "-", "—" and empty cells are missing, i.e. no activity; ``2023年`` is a year).
    Raises :class:`~nqpf.errors.InputError` naming the row (``rows``: each row's number in
    the file; default as a spreadsheet shows a frame, header on row 1) for a missing
    column, a non-numeric or negative value, a bad year, a duplicated (region, industry,
    year) or an industry code outside a packaged classification (``known`` gives the codes
    of a classification, ``None`` for a user's own; the services pass
    :func:`nqpf.services.matrices.known_industries`).
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
        codes_known = None if known is None else known(classification)
        if codes_known is None:
            continue
        mask = (out["classification"] == classification) & ~out["industry"].isin(codes_known)
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
