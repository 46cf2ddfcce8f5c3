"""Uncertainty analysis of the ranks: bands, caching of configurations, Sobol indices."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.errors import InputError
from nqpf.index.assessment import Assessment
from nqpf.index.construct import composite_index, drop_indicator, prepare
from nqpf.index.uncertainty import (
    FACTORS,
    _checked_levels,
    _Engine,
    _rank_quantiles,
    _year_ranks,
    default_levels,
    run_uncertainty,
)
from nqpf.regions import province_codes
from nqpf.services.assessment import _groups, _wide, assess

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
        "outliers": ["none"],
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
        "outliers": ["none"],
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
    v = np.asarray(values, dtype=float)
    years = np.random.default_rng(seed).choice([2019, 2020, 2021], len(v))
    expected = pd.Series(v).groupby(years).rank(ascending=False, method="min")
    np.testing.assert_array_equal(_year_ranks(v, years), expected.to_numpy(dtype=np.int32))


# ---------------------------------------------------------------- the NumPy engine

#: S1/ST/rank bands of the pandas engine this NumPy engine replaced (its code at commit 29b8fa4,
#: before the outlier factor existed), on the synthetic cases below.
REFERENCE = Path(__file__).parent / "data" / "uncertainty_reference.json"

SYN_FRAMEWORK = {
    "pillars": [
        {
            "id": f"p{p}",
            "subpillars": [
                {
                    "id": f"s{p}{s}",
                    "indicators": [
                        {"id": f"x{p * 2 + s}", "direction": "+" if (p + s) % 3 else "-"}
                    ],
                }
                for s in range(2)
            ],
        }
        for p in range(3)
    ]
}


def synthetic_panel() -> pd.DataFrame:
    """40 units × 4 years × 6 lognormal indicators with about 4 % gaps."""
    rng = np.random.default_rng(3)
    rows = []
    for r in [f"U{k:03d}" for k in range(40)]:
        level = rng.lognormal(size=6)
        for y in range(2019, 2023):
            for j in range(6):
                v = level[j] * (1 + 0.05 * (y - 2019)) * rng.uniform(0.9, 1.1)
                if rng.uniform() < 0.04:
                    v = np.nan
                rows.append({"region": r, "year": y, "indicator": f"x{j}", "value": v})
    return pd.DataFrame(rows)


def _synthetic(aggregate: str) -> Assessment:
    return assess(
        synthetic_panel(),
        framework=SYN_FRAMEWORK,
        impute="linear,ffill_bfill,column_mean",
        weights="entropy,critic",
        aggregate=aggregate,
        outliers="winsor",
    )


@pytest.mark.parametrize(
    ("case", "n", "seed"), [("synthetic_linear", 32, 11), ("synthetic_topsis", 32, 11)]
)
def test_numpy_engine_reproduces_the_pandas_engine(case: str, n: int, seed: int) -> None:
    """Same design (outlier treatment fixed, as before it was a factor), same S1, ST,
    confidence intervals and rank bands to 1e-12 as the pandas engine on a fixed seed (the
    cases do not depend on the packaged data, which changes; the provinces are checked
    configuration by configuration below)."""
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))[case]
    a = _synthetic(case.removeprefix("synthetic_"))
    wide = _wide(a.data, a.framework)
    u = run_uncertainty(
        wide,
        a.framework,
        a.construction,
        a.scores,
        n=n,
        seed=seed,
        groups=_groups(wide),
        levels={"outliers": [a.construction.outliers]},
    )
    assert (u.n_runs, u.n_configurations) == (ref["n_runs"], ref["n_configurations"])
    assert u.sobol["factor"].tolist() == ref["sobol"]["factor"]
    for col in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_allclose(u.sobol[col], ref["sobol"][col], rtol=0, atol=1e-12)
    assert u.ranks["region"].astype(str).tolist() == ref["ranks"]["region"]
    for col in ("median_rank", "rank_p05", "rank_p95"):
        np.testing.assert_allclose(u.ranks[col], ref["ranks"][col], rtol=0, atol=1e-12)


def test_every_configuration_equals_the_pandas_construction() -> None:
    """Each configuration's index from the NumPy engine equals ``composite_index`` on the
    pandas path (prepare → drop_indicator → weights → aggregation) to 1e-12, ranks equal."""
    a = _synthetic("linear")
    wide = _wide(a.data, a.framework)
    keys = pd.MultiIndex.from_frame(a.scores[["region", "year"]].astype({"region": str}))
    years = a.scores["year"].to_numpy()
    fw, c0 = a.framework, a.construction
    engine = _Engine(wide, fw, c0, None, None, keys)
    levels = _checked_levels(default_levels(c0, fw, has_gaps=True, has_groups=False), fw)
    levels["impute"] = levels["impute"][:1]
    levels["exclude"] = [None, "x3"]
    engine.drop_undefined(levels)
    prepared: dict[tuple[str, str], pd.DataFrame] = {}
    for combo in itertools.product(*(levels[f] for f in FACTORS)):
        choice = dict(zip(FACTORS, combo, strict=True))
        c = replace(
            c0,
            normalize=choice["normalize"],
            weights=choice["weights"],
            aggregate=choice["aggregate"],
            entropy_shift=choice["entropy_shift"],
            outliers=choice["outliers"],
        )
        key = (c.normalize, c.outliers)
        if key not in prepared:
            prepared[key] = prepare(wide, fw, c)[2]
        framework = fw if choice["exclude"] is None else drop_indicator(fw, choice["exclude"])
        expected = composite_index(prepared[key], framework, c).reindex(keys).to_numpy()
        got = engine.aligned(choice)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12, err_msg=str(choice))
        assert (_year_ranks(got, years) == _year_ranks(expected, years)).all(), choice


def test_provinces_configurations_equal_the_pandas_construction() -> None:
    """On the packaged provinces (default ndrc assessment), 40 configurations drawn from every
    factor's levels: the NumPy engine's index equals ``composite_index`` on the pandas path to
    1e-12 and its ranks are the same."""
    a = assess()
    wide = _wide(a.data, a.framework)
    groups = _groups(wide)
    keys = pd.MultiIndex.from_frame(a.scores[["region", "year"]].astype({"region": str}))
    years = a.scores["year"].to_numpy()
    fw, c0 = a.framework, a.construction
    engine = _Engine(wide, fw, c0, groups, None, keys)
    levels = _checked_levels(
        default_levels(c0, fw, has_gaps=bool(wide.isna().to_numpy().any()), has_groups=True), fw
    )
    engine.drop_undefined(levels)
    rng = np.random.default_rng(5)
    for _ in range(40):
        choice = {f: levels[f][int(rng.integers(len(levels[f])))] for f in FACTORS}
        c = replace(
            c0,
            normalize=choice["normalize"],
            weights=choice["weights"],
            aggregate=choice["aggregate"],
            entropy_shift=choice["entropy_shift"],
            impute=choice["impute"],
            outliers=choice["outliers"],
        )
        norm = prepare(wide, fw, c, groups=groups)[2]
        framework = fw if choice["exclude"] is None else drop_indicator(fw, choice["exclude"])
        expected = composite_index(norm, framework, c).reindex(keys).to_numpy()
        got = engine.aligned(choice)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12, err_msg=str(choice))
        assert (_year_ranks(got, years) == _year_ranks(expected, years)).all(), choice


def skewed_panel() -> pd.DataFrame:
    """12 regions: ``a`` has one huge outlier (skewness and kurtosis far past 2 and 3.5),
    ``b`` and ``c`` are plain; the outlier decides the ranks only while untreated."""
    rows = []
    for k, r in enumerate(REGIONS + province_codes()[10:12]):
        for y in (2021, 2022):
            a = 1000.0 if k == 0 else 1.0 + k + 0.1 * (y % 2)
            rows += [
                {"region": r, "year": y, "indicator": "a", "value": a},
                {"region": r, "year": y, "indicator": "b", "value": 20.0 - k},
                {"region": r, "year": y, "indicator": "c", "value": 5.0 + (k * 7) % 12},
            ]
    return pd.DataFrame(rows)


SKEWED_FRAMEWORK = {
    "pillars": [{"id": "p", "indicators": [{"id": i, "direction": "+"} for i in ("a", "b", "c")]}]
}


def test_outlier_treatment_is_a_factor_of_the_analysis() -> None:
    a = assess(skewed_panel(), framework=SKEWED_FRAMEWORK, outliers="none", uncertainty=64)
    u = a.uncertainty
    assert u is not None
    assert u.levels["outliers"] == ["none", "jrc", "winsor", "log"]
    si = u.sobol.set_index("factor")
    assert "outliers" in si.index and si.loc["outliers", "n_levels"] == 4
    assert si.loc["outliers", "ST"] > 0.05
    assert u.n_base == 64
    assert u.n_runs == 64 * (len(u.sobol) + 2)
    assert u.n_possible == math.prod(len(v) for v in u.levels.values())
    assert u.n_configurations <= min(u.n_runs, u.n_possible)
    # fixing the treatment removes the factor and its variance
    wide = _wide(a.data, a.framework)
    fixed = run_uncertainty(
        wide, a.framework, a.construction, a.scores, n=64, levels={"outliers": ["none"]}
    )
    assert "outliers" not in set(fixed.sobol["factor"])


def test_ratio_to_max_undefined_for_the_data_is_left_out_with_a_note() -> None:
    """A cost indicator with a 0 makes min/x undefined: the old engine failed on its own
    alternative; now ``max`` leaves the analysis and the notes say why."""
    panel = skewed_panel()
    panel.loc[(panel["indicator"] == "b") & (panel["region"] == REGIONS[3]), "value"] = 0.0
    fw: dict[str, Any] = {
        "pillars": [
            {
                "id": "p",
                "indicators": [
                    {"id": "a", "direction": "+"},
                    {"id": "b", "direction": "-"},
                    {"id": "c", "direction": "+"},
                ],
            }
        ]
    }
    a = assess(panel, framework=fw, outliers="none", uncertainty=16)
    u = a.uncertainty
    assert u is not None
    assert u.levels["normalize"] == ["minmax", "rank"]
    assert u.levels["outliers"] == ["none", "jrc", "winsor", "log"]
    assert len(u.notes) == 1 and u.notes[0].startswith("normalize=max left out")
    assert "'b'" in u.notes[0]


def test_unknown_level_is_an_error_naming_the_factor() -> None:
    a = assess(dominated_panel(), framework=FRAMEWORK, weights="equal")
    wide = a.data.pivot(index=["region", "year"], columns="indicator", values="value")
    with pytest.raises(InputError, match="unknown level 'tukey' of uncertainty factor 'outliers'"):
        run_uncertainty(
            wide, a.framework, a.construction, a.scores, n=4, levels={"outliers": ["tukey"]}
        )


@settings(max_examples=40, deadline=None)
@given(
    n_configs=st.integers(1, 6),
    n_rows=st.integers(1, 5),
    n_runs=st.integers(1, 40),
    seed=st.integers(0, 2**16),
)
def test_rank_quantiles_from_counts_equal_numpy_quantile(
    n_configs: int, n_rows: int, n_runs: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    ranks = rng.integers(1, 9, size=(n_configs, n_rows)).astype(np.int16)
    runs = rng.integers(0, n_configs, size=n_runs)
    expected = np.quantile(ranks[runs], [0.05, 0.5, 0.95], axis=0)
    got = np.vstack(_rank_quantiles(ranks, runs))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_outputs_show_the_outlier_factor_and_the_distinct_evaluations(tmp_path: Path) -> None:
    import docx
    import openpyxl

    from nqpf.present.assessment import write_assessment

    a = assess(skewed_panel(), framework=SKEWED_FRAMEWORK, outliers="none", uncertainty=16)
    u = a.uncertainty
    assert u is not None
    write_assessment(a, tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "assessment.xlsx")["uncertainty"]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    factors = {row[0]: row for row in rows if row}
    assert factors["outliers"][1] == "none, jrc, winsor, log"
    design = f"{u.n_configurations:,} distinct configurations evaluated once each"
    assert any(design in str(row[0]) for row in rows if row)
    page = (tmp_path / "assessment.html").read_text(encoding="utf-8")
    assert "none, jrc, winsor, log" in page and design in page
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "assessment.docx")).paragraphs)
    assert "outliers: none, jrc, winsor, log" in text and design in text
