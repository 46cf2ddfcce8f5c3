"""Prefecture and county registry and the packaged sub-national panel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nqpf.data import load_divisions, load_subnational, sources
from nqpf.errors import InputError, UnknownRegionError
from nqpf.regions import (
    code_2020,
    division_changes,
    division_name,
    division_table,
    find_division,
    prefecture_of,
)


@pytest.mark.parametrize("year", [2010, 2020])
def test_every_census_code_resolves(year: int) -> None:
    divisions = load_divisions(year)  # type: ignore[arg-type]
    coded = divisions[~divisions["name"].isin(["市辖区", "县"])]
    for code, name in zip(coded["code"], coded["name"], strict=True):
        assert find_division(code, census_year=year) == code  # type: ignore[arg-type]
        assert division_name(code, census_year=year) in (name, name.strip())  # type: ignore[arg-type]


def test_every_2010_unit_has_a_2020_code_or_says_why() -> None:
    changes = division_changes()
    d10 = load_divisions(2010)
    units = set(d10.loc[d10["level"] != "province", "code"])
    assert set(changes["code_2010"]) == units
    current = set(load_divisions(2020)["code"])
    mapped = changes[changes["code_2020"].notna()]
    assert set(mapped["code_2020"]) <= current
    kinds = set(changes.loc[changes["code_2020"].isna(), "kind"])
    assert kinds <= {"unmatched", "abolished"}
    # one 2020 unit per 2010 unit, except the one merger (莱芜 into 济南)
    one_to_one = mapped[mapped["kind"] != "merged"]
    assert not one_to_one["code_2020"].duplicated().any()


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("522400", "520500", "recoded"),  # 毕节地区 → 毕节市 (2011)
        ("632100", "630200", "recoded"),  # 海东地区 → 海东市 (2013)
        ("230182", "230113", "recoded"),  # 双城市 → 双城区 (2014)
        ("420600", "420600", "renamed"),  # 襄樊市 → 襄阳市 (2010)
        ("371200", "370100", "merged"),  # 莱芜市 → 济南市 (2019)
        ("340123", "340123", "same"),  # 肥西县
    ],
)
def test_known_code_changes(old: str, new: str, kind: str) -> None:
    row = division_changes().set_index("code_2010").loc[old]
    assert row["code_2020"] == new and row["kind"] == kind
    assert code_2020(old) == new


def test_abolished_units_have_no_2020_code() -> None:
    assert code_2020("110103") is None  # 崇文区, merged into 东城区 2010
    assert code_2020("341400") is None  # 巢湖市, split 2011
    with pytest.raises(UnknownRegionError):
        code_2020("999999")


def test_a_2010_code_resolves_to_its_2020_unit() -> None:
    assert find_division("522400") == "520500"  # 毕节地区 code, 2020 registry


def test_parents() -> None:
    assert prefecture_of("340123") == "340100"
    assert prefecture_of("340100") == "340100"
    assert prefecture_of("429004") == "420000"  # 仙桃, directly under 湖北
    assert prefecture_of("110105") == "110000"  # 朝阳区 of 北京
    row = division_table("county").set_index("code").loc["341221"]  # 临泉县
    assert (row["prefecture_name"], row["province_name"]) == ("阜阳市", "安徽")


def test_prefecture_level_lists_municipalities_under_their_province_code() -> None:
    table = division_table("prefecture")
    assert {"110000", "120000", "310000", "500000"} <= set(table["code"])
    assert not table["name"].isin(["市辖区", "县"]).any()
    assert find_division("北京", level="prefecture") == "110000"
    assert find_division("合肥", level="prefecture") == "340100"
    assert 330 <= len(table) <= 340


def test_subnational_panel_keys_and_provenance() -> None:
    panel = load_subnational("prefecture", ["city_gdp", "college_share"])
    assert panel["region_name"].notna().all()
    assert set(panel["source_id"]) - {
        "derived: census_college / census_edu_population * 100"
    } <= set(sources()["source_id"])
    with pytest.raises(InputError, match="city_gpd"):
        load_subnational("prefecture", ["city_gpd"])
    with pytest.raises(InputError, match="level"):
        load_subnational("town")  # type: ignore[arg-type]


def test_derived_share_is_its_parts_ratio() -> None:
    parts = load_subnational(
        "county", ["census_professionals", "census_occupation_total"], years=[2020]
    )
    wide = parts.pivot(index="region", columns="indicator", values="value")
    share = load_subnational("county", ["professional_share"], years=[2020]).set_index("region")
    expected = wide["census_professionals"] / wide["census_occupation_total"] * 100
    pd.testing.assert_series_equal(
        share["value"].sort_index(), expected.dropna().sort_index(), check_names=False
    )


def test_interpolated_population_is_flagged_and_carried_to_per_capita() -> None:
    pop = load_subnational("prefecture", ["city_population"])
    flagged = pop[pop["flag"] == "interpolated"]
    assert 1000 <= len(flagged) <= 1100
    per_capita = load_subnational("prefecture", ["city_gdp_per_capita"])
    keys = set(zip(flagged["region"], flagged["year"], strict=True))
    marked = per_capita[
        [k in keys for k in zip(per_capita["region"], per_capita["year"], strict=True)]
    ]
    assert not marked.empty and (marked["flag"] == "interpolated").all()


# ---------------------------------------------------------------------- against the raw files
GP = "biechouwo-coder+G-P/原始数据"


@pytest.mark.needs_shared
def test_prefecture_gdp_and_population_equal_the_raw_files(shared_raw: Path) -> None:
    raw = pd.read_excel(
        shared_raw / GP / "2000-2023地级市产业结构 .xlsx", sheet_name="面板数据2000-2023"
    )
    raw = raw[raw["城市代码"].notna()]
    packaged = load_subnational("prefecture", ["city_gdp", "city_va_secondary"]).set_index(
        ["region", "year", "indicator"]
    )["value"]
    for city, code, year in (
        ("合肥市", "340100", 2023),
        ("阜阳市", "341200", 2015),
        ("北京市", "110000", 2000),
    ):
        row = raw[(raw["城市名称"] == city) & (raw["年度标识"] == year)].iloc[0]
        assert packaged[(code, year, "city_gdp")] == pytest.approx(float(row["gdp（亿元人民币）"]))
        assert packaged[(code, year, "city_va_secondary")] == pytest.approx(
            float(row["第二产业增加值"])
        )
    # 哈密地区 (652200) until 2016 and 哈密市 (650500) from 2017 are one series under 650500
    hami = raw[raw["城市代码"].isin([652200, 650500])]
    assert len(load_subnational("prefecture", ["city_gdp"], regions=["650500"])) == len(hami)
    pop = pd.read_excel(
        shared_raw / GP / "298个地级市人口密度1998-2024年无缺失.xlsx", sheet_name="面板数据"
    )
    pop = pop[pop["城市代码"].notna()]
    row = pop[(pop["城市"] == "合肥市") & (pop["年份"] == 2020)].iloc[0]
    got = load_subnational("prefecture", ["city_population"], years=[2020], regions=["合肥"])
    assert got["value"].iloc[0] == pytest.approx(float(row["常住人口（万人）"]))
    assert int(pop["常住人口（万人）"].isna().sum()) == int(
        (load_subnational("prefecture", ["city_population"])["flag"] == "interpolated").sum()
    )


@pytest.mark.needs_shared
def test_census_shares_equal_the_raw_county_table(shared_raw: Path) -> None:
    raw = pd.read_excel(
        shared_raw / "leiii+census/data/census/census_county_2020_v1.xlsx",
        sheet_name="七普（年鉴）",
    )
    row = raw[raw["区划代码"] == 340123].iloc[0]  # 肥西县
    college = row[["大学专科_男", "大学专科_女", "本科及以上_男", "本科及以上_女"]].sum()
    edu = row.iloc[69:83].astype(float).sum()
    got = load_subnational(
        "county", ["college_share", "professional_share"], years=[2020], regions=["肥西县"]
    )
    got = got.set_index("indicator")["value"]
    assert got["college_share"] == pytest.approx(college / edu * 100)
    assert got["professional_share"] == pytest.approx(
        row["专业技术人员"] / row["各种职业人口总计"] * 100
    )


@pytest.mark.needs_shared
def test_city_patents_equal_the_raw_275_city_file(shared_raw: Path) -> None:
    raw = pd.read_csv(shared_raw / "xiaofanliang+intercity_connectivity/Data/CN_Public.csv")
    packaged = load_subnational("prefecture", ["city_patents_2016"]).set_index("region")["value"]
    assert len(packaged) == len(raw) == 275
    assert packaged["310000"] == raw.loc[raw["cityName_CN"] == "上海", "Patent"].iloc[0]
    assert packaged["340100"] == raw.loc[raw["cityId"] == 340100, "Patent"].iloc[0]


@pytest.mark.parametrize("name", ["city", "county"])
def test_subnational_frameworks_use_the_subnational_catalog(name: str) -> None:
    from nqpf.index.framework import load_framework
    from nqpf.indicators import subnational_specs

    fw = load_framework(name)
    specs = subnational_specs()
    assert set(fw.indicator_ids) <= set(specs)
    for node in fw.indicators:
        assert node.rationale and node.direction == {"+": 1, "-": -1}[specs[node.id].direction]
    assert fw.years == (2020, 2020)


def test_city_framework_runs_on_the_packaged_prefecture_panel() -> None:
    import nqpf
    from nqpf.index.framework import load_framework

    fw = load_framework("city")
    long = load_subnational("prefecture", fw.indicator_ids, years=[2020])
    complete = long.groupby("region")["indicator"].nunique() == len(fw.indicator_ids)
    long = long[long["region"].isin(complete[complete].index)]
    result = nqpf.assess(long, framework="city")
    scores = result.scores.set_index("region")
    assert 280 <= len(scores) <= 340
    # 深圳, 北京 and 上海 lead any talent-and-knowledge ranking of Chinese cities
    top10 = set(scores.nsmallest(10, "rank").index)
    assert {"440300", "110000", "310000"} <= top10
