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
from nqpf.packaged import load_divisions, table

__all__ = [
    "GROUPINGS",
    "MUNICIPALITIES",
    "NATIONAL_CODE",
    "Province",
    "classify_region",
    "code_2020",
    "division_changes",
    "division_name",
    "division_table",
    "find_division",
    "find_unit",
    "group_of",
    "members",
    "normalize_region",
    "normalize_regions",
    "prefecture_of",
    "province_codes",
    "provinces",
    "region_label",
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


def region_label(code: str, *, lang: Literal["zh", "en", "full"] = "zh") -> str | None:
    """The registry's name of a province or the nation, or None for any other label — the
    one place a table falls back from a code to a name (``region_label(c) or c``, or the
    name the data carry).

    >>> region_label("340000"), region_label("340123"), region_label("A1") or "A1"
    ('安徽', None, 'A1')
    """
    if code != NATIONAL_CODE and code not in _BY_CODE:
        return None
    return region_name(code, lang=lang)


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
    table = _divisions(census_year)
    table = table[~table["name"].isin(["市辖区", "县"])]
    if level == "prefecture":
        # The four municipalities are prefecture-level units under their province code.
        munis = table[table["code"].isin(MUNICIPALITIES)].assign(level="prefecture")
        table = pd.concat([munis, table[table["level"] == "prefecture"]], ignore_index=True)
    elif level is not None:
        table = table[table["level"] == level]
    if within is not None:
        parent = find_division(within, census_year=census_year)
        prefix = parent[:2] if parent.endswith("0000") else parent[:4]
        table = table[table["code"].str.startswith(prefix) & (table["code"] != parent)]
    key = _clean(name).replace("巿", "市")
    match = _NUMERIC_CODE.match(key)
    if match:
        hits = table[table["code"] == match.group(1)]
        if hits.empty and census_year == 2020:
            # A 2010 code of a unit that changed its code (毕节地区 522400 → 520500).
            current = code_2020(match.group(1), strict=False)
            if current is not None:
                hits = table[table["code"] == current]
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
    listed = ", ".join(
        f"{c} {n} ({_parents(c, census_year)})"
        for c, n in zip(hits["code"], hits["name"], strict=True)
    )
    raise InputError(
        f"{name!r} names {len(hits)} divisions: {listed}",
        hint="give the code, or narrow with within= (CLI: --within) a province or prefecture",
    )


DivisionLevel = Literal["province", "prefecture", "county"]


def find_unit(
    name: object,
    *,
    level: DivisionLevel | None = None,
    within: str | None = None,
    census_year: Literal[2010, 2020] = 2020,
) -> tuple[DivisionLevel, str]:
    """The level and code of a province, prefecture or county named by a user.

    Without ``level`` a name is tried as a province (安徽, and the 计划单列市 that sources list
    beside the provinces resolve as cities: 深圳 → 440300), then as a prefecture-level unit
    (合肥 and 合肥市 → 340100; 北京 at this level is the province), then as a county (肥西县).
    An ambiguous county name raises an error listing every candidate with its province and
    prefecture; an unknown one suggests close names of all levels.

    >>> find_unit("合肥"), find_unit("肥西县"), find_unit("安徽"), find_unit("深圳")
    (('prefecture', '340100'), ('county', '340123'), ('province', '340000'), ('prefecture', '440300'))
    >>> find_unit("北京", level="prefecture")
    ('prefecture', '110000')
    """
    if level is not None:
        if level == "province":
            return "province", normalize_region(name)
        return level, find_division(name, census_year=census_year, within=within, level=level)
    if within is None:
        kind: str = "unknown"
        try:
            kind, code = classify_region(name)
        except UnknownRegionError:
            code = ""
        if kind == "province":
            return "province", code
        if kind == "city":
            return "prefecture", code
        if kind == "group":
            raise RegionIsGroupError(name, code)
    suggestions: list[str] = []
    for candidate in ("prefecture", "county"):
        try:
            found = find_division(name, census_year=census_year, within=within, level=candidate)
        except UnknownRegionError as exc:
            suggestions += [s for s in exc.suggestions if s not in suggestions]
            continue
        return candidate, found
    error = UnknownRegionError(name, suggestions[:5])
    if not suggestions:
        error.hint = "use a province, prefecture or county name (安徽, 合肥, 肥西县) or its code"
    raise error


def _parents(code: str, census_year: Literal[2010, 2020]) -> str:
    """``江苏 南京市`` for a county of 南京; ``江苏`` for a prefecture or a county directly under
    its province."""
    province = region_name(code[:2] + "0000")
    prefecture = prefecture_of(code, census_year=census_year)
    if prefecture in (code, code[:2] + "0000"):
        return province
    return f"{province} {division_name(prefecture, census_year=census_year)}"


def division_name(code: str, *, census_year: Literal[2010, 2020] = 2020) -> str:
    """Name of a province, prefecture or county code in the census of ``census_year``.

    >>> division_name("340123")
    '肥西县'
    """
    if code in _BY_CODE:
        return _BY_CODE[code].full_name
    table = _divisions(census_year).set_index("code")["name"]
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


MUNICIPALITIES: tuple[str, ...] = ("110000", "120000", "310000", "500000")
"""The four 直辖市. At the prefecture level they are units of their own under their province
code (as in the city yearbooks); their census 市辖区/县 rows (110100 …) are not."""


def _divisions(census_year: int) -> pd.DataFrame:
    return load_divisions(census_year)  # type: ignore[arg-type]


def division_table(
    level: Literal["prefecture", "county"] | None = None,
    *,
    census_year: Literal[2010, 2020] = 2020,
) -> pd.DataFrame:
    """Provinces, prefectures and counties of a census with their parents.

    Columns: ``code``, ``name``, ``level``, ``province``, ``province_name``, ``prefecture``,
    ``prefecture_name``. A county's prefecture is the ``xxxx00`` unit above it; counties under
    a province directly (省直辖县级行政区划 such as 仙桃 429004, and the municipalities' districts)
    have their province as prefecture. At the prefecture level the four municipalities are
    listed under their province code (110000 …), not as their census 市辖区 rows.

    >>> row = division_table("county").set_index("code").loc["340123"]
    >>> row["prefecture_name"], row["province_name"]
    ('合肥市', '安徽')
    """
    table = _divisions(census_year)
    table = table[~table["name"].isin(["市辖区", "县"])].copy()
    table["province_name"] = table["province"].map(lambda c: _BY_CODE[c].name)
    table["prefecture"] = [prefecture_of(c, census_year=census_year) for c in table["code"]]
    names = dict(zip(table["code"], table["name"], strict=True))
    table["prefecture_name"] = table["prefecture"].map(
        lambda c: _BY_CODE[c].full_name if c in _BY_CODE else names.get(c)
    )
    if level == "prefecture":
        munis = table[table["code"].isin(MUNICIPALITIES)].assign(level="prefecture")
        table = pd.concat([munis, table[table["level"] == "prefecture"]])
    elif level is not None:
        table = table[table["level"] == level]
    cols = ["code", "name", "level", "province", "province_name", "prefecture", "prefecture_name"]
    return table[cols].sort_values("code", ignore_index=True)


def prefecture_of(code: str, *, census_year: Literal[2010, 2020] = 2020) -> str:
    """The prefecture-level unit a county belongs to (itself for a prefecture or a
    municipality; the province for counties directly under a province).

    >>> prefecture_of("340123"), prefecture_of("429004"), prefecture_of("110105")
    ('340100', '420000', '110000')
    """
    province = code[:2] + "0000"
    if code == province or province in MUNICIPALITIES:
        return province
    if code.endswith("00"):
        return code
    parent = code[:4] + "00"
    return parent if parent in _division_codes(census_year) and parent[2:4] != "90" else province


@lru_cache(maxsize=2)
def _division_codes(census_year: int) -> frozenset[str]:
    return frozenset(_divisions(census_year)["code"])


def division_changes() -> pd.DataFrame:
    """Prefectures and counties of the 2010 census and their 2020 codes.

    Columns: ``code_2010``, ``name_2010``, ``level``, ``code_2020``, ``name_2020``, ``kind``,
    ``population_2010``, ``population_2020``, ``boundary_change_likely``. ``kind`` is ``same``,
    ``renamed`` (code kept: 襄樊市 → 襄阳市), ``recoded`` (same name, new code: 毕节地区 522400 →
    毕节市 520500; 双城市 → 双城区), ``merged`` (莱芜市 → 济南市), ``abolished`` (巢湖市) or
    ``unmatched`` (abolished or merged districts such as 崇文区 and 宣武区, or renamed with a
    new code, such as 芜湖县 → 湾沚区: no 2020 code is claimed). Built by matching codes and
    names of the two census tables (see ``scripts/build_dataset.py``); the census populations
    of both years show where a boundary likely changed (ratio beyond 1.5).
    """
    return table("division_changes").copy()


@lru_cache(maxsize=1)
def _code_changes() -> tuple[dict[str, str | None], frozenset[str]]:
    """2010 code → 2020 code (None: none) of the changed divisions, and the 2020 codes."""
    changes = table("division_changes")
    mapping = {
        str(old): (str(new) if isinstance(new, str) else None)
        for old, new in zip(changes["code_2010"], changes["code_2020"], strict=True)
    }
    return mapping, frozenset(_divisions(2020)["code"])


def code_2020(code_2010: str, *, strict: bool = True) -> str | None:
    """The 2020 census code of a 2010 census prefecture or county (None if it has none).

    >>> code_2020("522400"), code_2020("230182"), code_2020("110103")
    ('520500', '230113', None)

    Raises UnknownRegionError for a code that is in neither census (with ``strict``).
    """
    mapping, codes = _code_changes()
    if code_2010 in mapping:
        return mapping[code_2010]
    if code_2010 in codes or code_2010 in _BY_CODE:
        return code_2010
    if strict:
        raise UnknownRegionError(code_2010, [])
    return None
