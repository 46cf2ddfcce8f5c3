"""The disparity and diagnose services and commands, on the packaged data."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import nqpf.services.disparity as report_module
from nqpf.cli import app
from nqpf.data import catalog, load_panel
from nqpf.diagnose import obstacle_degree
from nqpf.disparity import dagum_gini
from nqpf.disparity.report import disparity_report
from nqpf.errors import InputError
from nqpf.present.disparity import write_disparity
from nqpf.regions import group_of
from nqpf.services.disparity import diagnose, measure_panel

INDICATORS = [
    "rd_intensity",
    "invention_patents_per_10k",
    "hightech_revenue_to_gdp",
    "tertiary_share",
    "so2_intensity",
]


@dataclass
class StubAssessment:
    """The part of the agreed Assessment interface the services use, built by hand:
    min-max normalised indicators (cost flipped), equal weights, linear index."""

    normalized: pd.DataFrame
    indicator_weights: pd.Series
    pillar_of: dict[str, str]
    pillar_names: dict[str, str]
    scores: pd.DataFrame


@pytest.fixture(scope="module")
def stub() -> StubAssessment:
    panel = load_panel(INDICATORS, years=[2019, 2020, 2021])
    x = panel.pivot_table(index=["region", "year"], columns="indicator", values="value")[INDICATORS]
    n = (x - x.min()) / (x.max() - x.min())
    n["so2_intensity"] = 1 - n["so2_intensity"]
    w = pd.Series(1 / len(INDICATORS), index=INDICATORS)
    cat = catalog().set_index("id")
    pillar_of = {i: str(cat.loc[i, "pillar"]) for i in INDICATORS}
    index = n @ w
    scores = index.rename("index").reset_index()
    scores["region_name"] = scores["region"]
    scores["rank"] = scores.groupby("year")["index"].rank(ascending=False)
    pillar_means = {  # linear pillar scores: weighted mean of the pillar's indicators
        p: n[[i for i in INDICATORS if pillar_of[i] == p]].mean(axis=1)
        for p in set(pillar_of.values())
    }
    scores = scores.merge(pd.DataFrame(pillar_means).reset_index(), on=["region", "year"])
    names = {p: p for p in set(pillar_of.values())}
    return StubAssessment(n, w, pillar_of, names, scores)


def test_measure_panel_indicator_and_assessment(stub: StubAssessment) -> None:
    panel, label = measure_panel("gdp_per_capita", years=[2022])
    assert len(panel) == 31 and "元/人" in label
    idx, label = measure_panel("index", assessment=stub)
    assert idx["value"].tolist() == stub.scores["index"].tolist()
    tech, _ = measure_panel("tech", assessment=stub)
    assert tech["value"].tolist() == stub.scores["tech"].tolist()
    with pytest.raises(InputError, match="unknown measure"):
        measure_panel("nonsense", assessment=stub)


def test_diagnose_anhui(stub: StubAssessment) -> None:
    d = diagnose("安徽", assessment=stub, top=3)
    assert d.region == "340000" and d.group == "中部"
    full = obstacle_degree(stub.normalized, stub.indicator_weights, pillar_of=stub.pillar_of)
    mine = full.indicators[full.indicators["region"] == "340000"]
    for year, part in d.obstacles.groupby("year"):
        expected = mine[mine["year"] == year].nlargest(3, "obstacle")["obstacle"].tolist()
        assert part["obstacle"].tolist() == pytest.approx(expected)
    sums = d.pillar_obstacles.groupby("year")["obstacle"].sum()
    np.testing.assert_allclose(sums, 100, rtol=1e-12)
    scores = stub.scores
    t = d.trajectory.set_index("year")
    for year in (2019, 2020, 2021):
        s = scores[scores["year"] == year]
        central = s[s["region"].map(group_of) == "中部"]["index"].mean()
        assert t.loc[year, "index_group"] == pytest.approx(central)
        assert t.loc[year, "index_nation"] == pytest.approx(s["index"].mean())
    assert set(d.coupling.columns) >= {"tech", "industry", "C", "T", "D", "class_zh"}
    mine_scores = scores[scores["region"] == "340000"].sort_values("year")
    np.testing.assert_allclose(d.coupling["tech"], mine_scores["tech"], rtol=1e-12)
    with pytest.raises(InputError, match="pillar"):
        diagnose("安徽", assessment=stub, subsystems=("tech", "space"))


def test_disparity_report_on_packaged_indicator(tmp_path: Path) -> None:
    panel, label = measure_panel("gdp_per_capita", years=[2020, 2021, 2022, 2023])
    rep = disparity_report(panel, label=label, spatial=False)
    direct = dagum_gini(panel)
    pd.testing.assert_frame_equal(rep.dagum.summary, direct.summary)
    trends = rep.group_trends.set_index("year")
    y22 = panel[panel["year"] == 2022]
    east = y22[y22["region"].map(group_of) == "东部"]["value"].mean()
    assert trends.loc[2022, "东部"] == pytest.approx(east)
    assert trends.loc[2022, "全国 all"] == pytest.approx(y22["value"].mean())
    assert rep.beta is not None
    assert len(rep.beta) == 10  # (all + four regions) × (pooled, fe)
    assert rep.sigma is not None and set(rep.sigma["group"]) == {
        "全国 all",
        "东部",
        "中部",
        "西部",
        "东北",
    }
    paths = write_disparity(rep, tmp_path)
    sheets = pd.ExcelFile(paths[0]).sheet_names
    assert {"dagum_summary", "dagum_within", "dagum_between", "theil_t", "beta"} <= set(sheets)
    html = paths[1].read_text(encoding="utf-8")
    # plotly.js embedded, no script loaded from the network
    assert 'src="http' not in html and "Plotly" in html and len(html) > 1_000_000
    assert html.count('class="plotly-graph-div"') == 4  # density surface, trends, G, shares
    assert "区域差异与动态演进" in html and f"{rep.dagum.summary['G'].iloc[0]:.4f}" in html


def test_disparity_report_without_logs_warns() -> None:
    panel = pd.DataFrame(
        {
            "region": ["110000", "120000", "130000", "140000"] * 2,
            "year": [2020] * 4 + [2021] * 4,
            "value": [1.0, 0.0, 2.0, 3.0, 1.0, 2.0, 0.5, 4.0],
        }
    )
    with pytest.warns(UserWarning, match="positive values"):
        rep = disparity_report(panel, spatial=False)
    assert rep.theil is None and rep.beta is None and rep.notes


def test_cli_disparity_writes_outputs(tmp_path: Path) -> None:
    env = {**os.environ, "NQPF_HOME": str(tmp_path), "COLUMNS": "200"}
    cmd = [sys.executable, "-c", "from nqpf.cli import main; main()", "disparity"]
    ok = subprocess.run(
        [
            *cmd,
            "--measure",
            "gdp_per_capita",
            "-y",
            "2022",
            "-y",
            "2023",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "Dagum" in ok.stdout and "东部–西部" in ok.stdout
    sheets = pd.ExcelFile(tmp_path / "out" / "disparity.xlsx").sheet_names
    assert {"moran", "spatial_markov", "kde_density"} <= set(sheets)
    assert (tmp_path / "out" / "disparity.html").is_file()
    bad = subprocess.run(
        [*cmd, "--measure", "nonsense"], capture_output=True, text=True, env=env, check=False
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_cli_diagnose_with_an_assessment(
    stub: StubAssessment, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(report_module, "_assess", lambda years, level="province": stub)
    result = CliRunner().invoke(app, ["diagnose", "安徽", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "安徽" in result.output and "耦合协调度" in result.output
    assert (tmp_path / "diagnosis.xlsx").is_file()


def test_with_the_real_assessment(tmp_path: Path) -> None:
    import nqpf

    assessment = nqpf.assess()
    panel, label = measure_panel("index", assessment=assessment)
    scores = assessment.scores
    assert panel["value"].tolist() == scores["index"].tolist() and "NQPF" in label
    d = diagnose("安徽", assessment=assessment)
    full = obstacle_degree(
        assessment.normalized, assessment.indicator_weights, pillar_of=assessment.pillar_of
    )
    sums = full.indicators[full.indicators["region"] == "340000"].groupby("year")["obstacle"].sum()
    np.testing.assert_allclose(sums, 100, rtol=1e-12)
    np.testing.assert_allclose(d.pillar_obstacles.groupby("year")["obstacle"].sum(), 100)
    assert ((d.coupling["C"] >= 0) & (d.coupling["C"] <= 1)).all()
    env = {**os.environ, "NQPF_HOME": str(tmp_path), "COLUMNS": "200"}
    run = subprocess.run(
        [sys.executable, "-c", "from nqpf.cli import main; main()", "diagnose", "安徽"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "障碍" in run.stdout and "耦合协调度" in run.stdout
