"""The census 2010 → 2020 pair (普查对比): sections and division codes made comparable.

Sections. The 2010 census tabulates GB/T 4754-2002 sections, the 2020 census GB/T 4754-2017
sections. Both have the same 20 sections; GB/T 4754-2011 re-lettered four of them
(2002 F 交通运输 → G, G 信息传输 → I, H 批发零售 → F, I 住宿餐饮 → H), which 2017 kept, and
moved content between some (social insurance 社会保险 from Q to S; repair of computers and
household goods joins O). The one-to-one section concordance is the packaged table
``section_concordance.csv`` beside this module (its source column names the NBS standards
and their 新旧类目对照表), read by :func:`nqpf.services.matrices.section_concordance`; the
packaged census tables already carry the 2017 letters for both years. The content moves
make a few section totals not strictly comparable (Q and S most), which a backtest of
entries between sections must keep in mind.

Division codes. County codes change with 撤县设区, 撤县设市, mergers and splits; no official
(民政部) code-change table is among the packaged sources (the registry's
:func:`nqpf.regions.division_changes` is derived from the same two census tables).
:func:`match_divisions` matches 2010 units to
2020 ones in three steps on the census tables' own codes and names: (1) the same code and
the same name stem (the name without its 县/区/市/旗/自治县… suffix); (2) the same code
under a new name stem (kept, listed as renamed) unless the old name sits under another
such code in 2020 (two codes swapped between the tables, paired by name); (3) a 2010 code absent in 2020 whose name
stem is unique among the 2020 codes of the same province that are absent in 2010
(a 县 turned 区 or 市, re-coded). Everything else (mergers, splits, units without a
counterpart) is listed as unmatched and left out of the pair.
"""

from __future__ import annotations

import re
from typing import Literal

import pandas as pd

__all__ = ["Level", "match_divisions", "name_stem", "pair_tables"]

_SUFFIX = re.compile(
    r"(各族自治县|族自治县|族自治旗|自治县|自治旗|林区|特区|新区|矿区|县|区|市|旗)$"
)

Level = Literal["county", "prefecture"]


def name_stem(name: str) -> str:
    """A division name without its administrative suffix (肥西县 → 肥西, 东城区 → 东城).

    >>> [name_stem(n) for n in ("肥西县", "长阳土家族自治县", "鄂温克族自治旗", "城区")]
    ['肥西', '长阳土家', '鄂温克', '城区']
    """
    # 巿 (U+5DFF) is a misprint of 市 in several 2010 rows
    stem = _SUFFIX.sub("", name.strip().replace("巿", "市"))
    # one character left (城区 → 城) says too little to match on
    return stem if len(stem) >= 2 else name.strip()


def match_divisions(d2010: pd.DataFrame, d2020: pd.DataFrame) -> pd.DataFrame:
    """Match 2010 division codes to 2020 ones; one row per unit of either year.

    Inputs have columns ``code, name, province``. The output has ``code_2010, name_2010,
    code_2020, name_2020, how`` with ``how`` one of ``same``, ``renamed``, ``recoded``,
    ``swapped``, ``unmatched_2010``, ``unmatched_2020``.

    >>> a = pd.DataFrame({"code": ["340123", "340122"], "name": ["肥西县", "肥东县"],
    ...                   "province": "340000"})
    >>> b = pd.DataFrame({"code": ["340123", "340182"], "name": ["肥西县", "肥东市"],
    ...                   "province": "340000"})
    >>> match_divisions(a, b)["how"].tolist()
    ['same', 'recoded']
    """
    old = _units(d2010)
    new = _units(d2020)
    rows: list[tuple[str | None, str | None, str | None, str | None, str]] = []
    both = sorted(old.keys() & new.keys())
    differ = [c for c in both if old[c][2] != new[c][2]]
    # two codes whose names swapped between the tables (丰润区/丰南区) pair by name
    by_stem = _by_stem({c: new[c] for c in differ})
    for code in both:
        target, how = code, "same"
        if code in differ:
            found = by_stem.get((old[code][1], old[code][2]), [])
            target, how = (found[0], "swapped") if len(found) == 1 else (code, "renamed")
        rows.append((code, old[code][0], target, new[target][0], how))
    only_old = {c: old[c] for c in sorted(old.keys() - new.keys())}
    only_new = {c: new[c] for c in sorted(new.keys() - old.keys())}
    key_new, key_old = _by_stem(only_new), _by_stem(only_old)
    used: set[str] = set()
    for code, (name, province, stem) in only_old.items():
        found = key_new.get((province, stem), [])
        if len(found) == 1 and len(key_old[(province, stem)]) == 1:
            rows.append((code, name, found[0], new[found[0]][0], "recoded"))
            used.add(found[0])
        else:
            rows.append((code, name, None, None, "unmatched_2010"))
    rows += [
        (None, None, code, unit[0], "unmatched_2020")
        for code, unit in only_new.items()
        if code not in used
    ]
    out = pd.DataFrame(rows, columns=["code_2010", "name_2010", "code_2020", "name_2020", "how"])
    order = {"same": 0, "renamed": 1, "swapped": 2, "recoded": 3}
    order |= {"unmatched_2010": 4, "unmatched_2020": 5}
    return out.sort_values(
        ["how", "code_2010", "code_2020"], key=lambda s: s.map(order) if s.name == "how" else s
    ).reset_index(drop=True)


def _units(frame: pd.DataFrame) -> dict[str, tuple[str, str, str]]:
    """code → (name, province, name stem)."""
    return {
        str(c): (str(n), str(p), name_stem(str(n)))
        for c, n, p in zip(frame["code"], frame["name"], frame["province"], strict=True)
    }


def _by_stem(units: dict[str, tuple[str, str, str]]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for code, (_, province, stem) in units.items():
        out.setdefault((province, stem), []).append(code)
    return out


def pair_tables(
    long10: pd.DataFrame, long20: pd.DataFrame, matches: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wide 2010 and 2020 tables on the same (2020) codes and sections: 2010 regions
    recoded by ``matches`` (of :func:`match_divisions`; unmatched ones dropped), then the
    regions and sections both years have, in the same order."""
    from nqpf.industry.matrix import to_wide

    paired = matches.dropna(subset=["code_2010", "code_2020"])
    recode = dict(zip(paired["code_2010"], paired["code_2020"], strict=True))
    long10 = long10[long10["region"].isin(recode)].assign(region=lambda f: f["region"].map(recode))
    wide10, wide20 = to_wide(long10), to_wide(long20)
    regions = wide10.index.intersection(wide20.index)
    industries = wide10.columns.intersection(wide20.columns)
    return wide10.loc[regions, industries], wide20.loc[regions, industries]
