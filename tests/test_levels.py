"""Assessment and the analyses around it below the province: ``--level prefecture|county``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import nqpf
from nqpf.cli import app
from nqpf.data import load_subnational
from nqpf.errors import InputError
from nqpf.index.framework import load_framework
from nqpf.services.assessment import AssessmentSpec


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
