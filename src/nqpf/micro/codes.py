"""Codes of firm and patent records: GB/T 4754 industries of two vintages, regions, IPC.

Industry codes (国民经济行业分类 GB/T 4754)
-------------------------------------------
A code is a section letter (门类 ``C``), a division, group or class (大类 ``39``, 中类 ``391``,
小类 ``3911``) or both (``C3911``). Codes are read as text: a class code written as a number
loses its leading zero (``0111`` → ``111``) and then reads as a group.

Two vintages are in use in registries: GB/T 4754-2011 (96 divisions) and GB/T 4754-2017 (97).
The 2017 edition inserted division 79 土地管理业 into section N, so the 2011 divisions
79–96 (居民服务业 … 国际组织) became 80–97, and the section boundaries from N onwards moved
(2011: N 76–78, O 79–81, P 82, Q 83–84, R 85–89, S 90–95, T 96; 2017: N 76–79, O 80–82,
P 83, Q 84–85, R 86–90, S 91–96, T 97). The packaged ``division_concordance.csv`` maps every
2011 division to its 2017 division (source: the division tables of both editions, 国家统计局;
装卸搬运 moved from 2011 division 58 to 2017 division 59, marked ``content_moved``).

Records are stored on the 2017 codes. A record of vintage 2011 is mapped through the
concordance at the division level: its group and class digits are dropped (the 2011 → 2017
class correspondence is many-to-many; a user who has the official class table passes it as
``concordance``, a mapping 2011 code → 2017 code, and keeps the full depth). Pure-digit codes
cannot tell their vintage; a code with its section letter can: ``O7910`` is a 2011 code
(79 is in O in 2011 and in N in 2017) and is listed back as of the wrong vintage when
the file is declared 2017.

Region codes (GB/T 2260)
------------------------
6-digit county, prefecture or province codes; 12-digit statistical division codes
(统计用区划代码) and 9-digit township codes are cut to their first 6 digits. A code of the
2010 census divisions that changed is mapped to its 2020 code (:func:`nqpf.regions.code_2020`);
one without a 2020 successor (merged, abolished) is listed back. Names and addresses
(``安徽省合肥市肥西县上派镇…``) are resolved by :func:`nqpf.regions.find_division` on their
province / prefecture / county parts.

IPC (国际专利分类)
------------------
Section ``H``, class ``H01``, subclass ``H01L`` and main group ``H01L 21/…``: stored as the
subclass (4 characters) or shorter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd

from nqpf.errors import InputError

__all__ = [
    "IndustryDepth",
    "IndustryVintage",
    "RegionLevel",
    "division_concordance",
    "parse_industries",
    "parse_ipc",
    "region_targets",
    "resolve_regions",
]

IndustryVintage = Literal["2017", "2011"]
IndustryDepth = Literal["section", "2", "3", "4"]
RegionLevel = Literal["county", "prefecture", "province"]

_CONCORDANCE = Path(__file__).with_name("division_concordance.csv")
_INDUSTRY = re.compile(r"^([A-T])?(\d{2,4})?$")
_IPC = re.compile(r"^([A-H])(\d{2})?([A-Z])?")


@cache
def division_concordance() -> pd.DataFrame:
    """GB/T 4754-2011 → 2017 divisions: ``division_2011, section_2011, division_2017,
    section_2017, change, source`` (96 rows).

    >>> c = division_concordance().set_index("division_2011")
    >>> c.loc["79", ["division_2017", "section_2017"]].tolist()
    ['80', 'O']
    """
    return pd.read_csv(_CONCORDANCE, dtype=str)


@cache
def _sections(vintage: IndustryVintage) -> dict[str, str]:
    c = division_concordance()
    if vintage == "2011":
        return dict(zip(c["division_2011"], c["section_2011"], strict=True))
    return {**dict(zip(c["division_2017"], c["section_2017"], strict=True)), "79": "N"}


def parse_industries(
    codes: Iterable[str],
    *,
    vintage: IndustryVintage = "2017",
    concordance: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Each distinct raw code → its 2017 ``section`` and digits ``industry`` ("" for a
    section alone), a ``problem`` (None when fine) and a ``note`` (how it was mapped).

    >>> t = parse_industries(["C3911", "8010", "O7910"], vintage="2017")
    >>> t[["raw", "section", "industry"]].iloc[:2].values.tolist()
    [['C3911', 'C', '3911'], ['8010', 'O', '8010']]
    >>> t["problem"].iloc[2].startswith("GB/T 4754-2011 code")
    True
    >>> parse_industries(["8010"], vintage="2011")[["section", "industry"]].values.tolist()
    [['O', '81']]
    """
    if vintage not in ("2017", "2011"):
        raise InputError(f"unknown industry vintage {vintage!r}", hint="2017 or 2011")
    rows = []
    for raw in dict.fromkeys(codes):
        rows.append((raw, *_industry(raw, vintage, concordance)))
    return pd.DataFrame(
        rows, columns=["raw", "section", "industry", "problem", "note"], dtype=object
    )


def _industry(
    raw: str, vintage: IndustryVintage, concordance: Mapping[str, str] | None
) -> tuple[str | None, str | None, str | None, str | None]:
    text = re.sub(r"[\s.]", "", str(raw)).upper()
    match = _INDUSTRY.match(text)
    if not text or match is None:
        return None, None, "not a GB/T 4754 code (a section letter A–T and/or 2–4 digits)", None
    letter, digits = match.group(1), match.group(2) or ""
    if not digits:
        return letter, "", None, None
    other: IndustryVintage = "2011" if vintage == "2017" else "2017"
    division = digits[:2]
    section = _sections(vintage).get(division)
    elsewhere = _sections(other).get(division)
    hint = f" — a GB/T 4754-{other} code? import with --industry-vintage {other}"
    if section is None:
        if elsewhere is None:
            return None, None, f"division {division} does not exist in GB/T 4754", None
        return None, None, f"division {division} does not exist in GB/T 4754-{vintage}{hint}", None
    if letter is not None and letter != section:
        if letter == elsewhere:
            problem = (
                f"GB/T 4754-{other} code: division {division} is in section {letter} in "
                f"{other} but in {section} in {vintage}{hint}"
            )
        else:
            problem = f"division {division} is in section {section}, not {letter}"
        return None, None, problem, None
    if vintage == "2017":
        return section, digits, None, None
    if concordance is not None and text in concordance:
        mapped = _industry(concordance[text], "2017", None)
        if mapped[2] is not None:
            return (
                None,
                None,
                f"the concordance maps it to {concordance[text]!r}: {mapped[2]}",
                None,
            )
        return mapped[0], mapped[1], None, f"2011 → 2017 by the given concordance: {mapped[1]}"
    row = division_concordance().set_index("division_2011").loc[digits[:2]]
    note = f"2011 → 2017 division {row['division_2017']} ({row['change']})"
    if len(digits) > 2:
        note += f"; digits after the division dropped ({digits})"
    return str(row["section_2017"]), str(row["division_2017"]), None, note


def parse_ipc(codes: Iterable[str]) -> pd.DataFrame:
    """Each distinct raw IPC code → its ``ipc`` (up to the subclass, e.g. ``H01L``) and a
    ``problem``.

    >>> parse_ipc(["H01L 21/02", "g06f", "Z99"]).values.tolist()
    [['H01L 21/02', 'H01L', None], ['g06f', 'G06F', None], ['Z99', None, 'not an IPC code (section A–H, class, subclass)']]
    """
    rows: list[tuple[str, str | None, str | None]] = []
    for raw in dict.fromkeys(codes):
        text = re.sub(r"\s", "", str(raw)).upper()
        match = _IPC.match(text)
        if match is None:
            rows.append((raw, None, "not an IPC code (section A–H, class, subclass)"))
            continue
        code = match.group(1) + (match.group(2) or "")
        if match.group(2):
            code += match.group(3) or ""
        rows.append((raw, code, None))
    return pd.DataFrame(rows, columns=["raw", "ipc", "problem"], dtype=object)


_ADDRESS = re.compile(
    r"^(?P<province>.+?(?:省|自治区|北京市|天津市|上海市|重庆市))?"
    r"(?P<prefecture>.+?(?:自治州|地区|盟|市))?"
    r"(?P<county>.+?(?:自治县|自治旗|县|区|旗|市))?"
)


def resolve_regions(values: Iterable[str]) -> pd.DataFrame:
    """Each distinct raw region value (code, name or address) → its 2020 GB/T 2260
    ``code``, a ``problem`` (None when resolved) and a ``note``.

    >>> t = resolve_regions(["340123", "522400", "340123000000", "安徽省合肥市肥西县上派镇", "110103", "999999"])
    >>> t["code"].tolist()[:4]
    ['340123', '520500', '340123', '340123']
    >>> t["problem"].notna().tolist()
    [False, False, False, False, True, True]
    """
    rows = []
    for raw in dict.fromkeys(values):
        rows.append((raw, *_region(raw)))
    return pd.DataFrame(rows, columns=["raw", "code", "problem", "note"], dtype=object)


def _region(raw: str) -> tuple[str | None, str | None, str | None]:
    from nqpf.regions import code_2020, division_name, find_division

    text = re.sub(r"\s", "", str(raw))
    digits = re.sub(r"\.0+$", "", text)
    if digits.isdigit():
        if len(digits) in (9, 12):
            digits = digits[:6]
        if len(digits) != 6:
            return None, "not a 6-digit GB/T 2260 code (or a 9/12-digit one)", None
        if digits in _codes(2020):
            return digits, None, None
        if digits in _codes(2010):
            new = code_2020(digits, strict=False)
            name = division_name(digits, census_year=2010)
            if new is None:
                return (
                    None,
                    f"2010 code of {name}, which has no 2020 code (merged or abolished)",
                    None,
                )
            return new, None, f"2010 code of {name} → 2020 code {new}"
        return None, "unknown region code (not in the 2010 or 2020 census divisions)", None
    if not text:
        return None, "empty region", None
    try:
        return find_division(text), None, None
    except InputError:
        pass
    parts = _ADDRESS.match(text)
    if parts is not None:
        province, prefecture, county = (
            parts.group(k) for k in ("province", "prefecture", "county")
        )
        for name, within in (
            (county, prefecture or province),
            (prefecture, province),
            (province, None),
        ):
            if not name:
                continue
            try:
                return find_division(name, within=within), None, f"from the address part {name}"
            except InputError:
                continue
    return None, "no county, prefecture or province found in this name or address", None


@cache
def _codes(census_year: Literal[2010, 2020]) -> frozenset[str]:
    from nqpf.regions import division_table, province_codes

    return frozenset(division_table(census_year=census_year)["code"]) | set(province_codes())


def region_targets(codes: Iterable[str], level: RegionLevel) -> pd.DataFrame:
    """``code → target``: the unit of ``level`` each stored 2020 code belongs to (county
    codes stay; prefecture-level cities without counties — 东莞, 中山, 嘉峪关, 儋州 — count as
    counties; :func:`nqpf.regions.prefecture_of` for prefectures; the first two digits for
    provinces). Codes coarser than ``level`` get no target (their records are left out of
    that aggregation and counted).

    >>> region_targets(["340123", "441900", "340100", "110105"], "county")["target"].tolist()
    ['340123', '441900', None, '110105']
    >>> region_targets(["340123", "429004", "110105"], "prefecture")["target"].tolist()
    ['340100', '420000', '110000']
    """
    from nqpf.regions import MUNICIPALITIES, prefecture_of

    if level not in ("county", "prefecture", "province"):
        raise InputError(f"unknown region level {level!r}", hint="county, prefecture or province")
    undivided = _undivided()
    out = []
    for code in dict.fromkeys(str(c) for c in codes):
        province = code[:2] + "0000"
        is_county = not code.endswith("00") or code in undivided
        target: str | None
        if level == "province":
            target = province
        elif level == "prefecture":
            target = prefecture_of(code) if code != province or code in MUNICIPALITIES else None
        else:
            target = code if is_county else None
        out.append((code, target))
    return pd.DataFrame(out, columns=["code", "target"], dtype=object)


@cache
def _undivided() -> frozenset[str]:
    """Prefecture-level cities with no counties under them in the 2020 divisions."""
    from nqpf.regions import division_table

    table = division_table(census_year=2020)
    prefectures = table.loc[table["level"] == "prefecture", "code"]
    counties = set(table.loc[table["level"] == "county", "code"].str[:4])
    return frozenset(c for c in prefectures if c[:4] not in counties)
