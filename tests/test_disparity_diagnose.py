"""Obstacle degree and coupling coordination degree."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from nqpf.diagnose import (
    COORDINATION_CLASSES,
    coordination_class,
    coupling_coordination,
    obstacle_degree,
    top_obstacles,
)
from nqpf.errors import InputError, NQPFWarning


def _matrix(seed: int, rows: int = 6, cols: int = 5) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product(
        [["a", "b", "c"], range(2020, 2020 + rows // 3)], names=["region", "year"]
    )
    x = pd.DataFrame(
        rng.uniform(0, 1, (len(idx), cols)), index=idx, columns=[f"i{j}" for j in range(cols)]
    )
    w = pd.Series(rng.dirichlet(np.ones(cols)), index=x.columns)
    return x, w


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_obstacles_sum_to_100_and_match_formula(seed: int) -> None:
    x, w = _matrix(seed)
    pillars = {"i0": "tech", "i1": "tech", "i2": "green", "i3": "green", "i4": "talent"}
    res = obstacle_degree(x, w, pillar_of=pillars)
    sums = res.indicators.groupby(["region", "year"])["obstacle"].sum()
    np.testing.assert_allclose(sums, 100, rtol=1e-12)
    psums = res.pillars.groupby(["region", "year"])["obstacle"].sum()
    np.testing.assert_allclose(psums, 100, rtol=1e-12)
    # O_ij = w_j (1 − x_ij) / Σ_j w_j (1 − x_ij), written out for one cell
    r = res.indicators.iloc[7]
    row = x.loc[(r["region"], r["year"])]
    expected = 100 * w[r["indicator"]] * (1 - row[r["indicator"]]) / (w * (1 - row)).sum()
    assert r["obstacle"] == pytest.approx(expected, rel=1e-12)
    tech = res.pillars.set_index(["region", "year", "pillar"]).loc[("a", 2020, "tech"), "obstacle"]
    cells = res.indicators.set_index(["region", "year", "indicator"])["obstacle"]
    assert tech == pytest.approx(cells[("a", 2020, "i0")] + cells[("a", 2020, "i1")])


def test_top_obstacles_are_the_largest() -> None:
    x, w = _matrix(5)
    res = obstacle_degree(x, w)
    top = top_obstacles(res, 2)
    assert len(top) == 2 * len(x)
    first = top[(top["region"] == "b") & (top["year"] == 2021)]
    full = res.indicators[(res.indicators["region"] == "b") & (res.indicators["year"] == 2021)]
    assert first["obstacle"].tolist() == sorted(full["obstacle"], reverse=True)[:2]
    assert first["rank"].tolist() == [1, 2]


def test_obstacle_bad_input_and_perfect_region() -> None:
    x, w = _matrix(1)
    with pytest.raises(InputError, match="i4"):
        obstacle_degree(x, w.drop("i4"))
    with pytest.raises(InputError, match="i0"):
        obstacle_degree(x.assign(i0=x["i0"] * 3 + 1), w)
    with pytest.warns(NQPFWarning, match="top of every indicator"):
        res = obstacle_degree(x.assign(**{c: 1.0 for c in x.columns}), w)
    assert res.indicators["obstacle"].isna().all()


def test_coupling_hand_computed_two_and_three_subsystems() -> None:
    scores = pd.DataFrame(
        {
            "region": ["p", "q"],
            "year": 2022,
            "tech": [0.4, 0.2],
            "industry": [0.6, 0.5],
            "digital": [0.5, 0.8],
        }
    )
    two = coupling_coordination(scores, ["tech", "industry"]).iloc[0]
    # classic two-system form C = 2√(U1U2)/(U1+U2) (王淑佳 et al. 2021), by hand:
    # C = 2√0.24 / 1.0 = 0.979796, T = 0.5, D = √(0.489898) = 0.699927 → 初级协调
    assert two["C"] == pytest.approx(0.9797958971, rel=1e-9)
    assert two["T"] == pytest.approx(0.5)
    assert two["D"] == pytest.approx(0.6999271, rel=1e-6)
    assert two["class_zh"] == "初级协调" and two["level"] == 7
    three = coupling_coordination(
        scores,
        ["tech", "industry", "digital"],
        alpha={"tech": 0.5, "industry": 0.3, "digital": 0.2},
    ).iloc[1]
    # n = 3: C = [0.2·0.5·0.8 / (1.5/3)³]^(1/3) = (0.08/0.125)^(1/3) = 0.64^(1/3) = 0.861774
    # T = 0.5·0.2 + 0.3·0.5 + 0.2·0.8 = 0.41; D = √(0.861774·0.41) = 0.594413 → 勉强协调
    assert three["C"] == pytest.approx(0.64 ** (1 / 3), rel=1e-12)
    assert three["T"] == pytest.approx(0.41)
    assert three["D"] == pytest.approx(math.sqrt(0.64 ** (1 / 3) * 0.41), rel=1e-12)
    assert three["class_zh"] == "勉强协调"


@settings(max_examples=60, deadline=None)
@given(u=st.lists(st.floats(0, 1), min_size=2, max_size=6))
def test_coupling_c_lies_in_unit_interval(u: list[float]) -> None:
    scores = pd.DataFrame([u], columns=[f"s{i}" for i in range(len(u))])
    row = coupling_coordination(scores, list(scores.columns)).iloc[0]
    if max(u) == 0:
        assert math.isnan(row["C"]) and row["D"] == 0
    else:
        assert 0 <= row["C"] <= 1
        assert 0 <= row["D"] <= 1
        if min(u) > 0 and max(u) == min(u):
            assert row["C"] == pytest.approx(1)


def test_coordination_classes_and_errors() -> None:
    assert len(COORDINATION_CLASSES) == 10
    assert [coordination_class(d) for d in (0.0, 0.0999, 0.1, 0.45, 0.9, 1.0)] == [
        1,
        1,
        2,
        5,
        10,
        10,
    ]
    scores = pd.DataFrame({"region": ["x"], "tech": [1.2], "industry": [0.5]})
    with pytest.raises(InputError, match="x"):
        coupling_coordination(scores, ["tech", "industry"])
    with pytest.raises(InputError, match="at least two"):
        coupling_coordination(scores, ["tech"])
    with pytest.raises(InputError, match="alpha"):
        coupling_coordination(scores.assign(tech=0.2), ["tech", "industry"], alpha={"tech": 0.9})


def test_coupling_is_zero_not_undefined_when_the_mean_underflows() -> None:
    """Hypothesis found [5e-324, 0]: the arithmetic mean underflows to 0, yet one subsystem
    is positive and the other zero, so C = 0 (GM = 0), not undefined."""
    scores = pd.DataFrame([[5e-324, 0.0]], columns=["tech", "industry"])
    row = coupling_coordination(scores, ["tech", "industry"]).iloc[0]
    assert row["C"] == 0.0 and row["D"] == 0.0
