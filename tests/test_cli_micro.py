"""``nqpf micro …`` run as a user runs it: synth → import → aggregate → opportunities,
and one-line errors (exit 2) on bad records and an unreachable Spark master."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from tests.conftest import run_nqpf as run


def test_synth_import_aggregate_and_opportunities(tmp_path: Path) -> None:
    records = tmp_path / "syn.parquet"
    made = run("micro", "synth", str(records), "--rows", "5000", "--seed", "4", home=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "synthetic" in made.stdout
    stored = run("micro", "import", str(records), home=tmp_path)
    assert stored.returncode == 0, stored.stderr
    assert "5,000 of 5,000 firms records stored (合成数据 synthetic)" in stored.stdout
    assert (tmp_path / "micro.duckdb").is_file()  # the default store, under the nqpf home
    matrix = tmp_path / "matrix.csv"
    agg = run(
        "micro",
        "aggregate",
        "--level",
        "province",
        "--depth",
        "section",
        "--start",
        "2024",
        "--out",
        str(tmp_path / "cells.xlsx"),
        "--matrix",
        str(matrix),
        home=tmp_path,
    )
    assert agg.returncode == 0, agg.stderr
    assert "synthetic" in agg.stderr and "codes × 1 years (2024–2024, duckdb)" in agg.stdout
    frame = pd.read_csv(matrix, encoding="utf-8-sig", dtype={"region": str})
    assert frame["value"].sum() == pd.read_parquet(records)["exited"].isna().sum()
    opp = run("opportunities", "340000", "--matrix", str(matrix), home=tmp_path)
    assert opp.returncode == 0, opp.stderr


def test_bad_records_exit_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_text(
        "id,region,industry,registered\nA1,340123,C3911,2015-01-01\nA2,999999,C3911,2015-01-01\n",
        encoding="utf-8",
    )
    result = run("micro", "import", str(path), home=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "row 3 column 'region' value '999999'" in lines[0]
    bad_column = run("micro", "import", str(path), "--column", "id", home=tmp_path)
    assert bad_column.returncode == 2 and "is not NAME=HEADER" in bad_column.stderr


def test_unreachable_spark_master_is_one_line(tmp_path: Path) -> None:
    records = tmp_path / "syn.parquet"
    assert run("micro", "synth", str(records), "--rows", "100", home=tmp_path).returncode == 0
    result = run(
        "micro",
        "aggregate",
        "--parquet",
        str(records),
        "--engine",
        "spark",
        "--spark-master",
        "spark://127.0.0.1:9",
        home=tmp_path,
    )
    assert result.returncode == 2
    assert "cannot reach the Spark master spark://127.0.0.1:9" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_herding_from_a_store(tmp_path: Path) -> None:
    from tests.test_micro import _herding_records

    records = _herding_records()
    records["industry"] = records["section"] + records["industry"]
    path = tmp_path / "firms.csv"
    records.drop(columns=["section", "capital"]).to_csv(path, index=False)
    assert run("micro", "import", str(path), home=tmp_path).returncode == 0
    store = tmp_path / "micro.duckdb"
    out = tmp_path / "herding"
    result = run(
        "herding", "--micro", str(store), "--start", "2019", "--end", "2021", "--format", "csv",
        "--out", str(out), home=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout), dtype={"name": str})
    assert table.set_index("name")["entrants"].to_dict() == {"39": 2, "13": 2, "65": 0}
    assert (out / "herding.xlsx").is_file() and (out / "herding.html").is_file()
    missing = run("herding", "--micro", str(tmp_path / "none.duckdb"), home=tmp_path)
    assert missing.returncode == 2 and "no microdata store at none.duckdb" in missing.stderr


def test_wrong_vintage_duplicates_and_bad_options_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_text(
        "id,region,industry,registered\nA1,340123,O7910,2015-01-01\nA1,340123,C3911,2015-01-01\n",
        encoding="utf-8",
    )
    result = run("micro", "import", str(path), home=tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "2 of 2 rows rejected" in result.stderr and "GB/T 4754-2011 code" in result.stderr
    report = pd.read_csv(tmp_path / "micro.rejected.csv", dtype=str)
    assert sorted(report["column"]) == ["id", "industry"]
    bad = run("micro", "aggregate", "--memory-limit", "lots", home=tmp_path)
    assert bad.returncode == 2 and "memory limit 'lots' is not a size" in bad.stderr
