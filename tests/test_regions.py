"""Region registry: names, codes, aliases, OCR misreadings, groups and groupings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nqpf.errors import InputError, RegionIsGroupError, UnknownRegionError
from nqpf.regions import (
    GROUPINGS,
    NATIONAL_CODE,
    classify_region,
    group_of,
    members,
    normalize_region,
    province_codes,
    provinces,
    region_name,
)


def test_31_provinces_with_unique_codes_and_names() -> None:
    table = provinces()
    assert len(table) == 31
    assert table["region"].is_unique and table["region_name"].is_unique
    assert table["iso"].is_unique and table["name_en"].is_unique
    assert NATIONAL_CODE not in set(table["region"])
    assert all(code.endswith("0000") and len(code) == 6 for code in table["region"])


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("北京", "110000"),
        ("北京市", "110000"),
        ("Beijing", "110000"),
        ("CN-BJ", "110000"),
        (110000, "110000"),
        (110000.0, "110000"),
        ("110000.0", "110000"),
        ("内蒙古自治区", "150000"),
        ("内蒙古", "150000"),
        ("内蒙", "150000"),
        ("Inner Mongolia", "150000"),
        ("新疆维吾尔自治区", "650000"),
        ("广西壮族自治区", "450000"),
        ("黑龙 江", "230000"),
        ("北   京", "110000"),
        ("\u3000上海\u3000", "310000"),
        # OCR misreadings in the S&T yearbook tables (MANIFEST §1)
        ("两藏", "540000"),
        ("四藏", "540000"),
        ("山两", "140000"),
        ("内蒙占", "150000"),
        ("江四", "360000"),
        ("江两", "360000"),
        ("浙汀", "330000"),
        # a sub-provincial city listed beside the provinces (Tushare stock_basic)
        ("深圳", "440000"),
        ("Shaanxi", "610000"),
        ("Shanxi", "140000"),
        ("CN-AH", "340000"),
    ],
)
def test_normalize_region(label: object, code: str) -> None:
    assert normalize_region(label) == code


def test_similar_names_are_not_confused() -> None:
    # a character-level OCR repair (四→西) would break 四川; the alias table must not.
    assert normalize_region("四川") == "510000"
    assert normalize_region("山西") == "140000" != normalize_region("陕西")
    assert normalize_region("江西") == "360000"


@pytest.mark.parametrize("label", ["东部地区", "尔部地区", "中部地区", "西部地区", "东北地区"])
def test_subtotals_are_groups_not_provinces(label: str) -> None:
    kind, group = classify_region(label)
    assert kind == "group"
    with pytest.raises(RegionIsGroupError, match="regional subtotal"):
        normalize_region(label)
    assert group in GROUPINGS["four-regions"]


def test_national_total_is_kept_apart() -> None:
    assert classify_region("全   国") == ("national", NATIONAL_CODE)
    with pytest.raises(UnknownRegionError, match="national total"):
        normalize_region("全国")
    assert region_name(NATIONAL_CODE) == "全国"


def test_unknown_name_suggests_closest() -> None:
    with pytest.raises(UnknownRegionError) as info:
        normalize_region("江苏省省")
    assert "江苏" in info.value.suggestions
    assert "did you mean" in str(info.value)
    with pytest.raises(UnknownRegionError) as info:
        normalize_region("Guangdon")
    assert "Guangdong" in info.value.suggestions


def test_four_regions_and_three_belts_partition_the_31() -> None:
    sizes = {g: len(c) for g, c in GROUPINGS["four-regions"].items()}
    assert sizes == {"东部": 10, "中部": 6, "西部": 12, "东北": 3}
    assert {g: len(c) for g, c in GROUPINGS["three-belts"].items()} == {
        "东部": 11,
        "中部": 8,
        "西部": 12,
    }
    for grouping in GROUPINGS.values():
        codes = [c for group in grouping.values() for c in group]
        assert sorted(codes) == sorted(province_codes())


def test_group_lookup() -> None:
    assert group_of("340000") == "中部"
    assert group_of("210000", grouping="three-belts") == "东部"
    assert members("East") == members("东部地区") == GROUPINGS["four-regions"]["东部"]
    with pytest.raises(InputError, match="four-regions"):
        members("东部", grouping="five-regions")


@given(
    st.sampled_from(province_codes()), st.lists(st.sampled_from([" ", "\u3000", "\t"]), max_size=3)
)
def test_whitespace_anywhere_in_a_name_is_ignored(code: str, spaces: list[str]) -> None:
    name = region_name(code)
    padded = name[0] + "".join(spaces) + name[1:]
    assert normalize_region(padded) == code


def _raw_region_labels(raw: Path) -> set[str]:
    labels: set[str] = set()
    for path in (raw / "huhuaping+techme" / "data").glob("*.rda.csv"):
        frame = pd.read_csv(path)
        if "province" in frame:
            labels |= set(frame["province"].dropna().astype(str))
    wang = raw / (
        "WangMeng0734+china-provincial-energy-consumption-panel/"
        "energy-consumption-forecasting-china/02_Data/csv/raw_data.csv"
    )
    labels |= set(pd.read_csv(wang)["Province"].astype(str))
    stock = pd.read_csv(raw / "yzq129+quant-factor" / "stock_basic.csv")
    labels |= set(stock["area"].dropna().astype(str))
    merged = pd.read_csv(
        raw / "RenJiyi163+panel_data_analysis_for_thesis" / "分省年度数据_整合.csv",
        encoding="utf-8-sig",
    )
    labels |= set(merged["地区"].astype(str))
    panel = pd.read_excel(raw / "127ww+nqp-spatial-development/data/raw/面板原始数据_合并版v2.xlsx")
    labels |= set(panel["省份"].astype(str))
    ceads = pd.read_csv(
        raw
        / (
            "Open-Earth-Foundation+OpenClimate/harmonize/data/processed/"
            "CEADS_china_provinces/EmissionsAgg.csv"
        )
    )
    labels |= set(ceads["actor_id"].astype(str))
    return labels


def test_every_region_label_in_the_raw_data_resolves(shared_raw: Path) -> None:
    labels = _raw_region_labels(shared_raw)
    assert len(labels) > 100
    kinds = {label: classify_region(label)[0] for label in labels}
    assert set(kinds.values()) <= {"province", "group", "national", "city"}
    assert {label for label, kind in kinds.items() if kind == "group"} == {"尔部地区"}
    assert {label for label, kind in kinds.items() if kind == "city"} == {"深圳"}
    provinces_seen = {normalize_region(lab) for lab, kind in kinds.items() if kind == "province"}
    assert provinces_seen == set(province_codes())


def test_find_division_by_code_name_and_short_name() -> None:
    from nqpf.regions import division_name, find_division

    assert find_division("340123") == "340123"
    assert find_division("肥西县") == "340123" == find_division("肥西")
    assert find_division("合肥") == "340100"
    assert find_division("安徽省") == "340000"
    assert find_division("深圳") == "440300"
    assert division_name("340123") == "肥西县"
    assert division_name("340000") == "安徽省"
    # 2010 divisions differ: 崇文区 merged into 东城区 in 2010
    assert find_division("崇文区", census_year=2010) == "110103"
    with pytest.raises(UnknownRegionError):
        find_division("崇文区")


def test_find_division_ambiguity_lists_candidates_and_within_resolves() -> None:
    from nqpf.regions import find_division

    with pytest.raises(
        InputError, match=r"230404 南山区 \(黑龙江 鹤岗市\), 440305 南山区 \(广东 深圳市\)"
    ) as info:
        find_division("南山区")
    assert "within" in str(info.value)
    assert find_division("南山区", within="广东") == "440305"
    assert find_division("南山区", within="深圳") == "440305"
    assert find_division("朝阳区", within="110000") == "110105"
