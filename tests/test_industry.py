"""Comparative advantage, relatedness and complexity: identities, references, properties,
and parity with the Growth Lab ``ecomplexity`` package (PyPI 0.5) on the same matrices."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nqpf.errors import InputError, NQPFWarning
from nqpf.industry.advantage import continuous_presence, diversity, presence, rca, ubiquity
from nqpf.industry.complexity import complexity, complexity_diagnostic, nodf
from nqpf.industry.matrix import COLUMNS, to_wide, validate_matrix
from nqpf.industry.relatedness import density, distance, proximity
from nqpf.services.matrices import census_matrix, io_relatedness, listed_matrix, read_matrix

# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def prefectures() -> pd.DataFrame:
    """Census 2020 prefecture × section employment (≈337 × 19; 三沙 has no rows)."""
    with pytest.warns(NQPFWarning, match="460300"):
        return to_wide(census_matrix(2020, level="prefecture"))


@pytest.fixture(scope="module")
def provinces_listed() -> pd.DataFrame:
    """Province × listed-company industry counts, 2025 (31 × ≈110)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NQPFWarning)
        return to_wide(listed_matrix((2025,)))


def _synthetic(seed: int, n_regions: int = 120, n_industries: int = 40) -> pd.DataFrame:
    """Positive values with a nested structure (regions differ in how many industries)."""
    rng = np.random.default_rng(seed)
    capability = rng.uniform(0, 1, n_regions)[:, None]
    difficulty = rng.uniform(0, 1, n_industries)[None, :]
    scale = rng.lognormal(0, 1, (n_regions, n_industries))
    x = scale * (1 + 20 * (capability > difficulty))
    return pd.DataFrame(
        x,
        index=[f"r{i:03d}" for i in range(n_regions)],
        columns=[f"p{j:02d}" for j in range(n_industries)],
    )


def _ecomplexity(values: pd.DataFrame, **options: object) -> pd.DataFrame:
    from ecomplexity import ecomplexity

    long = values.stack().rename("val").reset_index()
    long.columns = ["region", "industry", "val"]
    long["year"] = 2020
    cols = {"time": "year", "loc": "region", "prod": "industry", "val": "val"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(long, cols, verbose=False, check_logsupermodularity=False, **options)
    return out.set_index(["region", "industry"])


def _theirs_cell(out: pd.DataFrame, name: str, values: pd.DataFrame) -> np.ndarray:
    wide = out[name].unstack().reindex(index=values.index, columns=values.columns)
    return wide.to_numpy(dtype=float)


# ---------------------------------------------------------------- matrices


def test_listed_matrix_counts_companies_listed_by_year_end() -> None:
    from nqpf.data import load_enterprises

    m = listed_matrix((2010, 2025))
    assert list(m.columns) == COLUMNS
    firms = load_enterprises().dropna(subset=["province", "industry", "list_date"])
    listed = pd.to_datetime(firms["list_date"]).dt.year
    expected = int(
        ((firms["province"] == "340000") & (firms["industry"] == "半导体") & (listed <= 2010)).sum()
    )
    got = m[(m["region"] == "340000") & (m["industry"] == "半导体") & (m["year"] == 2010)]["value"]
    assert float(got.sum()) == expected
    assert m[m["year"] == 2025]["value"].sum() == (listed <= 2025).sum()


def test_census_matrix_matches_the_census_table_and_drops_section_t() -> None:
    from nqpf.data import load_census_industry

    m = census_matrix(2010, level="county")
    raw = load_census_industry(2010, level="county")
    assert "T" not in set(m["industry"])
    assert m["value"].sum() == raw.loc[raw["section"] != "T", "value"].sum()
    assert m["region"].nunique() == raw["code"].nunique()


def test_to_wide_drops_zero_total_regions_and_industries_naming_them() -> None:
    long = pd.DataFrame(
        {
            "region": ["a", "a", "b", "b", "c", "c"],
            "industry": ["x", "y", "x", "y", "x", "y"],
            "year": 2020,
            "value": [1.0, 0.0, 2.0, 0.0, 0.0, 0.0],
        }
    )
    with pytest.warns(NQPFWarning) as record:
        wide = to_wide(validate_matrix(long))
    messages = " ".join(str(w.message) for w in record)
    assert "c" in messages and "y" in messages
    assert list(wide.index) == ["a", "b"] and list(wide.columns) == ["x"]


def test_read_matrix_round_trip_and_bad_rows(tmp_path: Path) -> None:
    good = tmp_path / "m.csv"
    good.write_text(
        "region,industry,year,value\n合肥,C,2020,5\n合肥,I,2020,3\n芜湖,C,2020,4\n",
        encoding="utf-8",
    )
    m = read_matrix(good, classification="gbt4754_section")
    assert m["value"].tolist() == [5.0, 3.0, 4.0]
    assert set(m["classification"]) == {"gbt4754_section"}

    cases = {
        "region,industry,year,value\na,C,2020,5\na,I,2020,-3\n": (3, "value", "negative"),
        "region,industry,year,value\na,C,2020,5\na,ZZ,2020,3\n": (3, "industry", "unknown"),
        "region,industry,year,value\na,C,2020,x\n": (2, "value", "expected a number"),
        "region,industry,year,value\na,C,2020,1\na,C,2020,2\n": (3, None, "duplicate"),
        "region,industry,year,value\na,C,20x0,1\n": (2, "year", "expected a year"),
    }
    for text, (row, column, words) in cases.items():
        bad = tmp_path / "bad.csv"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as info:
            read_matrix(bad, classification="gbt4754_section")
        assert info.value.row == row and info.value.column == column
        assert words in str(info.value) and "bad.csv" in str(info.value)
    with pytest.raises(InputError, match="missing column"):
        validate_matrix(pd.DataFrame({"region": ["a"], "value": [1]}))


def test_read_matrix_decodes_gb18030_and_reads_missing_tokens_like_every_import(
    tmp_path: Path,
) -> None:
    """A yearbook export saved by Excel on Chinese Windows (GB18030), with "—" for no
    activity and "2020年" as the year, reads as the foundation's importers read it."""
    path = tmp_path / "行业营收.csv"
    text = "region,industry,year,value\n合肥,C,2020年,5\n合肥,I,2020年,—\n\n芜湖,C,2020年,4\n"
    path.write_bytes(text.encode("gb18030"))
    m = read_matrix(path, classification="gbt4754_section")
    assert m["region"].tolist() == ["合肥", "合肥", "芜湖"]
    assert m["value"].tolist() == [5.0, 0.0, 4.0]
    assert m["year"].tolist() == [2020, 2020, 2020]
    path.write_bytes((text + "芜湖,I,2020年,x\n").encode("gb18030"))
    with pytest.raises(InputError) as info:
        read_matrix(path, classification="gbt4754_section")
    assert info.value.row == 6  # the blank line 4 still counts, as in a text editor


# ---------------------------------------------------------------- comparative advantage


def test_rca_hand_example_and_location_quotient_identity() -> None:
    # X = [[2, 0], [1, 1]]: region x has 2/2 of its activity in a, the country 3/4.
    t = pd.DataFrame({"a": [2.0, 1.0], "b": [0.0, 1.0]}, index=["x", "y"])
    assert rca(t).to_numpy() == pytest.approx(np.array([[4 / 3, 0.0], [2 / 3, 2.0]]))


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(2, 8), st.integers(2, 8)), elements=st.floats(0.01, 1e6)
    )
)
def test_rca_size_weighted_mean_is_one(x: np.ndarray) -> None:
    # Σ_c (X_c / X) RCA_cp = 1 for every industry p (Balassa's normalisation).
    t = pd.DataFrame(x)
    r = rca(t).to_numpy()
    weights = x.sum(axis=1) / x.sum()
    assert weights @ r == pytest.approx(np.ones(x.shape[1]), rel=1e-9)


def test_presence_is_binary_and_continuous_presence_in_unit_interval() -> None:
    r = pd.DataFrame([[0.0, 0.99, 1.0, 7.5]])
    assert presence(r).to_numpy().tolist() == [[0, 0, 1, 1]]
    assert presence(r, threshold=0.5).to_numpy().tolist() == [[0, 1, 1, 1]]
    m = continuous_presence(r).to_numpy()
    assert m[0] == pytest.approx([0.0, 0.99 / 1.99, 0.5, 7.5 / 8.5])
    with pytest.raises(InputError):
        presence(r, threshold=0)


def test_smoothing_and_minimum_total() -> None:
    t = pd.DataFrame({"a": [2.0, 1.0, 0.0], "b": [0.0, 1.0, 1.0]}, index=["x", "y", "z"])
    smoothed = rca(t, smoothing=1.0).to_numpy()
    reference = rca(t + 1.0).to_numpy()
    assert smoothed == pytest.approx(reference)
    with pytest.warns(NQPFWarning, match="z"):
        kept = rca(t, min_total=1.5)
    assert list(kept.index) == ["x", "y"]
    with pytest.raises(InputError, match="negative"):
        rca(-t)


def test_diversity_and_ubiquity_are_margins() -> None:
    m = pd.DataFrame([[1, 0, 1], [1, 1, 1]], index=["a", "b"], columns=list("xyz"))
    assert diversity(m).tolist() == [2, 3]
    assert ubiquity(m).tolist() == [2, 1, 2]


def test_presence_never_exceeds_one_unlike_ecomplexity_both_test() -> None:
    # ecomplexity's presence_test="both" adds the RCA and RPOP binaries, so M can be 2.
    values = _synthetic(3, 30, 10)
    long = values.stack().rename("val").reset_index()
    pop = pd.DataFrame({"year": 2020, "region": values.index, "pop": values.sum(axis=1).to_numpy()})
    theirs = _ecomplexity(values, presence_test="both", pop=pop)
    assert theirs["mcp"].max() == 2
    ours = presence(rca(values))
    assert ours.to_numpy().max() == 1
    assert len(long) == values.size


# ---------------------------------------------------------------- relatedness


def test_proximity_reference_implementation() -> None:
    values = _synthetic(1, 40, 12)
    m = presence(rca(values)).to_numpy()
    phi = proximity(presence(rca(values))).to_numpy()
    n = m.shape[1]
    for p in range(n):
        for q in range(n):
            both = np.sum(m[:, p] * m[:, q])
            expected = 1.0 if p == q else both / max(m[:, p].sum(), m[:, q].sum())
            assert phi[p, q] == pytest.approx(expected, abs=1e-15)


def test_density_and_knn_density_reference() -> None:
    values = _synthetic(2, 30, 9)
    m = presence(rca(values))
    phi = proximity(m)
    d = density(m, phi).to_numpy()
    dk = density(m, phi, knn=3).to_numpy()
    mm, pp = m.to_numpy(), phi.to_numpy()
    for c in range(mm.shape[0]):
        for p in range(mm.shape[1]):
            assert d[c, p] == pytest.approx(pp[p] @ mm[c] / pp[p].sum())
            near = np.argsort(-pp[p], kind="stable")[:3]
            assert dk[c, p] == pytest.approx(pp[p, near] @ mm[c, near] / pp[p, near].sum())
    assert distance(m, phi).to_numpy() == pytest.approx(1 - d)


def test_knn_density_keeps_weights_unlike_ecomplexity() -> None:
    # ecomplexity.calc_density with knn sums M over the k neighbours without the proximity
    # weights (its weighted term is computed but unused), so it counts, and can exceed 1.
    from ecomplexity.calc_density import calc_density

    values = _synthetic(4, 60, 15)
    m = presence(rca(values))
    phi = proximity(m)
    theirs = calc_density(m.to_numpy(dtype=float), phi.to_numpy(), knn=5)
    assert theirs.max() > 1
    # theirs is a plain count of present neighbours: whole numbers from 0 to k
    assert np.array_equal(theirs, np.round(theirs)) and theirs.max() <= 5
    ours = density(m, phi, knn=5).to_numpy()
    assert ours.max() <= 1 and ours.min() >= 0


def test_io_relatedness_is_a_symmetric_unit_diagonal_section_table() -> None:
    r = io_relatedness()
    assert list(r.index) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert np.allclose(r, r.T) and np.all(np.diag(r) == 1)
    assert r.loc["T"].drop("T").eq(0).all()
    # manufacturing supplies agriculture (fertiliser, machinery) more than finance does
    assert r.loc["A", "C"] > r.loc["A", "J"]
    with pytest.raises(InputError):
        io_relatedness(2018)


# ---------------------------------------------------------------- complexity


@pytest.mark.parametrize("which", ["prefectures", "provinces_listed", "synthetic"])
def test_parity_with_ecomplexity(which: str, request: pytest.FixtureRequest) -> None:
    values = _synthetic(7) if which == "synthetic" else request.getfixturevalue(which)
    theirs = _ecomplexity(values)
    r = rca(values)
    m = presence(r)
    res = complexity(m)
    assert _theirs_cell(theirs, "rca", values) == pytest.approx(r.to_numpy(), abs=1e-9)
    assert np.array_equal(_theirs_cell(theirs, "mcp", values), m.to_numpy())
    assert np.array_equal(_theirs_cell(theirs, "diversity", values)[:, 0], diversity(m).to_numpy())
    assert np.array_equal(_theirs_cell(theirs, "ubiquity", values)[0], ubiquity(m).to_numpy())
    assert _theirs_cell(theirs, "density", values) == pytest.approx(
        res.density.to_numpy(), abs=1e-9
    )
    assert _theirs_cell(theirs, "cog", values) == pytest.approx(res.cog.to_numpy(), abs=1e-9)
    assert _theirs_cell(theirs, "eci", values)[:, 0] == pytest.approx(res.eci.to_numpy(), abs=1e-9)
    assert _theirs_cell(theirs, "coi", values)[:, 0] == pytest.approx(res.coi.to_numpy(), abs=1e-9)
    assert _theirs_cell(theirs, "pci", values)[0] == pytest.approx(res.pci.to_numpy(), abs=1e-9)


def test_proximity_parity_with_ecomplexity() -> None:
    from ecomplexity.calc_proximity import calc_discrete_proximity

    m = presence(rca(_synthetic(5)))
    theirs = calc_discrete_proximity(m.to_numpy(dtype=float), m.sum(axis=0).to_numpy(dtype=float))
    assert theirs == pytest.approx(proximity(m).to_numpy(), abs=1e-12)


def test_eci_is_mean_pci_and_solves_the_eigen_equation() -> None:
    m = presence(rca(_synthetic(11)))
    res = complexity(m)
    mm = m.to_numpy(dtype=float)
    mean_pci = (mm @ res.pci.to_numpy()) / mm.sum(axis=1)
    assert res.eci.to_numpy() == pytest.approx(mean_pci, abs=1e-10)
    # reference: form M̃ = U⁻¹ Mᵀ D⁻¹ M explicitly; PCI is an affine map of its 2nd eigenvector
    mt = (mm.T / mm.sum(axis=0)[:, None]) @ (mm / mm.sum(axis=1)[:, None])
    values = np.sort(np.linalg.eigvals(mt).real)[::-1]
    assert res.eigenvalues[:3] == pytest.approx(values[:3], abs=1e-10)
    # M̃ is row-stochastic (M̃1 = 1) and PCI = (K − a)/s, so M̃·PCI − λ₂·PCI is a constant vector
    residual = mt @ res.pci.to_numpy() - res.eigenvalues[1] * res.pci.to_numpy()
    assert residual == pytest.approx(np.full_like(residual, residual.mean()), abs=1e-9)
    assert res.converged
    assert np.corrcoef(mm.sum(axis=1), res.eci)[0, 1] > 0


def test_complexity_rejects_non_binary_and_tiny() -> None:
    with pytest.raises(InputError, match="binary"):
        complexity(pd.DataFrame([[0.5, 1], [1, 0]]))
    with pytest.raises(InputError, match="fewer than 3"):
        complexity(pd.DataFrame([[1, 0], [0, 1]]))


def test_nodf_reference_and_known_cases() -> None:
    # perfectly nested staircase → 100; a block-diagonal (modular) matrix → 0
    stair = pd.DataFrame(np.tril(np.ones((5, 5))))
    assert nodf(stair) == pytest.approx(100.0)
    blocks = pd.DataFrame(np.kron(np.eye(3), np.ones((2, 2))))
    assert nodf(blocks) == 0.0
    rng = np.random.default_rng(0)
    x = (rng.uniform(size=(9, 7)) < 0.5).astype(float)

    def reference(a: np.ndarray) -> float:
        values = []
        for mat in (a, a.T):
            for i in range(len(mat)):
                for j in range(i + 1, len(mat)):
                    di, dj = mat[i].sum(), mat[j].sum()
                    if di == dj or min(di, dj) == 0:
                        values.append(0.0)
                        continue
                    big, small = (mat[i], mat[j]) if di > dj else (mat[j], mat[i])
                    values.append(100 * (big * small).sum() / small.sum())
        return float(np.mean(values))

    assert nodf(pd.DataFrame(x)) == pytest.approx(reference(x))


def test_diagnostic_flags_31_provinces_and_passes_prefectures(
    provinces_listed: pd.DataFrame, prefectures: pd.DataFrame
) -> None:
    small = complexity_diagnostic(presence(rca(provinces_listed))).set_index("check")
    assert not small.at["regions", "ok"]
    assert "31" in small.at["regions", "message_zh"]
    big = complexity_diagnostic(presence(rca(prefectures))).set_index("check")
    assert big["ok"].all()


def test_diagnostic_flags_a_non_nested_and_disconnected_matrix() -> None:
    blocks = pd.DataFrame(np.kron(np.eye(3), np.ones((20, 5))).astype(int))
    diag = complexity_diagnostic(blocks).set_index("check")
    assert not diag.at["connected", "ok"]
    assert "不相连" in diag.at["connected", "message_zh"]
    # anti-nested: diverse regions hold only common industries, specialists only rare ones
    m = np.zeros((50, 25), dtype=int)
    m[:30, :5] = 1
    m[30 + np.arange(20), 5 + np.arange(20)] = 1
    m[0, 5] = 1  # one link keeps the matrix from being two separate blocks
    anti = complexity_diagnostic(pd.DataFrame(m)).set_index("check")
    assert not anti.at["nested", "ok"] and anti.at["nested", "value"] > 0
    assert "不嵌套" in anti.at["nested", "message_zh"] and "NODF" in anti.at["nested", "message_en"]


# ---------------------------------------------------------------- properties


matrices = arrays(
    np.float64,
    st.tuples(st.integers(6, 14), st.integers(5, 10)),
    elements=st.floats(0.0, 1000.0),
)


def _prepared(x: np.ndarray) -> pd.DataFrame | None:
    x = x + 0.01  # keep every total positive
    t = pd.DataFrame(
        x, index=[f"r{i}" for i in range(len(x))], columns=[f"p{j}" for j in range(x.shape[1])]
    )
    m = presence(rca(t))
    if (m.sum(axis=1) == 0).any() or (m.sum(axis=0) == 0).any():
        return None
    return t


@settings(max_examples=50, deadline=None)
@given(matrices)
def test_property_proximity_symmetric_unit_diagonal_density_in_unit_interval(x: np.ndarray) -> None:
    t = _prepared(x)
    if t is None:
        return
    m = presence(rca(t))
    phi = proximity(m).to_numpy()
    assert np.array_equal(phi, phi.T)
    assert np.all(np.diag(phi) == 1)
    assert phi.min() >= 0 and phi.max() <= 1
    for knn in (None, 2):
        d = density(m, proximity(m), knn=knn).to_numpy()
        assert d.min() >= 0 and d.max() <= 1 + 1e-12


@settings(max_examples=40, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_property_permutations_permute_results(x: np.ndarray, rnd: object) -> None:
    t = _prepared(x)
    if t is None:
        return
    rows = list(t.index)
    cols = list(t.columns)
    rnd.shuffle(rows)  # type: ignore[attr-defined]
    rnd.shuffle(cols)  # type: ignore[attr-defined]
    shuffled = t.loc[rows, cols]
    a = rca(t)
    b = rca(shuffled)
    assert b.loc[t.index, t.columns].to_numpy() == pytest.approx(a.to_numpy(), rel=1e-12)
    ma, mb = presence(a), presence(b)
    da = density(ma, proximity(ma))
    db = density(mb, proximity(mb))
    assert db.loc[t.index, t.columns].to_numpy() == pytest.approx(da.to_numpy(), abs=1e-12)
    try:
        ra, rb = complexity(ma), complexity(mb)
    except InputError:
        return
    gap = (ra.eigenvalues[1] - ra.eigenvalues[2]) / max(ra.eigenvalues[1], 1e-300)
    if ra.eigenvalues[1] < 1 - 1e-9 and gap > 1e-6 and np.std(ra.eci) > 0:
        eci_b = rb.eci[t.index].to_numpy()
        pci_b = rb.pci[t.columns].to_numpy()
        div = ma.loc[ra.eci.index].sum(axis=1).to_numpy()
        ubi = ma[ra.pci.index].sum(axis=0).to_numpy()
        oriented = any(
            np.std(x) > 0 and abs(np.corrcoef(x, y)[0, 1]) > 1e-9
            for x, y in ((div, ra.eci.to_numpy()), (ubi, ra.pci.to_numpy()))
        )
        # Where neither diversity nor ubiquity orients the eigenvector, its sign is not
        # defined by the data: the results must agree up to that one sign.
        sign = 1.0 if oriented else float(np.sign(eci_b @ ra.eci.to_numpy()) or 1.0)
        assert sign * eci_b == pytest.approx(ra.eci.to_numpy(), abs=1e-6)
        assert sign * pci_b == pytest.approx(ra.pci.to_numpy(), abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(matrices)
def test_property_eci_correlates_positively_with_diversity(x: np.ndarray) -> None:
    t = _prepared(x)
    if t is None:
        return
    m = presence(rca(t))
    try:
        res = complexity(m)
    except InputError:
        return
    div = m.sum(axis=1).to_numpy()
    if np.std(div) > 0:
        assert np.corrcoef(div, res.eci)[0, 1] >= -1e-12
