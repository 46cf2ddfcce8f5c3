"""The packaged declared priorities (nqpf/policy/declared_priorities.csv): every row sourced,
quoted and mapped to the industry typing; coverage pinned; a few rows pinned."""

from __future__ import annotations

import pandas as pd
import pytest

from nqpf.industry.classification import industry_types, load_typing
from nqpf.policy.fields import load_fields
from nqpf.services.plan import load_declared

DOC_TYPES = {"work_report", "plan", "policy", "official_statement"}


@pytest.fixture(scope="module")
def declared() -> pd.DataFrame:
    return load_declared()


def test_every_row_has_url_phrase_document_date_and_type(declared: pd.DataFrame) -> None:
    assert declared["source_url"].str.match(r"^https?://[^\s]+$").all()
    for column in ("phrase", "document", "source_note"):
        assert declared[column].fillna("").str.strip().ne("").all(), column
    assert declared["date"].str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?").all()
    assert set(declared["doc_type"]) <= DOC_TYPES
    for row in declared.itertuples():
        assert row.industry in row.phrase, (row.region, row.industry)
    # no row repeats the same (region, industry word, document)
    assert not declared.duplicated(["region", "industry", "document"]).any()


def test_every_row_maps_to_the_industry_typing(declared: pd.DataFrame) -> None:
    fields = load_fields().set_index("field")
    typing = load_typing()
    listed = set(industry_types("listed").index)
    assert declared["field"].isin(fields.index).all()
    for field in declared["field"].unique():
        entry = fields.loc[field]
        if entry["type"] == "emerging":
            assert int(entry["category"]) in typing["emerging_categories"], field
        else:
            assert entry["direction"] in typing["future_directions"], field
        assert set(entry["industries"]) <= listed, field


def test_coverage_is_all_31_provinces(declared: pd.DataFrame) -> None:
    from nqpf.regions import province_codes

    codes = set(province_codes())
    assert len(codes) == 31
    assert set(declared["region"]) == codes
    assert len(declared) == 177
    reports = declared.loc[declared["doc_type"] == "work_report", "region"].nunique()
    assert reports == 18
    recent = declared[(declared["doc_type"] == "work_report") & (declared["date"] >= "2025")]
    assert recent["region"].nunique() == 12


@pytest.mark.parametrize(
    ("region", "industry", "field", "date", "url_part"),
    [
        ("110000", "工业母机", "high_end_equipment", "2025-01-14", "wb.beijing.gov.cn"),
        ("410000", "碳基新材料", "new_materials", "2025-01-18", "steelnails.cn"),
        ("360000", "大飞机", "aerospace", "2026-01-27", "idongdian.com"),
        ("440000", "具身智能", "humanoid_robots", "2025-02-05", "nasser.cn"),
        ("510000", "新能源与智能网联汽车", "new_energy_vehicles", "2024-01-22", "1674581"),
        ("530000", "新能源电池", "energy_storage", "2024-05-31", "smm.cn"),
        ("140000", "信息技术应用创新", "software", "2021-04-30", "kb9.cn"),
        ("130000", "半导体", "integrated_circuits", "2023-04-20", "xiongan.gov.cn"),
        ("350000", "海上风电", "photovoltaics_wind", "2024-04-08", "hxnews.com"),
        ("430000", "前沿材料", "new_materials", "2024-05-10", "zjwx.net"),
        ("630000", "绿色算电协同", "artificial_intelligence", "2025-01", "qh.news.cn"),
        ("620000", "航空航天", "aerospace", "2025-12-22", "hkcd.com"),
        ("520000", "新能源电池", "energy_storage", "2026-01-07", "gxt.guizhou.gov.cn"),
    ],
)
def test_pinned_rows(
    declared: pd.DataFrame, region: str, industry: str, field: str, date: str, url_part: str
) -> None:
    row = declared[(declared["region"] == region) & (declared["industry"] == industry)]
    assert len(row) == 1
    got = row.iloc[0]
    assert (got["field"], got["date"]) == (field, date)
    assert url_part in got["source_url"]


def test_most_declared_fields(declared: pd.DataFrame) -> None:
    counts = declared.groupby("field")["region"].nunique()
    assert counts["artificial_intelligence"] == 15
    assert counts["low_altitude"] == 13
    assert counts["new_materials"] == 16
    assert counts.sum() == 158  # distinct (province, field) pairs
