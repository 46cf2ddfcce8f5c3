"""Chained imputation, missingness rules, and the peer study's published scores reproduced from
its raw spreadsheet in one call of :func:`nqpf.assess`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nqpf
from nqpf.errors import InputError
from nqpf.index.impute import drop_sparse, impute, impute_steps, missing_shares, parse_chain

DATA = Path(__file__).parent / "data"

# ---------------------------------------------------------------------- the peer study
#: The study's eight NQPF indicators (all benefit), as ASCII ids.
PEER_INDICATORS = {
    "rd_staff": "每万人R&D人员（人年/万人）",
    "rd_funds": "人均R&D经费（万元/万人）",
    "patents": "每万人专利授权数（件/万人）",
    "ecommerce": "人均电商销售额（亿元/万人）",
    "software": "人均软件产品收入（亿元/万人）",
    "tech_market": "人均技术市场成交额（万元/万人）",
    "telecom": "人均电信业务总量（亿元/万人）",
    "fin_inclusion": "数字普惠金融总指数",
}
PEER_FRAMEWORK = {
    "id": "peer-127ww",
    "pillars": [
        {"id": "nqp", "indicators": [{"id": k, "direction": "+"} for k in PEER_INDICATORS]}
    ],
}


def peer_long(raw: pd.DataFrame) -> pd.DataFrame:
    """The study's raw columns as long data; the two per-capita ratios it derives itself are
    derived the same way (total / 总人口)."""
    raw = raw.copy()
    raw["人均技术市场成交额（万元/万人）"] = raw["技术市场成交额（万元）"] / raw["总人口（万人）"]
    raw["人均电信业务总量（亿元/万人）"] = raw["电信业务总量（亿元）"] / raw["总人口（万人）"]
    wide = raw.rename(columns={v: k for k, v in PEER_INDICATORS.items()})
    wide = wide.rename(columns={"省份": "region", "年份": "year"})
    return wide.melt(["region", "year"], list(PEER_INDICATORS), "indicator", "value")


def assert_reproduces(raw: pd.DataFrame, published: pd.Series) -> None:
    a = nqpf.assess(
        peer_long(raw),
        framework=PEER_FRAMEWORK,
        normalize="minmax",
        scope="panel",
        weights="entropy,critic",
        combine="mean",
        entropy_shift=1e-5,
        aggregate="linear",
        impute=["linear", "ffill_bfill", "column_mean"],
    )
    ours = a.scores.set_index(["region", "year"])["index"]
    ours, theirs = ours.align(published, join="inner")
    assert len(ours) == 403
    # The study divides by (max − min + 1e-9) in its min-max; that moves scores by < 1e-8.
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-6)
    assert float(np.abs(ours - theirs).max()) < 1e-8
    # every filled value is flagged: software has one province missing in all years
    assert int(a.imputed["software"].sum()) == int(
        peer_long(raw).query("indicator == 'software'")["value"].isna().sum()
    )


def test_peer_scores_from_the_derived_fixture() -> None:
    frame = pd.read_csv(DATA / "peer_127ww_nqp.csv")
    published = frame.set_index(["省份", "年份"])["score"]
    published.index = published.index.set_names(["region", "year"])
    assert_reproduces(frame.drop(columns="score"), published)


@pytest.mark.needs_shared
def test_peer_scores_from_the_raw_spreadsheet(shared_raw: Path) -> None:
    base = shared_raw / "127ww+nqp-spatial-development/data"
    raw = pd.read_excel(base / "raw/面板原始数据_合并版v2.xlsx")
    scores = pd.read_csv(base / "面板数据_最终测度得分结果.csv", encoding="utf-8-sig")
    published = scores.set_index(["省份", "年份"])["新质生产力_组合得分"]
    published.index = published.index.set_names(["region", "year"])
    assert_reproduces(raw, published)


def test_peer_scores_need_the_column_mean_step() -> None:
    frame = pd.read_csv(DATA / "peer_127ww_nqp.csv").drop(columns="score")
    with pytest.raises(
        InputError,
        match=r"after imputation linear,ffill_bfill, 13 value\(s\) still missing \(software 13\)",
    ):
        nqpf.assess(
            peer_long(frame),
            framework=PEER_FRAMEWORK,
            weights="entropy,critic",
            impute="linear,ffill_bfill",
        )


# ---------------------------------------------------------------------- chain semantics
def panel() -> pd.DataFrame:
    idx = pd.MultiIndex.from_product(
        [["a", "b", "c"], [2019, 2020, 2021, 2022]], names=["region", "year"]
    )
    x = pd.DataFrame(
        {
            #        a: 2019..2022            b                        c
            "v": [np.nan, 2.0, np.nan, 6.0, 1.0, 1.0, 1.0, np.nan, np.nan, np.nan, np.nan, np.nan],
            "w": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 40.0, 5.0, np.nan, 7.0, 8.0],
        },
        index=idx,
    )
    return x


def test_chain_applies_methods_in_order_and_counts_each_step() -> None:
    filled, flags, counts = impute_steps(panel(), "linear,ffill_bfill,column_mean")
    v = filled["v"]
    # a: interior 2021 by interpolation (2 → 6 over 2020–2022: 4), 2019 by bfill (2)
    assert v.loc[("a", 2021)] == 4.0 and v.loc[("a", 2019)] == 2.0
    assert v.loc[("b", 2022)] == 1.0  # ffill
    # c has no value: the panel mean after the previous steps: a 2,2,4,6; b 1,1,1,1 → 18/8
    assert v.loc[("c", 2020)] == pytest.approx(18 / 8)
    assert filled["w"].loc[("c", 2020)] == 6.0
    assert int(flags.to_numpy().sum()) == 8
    table = {(r.method, r.indicator): r.n_filled for r in counts.itertuples()}
    assert table == {
        ("linear", "v"): 1,
        ("linear", "w"): 1,
        ("ffill_bfill", "v"): 2,
        ("column_mean", "v"): 4,
    }


def test_year_mean_and_column_mean_differ_as_stated() -> None:
    x = panel()
    by_year, _ = impute(x, "year_mean")
    # 2020: a 2, b 1 → 1.5 for c
    assert by_year["v"].loc[("c", 2020)] == 1.5
    # 2021: only b observed → 1
    assert by_year["v"].loc[("a", 2021)] == 1.0
    pooled, _ = impute(x, "column_mean")
    assert pooled["v"].loc[("c", 2020)] == pytest.approx(np.nanmean(x["v"]))


def test_linear_extrapolate_continues_the_line_at_both_ends() -> None:
    idx = pd.MultiIndex.from_product(
        [["a"], [2018, 2019, 2020, 2022, 2023, 2024]], names=["region", "year"]
    )
    x = pd.DataFrame({"v": [np.nan, 3.0, 5.0, np.nan, 11.0, np.nan]}, index=idx)
    filled, flags = impute(x, "linear_extrapolate")
    # slope 2 at the start: 2018 → 1; interior 2022 → 5 + (11−5)·2/3 = 9; end slope (11−9?) uses
    # observed points 2020 (5) and 2023 (11): 2/yr → 2024 = 13
    assert filled["v"].tolist() == pytest.approx([1.0, 3.0, 5.0, 9.0, 11.0, 13.0])
    assert flags["v"].tolist() == [True, False, False, True, False, True]
    plain, _ = impute(x, "linear")
    assert np.isnan(plain["v"].iloc[0]) and np.isnan(plain["v"].iloc[-1])


def test_parse_chain_validates() -> None:
    assert parse_chain(["linear", " column_mean "]) == ("linear", "column_mean")
    with pytest.raises(InputError, match="unknown imputation method 'mice'"):
        parse_chain("linear,mice")
    with pytest.raises(InputError, match="'none' cannot be part"):
        parse_chain("none,linear")
    with pytest.raises(InputError, match="empty imputation chain"):
        parse_chain(" , ")


# ---------------------------------------------------------------------- missingness rules
def test_missing_shares_and_drop_sparse() -> None:
    x = panel()
    by_unit, by_ind = missing_shares(x)
    assert by_unit.to_dict() == {"a": 2 / 8, "b": 1 / 8, "c": 5 / 8}
    assert by_ind.to_dict() == {"v": 7 / 12, "w": 1 / 12}
    kept, dropped = drop_sparse(x, max_missing_unit=0.5)
    assert dropped.units == {"c": 5 / 8}
    assert sorted(set(kept.index.get_level_values("region"))) == ["a", "b"]
    kept, dropped = drop_sparse(x, max_missing_indicator=0.5, max_missing_unit=0.2)
    assert list(kept.columns) == ["w"] and dropped.indicators == {"v": 7 / 12}
    # units judged on the indicators kept: only c has a gap in w (1/4 > 0.2)
    assert dropped.units == {"c": 0.25}
    assert dropped.messages() == [
        "剔除地区 dropped region c: 25% missing",
        "剔除指标 dropped indicator v: 58% missing",
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_missing_unit": 1.0}, r"max_missing_unit = 1.0 is outside \[0, 1\)"),
        ({"max_missing_indicator": -0.1}, r"outside \[0, 1\)"),
        ({"max_missing_indicator": 0.0}, "every indicator has more than 0% missing"),
    ],
)
def test_drop_sparse_bad_thresholds(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(InputError, match=match):
        drop_sparse(panel(), **kwargs)


def test_assess_drops_sparse_units_with_a_message() -> None:
    frame = pd.read_csv(DATA / "peer_127ww_nqp.csv").drop(columns="score")
    a = nqpf.assess(
        peer_long(frame),
        framework=PEER_FRAMEWORK,
        weights="equal",
        impute="linear,ffill_bfill",
        max_missing_unit=0.1,
    )
    dropped = a.options["dropped"]
    assert len(dropped) == 1 and dropped[0].startswith("剔除地区 dropped region 西藏")
    assert "西藏" not in set(a.scores["region"])
