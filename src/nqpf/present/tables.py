"""Writers every result type shares: its JSON document and a workbook of its tables.

:func:`write_json` writes :meth:`Result.to_json` (schema in :mod:`nqpf.results`);
:func:`write_xlsx` writes ``tables()`` one sheet each plus ``provenance`` and a ``spec``
sheet (option, value, and the ``spec_hash``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from nqpf.outputs import atomic_write_excel, atomic_write_text
from nqpf.results import Result

__all__ = ["spec_table", "write_json", "write_xlsx"]


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
