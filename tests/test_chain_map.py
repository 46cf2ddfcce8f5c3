"""Chain definitions (checked against the enterprise list and the input-output table), chain
maps on constructed regions with known status and a known best partner, and the real map."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nqpf
from nqpf.chain.chainmap import (
    ChainMapOptions,
    candidate_firms,
    partner_regions,
    segment_firms,
    segment_status,
)
from nqpf.chain.definitions import parse_chain, resolve_chain
from nqpf.errors import InputError
from nqpf.services.chains import chain_flow_checks, chain_map, chains, geography, get_chain
from nqpf.services.io import load_io
from tests.conftest import OfflinePage, run_nqpf

# ------------------------------------------------------------------ definitions

REQUIRED = [
    "新能源汽车",
    "动力电池",
    "光伏",
    "集成电路",
    "生物医药",
    "工业母机",
    "人工智能",
    "新材料",
]


def test_the_article_priorities_are_all_defined() -> None:
    names = [c.name_zh for c in chains()]
    assert len(chains()) >= 8
    for wanted in REQUIRED:
        assert any(wanted in n for n in names), wanted
    for chain in chains():
        assert chain.sources and all(s.reason for s in chain.segments)
        assert len(chain.segments) >= 4


def test_segment_mappings_exist_in_the_data() -> None:
    firms = nqpf.load_enterprises()
    names = dict(zip(firms["code"], firms["name"], strict=True))
    industries = set(firms["industry"].dropna())
    sectors = set(load_io(2020).sectors)
    for chain in chains():
        for seg in chain.segments:
            where = f"{chain.id}/{seg.id}"
            assert set(seg.io_sectors) <= sectors, where
            assert set(seg.firms.industries) <= industries, where
            assert set(seg.firms.within) <= industries, where
            for code, name in seg.firms.anchors.items():
                assert names.get(code) == name, f"{where}: anchor {code} is {names.get(code)}"
            assert seg.firms.select(firms).sum() > 0, f"{where} selects no listed firm"


def test_every_upstream_downstream_step_shows_an_input_flow() -> None:
    checks = chain_flow_checks(2020)
    intermediate = checks[checks["flow"] == "intermediate"]
    invisible = intermediate[~intermediate["real"]]
    listed = [
        f"{r.chain}: {r.upstream} → {r.downstream} ({r.coefficient:.4%})"
        for r in invisible.itertuples()
    ]
    assert not listed, "steps without an input flow in the 2020 table: " + "; ".join(listed)
    # capital steps (equipment, vehicles, software, R&D bought as fixed assets) are listed
    # with their reason; they are exempt from the intermediate-flow test
    capital = checks[checks["flow"] == "capital"]
    assert set(zip(capital["chain"], capital["upstream"], strict=True)) == {
        ("pv", "equipment"),
        ("ic", "equipment"),
        ("machine_tools", "machines"),
        ("nev", "vehicles"),
        ("ai", "models"),
        ("biomed", "cro"),
    }
    assert capital["note"].str.len().gt(10).all()
    # a known strong step: parts → vehicles, about 30% of vehicle output
    nev = checks[
        (checks["chain"] == "nev")
        & (checks["upstream"] == "parts")
        & (checks["downstream"] == "vehicles")
    ]
    assert 0.2 < float(nev["coefficient"].iloc[0]) < 0.4


def test_the_step_check_also_holds_in_2018() -> None:
    checks = chain_flow_checks(2018)
    bad = checks[(checks["flow"] == "intermediate") & ~checks["real"]]
    assert bad.empty, bad[["chain", "upstream", "downstream", "coefficient"]].to_string()


def _chain(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "toy",
        "name_zh": "玩具链",
        "name_en": "Toy chain",
        "sources": ["constructed"],
        "segments": [
            {"id": "up", "name_zh": "上游", "name_en": "Up", "io_sectors": ["001"],
             "firms": {"industries": ["A"]}, "reason": "r"},
            {"id": "mid", "name_zh": "中游", "name_en": "Mid", "io_sectors": ["002"],
             "firms": {"industries": ["B"], "anchors": {"L1": "龙头"}}, "reason": "r"},
            {"id": "down", "name_zh": "下游", "name_en": "Down", "io_sectors": ["003"],
             "firms": {"industries": ["C"]}, "reason": "r"},
        ],
    }  # fmt: skip
    base.update(overrides)
    return base


def test_bad_definitions_name_the_file_and_field() -> None:
    chain = parse_chain(_chain(), source="toy.yaml")
    assert chain.edges() == [("up", "mid"), ("mid", "down")]
    assert chain.levels() == {"up": 0, "mid": 1, "down": 2}
    bad = _chain()
    bad["segments"][1]["feeds"] = ["up"]  # type: ignore[index]
    with pytest.raises(InputError, match=r"toy.yaml: step mid → up runs upstream"):
        parse_chain(bad, source="toy.yaml")
    missing = _chain()
    del missing["segments"][0]["io_sectors"]  # type: ignore[attr-defined]
    with pytest.raises(InputError, match=r"toy.yaml: segment 'up': missing field 'io_sectors'"):
        parse_chain(missing, source="toy.yaml")
    capital = _chain()
    capital["segments"][0]["flow"] = "capital"  # type: ignore[index]
    with pytest.raises(InputError, match="flow_note"):
        parse_chain(capital, source="toy.yaml")


def test_unknown_chains_and_segments_get_suggestions() -> None:
    with pytest.raises(InputError, match="新能源汽车"):
        get_chain("新能源车")
    assert get_chain("工业母机").id == "machine_tools"
    assert get_chain("NEV").id == "nev"
    with pytest.raises(InputError, match="did you mean battery"):
        get_chain("nev").segment("batery")
    with pytest.raises(InputError, match="nqpf chain list"):
        resolve_chain("钢铁", chains())


# ------------------------------------------- constructed regions with known status


def _toy_firms() -> tuple[pd.DataFrame, pd.Series]:
    """Regions R1..R4 and an 'other' industry Z that fills each region to 20 firms."""
    rows = []
    plan = {  # region: (A, B, C)
        "R1": (6, 0, 1),  # up strong, mid missing, down weak
        "R2": (2, 5, 0),  # mid strong
        "R3": (0, 4, 4),  # mid and down strong
        "R4": (2, 1, 5),  # down strong, mid weak
    }
    for region, counts in plan.items():
        n = 0
        for industry, k in zip("ABC", counts, strict=True):
            for i in range(k):
                rows.append((f"{region}{industry}{i}", f"{region}-{industry}{i}", region, industry))
                n += 1
        for i in range(20 - n):
            rows.append((f"{region}Z{i}", f"{region}-Z{i}", region, "Z"))
    firms = pd.DataFrame(rows, columns=["code", "name", "region", "industry"])
    firms["list_date"] = "2020-01-01"
    return firms, firms.groupby("region").size()


def test_status_thresholds_on_constructed_regions() -> None:
    chain = parse_chain(_chain(), source="toy")
    firms, totals = _toy_firms()
    members = segment_firms(chain, firms)
    status = segment_status(chain, members, totals, options=ChainMapOptions()).set_index(
        ["region", "segment"]
    )
    # LQ of R1 in "up": (6/20) / (10/80) = 2.4; of R4 in "up": (2/20)/(10/80) = 0.8
    assert status.loc[("R1", "up"), "lq"] == pytest.approx(2.4)
    assert status.loc[("R4", "up"), "lq"] == pytest.approx(0.8)
    expected = {
        ("R1", "up"): "strong", ("R1", "mid"): "missing", ("R1", "down"): "weak",
        ("R2", "up"): "weak", ("R2", "mid"): "strong", ("R2", "down"): "missing",
        ("R3", "up"): "missing", ("R3", "mid"): "strong", ("R3", "down"): "strong",
        ("R4", "up"): "weak", ("R4", "mid"): "weak", ("R4", "down"): "strong",
    }  # fmt: skip
    assert status["status"].to_dict() == expected
    # stricter thresholds: R3's 4 firms in "mid" (LQ 1.6) are no longer strong at 5 firms
    strict = segment_status(chain, members, totals, options=ChainMapOptions(min_firms=5))
    assert strict.set_index(["region", "segment"]).loc[("R3", "mid"), "status"] == "weak"
    lq2 = segment_status(chain, members, totals, options=ChainMapOptions(strong_lq=2.0))
    assert lq2.set_index(["region", "segment"]).loc[("R2", "mid"), "status"] == "strong"  # LQ 2.0
    assert lq2.set_index(["region", "segment"]).loc[("R3", "mid"), "status"] == "weak"  # LQ 1.6


def test_a_named_leader_makes_a_link_strong_only_when_asked() -> None:
    chain = parse_chain(_chain(), source="toy")
    firms, totals = _toy_firms()
    leader = pd.DataFrame([("L1", "龙头", "R1", "Q", "2020-01-01")], columns=firms.columns)
    firms = pd.concat([firms, leader], ignore_index=True)
    totals = firms.groupby("region").size()
    members = segment_firms(chain, firms)
    on = segment_status(chain, members, totals, options=ChainMapOptions())
    off = segment_status(chain, members, totals, options=ChainMapOptions(anchors_make_strong=False))
    assert on.set_index(["region", "segment"]).loc[("R1", "mid"), "status"] == "strong"
    assert off.set_index(["region", "segment"]).loc[("R1", "mid"), "status"] == "weak"


def test_partner_ranking_has_the_known_best_partner() -> None:
    chain = parse_chain(_chain(), source="toy")
    firms, totals = _toy_firms()
    members = segment_firms(chain, firms)
    opts = ChainMapOptions()
    status = segment_status(chain, members, totals, options=opts)
    regions = ["R1", "R2", "R3", "R4"]
    # R2 is R1's neighbour 200 km away; R3 is 2 500 km away; equal similarity
    dist = pd.DataFrame(
        [[0, 200, 2500, 900], [200, 0, 2400, 800], [2500, 2400, 0, 1800], [900, 800, 1800, 0]],
        index=regions, columns=regions, dtype=float,
    )  # fmt: skip
    sim = pd.DataFrame(0.5, index=regions, columns=regions)
    names = {r: r for r in regions}
    partners = partner_regions(
        chain, status, "R1", similarity=sim, distance_km=dist,
        neighbours={"R1": {"R2"}, "R2": {"R1"}}, names=names, options=opts,
    )  # fmt: skip
    mid = partners[partners["segment"] == "mid"].set_index("partner")
    # R2 (5 firms, LQ 2.0, near) beats R3 (4 firms, LQ 1.6, far)
    assert list(mid.sort_values("rank").index) == ["R2", "R3"]
    assert mid.loc["R2", "proximity"] == pytest.approx(np.exp(-0.2))
    assert bool(mid.loc["R2", "neighbour"]) and "接壤" in mid.loc["R2", "reason_zh"]
    # R3 is also strong in "down", the step after "mid": chain depth 1/2; R2 is not: 0
    assert mid.loc["R3", "chain_depth"] == pytest.approx(0.5)
    assert mid.loc["R2", "chain_depth"] == pytest.approx(0.0)
    # R1's weak "down": partners are the two regions strong there (R3, R4)
    assert set(partners.loc[partners["segment"] == "down", "partner"]) == {"R3", "R4"}
    # with only chain depth counting, R3 (strong in the adjacent "mid") wins "mid"'s ranking
    depth_only = ChainMapOptions(
        weights={"strength": 0, "relatedness": 0, "proximity": 0, "chain_depth": 1}
    )
    again = partner_regions(
        chain, status, "R1", similarity=sim, distance_km=dist, neighbours={},
        names=names, options=depth_only,
    )  # fmt: skip
    assert again[again["segment"] == "mid"].iloc[0]["partner"] == "R3"
    # candidate firms: the partner's firms in the gap segment, at most max_firms each
    cands = candidate_firms(members, partners, options=ChainMapOptions(max_firms=2))
    assert set(cands.loc[cands["segment"] == "mid", "region"]) == {"R2", "R3"}
    assert cands.groupby(["segment", "region"]).size().max() == 2


def test_options_are_validated() -> None:
    with pytest.raises(InputError, match="min_firms"):
        ChainMapOptions(min_firms=0)
    with pytest.raises(InputError, match="weights"):
        ChainMapOptions(weights={"strength": 1.0})


# ------------------------------------------------------------------- real data


def test_geography_distances_and_neighbours() -> None:
    dist, neighbours = geography()
    # great-circle Beijing–Shanghai ≈ 1 067 km, Beijing–Guangzhou ≈ 1 888 km
    assert dist.loc["110000", "310000"] == pytest.approx(1067, rel=0.01)
    assert dist.loc["110000", "440000"] == pytest.approx(1888, rel=0.01)
    assert all(a in neighbours[b] for a, bs in neighbours.items() for b in bs)
    assert neighbours["340000"] == {"320000", "330000", "360000", "370000", "410000", "420000"}


@pytest.mark.slow
def test_neighbours_agree_with_the_province_boundaries() -> None:
    from nqpf.services.spatial import contiguity_weights

    w = contiguity_weights(island_neighbours=0)
    _, neighbours = geography()
    for code, near in w.neighbors.items():
        if code == "460000":
            continue  # 海南: no land border; the table pairs it with 广东 across the strait
        assert set(near) == neighbours[code], code


def test_anhui_new_energy_vehicle_map() -> None:
    result = chain_map("新能源汽车", "安徽")
    seg = result.segments.set_index("segment")
    # 合肥's vehicle makers (江淮, 安凯, 汉马) make Anhui the top province by LQ in assembly,
    # and 国轩高科 (a named battery leader) is in Hefei
    assert seg.loc["vehicles", "status"] == "strong" and seg.loc["vehicles", "firms"] >= 3
    assert seg.loc["battery", "status"] == "strong"
    gaps = seg.index[seg["status"] != "strong"]
    assert set(result.partners["segment"]) == set(gaps)
    assert (result.partners["partner"] != "340000").all()
    assert result.partners["reason_zh"].str.contains("上市企业").all()
    assert len(result.spec_hash) == 12
    from nqpf.results import Result

    assert isinstance(result, Result)
    assert '"kind": "chain_map"' in result.to_json()


def test_guangdong_is_strong_where_everyone_expects() -> None:
    gd = chain_map("nev", "广东").segments.set_index("segment")
    assert gd.loc["vehicles", "status"] == "strong"  # 比亚迪, 广汽
    ic = chain_map("集成电路", "上海").segments.set_index("segment")
    assert ic.loc["fab", "status"] == "strong"  # 中芯国际, 华虹


def test_cli_chain_show_list_and_outputs(tmp_path: Path) -> None:
    done = run_nqpf(
        "chain", "show", "新能源汽车", "--region", "安徽", "--out", str(tmp_path), home=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "整车制造" in done.stdout and "强 strong" in done.stdout
    book = pd.read_excel(tmp_path / "chain_nev_340000.xlsx", sheet_name=None)
    assert set(book) == {"segments", "partners", "candidates", "flows", "notes"}
    assert len(book["segments"]) == 6
    listing = run_nqpf("chain", "list", home=tmp_path)
    assert listing.returncode == 0 and "光伏" in listing.stdout
    bad = run_nqpf("chain", "show", "新能源车", "--region", "安徽", home=tmp_path)
    assert bad.returncode == 2 and "新能源汽车" in bad.stderr and "Traceback" not in bad.stderr
    bad_region = run_nqpf("chain", "show", "光伏", "--region", "火星", home=tmp_path)
    assert bad_region.returncode == 2 and "Traceback" not in bad_region.stderr


def test_chain_page_draws_offline(
    tmp_path: Path, open_offline: Callable[[Path], OfflinePage]
) -> None:
    from nqpf.present.chain_map import write_chain_map

    result = chain_map("光伏", "安徽")
    page, _ = write_chain_map(result, tmp_path)
    opened = open_offline(page)
    assert opened.external_requests == [] and opened.console_errors == []
    drawn = opened.page.eval_on_selector_all(
        "g.segment", "nodes => nodes.map(n => [n.dataset.segment, n.dataset.status])"
    )
    expected = result.segments.set_index("segment")["status"].to_dict()
    assert dict(drawn) == expected
    fill = opened.page.eval_on_selector(
        "g.segment[data-status=missing] rect", "r => r.getAttribute('fill')"
    )
    assert fill == "#b2182b"
    # upstream segments are drawn left of downstream ones
    xs = opened.page.eval_on_selector_all(
        "g.segment", "ns => ns.map(n => [n.dataset.segment, n.getBBox().x])"
    )
    x = dict(xs)
    assert x["equipment"] < x["wafers"] < x["modules"] < x["power"]
    assert "安徽" in opened.page.inner_text("body")
