"""Figure dicts written by :func:`nqpf.present.page.figure_div`: valid Plotly figures, JSON
that cannot break out of its ``<script>``, plotly.js once per page."""

from __future__ import annotations

import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from nqpf.present import assessment as written
from nqpf.present.page import figure_div, figures_html, script_json
from nqpf.services.assessment import AssessmentSpec, assess_spec


@pytest.fixture(scope="module")
def figures() -> list[tuple[str, dict[str, object]]]:
    a = assess_spec(AssessmentSpec())
    built = [written._ranking(a), written._choropleth(a), written._radar(a), written._trends(a)]
    return [f for f in built if f is not None]


def test_every_assessment_figure_is_a_valid_plotly_figure(
    figures: list[tuple[str, dict[str, object]]],
) -> None:
    kinds = []
    for _, fig in figures:
        checked = go.Figure(fig)  # raises on any property plotly does not know
        kinds += [t.type for t in checked.data]
    assert kinds[:4] == ["bar", "choropleth", "choropleth", "scattergeo"]
    assert kinds.count("scatterpolar") == 5


def test_the_div_draws_the_same_json_as_the_dict(
    figures: list[tuple[str, dict[str, object]]],
) -> None:
    _, fig = figures[0]
    div = figure_div(fig, include_plotlyjs=False)
    payload = re.search(r"var f = (\{.*\}); Plotly", div)
    assert payload is not None
    drawn = json.loads(payload.group(1))
    assert drawn["data"] == json.loads(json.dumps(fig["data"]))
    assert drawn["layout"]["template"]["layout"]["colorway"][0] == "#636efa"  # plotly's


def test_user_text_cannot_close_the_script() -> None:
    fig = {"data": [{"type": "bar", "x": [1], "y": ["</script><script>alert(1)</script>"]}]}
    div = figure_div(fig, include_plotlyjs=False)
    assert div.count("</script>") == 1 and "<script>alert" not in div
    assert json.loads(script_json("a<b>&\u2028")) == "a<b>&\u2028"


def test_plotly_js_is_embedded_once_per_page(
    figures: list[tuple[str, dict[str, object]]],
) -> None:
    page = figures_html(figures)
    assert page.count("window.PlotlyConfig") == 1
    assert len(page) > 3_000_000  # plotly.min.js itself


def test_every_disparity_figure_is_a_valid_plotly_figure() -> None:
    from nqpf.present.disparity import _figures
    from nqpf.services.disparity import DisparitySpec, disparity

    report = disparity(DisparitySpec(measure="gdp_per_capita", spatial=False))
    kinds = [[t.type for t in go.Figure(fig).data] for fig in _figures(report)]
    assert kinds[0] == ["surface"] and kinds[2] == ["scatter"] and kinds[3] == ["bar"] * 3
    surface = go.Figure(_figures(report)[0]).data[0]
    np.testing.assert_array_equal(np.asarray(surface.z), report.kde.surface.to_numpy())
