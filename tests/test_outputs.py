"""Atomic writers: a failed write leaves the old file as it was and no temporary file."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.outputs import atomic_path, atomic_write_csv, atomic_write_excel, atomic_write_text


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = atomic_write_text(tmp_path / "page.html", "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    target = atomic_write_text(tmp_path / "a.html", "x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_excel_sheets_and_csv_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"地区 region": ["安徽", "江苏"], "指数 index": [0.25, 0.34]})
    book = atomic_write_excel(tmp_path / "t.xlsx", {"scores": frame, "x" * 40: frame})
    sheets = pd.read_excel(book, sheet_name=None)
    assert list(sheets) == ["scores", "x" * 31]  # Excel caps sheet names at 31 characters
    pd.testing.assert_frame_equal(sheets["scores"], frame)
    csv = atomic_write_csv(tmp_path / "t.csv", frame)
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads the Chinese
    pd.testing.assert_frame_equal(pd.read_csv(csv, encoding="utf-8-sig"), frame)


def test_large_tables_spill_to_parquet_with_a_pointer_and_summary(tmp_path: Path) -> None:
    from nqpf.outputs import SHEET_MAX_CELLS, spill_large

    rng = np.random.default_rng(0)
    n = SHEET_MAX_CELLS // 4 + 1
    big = pd.DataFrame(
        {
            "year": rng.choice([2022, 2023], n),
            "indicator": rng.choice(["a", "b"], n),
            "value": rng.normal(size=n),
            "flag": rng.integers(0, 2, n).astype(bool),
        }
    )
    small = big.head(10)
    assert spill_large(tmp_path, "small", small) is small
    sheet = spill_large(tmp_path, "big", big)
    assert isinstance(sheet, list)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "big.parquet"), big)
    pointer, summary = sheet
    assert "big.parquet" in pointer.iloc[1, 0] and f"{n:,} rows" in pointer.iloc[1, 0]
    expected = big.groupby(["year", "indicator"])["value"].mean().to_numpy()
    np.testing.assert_allclose(summary["value mean"], expected)
    book = atomic_write_excel(tmp_path / "t.xlsx", {"big": sheet, "small": small})
    back = pd.read_excel(book, sheet_name="small")
    np.testing.assert_allclose(back["value"], small["value"])
    raw = pd.read_excel(book, sheet_name="big", header=None)
    assert raw.iloc[2, 0].startswith("The full table")


def test_assessment_at_county_scale_writes_contributions_to_parquet(tmp_path: Path) -> None:
    import openpyxl

    from nqpf import assess
    from nqpf.present.assessment import write_assessment

    rng = np.random.default_rng(1)
    units, years, m = 600, 3, 20
    idx = pd.MultiIndex.from_product(
        [[f"U{k:04d}" for k in range(units)], range(2021, 2021 + years), range(m)],
        names=["region", "year", "j"],
    )
    data = idx.to_frame(index=False)
    data["indicator"] = "x" + data["j"].astype(str)
    data["value"] = rng.lognormal(size=len(data))
    fw = {
        "pillars": [
            {"id": "p", "indicators": [{"id": f"x{j}", "direction": "+"} for j in range(m)]}
        ]
    }
    a = assess(data.drop(columns="j"), framework=fw, weights="equal")
    write_assessment(a, tmp_path / "out")
    contributions = pd.read_parquet(tmp_path / "out" / "contributions.parquet")
    assert len(contributions) == units * years * m
    pd.testing.assert_frame_equal(contributions, a.contributions.reset_index(drop=True))
    manifest = (tmp_path / "out" / "nqpf-manifest.json").read_text(encoding="utf-8")
    assert "contributions.parquet" in manifest
    sheet = openpyxl.load_workbook(tmp_path / "out" / "assessment.xlsx")["contributions"]
    assert "contributions.parquet" in str(sheet["A3"].value)


def test_provincial_contributions_go_to_parquet_the_sheet_keeps_the_latest_year(
    tmp_path: Path,
) -> None:
    from nqpf.present.assessment import CONTRIBUTIONS_MAX_CELLS, write_assessment
    from nqpf.services.assessment import AssessmentSpec, assess_spec

    a = assess_spec(AssessmentSpec())
    assert a.contributions.size > CONTRIBUTIONS_MAX_CELLS  # 31 provinces × 8 years × 23 indicators
    write_assessment(a, tmp_path / "out")
    full = pd.read_parquet(tmp_path / "out" / "contributions.parquet")
    pd.testing.assert_frame_equal(full, a.contributions.reset_index(drop=True))
    raw = pd.read_excel(tmp_path / "out" / "assessment.xlsx", "contributions", header=None)
    year = int(a.contributions["year"].max())
    assert raw.iloc[1, 0].endswith(f"此处为{year} 年")
    assert raw.iloc[2, 0].endswith(f"below, the year {year}")
    sheet = pd.read_excel(tmp_path / "out" / "assessment.xlsx", "contributions", skiprows=5)
    latest = a.contributions[a.contributions["year"] == year]
    assert len(sheet) == len(latest) and latest["region"].nunique() == 31
    assert set(sheet["年份 year"]) == {year}
    np.testing.assert_allclose(sheet["贡献 contribution"], latest["contribution"])
