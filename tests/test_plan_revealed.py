"""Revealed herding (nqpf.plan.revealed): constructed scenarios with known answers, the
Krugman and similarity means against hand-computed values and the pairwise matrices of
nqpf.industry.structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nqpf.errors import InputError
from nqpf.industry.structure import krugman_dissimilarity, similarity
from nqpf.plan.revealed import (
    convergence_path,
    entry_waves,
    industry_dispersion,
    mean_pairwise_krugman,
    mean_pairwise_similarity,
    revealed_herding,
)

HAND = pd.DataFrame(
    [[1.0, 1.0], [1.0, 3.0], [0.0, 2.0]], index=["r1", "r2", "r3"], columns=["a", "b"]
)


def test_krugman_and_similarity_by_hand() -> None:
    # shares (.5,.5), (.25,.75), (0,1): K12 = .5, K13 = 1, K23 = .5 → mean 2/3
    assert mean_pairwise_krugman(HAND) == pytest.approx(2 / 3, abs=1e-12)
    # d_a = (|.5-.25| + |.5-0| + |.25-0|)/3 = 1/3, d_b the same
    assert industry_dispersion(HAND).tolist() == pytest.approx([1 / 3, 1 / 3], abs=1e-12)
    # S12 = .5/√(.5·.625), S13 = .5/√.5, S23 = .75/√.625
    s12, s13, s23 = 0.5 / np.sqrt(0.3125), 0.5 / np.sqrt(0.5), 0.75 / np.sqrt(0.625)
    assert mean_pairwise_similarity(HAND) == pytest.approx((s12 + s13 + s23) / 3, abs=1e-12)
    assert (s12 + s13 + s23) / 3 == pytest.approx(0.850072, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(2, 9), st.integers(1, 6)), elements=st.floats(0, 50))
)
def test_pair_means_equal_the_pairwise_matrices(x: np.ndarray) -> None:
    assume((x.sum(axis=1) > 1e-6).all())
    values = pd.DataFrame(x)
    n = len(values)
    upper = np.triu_indices(n, k=1)
    k_matrix = krugman_dissimilarity(values).to_numpy()[upper].mean()
    s_matrix = similarity(values).to_numpy()[upper].mean()
    assert mean_pairwise_krugman(values) == pytest.approx(k_matrix, abs=1e-9)
    assert mean_pairwise_similarity(values) == pytest.approx(s_matrix, abs=1e-9)


def test_convergence_path_identical_regions_and_falling_krugman() -> None:
    same = pd.DataFrame([[1.0, 3.0]] * 4)
    apart = pd.DataFrame([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    path = convergence_path({2020: same, 2010: apart})
    assert path["year"].tolist() == [2010, 2020]
    # disjoint halves: 4 of 6 pairs differ completely (K = 2, S = 0)
    assert path["krugman_mean"].tolist() == pytest.approx([8 / 6, 0.0])
    assert path["similarity_mean"].tolist() == pytest.approx([2 / 6, 1.0])
    assert path["krugman_change"].iloc[1] == pytest.approx(-8 / 6)


def _window(n: int = 10) -> dict[str, pd.DataFrame]:
    regions = [f"r{i}" for i in range(n)]
    cols = ["A", "B"]
    rca0 = pd.DataFrame({"A": 0.0, "B": 2.0}, index=regions)[cols]
    rca1 = pd.DataFrame({"A": 1.5, "B": 2.0}, index=regions)[cols]
    values0 = pd.DataFrame({"A": 0.0, "B": 1.0}, index=regions)[cols] + np.arange(n)[:, None]
    values1 = values0 + 1.0
    return {"rca0": rca0, "rca1": rca1, "v0": values0, "v1": values1}


def test_every_region_entering_without_relatedness_is_full_herding() -> None:
    w = _window()
    density = pd.DataFrame({"A": 0.0, "B": 1.0}, index=w["rca0"].index)
    table, entries = revealed_herding(
        w["rca0"], w["rca1"], density, values_start=w["v0"], values_end=w["v1"],
        density_min=0.2, window="t0–t1",
    )  # fmt: skip
    a = table.set_index("industry").loc["A"]
    assert (a["candidates"], a["entrants"], a["unrelated_entrants"]) == (10, 10, 10)
    assert (a["entry_rate"], a["unrelated_share"], a["herding_index"]) == (1.0, 1.0, 1.0)
    b = table.set_index("industry").loc["B"]
    assert (b["candidates"], b["entrants"], b["herding_index"]) == (0, 0, 0.0)
    assert np.isnan(b["entry_rate"]) and np.isnan(b["unrelated_share"])
    assert len(entries) == 10 and not entries["related"].any()
    assert "10个" in a["explanation_zh"] and "10 of 10 regions" in a["explanation_en"]


def test_entries_into_related_industries_are_no_herding() -> None:
    w = _window()
    density = pd.DataFrame({"A": 0.6, "B": 1.0}, index=w["rca0"].index)
    table, entries = revealed_herding(
        w["rca0"], w["rca1"], density, values_start=w["v0"], values_end=w["v1"], density_min=0.2
    )
    a = table.set_index("industry").loc["A"]
    assert (a["entrants"], a["unrelated_entrants"], a["herding_index"]) == (10, 0, 0.0)
    assert entries["related"].all()


def test_relative_rule_uses_the_percentile_among_regions() -> None:
    w = _window()
    # densities 0.0, 0.1, …, 0.9 to A: percentiles 0.1 … 1.0, below 0.5 → r0..r3
    density = pd.DataFrame({"A": np.arange(10) / 10, "B": 1.0}, index=w["rca0"].index)
    table, entries = revealed_herding(
        w["rca0"], w["rca1"], density, values_start=w["v0"], values_end=w["v1"]
    )
    a = table.set_index("industry").loc["A"]
    assert (a["unrelated_entrants"], a["herding_index"]) == (4, 0.4)
    assert sorted(entries.loc[~entries["related"], "region"]) == ["r0", "r1", "r2", "r3"]


def test_partial_entry_and_dispersion_change() -> None:
    regions = ["r0", "r1", "r2", "r3"]
    rca0 = pd.DataFrame({"A": [0.5, 0.5, 0.5, 2.0], "B": 1.0}, index=regions)
    rca1 = pd.DataFrame({"A": [1.2, 0.9, 0.5, 2.0], "B": 1.0}, index=regions)
    density = pd.DataFrame({"A": [0.0, 0.0, 0.0, 0.0], "B": 0.0}, index=regions)
    v0 = pd.DataFrame({"A": [0.0, 0.0, 0.0, 4.0], "B": 1.0}, index=regions)
    v1 = pd.DataFrame({"A": [1.0, 1.0, 1.0, 1.0], "B": 1.0}, index=regions)
    table, _ = revealed_herding(
        rca0, rca1, density, values_start=v0, values_end=v1, density_min=0.1
    )
    a = table.set_index("industry").loc["A"]
    assert (a["candidates"], a["entrants"], a["unrelated_entrants"]) == (3, 1, 1)
    assert a["entry_rate"] == pytest.approx(1 / 3) and a["herding_index"] == 0.25
    # start shares of A: 0, 0, 0, 0.8 → d = 3·0.8/6 = 0.4; end: all 0.5 → d = 0
    assert (a["dispersion_start"], a["dispersion_end"]) == pytest.approx((0.4, 0.0))
    assert a["dispersion_change"] == pytest.approx(-0.4) and "趋同" in a["explanation_zh"]


def test_entry_waves() -> None:
    first = pd.DataFrame(
        {
            "region": ["a", "b", "c", "d", "a", "b"],
            "industry": ["X", "X", "X", "X", "Y", "Y"],
            "year": [2019, 2020, 2020, 2020, 2010, 2012],
        }
    )
    waves = entry_waves(first, regions=4).set_index("industry")
    assert waves.loc["X"].tolist() == [4, 2020, 3, 0.75]
    # a tie (one entry each year) takes the earliest year
    assert waves.loc["Y", "peak_year"] == 2010 and waves.loc["Y", "peak_entries"] == 1


def test_bad_inputs() -> None:
    w = _window()
    density = pd.DataFrame({"A": 0.0, "B": 1.0}, index=w["rca0"].index)
    with pytest.raises(InputError, match="same regions"):
        revealed_herding(
            w["rca0"], w["rca1"].iloc[:5], density, values_start=w["v0"], values_end=w["v1"]
        )
    with pytest.raises(InputError, match="density_quantile"):
        revealed_herding(
            w["rca0"], w["rca1"], density, values_start=w["v0"], values_end=w["v1"],
            density_quantile=2.0,
        )  # fmt: skip
    with pytest.raises(InputError, match="positive total"):
        mean_pairwise_krugman(pd.DataFrame([[0.0, 0.0], [1.0, 1.0]]))
    with pytest.raises(InputError, match="two regions"):
        mean_pairwise_similarity(pd.DataFrame([[1.0, 1.0]]))


# --- the service on the packaged data ------------------------------------------------


@pytest.fixture(scope="module")
def listed_result():  # type: ignore[no-untyped-def]
    from nqpf.services.plan import herding

    return herding(view="revealed", source="listed", start=2015, end=2025)


def test_listed_convergence_matches_the_pairwise_matrices(listed_result) -> None:  # type: ignore[no-untyped-def]
    from nqpf.industry.matrix import to_wide
    from nqpf.services.matrices import listed_matrix

    path = listed_result.tables()["convergence"].set_index("year")
    assert path.index.tolist() == list(range(2015, 2026))
    for year in (2015, 2025):
        wide = to_wide(listed_matrix([year]), year)
        upper = np.triu_indices(len(wide), k=1)
        k = krugman_dissimilarity(wide).to_numpy()[upper].mean()
        s = similarity(wide).to_numpy()[upper].mean()
        if wide.shape[1] == path.loc[year, "industries"]:
            assert path.loc[year, "krugman_mean"] == pytest.approx(k, abs=1e-9)
            assert path.loc[year, "similarity_mean"] == pytest.approx(s, abs=1e-9)
    # provinces' listed-company structures became more alike over the decade
    assert path.loc[2025, "krugman_mean"] < path.loc[2015, "krugman_mean"]
    assert path.loc[2025, "similarity_mean"] > path.loc[2015, "similarity_mean"]
    assert "converged" in listed_result.notes[1]


def test_listed_entries_and_waves_against_the_firm_list(listed_result) -> None:  # type: ignore[no-untyped-def]
    from nqpf.data import load_enterprises
    from nqpf.industry.advantage import rca
    from nqpf.industry.matrix import to_wide
    from nqpf.services.matrices import listed_matrix

    table = listed_result.to_frame().set_index("industry")
    entries = listed_result.tables()["entries"]
    assert table["entrants"].sum() == len(entries)
    assert table["unrelated_entrants"].sum() == int((~entries["related"]).sum())
    # RCA recomputed from the firm counts: 北京 entered 铁路 (no listed railway firm in 2015)
    r15 = rca(to_wide(listed_matrix([2015]), 2015))
    r25 = rca(to_wide(listed_matrix([2025]), 2025))
    assert r15.loc["110000", "铁路"] < 1 <= r25.loc["110000", "铁路"]
    assert ((entries["region"] == "110000") & (entries["industry"] == "铁路")).any()
    # waves: the provinces whose first listed 建筑工程 firm listed in 2016, from the raw list
    firms = load_enterprises().dropna(subset=["list_date"])
    firms = firms[firms["industry"] == "建筑工程"]
    first = pd.to_datetime(firms["list_date"]).dt.year.groupby(firms["province"]).min()
    waves = listed_result.tables()["waves"].set_index("industry")
    assert waves.loc["建筑工程", "peak_year"] == 2016
    assert waves.loc["建筑工程", "peak_entries"] == int((first == 2016).sum())
    assert waves.loc["建筑工程", "regions_entered"] == int(((first > 2015) & (first <= 2025)).sum())


def test_census_county_window() -> None:
    from nqpf.services.plan import herding

    result = herding(view="revealed", source="census", level="county")
    table = result.to_frame()
    assert len(table) == 19 and set(table["industry"]) == set("ABCDEFGHIJKLMNOPQRS")
    path = result.tables()["convergence"]
    assert path["year"].tolist() == [2010, 2020]
    assert (path["regions"] == path["regions"].iloc[0]).all() and path["regions"].iloc[0] > 2700
    assert any("have no 2020 code" in note for note in result.notes)
    assert (table["herding_index"] == table["unrelated_entrants"] / path["regions"].iloc[0]).all()


def test_revealed_bad_options() -> None:
    from nqpf.services.plan import herding

    with pytest.raises(InputError, match="window 2015–2010"):
        herding(view="revealed", start=2015, end=2010)
    with pytest.raises(InputError, match="census window is 2010"):
        herding(view="revealed", source="census", start=2000, end=2020)
    with pytest.raises(InputError, match="unknown source"):
        herding(view="revealed", source="stocks")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown view"):
        herding(view="imagined")  # type: ignore[arg-type]


def test_cli_revealed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_nqpf

    out = tmp_path / "out"
    run = run_nqpf("herding", "--view", "revealed", "--top", "3", "--out", str(out), home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "revealed herding index 2015–2025" in run.stdout.replace("\n", " ")
    page = (out / "herding.html").read_text(encoding="utf-8")
    assert "Revealed herding" in page and "Structural convergence" in page
    assert "<script src=" not in page  # offline: plotly inlined
    bad = run_nqpf("herding", "--view", "revealed", "--start", "1990", home=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_revealed_page_draws_offline(tmp_path, open_offline, listed_result) -> None:  # type: ignore[no-untyped-def]
    from nqpf.present.plan import write_plan_result

    _, page = write_plan_result(listed_result, tmp_path)
    opened = open_offline(page)
    assert opened.external_requests == [] and opened.console_errors == []
    # two plotly charts (index bars, convergence lines) drawn from the inlined library
    assert opened.page.eval_on_selector_all(".js-plotly-plot", "ns => ns.length") == 2
    traces = opened.page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => d.data.length)"
    )
    assert traces == [1, 2]
    body = opened.page.inner_text("body")
    assert "Revealed herding" in body and "建筑工程" in body
