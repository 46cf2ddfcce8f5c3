"""Assessment and the analyses around it below the province: ``--level prefecture|county``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import nqpf
from nqpf.cli import app
from nqpf.data import load_subnational
from nqpf.errors import InputError, UnknownRegionError
from nqpf.index.framework import load_framework
from nqpf.regions import division_table, find_unit, group_of, members, region_name
from nqpf.services.assessment import AssessmentSpec
from nqpf.services.disparity import DisparitySpec, diagnose, disparity, unit_groups


def test_level_picks_the_levels_framework_and_refuses_provincial_ones() -> None:
    assert AssessmentSpec(level="prefecture").framework == "city"
    assert AssessmentSpec(level="county").framework == "county"
    assert AssessmentSpec().framework == "ndrc"
    with pytest.raises(InputError, match="three-elements"):
        AssessmentSpec(framework="three-elements", level="county")
    with pytest.raises(InputError, match="level"):
        AssessmentSpec(level="town")  # type: ignore[arg-type]


def test_prefecture_assessment_equals_the_framework_run_on_the_loaded_panel() -> None:
    """`level="prefecture"` is the city framework on the packaged prefecture panel, units with
    a missing value dropped (the framework's ``defaults: max_missing_unit: 0``)."""
    a = nqpf.assess(level="prefecture")
    fw = load_framework("city")
    long = load_subnational("prefecture", fw.indicator_ids, years=[2020])
    complete = long.groupby("region")["indicator"].nunique() == len(fw.indicator_ids)
    direct = nqpf.assess(long[long["region"].isin(complete[complete].index)], framework="city")
    pd.testing.assert_frame_equal(
        a.scores.reset_index(drop=True), direct.scores.reset_index(drop=True)
    )
    assert a.options["level"] == "prefecture" and a.framework.id == "city"
    dropped = set(complete[~complete].index)
    assert len(dropped) == len(a.options["dropped"]) == 42
    assert "152200" in dropped  # 兴安盟: not in the prefecture GDP panel


def test_county_regions_resolve_by_name() -> None:
    a = nqpf.assess(level="county", regions=["肥西县", "340181"])
    assert set(a.scores["region"]) == {"340123", "340181"}
    assert dict(zip(a.scores["region"], a.scores["region_name"], strict=True))["340123"] == "肥西县"


def test_assess_level_end_to_end(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["assess", "--level", "county", "--top", "3", "--out", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(tmp_path / "c" / "scores.csv", dtype={"region": str})
    assert 2_900 <= len(scores) <= 2_950
    assert scores.loc[scores["region"] == "340123", "region_name"].item() == "肥西县"
    # the terminal shows 3 rows, each with its code (county names repeat across China)
    assert result.output.count("│") > 0 and "110108" in result.output
    result = runner.invoke(app, ["assess", "--level", "prefecture", "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "… 另 37 条 and 37 more" in result.output  # 42 dropped units, 5 shown
    scores = pd.read_csv(tmp_path / "p" / "scores.csv", dtype={"region": str})
    assert len(scores) == 295 and "340100" in set(scores["region"])
    bad = runner.invoke(app, ["assess", "--level", "town"])
    assert bad.exit_code != 0


# ---------------------------------------------------------------------- names of units
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("合肥", ("prefecture", "340100")),
        ("合肥市", ("prefecture", "340100")),
        ("340100", ("prefecture", "340100")),
        ("肥西县", ("county", "340123")),
        ("340123", ("county", "340123")),
        ("安徽", ("province", "340000")),
        ("深圳", ("prefecture", "440300")),  # a 计划单列市 some sources list beside provinces
        ("仙桃", ("county", "429004")),  # county-level city directly under 湖北
        ("522400", ("prefecture", "520500")),  # 毕节地区's 2010 code → 毕节市
    ],
)
def test_find_unit(name: str, expected: tuple[str, str]) -> None:
    assert find_unit(name) == expected


def test_ambiguous_county_names_are_listed_with_province_and_prefecture() -> None:
    with pytest.raises(InputError) as info:
        find_unit("鼓楼区")
    text = str(info.value)
    for listed in (
        "320106 鼓楼区 (江苏 南京市)",
        "320302 鼓楼区 (江苏 徐州市)",
        "350102 鼓楼区 (福建 福州市)",
        "410204 鼓楼区 (河南 开封市)",
    ):
        assert listed in text
    assert "\n" not in text
    assert find_unit("鼓楼区", within="福州") == ("county", "350102")
    with pytest.raises(UnknownRegionError, match="prefecture or county"):
        find_unit("QQ")


@pytest.mark.parametrize("year", [2010, 2020])
def test_every_census_prefecture_and_county_code_resolves_to_its_level(year: int) -> None:
    for level in ("prefecture", "county"):
        table = division_table(level, census_year=year)  # type: ignore[arg-type]
        for code in table["code"]:
            assert find_unit(code, level=level, census_year=year) == (level, code)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- diagnosis
def test_diagnose_a_prefecture_against_its_province() -> None:
    d = diagnose("合肥")
    a = nqpf.assess(level="prefecture")
    scores = a.scores.set_index("region")
    assert (d.region, d.region_name, d.group) == ("340100", "合肥市", "安徽")
    row = d.trajectory.iloc[0]
    assert row["index"] == scores.loc["340100", "index"]
    anhui = scores[scores.index.str.startswith("34")]
    assert row["index_group"] == pytest.approx(anhui["index"].mean(), rel=1e-12)
    assert row["index_nation"] == pytest.approx(scores["index"].mean(), rel=1e-12)
    four = diagnose("合肥", grouping="four-regions")
    central = scores[[c[:2] + "0000" in members("中部") for c in scores.index]]
    assert four.group == "中部"
    assert four.trajectory["index_group"].iloc[0] == pytest.approx(central["index"].mean())
    with pytest.raises(InputError, match="below the province"):
        diagnose("安徽", grouping="province")


def test_diagnose_cli_for_hefei_and_feixi(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["diagnose", "合肥", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "合肥市 (340100, 安徽)" in result.output
    assert (tmp_path / "diagnosis.xlsx").exists()
    result = runner.invoke(app, ["diagnose", "肥西县"])
    assert result.exit_code == 0, result.output
    assert "肥西县 (340123, 安徽)" in result.output


# ---------------------------------------------------------------------- disparity
def _direct_dagum(y: np.ndarray, g: np.ndarray) -> tuple[float, float, dict[str, float]]:
    """G, G_w and each G_jj of Dagum (1997) from all pairwise differences (a direct
    double sum, independent of the sorted-pass implementation)."""
    n, mu = len(y), y.mean()
    total = np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * mu)
    within, g_w = {}, 0.0
    for label in np.unique(g):
        part = y[g == label]
        n_j, mu_j = len(part), part.mean()
        g_jj = np.abs(part[:, None] - part[None, :]).sum() / (2 * n_j * n_j * mu_j)
        within[str(label)] = g_jj
        g_w += g_jj * (n_j / n) * (n_j * mu_j / (n * mu))
    return float(total), g_w, within


@pytest.mark.parametrize("grouping", ["province", "four-regions"])
def test_dagum_at_prefecture_level_equals_a_direct_computation(grouping: str) -> None:
    spec = DisparitySpec(
        measure="city_gdp_per_capita",
        groups=grouping,  # type: ignore[arg-type]
        years=(2020,),
        level="prefecture",
    )
    report = disparity(spec)
    panel = load_subnational("prefecture", ["city_gdp_per_capita"], years=[2020])
    y = panel["value"].to_numpy(dtype=float)
    province = panel["region"].str[:2] + "0000"
    labels = (
        province.map(lambda c: region_name(c))
        if grouping == "province"
        else province.map(lambda c: group_of(c))
    )
    g, g_w, within = _direct_dagum(y, labels.to_numpy())
    summary = report.dagum.summary.iloc[0]
    assert summary["G"] == pytest.approx(g, rel=1e-10)
    assert summary["G_w"] == pytest.approx(g_w, rel=1e-10)
    assert summary["G_nb"] + summary["G_t"] == pytest.approx(g - g_w, rel=1e-10)
    got = report.dagum.within.set_index("group")["G_jj"]
    assert got.to_dict() == pytest.approx(within, rel=1e-10)
    assert len(got) == (31 if grouping == "province" else 4)
    # Moran's I over the prefectures with weights (all of the 2020 GDP panel's units)
    assert report.moran is not None and report.moran["n"].iloc[0] == len(y)


def test_unit_groups_small_case() -> None:
    codes = ["340100", "341200", "320500", "110000", "340123"]
    assert unit_groups(codes, "province") == {
        "340100": "安徽",
        "341200": "安徽",
        "320500": "江苏",
        "110000": "北京",
        "340123": "安徽",
    }
    assert unit_groups(codes, "three-belts")["110000"] == "东部"
    assert unit_groups(["340000", "110000"], "four-regions") == "four-regions"


def test_disparity_cli_at_county_level(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "disparity",
            "--level",
            "county",
            "--measure",
            "college_share",
            "--by",
            "province",
            "--year",
            "2010",
            "--year",
            "2020",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2010" in result.output and "安徽" in result.output
    assert (tmp_path / "disparity.xlsx").exists()
    bad = CliRunner().invoke(app, ["disparity", "--by", "province"])
    assert bad.exit_code != 0


# ---------------------------------------------------------------------- opportunities, similar
def test_opportunities_and_similar_pick_the_census_matrix_below_the_province() -> None:
    from nqpf.services.industry import SimilaritySpec, similar
    from nqpf.services.opportunities import OpportunitySpec, opportunities

    auto = opportunities(OpportunitySpec(region="肥西县"))
    explicit = opportunities(OpportunitySpec(region="肥西县", matrix="census2020"))
    assert auto.spec["matrix"] == "census2020" and auto.region == "340123"
    pd.testing.assert_frame_equal(auto.opportunities, explicit.opportunities)
    peers = similar(SimilaritySpec(region="合肥", top=3))
    assert peers.region == "340100" and peers.spec["matrix"] == "census2020"
    assert similar(SimilaritySpec(region="安徽", top=3)).spec["matrix"] == "listed"
    with pytest.raises(InputError, match="by province; '肥西县' is a county"):
        similar(SimilaritySpec(region="肥西县", matrix="listed"))


def test_opportunities_cli_for_feixi(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["opportunities", "肥西县", "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "肥西县 机会产业 opportunities（census2020" in result.output.replace("\n", "")


# ---------------------------------------------------------------------- against what experts know
def test_prefecture_gdp_per_capita_against_the_statistical_yearbook() -> None:
    """中国统计年鉴2021 (table 3-9, 人均地区生产总值 2020): 北京 164,889 元, 上海 155,768 元. The
    panel divides by year-end resident population, NBS by the year's mean: 0.01% and 0.1%."""
    gdppc = load_subnational("prefecture", ["city_gdp_per_capita"], years=[2020])
    values = gdppc.set_index("region")["value"]
    assert values["110000"] == pytest.approx(164_889, rel=2e-4)
    assert values["310000"] == pytest.approx(155_768, rel=1.5e-3)
    top8 = set(values.nlargest(8).index)
    # 克拉玛依, 无锡, 北京, 鄂尔多斯, 南京, 苏州, 深圳, 上海
    assert top8 == {"650200", "320200", "110000", "150600", "320100", "320500", "440300", "310000"}


def test_innovation_cities_lead_the_prefecture_index() -> None:
    """The ten cities press reports give as the top ten of the 国家创新型城市创新能力评价报告2021:
    nine are in the index's top 13 of the non-municipal prefectures (青岛 is 24th)."""
    scores = nqpf.assess(level="prefecture").scores
    cities = scores[~scores["region"].isin(["110000", "120000", "310000", "500000"])]
    ranked = list(cities.sort_values("index", ascending=False)["region_name"])
    top13 = set(ranked[:13])
    leaders = {
        "深圳市",
        "南京市",
        "杭州市",
        "广州市",
        "武汉市",
        "西安市",
        "苏州市",
        "长沙市",
        "合肥市",
    }
    assert leaders <= top13
    assert ranked.index("青岛市") + 1 == 24


def test_rank_correlation_with_the_external_nqpf_series() -> None:
    """Spearman ρ of the 2020 prefecture index with Cao & Dai's NQPF (docs/levels.md)."""
    from scipy.stats import spearmanr

    scores = nqpf.assess(level="prefecture").scores.set_index("region")["index"]
    external = load_subnational("prefecture", ["caodai_nqpf"], years=[2020])
    joined = pd.concat([scores, external.set_index("region")["value"]], axis=1, join="inner")
    assert len(joined) == 293
    rho = spearmanr(joined.iloc[:, 0], joined.iloc[:, 1]).statistic
    assert rho == pytest.approx(0.374, abs=5e-4)


@pytest.mark.needs_shared
def test_external_nqpf_series_equal_the_raw_file(shared_raw: Path) -> None:
    """Spot checks of Cao & Dai (2025) as packaged: 合肥 and 阜阳 (prefectures), 肥西县 (county)."""
    book = shared_raw / "RubyDai+New-Quality-Productive-Forces" / "NQPF_Data_China.xlsx"
    for sheet, level, code, year in (
        ("Second A.D.", "prefecture", 340100, 2020),
        ("Second A.D.", "prefecture", 341200, 2015),
        ("Third A.D.", "county", 340123, 2020),
    ):
        raw = pd.read_excel(book, sheet_name=sheet)
        row = raw[(raw["REGION CODE"] == code) & (raw["YEAR"] == year)].iloc[0]
        got = load_subnational(
            level,  # type: ignore[arg-type]
            ["caodai_nqpf", "caodai_gtfp"],
            years=[year],
            regions=[str(code)],
        ).set_index("indicator")["value"]
        assert got["caodai_nqpf"] == float(row["NQPF"])
        assert got["caodai_gtfp"] == float(row["GTFP"])


# ---------------------------------------------------------------------- audit
def test_audit_below_the_province_validates_against_cao_dai_and_checks_census_bases() -> None:
    """The audit of the prefecture assessment: the validation ρ is the Spearman ρ of the index
    with Cao & Dai's series (a full series: no top-n overlap), and the small-base check uses
    the census denominators of the sub-national catalog."""
    from scipy.stats import spearmanr

    from nqpf.services.audit import audit, ratio_denominators

    assert ratio_denominators("county")["college_share"] == "census_edu_population"
    assert ratio_denominators("prefecture")["city_gdp_per_capita"] == "city_population"
    result = audit(level="prefecture")
    tables = result.tables()
    v = tables["validation"].set_index("column")
    scores = result.tables()["rank_shift"]  # one row per assessed unit
    assert len(scores) == 295
    index = nqpf.assess(level="prefecture").scores.set_index("region")["index"]
    ref = load_subnational("prefecture", ["caodai_nqpf"], years=[2020]).set_index("region")
    joined = pd.concat([index, ref["value"]], axis=1, join="inner")
    assert v.loc["index", "n"] == len(joined) == 293
    assert v.loc["index", "spearman"] == pytest.approx(
        spearmanr(joined.iloc[:, 0], joined.iloc[:, 1]).statistic, rel=1e-12
    )
    assert v["top_overlap"].isna().all()


def test_audit_small_bases_at_county_level() -> None:
    """A county whose census occupation total is under 5 % of the median is a small base of
    professional_share (the 10 % long-form sample of a few thousand residents)."""
    from nqpf.services.audit import audit

    small = audit(level="county").tables()["small_bases"]
    occupation = load_subnational("county", ["census_occupation_total"], years=[2020])
    values = occupation.set_index("region")["value"]
    expected = set(values.index[values < 0.05 * values.median()])
    got = set(small.loc[small["indicator"] == "professional_share", "region"])
    assert expected and got == expected


def test_audit_cli_at_prefecture_level(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "--level", "prefecture", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Cao & Dai (2025) NQPF 2020: Spearman ρ = 0.374" in result.output
    assert (tmp_path / "audit.xlsx").exists()


@pytest.mark.needs_shared
def test_prefecture_census_values_equal_the_raw_tables(shared_raw: Path) -> None:
    """合肥 (2020) and 毕节 (2010, under its 2020 code 520500: 毕节地区 522400 then) as packaged
    equal the census prefecture rows, the shares recomputed from the raw counts by name."""
    base = shared_raw / "leiii+census/data/census"
    raw20 = pd.read_excel(base / "census_county_2020_v1.xlsx", sheet_name="七普（年鉴）")
    hefei = raw20[raw20["区划代码"] == 340100].iloc[0]
    college = hefei[["大学专科_男", "大学专科_女", "本科及以上_男", "本科及以上_女"]].sum()
    got = load_subnational(
        "prefecture", ["college_share", "professional_share"], years=[2020], regions=["合肥"]
    ).set_index("indicator")["value"]
    assert got["college_share"] == pytest.approx(college / hefei.iloc[69:83].sum() * 100)
    assert got["professional_share"] == pytest.approx(
        hefei["专业技术人员"] / hefei["各种职业人口总计"] * 100
    )
    raw10 = pd.read_excel(base / "census_county_2010_v1.xlsx")
    bijie = raw10[raw10["区划代码"] == 522400].iloc[0]
    levels = ["未上过学", "小学", "初中", "高中", "大学专科", "大学本科及以上"]
    edu = sum(float(bijie[f"{lv}-{s}"]) for lv in levels for s in ("男", "女"))
    college10 = sum(float(bijie[f"{lv}-{s}"]) for lv in levels[4:] for s in ("男", "女"))
    got10 = load_subnational("prefecture", ["college_share"], years=[2010], regions=["520500"])
    assert got10["value"].iloc[0] == pytest.approx(college10 / edu * 100)
    assert got10["flag"].iloc[0] == "2010 code 522400"


def test_diagnosis_counts_units_and_names_pillars(tmp_path: Path) -> None:
    """The trajectory counts the units ranked and those of the group; obstacles carry the
    framework's pillar names; the terminal shows rank/units and names, not pillar ids."""
    d = diagnose("合肥")
    scores = nqpf.assess(level="prefecture").scores
    row = d.trajectory.iloc[0]
    assert row["n_units"] == len(scores) == 295
    assert row["n_group"] == int(scores["region"].str.startswith("34").sum())
    names = {p.id: p.name_zh for p in load_framework("city").pillars}
    assert d.obstacles["pillar_name"].tolist() == d.obstacles["pillar"].map(names).tolist()
    assert set(d.pillar_obstacles["pillar_name"]) == set(names.values())
    result = CliRunner().invoke(app, ["diagnose", "合肥"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert f"{int(row['rank'])}/295" in result.output
    assert f"安徽: {int(row['n_group'])} 个单元" in result.output
    for name in names.values():
        assert name in result.output
    assert "│ tech" not in result.output and "industry │" not in result.output
