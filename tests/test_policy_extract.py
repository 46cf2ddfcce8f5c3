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


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一万亿", 1e12),
        ("三千万", 3e7),
        ("两千三百零五", 2305.0),
        ("一亿二千万", 1.2e8),
        ("一百零五", 105.0),
        ("十五", 15.0),
        ("二十", 20.0),
        ("十亿", 1e9),
        ("零点五", 0.5),
        ("二〇二五", 2025.0),
        ("4.5", 4.5),
    ],
)
def test_cn_number(text: str, value: float) -> None:
    from nqpf.policy.extract import cn_number

    assert cn_number(text) == value


def test_cn_number_rejects_words() -> None:
    from nqpf.policy.extract import cn_number

    with pytest.raises(ValueError, match="not a number"):
        cn_number("十四五规划")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("居民消费价格涨幅百分之五左右。", [("居民消费价格", 5.0, "%", "increase:approx")]),
        ("城镇新增就业三千万人以上。", [("城镇新增就业", 3000.0, "万人", "level:at_least")]),
        ("发行超长期特别国债一万亿元。", [("发行超长期特别国债", 1.0, "万亿元", "level")]),
        ("进出口贸易总额增长两倍。", [("进出口贸易总额", 2.0, "倍", "increase")]),
        ("赤字率提高零点五个百分点。", [("赤字率", 0.5, "个百分点", "increase")]),
        ("研发经费从一千亿元提高到两千亿元。", [("研发经费", 2000.0, "亿元", "from_to")]),
        ("出台二十项措施。", [("出台", 20.0, "项", "level")]),
        # not numbers: 十四五, an ordinal, small numerals before measure words, idioms
        ("“十四五”时期，实施第十四个五年规划，五个坚持，一个中心，惠及千家万户。", []),
        ("坚持两个毫不动摇，推动一批项目落地。", []),
    ],
)
def test_chinese_numerals(text: str, expected: list[tuple[str, float, str, str]]) -> None:
    items = extract(text, year=2024)
    got = [(r.subject, r.value, r.unit, r.comparison) for r in items.itertuples()]
    assert got == expected
    for row in items.itertuples():
        assert text[row.start : row.end] == row.phrase


def test_chinese_numeral_from_to_keeps_the_base() -> None:
    items = extract("研发经费从一千亿元提高到两千亿元。", year=2024)
    assert items.loc[0, "base_value"] == 1000.0


def test_item_columns_have_one_definition() -> None:
    """The repository reads its item columns from the table; the extractor's are the same."""
    from nqpf.db import policy_repo
    from nqpf.db.policy import PolicyItem
    from nqpf.policy.extract import ITEM_COLUMNS

    assert ["document_id", *ITEM_COLUMNS] == policy_repo.ITEM_COLUMNS
    assert [c.name for c in PolicyItem.__table__.columns][2:] == ITEM_COLUMNS
