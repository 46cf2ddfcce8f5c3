"""Framework options: AHP weights at any level (consistency ratio enforced) and an
indicator's own normalisation scope."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from nqpf.errors import InputError
from nqpf.index.framework import load_framework
from nqpf.services.assessment import assess
from tests.test_assess import run_cli, synthetic_long, two_pillar_framework

# Saaty (1990), "How to make a decision: the analytic hierarchy process", EJOR 48, p. 9-26:
# a consistent-enough 3×3 judgement and the classic inconsistent one.
CONSISTENT_3 = [[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]  # exactly consistent: 4/7, 2/7, 1/7
INCONSISTENT_3 = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]  # cyclic preferences, CR ≫ 0.1


def three_indicator_subpillar() -> dict[str, Any]:
    fw = two_pillar_framework(n_ind=7)
    fw["pillars"][1]["subpillars"][1]["ahp"] = CONSISTENT_3
    return fw


def test_ahp_on_a_subpillar_gives_the_principal_eigenvector() -> None:
    fw = load_framework(three_indicator_subpillar(), known=[f"i{j}" for j in range(7)])
    b2 = fw.pillars[1].children[1]
    assert [c.weight for c in b2.children] == pytest.approx([4 / 7, 2 / 7, 1 / 7], abs=1e-12)
    assert fw.ahp["b2"]["cr"] == pytest.approx(0.0, abs=1e-12)
    assert fw.ahp["b2"]["lambda_max"] == pytest.approx(3.0, abs=1e-12)


def test_ahp_on_the_pillars_fixes_their_weights_in_the_assessment() -> None:
    fw = two_pillar_framework(n_ind=4)
    fw["ahp"] = [[1, 3], [1 / 3, 1]]
    a = assess(synthetic_long(n_ind=4), framework=fw, aggregate="linear")
    pillars = a.weights[a.weights["level"] == "pillar"].set_index("child")["weight"]
    assert pillars["a"] == pytest.approx(0.75) and pillars["b"] == pytest.approx(0.25)
    expected = 0.75 * a.scores["a"] + 0.25 * a.scores["b"]
    np.testing.assert_allclose(a.scores["index"], expected, atol=1e-12)


def test_inconsistent_ahp_matrix_is_an_error_naming_the_node_unless_allowed() -> None:
    fw = two_pillar_framework(n_ind=7)
    fw["pillars"][1]["subpillars"][1]["ahp"] = INCONSISTENT_3
    known = [f"i{j}" for j in range(7)]
    with pytest.raises(InputError, match=r"b2.*CR") as error:
        load_framework(fw, known=known)
    assert error.value.column == "b2"
    allowed = copy.deepcopy(fw)
    allowed["pillars"][1]["subpillars"][1]["ahp"] = {"matrix": INCONSISTENT_3, "max_cr": 10.0}
    loaded = load_framework(allowed, known=known)
    assert loaded.ahp["b2"]["cr"] > 0.1


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 2], [0.5, 1]], "3 × 3"),  # wrong order for three children
        ([[1, 2, 4], [2, 1, 2], [1 / 4, 1 / 2, 1]], "recipro"),  # a_21 should be 1/2
    ],
)
def test_malformed_ahp_matrices_are_errors(matrix: list[list[float]], message: str) -> None:
    fw = two_pillar_framework(n_ind=7)
    fw["pillars"][1]["subpillars"][1]["ahp"] = matrix
    with pytest.raises(InputError, match=message):
        load_framework(fw, known=[f"i{j}" for j in range(7)])


def test_ahp_and_fixed_weights_on_the_same_level_conflict() -> None:
    fw = two_pillar_framework(n_ind=4, weights=True)
    fw["ahp"] = [[1, 3], [1 / 3, 1]]
    with pytest.raises(InputError, match="both an AHP matrix and fixed weights"):
        load_framework(fw, known=[f"i{j}" for j in range(4)])


def test_cli_reports_an_inconsistent_ahp_matrix_with_exit_2(tmp_path: Path) -> None:
    fw = two_pillar_framework(n_ind=7)
    fw["pillars"][1]["subpillars"][1]["ahp"] = INCONSISTENT_3
    path = tmp_path / "fw.yaml"
    path.write_text(yaml.safe_dump(fw), encoding="utf-8")
    data = tmp_path / "d.csv"
    synthetic_long(n_ind=7).to_csv(data, index=False)
    result = run_cli(
        "--framework", str(path), "--data", str(data), "--out", str(tmp_path / "o"), home=tmp_path
    )
    assert result.returncode == 2
    assert "b2" in result.stderr and "CR" in result.stderr


def test_indicator_scope_override_makes_a_price_base_break_harmless() -> None:
    """An indicator with ``scope: year`` is normalised within each year even under panel
    scope, so rescaling it in one year (a new price base) changes no score."""
    fw = two_pillar_framework(n_ind=4)
    fw["pillars"][0]["indicators"][0]["scope"] = "year"
    long = synthetic_long(n_ind=4)
    before = assess(long, framework=fw, scope="panel").scores
    rebased = long.copy()
    rebased.loc[(rebased["indicator"] == "i0") & (rebased["year"] == 2022), "value"] /= 10.0
    after = assess(rebased, framework=fw, scope="panel").scores
    pd.testing.assert_frame_equal(before, after, atol=1e-12)
    without_override = two_pillar_framework(n_ind=4)
    changed = assess(rebased, framework=without_override, scope="panel").scores
    assert not np.allclose(
        changed["index"], assess(long, framework=without_override).scores["index"]
    )


def test_unknown_indicator_scope_is_an_error() -> None:
    fw = two_pillar_framework(n_ind=4)
    fw["pillars"][0]["indicators"][0]["scope"] = "decade"
    with pytest.raises(InputError, match="scope 'decade'"):
        load_framework(fw, known=[f"i{j}" for j in range(4)])


def test_ndrc_normalises_telecom_within_each_year() -> None:
    fw = load_framework("ndrc")
    assert fw.scope_overrides == {"telecom_per_capita": "year"}
    a = assess()
    telecom = a.normalized["telecom_per_capita"].groupby(level="year")
    np.testing.assert_allclose(telecom.max(), 1.0)
    np.testing.assert_allclose(telecom.min(), 0.0)
