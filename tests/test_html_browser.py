"""The HTML pages NQPF writes, opened in headless Chromium with the network cut off.

Each page must load without requesting anything from the network (no CDN), raise no
JavaScript error, and actually draw its Plotly figures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import OfflinePage, run_nqpf


def _nqpf(*args: str, home: Path) -> None:
    result = run_nqpf(*args, home=home)
    assert result.returncode == 0, result.stderr


def _assert_drawn(opened: OfflinePage, figures: int) -> None:
    page = opened.page
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
    assert opened.external_requests == []
    assert opened.console_errors == []
    drawn = page.eval_on_selector_all(".js-plotly-plot", "nodes => nodes.length")
    assert drawn >= figures
    marks = page.eval_on_selector_all(
        ".js-plotly-plot .point, .js-plotly-plot path", "n => n.length"
    )
    assert marks > 10


def test_opportunities_page_draws_offline(
    tmp_path: Path, open_offline: Callable[[Path], OfflinePage]
) -> None:
    _nqpf("opportunities", "安徽", "--top", "5", "--out", str(tmp_path), home=tmp_path)
    opened = open_offline(tmp_path / "opportunities_340000.html")
    _assert_drawn(opened, figures=3)
    assert "安徽" in opened.page.inner_text("body")


def test_assessment_page_draws_ranking_map_radar_and_trends_offline(
    tmp_path: Path, open_offline: Callable[[Path], OfflinePage]
) -> None:
    _nqpf("assess", "--uncertainty", "8", "--out", str(tmp_path), home=tmp_path)
    opened = open_offline(tmp_path / "assessment.html")
    _assert_drawn(opened, figures=4)
    provinces_on_map = opened.page.eval_on_selector_all(
        ".choroplethlayer path.choroplethlocation", "nodes => nodes.length"
    )
    assert provinces_on_map >= 31 + 3  # and 台湾, 香港, 澳门 in grey: a standard map of China
    traces = opened.page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".flatMap(d => d.data.map(t => [t.type, (t.locations || []).join(',')]))"
    )
    assert any(kind == "choropleth" and "710000" in codes for kind, codes in traces)
    assert any(kind == "scattergeo" for kind, _ in traces)  # maritime boundary line
    assert "北京" in opened.page.inner_text("body")


def test_disparity_page_draws_offline(
    tmp_path: Path, open_offline: Callable[[Path], OfflinePage]
) -> None:
    _nqpf("disparity", "--out", str(tmp_path), home=tmp_path)
    opened = open_offline(tmp_path / "disparity.html")
    _assert_drawn(opened, figures=4)
    kinds = opened.page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".flatMap(d => d.data.map(t => t.type))"
    )
    assert "surface" in kinds  # the year × value density surface
