"""Input-output analysis: Miller & Blair (2009) printed examples, exact identities on the
packaged national tables, closed forms against brute force, and parity with pymrio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nqpf.chain.io import (
    IOTable,
    aggregate,
    allocation_coefficients,
    backward_linkages,
    forward_linkages,
    ghosh_inverse,
    hypothetical_extraction,
    key_sectors,
    leontief_inverse,
    linkages,
    output_multipliers,
    technical_coefficients,
    value_added_multipliers,
)
from nqpf.errors import InputError
from nqpf.services.io import compare_years, concordance_153_to_149, io_linkages, load_io
from tests.conftest import run_nqpf

# Miller, R. E. & Blair, P. D. (2009) Input-Output Analysis: Foundations and Extensions,
# 2nd ed., Cambridge University Press. The two-sector example of section 2.3 ("Numerical
# Example: Hypothetical Figures", table 2.3): Z, f, x as printed.
MB_Z = np.array([[150.0, 500.0], [200.0, 100.0]])
MB_X = np.array([1000.0, 2000.0])
MB_F = np.array([350.0, 1700.0])


def test_miller_blair_section_2_3_coefficients_and_inverse() -> None:
    a = technical_coefficients(MB_Z, MB_X)
    # printed A (section 2.3.1): [.15 .25; .20 .05]
    np.testing.assert_allclose(a, [[0.15, 0.25], [0.20, 0.05]], atol=1e-12)
    lm = leontief_inverse(a)
    # printed (I − A)⁻¹ to three decimals (section 2.3.1): [1.254 .330; .264 1.122]
    np.testing.assert_allclose(lm, [[1.254, 0.330], [0.264, 1.122]], atol=5e-4)
    # printed outputs for the new final demand f_new = [600, 1500]: x = [1247.52, 1841.58]
    np.testing.assert_allclose(lm @ [600.0, 1500.0], [1247.52, 1841.58], atol=5e-3)


def test_miller_blair_section_2_5_closed_model() -> None:
    # households endogenous: labour-input row [.30 .25], consumption column [.05 .40], h-h .05;
    # printed L̄ (section 2.5.1) to three decimals
    a_bar = np.array([[0.15, 0.25, 0.05], [0.20, 0.05, 0.40], [0.30, 0.25, 0.05]])
    printed = [[1.365, 0.425, 0.251], [0.527, 1.348, 0.595], [0.570, 0.489, 1.289]]
    np.testing.assert_allclose(leontief_inverse(a_bar), printed, atol=5e-4)
    # section 6.2.2: total (Type II) output multipliers are L̄'s column sums over the two
    # industries, 1.892 and 1.773
    np.testing.assert_allclose(
        leontief_inverse(a_bar)[:2, :2].sum(axis=0), [1.892, 1.773], atol=1e-3
    )


def test_miller_blair_section_6_multipliers() -> None:
    lm = leontief_inverse(technical_coefficients(MB_Z, MB_X))
    # simple output multipliers (section 6.2.2): 1.518 and 1.452
    np.testing.assert_allclose(output_multipliers(lm), [1.518, 1.452], atol=5e-4)
    # household income with labour-input coefficients [.30 .25], i.e. payments [300, 500]
    wages = np.array([300.0, 500.0])
    # simple household income multipliers (section 6.2.3): .442 and .380; Type I 1.474, 1.518
    np.testing.assert_allclose(value_added_multipliers(lm, wages, MB_X), [0.442, 0.380], atol=5e-4)
    np.testing.assert_allclose(
        value_added_multipliers(lm, wages, MB_X, kind="type1"), [1.474, 1.518], atol=5e-4
    )


def test_miller_blair_section_12_ghosh() -> None:
    b = allocation_coefficients(MB_Z, MB_X)
    # printed B (section 12.1.2): [.15 .50; .10 .05]; G = [1.254 .660; .132 1.122]
    np.testing.assert_allclose(b, [[0.15, 0.50], [0.10, 0.05]], atol=1e-12)
    g = ghosh_inverse(b)
    np.testing.assert_allclose(g, [[1.254, 0.660], [0.132, 1.122]], atol=5e-4)
    # x' = v'G with v = x − Z'1 = [650, 1400]
    np.testing.assert_allclose([650.0, 1400.0] @ g, MB_X, rtol=1e-12)


def test_rasmussen_linkages_of_the_two_sector_example() -> None:
    # from the printed L: column sums 1.518, 1.452 over the mean 2.970 / 2
    lm = leontief_inverse(technical_coefficients(MB_Z, MB_X))
    np.testing.assert_allclose(backward_linkages(lm), [1.518 / 1.485, 1.452 / 1.485], atol=5e-4)
    # Ghosh row sums 1.914 and 1.254 (printed G), mean 1.584
    g = ghosh_inverse(allocation_coefficients(MB_Z, MB_X))
    np.testing.assert_allclose(forward_linkages(g), [1.914 / 1.584, 1.254 / 1.584], atol=1e-3)
    assert key_sectors(backward_linkages(lm), forward_linkages(g)).tolist() == ["key", "weak"]


def test_hypothetical_extraction_of_the_two_sector_example() -> None:
    lm = leontief_inverse(technical_coefficients(MB_Z, MB_X))
    # total extraction of sector 1: sector 2 alone produces f2 / (1 − a22) = 1700 / .95
    total = hypothetical_extraction(lm, MB_X, MB_F)
    assert total[0] == pytest.approx(3000.0 - 1700.0 / 0.95, rel=1e-12)
    assert total[1] == pytest.approx(3000.0 - 350.0 / 0.85, rel=1e-12)
    # backward extraction of sector 1: column 1 of A zero → x̄1 = f1 + a12 x̄2,
    # x̄2 = f2 / (1 − a22): output 350 + .25·1789.47 + 1789.47
    back = hypothetical_extraction(lm, MB_X, MB_F, mode="backward")
    x2 = 1700.0 / 0.95
    assert back[0] == pytest.approx(3000.0 - (350.0 + 0.25 * x2 + x2), rel=1e-12)


# ------------------------------------------------------------------- properties


@st.composite
def _productive_tables(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 7))
    z = draw(arrays(float, (n, n), elements=st.floats(0.0, 100.0)))
    fd = draw(arrays(float, n, elements=st.floats(1.0, 500.0)))
    va = draw(arrays(float, n, elements=st.floats(1.0, 500.0)))
    # x from the row side; value added must then be positive on the column side too
    x = z.sum(axis=1) + fd
    assume(bool((x - z.sum(axis=0) > 0.5).all()))
    del va
    return z, x


@given(_productive_tables())
@settings(max_examples=60, deadline=None)
def test_extraction_closed_forms_match_brute_force(table: tuple[np.ndarray, np.ndarray]) -> None:
    z, x = table
    n = len(x)
    f = x - z.sum(axis=1)
    v = x - z.sum(axis=0)
    a = technical_coefficients(z, x)
    b = allocation_coefficients(z, x)
    lm = leontief_inverse(a)
    total = hypothetical_extraction(lm, x, f)
    back = hypothetical_extraction(lm, x, f, mode="backward")
    fwd = hypothetical_extraction(lm, x, f, mode="forward")
    for j in range(n):
        keep = [i for i in range(n) if i != j]
        reduced = np.linalg.solve(np.eye(n - 1) - a[np.ix_(keep, keep)], f[keep])
        assert total[j] == pytest.approx(x.sum() - reduced.sum(), rel=1e-7, abs=1e-7)
        a_j = a.copy()
        a_j[:, j] = 0.0
        assert back[j] == pytest.approx(
            x.sum() - np.linalg.solve(np.eye(n) - a_j, f).sum(), rel=1e-7, abs=1e-7
        )
        b_j = b.copy()
        b_j[j, :] = 0.0
        assert fwd[j] == pytest.approx(
            x.sum() - np.linalg.solve((np.eye(n) - b_j).T, v).sum(), rel=1e-7, abs=1e-7
        )


@given(_productive_tables())
@settings(max_examples=60, deadline=None)
def test_inverse_identities(table: tuple[np.ndarray, np.ndarray]) -> None:
    z, x = table
    a = technical_coefficients(z, x)
    lm = leontief_inverse(a)
    g = ghosh_inverse(allocation_coefficients(z, x))
    n = len(x)
    np.testing.assert_allclose(lm @ (np.eye(n) - a), np.eye(n), atol=1e-9)
    # G = x̂⁻¹ L x̂ (Miller & Blair eq. 12.9)
    np.testing.assert_allclose(g, lm * x[np.newaxis, :] / x[:, np.newaxis], rtol=1e-8, atol=1e-12)
    # normalised linkages average 1; L f reproduces x
    assert backward_linkages(lm).mean() == pytest.approx(1.0)
    assert forward_linkages(g).mean() == pytest.approx(1.0)
    np.testing.assert_allclose(lm @ (x - z.sum(axis=1)), x, rtol=1e-8)
    # value added generated by all final demand is all value added: c'L = 1'
    va = x - z.sum(axis=0)
    np.testing.assert_allclose(value_added_multipliers(lm, va, x), np.ones(n), rtol=1e-8)


def test_bad_coefficients_are_refused() -> None:
    with pytest.raises(InputError, match="not productive"):
        leontief_inverse(np.array([[0.9, 0.5], [0.5, 0.9]]))
    with pytest.raises(InputError, match="square"):
        leontief_inverse(np.zeros((2, 3)))
    with pytest.raises(InputError, match="missing"):
        IOTable.from_flows(
            pd.DataFrame([[1.0, np.nan], [0.0, 1.0]], index=["a", "b"], columns=["a", "b"]),
            pd.Series({"a": 5.0, "b": 5.0}),
        )


# ------------------------------------------------------- packaged national tables


@pytest.mark.parametrize(("year", "n"), [(2017, 149), (2018, 153), (2020, 153), (2020, 42)])
def test_leontief_inverse_identity_on_national_tables(year: int, n: int) -> None:
    table = load_io(year, n)
    x = table.output.to_numpy()
    a = technical_coefficients(table.flows.to_numpy(), x)
    lm = leontief_inverse(a)
    np.testing.assert_allclose(lm @ (np.eye(n) - a), np.eye(n), atol=1e-9)
    np.testing.assert_allclose((np.eye(n) - a) @ lm, np.eye(n), atol=1e-9)
    np.testing.assert_allclose(lm @ table.final_demand.to_numpy(), x, rtol=1e-9)


def test_parity_with_pymrio_on_the_2020_table() -> None:
    iomath = pytest.importorskip("pymrio.tools.iomath")
    table = load_io(2020)
    z, x = table.flows, table.output
    a_ref = iomath.calc_A(z, x.to_frame("indout"))
    np.testing.assert_allclose(
        technical_coefficients(z.to_numpy(), x.to_numpy()), a_ref, rtol=1e-12
    )
    l_ref = iomath.calc_L(a_ref)
    lm = leontief_inverse(a_ref.to_numpy())
    np.testing.assert_allclose(lm, l_ref, rtol=1e-9, atol=1e-12)
    b_ref = iomath.calc_B(z, x.to_frame("indout"))
    np.testing.assert_allclose(
        allocation_coefficients(z.to_numpy(), x.to_numpy()), b_ref, rtol=1e-12
    )
    np.testing.assert_allclose(
        ghosh_inverse(b_ref.to_numpy()), iomath.calc_G(b_ref), rtol=1e-9, atol=1e-12
    )


def test_national_2020_linkages_match_what_experts_expect() -> None:
    out = io_linkages(2020).linkages.set_index("sector")
    assert len(out) == 153
    assert out["backward"].mean() == pytest.approx(1.0)
    # electronics (计算机, 通信设备, 电子元器件) buy more intermediate inputs per unit of final
    # demand than anything else in China's economy: highest power of dispersion
    assert set(out.nsmallest(5, "rank_bl").index) >= {"090", "091"}
    # mining sells nearly all output to other industries: top forward linkages
    assert out.loc["007", "rank_fl"] <= 5 and out.loc["006", "rank_fl"] <= 10
    # basic chemicals and electronic components are key sectors (BL > 1 and FL > 1)
    assert out.loc["043", "key_type"] == "key" and out.loc["094", "key_type"] == "key"
    # services for households are weakly linked
    assert out.loc["142", "key_type"] == "weak"


def test_domestic_flows_only_for_non_competitive_tables() -> None:
    domestic = load_io(2020, 42, flows="domestic")
    total = load_io(2020, 42)
    assert (domestic.flows.to_numpy() <= total.flows.to_numpy() + 1e-6).all()
    assert domestic.flows.to_numpy().sum() < total.flows.to_numpy().sum()
    with pytest.raises(InputError, match="competitive"):
        load_io(2020, 153, flows="domestic")


def test_concordance_and_comparison_across_years() -> None:
    conc = concordance_153_to_149()
    assert len(conc) == 153 and conc.nunique() == 149
    # the stated splits: two equipment sectors and four construction sectors
    assert conc["071"] == conc["073"] and conc["077"] == conc["078"]
    assert conc["103"] == conc["104"] and conc["105"] == conc["106"]
    # aggregation keeps totals
    t2020 = load_io(2020)
    agg = aggregate(t2020, conc)
    assert agg.n == 149
    assert agg.output.sum() == pytest.approx(t2020.output.sum(), rel=1e-12)
    assert agg.flows.to_numpy().sum() == pytest.approx(t2020.flows.to_numpy().sum(), rel=1e-12)
    cmp = compare_years((2017, 2020)).compare
    assert set(cmp["year"]) == {2017, 2020} and cmp["sector"].nunique() == 149
    cars = cmp[(cmp["sector"] == "077") & (cmp["year"] == 2020)].iloc[0]
    assert cars["name"] == "汽车整车"
    # the change column is the difference of the two years' values
    one = cmp[cmp["sector"] == "077"].set_index("year")
    assert one["backward_change"].iloc[0] == pytest.approx(
        one.loc[2020, "backward"] - one.loc[2017, "backward"]
    )


def test_linkage_table_columns_and_options() -> None:
    out = linkages(load_io(2020, 42))
    assert out["extraction_total"].between(0, 1).all()
    hirschman = linkages(load_io(2020, 42), forward="leontief")
    assert not np.allclose(out["forward"], hirschman["forward"])
    with pytest.raises(InputError, match="ghosh or leontief"):
        linkages(load_io(2020, 42), forward="rows")  # type: ignore[arg-type]


def test_cli_io_linkages(tmp_path: Path) -> None:
    done = run_nqpf("io", "linkages", "--top", "5", "--out", str(tmp_path), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "计算机" in done.stdout and "关键部门 key sectors 31/153" in done.stdout
    saved = pd.read_excel(tmp_path / "io_linkages_2020_153.xlsx")
    assert len(saved) == 153
    bad = run_nqpf("io", "linkages", "--year", "2019", home=tmp_path)
    assert bad.returncode == 2 and "2017, 2018 or 2020" in bad.stderr
    assert "Traceback" not in bad.stderr
