"""Atomic writers: a failed write leaves the old file as it was and no temporary file."""

from __future__ import annotations

import stat
from pathlib import Path

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
