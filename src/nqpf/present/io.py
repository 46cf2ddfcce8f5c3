"""Files of the input-output analyses: ``io_linkages_<table>.xlsx`` (linkages, provenance,
spec) with a CSV of the linkage table beside it, and ``io_compare.xlsx``."""

from __future__ import annotations

from pathlib import Path

from nqpf.present.tables import write_main_csv, write_xlsx
from nqpf.services.io import IOCompareResult, IOLinkagesResult

__all__ = ["write_io_compare", "write_io_linkages"]


def write_io_linkages(result: IOLinkagesResult, out: Path) -> list[Path]:
    """``io_linkages_<table>.xlsx`` and ``.csv`` in ``out``."""
    stem = f"io_linkages_{result.table}"
    return [write_xlsx(result, out / f"{stem}.xlsx"), write_main_csv(result, out / f"{stem}.csv")]


def write_io_compare(result: IOCompareResult, out: Path) -> Path:
    """``io_compare.xlsx`` in ``out``."""
    return write_xlsx(result, out / "io_compare.xlsx")
