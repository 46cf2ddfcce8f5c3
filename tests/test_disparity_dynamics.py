"""σ/β-convergence against direct statsmodels fits; kernel densities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import gaussian_kde

from nqpf.disparity import bandwidth, beta_convergence, kernel_density, sigma_convergence
from nqpf.errors import InputError


def _panel(seed: int = 0, regions: int = 12, years: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    level = rng.lognormal(1, 0.5, regions)
    for t in range(years):
        for i in range(regions):
            rows.append(
                {
                    "region": f"r{i:02d}",
                    "year": 2010 + t,
                    "value": level[i],
                    "edu": rng.normal(0, 1),
                }
            )
        # convergence towards e: poor regions grow faster
        level = level * np.exp(0.05 - 0.1 * (np.log(level) - 1) + rng.normal(0, 0.02, regions))
    return pd.DataFrame(rows)


def test_sigma_convergence_equals_numpy() -> None:
    data = _panel()
    res = sigma_convergence(data)
    y = data[data["year"] == 2013]["value"].to_numpy()
    row = res.set_index("year").loc[2013]
    assert row["cv"] == pytest.approx(np.std(y) / np.mean(y), rel=1e-12)
    assert row["sd_log"] == pytest.approx(np.std(np.log(y)), rel=1e-12)
    assert res["sd_log"].iloc[-1] < res["sd_log"].iloc[0]  # the simulated panel converges


def _direct(data: pd.DataFrame, formula: str, interval: int = 1) -> object:
    d = data.assign(ln_y=np.log(data["value"]))
    nxt = d[["region", "year", "ln_y"]].assign(year=d["year"] - interval)
    m = d.merge(nxt, on=["region", "year"], suffixes=("", "_end")).sort_values(["region", "year"])
    m["g"] = m["ln_y_end"] - m["ln_y"]
    m = m.reset_index(drop=True)
    return smf.ols(formula, data=m).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(m["region"])[0]}
    )


@pytest.mark.parametrize(
    ("model", "controls", "formula"),
    [
        ("pooled", (), "g ~ ln_y"),
        ("pooled", ("edu",), "g ~ ln_y + edu"),
        ("fe", (), "g ~ ln_y + C(region) + C(year)"),
        ("fe", ("edu",), "g ~ ln_y + edu + C(region) + C(year)"),
    ],
)
def test_beta_equals_statsmodels_formula_fit(
    model: str, controls: tuple[str, ...], formula: str
) -> None:
    data = _panel(1)
    res = beta_convergence(data, model=model, controls=controls).iloc[0]  # type: ignore[arg-type]
    fit = _direct(data, formula)
    assert res["beta"] == pytest.approx(fit.params["ln_y"], rel=1e-9)  # type: ignore[attr-defined]
    assert res["se"] == pytest.approx(fit.bse["ln_y"], rel=1e-9)  # type: ignore[attr-defined]
    assert res["t"] == pytest.approx(fit.tvalues["ln_y"], rel=1e-9)  # type: ignore[attr-defined]
    assert res["p"] == pytest.approx(fit.pvalues["ln_y"], rel=1e-7)  # type: ignore[attr-defined]
    low, high = fit.conf_int().loc["ln_y"]  # type: ignore[attr-defined]
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((low, high), rel=1e-9)
    assert res["r2"] == pytest.approx(fit.rsquared, rel=1e-9)  # type: ignore[attr-defined]
    assert res["n_obs"] == fit.nobs  # type: ignore[attr-defined]
    assert res["kind"] == ("conditional" if controls else "absolute")
    assert res["beta"] < 0
    assert res["speed"] == pytest.approx(-np.log(1 + res["beta"]))
    assert res["half_life"] == pytest.approx(np.log(2) / res["speed"])


def test_beta_interval_and_errors() -> None:
    data = _panel(2)
    res = beta_convergence(data, interval=2).iloc[0]
    fit = _direct(data, "g ~ ln_y", interval=2)
    assert res["beta"] == pytest.approx(fit.params["ln_y"], rel=1e-9)  # type: ignore[attr-defined]
    assert res["speed"] == pytest.approx(-np.log(1 + res["beta"]) / 2)
    bad = data.copy()
    bad.loc[bad["region"] == "r03", "value"] = 0.0
    with pytest.raises(InputError, match="r03"):
        beta_convergence(bad)
    with pytest.raises(InputError, match="r03"):
        sigma_convergence(bad)


def test_kde_integrates_to_one_and_matches_scipy() -> None:
    data = _panel(3, regions=31, years=3)
    res = kernel_density(data, bw="scott", grid=2048)
    for year, row in res.surface.iterrows():
        x = res.surface.columns.to_numpy(dtype=float)
        assert np.trapezoid(row.to_numpy(), x) == pytest.approx(1, abs=5e-3)
        y = data[data["year"] == year]["value"].to_numpy()
        np.testing.assert_allclose(row.to_numpy(), gaussian_kde(y, "scott")(x), rtol=1e-10)
    assert set(res.density.columns) == {"year", "x", "density"}


def test_silverman_rule_and_peak_summary() -> None:
    y = np.array([1.0, 1.1, 1.2, 0.9, 5.0, 5.1, 4.9, 5.2])
    h = 0.9 * min(np.std(y, ddof=1), (np.percentile(y, 75) - np.percentile(y, 25)) / 1.34) * 8**-0.2
    assert bandwidth(y, "silverman") == pytest.approx(h)
    data = pd.DataFrame({"year": 2020, "value": y})
    s = kernel_density(data, bw=0.3, grid=1000).summary.iloc[0]
    assert s["n_peaks"] == 2  # two clusters, two peaks
    assert s["bandwidth"] == 0.3
    assert 0.8 < s["peak_x"] < 1.3 or 4.8 < s["peak_x"] < 5.3
    with pytest.raises(InputError, match="bandwidth rule"):
        kernel_density(data, bw="wide")


def test_per_group_results_equal_the_subsets() -> None:
    data = _panel(5)
    mapping = {f"r{i:02d}": ("a" if i < 5 else "b") for i in range(12)}
    sig = sigma_convergence(data, groups=mapping)
    assert list(sig["group"].drop_duplicates()) == ["全国 all", "a", "b"]
    subset = data[data["region"].map(mapping) == "b"]
    pd.testing.assert_frame_equal(
        sig[sig["group"] == "b"].drop(columns="group").reset_index(drop=True),
        sigma_convergence(subset),
    )
    beta = beta_convergence(data, model="fe", groups=mapping).set_index("group")
    assert beta.loc["a", "beta"] == pytest.approx(
        beta_convergence(data[data["region"].map(mapping) == "a"], model="fe")["beta"].iloc[0]
    )
    assert beta.loc["全国 all", "n_regions"] == 12
