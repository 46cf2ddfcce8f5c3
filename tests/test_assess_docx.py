"""The Word report ``assessment.docx``: structure, numbers equal to the assessment's, atomic."""

from __future__ import annotations

from pathlib import Path

import docx
import pandas as pd
import pytest

from nqpf.index.assessment import Assessment
from nqpf.present.assessment import summary_sentences, write_assessment, write_docx
from nqpf.services.assessment import assess
from tests.test_assess import default_assessment, synthetic_long, two_pillar_framework


def _small(uncertainty: int = 0) -> Assessment:
    return assess(synthetic_long(), framework=two_pillar_framework(), uncertainty=uncertainty)


def _tables(path: Path) -> tuple[list[list[str]], list[list[str]], str]:
    document = docx.Document(str(path))
    cells = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    text = "\n".join(p.text for p in document.paragraphs)
    return cells[0], cells[1], text


def _latest(a: Assessment) -> tuple[int, pd.DataFrame]:
    s = a.scores
    if a.uncertainty is not None:
        bands = a.uncertainty.ranks[["region", "year", "rank_p05", "rank_p95"]]
        s = s.merge(bands, on=["region", "year"])
    year = int(s["year"].max())
    return year, s[s["year"] == year].sort_values(["rank", "region"])


@pytest.mark.parametrize("uncertainty", [0, 4])
def test_docx_ranking_weights_and_summary(tmp_path: Path, uncertainty: int) -> None:
    a = _small(uncertainty)
    path = write_docx(a, tmp_path / "assessment.docx")
    ranking, weights, text = _tables(path)
    year, latest = _latest(a)

    # ranking: header + one row per region, rank 1's name and index as in the assessment
    assert len(ranking) == 1 + a.scores["region"].nunique()
    assert ranking[0][:3] == ["排名 rank", "地区 region", "综合指数 index"]
    first = latest.iloc[0]
    assert ranking[1][0] == "1" == str(int(first["rank"]))
    assert ranking[1][1] == first["region_name"]
    assert ranking[1][2] == f"{first['index']:.3f}"
    assert float(ranking[1][2]) == pytest.approx(first["index"], abs=5e-4)
    if uncertainty:
        assert ranking[0][-1].startswith("排名区间")
        assert ranking[1][-1] == f"{first['rank_p05']:.0f}–{first['rank_p95']:.0f}"
        assert "排名的5%–95%区间" in text
    else:
        assert len(ranking[0]) == 3 + len(a.framework.pillar_ids)

    # weights: one row per indicator (+ header, + total) summing to 1 within rounding
    ids = a.framework.indicator_ids
    assert len(weights) == 1 + len(ids) + 1
    assert [r[2] for r in weights[1:-1]] == ids
    values = [float(r[4]) for r in weights[1:-1]]
    assert sum(values) == pytest.approx(1.0, abs=len(ids) * 5e-5 + 1e-9)
    assert weights[-1][4] == "1.0000"
    for r in weights[1:-1]:
        assert float(r[4]) == pytest.approx(float(a.indicator_weights[r[2]]), abs=5e-5)

    # summary: the top region of the latest year, and the sentences are in the document
    sentences = summary_sentences(a)
    assert 3 <= len(sentences) <= 5
    assert any(str(first["region_name"]) in zh for zh, _ in sentences)
    assert any(f"{year}年" in zh and str(first["region_name"]) in zh for zh, _ in sentences)
    for zh, en in sentences:
        assert zh in text and en in text
    assert a.spec_hash in text and "新质生产力综合评价报告" in text
    assert "方法说明 Method" in text


def test_docx_page_and_fonts(tmp_path: Path) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm

    path = write_docx(_small(), tmp_path / "r.docx")
    document = docx.Document(str(path))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1)
    assert abs(section.page_height - Mm(297)) < Mm(1)
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    assert fonts.get(qn("w:ascii")) == "Times New Roman"


def test_docx_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _small()
    out = tmp_path / "out"
    paths = write_assessment(a, out)
    assert [p.name for p in paths][-1] == "assessment.docx"
    assert not list(out.glob(".*")), "temporary files left behind"
    before = (out / "assessment.docx").read_bytes()

    # a failure while saving leaves the previous file intact and no temporary file
    def broken(self: object, target: str) -> None:
        Path(target).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(docx.document.Document, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        write_docx(a, out / "assessment.docx")
    assert (out / "assessment.docx").read_bytes() == before
    assert not list(out.glob(".*"))


def test_docx_of_the_packaged_default_assessment(tmp_path: Path) -> None:
    a = default_assessment()
    ranking, weights, text = _tables(write_docx(a, tmp_path / "a.docx"))
    year, latest = _latest(a)
    assert len(ranking) == 1 + 31
    assert ranking[1][1] == latest.iloc[0]["region_name"]
    assert ranking[1][2] == f"{latest.iloc[0]['index']:.3f}"
    assert sum(float(r[4]) for r in weights[1:-1]) == pytest.approx(1.0, abs=2e-3)
    assert f"{year}年综合指数排名前3位" in text
    document = docx.Document(str(tmp_path / "a.docx"))
    sources = document.tables[2]
    assert len(sources.rows) > 1
    assert any("NBS" in row.cells[1].text for row in sources.rows[1:])
