"""Loading region × industry matrices and the tables around them (services floor).

The core of :mod:`nqpf.industry` computes on tables it is given; this module is where they
are read:

* :func:`listed_matrix` — listed companies by province and Tushare industry, rebuilt as of
  31 December of each year from listing dates (:func:`nqpf.data.load_enterprises`);
* :func:`census_matrix` — census employment by GB/T 4754 section for provinces,
  prefectures or counties (:func:`nqpf.data.load_census_industry`);
* :func:`read_matrix` — a user's long CSV/XLSX file, checked by
  :func:`nqpf.industry.matrix.validate_matrix`;
* :func:`known_industries` — the codes and names of a packaged classification;
* :func:`io_relatedness` — section × section relatedness from the 2020 input-output table;
* :func:`census_pair` — the census 2010 and 2020 tables on the same codes and sections;
* :func:`section_concordance` — GB/T 4754-2002 ↔ 2017 sections (packaged CSV with its
  source).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import pandas as pd

from nqpf.errors import InputError
from nqpf.industry.census_pair import Level, match_divisions, pair_tables
from nqpf.industry.matrix import (
    LISTED_DEFAULT_YEARS,
    census_long,
    listed_long,
    validate_matrix,
)
from nqpf.industry.relatedness import io_relatedness_from_table

__all__ = [
    "census_matrix",
    "census_pair",
    "io_relatedness",
    "known_industries",
    "listed_matrix",
    "read_matrix",
    "section_concordance",
]


def listed_matrix(years: list[int] | tuple[int, ...] = LISTED_DEFAULT_YEARS) -> pd.DataFrame:
    """Province × listed-company industry counts (stock listed by 31 Dec of each year).

    >>> m = listed_matrix([2020])
    >>> m["region"].nunique(), m["classification"].iloc[0]
    (31, 'listed')
    """
    from nqpf.data import load_enterprises
    from nqpf.regions import region_name

    firms = load_enterprises()
    codes = firms["province"].dropna().astype(str).unique()
    return listed_long(firms, years, region_names={c: region_name(c) for c in codes})


def census_matrix(
    census_year: Literal[2010, 2020] = 2020,
    *,
    level: Literal["province", "prefecture", "county"] = "province",
    exclude: tuple[str, ...] = ("T",),
) -> pd.DataFrame:
    """Census employment by GB/T 4754 section (see :func:`nqpf.industry.matrix.census_long`).

    >>> m = census_matrix(2020, level="province")
    >>> m["industry"].nunique(), m["region"].nunique()
    (19, 31)
    """
    from nqpf.data import load_census_industry

    return census_long(load_census_industry(census_year, level=level), exclude=exclude)


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
    return validate_matrix(frame, file=display_name(path), rows=rows, known=known_industries)


def io_relatedness(year: int = 2020) -> pd.DataFrame:
    """Section × section relatedness from the national 153-sector input-output table of
    ``year`` (2020 only; :func:`nqpf.industry.relatedness.io_relatedness_from_table`)."""
    from nqpf.data import load_io_table

    if year != 2020:
        raise InputError(
            f"input-output relatedness is built from the 2020 153-sector table, not {year}",
            hint="use year=2020",
        )
    return io_relatedness_from_table(load_io_table(2020, 153))


def census_pair(
    level: Level = "county", *, exclude: tuple[str, ...] = ("T",)
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Census employment tables of 2010 and 2020 on the same (2020) codes and sections.

    Returns the wide 2010 and 2020 tables (matched regions, common sections, same order)
    and the match table of :func:`nqpf.industry.census_pair.match_divisions`.
    """
    from nqpf.data import load_divisions

    divisions = {}
    years: tuple[Literal[2010, 2020], ...] = (2010, 2020)
    for year in years:
        frame = load_divisions(year)
        divisions[year] = frame.loc[frame["level"] == level, ["code", "name", "province"]]
    matches = match_divisions(divisions[2010], divisions[2020])
    long10 = census_matrix(2010, level=level, exclude=exclude)
    long20 = census_matrix(2020, level=level, exclude=exclude)
    before, after = pair_tables(long10, long20, matches)
    return before, after, matches


def section_concordance() -> pd.DataFrame:
    """GB/T 4754-2002 sections and the GB/T 4754-2017 section of the same content, one row
    each: ``section_2002, name_2002, section_2017, name_2017, change, source`` (the packaged
    ``nqpf/industry/section_concordance.csv``).

    >>> c = section_concordance().set_index("section_2002")["section_2017"]
    >>> "".join(c[list("FGHI")])
    'GIFH'
    """
    text = resources.files("nqpf.industry").joinpath("section_concordance.csv")
    with resources.as_file(text) as path:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
