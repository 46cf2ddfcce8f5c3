"""Outlier treatment (JRC/COINr rule): statistics against SciPy, winsorisation against
``scipy.stats.mstats.winsorize`` and hand-computed cases, which constructed indicators are
treated and how, and the pipeline step of :func:`nqpf.assess`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats
from scipy.stats import mstats

import nqpf
from nqpf.errors import InputError
from nqpf.index.outliers import kurtosis, log_ct, skewness, treat_outliers, winsorise


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.integers(4, 40), elements=st.floats(-1e3, 1e3)))
def test_skewness_and_kurtosis_are_excels_as_scipy_computes_them(x: np.ndarray) -> None:
    assume(np.ptp(x) > 1e-3 * (np.abs(x).max() + 1))
    assert skewness(x) == pytest.approx(stats.skew(x, bias=False), rel=1e-9, abs=1e-9)
    assert kurtosis(x) == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-9, abs=1e-9)


def test_skewness_by_hand() -> None:
    # x = 0,0,0,3: mean 0.75, m2 = 1.6875, m3 = 3.796875 → g1 = 1.1547; G1 = g1·√12/2 = 2
    assert skewness(np.array([0.0, 0.0, 0.0, 3.0])) == pytest.approx(2.0, rel=1e-12)
    # Excel KURT(0,0,0,3) = 4
    assert kurtosis(np.array([0.0, 0.0, 0.0, 3.0])) == pytest.approx(4.0, rel=1e-12)


def test_winsorise_matches_scipy_mstats_winsorize() -> None:
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(10, 1, 60), [40.0, 55.0, 80.0]])
    y, flags = winsorise(x)
    k = int((flags != "").sum())
    assert k == 3  # three distinct high outliers, one step each
    expected = np.asarray(mstats.winsorize(x, limits=(0, k / x.size)))
    np.testing.assert_array_equal(y, expected)
    assert set(flags[flags != ""]) == {"winhi"}


def test_winsorise_low_side_and_ties() -> None:
    x = np.array([-100.0, -100.0, *np.arange(1.0, 31.0)])
    y, flags = winsorise(x)
    # negative skew: both tied minima take the next lowest value (1) in one step
    assert y[:2].tolist() == [1.0, 1.0]
    assert flags[:2].tolist() == ["winlo", "winlo"] and (flags[2:] == "").all()
    assert y[2:].tolist() == x[2:].tolist()


def test_winsorise_stops_at_the_limit() -> None:
    x = np.array([1.0] * 20 + [2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0])
    y, flags = winsorise(x, winsor_max=2)
    assert int((flags != "").sum()) == 2
    assert y.max() == 64.0


def test_log_ct_is_coinr_formula_shifted_to_one() -> None:
    x = np.array([2.0, 3.0, 12.0])
    # COINr log_CT: ln(x − 2 + 0.1) = ln 0.1, ln 1.1, ln 10.1; ours subtracts ln 0.1, adds 1
    coinr = np.log([0.1, 1.1, 10.1])
    np.testing.assert_allclose(log_ct(x), coinr - np.log(0.1) + 1.0)
    assert log_ct(x)[0] == 1.0  # > 0: min / x of a cost indicator stays defined

    # the same after min-max normalisation
    def mm(v: np.ndarray) -> np.ndarray:
        return (v - v.min()) / (v.max() - v.min())

    np.testing.assert_allclose(mm(log_ct(x)), mm(coinr))


def constructed() -> pd.DataFrame:
    """Three indicators over 100 units: a normal one (passes), one with a single far outlier
    (winsorising one point fixes it), one spread evenly on a log scale over 8 decades (still
    skew 2.67, kurtosis 5.95 after 5 points winsorised; its log is uniform, so it passes)."""
    rng = np.random.default_rng(3)
    normal = rng.normal(50, 5, 100)
    one = np.concatenate([rng.normal(10, 1, 99), [60.0]])
    heavy = 10 ** np.linspace(0, 8, 100)
    idx = pd.MultiIndex.from_product(
        [[f"r{i:02d}" for i in range(100)], [2020]], names=["region", "year"]
    )
    return pd.DataFrame({"normal": normal, "one": one, "heavy": heavy}, index=idx)


def test_jrc_rule_on_constructed_indicators() -> None:
    xs = constructed()
    assert skewness(xs["heavy"].to_numpy()) >= 2 and kurtosis(xs["heavy"].to_numpy()) >= 3.5
    out = treat_outliers(xs, "jrc")
    table = out.table.set_index("indicator")
    assert table.loc["normal", "action"] == "none" and not table.loc["normal", "fails_before"]
    assert table.loc["one", "action"] == "winsor" and table.loc["one", "points"] == 1
    assert out.treated["one"].max() == pytest.approx(np.sort(xs["one"])[-2])
    assert table.loc["heavy", "action"] == "log" and table.loc["heavy", "points"] == 100
    np.testing.assert_allclose(out.treated["heavy"], log_ct(xs["heavy"].to_numpy()))
    assert not table["fails_after"].any()
    pd.testing.assert_series_equal(out.treated["normal"], xs["normal"])
    assert out.treated_indicators == ["heavy", "one"]
    # "winsor" leaves the heavy one winsorised (5 points) and still failing; "log" logs both
    w = treat_outliers(xs, "winsor").table.set_index("indicator")
    assert w.loc["heavy", "action"] == "winsor" and w.loc["heavy", "points"] == 5
    assert bool(w.loc["heavy", "fails_after"])
    lg = treat_outliers(xs, "log").table.set_index("indicator")
    assert lg.loc["one", "action"] == "log" and lg.loc["normal", "action"] == "none"
    assert (treat_outliers(xs, "none").treated == xs).all().all()


def test_thresholds_change_what_is_treated() -> None:
    xs = constructed()
    loose = treat_outliers(xs, "jrc", skew_threshold=50.0).table
    assert (loose["action"] == "none").all()
    # COINr fails an indicator only when both statistics are over: a high kurtosis threshold
    # alone also stops the treatment
    assert (treat_outliers(xs, "jrc", kurtosis_threshold=1e6).table["action"] == "none").all()


def test_year_scope_treats_each_year_separately() -> None:
    xs = constructed()
    ys = xs.copy()
    ys.index = ys.index.set_levels([2021], level="year")
    ys["one"] = np.linspace(1, 2, 100)
    out = treat_outliers(pd.concat([xs, ys]), "jrc", scope="year")
    t = out.table.set_index(["indicator", "year"])
    assert t.loc[("one", 2020), "action"] == "winsor" and t.loc[("one", 2021), "action"] == "none"


def test_constant_indicator_is_left_alone() -> None:
    xs = constructed().assign(flat=1.0)
    out = treat_outliers(xs, "jrc")
    row = out.table.set_index("indicator").loc["flat"]
    assert row["action"] == "none" and np.isnan(row["skew_before"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "iqr"}, "unknown outlier treatment 'iqr'"),
        ({"skew_threshold": 0.0}, "skew threshold 0.0 must be > 0"),
        ({"kurtosis_threshold": float("inf")}, "must be finite"),
        ({"winsor_max": -1}, "winsor_max -1"),
        ({"scope": "decade"}, "unknown scope"),
    ],
)
def test_bad_options(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        treat_outliers(constructed(), **kwargs)  # type: ignore[arg-type]


def test_assess_applies_treatment_before_normalisation_and_records_it() -> None:
    plain = nqpf.assess(years=[2022, 2023], outliers="none")
    jrc = nqpf.assess(years=[2022, 2023], outliers="jrc")
    table = jrc.outliers.table if jrc.outliers is not None else None
    assert table is not None and plain.outliers is None
    treated = table[table["action"] != "none"]
    assert "valid_invention_patents_per_10k" in set(treated["indicator"])
    # Beijing's two years are the far tail of valid invention patents per 10k: they are
    # winsorised (to the next highest value, Shanghai's), then min-max normalised
    row = table.set_index("indicator").loc["valid_invention_patents_per_10k"]
    assert row["action"] == "winsor" and row["points"] == 2
    raw = jrc.data[jrc.data["indicator"] == "valid_invention_patents_per_10k"]
    raw = raw.set_index(["region", "year"])["value"].reindex(jrc.normalized.index).to_numpy()
    capped = np.asarray(mstats.winsorize(raw, limits=(0, 2 / raw.size)))
    expected = (capped - capped.min()) / (capped.max() - capped.min())
    np.testing.assert_allclose(jrc.normalized["valid_invention_patents_per_10k"], expected)
    assert jrc.normalized["valid_invention_patents_per_10k"].loc[("110000", 2023)] == 1.0
    assert jrc.options["outliers"] == "jrc" and "outliers" not in plain.options
    assert jrc.spec_hash != plain.spec_hash
