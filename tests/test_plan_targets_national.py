"""National targets from the policy library against every province
(nqpf.plan.targets.against_statement, nqpf.services.plan.national_targets)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.plan.targets import against_statement, track

PANEL = pd.DataFrame(
    {
        "region": ["a"] * 6 + ["b"] * 6 + ["c"] * 2,
        "year": [2015, 2016, 2020, 2022, 2023, 2024] * 2 + [2015, 2016],
        "value": [2.0, 2.1, 2.6, 2.5, 2.45, 2.4, 1.0, 1.1, 1.2, 1.25, 1.3, 1.5, 1.0, 1.1],
    }
)


def test_path_sets_the_national_pace() -> None:
    # 研发投入强度从2020年的2.41%提高到2024年的2.69%: pace (2.69/2.41)^(1/4) − 1 = 2.786 %
    out = against_statement(
        PANEL, kind="path", value=2.69, year=2024, base_value=2.41, base_year=2020
    ).set_index("region")
    pace = (2.69 / 2.41) ** 0.25 - 1
    assert pace == pytest.approx(0.027860, abs=1e-6)
    assert out["required_growth"].tolist() == pytest.approx([pace] * 3)
    # a: 2.6 → 2.4 (falls), b: 1.2 → 1.5, (1.25)^(1/4) − 1 = 5.737 %
    assert out.loc["a", "historical_cagr"] == pytest.approx((2.4 / 2.6) ** 0.25 - 1)
    assert out.loc["b", "historical_cagr"] == pytest.approx(1.25**0.25 - 1)
    assert out.loc["a", "status"] == "off track" and out.loc["b", "status"] == "on track"
    assert out.loc["c", "status"] == "no data" and (out["mode"] == "path").all()


def test_past_target_checked_ex_post_from_the_year_before_its_document() -> None:
    # 全社会研发经费投入强度达到2.5% by 2020, stated in the 2016 report → from 2015
    out = against_statement(
        PANEL, kind="target", value=2.5, year=2020, document_year=2016
    ).set_index("region")
    a = out.loc["a"]
    assert (a["mode"], a["start_year"], a["start"], a["end"]) == ("ex post", 2015, 2.0, 2.6)
    assert a["required_growth"] == pytest.approx(1.25**0.2 - 1)
    assert a["historical_cagr"] == pytest.approx(1.3**0.2 - 1)
    assert a["status"] == "met" and out.loc["b", "status"] == "missed"
    # lower is better (e.g. energy intensity): 1.2 ≤ 2.5 is met
    low = against_statement(
        PANEL, kind="target", value=2.5, year=2020, document_year=2016, direction="-"
    ).set_index("region")
    assert low.loc["b", "status"] == "met" and low.loc["a", "status"] == "missed"


def test_target_ahead_is_tracked() -> None:
    out = against_statement(PANEL, kind="target", value=3.2, year=2030).set_index("region")
    series = PANEL[PANEL["region"] == "b"].set_index("year")["value"]
    check = track(series, 3.2, 2030)
    b = out.loc["b"]
    assert b["mode"] == "ahead" and b["start_year"] == 2024
    assert b["required_growth"] == pytest.approx(check.required_growth)
    assert b["probability"] == pytest.approx(check.probability)
    assert b["status"] == check.status
    # region c has two values: too few for a trend, reported, not fatal
    assert (out.loc["c", "mode"], out.loc["c", "status"]) == ("ahead", "no data")


def test_bad_statements() -> None:
    with pytest.raises(InputError, match="base value"):
        against_statement(PANEL, kind="path", value=2.69, year=2024)
    with pytest.raises(InputError, match="unknown statement kind"):
        against_statement(PANEL, kind="level", value=1.0, year=2024)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def library_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('national') / 'library.db'}"


def test_national_rd_targets_from_the_library(library_url: str) -> None:
    from nqpf.services.plan import library_statements, national_targets

    statements = library_statements("rd_intensity", url=library_url)
    assert statements[["kind", "value", "year", "document_year"]].values.tolist() == [
        ["path", 2.69, 2024, 2025],
        ["target", 2.5, 2020, 2016],
    ]
    result = national_targets("rd_intensity", url=library_url)
    table = result.to_frame()
    ex_post = table[table["mode"] == "ex post"].set_index("region")
    # the 13th five-year target of 2.5 % was missed nationally (2.40 % in 2020, NBS)
    assert ex_post.loc["100000", "status"] == "missed"
    assert ex_post.loc["100000", "end"] == pytest.approx(2.40, abs=0.01)
    assert ex_post.loc["110000", "status"] == "met"  # 北京 6.44 %
    assert len(ex_post) == 32 and set(ex_post["status"]) == {"met", "missed"}
    met = sorted(ex_post.loc[ex_post["status"] == "met", "region_name"])
    assert met == ["上海", "北京", "天津", "广东", "江苏", "浙江"]
    path = table[table["mode"] == "path"].set_index("region")
    assert len(path) == 32 and set(path["status"]) == {"on track", "off track"}
    assert (path.drop(index="100000")["status"] == "on track").sum() == 20
    assert any("missed" in note for note in result.notes)


def test_cli_national_targets(tmp_path: Path) -> None:
    from tests.conftest import run_nqpf

    out = tmp_path / "out"
    run = run_nqpf("targets", "rd_intensity", "--national", "--out", str(out), home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "全国目标对照" in run.stdout and (out / "targets.html").exists()
    missing = run_nqpf("targets", "rd_intensity", home=tmp_path)
    assert missing.returncode == 2 and "--national" in missing.stderr
