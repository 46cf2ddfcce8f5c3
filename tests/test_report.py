"""``nqpf report``: the region profile and the national overview — their numbers equal the
services' results, the Word file has the sections and charts, the HTML is offline and
escaped, the workbook is formula-safe, the charts draw every glyph with the bundled font,
and the PDF printed by Chromium has pages with extractable Chinese text."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from nqpf.services.report import NationalReport, RegionReport, ReportSpec
from tests.conftest import CHROMIUM, run_nqpf

ZH_SECTIONS = [
    "摘要",
    "发展水平与排名",
    "分维度表现",
    "优势与短板",
    "区域差异背景",
    "产业机会",
    "产业链短板与合作伙伴",
    "目标对标",
    "数据来源与方法",
]
EN_SECTIONS = [
    "Summary",
    "Level and rank",
    "Pillars",
    "Strengths and obstacles",
    "Disparity context",
    "Opportunities",
    "Chain gaps and partners",
    "Targets",
    "Sources and method",
]
HOSTILE = '<script>alert(1)</script>=HYPERLINK("http://x")'


@pytest.fixture(scope="module")
def anhui() -> RegionReport:
    from nqpf.services.report import region_report

    return region_report(ReportSpec("安徽"))


@pytest.fixture(scope="module")
def anhui_en() -> RegionReport:
    from nqpf.services.report import region_report

    return region_report(ReportSpec("Anhui", lang="en"))


@pytest.fixture(scope="module")
def national() -> NationalReport:
    from nqpf.services.report import national_report

    return national_report(ReportSpec("national"))


# ------------------------------------------------------------------------------ numbers
def test_headline_and_pillars_equal_the_assessment(anhui: RegionReport) -> None:
    import nqpf

    scores = nqpf.assess().scores
    year = int(scores["year"].max())
    assert anhui.year == year and anhui.region == "340000"
    now = scores[scores["year"] == year]
    mine = now[now["region"] == "340000"].iloc[0]
    assert anhui.headline["index"] == pytest.approx(float(mine["index"]), abs=1e-12)
    assert anhui.headline["rank"] == int(mine["rank"])
    assert anhui.headline["national_mean"] == pytest.approx(now["index"].mean(), abs=1e-12)
    central = ["140000", "340000", "360000", "410000", "420000", "430000"]
    in_group = now[now["region"].isin(central)]
    assert anhui.headline["group"] == "中部"
    assert anhui.headline["group_mean"] == pytest.approx(in_group["index"].mean(), abs=1e-12)
    assert anhui.headline["group_rank"] == int((in_group["index"] > mine["index"]).sum()) + 1
    pillars = anhui.frames["pillars"].set_index("pillar")
    for pillar in ("tech", "industry", "digital", "green", "talent", "openness"):
        assert pillars.loc[pillar, "score"] == pytest.approx(float(mine[pillar]), abs=1e-12)
        assert pillars.loc[pillar, "national_mean"] == pytest.approx(now[pillar].mean(), abs=1e-12)
        assert pillars.loc[pillar, "group_mean"] == pytest.approx(
            in_group[pillar].mean(), abs=1e-12
        )
        assert pillars.loc[pillar, "rank"] == int((now[pillar] > mine[pillar]).sum()) + 1
    assert anhui.headline["band"] is None


def test_diagnosis_disparity_and_targets_equal_their_services(anhui: RegionReport) -> None:
    from nqpf.services.disparity import DisparitySpec, diagnose, disparity
    from nqpf.services.plan import targets

    year = anhui.year
    diag = diagnose("安徽", top=5)
    obstacles = diag.obstacles[diag.obstacles["year"] == year].reset_index(drop=True)
    mine = anhui.frames["obstacles"]
    assert mine["indicator"].tolist() == obstacles["indicator"].tolist()
    assert mine["obstacle"].to_numpy() == pytest.approx(obstacles["obstacle"].to_numpy(), abs=1e-12)
    coupling = diag.coupling[diag.coupling["year"] == year].iloc[0]
    assert anhui.frames["coupling"]["D"].iloc[0] == pytest.approx(coupling["D"], abs=1e-12)

    years = tuple(anhui.years)
    tables = disparity(DisparitySpec(measure="index", years=years, spatial=False)).tables()
    lines = dict(
        zip(anhui.frames["disparity"]["measure"], anhui.frames["disparity"]["value"], strict=True)
    )
    dagum = tables["dagum_summary"].set_index("year").loc[year]
    assert lines["dagum_G"] == pytest.approx(dagum["G"], abs=1e-12)
    assert lines["dagum_share_between"] == pytest.approx(dagum["share_nb"], abs=1e-12)
    theil = tables["theil_t"].set_index("year").loc[year]
    assert lines["theil_T"] == pytest.approx(theil["index"], abs=1e-12)

    # the national path of R&D intensity: 2.41 % (2020) and 2.69 % (2024) cited by the
    # article, continued at (2.69/2.41)^(1/4) − 1 a year to 2030
    path_2030 = 2.69 * (2.69 / 2.41) ** (6 / 4)
    row = anhui.frames["targets"].iloc[0]
    assert row["target"] == pytest.approx(path_2030, rel=1e-12)
    expected = targets("rd_intensity", target=path_2030, by=2030, regions=["340000"]).to_frame()
    expected = expected[expected["region"] == "340000"].iloc[0]
    assert row["probability"] == pytest.approx(expected["probability"], abs=1e-12)
    assert row["status"] == expected["status"]


def test_opportunities_and_chains_come_from_their_engines(anhui: RegionReport) -> None:
    from nqpf.services.chains import chain_map
    from nqpf.services.opportunities import OpportunitySpec, opportunities

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = opportunities(OpportunitySpec(region="安徽", matrix="listed"))
    expected = engine.opportunities[engine.opportunities["tradable"]].sort_values("rank")
    opps = anhui.frames["opportunities"]
    assert opps["industry"].tolist() == expected.index[:5].tolist()
    assert opps["score"].to_numpy() == pytest.approx(expected["score"].to_numpy()[:5], abs=1e-12)
    assert opps["reason_zh"].str.len().min() > 20
    assert (anhui.frames["strengths"]["rca"] >= 1).all()
    nev = chain_map("nev", "安徽", check_flows=False).segments
    mine = anhui.frames["chains"]
    mine = mine[mine["chain"] == "nev"]
    assert mine["status"].tolist() == nev["status"].tolist()
    assert mine["firms"].tolist() == nev["firms"].tolist()


def test_year_option_and_unknown_year() -> None:
    import nqpf
    from nqpf.errors import InputError
    from nqpf.services.report import region_report

    report = region_report(ReportSpec("340000", year=2020))
    scores = nqpf.assess().scores
    expected = scores[(scores["year"] == 2020) & (scores["region"] == "340000")].iloc[0]
    assert report.headline["index"] == pytest.approx(float(expected["index"]), abs=1e-12)
    assert report.headline["rank"] == int(expected["rank"])
    with pytest.raises(InputError, match="no assessment for 1999"):
        region_report(ReportSpec("安徽", year=1999))
    with pytest.raises(InputError):
        ReportSpec("安徽", lang="fr")  # type: ignore[arg-type]


def test_result_protocol(anhui: RegionReport, national: NationalReport) -> None:
    import json

    from nqpf.results import JSON_SCHEMA, Result

    jsonschema = pytest.importorskip("jsonschema")
    for report in (anhui, national):
        assert isinstance(report, Result)
        doc = json.loads(report.to_json())
        jsonschema.validate(doc, JSON_SCHEMA)
        assert re.fullmatch(r"[0-9a-f]{12}", report.spec_hash)
    assert anhui.kind == "region_report" and national.kind == "national_report"
    assert anhui.spec["region"] == "340000" and national.spec["region"] == "national"
    assert len(national.frames["ranking"]) == 31


# ------------------------------------------------------------------------------ charts
def test_charts_draw_every_glyph_with_the_bundled_font(
    anhui: RegionReport, anhui_en: RegionReport, national: NationalReport
) -> None:
    from matplotlib import font_manager

    from nqpf.present.charts import chart_style, font_path, national_figures, png, region_figures

    figures = [*region_figures(anhui), *region_figures(anhui_en), *national_figures(national)]
    assert len(figures) == 9
    bundled = str(font_path())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would raise
        for _, fig in figures:
            assert png(fig).startswith(b"\x89PNG")
            with chart_style():
                texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_fontproperties"))]
                shown = [t for t in texts if getattr(t, "get_text", lambda: "")()]
                assert shown
                for text in shown:
                    assert font_manager.findfont(text.get_fontproperties()) == bundled


# ------------------------------------------------------------------------------ map
def test_quantile_classes_by_hand() -> None:
    import pandas as pd

    from nqpf.present.charts import quantile_classes

    # 10 values, quintiles: two per class; edges at the 0, 20, …, 100th percentiles
    # (linear interpolation: 1, 2.8, 4.6, 6.4, 8.2, 10)
    classes, bounds = quantile_classes(pd.Series([7, 1, 2, 3, 4, 5, 6, 8, 9, 10]))
    assert classes.tolist() == [3, 0, 0, 1, 1, 2, 2, 3, 4, 4]
    flat = [v for bound in bounds for v in bound]
    assert flat == pytest.approx([1, 2.8, 2.8, 4.6, 4.6, 6.4, 6.4, 8.2, 8.2, 10])
    # ties are never split: five equal lowest values make one class, fewer classes remain
    classes, bounds = quantile_classes(pd.Series([0, 0, 0, 0, 0, 0, 1, 2, 3, 4]))
    assert classes.tolist()[:6] == [0] * 6 and len(bounds) < 5


def test_map_colours_show_differences_below_the_top_region(national: NationalReport) -> None:
    from matplotlib.collections import PathCollection
    from matplotlib.colors import to_hex

    from nqpf.maps import OTHER_PROVINCIAL_CODES
    from nqpf.present.charts import _map_shapes, index_map, quantile_classes

    ranking = national.frames["ranking"]
    fig = index_map(ranking["region"], ranking["index"])
    main = fig.axes[0]
    (shapes,) = [c for c in main.collections if isinstance(c, PathCollection)]
    faces = [to_hex(c) for c in shapes.get_facecolors()]
    assert len(faces) == 31 + len(OTHER_PROVINCIAL_CODES)
    provinces = faces[:31]
    # the index is skewed (a few provinces far ahead); quintiles give five colours with 6–7
    # provinces each, where a min–max scale would leave half of them in its lowest third
    counts = sorted(provinces.count(c) for c in set(provinces))
    assert counts == [6, 6, 6, 6, 7]
    assert set(faces[31:]) == {"#d9d9d9"}
    colour = dict(zip([code for code, _ in _map_shapes()[0]], faces, strict=True))
    order = ranking.sort_values("index", ascending=False)["region"].astype(str).tolist()
    assert len({colour[c] for c in order[:6]}) == 1  # the top quintile shares a colour
    assert colour[order[0]] != colour[order[6]] != colour[order[-1]]
    classes, _ = quantile_classes(ranking["index"].reset_index(drop=True))
    top = ranking["index"].idxmax()
    assert classes.iloc[ranking.index.get_loc(top)] == 4
    legend = [t.get_text() for t in main.get_legend().get_texts()]
    assert legend[-1] == "无数据" and legend[0].endswith("（6个）")


def test_geometry_path_orients_holes_against_the_exterior() -> None:
    import numpy as np

    from nqpf.present.charts import _geometry_path

    square = [[0, 0], [0, 4], [4, 4], [4, 0], [0, 0]]  # clockwise exterior
    hole = [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]  # counter-clockwise hole
    path = _geometry_path({"type": "Polygon", "coordinates": [square, hole]})
    rings = path.to_polygons(closed_only=False)

    def signed(xy: np.ndarray) -> float:
        return float(np.sum(xy[:, 0] * np.roll(xy[:, 1], -1) - np.roll(xy[:, 0], -1) * xy[:, 1]))

    assert signed(rings[0]) == pytest.approx(32) and signed(rings[1]) == pytest.approx(-2)
    # drawn (Agg, non-zero rule): the hole stays white, the ring around it is filled
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    fig = Figure(figsize=(4, 4), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 4)
    ax.set_axis_off()
    ax.add_patch(PathPatch(path, facecolor="black", edgecolor="none"))
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())  # 200 × 200, row 0 at the top
    assert pixels[125, 75][:3].tolist() == [255, 255, 255]  # (1.5, 1.5): in the hole
    assert pixels[50, 150][:3].tolist() == [0, 0, 0]  # (3, 3): in the polygon


# ------------------------------------------------------------------------------ files
def _headings(path: Path) -> list[str]:
    import docx

    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs if p.style.name == "Heading 1"]


def test_docx_has_the_sections_and_the_charts(anhui: RegionReport, tmp_path: Path) -> None:
    import docx

    from nqpf.present.report import write_docx

    path = write_docx(anhui, tmp_path / "r.docx")
    document = docx.Document(str(path))
    assert _headings(path) == ZH_SECTIONS
    assert len(document.inline_shapes) == 3
    text = "\n".join(p.text for p in document.paragraphs)
    assert anhui.summary[0] in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert f"{anhui.headline['index']:.4f}" in cells
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_english_report_has_english_headings(anhui_en: RegionReport, tmp_path: Path) -> None:
    from nqpf.present.report import write_docx

    assert _headings(write_docx(anhui_en, tmp_path / "en.docx")) == EN_SECTIONS
    assert anhui_en.summary[0].startswith("In ")
    assert not re.search(r"[\u4e00-\u9fff]", anhui_en.summary[0])


def test_national_docx(national: NationalReport, tmp_path: Path) -> None:
    import docx

    from nqpf.present.report import write_docx

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph in the map or its legend would raise
        path = write_docx(national, tmp_path / "n.docx")
    document = docx.Document(str(path))
    assert _headings(path) == ["摘要", "各省排名", "分维度与四大区域", "区域差异", "数据来源与方法"]
    assert len(document.inline_shapes) == 3  # the map, the ranking bars, the group means
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{national.year}年新质生产力指数地图" in text
    assert "颜色按分位数分档" in text and "台湾、香港、澳门无统计数据" in text
    ranking = document.tables[0]
    assert len(ranking.rows) == 32  # header + 31 provinces
    first = national.frames["ranking"].iloc[0]
    assert ranking.rows[1].cells[1].text == first["region_name"]


def test_html_is_offline_and_escapes_labels(anhui: RegionReport, tmp_path: Path) -> None:
    from nqpf.present.report import html_document

    hostile = dataclasses.replace(anhui, region_name=HOSTILE, summary=[HOSTILE])
    page = html_document(hostile)
    assert "<script>" not in page
    assert html_escaped(HOSTILE) in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "@import" not in page and "url(http" not in page
    assert page.count("<svg") == 3
    assert "font-family:'NQPF Sans SC'" in page


def html_escaped(text: str) -> str:
    import html

    return html.escape(text)


def test_html_in_chromium_makes_no_request(
    anhui: RegionReport, open_offline, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from nqpf.present.report import write_html

    path = write_html(anhui, tmp_path / "r.html")
    opened = open_offline(path)
    assert opened.external_requests == []
    assert opened.console_errors == []
    assert opened.page.locator("h2").count() == len(ZH_SECTIONS)
    family = opened.page.evaluate("document.fonts.check(\"12px 'NQPF Sans SC'\", '安徽')")
    assert family is True


def test_xlsx_is_formula_safe(anhui: RegionReport, tmp_path: Path) -> None:
    import openpyxl

    from nqpf.present.report import write_xlsx

    hostile = dataclasses.replace(anhui, summary=[HOSTILE.split("</script>")[1], "@SUM(A1)"])
    path = write_xlsx(hostile, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == ["summary", "pillars", "trajectory"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
    assert book["summary"]["A2"].value.startswith("=HYPERLINK")
    assert book["summary"]["A2"].quotePrefix


def _need_pdf_tools() -> None:
    required = os.environ.get("NQPF_REQUIRE_BROWSER") == "1"
    missing = [t for t in ("pdftoppm", "pdftotext") if shutil.which(t) is None]
    if not CHROMIUM.exists():
        missing.append("chromium")
    if missing:
        if required:
            pytest.fail(f"missing {', '.join(missing)} (apt-get install chromium poppler-utils)")
        pytest.skip(f"missing {', '.join(missing)}")


def test_pdf_renders_pages_with_chinese_text(anhui: RegionReport, tmp_path: Path) -> None:
    _need_pdf_tools()
    from nqpf.present.report import write_pdf

    path = write_pdf(anhui, tmp_path / "r.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 4
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("安徽新质生产力发展报告", "发展水平与排名", "产业链短板与合作伙伴"):
        assert expected in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "A4" in info.stdout


def test_pdf_without_a_browser_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nqpf.errors import InputError
    from nqpf.present.report import chromium

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("NQPF_CHROMIUM", raising=False)
    with pytest.raises(InputError, match="apt-get install chromium"):
        chromium()


# ------------------------------------------------------------------------------ CLI
def test_cli_unknown_region_is_one_line(tmp_path: Path) -> None:
    result = run_nqpf("report", "火星", "--format", "html", "--out", str(tmp_path), home=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "火星" in lines[0] and "Traceback" not in result.stderr


def test_cli_unknown_format_is_one_line(tmp_path: Path) -> None:
    result = run_nqpf("report", "安徽", "--format", "odt", "--out", str(tmp_path), home=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "odt" in result.stderr


def test_cli_writes_the_html_report(tmp_path: Path) -> None:
    result = run_nqpf("report", "安徽", "--format", "html", "--out", str(tmp_path), home=tmp_path)
    assert result.returncode == 0, result.stderr
    files = list(tmp_path.glob("report-340000-*-zh.html"))
    assert len(files) == 1
    assert "安徽新质生产力发展报告" in files[0].read_text(encoding="utf-8")


def test_rank_bands_equal_the_uncertainty_analysis() -> None:
    import nqpf
    from nqpf.services.report import national_report, region_report

    assessed = nqpf.assess(uncertainty=8)
    assert assessed.uncertainty is not None
    ranks = assessed.uncertainty.ranks
    year = int(ranks["year"].max())
    bands = ranks[ranks["year"] == year].set_index("region")
    overview = national_report(ReportSpec("national", uncertainty=8)).frames["ranking"]
    mine = overview.set_index("region")
    for column in ("rank_p05", "rank_p95", "median_rank"):
        assert (mine[column] == bands.loc[mine.index, column]).all()
    anhui = region_report(ReportSpec("安徽", uncertainty=8))
    p05, p95 = bands.loc["340000", ["rank_p05", "rank_p95"]]
    assert anhui.headline["band"] == f"{p05:.0f}–{p95:.0f}"
    assert f"第{p05:.0f}–{p95:.0f}位" in anhui.summary[0]


def _platform_fonts(page, selector: str) -> set[str]:  # type: ignore[no-untyped-def]
    """Families Chromium drew the text of the first ``selector`` with (DevTools CSS)."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})
    node = session.send(
        "DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": selector}
    )
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    described = session.send("DOM.describeNode", {"nodeId": node["nodeId"], "depth": 1})
    for child in described["node"].get("children", []):
        if child.get("nodeType") == 3:
            pushed = session.send(
                "DOM.pushNodesByBackendIdsToFrontend", {"backendNodeIds": [child["backendNodeId"]]}
            )
            fonts += session.send("CSS.getPlatformFontsForNode", {"nodeId": pushed["nodeIds"][0]})[
                "fonts"
            ]
    session.detach()
    return {str(f["familyName"]) for f in fonts}


def test_national_html_in_chromium_uses_only_the_embedded_font(
    national: NationalReport,
    open_offline,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from nqpf.present.report import write_html

    path = write_html(national, tmp_path / "n.html")
    opened = open_offline(path)
    assert opened.external_requests == [] and opened.console_errors == []
    assert opened.page.locator("table").first.locator("tbody tr").count() == 31
    assert opened.page.locator("figure svg").count() == 3
    for selector in ("h1", "h2", "td"):
        assert _platform_fonts(opened.page, selector) == {"NQPF Sans SC"}, selector


def test_policy_library_targets_equal_the_plan_service(anhui: RegionReport) -> None:
    from nqpf.services.plan import national_targets

    mine = anhui.frames["library_targets"]
    expected = national_targets("rd_intensity", regions=["340000"]).to_frame()
    expected = expected[expected["region"] == "340000"].reset_index(drop=True)
    assert mine["statement"].tolist() == expected["statement"].tolist()
    assert mine["status"].tolist() == expected["status"].tolist()
    assert mine["historical_cagr"].to_numpy() == pytest.approx(
        expected["historical_cagr"].to_numpy(), abs=1e-12
    )
    # 十三五 goal of 2.5 % by 2020: 安徽 reported 2.28 % in 2020 (NBS communiqué), so missed
    goal = mine[mine["phrase"].str.contains("2.5%")].iloc[0]
    assert goal["end"] == pytest.approx(2.28) and goal["status"] == "missed"
