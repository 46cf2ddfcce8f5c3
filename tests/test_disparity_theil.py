"""Theil T/L, GE(α) and CV: PySAL inequality's test values, exact decompositions."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from nqpf.disparity import coefficient_of_variation, ge_index, theil_l, theil_t
from nqpf.errors import InputError


def _mexico() -> tuple[pd.DataFrame, dict[str, str]]:
    libpysal = pytest.importorskip("libpysal")
    table = pd.read_csv(libpysal.examples.get_path("mexico.csv"))
    long = table.melt(
        id_vars=["State", "hanson98"],
        value_vars=[f"pcgdp{d}" for d in range(1940, 2010, 10)],
        var_name="year",
    )
    long["year"] = long["year"].str[-4:].astype(int)
    long = long.rename(columns={"State": "region"})
    mapping = dict(zip(table["State"], table["hanson98"].astype(str), strict=True))
    return long, mapping


def test_theil_t_and_decomposition_equal_pysal_test_values() -> None:
    data, mapping = _mexico()
    res = theil_t(data, groups=mapping)
    # values from inequality/theil.py docstrings and inequality/tests/test_theil.py
    expected_t = [
        0.20894344,
        0.15222451,
        0.10472941,
        0.10194725,
        0.09560113,
        0.10511256,
        0.10660832,
    ]
    expected_bg = [
        0.0345889,
        0.02816853,
        0.05260921,
        0.05931219,
        0.03205257,
        0.02963731,
        0.03635872,
    ]
    expected_wg = [0.17435454, 0.12405598, 0.0521202, 0.04263506, 0.06354856, 0.07547525, 0.0702496]
    s = res.summary
    np.testing.assert_allclose(s["index"], expected_t, atol=5e-9)
    np.testing.assert_allclose(s["between"], expected_bg, atol=5e-9)
    np.testing.assert_allclose(s["within"], expected_wg, atol=5e-9)


def test_theil_equals_pysal_directly() -> None:
    from inequality.theil import Theil, TheilD

    data, mapping = _mexico()
    y = data[data["year"] == 1990]
    part = y["region"].map(mapping).to_numpy()
    d = TheilD(y["value"].to_numpy(), part)
    res = theil_t(y, groups=mapping).summary.iloc[0]
    assert res["index"] == pytest.approx(float(Theil(y["value"].to_numpy()).T), rel=1e-12)
    assert res["between"] == pytest.approx(float(np.squeeze(d.bg)), rel=1e-12)


def _random(seed: int, weighted: bool) -> tuple[pd.DataFrame, dict[str, str]]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 40))
    data = pd.DataFrame(
        {
            "region": [f"r{i}" for i in range(n)],
            "year": 2020,
            "value": rng.lognormal(0, 1, n),
            "pop": rng.uniform(0.1, 10, n) if weighted else 1.0,
        }
    )
    return data, {f"r{i}": f"g{rng.integers(0, 4)}" for i in range(n)}


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    weighted=st.booleans(),
    alpha=st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0]),
)
def test_decomposition_is_exact_and_matches_direct_formula(
    seed: int, weighted: bool, alpha: float
) -> None:
    data, mapping = _random(seed, weighted)
    res = ge_index(data, alpha=alpha, groups=mapping, weight="pop" if weighted else None)
    s = res.summary.iloc[0]
    assert s["within"] + s["between"] == pytest.approx(s["index"], rel=1e-10, abs=1e-13)
    assert res.groups["contribution"].sum() == pytest.approx(s["within"], rel=1e-12, abs=1e-15)
    # direct formula, written out in the test
    y = data["value"].to_numpy()
    p = data["pop"].to_numpy() / data["pop"].sum() if weighted else np.full(len(y), 1 / len(y))
    r = y / (p * y).sum()
    if alpha == 1:
        direct = (p * r * np.log(r)).sum()
    elif alpha == 0:
        direct = -(p * np.log(r)).sum()
    else:
        direct = ((p * r**alpha).sum() - 1) / (alpha * (alpha - 1))
    assert s["index"] == pytest.approx(direct, rel=1e-10)


def test_ge2_is_half_squared_cv_and_theil_l_is_mean_log_deviation() -> None:
    data, _ = _random(11, weighted=False)
    cv = coefficient_of_variation(data)["cv"].iloc[0]
    assert ge_index(data, alpha=2).summary["index"].iloc[0] == pytest.approx(cv**2 / 2)
    y = data["value"].to_numpy()
    assert theil_l(data).summary["index"].iloc[0] == pytest.approx(
        np.log(y.mean()) - np.log(y).mean()
    )
    sample = coefficient_of_variation(data, ddof=1)["sd"].iloc[0]
    assert sample == pytest.approx(np.std(y, ddof=1))


def test_zeros_in_theil_t_take_the_limit_as_in_pysal() -> None:
    # inequality/tests/test_theil.py: y = [0, 0, 0, 10, 10, 10], two regimes → T = bg = ln 2
    data = pd.DataFrame({"region": list("abcdef"), "year": 1, "value": [0, 0, 0, 10.0, 10, 10]})
    mapping = {"a": "0", "b": "0", "c": "0", "d": "1", "e": "1", "f": "1"}
    s = theil_t(data, groups=mapping).summary.iloc[0]
    assert s["index"] == pytest.approx(0.6931471805599453, rel=1e-14)
    assert s["between"] == pytest.approx(0.6931471805599453, rel=1e-14)
    assert s["within"] == pytest.approx(0, abs=1e-15)


def test_zero_or_negative_values_name_the_regions() -> None:
    data = pd.DataFrame({"region": ["a", "b", "c"], "year": 1, "value": [1.0, 0.0, -2.0]})
    with pytest.raises(InputError, match="b, c"):
        theil_l(data)
    with pytest.raises(InputError, match="c"):
        theil_t(data)
    with pytest.raises(InputError, match="c"):
        ge_index(data, alpha=2)
