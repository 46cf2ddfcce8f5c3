"""Writing microdata aggregations: the cells table or a long matrix, as CSV, Parquet or Excel.

CSV (UTF-8 with BOM, cells formula-safe) and Parquet are written whole; an Excel workbook
gets a ``provenance`` sheet (and the warnings, e.g. that the records are synthetic) and
the table, which goes to a Parquet file beside it when it is larger than a sheet should be
(:func:`nqpf.outputs.spill_large`). Every file is written atomically.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nqpf.errors import InputError
from nqpf.services.micro import MicroResult

__all__ = ["write_table"]

_SUFFIXES = (".csv", ".parquet", ".xlsx")


def write_table(frame: pd.DataFrame, path: str | Path, *, result: MicroResult) -> Path:
    """Write ``frame`` (the result's cells or a matrix made from it) to ``path``."""
    from nqpf.outputs import atomic_path, atomic_write_csv, atomic_write_excel, spill_large

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(
            f"cannot write {suffix or 'a file without suffix'}", hint="use .csv, .parquet or .xlsx"
        )
    if suffix == ".csv":
        return atomic_write_csv(target, frame)
    if suffix == ".parquet":
        with atomic_path(target) as tmp:
            frame.to_parquet(tmp, index=False)
        return target
    notes = pd.DataFrame({"warning": result.warnings}) if result.warnings else None
    provenance = [result.provenance] + ([notes] if notes is not None else [])
    atomic_write_excel(
        target,
        {
            "provenance": provenance,
            "cells": spill_large(target.parent, target.stem, frame),
        },
    )
    return target
