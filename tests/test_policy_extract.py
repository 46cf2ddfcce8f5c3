"""Extraction from policy text, pinned on the seed article and on hand-made sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from nqpf.policy.extract import extract, sentences
from nqpf.policy.fields import map_field, map_fields
from tests.conftest import SHARED_SEED


@pytest.fixture(scope="module")
def seed_items() -> tuple[str, pd.DataFrame]:
    if not SHARED_SEED.exists():
        pytest.skip("the seed article is not beside the checkout")
    from nqpf.services.policy import packaged_corpus

    corpus = packaged_corpus().set_index("key")
    body = str(corpus.loc["seed-ndrc-2025", "text"])
    return body, extract(body, year=2025, doc_type="article")


def _row(items: pd.DataFrame, phrase_part: str) -> pd.Series:
    numbers = items[items["kind"].isin(["quantity", "target"])]
    found = numbers[numbers["phrase"].str.contains(phrase_part, regex=False, na=False)]
    assert len(found) >= 1, phrase_part
    return found.iloc[0]


def test_packaged_seed_is_the_article_without_the_portal_frame() -> None:
    from nqpf.services.policy import packaged_corpus

    seed = packaged_corpus().set_index("key").loc["seed-ndrc-2025"]
    assert seed["title"] == "因地制宜发展新质生产力"
    assert seed["issuer"] == "国家发展改革委创新和高技术发展司"
    assert not str(seed["text"]).startswith("- 企业")
    assert not str(seed["text"]).endswith("评论区")


def test_rd_intensity_from_to(seed_items: tuple[str, pd.DataFrame]) -> None:
    body, items = seed_items
    row = _row(items, "研发投入强度从2020年的2.41%提高到2024年的2.69%")
    assert row["indicator"] == "rd_intensity"
    assert (row["base_value"], row["base_year"], row["value"], row["year"]) == (
        2.41,
        2020,
        2.69,
        2024,
    )
    assert row["unit"] == "%" and row["comparison"] == "from_to" and row["kind"] == "quantity"
    assert body[row["start"] : row["end"]] == row["phrase"]
    assert body[row["sentence_start"] : row["sentence_end"]].startswith(
        "“十四五”时期,我国研发投入强度"
    )


def test_5g_base_stations(seed_items: tuple[str, pd.DataFrame]) -> None:
    body, items = seed_items
    row = _row(items, "5G基站达到475.8万个")
    assert (row["indicator"], row["value"], row["unit"], row["comparison"]) == (
        "base_stations_5g",
        475.8,
        "万个",
        "reach",
    )
    assert body[row["start"] : row["end"]] == "5G基站达到475.8万个"


def test_share_continues_previous_subject_and_years(seed_items: tuple[str, pd.DataFrame]) -> None:
    _, items = seed_items
    funds = _row(items, "基础研究经费从2020年的1467亿元增至2024年的2500亿元")
    assert (funds["base_value"], funds["value"], funds["unit"]) == (1467.0, 2500.0, "亿元")
    share = _row(items, "从6.01%提高到6.88%")
    assert share["indicator"] == "basic_research_share"
    assert share["subject"] == "基础研究经费占研发投入的比重"
    assert (share["base_year"], share["year"]) == (2020, 2024)


def test_respectively_pairs_subjects_with_values(seed_items: tuple[str, pd.DataFrame]) -> None:
    _, items = seed_items
    growth = items[(items["unit"] == "%") & items["value"].isin([7.9, 8.7])]
    assert growth.sort_values("value")["subject"].tolist() == ["装备制造业", "高技术制造业增加值"]
    shares = items[items["value"].isin([34.6, 16.3])].sort_values("value", ascending=False)
    assert shares["subject"].tolist() == [
        "装备制造业占规模以上工业比重",
        "高技术制造业增加值占规模以上工业比重",
    ]


def test_seed_counts_and_offsets(seed_items: tuple[str, pd.DataFrame]) -> None:
    body, items = seed_items
    numbers = items[items["kind"].isin(["quantity", "target"])]
    # every figure of the article with a unit (years excluded), none of them a target
    assert len(numbers) == 34
    assert (numbers["kind"] == "quantity").all()
    for row in items.itertuples():
        assert body[row.start : row.end] == row.phrase
    assert {"sei_share", "rd_intensity", "rd_basic_total", "basic_research_share"} <= set(
        numbers["indicator"].dropna()
    )
    sei = _row(items, "战略性新兴产业增加值占GDP的比重由2020年的11.7%提高到2024年的13.4%")
    assert (sei["base_value"], sei["value"]) == (11.7, 13.4)


def test_seed_industries_and_measures(seed_items: tuple[str, pd.DataFrame]) -> None:
    _, items = seed_items
    fields = set(items.loc[items["kind"] == "industry", "industry"])
    assert {"integrated_circuits", "new_energy_vehicles", "artificial_intelligence"} <= fields
    pillars = items.loc[items["kind"] == "measure", "pillar"].value_counts()
    assert set(pillars.index) == {"tech", "industry", "digital", "green", "talent", "openness"}


def test_goal_statement_targets_and_qualifiers() -> None:
    text = (
        "过去一年国内生产总值增长5.2%。\n"
        "今年发展主要预期目标是：\n"
        "国内生产总值增长5%左右；城镇新增就业1200万人以上，城镇调查失业率5.5%左右；"
        "单位国内生产总值能耗降低2.5%左右。\n"
        "到2030年，研发经费投入强度达到3%。"
    )
    items = extract(text, year=2024, doc_type="work_report")
    numbers = items[items["kind"].isin(["quantity", "target"])]
    got = [
        tuple(
            None if pd.isna(v) else v
            for v in (r.kind, r.indicator, r.value, r.year, r.comparison, r.basis)
        )
        for r in numbers.itertuples()
    ]
    assert got == [
        ("quantity", "gdp_growth", 5.2, None, "increase", None),
        ("target", "gdp_growth", 5.0, 2024, "increase:approx", "goal"),
        ("target", "urban_new_jobs", 1200.0, 2024, "level:at_least", "goal"),
        ("target", "surveyed_unemployment", 5.5, 2024, "level:approx", "goal"),
        ("target", "energy_intensity_cut", 2.5, 2024, "decrease:approx", "goal"),
        ("target", "rd_intensity", 3.0, 2030, "reach", "ahead"),
    ]


def test_range_gives_lower_bound() -> None:
    items = extract(
        "今年发展的主要预期目标是：国内生产总值增长6.5%－7%。", year=2016, doc_type="work_report"
    )
    row = items[items["kind"] == "target"].iloc[0]
    assert (row["value"], row["comparison"], row["phrase"]) == (
        6.5,
        "increase:range",
        "国内生产总值增长6.5%－7%",
    )


def test_modifier_is_not_the_indicator() -> None:
    items = extract("科技进步对经济增长的贡献率达到60%。", year=2016)
    assert items.iloc[0]["indicator"] is None or pd.isna(items.iloc[0]["indicator"])


def test_sentences_offsets() -> None:
    text = "甲。乙；\n丙"
    assert [text[a:b] for _, a, b in sentences(text)] == ["甲。", "乙；", "丙"]


def test_field_mapping_and_unmapped_are_listed_with_suggestions() -> None:
    assert map_field("人工智能+") == "artificial_intelligence"
    assert map_field("可控核聚变") == "nuclear_fusion"
    from nqpf.errors import InputError

    with pytest.raises(InputError, match=r"2 declared .*row 3: '区块链'.*row 4: '文旅'") as info:
        map_fields(pd.Series(["低空经济", "区块链", "文旅"]), file="declared.csv")
    assert "declared.csv" in str(info.value)
