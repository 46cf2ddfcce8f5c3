"""Region registry: provincial-level divisions of China, their names, codes and groupings.

Keys are GB/T 2260 administrative division codes (adcodes) as 6-character strings,
e.g. ``"110000"`` for 北京市. The nation (全国) is kept apart from the 31 provinces
under the code ``"100000"`` (the code DataV.GeoAtlas and most map services use for
China as a whole; GB/T 2260 itself assigns none).

Names in official statistics come in many forms — full (内蒙古自治区), short (内蒙古,
内蒙), English (Inner Mongolia), ISO 3166-2 (CN-NM), numeric codes (150000,
150000.0) — and, in OCR'd yearbooks, with embedded spaces (``北   京``) and misread
characters (两藏 for 西藏). :func:`normalize_region` resolves all of them, or raises
an error that suggests the closest known names. Regional subtotals (东部地区 …) are
recognised as *groups* and never silently taken for a province.

Groupings
---------
``four-regions``
    NBS 东部 (10) / 中部 (6) / 西部 (12) / 东北 (3), as used since 2011 in NBS releases
    (国家统计局《东西中部和东北地区划分方法》).
``three-belts``
    东部 (11) / 中部 (8) / 西部 (12), the 7th Five-Year Plan belts with 广西 and 内蒙古 in the
    West since the 2000 西部大开发 policy.

Examples
--------
>>> normalize_region("北   京")
'110000'
>>> normalize_region("内蒙占")
'150000'
>>> region_name("540000")
'西藏'
>>> group_of("340000")
'中部'
>>> sorted(members("东北"))
['210000', '220000', '230000']
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pandas as pd

from nqpf.errors import InputError, RegionIsGroupError, UnknownRegionError
from nqpf.packaged import load_divisions

__all__ = [
    "GROUPINGS",
    "NATIONAL_CODE",
    "Province",
    "classify_region",
    "division_name",
    "find_division",
    "group_of",
    "members",
    "normalize_region",
    "normalize_regions",
    "province_codes",
    "provinces",
    "region_name",
]

NATIONAL_CODE = "100000"
"""Code used for the national total (全国)."""


@dataclass(frozen=True)
class Province:
    """One provincial-level division."""

    code: str
    name: str  # short Chinese name as used in yearbook tables
    full_name: str
    name_en: str
    iso: str  # ISO 3166-2:CN (2017 revision)


_PROVINCES: tuple[Province, ...] = (
    Province("110000", "北京", "北京市", "Beijing", "CN-BJ"),
    Province("120000", "天津", "天津市", "Tianjin", "CN-TJ"),
    Province("130000", "河北", "河北省", "Hebei", "CN-HE"),
    Province("140000", "山西", "山西省", "Shanxi", "CN-SX"),
    Province("150000", "内蒙古", "内蒙古自治区", "Inner Mongolia", "CN-NM"),
    Province("210000", "辽宁", "辽宁省", "Liaoning", "CN-LN"),
    Province("220000", "吉林", "吉林省", "Jilin", "CN-JL"),
    Province("230000", "黑龙江", "黑龙江省", "Heilongjiang", "CN-HL"),
    Province("310000", "上海", "上海市", "Shanghai", "CN-SH"),
    Province("320000", "江苏", "江苏省", "Jiangsu", "CN-JS"),
    Province("330000", "浙江", "浙江省", "Zhejiang", "CN-ZJ"),
    Province("340000", "安徽", "安徽省", "Anhui", "CN-AH"),
    Province("350000", "福建", "福建省", "Fujian", "CN-FJ"),
    Province("360000", "江西", "江西省", "Jiangxi", "CN-JX"),
    Province("370000", "山东", "山东省", "Shandong", "CN-SD"),
    Province("410000", "河南", "河南省", "Henan", "CN-HA"),
    Province("420000", "湖北", "湖北省", "Hubei", "CN-HB"),
    Province("430000", "湖南", "湖南省", "Hunan", "CN-HN"),
    Province("440000", "广东", "广东省", "Guangdong", "CN-GD"),
    Province("450000", "广西", "广西壮族自治区", "Guangxi", "CN-GX"),
    Province("460000", "海南", "海南省", "Hainan", "CN-HI"),
    Province("500000", "重庆", "重庆市", "Chongqing", "CN-CQ"),
    Province("510000", "四川", "四川省", "Sichuan", "CN-SC"),
    Province("520000", "贵州", "贵州省", "Guizhou", "CN-GZ"),
    Province("530000", "云南", "云南省", "Yunnan", "CN-YN"),
    Province("540000", "西藏", "西藏自治区", "Tibet", "CN-XZ"),
    Province("610000", "陕西", "陕西省", "Shaanxi", "CN-SN"),
    Province("620000", "甘肃", "甘肃省", "Gansu", "CN-GS"),
    Province("630000", "青海", "青海省", "Qinghai", "CN-QH"),
    Province("640000", "宁夏", "宁夏回族自治区", "Ningxia", "CN-NX"),
    Province("650000", "新疆", "新疆维吾尔自治区", "Xinjiang", "CN-XJ"),
)

_BY_CODE = {p.code: p for p in _PROVINCES}

# Names that occur in real sources and are not a province's own name, each with the source
# where it was seen. OCR misreadings are listed one by one rather than fixed character by
# character: a generic 四→西 rule would turn 四川 into 西川.
_ALIASES: dict[str, str] = {
    "内蒙": "150000",  # Tushare stock_basic `area`; WangMeng panel
    "内蒙占": "150000",  # OCR, techme RDLaborHour 2013
    "两藏": "540000",  # OCR, techme RDPatentAuthority 2012
    "四藏": "540000",  # OCR, techme RDPatentValid 2014
    "山两": "140000",  # OCR, techme RDPatentAuthority 2012
    "江两": "360000",  # OCR, techme RDPatentAccept 2014
    "江四": "360000",  # OCR, techme RDPatentValid 2014
    "浙汀": "330000",  # OCR, techme RDPatentValid 2014
    "广西壮族": "450000",
    "宁夏回族": "640000",
    "新疆维吾尔": "650000",
    "西藏自治": "540000",
    "inner mongolia autonomous region": "150000",
    "nei mongol": "150000",
    "neimenggu": "150000",
    "xizang": "540000",
    "shaanxi province": "610000",
    "guangxi zhuang autonomous region": "450000",
    "ningxia hui autonomous region": "640000",
    "xinjiang uygur autonomous region": "650000",
    "xinjiang uyghur autonomous region": "650000",
}

# Sub-provincial cities that some sources list beside the provinces (计划单列市). At the
# provincial level they resolve to their province; `city_code` keeps the city.
_CITIES_LISTED_AS_PROVINCES: dict[str, tuple[str, str]] = {
    "深圳": ("440000", "440300"),  # Tushare stock_basic lists 深圳 apart from 广东
    "大连": ("210000", "210200"),
    "青岛": ("370000", "370200"),
    "宁波": ("330000", "330200"),
    "厦门": ("350000", "350200"),
}

GROUPINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "four-regions": {
        "东部": (
            "110000",
            "120000",
            "130000",
            "310000",
            "320000",
            "330000",
            "350000",
            "370000",
            "440000",
            "460000",
        ),
        "中部": ("140000", "340000", "360000", "410000", "420000", "430000"),
        "西部": (
            "150000",
            "450000",
            "500000",
            "510000",
            "520000",
            "530000",
            "540000",
            "610000",
            "620000",
            "630000",
            "640000",
            "650000",
        ),
        "东北": ("210000", "220000", "230000"),
    },
    "three-belts": {
        "东部": (
            "110000",
            "120000",
            "130000",
            "210000",
            "310000",
            "320000",
            "330000",
            "350000",
            "370000",
            "440000",
            "460000",
        ),
        "中部": ("140000", "220000", "230000", "340000", "360000", "410000", "420000", "430000"),
        "西部": (
            "150000",
            "450000",
            "500000",
            "510000",
            "520000",
            "530000",
            "540000",
            "610000",
            "620000",
            "630000",
            "640000",
            "650000",
        ),
    },
}
"""Groupings of the 31 provinces: grouping name → group name → province codes."""

GROUP_NAMES_EN = {"东部": "East", "中部": "Central", "西部": "West", "东北": "Northeast"}

# Subtotal row labels seen in yearbooks, mapped to their four-regions group.
_GROUP_LABELS: dict[str, str] = {
    "东部地区": "东部",
    "东部": "东部",
    "尔部地区": "东部",  # OCR, techme RDPatentValid 2014
    "中部地区": "中部",
    "中部": "中部",
    "西部地区": "西部",
    "西部": "西部",
    "东北地区": "东北",
    "东北": "东北",
}

_NATIONAL_LABELS = (
    "全国",
    "全国合计",
    "全国总计",
    "中国",
    "china",
    "national",
    "nationwide",
    "总计",
    "合计",
)

_SPACE = re.compile(r"[\s\u3000\u00a0]+")
_NUMERIC_CODE = re.compile(r"^(\d{6})(?:\.0+)?$")

RegionKind = Literal["province", "group", "national", "city"]


def _clean(name: object) -> str:
    """NFKC-normalise, drop every kind of white space, lower-case Latin letters."""
    text = unicodedata.normalize("NFKC", str(name))
    return _SPACE.sub("", text).strip().lower()


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for p in _PROVINCES:
        for key in (p.code, p.name, p.full_name, p.name_en, p.iso):
            index[_clean(key)] = p.code
        index[_clean(p.name_en.replace(" ", ""))] = p.code
        index[_clean(p.iso.replace("-", ""))] = p.code
    for alias, code in _ALIASES.items():
        index[_clean(alias)] = code
    return index


def classify_region(name: object) -> tuple[RegionKind, str]:
    """Say what a region label is: ``("province", code)``, ``("group", group)``,
    ``("national", "100000")`` or ``("city", city_code)``.

    Raises :class:`~nqpf.errors.UnknownRegionError` (with suggestions) for anything else.

    >>> classify_region("尔部地区")
    ('group', '东部')
    >>> classify_region("全   国")
    ('national', '100000')
    >>> classify_region("深圳")
    ('city', '440300')
    """
    if name is None or (isinstance(name, float) and name != name):
        raise UnknownRegionError(name, [])
    key = _clean(name)
    match = _NUMERIC_CODE.match(key)
    if match:
        key = match.group(1)
        if key == NATIONAL_CODE:
            return "national", NATIONAL_CODE
    if key in _name_index():
        return "province", _name_index()[key]
    if key in _GROUP_LABELS:
        return "group", _GROUP_LABELS[key]
    if key in _NATIONAL_LABELS:
        return "national", NATIONAL_CODE
    for city, (_, city_code) in _CITIES_LISTED_AS_PROVINCES.items():
        if key in (city, city + "市"):
            return "city", city_code
    raise UnknownRegionError(name, _suggest(key))


def normalize_region(name: object) -> str:
    """Resolve any provincial-level region label to its adcode.

    Accepts full, short and English names, ISO 3166-2 codes, adcodes (also as numbers),
    the known OCR misreadings of the S&T yearbooks, and the 计划单列市 that some sources list
    beside the provinces (深圳 → 广东 440000).

    Raises
    ------
    RegionIsGroupError
        for a regional subtotal such as 东部地区.
    UnknownRegionError
        for anything else unknown, suggesting the closest names. The national total (全国)
        is not a province either and raises UnknownRegionError with a hint.

    >>> normalize_region("Inner Mongolia")
    '150000'
    >>> normalize_region(440000.0)
    '440000'
    >>> normalize_region("深圳")
    '440000'
    """
    kind, value = classify_region(name)
    if kind == "province":
        return value
    if kind == "group":
        raise RegionIsGroupError(name, value)
    if kind == "city":
        return value[:2] + "0000"
    raise UnknownRegionError(
        name,
        ["(全国 is the national total: filter it out or use include_national=True where offered)"],
    )


def normalize_regions(names: Iterable[object]) -> list[str]:
    """Vectorised :func:`normalize_region` (each distinct label is resolved once)."""
    values = list(names)
    cache = {label: normalize_region(label) for label in dict.fromkeys(map(str, values))}
    return [cache[str(v)] for v in values]


def _suggest(key: str, n: int = 3) -> list[str]:
    candidates = {p.name: p.name for p in _PROVINCES}
    candidates.update({p.full_name: p.name for p in _PROVINCES})
    candidates.update({p.name_en.lower(): p.name_en for p in _PROVINCES})
    close = difflib.get_close_matches(key, list(candidates), n=n, cutoff=0.3)
    if not close:
        # Two-character names differ by one character when an OCR error hits: compare
        # character overlap as a last resort.
        scored = sorted(
            ((len(set(key) & set(name)) / max(len(name), 1), name) for name in candidates),
            reverse=True,
        )
        close = [name for score, name in scored[:n] if score > 0]
    return list(dict.fromkeys(candidates[c] for c in close))


def region_name(code: str, *, lang: Literal["zh", "en", "full"] = "zh") -> str:
    """Name of a province (or 全国 / China for the national code).

    >>> region_name("650000", lang="en")
    'Xinjiang'
    """
    if code == NATIONAL_CODE:
        return {"zh": "全国", "full": "全国", "en": "China"}[lang]
    try:
        p = _BY_CODE[code]
    except KeyError:
        raise UnknownRegionError(code, _suggest(_clean(code))) from None
    return {"zh": p.name, "en": p.name_en, "full": p.full_name}[lang]


def province_codes() -> list[str]:
    """The 31 provincial-level codes in GB/T 2260 order."""
    return [p.code for p in _PROVINCES]


def provinces() -> pd.DataFrame:
    """The registry as a table: code, name, full name, English name, ISO code and groups."""
    rows = []
    for p in _PROVINCES:
        rows.append(
            {
                "region": p.code,
                "region_name": p.name,
                "full_name": p.full_name,
                "name_en": p.name_en,
                "iso": p.iso,
                "four_regions": group_of(p.code, grouping="four-regions"),
                "three_belts": group_of(p.code, grouping="three-belts"),
            }
        )
    return pd.DataFrame(rows)


def group_of(code: str, *, grouping: str = "four-regions") -> str:
    """The group a province belongs to in ``grouping``.

    >>> group_of("210000", grouping="three-belts")
    '东部'
    """
    for group, codes in _grouping(grouping).items():
        if code in codes:
            return group
    raise UnknownRegionError(code, [])


def members(group: str, *, grouping: str = "four-regions") -> tuple[str, ...]:
    """Province codes of a group (东部, 东部地区, East …) in ``grouping``."""
    groups = _grouping(grouping)
    key = _GROUP_LABELS.get(_clean(group), group)
    for zh, en in GROUP_NAMES_EN.items():
        if _clean(group) == en.lower():
            key = zh
    if key not in groups:
        raise UnknownRegionError(group, sorted(groups))
    return groups[key]


_DIVISION_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "省",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "新区",
    "盟",
    "市",
    "县",
    "区",
    "旗",
)


def find_division(
    name: object,
    *,
    census_year: Literal[2010, 2020] = 2020,
    within: str | None = None,
    level: Literal["province", "prefecture", "county"] | None = None,
) -> str:
    """Code of a province, prefecture or county as listed in the packaged census tables.

    Accepts a 6-digit code, a full name (合肥市, 肥西县) or a name without its suffix
    (合肥). County names repeat across China (南山区 is in 深圳 and 鹤岗): an ambiguous
    name raises an error listing the candidates; ``within`` (a province or prefecture
    name or code) narrows the search. Codes and names follow the census of
    ``census_year`` (2010 and 2020 divisions differ).

    >>> find_division("南山区", within="广东")
    '440305'
    >>> find_division("合肥")
    '340100'
    """
    if level in (None, "province") and within is None:
        try:
            kind, code = classify_region(name)
            if kind == "province":
                return code
        except UnknownRegionError:
            pass
    table = load_divisions(census_year)
    table = table[~table["name"].isin(["市辖区", "县"])]
    if level is not None:
        table = table[table["level"] == level]
    if within is not None:
        parent = find_division(within, census_year=census_year)
        prefix = parent[:2] if parent.endswith("0000") else parent[:4]
        table = table[table["code"].str.startswith(prefix) & (table["code"] != parent)]
    key = _clean(name)
    match = _NUMERIC_CODE.match(key)
    if match:
        hits = table[table["code"] == match.group(1)]
    else:
        hits = table[table["name"].map(_clean) == key]
        if hits.empty:
            hits = table[table["name"].map(_strip_suffix) == _strip_suffix(key)]
    if len(hits) == 1:
        return str(hits["code"].iloc[0])
    if hits.empty:
        names = table["name"].drop_duplicates().tolist()
        close = difflib.get_close_matches(str(name), names, n=5, cutoff=0.5)
        raise UnknownRegionError(name, close)
    listed = ", ".join(f"{c} ({region_name(c[:2] + '0000')})" for c in hits["code"])
    raise InputError(
        f"{name!r} names {len(hits)} divisions: {listed}",
        hint="give the code, or narrow with within= (CLI: --within) a province or prefecture",
    )


def division_name(code: str, *, census_year: Literal[2010, 2020] = 2020) -> str:
    """Name of a province, prefecture or county code in the census of ``census_year``.

    >>> division_name("340123")
    '肥西县'
    """
    if code in _BY_CODE:
        return _BY_CODE[code].full_name
    table = load_divisions(census_year).set_index("code")["name"]
    if code not in table.index:
        raise UnknownRegionError(code, [])
    return str(table[code])


def _strip_suffix(name: object) -> str:
    text = _clean(name)
    for suffix in _DIVISION_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text


def _grouping(grouping: str) -> dict[str, tuple[str, ...]]:
    try:
        return GROUPINGS[grouping]
    except KeyError:
        raise InputError(
            f"unknown grouping {grouping!r}",
            hint=f"available groupings: {', '.join(sorted(GROUPINGS))}",
        ) from None
