"""Firm and patent microdata: codes, import checks, aggregation against independent
references, the synthetic generator's calibration, and one analysis end to end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nqpf.errors import InputError
from nqpf.micro.codes import parse_industries, region_targets, resolve_regions
from nqpf.micro.synth import apportion, census_targets, synthetic_firms
from nqpf.services.micro import (
    AggregateSpec,
    aggregate,
    import_file,
    synthesize,
    to_matrix,
)
from tests.micro_reference import pandas_aggregate

HEADER = "统一社会信用代码,企业名称,行政区划代码,行业代码,成立日期,注销日期,注册资本\n"


def _csv(tmp_path: Path, rows: list[str], name: str = "firms.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _count(store: Path, table: str = "firms") -> int:
    con = duckdb.connect(str(store), read_only=True)
    try:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


# ---------------------------------------------------------------- codes


def test_industry_codes_of_both_vintages() -> None:
    t = parse_industries(["C3911", "3911", "79", "8010", "O7910", "97", "C13", "H39"]).set_index(
        "raw"
    )
    assert t.loc["C3911", ["section", "industry"]].tolist() == ["C", "3911"]
    # 2017: division 79 is 土地管理业 in N, 80 居民服务业 in O, 97 国际组织 in T
    assert t.loc["79", "section"] == "N"
    assert t.loc["8010", "section"] == "O"
    assert t.loc["97", "section"] == "T"
    assert "GB/T 4754-2011 code" in t.loc["O7910", "problem"]
    assert t.loc["H39", "problem"] == "division 39 is in section C, not H"
    old = parse_industries(["7910", "8211", "96", "97", "5810", "C"], vintage="2011").set_index(
        "raw"
    )
    # 2011 居民服务业 79 → 2017 80; 教育 82 → 83; 国际组织 96 → 97 (T)
    assert old.loc["7910", ["section", "industry"]].tolist() == ["O", "80"]
    assert old.loc["8211", ["section", "industry"]].tolist() == ["P", "83"]
    assert old.loc["96", ["section", "industry"]].tolist() == ["T", "97"]
    assert "does not exist in GB/T 4754-2011" in old.loc["97", "problem"]
    assert "content_moved" in old.loc["5810", "note"]
    assert old.loc["C", ["section", "industry"]].tolist() == ["C", ""]
    # with the official class table the full depth is kept
    exact = parse_industries(["7910"], vintage="2011", concordance={"7910": "8010"})
    assert exact[["section", "industry"]].iloc[0].tolist() == ["O", "8010"]


def test_regions_resolve_through_the_registry() -> None:
    t = resolve_regions(
        [
            "340123",
            "522400",
            "230182",
            "340123012000",
            "合肥市肥西县",
            "110103",
            "12345",
            "东南西北",
        ]
    ).set_index("raw")
    assert t.loc["340123", "code"] == "340123"
    assert t.loc["522400", "code"] == "520500"  # 毕节地区 → 毕节市 (2010 → 2020)
    assert t.loc["230182", "code"] == "230113"  # 双城市 → 双城区
    assert t.loc["340123012000", "code"] == "340123"  # 12-digit statistical code
    assert t.loc["合肥市肥西县", "code"] == "340123"
    assert "no 2020 code" in t.loc["110103", "problem"]  # 崇文区, merged into 东城区
    assert t.loc["12345", "problem"].startswith("not a 6-digit")
    assert t.loc["东南西北", "problem"].startswith("no county")


def test_region_targets_by_level() -> None:
    codes = ["340123", "340181", "429004", "110105", "441900", "340100"]
    county = region_targets(codes, "county").set_index("code")["target"]
    assert county.isna().tolist() == [False, False, False, False, False, True]
    pref = region_targets(codes, "prefecture").set_index("code")["target"].tolist()
    assert pref == ["340100", "340100", "420000", "110000", "441900", "340100"]
    prov = region_targets(codes, "province")["target"].tolist()
    assert prov == ["340000", "340000", "420000", "110000", "440000", "340000"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("A9,x,999999,C3911,2015-01-01,,1", "region", "unknown region code"),
        ("A9,x,110103,C3911,2015-01-01,,1", "region", "no 2020 code"),
        ("A9,x,340123,C3911,2015-02-30,,1", "registered", "malformed date"),
        ("A9,x,340123,C3911,2015-01-01,2014-01-01,1", "exited", "exit before registration"),
        ("A9,x,340123,O7910,2015-01-01,,1", "industry", "GB/T 4754-2011 code"),
        ("A9,x,340123,C3911,2015-01-01,,abc", "capital", "not a number"),
        ("A1,x,340123,C3911,2015-01-01,,1", "id", "duplicate id (first at row 2)"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(
    tmp_path: Path, row: str, column: str, fragment: str
) -> None:
    path = _csv(tmp_path, ["A1,甲,340123,C3911,2015-03-01,,100", row])
    store = tmp_path / "s.duckdb"
    with pytest.raises(InputError) as info:
        import_file(path, store=store)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("file firms.csv: 1 of 2 rows rejected")
    assert f"row 3 column {column!r}" in message and fragment in message
    assert _count(store) == 0
    report = pd.read_csv(tmp_path / "s.rejected.csv", dtype=str)
    assert report[["file", "row", "column"]].values.tolist() == [["firms.csv", "3", column]]


def test_skip_invalid_stores_the_rest_and_lists_the_rejected(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        [
            "A1,甲,340123,C3911,2015-03-01,,100",
            'A2,乙,522400,3911,2016/1/5,2019-12-31,"1,000"',
            "A3,丙,安徽省合肥市肥西县上派镇,C39,20170105,,",
            "A4,丁,999999,C39,2017-13-01,,x",
        ],
    )
    store = tmp_path / "s.duckdb"
    report = import_file(path, store=store, skip_invalid=True)
    assert (report.rows_read, report.rows_stored) == (4, 3)
    assert sorted(report.rejected["column"]) == ["capital", "region", "registered"]
    con = duckdb.connect(str(store), read_only=True)
    stored = con.execute("SELECT id, region, registered, capital FROM firms ORDER BY id").fetchall()
    con.close()
    assert stored[1] == ("A2", "520500", dt.date(2016, 1, 5), pytest.approx(1000))
    assert stored[2][1:3] == ("340123", dt.date(2017, 1, 5))
    # the same ids again: refused as already stored
    with pytest.raises(InputError, match="id already in the store"):
        import_file(path, store=store)
    assert _count(store) == 3


def test_missing_columns_and_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("id,region\n1,340123\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing column\(s\) industry, registered"):
        import_file(path, store=tmp_path / "s.duckdb")
    other = tmp_path / "f.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(InputError, match=r"unsupported file type \.xlsx"):
        import_file(other, store=tmp_path / "s.duckdb")


def test_2011_files_are_mapped_and_noted(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["A1,甲,340123,7910,2015-03-01,,100", "A2,乙,340123,3911,2015-03-01,,1"])
    report = import_file(path, store=tmp_path / "s.duckdb", vintage="2011")
    assert "2 row(s) with a GB/T 4754-2011 industry code mapped to 2017" in report.notes
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    rows = con.execute("SELECT id, section, industry FROM firms ORDER BY id").fetchall()
    con.close()
    # 3911 is kept only to its division: 2011 classes need the official class table
    assert rows == [("A1", "O", "80"), ("A2", "C", "39")]


def test_2011_files_keep_full_depth_with_the_class_table(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["A1,甲,340123,7910,2015-03-01,,100", "A2,乙,340123,3911,2015-03-01,,1"])
    table = tmp_path / "classes.csv"
    table.write_text("code_2011,code_2017\n7910,8010\n3911,3911\n", encoding="utf-8")
    import_file(path, store=tmp_path / "s.duckdb", vintage="2011", concordance=table)
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    rows = con.execute("SELECT id, section, industry FROM firms ORDER BY id").fetchall()
    con.close()
    assert rows == [("A1", "O", "8010"), ("A2", "C", "3911")]
    table.write_text("code_2011,code_2017\n7910,8010\n7910,8020\n", encoding="utf-8")
    with pytest.raises(InputError, match="code_2011 '7910' is mapped twice") as info:
        import_file(path, store=tmp_path / "t.duckdb", vintage="2011", concordance=table)
    assert "classes.csv" in str(info.value) and "\n" not in str(info.value)
    table.write_text("old,new\n7910,8010\n", encoding="utf-8")
    with pytest.raises(InputError, match="needs the columns code_2011, code_2017"):
        import_file(path, store=tmp_path / "t.duckdb", vintage="2011", concordance=table)


# ---------------------------------------------------------------- aggregation


def _store_of(tmp_path: Path, firms: pd.DataFrame) -> Path:
    path = tmp_path / "records.parquet"
    firms.to_parquet(path, index=False)
    store = tmp_path / "s.duckdb"
    import_file(path, store=store, replace=True)
    return store


def test_entries_exits_and_stocks_on_a_known_case(tmp_path: Path) -> None:
    firms = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "region": ["340123", "340123", "340123", "340181", "340123"],
            "industry": ["3911", "3912", "3911", "3911", "3911"],
            "registered": ["2008-05-01", "2019-02-01", "2019-07-01", "2020-01-01", "2020-03-01"],
            "exited": [None, None, "2020-06-30", None, "2020-09-01"],
            "capital": [100.0, 50.0, 10.0, 5.0, 1.0],
        }
    )
    store = _store_of(tmp_path, firms)
    cells = aggregate(AggregateSpec(store=str(store), start=2019, end=2021)).to_frame()
    got = cells.set_index(["region", "industry", "year"])[["firms", "capital", "entries", "exits"]]
    # 340123 × 3911: a (2008, open), c (2019 → 2020), e (2020 → 2020: entry and exit, never a stock)
    assert got.loc[("340123", "3911", 2019)].tolist() == [2, 110.0, 1, 0]
    assert got.loc[("340123", "3911", 2020)].tolist() == [1, 100.0, 1, 2]
    assert got.loc[("340123", "3911", 2021)].tolist() == [1, 100.0, 0, 0]
    assert got.loc[("340123", "3912", 2019)].tolist() == [1, 50.0, 1, 0]
    assert got.loc[("340181", "3911", 2020)].tolist() == [1, 5.0, 1, 0]
    assert ("340181", "3911", 2019) not in got.index
    # prefecture 合肥 340100 sums both counties; section C takes every code
    pref = aggregate(
        AggregateSpec(store=str(store), level="prefecture", depth="section", start=2020, end=2020)
    )
    assert pref.to_frame()[
        ["region", "region_name", "industry", "firms", "entries", "exits"]
    ].values.tolist() == [["340100", "合肥市", "C", 3, 2, 2]]


firm_rows = st.lists(
    st.tuples(
        st.sampled_from(["340123", "340181", "110105", "429004"]),
        st.sampled_from(["3911", "3912", "391", "1311", "13"]),
        st.integers(2010, 2022),
        st.one_of(st.none(), st.integers(0, 8)),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=firm_rows, depth=st.sampled_from([2, 3, 4]))
def test_aggregation_equals_pandas_groupby(tmp_path: Path, rows: list[tuple], depth: int) -> None:
    firms = pd.DataFrame(
        {
            "id": [f"F{i}" for i in range(len(rows))],
            "region": [r[0] for r in rows],
            "industry": [r[1] for r in rows],
            "registered": [f"{r[2]}-06-15" for r in rows],
            "exited": [None if r[3] is None else f"{r[2] + r[3]}-12-01" for r in rows],
            "capital": [r[4] / 4 for r in rows],
        }
    )
    assume((firms["industry"].str.len() >= depth).any())
    path = tmp_path / "records.parquet"
    firms.assign(section="C").to_parquet(path, index=False)
    years = range(2012, 2021)
    got = aggregate(AggregateSpec(parquet=str(path), depth=str(depth), start=2012, end=2020))
    cells = got.to_frame().drop(columns=["region_name", "industry_name"])
    pd.testing.assert_frame_equal(cells, pandas_aggregate(firms, years, depth), check_dtype=False)


def test_stock_identity_on_synthetic_records(tmp_path: Path) -> None:
    path = synthesize(tmp_path / "syn.parquet", 20_000, seed=5)
    result = aggregate(
        AggregateSpec(parquet=str(path), level="prefecture", depth="2", start=2015, end=2024)
    )
    assert result.synthetic and "synthetic" in result.warnings[0]
    # firms(t) = firms(t−1) + entries(t) − exits(t) for every cell and year after the first
    cells = result.to_frame()
    grid = cells.pivot_table(
        index=["region", "industry"],
        columns="year",
        values=["firms", "entries", "exits"],
        fill_value=0,
    )
    for t in range(2016, 2025):
        lhs = grid[("firms", t)]
        rhs = grid[("firms", t - 1)] + grid[("entries", t)] - grid[("exits", t)]
        assert (lhs == rhs).all()


def test_duckdb_threads_and_memory_limit_change_nothing(tmp_path: Path) -> None:
    path = synthesize(tmp_path / "syn.parquet", 20_000, seed=6)
    spec = {"parquet": str(path), "depth": "4", "start": 2015, "end": 2024}
    default = aggregate(AggregateSpec(**spec)).to_frame()
    # one thread and a limit far below DuckDB's default: the same table
    small = aggregate(AggregateSpec(**spec, threads=1, memory_limit="64MB")).to_frame()
    pd.testing.assert_frame_equal(default, small)
    for bad in ({"threads": 0}, {"memory_limit": "lots"}, {"memory_limit": "2 GBytes"}):
        with pytest.raises(InputError):
            AggregateSpec(**spec, **bad)


def _herding_records() -> pd.DataFrame:
    """Four provinces (one county each) × divisions 39, 13, 65: stocks registered in 2015,
    then 10 firms of 39 in 北京 and 上海 in 2020 and 上海's first firm of 65 in 2021."""
    rows: list[tuple[str, str, int]] = []
    base = {"110105": (1, 5, 4), "310115": (1, 4, 0), "340123": (3, 4, 3), "440305": (3, 4, 3)}
    for region, counts in base.items():
        for code, n in zip(("3911", "1311", "6510"), counts, strict=True):
            rows += [(region, code, 2015)] * n
    rows += [("110105", "3911", 2020)] * 10 + [("310115", "3911", 2020)] * 10
    rows += [("310115", "6510", 2021)]
    return pd.DataFrame(
        {
            "id": [f"F{i}" for i in range(len(rows))],
            "region": [r[0] for r in rows],
            "section": ["C" if r[1] != "6510" else "I" for r in rows],
            "industry": [r[1] for r in rows],
            "registered": [f"{r[2]}-06-01" for r in rows],
            "exited": [None] * len(rows),
            "capital": [1.0] * len(rows),
        }
    )


def test_revealed_herding_from_firm_records(tmp_path: Path) -> None:
    from nqpf.services.micro import first_years, year_panels
    from nqpf.services.plan import herding

    path = tmp_path / "firms.parquet"
    _herding_records().to_parquet(path, index=False)
    cells = aggregate(
        AggregateSpec(parquet=str(path), level="province", depth="2", start=2019, end=2021)
    )
    panels = year_panels(cells)
    assert panels[2019].loc["310000"].tolist() == [4.0, 1.0, 0.0]  # columns 13, 39, 65
    assert panels[2021].loc["310000"].tolist() == [4.0, 11.0, 1.0]
    assert first_years(cells).values.tolist() == [["310000", "65", 2021]]
    result = herding(view="revealed", source="micro", micro=path, start=2019, end=2021)
    table = result.tables()["herding"].set_index("industry")
    # by hand: 2019 shares 北京 (.1, .5, .4), 上海 (.2, .8, 0), 安徽 = 广东 (.3, .4, .3) of
    # 39, 13, 65; nation 8/35, 17/35, 10/35. 2021: 北京 11/20 of 39, 上海 11/16, nation 28/56:
    # RCA 0.4375 → 1.1 and 0.875 → 1.375 (entries); 安徽, 广东 in 13: 0.4/(17/35) = 0.824 →
    # 0.4/(17/56) = 1.318 (entries); in 65 only 上海 could enter (RCA 0 → 0.318: no entry)
    assert table.loc["39", ["candidates", "entrants"]].tolist() == [2, 2]
    assert table.loc["13", ["candidates", "entrants"]].tolist() == [2, 2]
    assert table.loc["65", ["candidates", "entrants"]].tolist() == [1, 0]
    entries = result.tables()["entries"].set_index(["region", "industry"])
    assert entries.loc[("110000", "39"), ["rca_start", "rca_end"]].tolist() == pytest.approx(
        [0.4375, 1.1]
    )
    assert entries.loc[("340000", "13"), "rca_end"] == pytest.approx(0.4 / (17 / 56))
    # mean Krugman dissimilarity 2019: pairs .8, .4, .4, .8, .8, 0 → 3.2 / 6
    path_ = result.tables()["convergence"].set_index("year")
    assert path_.loc[2019, "krugman_mean"] == pytest.approx(3.2 / 6)
    waves = result.tables()["waves"]
    assert waves.values.tolist() == [["65", 1, 2021, 1, 0.25]]
    assert result.spec["source"] == "micro" and result.spec["level"] == "province"
    with pytest.raises(InputError, match="--micro names the records"):
        herding(view="revealed", source="micro")


# ---------------------------------------------------------------- synthetic generator


def test_apportionment_is_within_one_of_the_quota() -> None:
    shares = np.array([0.5, 0.3333, 0.1667])
    counts = apportion(1001, shares / shares.sum(), seed=1)
    assert counts.sum() == 1001
    assert np.all(np.abs(counts - 1001 * shares / shares.sum()) < 1)


def test_synthetic_records_reproduce_census_marginals() -> None:
    """Tolerance: every county × section cell within one firm of n · (census share)."""
    n = 60_000
    firms = pd.concat(list(synthetic_firms(n, seed=11)), ignore_index=True)
    assert len(firms) == n and firms["id"].is_unique
    targets = census_targets().set_index(["region", "section"])["share"]
    got = firms.groupby(["region", "section"]).size().reindex(targets.index, fill_value=0)
    assert (got - n * targets).abs().max() < 1
    # hence the marginals: each county and each section within (its number of cells) firms
    for level in (0, 1):
        error = got.groupby(level=level).sum() - n * targets.groupby(level=level).sum()
        assert (error.abs() < targets.groupby(level=level).size()).all()
    # the industry code sits in its section under GB/T 4754-2017
    check = parse_industries(firms["industry"].unique()).set_index("raw")["section"]
    assert (firms["industry"].map(check) == firms["section"]).all()
    # seeded: the same seed gives the same records
    again = next(iter(synthetic_firms(n, seed=11)))
    pd.testing.assert_frame_equal(again, firms.iloc[: len(again)].reset_index(drop=True))


# ---------------------------------------------------------------- into the analyses


def test_opportunities_from_microdata_end_to_end(tmp_path: Path) -> None:
    from nqpf.services.opportunities import OpportunitySpec, opportunities

    records = synthesize(tmp_path / "syn.parquet", 30_000, seed=2)
    store = tmp_path / "s.duckdb"
    import_file(records, store=store)
    result = aggregate(
        AggregateSpec(store=str(store), level="prefecture", depth="section", start=2024, end=2024)
    )
    matrix = to_matrix(result, "firms")
    assert "合成数据 synthetic" in matrix["unit"].iloc[0]
    path = tmp_path / "matrix.csv"
    matrix.to_csv(path, index=False)
    found = opportunities(OpportunitySpec(region="340100", matrix=str(path)))
    assert found.region == "340100"
    # the matrix row of 合肥 equals the firms alive on 31 Dec 2024, counted straight from the file
    raw = pd.read_parquet(records)
    hefei = raw[raw["region"].str.startswith("3401") & raw["exited"].isna()]
    expected = hefei.groupby("section").size()
    row = matrix[matrix["region"] == "340100"].set_index("industry")["value"]
    assert row.astype(int).to_dict() == expected.to_dict()
    assert len(found.opportunities) > 0
    assert "synthetic" in found.provenance["unit"].iloc[0]
