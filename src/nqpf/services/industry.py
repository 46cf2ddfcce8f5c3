"""The industry services: load a region × industry matrix (packaged or the user's file),
resolve the region in it, and run the structural comparison (``nqpf similar``).

Matrices: ``listed`` (上市公司 counts by province, 2020 and 2025), ``census2020`` /
``census2010`` (普查 employment by GB/T 4754 section; provinces, prefectures or counties,
whichever level the region is), ``auto`` (the default: ``listed`` for a province,
``census2020`` for a prefecture or county, found by :func:`nqpf.regions.find_unit`), or the
path of a long CSV/XLSX file (:func:`nqpf.services.matrices.read_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from nqpf.errors import InputError, UnknownRegionError
from nqpf.industry.matrix import to_wide
from nqpf.industry.opportunities import national_growth
from nqpf.industry.structure import SimilarityResult, krugman_specialisation, peers
from nqpf.regions import division_name, find_division, find_unit, normalize_region, region_name
from nqpf.results import hash_spec
from nqpf.services._cache import cached
from nqpf.services.matrices import census_matrix, listed_matrix, read_matrix

__all__ = ["MatrixInput", "SimilaritySpec", "load_matrix", "region_groups", "similar"]

_SOURCES = {
    "listed": "上市公司名录（沪深北交易所，按注册省份、行业、上市日期） listed companies",
    "census2020": "第七次全国人口普查长表 分行业就业（10%样本） 2020 census long form",
    "census2010": "第六次全国人口普查长表 分行业就业（10%样本） 2010 census long form",
}


@dataclass(frozen=True)
class MatrixInput:
    """A loaded matrix: the wide region × industry table of its latest year, the long
    table, the region's row key and label, national growth (when two years exist) and the
    industry classification."""

    matrix: str
    long: pd.DataFrame
    values: pd.DataFrame
    code: str
    label: str
    growth: pd.Series | None
    classification: str

    def provenance(self) -> pd.DataFrame:
        """matrix, source, unit, classification, years."""
        years = sorted(int(y) for y in self.long["year"].unique())
        source = _SOURCES.get(self.matrix, f"用户数据 user file {Path(self.matrix).name}")
        return pd.DataFrame(
            [
                {
                    "matrix": self.matrix,
                    "source": source,
                    "unit": str(self.long["unit"].iloc[0]) if "unit" in self.long else "",
                    "classification": self.classification,
                    "years": ", ".join(map(str, years)),
                }
            ]
        )

    def region_names(self, codes: list[str]) -> dict[str, str]:
        """Names of region keys as the census (or the registry) writes them; a user's
        file's own keys stay as they are."""
        year: Literal[2010, 2020] = 2010 if self.matrix == "census2010" else 2020
        out = {}
        for code in codes:
            try:
                out[code] = division_name(code, census_year=year)
            except InputError:
                out[code] = code
        return out


def _level(code: str) -> Literal["province", "prefecture", "county"]:
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


def region_groups(regions: pd.Index) -> pd.DataFrame | None:
    """The neighbourhood groups of the feasibility model's regions (``groups`` of
    :func:`nqpf.industry.feasibility.cell_features`): for GB/T 2260 county codes their
    prefecture (:func:`nqpf.regions.prefecture_of`) and province, for prefecture codes
    their province, for provinces their 东部/中部/西部/东北 region; ``None`` when the
    regions are not all 6-digit adcodes of one level (a user's own keys).

    >>> region_groups(pd.Index(["340123", "340181", "110105"])).to_dict("list")
    {'prefecture': ['340100', '340100', '110000'], 'province': ['340000', '340000', '110000']}
    """
    from nqpf.regions import group_of, prefecture_of

    codes = [str(r) for r in regions]
    if not codes or not all(len(c) == 6 and c.isdigit() for c in codes):
        return None
    levels = {_level(c) for c in codes}
    if len(levels) != 1:
        return None
    province = [c[:2] + "0000" for c in codes]
    level = levels.pop()
    if level == "county":
        frame = {"prefecture": [prefecture_of(c) for c in codes], "province": province}
    elif level == "prefecture":
        frame = {"province": province}
    else:
        try:
            frame = {"macro_region": [group_of(c) for c in codes]}
        except InputError:
            return None
    return pd.DataFrame(frame, index=regions)


def load_matrix(
    region: str, matrix: str = "listed", within: str | None = None, *, growth: bool = True
) -> MatrixInput:
    """The matrix ``matrix`` with ``region`` resolved in it (see the module docstring);
    ``growth=False`` skips national growth (not needed for structural comparison)."""
    if matrix == "auto":
        level, _ = find_unit(region, within=within)
        matrix = "listed" if level == "province" else "census2020"
    if matrix == "listed":
        code = _province(region)
        long = listed_matrix((2020, 2025))
        rate = national_growth(long) if growth else None
        return MatrixInput(matrix, long, to_wide(long), code, region_name(code), rate, "listed")
    if matrix in ("census2020", "census2010"):
        year: Literal[2010, 2020] = 2020 if matrix == "census2020" else 2010
        code = find_division(region, census_year=year, within=within)
        long = census_matrix(year, level=_level(code))
        rate = None
        if growth:
            both = [census_matrix(y, level="province") for y in (2010, 2020)]
            rate = national_growth(pd.concat(both, ignore_index=True))
        label = division_name(code, census_year=year)
        return MatrixInput(matrix, long, to_wide(long), code, label, rate, "gbt4754_section")
    path = Path(matrix)
    if not path.exists():
        raise InputError(
            f"unknown matrix {matrix!r}",
            hint="use listed, census2020, census2010 or the path of a CSV/XLSX file",
        )
    long = read_matrix(path)
    wide = to_wide(long)
    key = region if region in wide.index else None
    if key is None:
        for resolve in (normalize_region, find_division):
            try:
                candidate = resolve(region)
            except InputError:
                continue
            if candidate in wide.index:
                key = candidate
                break
    if key is None:
        shown = ", ".join(map(str, wide.index[:8]))
        raise InputError(
            f"region {region!r} is not in {path.name}", hint=f"regions in the file: {shown} …"
        )
    user_growth = national_growth(long) if growth and long["year"].nunique() > 1 else None
    classification = str(long["classification"].iloc[0])
    names = long.drop_duplicates("region").set_index("region")["region_name"]
    return MatrixInput(
        matrix, long, wide, key, str(names.get(key, key)), user_growth, classification
    )


def _province(region: str) -> str:
    """The province code of ``region`` for the listed-company matrix (by province only); a
    prefecture or county name says so and points to the census matrix."""
    try:
        return normalize_region(region)
    except UnknownRegionError:
        level, code = find_unit(region)  # unknown at every level: that error
        raise InputError(
            f"the listed-company matrix is by province; {region!r} is a {level} ({code})",
            column="matrix",
            hint="use --matrix census2020 (普查 employment by county and prefecture) or auto",
        ) from None


@dataclass(frozen=True)
class SimilaritySpec:
    """Options of ``nqpf similar``, validated when made."""

    region: str
    matrix: str = "auto"
    top: int = 5
    within: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.top, bool) or not isinstance(self.top, int) or self.top < 1:
            raise InputError(f"top must be a whole number ≥ 1, not {self.top!r}", column="top")


def similar(spec: SimilaritySpec) -> SimilarityResult:
    """The ``spec.top`` regions whose industrial structure is closest to ``spec.region``'s
    (:func:`nqpf.industry.structure.peers`) and its Krugman specialisation index."""
    loaded = load_matrix(spec.region, spec.matrix, spec.within, growth=False)
    options = {"region": loaded.code, "matrix": loaded.matrix, "top": spec.top}
    key = hash_spec({"kind": "similarity", **options}, loaded.values)

    def build() -> SimilarityResult:
        found = peers(loaded.values, loaded.code, n=spec.top)
        names = loaded.region_names([str(r) for r in found.index])
        table = found.reset_index()
        table.insert(1, "region_name", table["region"].map(names))
        special = krugman_specialisation(loaded.values)
        return SimilarityResult(
            region=loaded.code,
            region_label=loaded.label,
            peers=table,
            specialisation=float(special[loaded.code]),
            specialisation_median=float(special.median()),
            n_regions=len(special),
            spec=options,
            spec_hash=key,
            provenance=loaded.provenance(),
        )

    return cached(key, build)
