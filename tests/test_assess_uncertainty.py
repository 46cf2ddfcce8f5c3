"""Uncertainty analysis of the ranks: bands, caching of configurations, Sobol indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.errors import InputError
from nqpf.index.uncertainty import FACTORS, run_uncertainty
from nqpf.regions import province_codes
from nqpf.services.assessment import assess

REGIONS = province_codes()[:10]


def dominated_panel() -> pd.DataFrame:
    """Indicator ``a`` orders the regions one way and ``b`` the other way."""
    rows = []
    for k, r in enumerate(REGIONS):
        for y in (2021, 2022):
            rows.append({"region": r, "year": y, "indicator": "a", "value": 100.0 - 9 * k + y % 2})
            rows.append({"region": r, "year": y, "indicator": "b", "value": 10.0 + k})
    return pd.DataFrame(rows)


# `a` carries most of the weight, so leaving `a` out reverses the ranking.
FRAMEWORK = {
    "pillars": [
        {
            "id": "p",
            "indicators": [
                {"id": "a", "direction": "+", "weight": 0.8},
                {"id": "b", "direction": "+", "weight": 0.2},
            ],
        }
    ]
}


def test_single_configuration_collapses_the_band_to_the_rank() -> None:
    a = assess(dominated_panel(), framework=FRAMEWORK, weights="equal")
    wide = a.data.pivot(index=["region", "year"], columns="indicator", values="value")
    levels = {
        "normalize": ["minmax"],
        "weights": [("equal",)],
        "aggregate": ["linear"],
        "entropy_shift": [None],
        "exclude": [None],
        "impute": ["none"],
    }
    assert set(levels) == set(FACTORS)
    res = run_uncertainty(wide, a.framework, a.construction, a.scores, n=16, levels=levels)
    assert res.n_configurations == 1
    r = res.ranks
    assert (r["median_rank"] == r["rank"]).all()
    assert (r["rank_p05"] == r["rank"]).all() and (r["rank_p95"] == r["rank"]).all()
    assert res.sobol.empty


def test_dominant_factor_gets_the_sobol_index_and_an_inert_factor_none() -> None:
    a = assess(dominated_panel(), framework=FRAMEWORK, weights="equal")
    wide = a.data.pivot(index=["region", "year"], columns="indicator", values="value")
    levels = {
        "normalize": ["minmax"],
        "weights": [("equal",)],
        "aggregate": ["linear"],
        # with weights fixed in the framework the entropy convention cannot matter
        "entropy_shift": [None, 1e-5],
        "exclude": [None, "a"],
        "impute": ["none"],
    }
    res = run_uncertainty(wide, a.framework, a.construction, a.scores, n=256, levels=levels, seed=7)
    si = res.sobol.set_index("factor")
    assert si.loc["entropy_shift", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert si.loc["exclude", "ST"] == pytest.approx(1.0, abs=0.1)
    assert si.loc["exclude", "S1"] == pytest.approx(1.0, abs=0.15)
    assert res.n_configurations == 4
    # ranks reverse without `a`: about half the runs leave it out, so the band spans both
    top = res.ranks[(res.ranks["region"] == REGIONS[0]) & (res.ranks["year"] == 2022)].iloc[0]
    assert top["rank"] == 1 and top["rank_p95"] == len(REGIONS)


def test_assess_uncertainty_bands_contain_the_median_and_progress_reports() -> None:
    calls: list[tuple[int, int]] = []
    panel = dominated_panel()
    panel = pd.concat(
        [
            panel,
            panel[panel["indicator"] == "b"].assign(
                indicator="c", value=lambda d: np.sqrt(d["value"]) + d["year"] % 3
            ),
        ]
    )
    fw = {
        "pillars": [
            {"id": "p", "indicators": [{"id": i, "direction": "+"} for i in ("a", "b", "c")]}
        ]
    }
    a = assess(panel, framework=fw, uncertainty=8, progress=lambda d, t: calls.append((d, t)))
    assert a.uncertainty is not None
    r = a.uncertainty.ranks
    assert (r["rank_p05"] <= r["median_rank"]).all() and (r["median_rank"] <= r["rank_p95"]).all()
    assert r["rank_p05"].min() >= 1 and r["rank_p95"].max() <= len(REGIONS)
    assert calls and calls[-1][0] == calls[-1][1] == a.uncertainty.n_configurations
    assert a.uncertainty.n_runs == 8 * (len(a.uncertainty.sobol) + 2)
    assert a.uncertainty.n_configurations <= a.uncertainty.n_runs


def test_unknown_factor_is_an_error() -> None:
    a = assess(dominated_panel(), framework=FRAMEWORK, weights="equal")
    wide = a.data.pivot(index=["region", "year"], columns="indicator", values="value")
    with pytest.raises(InputError, match="unknown uncertainty factor 'colour'"):
        run_uncertainty(
            wide, a.framework, a.construction, a.scores, n=4, levels={"colour": ["red"]}
        )


def test_zscore_uncertainty_varies_only_methods_defined_for_negative_values() -> None:
    """z-scores are negative below the mean: entropy and geometric aggregation are not among
    the alternatives, so the analysis runs instead of failing on its own alternatives."""
    a = assess(years=[2022, 2023], normalize="zscore", weights="critic", uncertainty=8)
    assert a.uncertainty is not None
    levels = a.uncertainty.levels
    assert levels["normalize"][0] == "zscore"
    assert all("entropy" not in w for w in levels["weights"])
    assert "geometric" not in levels["aggregate"]
    ranks = a.uncertainty.ranks
    assert ranks["rank_p05"].le(ranks["rank_p95"]).all()


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(0, 4) | st.floats(-3, 3), min_size=1, max_size=40),
    seed=st.integers(0, 2**16),
)
def test_year_ranks_equal_pandas_min_rank(values: list[float], seed: int) -> None:
    from nqpf.index.uncertainty import _year_ranks

    v = np.asarray(values, dtype=float)
    years = np.random.default_rng(seed).choice([2019, 2020, 2021], len(v))
    expected = pd.Series(v).groupby(years).rank(ascending=False, method="min")
    np.testing.assert_array_equal(_year_ranks(v, years), expected.to_numpy(dtype=np.int32))
