"""Writers every result type shares: its JSON document and a workbook of its tables.

:func:`write_json` writes :meth:`Result.to_json` (schema in :mod:`nqpf.results`);
:func:`write_xlsx` writes ``tables()`` one sheet each plus ``provenance`` and a ``spec``
sheet (option, value, and the ``spec_hash``); :func:`write_main_csv` writes the main table
as CSV; :func:`write_table` writes one plain table (a directory or library listing that is
not an analysis) as ``.csv`` or ``.xlsx`` by the path's suffix. Cells are made safe for
spreadsheets by :mod:`nqpf.outputs`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from nqpf.outputs import atomic_write_csv, atomic_write_excel, atomic_write_text
from nqpf.results import Result

__all__ = ["spec_table", "write_json", "write_main_csv", "write_table", "write_xlsx"]


def spec_table(result: Result) -> pd.DataFrame:
    """option, value (JSON text) of every option, then the ``spec_hash``."""
    rows = [
        {"option": k, "value": json.dumps(v, ensure_ascii=False, default=str)}
        for k, v in result.spec.items()
    ]
    return pd.DataFrame([*rows, {"option": "spec_hash", "value": result.spec_hash}])


def write_json(result: Result, path: str | Path) -> Path:
    """The result's JSON document (indented) at ``path``."""
    doc = json.loads(result.to_json())
    return atomic_write_text(Path(path), json.dumps(doc, ensure_ascii=False, indent=1))


def write_xlsx(result: Result, path: str | Path) -> Path:
    """Every table of the result, then ``provenance`` and ``spec``, one sheet each."""
    sheets = {**result.tables(), "provenance": result.provenance, "spec": spec_table(result)}
    return atomic_write_excel(Path(path), sheets)


def write_main_csv(result: Result, path: str | Path) -> Path:
    """The result's main table (``to_frame()``) as CSV (UTF-8 with BOM, for Excel)."""
    return atomic_write_csv(Path(path), result.to_frame())


def write_table(frame: pd.DataFrame, path: str | Path, *, sheet: str) -> Path:
    """``frame`` at ``path``: CSV when the suffix is ``.csv``, else an ``.xlsx`` workbook with
    one sheet ``sheet`` (the suffix is set to ``.xlsx``). Returns the path written."""
    target = Path(path)
    if target.suffix.lower() == ".csv":
        return atomic_write_csv(target, frame)
    return atomic_write_excel(target.with_suffix(".xlsx"), {sheet: frame})
