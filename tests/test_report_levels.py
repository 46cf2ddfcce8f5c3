"""``nqpf report`` for a prefecture (合肥) and a county (肥西县): the numbers equal the
level's services read independently (the assessment, diagnosis, disparity, opportunities
and similarity services), the Word file has the sections and charts, the workbook the
tables, the charts every glyph, and bad names are one-line errors."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from nqpf.services.report import ReportSpec, UnitReport
from tests.conftest import run_nqpf

ZH_SECTIONS = [
    "摘要",
    "发展水平与排名",
    "分维度表现",
    "优势与短板",
    "区域差异背景",
    "产业机会",
    "相似地区",
    "产业链短板与合作伙伴（所在省份：安徽）",
    "目标对标（所在省份：安徽）",
    "数据来源与方法",
]
EN_SECTIONS = [
    "Summary",
    "Level and rank",
    "Pillars",
    "Strengths and obstacles",
    "Disparity context",
    "Opportunities",
    "Similar regions",
    "Chain gaps and partners (province: Anhui)",
    "Targets (province: Anhui)",
    "Sources and method",
]


@pytest.fixture(scope="module")
def hefei() -> UnitReport:
    from nqpf.services.report import unit_report

    return unit_report(ReportSpec("合肥"))


@pytest.fixture(scope="module")
def feixi() -> UnitReport:
    from nqpf.services.report import unit_report

    return unit_report(ReportSpec("肥西县"))


@pytest.fixture(scope="module")
def feixi_en() -> UnitReport:
    from nqpf.services.report import unit_report

    return unit_report(ReportSpec("340123", lang="en"))


def _headings(path: Path) -> list[str]:
    import docx

    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs if p.style.name == "Heading 1"]


# ------------------------------------------------------------------------------ resolution
def test_names_resolve_at_their_level() -> None:
    assert (ReportSpec("合肥").region, ReportSpec("合肥").level) == ("340100", "prefecture")
    assert (ReportSpec("合肥市").region, ReportSpec("340100").level) == ("340100", "prefecture")
    assert (ReportSpec("肥西县").region, ReportSpec("肥西县").level) == ("340123", "county")
    assert (ReportSpec("安徽").region, ReportSpec("Anhui").level) == ("340000", "province")
    assert ReportSpec("鼓楼区", within="福州").region == "350102"
    beijing = ReportSpec("北京", level="prefecture")
    assert (beijing.region, beijing.level) == ("110000", "prefecture")
    assert ReportSpec("national").level is None


def test_bad_names_are_input_errors() -> None:
    from nqpf.errors import InputError
    from nqpf.services.report import unit_report

    with pytest.raises(InputError, match=r"'鼓楼区' names 4 divisions: 320106 鼓楼区"):
        ReportSpec("鼓楼区")
    with pytest.raises(InputError, match="unknown level"):
        ReportSpec("合肥", level="city")  # type: ignore[arg-type]
    # 兴安盟 lacks GDP in the city panel, so the default prefecture assessment drops it
    with pytest.raises(InputError, match=r"兴安盟 \(152200\) is not in the prefecture assessment"):
        unit_report(ReportSpec("兴安盟"))


# ------------------------------------------------------------------------------ numbers
def test_prefecture_headline_equals_the_assessment(hefei: UnitReport) -> None:
    import nqpf

    scores = nqpf.assess(level="prefecture").scores
    now = scores[scores["year"] == 2020]
    mine = now[now["region"] == "340100"].iloc[0]
    h = hefei.headline
    # docs/levels.md: 合肥 ranks 16 of the 295 prefecture-level units assessed in 2020
    assert (hefei.year, h["rank"], h["n_units"]) == (2020, 16, 295)
    assert h["rank"] == int(mine["rank"]) and h["n_units"] == len(now)
    assert h["index"] == pytest.approx(float(mine["index"]), abs=1e-12)
    anhui = now[now["region"].str.startswith("34")]
    assert h["province_size"] == len(anhui) == 16
    assert h["province_rank"] == int((anhui["index"] > mine["index"]).sum()) + 1 == 1
    assert h["province_mean"] == pytest.approx(anhui["index"].mean(), abs=1e-12)
    assert h["national_mean"] == pytest.approx(now["index"].mean(), abs=1e-12)
    assert h["band"] is None and "prefecture_rank" not in h
    pillars = hefei.frames["pillars"].set_index("pillar")
    for pillar in ("talent", "tech", "industry"):
        assert pillars.loc[pillar, "score"] == pytest.approx(float(mine[pillar]), abs=1e-12)
        assert pillars.loc[pillar, "rank"] == int((now[pillar] > mine[pillar]).sum()) + 1
        assert pillars.loc[pillar, "province_mean"] == pytest.approx(
            anhui[pillar].mean(), abs=1e-12
        )
    position = hefei.frames["province_units"]
    assert (
        position["region"].tolist()
        == anhui.sort_values("index", ascending=False)["region"].tolist()
    )


def test_indicators_are_the_raw_values(hefei: UnitReport) -> None:
    from nqpf.data import load_subnational

    table = hefei.frames["indicators"].set_index("indicator")
    raw = load_subnational("prefecture", ["city_gdp", "city_population"], years=[2020])
    raw = raw[raw["region"] == "340100"].set_index("indicator")["value"]
    # GDP per capita = GDP (亿元) / resident population (万人) × 10,000
    expected = raw["city_gdp"] / raw["city_population"] * 10_000
    assert table.loc["city_gdp_per_capita", "value"] == pytest.approx(expected, rel=1e-12)
    assert table.loc["city_gdp_per_capita", "unit"] == "元"
    assert len(table) == 8 and (table["n"] == 295).all()
    gaps = hefei.frames["framework_gaps"]
    assert len(gaps) == 23  # the ndrc framework's indicators
    assert gaps.set_index("indicator").loc["tertiary_share", "equivalent"] == "city_tertiary_share"
    assert (gaps["equivalent"] == "").sum() == 22


def test_diagnosis_and_disparity_equal_their_services(hefei: UnitReport) -> None:
    from nqpf.services.disparity import DisparitySpec, diagnose, disparity

    diag = diagnose("合肥")
    mine = hefei.frames["obstacles"]
    assert mine["indicator"].tolist() == diag.obstacles["indicator"].tolist()
    assert mine["obstacle"].to_numpy() == pytest.approx(
        diag.obstacles["obstacle"].to_numpy(), abs=1e-12
    )
    assert hefei.frames["coupling"]["D"].iloc[0] == pytest.approx(
        diag.coupling[diag.coupling["region"] == "340100"]["D"].iloc[0], abs=1e-12
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = disparity(
            DisparitySpec(level="prefecture", groups="province", spatial=False)
        ).tables()
    lines = dict(
        zip(hefei.frames["disparity"]["measure"], hefei.frames["disparity"]["value"], strict=True)
    )
    dagum = tables["dagum_summary"].iloc[0]
    assert lines["dagum_G"] == pytest.approx(dagum["G"], abs=1e-12)
    assert lines["dagum_share_between"] == pytest.approx(dagum["share_nb"], abs=1e-12)
    within = tables["dagum_within"].set_index("group").loc["安徽"]
    assert lines["province_gini"] == pytest.approx(within["G_jj"], abs=1e-12)
    assert lines["province_n"] == 16
    theil = tables["theil_t"].iloc[0]
    group = tables["theil_groups"].set_index("group").loc["安徽"]
    assert lines["theil_T"] == pytest.approx(theil["index"], abs=1e-12)
    assert lines["province_theil_share"] == pytest.approx(
        group["contribution"] / theil["index"], abs=1e-12
    )
    # the within-province Theil parts add up to T_w (an identity of the decomposition)
    assert tables["theil_groups"]["contribution"].sum() == pytest.approx(theil["within"], rel=1e-9)


def test_opportunities_and_similar_come_from_their_engines(feixi: UnitReport) -> None:
    from nqpf.services.industry import SimilaritySpec, similar
    from nqpf.services.opportunities import OpportunitySpec, opportunities

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = opportunities(OpportunitySpec(region="肥西县"))
        peers = similar(SimilaritySpec(region="肥西县")).peers
    assert engine.spec["matrix"] == "census2020"
    expected = engine.opportunities[engine.opportunities["tradable"]].sort_values("rank")
    opps = feixi.frames["opportunities"]
    assert opps["industry"].tolist() == expected.index[:5].tolist()
    assert opps["score"].to_numpy() == pytest.approx(expected["score"].to_numpy()[:5], abs=1e-12)
    assert opps["reason_zh"].str.contains("肥西县").all()
    strengths = feixi.frames["strengths"]
    assert strengths["tradable"].all() and (strengths["rca"] >= 1).all()
    assert "C" in set(strengths["industry"])  # 制造业, RCA 1.55 in the 2020 census
    assert feixi.frames["similar"]["region"].tolist() == peers["region"].tolist()


def test_county_headline_and_parent_province_parts(feixi: UnitReport) -> None:
    import nqpf
    from nqpf.services.report import region_report

    scores = nqpf.assess(level="county").scores
    now = scores[scores["year"] == 2020]
    mine = now[now["region"] == "340123"].iloc[0]
    h = feixi.headline
    assert h["rank"] == int(mine["rank"]) and h["n_units"] == len(now)
    hefei_counties = now[now["region"].str.startswith("3401")]
    assert h["prefecture"] == "340100" and h["prefecture_name"] == "合肥市"
    assert h["prefecture_size"] == len(hefei_counties)
    assert h["prefecture_rank"] == int((hefei_counties["index"] > mine["index"]).sum()) + 1
    anhui = region_report(ReportSpec("安徽"))
    assert feixi.frames["chains"]["status"].tolist() == anhui.frames["chains"]["status"].tolist()
    assert feixi.frames["targets"]["target"].tolist() == anhui.frames["targets"]["target"].tolist()
    assert feixi.frames["targets"]["region"].tolist() == ["340000"]
    gaps = feixi.frames["framework_gaps"]
    assert (gaps["equivalent"] == "").all()  # the county framework has no GDP


def test_summary_sentences(hefei: UnitReport, feixi_en: UnitReport) -> None:
    assert hefei.summary[0].startswith(
        "2020年合肥市新质生产力指数为0.434，在全国295个地级单位中列第16位，"
        "在安徽16个地级单位中列第1位"
    )
    first = feixi_en.summary[0]
    assert first.startswith("In 2020 肥西县's NQPF index was")
    assert "county-level units" in first and "in Anhui" in first and "in 合肥市" in first
    # 合肥's pillars rank 11, 21 and 24 of 295: none is in the bottom third, so none is called
    # a weakness (短板); each opportunity comes with its modelled entry probability.
    assert hefei.summary[1] == (
        "优势维度是科技与知识（全国第11位），没有维度在后三分之一，相对最弱的是产业（第24位）。"
    )
    opps = hefei.frames["opportunities"]
    p = opps["entry_probability"]
    assert hefei.summary[3] == (
        f"按2020年人口普查分行业就业，可贸易门类中的机会产业依次为{opps['name'][0]}（{p[0]:.1%}）、"
        f"{opps['name'][1]}（{p[1]:.1%}）、{opps['name'][2]}（{p[2]:.1%}）"
        "（括号内为模型估计的十年内形成比较优势的概率）。"
    )
    assert list(opps["name"]) == ["制造业", "农、林、牧、渔业", "采矿业"]


def test_pillar_sentence_calls_only_the_bottom_third_a_weakness() -> None:
    from nqpf.services.report import _pillar_sentence

    pillars = pd.DataFrame(
        {
            "pillar": ["a", "b"],
            "name_zh": ["甲", "乙"],
            "name_en": ["A", "B"],
            "rank": [3, 250],
            "standing": ["strength", "weakness"],
        }
    )
    assert _pillar_sentence(pillars, True) == "优势维度是甲（全国第3位），短板是乙（第250位）。"
    assert _pillar_sentence(pillars, False) == (
        "Its strongest pillar is A (rank 3); its weakest is B (rank 250)."
    )


# ------------------------------------------------------------------------------ files
def test_prefecture_docx_has_the_sections_and_charts(hefei: UnitReport, tmp_path: Path) -> None:
    import docx

    from nqpf.present.report import write_docx

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph in a chart would raise
        path = write_docx(hefei, tmp_path / "hefei.docx")
    assert _headings(path) == ZH_SECTIONS
    document = docx.Document(str(path))
    assert len(document.inline_shapes) == 3
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "16 / 295" in cells and "1 / 16" in cells
    assert f"{hefei.headline['index']:.4f}" in cells
    text = "\n".join(p.text for p in document.paragraphs)
    assert "缺少以下22项" in text
    assert "研发投入强度按省公布，没有地级单位数据" in text


def test_county_docx_english(feixi_en: UnitReport, tmp_path: Path) -> None:
    from nqpf.present.report import write_docx

    assert _headings(write_docx(feixi_en, tmp_path / "en.docx")) == EN_SECTIONS
    assert not re.search(r"[\u4e00-\u9fff]", feixi_en.summary[1])


def test_county_xlsx(feixi: UnitReport, tmp_path: Path) -> None:
    import openpyxl

    from nqpf.present.report import report_file_name, write_xlsx

    assert report_file_name(feixi, "xlsx") == "report-340123-2020-zh.xlsx"
    book = openpyxl.load_workbook(write_xlsx(feixi, tmp_path / "r.xlsx"))
    for sheet in ("summary", "pillars", "indicators", "framework_gaps", "province_units",
                  "opportunities", "similar", "chains", "targets", "provenance", "spec"):  # fmt: skip
        assert sheet in book.sheetnames
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
    assert book["summary"]["A2"].value == feixi.summary[0]


def test_unit_charts_draw_every_glyph_with_the_bundled_font(
    hefei: UnitReport, feixi_en: UnitReport
) -> None:
    from matplotlib import font_manager

    from nqpf.present.charts import chart_style, font_path, png, unit_figures

    figures = [*unit_figures(hefei), *unit_figures(feixi_en)]
    assert len(figures) == 6
    bundled = str(font_path())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _, fig in figures:
            assert png(fig).startswith(b"\x89PNG")
            with chart_style():
                found = fig.findobj(lambda a: hasattr(a, "get_fontproperties"))
                texts = [t for t in found if getattr(t, "get_text", lambda: "")()]
                assert texts
                for text in texts:
                    assert font_manager.findfont(text.get_fontproperties()) == bundled


def test_unit_html_is_offline(feixi: UnitReport) -> None:
    from nqpf.present.report import html_document

    page = html_document(feixi)
    assert page.count("<svg") == 3 and page.count("<h2>") == len(ZH_SECTIONS)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)


def test_municipality_file_name_differs_from_the_province() -> None:
    import dataclasses

    from nqpf.present.report import report_file_name

    stub = UnitReport(
        options=ReportSpec("北京", level="prefecture"),
        year=2020,
        years=[2020],
        summary=[],
        frames={},
        provenance=None,  # type: ignore[arg-type]
        method=[],
        spec_hash="0" * 12,
        region="110000",
        level="prefecture",
    )
    assert report_file_name(stub, "docx") == "report-110000-prefecture-2020-zh.docx"
    assert report_file_name(dataclasses.replace(stub, region="340100"), "pdf") == (
        "report-340100-2020-zh.pdf"
    )


# ------------------------------------------------------------------------------ CLI
def test_cli_prefecture_docx(tmp_path: Path) -> None:
    result = run_nqpf("report", "合肥", "--format", "docx", "--out", str(tmp_path), home=tmp_path)
    assert result.returncode == 0, result.stderr
    (path,) = tmp_path.glob("report-340100-2020-zh.docx")
    assert _headings(path) == ZH_SECTIONS


def test_cli_ambiguous_and_unknown_names_are_one_line(tmp_path: Path) -> None:
    for name, expected in (("鼓楼区", "320106 鼓楼区 (江苏 南京市)"), ("火星县", "火星县")):
        result = run_nqpf("report", name, "--out", str(tmp_path), home=tmp_path)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], result.stderr
        assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("report-*"))


def test_rank_band_equals_the_level_uncertainty_analysis() -> None:
    import nqpf
    from nqpf.services.report import unit_report

    ranks = nqpf.assess(level="prefecture", uncertainty=8).uncertainty.ranks
    mine = ranks[(ranks["region"] == "340100") & (ranks["year"] == 2020)].iloc[0]
    report = unit_report(ReportSpec("合肥", uncertainty=8))
    band = f"{mine['rank_p05']:.0f}–{mine['rank_p95']:.0f}"
    assert report.headline["band"] == band
    assert f"（不确定性分析排名区间第{band}位）" in report.summary[0]


def test_prefecture_pdf_has_pages_with_chinese_text(hefei: UnitReport, tmp_path: Path) -> None:
    import subprocess

    from tests.test_report import _need_pdf_tools

    _need_pdf_tools()
    from nqpf.present.report import write_pdf

    path = write_pdf(hefei, tmp_path / "hefei.pdf")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("合肥市新质生产力发展报告", "相似地区", "目标对标（所在省份：安徽）"):
        assert expected in text


def test_moran_and_lisa_equal_the_spatial_service(feixi: UnitReport) -> None:
    import dataclasses

    from nqpf.present.report import _spatial_lines
    from nqpf.services.disparity import DisparitySpec, disparity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = disparity(DisparitySpec(level="county", groups="province")).tables()
    lines = dict(
        zip(feixi.frames["disparity"]["measure"], feixi.frames["disparity"]["value"], strict=True)
    )
    moran = tables["moran"].iloc[0]
    assert lines["moran_I"] == pytest.approx(moran["I"], abs=1e-12)
    assert lines["moran_p_sim"] == pytest.approx(moran["p_sim"], abs=1e-12)
    lisa = tables["lisa"].set_index("region").loc["340123"]
    mine = feixi.frames["lisa"].iloc[0]
    assert mine["Ii"] == pytest.approx(lisa["Ii"], abs=1e-12)
    assert (mine["quadrant"], mine["cluster"]) == (lisa["quadrant"], lisa["cluster"])
    text = _spatial_lines(feixi, lines)
    assert f"I = {moran['I']:.3f}" in text[0]
    # 肥西县 and its neighbours (合肥's districts and counties) are above the county mean
    assert (lisa["quadrant"], lisa["cluster"]) == ("HH", "HH")
    assert "属“高—高”象限" in text[1] and "在5%水平显著" in text[1]
    # a development zone has no boundary of its own, so no local Moran's I: one sentence
    zone = dataclasses.replace(feixi, frames={**feixi.frames, "lisa": feixi.frames["lisa"][:0]})
    assert "没有独立边界" in _spatial_lines(zone, lines)[1]
