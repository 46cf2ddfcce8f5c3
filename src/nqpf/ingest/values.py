"""Cell-level parsing shared by every importer: encodings, numbers, years, region labels.

Conventions
-----------
* Missing-value tokens used by Chinese statistical publications — empty cells, ``…``,
  ``...``, ``-``, ``--``, ``—``, ``－`` — are read as missing (NaN). Anything else that is not
  a number is an error naming the file, row and column.
* Thousands separators (``1,234.5``) and surrounding white space are accepted.
* Years are ``2023``, ``2023年``, ``2023.0``; anything else in a year position is an error.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from nqpf.errors import InputError, UnknownRegionError
from nqpf.regions import NATIONAL_CODE, classify_region

__all__ = [
    "MISSING_TOKENS",
    "decode_text",
    "display_name",
    "parse_number",
    "parse_year",
    "resolve_region_column",
]

MISSING_TOKENS = frozenset(
    {
        "",
        "…",
        "……",
        "...",
        "..",
        "-",
        "--",
        "—",
        "——",
        "－",
        "nan",
        "NaN",
        "NA",
        "N/A",
        "null",
        "None",
    }
)

_YEAR = re.compile(r"^\s*(\d{4})(?:\.0+)?\s*年?\s*$")
_NUMBER_CLEAN = re.compile(r"[,\s\u3000\u00a0]")


def decode_text(raw: bytes, *, file: str) -> str:
    """Decode a text file that is UTF-8 (with or without BOM) or GB18030 (GBK, GB2312).

    UTF-8 is tried first because GB18030 decodes almost any byte string without error;
    a UTF-8 file that happens to be valid GB18030 would otherwise come out garbled.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot decode the file as UTF-8 or GB18030 (bad byte at offset {exc.start})",
            file=file,
            hint="save it as UTF-8 or GB18030 (GBK) text, or as .xlsx",
        ) from None


def parse_number(cell: object, *, file: str, row: int, column: str) -> float:
    """One cell as a float; missing tokens give NaN, anything else non-numeric raises."""
    if cell is None:
        return math.nan
    if isinstance(cell, bool):
        raise InputError(f"expected a number, found {cell!r}", file=file, row=row, column=column)
    if isinstance(cell, int | float | np.integer | np.floating):
        return float(cell)
    text = str(cell).strip()
    if text in MISSING_TOKENS:
        return math.nan
    try:
        return float(_NUMBER_CLEAN.sub("", text))
    except ValueError:
        raise InputError(
            f"expected a number, found {text!r}",
            file=file,
            row=row,
            column=column,
            hint="correct the cell, or leave it empty (or …, -, —) if the value is missing",
        ) from None


def parse_year(
    cell: object, *, file: str, row: int | None = None, column: str | None = None
) -> int:
    """A year label such as ``2023``, ``2023年`` or ``2023.0``."""
    match = _YEAR.match(str(cell))
    if not match:
        raise InputError(
            f"expected a year such as 2023 or 2023年, found {cell!r}",
            file=file,
            row=row,
            column=column,
        )
    year = int(match.group(1))
    if not 1949 <= year <= 2100:
        raise InputError(f"year {year} is out of range", file=file, row=row, column=column)
    return year


def resolve_region_column(
    labels: pd.Series, *, file: str, column: str, first_row: int, keep_national: bool = True
) -> tuple[pd.Series, list[str]]:
    """Resolve a column of region labels to adcodes.

    Returns the codes (``None`` for rows to drop) and a list of dropped subtotal labels.
    Regional subtotals (东部地区 …) are dropped and reported; the national total is kept as
    ``"100000"`` when ``keep_national`` (dropped otherwise); a city listed as a province
    (深圳) resolves to its province. Unknown labels raise with the file, row and value.
    ``first_row`` is the spreadsheet row number of the first element of ``labels``.
    """
    codes: list[str | None] = []
    dropped: list[str] = []
    for offset, label in enumerate(labels.tolist()):
        try:
            kind, value = classify_region(label)
        except UnknownRegionError as exc:
            raise UnknownRegionError(
                label, exc.suggestions, file=file, row=first_row + offset, column=column
            ) from None
        if kind == "province":
            codes.append(value)
        elif kind == "city":
            codes.append(value[:2] + "0000")
        elif kind == "national":
            codes.append(NATIONAL_CODE if keep_national else None)
        else:
            codes.append(None)
            dropped.append(str(label))
    return pd.Series(codes, index=labels.index, dtype="object"), dropped


def display_name(path: str | Path) -> str:
    """How a file is named in messages: its name, not the whole path."""
    return Path(path).name
