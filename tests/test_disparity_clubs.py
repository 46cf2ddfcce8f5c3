"""Phillips–Sul log t test and convergence clubs: direct OLS check, simulated panels of
known structure, invariance to the order of regions, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqpf.disparity import convergence_clubs, log_t_test
from nqpf.errors import InputError, NQPFWarning


def _panel(
    levels: list[float],
    *,
    periods: int = 40,
    seed: int = 0,
    diverge: bool = False,
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """exp(X_it), X_it = μ_t δ_it: δ_it → b_i at rate t^(-1/2) (or δ_it = b_i t^(d_i))."""
    rng = np.random.default_rng(seed)
    n = len(levels)
    t = np.arange(1, periods + 1)
    mu = 3 + 0.02 * t
    d0 = rng.normal(0, 0.15, n)
    rows = []
    for i, b in enumerate(levels):
        if diverge:
            delta = b * t ** d0[i]
        else:
            delta = b + (d0[i] + rng.normal(0, 0.02, periods)) / np.sqrt(t)
        x = mu * delta
        name = codes[i] if codes else f"r{i:02d}"
        rows += [
            {"region": name, "year": 2000 + k, "value": float(np.exp(x[k]))} for k in range(periods)
        ]
    return pd.DataFrame(rows)


def _members(result: pd.DataFrame) -> set[frozenset[str]]:
    return {frozenset(g["region"]) for _, g in result.groupby("club")}


# --------------------------------------------------------------- (a) reference check


@pytest.mark.parametrize("trim", [0.3, 0.2, 1 / 3])
def test_log_t_equals_direct_statsmodels_fit(trim: float) -> None:
    data = _panel([1.0] * 8 + [1.1] * 4, periods=30, seed=3)
    res = log_t_test(data, trim=trim, filter="none").iloc[0]
    # the same series built by hand: h_it = X_it / mean_i X_it, H_t = mean_i (h_it - 1)^2
    x = np.log(data.pivot(index="region", columns="year", values="value").to_numpy())
    h = x / x.mean(axis=0)
    big_h = ((h - 1) ** 2).mean(axis=0)
    periods = x.shape[1]
    start = int(np.floor(trim * periods)) + 1
    t = np.arange(start, periods + 1)
    y = np.log(big_h[0] / big_h[t - 1]) - 2 * np.log(np.log(t))
    fit = sm.OLS(y, sm.add_constant(np.log(t))).fit()
    assert res["t_start"] == start
    assert res["n_points"] == len(t)
    assert res["beta"] == pytest.approx(fit.params[1], rel=1e-10)
    lags = int(np.floor(4 * (len(t) / 100) ** (2 / 9)))
    hac = sm.OLS(y, sm.add_constant(np.log(t))).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    assert res["se"] == pytest.approx(hac.bse[1], rel=1e-10)
    assert res["t"] == pytest.approx(fit.params[1] / hac.bse[1], rel=1e-10)
    assert res["hac_lags"] == lags


def test_hp_filter_is_statsmodels_trend_of_logs() -> None:
    from statsmodels.tsa.filters.hp_filter import hpfilter

    data = _panel([1.0] * 6, periods=25, seed=4)
    wide = np.log(data.pivot(index="region", columns="year", values="value"))
    trend = pd.DataFrame(
        [hpfilter(row.to_numpy(), lamb=400)[1] for _, row in wide.iterrows()],
        index=wide.index,
        columns=wide.columns,
    )
    back = trend.stack().rename("value").reset_index().assign(value=lambda d: np.exp(d["value"]))
    hp = log_t_test(data, filter="hp").iloc[0]
    direct = log_t_test(back, filter="none").iloc[0]
    assert hp["beta"] == pytest.approx(direct["beta"], rel=1e-9)
    assert hp["t"] == pytest.approx(direct["t"], rel=1e-9)


# --------------------------------------------------------------- (b) simulated panels


@pytest.mark.parametrize("filter", ["hp", "none"])
def test_one_converging_group_is_one_club(filter: str) -> None:
    data = _panel([1.0] * 20, seed=0)
    res = log_t_test(data, filter=filter).iloc[0]
    assert res["t"] > -1.65 and res["converges"]
    clubs = convergence_clubs(data, filter=filter)
    assert set(clubs.clubs["club"]) == {1}
    assert len(clubs.tests) == 1 and bool(clubs.tests["converges"].iloc[0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_levels_give_two_clubs_exactly(seed: int) -> None:
    data = _panel([1.2] * 10 + [0.8] * 10, seed=seed)
    assert log_t_test(data).iloc[0]["t"] < -1.65
    res = convergence_clubs(data)
    high = frozenset(f"r{i:02d}" for i in range(10))
    low = frozenset(f"r{i:02d}" for i in range(10, 20))
    assert _members(res.clubs) == {high, low}
    # club 1 is the higher one
    assert set(res.clubs.loc[res.clubs["club"] == 1, "region"]) == high
    assert res.tests["converges"].all()
    assert not res.clubs["divergent"].any()


def test_merging_joins_clubs_only_when_they_converge_together() -> None:
    data = _panel([1.2] * 10 + [0.8] * 10, seed=0)
    merged = convergence_clubs(data, merge=True)
    assert merged.clubs["club"].nunique() == 2  # the two levels do not converge jointly
    assert len(merged.initial_tests) == 2


def test_diverging_series_reject_strongly() -> None:
    data = _panel([1.0] * 20, seed=5, diverge=True)
    res = log_t_test(data).iloc[0]
    assert res["t"] < -10
    assert not res["converges"]
    clubs = convergence_clubs(data)
    assert clubs.clubs["divergent"].all()
    assert (clubs.clubs["club"] == 0).all()


def test_province_codes_get_names_and_order_by_fraction() -> None:
    codes = ["110000", "310000", "440000", "650000", "540000", "630000"]
    data = _panel([1.2] * 3 + [0.8] * 3, seed=1, codes=codes)
    res = convergence_clubs(data, order_by=0.25)
    names = dict(zip(res.clubs["region"], res.clubs["region_name"], strict=True))
    assert names["110000"] == "北京" and names["650000"] == "新疆"
    assert list(res.clubs.columns) == [
        "region",
        "region_name",
        "club",
        "divergent",
        "order",
        "last",
    ]


# --------------------------------------------------------------- (c) property


_BASE = _panel([1.25] * 5 + [1.0] * 5 + [0.75] * 5, periods=30, seed=7)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(list(range(15))))
def test_permuting_regions_does_not_change_clubs(perm: list[int]) -> None:
    codes = sorted(_BASE["region"].unique())
    rename = {codes[i]: f"p{perm[i]:02d}" for i in range(15)}
    shuffled = _BASE.assign(region=_BASE["region"].map(rename))
    shuffled = shuffled.sample(frac=1.0, random_state=perm[0]).reset_index(drop=True)
    base = convergence_clubs(_BASE).clubs
    assert base["club"].nunique() == 3
    got = convergence_clubs(shuffled).clubs
    back = {v: k for k, v in rename.items()}
    got = got.assign(region=got["region"].map(back))
    assert _members(got) == _members(base)
    assert dict(zip(got["region"], got["club"], strict=True)) == dict(
        zip(base["region"], base["club"], strict=True)
    )


# --------------------------------------------------------------- (d) bad input


def test_non_positive_values_name_the_regions() -> None:
    data = _panel([1.0] * 5, periods=20)
    data.loc[(data["region"] == "r03") & (data["year"] == 2005), "value"] = 0.0
    data.loc[(data["region"] == "r01") & (data["year"] == 2007), "value"] = -1.0
    for function in (log_t_test, convergence_clubs):
        with pytest.raises(InputError, match=r"r01, r03"):
            function(data)


def test_too_few_periods_for_the_trimmed_regression() -> None:
    data = _panel([1.0] * 5, periods=3)
    for function in (log_t_test, convergence_clubs):
        with pytest.raises(InputError, match="at least 3"):
            function(data)


def test_short_panel_warns() -> None:
    data = _panel([1.0] * 5, periods=6)
    with pytest.warns(NQPFWarning, match="only 5 periods"):
        log_t_test(data)


def test_unbalanced_panel_and_bad_options() -> None:
    data = _panel([1.0] * 4, periods=20)
    with pytest.raises(InputError, match="r02"):
        log_t_test(data[~((data["region"] == "r02") & (data["year"] == 2003))])
    with pytest.raises(InputError, match="trim"):
        log_t_test(data, trim=1.2)
    with pytest.raises(InputError, match="filter"):
        log_t_test(data, filter="bk")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="order_by"):
        convergence_clubs(data, order_by=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_t_test(data.rename(columns={"value": "y"}), value="y")


def test_quadratic_spectral_hac_keeps_b_and_finds_the_same_clubs() -> None:
    data = _panel([1.2] * 10 + [0.8] * 10, seed=2)
    nw = log_t_test(data).iloc[0]
    qs = log_t_test(data, hac="qs").iloc[0]
    assert qs["beta"] == pytest.approx(nw["beta"], rel=1e-10)
    assert qs["se"] > 0 and qs["hac_lags"] == 0
    assert _members(convergence_clubs(data, hac="qs").clubs) == _members(
        convergence_clubs(data).clubs
    )
    with pytest.raises(InputError, match="hac"):
        log_t_test(data, hac="andrews")  # type: ignore[arg-type]
