"""The layout MILP: brute force on small instances, every constraint verified, infeasible
settings explained, shadow costs of the LP relaxation."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.plan.layout import LayoutInfeasibleError, plan_layout


def _brute_force(
    fit: pd.DataFrame,
    k: int,
    lo: int,
    hi: int,
    groups: dict[str, str] | None = None,
    per_group: int | None = None,
    locked: tuple[tuple[str, str], ...] = (),
) -> float | None:
    values = fit.to_numpy()
    n, m = values.shape
    best = None
    for bits in itertools.product((0, 1), repeat=n * m):
        x = np.array(bits).reshape(n, m)
        if np.isnan(values[x == 1]).any():
            continue
        if (x.sum(axis=1) > k).any() or (x.sum(axis=0) < lo).any() or (x.sum(axis=0) > hi).any():
            continue
        if any(x[fit.index.get_loc(r), fit.columns.get_loc(j)] == 0 for r, j in locked):
            continue
        if groups is not None and per_group is not None:
            g = np.array([groups[r] for r in fit.index])
            if any((x[g == name].sum(axis=0) > per_group).any() for name in set(g)):
                continue
        total = float(np.nansum(values * x))
        best = total if best is None else max(best, total)
    return best


@settings(max_examples=25, deadline=None)
@given(
    # Fits on a 1e-4 grid: HiGHS resolves objective differences down to its optimality
    # tolerance (1e-7), so a fit of 6e-8 against zeros may be left out of an optimal layout.
    data=st.lists(st.integers(0, 10_000).map(lambda v: v / 10_000), min_size=12, max_size=12),
    k=st.integers(1, 3),
    lo=st.integers(0, 2),
    extra=st.integers(0, 2),
    balance=st.booleans(),
)
def test_optimum_equals_brute_force(
    data: list[float], k: int, lo: int, extra: int, balance: bool
) -> None:
    fit = pd.DataFrame(np.array(data).reshape(4, 3), index=list("abcd"), columns=list("xyz"))
    groups = {"a": "E", "b": "E", "c": "W", "d": "W"} if balance else None
    per_group = 1 if balance else None
    expected = _brute_force(fit, k, lo, lo + extra, groups, per_group)
    if expected is None:
        with pytest.raises(LayoutInfeasibleError):
            plan_layout(
                fit, k=k, hubs_min=lo, hubs_max=lo + extra, groups=groups, max_per_group=per_group
            )
        return
    layout = plan_layout(
        fit, k=k, hubs_min=lo, hubs_max=lo + extra, groups=groups, max_per_group=per_group
    )
    assert layout.objective == pytest.approx(expected, abs=1e-9)
    assert all(layout.checks.values())


def test_locked_and_missing_fit_against_brute_force() -> None:
    fit = pd.DataFrame(
        [[0.9, 0.1, np.nan], [0.8, 0.7, 0.2], [0.1, 0.9, 0.6]],
        index=list("abc"),
        columns=list("xyz"),
    )
    locked = (("a", "y"),)
    layout = plan_layout(fit, k=1, hubs_min=0, hubs_max=1, locked=locked)
    assert layout.objective == pytest.approx(_brute_force(fit, 1, 0, 1, locked=locked))
    assert layout.assignment.loc["a", "y"] == 1 and layout.assignment.loc["a", "z"] == 0
    assert layout.pairs()[["region", "industry"]].values.tolist() == [
        ["a", "y"],
        ["b", "x"],
        ["c", "z"],
    ]


def test_known_division_of_labour_and_shadow_costs() -> None:
    # Two regions, two industries, one priority each, each industry ≤ 1 hub:
    # a→x (0.9) and b→y (0.8) beat a→y (0.5) and b→x (0.6): total 1.7.
    fit = pd.DataFrame([[0.9, 0.5], [0.6, 0.8]], index=["a", "b"], columns=["x", "y"])
    layout = plan_layout(fit, k=1, hubs_min=0, hubs_max=1)
    assert layout.objective == pytest.approx(1.7)
    assert layout.assignment.values.tolist() == [[1, 0], [0, 1]]
    assert layout.duals_exact
    # The relaxed optimum is concave in K_a, so its dual lies between the change from one
    # slot fewer (losing a→x: −0.9 … a→y is then the best, net 0.9 − 0 … see below) and
    # one slot more (adding a→y: +0.5). Without hub limits:
    free = plan_layout(fit, k=1)
    more = plan_layout(fit, k={"a": 2, "b": 1})
    fewer = plan_layout(fit, k={"a": 0, "b": 1})
    right = more.objective - free.objective  # 0.5
    left = free.objective - fewer.objective  # 0.9
    assert (right, left) == (pytest.approx(0.5), pytest.approx(0.9))
    assert right - 1e-9 <= free.region_duals["a"] <= left + 1e-9
    # A minimum of 2 hubs for x forces b→x (0.6) instead of b→y (0.8): the required hub
    # costs 0.2, and the min-hub dual says so.
    forced = plan_layout(fit, k=1, hubs_min={"x": 2}, hubs_max=2)
    assert forced.objective == pytest.approx(1.5)
    assert forced.hub_min_duals["x"] == pytest.approx(-0.2)


def test_infeasible_settings_are_explained() -> None:
    fit = pd.DataFrame(np.ones((3, 4)), index=list("abc"), columns=list("wxyz"))
    with pytest.raises(LayoutInfeasibleError, match=r"need at least 8 hub places .* only 3"):
        plan_layout(fit, k=1, hubs_min=2)
    with pytest.raises(LayoutInfeasibleError, match="w: hubs_min 3 > hubs_max 2"):
        plan_layout(fit, k=4, hubs_min={"w": 3}, hubs_max=2)
    with pytest.raises(LayoutInfeasibleError, match="a has 2 locked priorities but k = 1"):
        plan_layout(fit, k=1, locked=[("a", "w"), ("a", "x")])
    groups = {"a": "E", "b": "E", "c": "W"}
    with pytest.raises(LayoutInfeasibleError, match=r"w needs 3 hubs but 2 macro-regions"):
        plan_layout(fit, k=4, hubs_min={"w": 3}, groups=groups, max_per_group=1)
    # Only the elastic problem finds this one: c cannot take w (no fit), so w's two hubs
    # must both be in E, against max_per_group = 1.
    fit.loc["c", "w"] = np.nan
    with pytest.raises(LayoutInfeasibleError) as info:
        plan_layout(fit, k=4, hubs_min={"w": 2}, groups=groups, max_per_group=1)
    assert "w would" in str(info.value)


def test_scale_31_by_110_is_fast() -> None:
    rng = np.random.default_rng(1)
    fit = pd.DataFrame(
        rng.random((31, 110)),
        index=[f"r{i}" for i in range(31)],
        columns=[f"j{j}" for j in range(110)],
    )
    groups = {r: "ECWN"[i % 4] for i, r in enumerate(fit.index)}
    layout = plan_layout(fit, k=5, hubs_min=1, hubs_max=3, groups=groups, max_per_group=1)
    assert all(layout.checks.values())
    assert (layout.assignment.sum(axis=0) >= 1).all()
