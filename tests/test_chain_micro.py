"""Chain maps from firm records (``nqpf chain show CHAIN --micro STORE``,
:mod:`nqpf.services.chain_micro`): a hand-computed case through the importer, equality with
a pandas group-by, the command line end to end, and one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from nqpf.chain.chainmap import ChainMapOptions
from nqpf.errors import InputError
from nqpf.micro.codes import region_targets
from nqpf.services.chain_micro import chain_map_micro
from nqpf.services.chains import get_chain
from nqpf.services.micro import import_file, synthesize
from tests.conftest import run_nqpf as run

# id, name, region, industry, registered, exited, capital (万元). On 31 December 2022:
# 安徽 5 firms alive (cells 3841 ×3, vehicles 3612 ×1, other 1); A6 closed in 2021 and A7
# opened in 2023 do not count. 江苏 8 alive (refining 2613 ×3, cells 1, other 3, and J7 coded
# only to division 38, which contains 3841: too shallow). 浙江 5 alive (vehicles ×3,
# refining 1, other 1). N = 18.
RECORDS = """id,name,region,industry,registered,exited,capital
A1,皖电芯一,340123,C3841,2015-03-01,,500
A2,皖电芯二,340102,3841,2019-06-30,,100
A3,皖电芯三,340123,3841,2022-12-31,,50
A4,皖整车,340102,3612,2010-01-01,,2000
A5,皖纺织,340123,1711,2012-05-05,,10
A6,皖电芯已注销,340123,3841,2016-01-01,2021-08-01,999
A7,皖电芯新设,340123,3841,2023-01-02,,999
J1,苏锂盐一,320102,2613,2011-01-01,,100
J2,<b>苏锂盐二</b>,320111,2613,2012-01-01,,300
J3,=苏锂盐三,320102,2613,2013-01-01,,200
J4,苏电芯,320102,3841,2014-01-01,,80
J5,苏纺织一,320102,1711,2014-01-01,,5
J6,苏纺织二,320111,1711,2014-01-01,,5
J7,苏电气,320102,38,2014-01-01,,5
J8,苏纺织三,320111,1711,2014-01-01,2023-03-01,5
Z1,浙整车一,330106,3612,2011-01-01,,1000
Z2,浙整车二,330106,3612,2012-01-01,,1000
Z3,浙整车三,330106,3612,2013-01-01,,1000
Z4,浙锂盐,330106,2613,2013-01-01,,40
Z5,浙纺织,330106,1711,2013-01-01,,5
"""


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "firms.csv"
    path.write_text(RECORDS, encoding="utf-8")
    target = tmp_path / "micro.duckdb"
    import_file(path, store=target)
    return target


def test_the_hand_computed_battery_map_of_anhui(store: Path) -> None:
    m = chain_map_micro("battery", "安徽", store, year=2022, check_flows=False)
    seg = m.segments.set_index("segment")
    # cells: 安徽 3 of 5, nation 4 of 18 → LQ (3/5)/(4/18) = 2.7
    assert seg.loc["cells", "firms"] == 3
    assert seg.loc["cells", "lq"] == pytest.approx(2.7)
    assert seg.loc["cells", "status"] == "strong"
    assert seg.loc["cells", "capital"] == pytest.approx(650.0)
    # vehicles: 1 of 5 against 4 of 18 → 0.9, weak; refining: none, missing
    assert seg.loc["vehicles", "lq"] == pytest.approx(0.9)
    assert seg.loc["vehicles", "status"] == "weak"
    assert seg.loc["refining", "status"] == "missing"
    assert seg.loc["cells", "national_firms"] == 4
    regions = m.regions.set_index(["region", "segment"])
    assert regions.loc[("320000", "refining"), "lq"] == pytest.approx((3 / 8) / (4 / 18))
    assert regions.loc[("330000", "vehicles"), "status"] == "strong"
    assert regions.loc[("330000", "refining"), "status"] == "weak"
    # partners: the only region strong in refining is 江苏, in vehicles 浙江
    partners = m.partners.set_index("segment")
    assert partners.loc["refining", "partner"] == "320000"
    assert partners.loc["vehicles", "partner"] == "330000"
    assert np.isfinite(m.partners["distance_km"]).all()  # capitals at the province level
    # candidates: 江苏's refining firms, largest registered capital first
    refining = m.candidates[m.candidates["segment"] == "refining"]
    assert refining["code"].tolist() == ["J2", "J3", "J1"]
    assert refining["capital"].tolist() == [300.0, 200.0, 100.0]
    # J7 (division 38 only) could be a cell maker: reported, never guessed
    assert any("1 firm(s) alive on 31 December 2022" in w for w in m.warnings)
    assert m.spec["year"] == 2022 and m.spec["level"] == "province"
    assert not m.synthetic


def test_capital_measure_and_thresholds_change_the_answer(store: Path) -> None:
    m = chain_map_micro("battery", "安徽", store, year=2022, measure="capital", check_flows=False)
    seg = m.segments.set_index("segment")
    # registered capital alive on 31 Dec 2022: 安徽 2,660, 江苏 700, 浙江 3,045; cells 650 + 80
    anhui = 500 + 100 + 50 + 2000 + 10
    nation = anhui + (100 + 300 + 200 + 80 + 5 + 5 + 5 + 5) + (3000 + 40 + 5)
    expected = (650 / anhui) / ((650 + 80) / nation)
    assert seg.loc["cells", "lq"] == pytest.approx(expected)
    strict = chain_map_micro(
        "battery",
        "安徽",
        store,
        year=2022,
        options=ChainMapOptions(min_firms=4),
        check_flows=False,
    )
    assert strict.segments.set_index("segment").loc["cells", "status"] == "weak"


def test_prefecture_and_county_levels(store: Path) -> None:
    city = chain_map_micro(
        "battery", "合肥", store, level="prefecture", year=2022, check_flows=False
    )
    assert city.region == "340100"
    assert city.segments.set_index("segment").loc["cells", "firms"] == 3
    assert city.partners["distance_km"].isna().all()  # no coordinates below provinces
    assert (city.partners["proximity"] == 0).all()
    county = chain_map_micro(
        "battery", "肥西县", store, level="county", year=2022, check_flows=False
    )
    seg = county.segments.set_index("segment")
    # 肥西县 340123: A1, A3 (cells) and A5 alive → 3 firms, cells 2
    assert seg.loc["cells", "firms"] == 2
    assert seg.loc["cells", "lq"] == pytest.approx((2 / 3) / (4 / 18))


def test_status_equals_a_pandas_group_by_on_synthetic_records(tmp_path: Path) -> None:
    path = synthesize(tmp_path / "syn.parquet", 30_000, seed=7)
    chain = get_chain("machine_tools")
    m = chain_map_micro("machine_tools", "南京", str(path), level="prefecture", check_flows=False)
    assert m.synthetic and any("合成数据" in w for w in m.warnings)
    assert any("合成数据" in s for s in m.provenance["source"])
    year = m.year
    records = pd.read_parquet(path)
    y_in = pd.to_datetime(records["registered"]).dt.year
    y_out = pd.to_datetime(records["exited"]).dt.year.fillna(9999)
    alive = records[(y_in <= year) & (y_out > year)].copy()
    targets = region_targets(alive["region"].unique(), "prefecture").set_index("code")["target"]
    alive["unit"] = alive["region"].map(targets)
    alive = alive.dropna(subset=["unit"])
    totals = alive.groupby("unit").size()
    rows = []
    for seg in chain.segments:
        hit = alive["industry"].str.startswith(tuple(seg.gbt4754))
        counts = alive[hit].groupby("unit").size().reindex(totals.index, fill_value=0)
        share = counts / totals
        # convention (nqpf.chain.classes): LQ 0 where the nation has no firm in s
        lq = (share / (counts.sum() / totals.sum())).fillna(0.0)
        rows.append(
            pd.DataFrame({"region": totals.index, "segment": seg.id, "n": counts, "lq": lq})
        )
    expected = pd.concat(rows).set_index(["region", "segment"]).sort_index()
    got = m.regions.set_index(["region", "segment"]).sort_index()
    got = got.loc[expected.index]
    assert got["firms"].tolist() == expected["n"].tolist()
    assert np.allclose(got["lq"].to_numpy(), expected["lq"].to_numpy())
    assert (expected.groupby(level="segment")["n"].sum() > 0).sum() >= 2
    status = np.where(
        (expected["n"] >= 3) & (expected["lq"] >= 1),
        "strong",
        np.where(expected["n"] > 0, "weak", "missing"),
    )
    assert got["status"].tolist() == status.tolist()
    assert set(status) >= {"weak", "missing"}


def test_cli_end_to_end_on_a_tiny_store(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_text(RECORDS, encoding="utf-8")
    assert run("micro", "import", str(path), home=tmp_path).returncode == 0
    store = str(tmp_path / "micro.duckdb")
    table = run("chain", "show", "battery", "-r", "安徽", "--micro", store, "--year", "2022",
                home=tmp_path)  # fmt: skip
    assert table.returncode == 0, table.stderr
    assert "2022-12-31" in table.stdout and "苏锂盐二" in table.stdout
    assert "\x1b" not in table.stdout.replace("\x1b[", "")  # no raw escapes from names
    doc = json.loads(
        run(
            "chain",
            "show",
            "battery",
            "-r",
            "安徽",
            "--micro",
            store,
            "--year",
            "2022",
            "--format",
            "json",
            home=tmp_path,
        ).stdout
    )
    assert doc["kind"] == "chain_map" and doc["spec"]["records"] == "micro.duckdb"
    csv = run("chain", "show", "battery", "-r", "安徽", "--micro", store, "--year", "2022",
              "--format", "csv", home=tmp_path)  # fmt: skip
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert frame.set_index("segment").loc["cells", "firms"] == 3
    out = tmp_path / "out"
    written = run("chain", "show", "battery", "-r", "安徽", "--micro", store, "--year", "2022",
                  "--out", str(out), home=tmp_path)  # fmt: skip
    assert written.returncode == 0, written.stderr
    page = (out / "chain_battery_340000.html").read_text("utf-8")
    assert "&lt;b&gt;苏锂盐二&lt;/b&gt;" in page and "<b>苏锂盐二" not in page
    assert "成立日期" in page
    book = openpyxl.load_workbook(out / "chain_battery_340000.xlsx")
    names = [c.value for c in book["candidates"]["F"]]
    assert "'=苏锂盐三" in names  # a formula-looking name stays text
    assert "notes" in book.sheetnames


def test_synthetic_records_are_labelled_in_every_output(tmp_path: Path) -> None:
    path = synthesize(tmp_path / "syn.parquet", 3_000, seed=2)
    shown = run("chain", "show", "nev", "-r", "广东", "--micro", str(path), "--out",
                str(tmp_path), home=tmp_path)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("合成数据") >= 2  # the title and the note
    doc = json.loads(
        run(
            "chain",
            "show",
            "nev",
            "-r",
            "广东",
            "--micro",
            str(path),
            "--format",
            "json",
            home=tmp_path,
        ).stdout
    )
    assert any("合成数据" in w for w in doc["warnings"])
    assert "合成数据" in (tmp_path / "chain_nev_440000.html").read_text("utf-8")
    book = openpyxl.load_workbook(tmp_path / "chain_nev_440000.xlsx")
    notes = " ".join(str(c.value) for c in book["notes"]["A"])
    assert "合成数据" in notes


def test_bad_input_is_one_line_exit_2(store: Path, tmp_path: Path) -> None:
    for args, message in (
        (["chain", "show", "电池链x", "-r", "安徽", "--micro", str(store)], "unknown chain"),
        (["chain", "show", "battery", "-r", "安徽", "--micro", str(store), "--year", "1990"],
         "no firm is alive on 31 December 1990"),
        (["chain", "show", "battery", "-r", "安徽", "--year", "2022"], "need --micro"),
        (["chain", "show", "battery", "-r", "安徽", "--micro", str(store), "--level", "town"],
         "unknown region level"),
        (["chain", "show", "battery", "-r", "安徽", "--micro", str(store), "--measure", "jobs"],
         "unknown measure"),
        (["chain", "show", "battery", "-r", "安徽", "--micro", str(tmp_path / "none.parquet")],
         "no such file"),
    ):  # fmt: skip
        result = run(*args, home=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, result.stderr)
    with pytest.raises(InputError, match=r"unknown region|not a prefecture"):
        chain_map_micro("battery", "肥西县", store, level="prefecture")


def test_2011_vintage_records_kept_to_the_division_are_reported_not_placed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "firms2011.csv"
    path.write_text(
        "id,name,region,industry,registered\n"
        "B1,一,340123,3841,2015-01-01\nB2,二,340123,3841,2015-01-01\nB3,三,320102,1711,2015-01-01\n",
        encoding="utf-8",
    )
    store = tmp_path / "m.duckdb"
    import_file(path, store=store, vintage="2011")  # kept to divisions 38 and 17
    m = chain_map_micro("battery", "安徽", store, year=2020, check_flows=False)
    assert (m.segments["firms"] == 0).all()
    assert any(w.startswith("2 firm(s) alive on 31 December 2020") for w in m.warnings)


def test_prefecture_partners_flag_land_neighbours(tmp_path: Path) -> None:
    # 合肥 has no refining firm; 马鞍山 (a neighbour of 合肥) and 南京 (not one: 滁州 and 马鞍山
    # lie between) each have 3 of their 3 firms in 2613: both strong, both partners
    path = tmp_path / "firms.csv"
    rows = ["id,name,region,industry,registered"]
    rows += [f"H{i},合肥{i},340102,1711,2015-01-01" for i in range(2)]
    rows += [f"M{i},马鞍山{i},340503,2613,2015-01-01" for i in range(3)]
    rows += [f"N{i},南京{i},320102,2613,2015-01-01" for i in range(3)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    store = tmp_path / "m.duckdb"
    import_file(path, store=store)
    m = chain_map_micro("battery", "合肥", store, level="prefecture", year=2020, check_flows=False)
    refining = m.partners[m.partners["segment"] == "refining"].set_index("partner")
    assert set(refining.index) == {"340500", "320100"}
    assert refining.loc["340500", "neighbour"] and not refining.loc["320100", "neighbour"]
    assert "与合肥市接壤" in refining.loc["340500", "reason_zh"]
    assert refining["distance_km"].isna().all()
