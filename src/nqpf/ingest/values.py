"""Cell-level parsing shared by every importer: encodings, numbers, years, region labels.

Conventions
-----------
* Missing-value tokens used by Chinese statistical publications — empty cells, ``…``,
  ``...``, ``-``, ``--``, ``—``, ``－`` — are read as missing (NaN). Anything else that is not
  a number is an error naming the file, row and column.
* Numbers are plain decimals with an optional exponent (``-1.5``, ``2e3``). Thousands
  separators (comma, no-break or thin space) are accepted only in groups of three
  (``1,234.5``, ``12,345,678``); ``12,34``, ``1,2,3`` and ``1_000`` are errors, since a
  misplaced separator is more often a decimal comma or a typo than a thousands group.
* Values must be finite: ``inf``, ``Infinity``, ``1e999`` (which overflows) are errors.
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
_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:([,\u00a0\u202f ])\d{3})(?:\1\d{3})*(?:\.\d+)?$")
_SEPARATORS = re.compile(r"[,\u00a0\u202f ]")


def decode_text(raw: bytes, *, file: str) -> str:
    """Decode a text file that is UTF-8 (with or without BOM) or GB18030 (GBK, GB2312).

    UTF-8 is tried first because GB18030 decodes almost any byte string without error;
    a UTF-8 file that happens to be valid GB18030 would otherwise come out garbled.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _undecodable(file) from None
    if b"\x00" in raw:
        raise InputError(
            "the file contains NUL bytes: it is not a text table (a binary file, or UTF-16 "
            "without a byte-order mark?)",
            file=file,
            hint="save it as UTF-8 CSV or as .xlsx",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _refuse_double_encoding(text, file)
        return text
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise _undecodable(file) from None
    _refuse_big5(raw, text, file)
    return text


def _undecodable(file: str) -> InputError:
    return InputError(
        "cannot decode the file as UTF-8, GB18030 or UTF-16",
        file=file,
        hint="save it as UTF-8 or GB18030 (GBK) text, or as .xlsx",
    )


#: Words that a header of a Chinese statistical table almost always contains.
_HEADER_WORDS_SIMPLIFIED = ("地区", "省", "年", "指标", "数值", "单位", "区域", "份")
_HEADER_WORDS_TRADITIONAL = ("地區", "省", "年", "指標", "數值", "單位", "區域", "份")


def _refuse_big5(raw: bytes, text: str, file: str) -> None:
    """GB18030 decodes Big5 bytes without error, into nonsense; refuse a file that reads as
    sensible Traditional Chinese in Big5 but has none of the usual header words in GB18030."""
    head = text[:2000]
    if any(w in head for w in _HEADER_WORDS_SIMPLIFIED):
        return
    try:
        big5 = raw[:4000].decode("big5", errors="strict")
    except UnicodeDecodeError:
        try:
            big5 = raw[:3999].decode("big5", errors="strict")
        except UnicodeDecodeError:
            return
    if any(w in big5[:2000] for w in _HEADER_WORDS_TRADITIONAL):
        raise InputError(
            "the file looks like Big5 (Traditional Chinese) text, which NQPF does not read",
            file=file,
            hint="save it as UTF-8 (or GB18030) text, or as .xlsx",
        )


_MOJIBAKE = re.compile(r"[\u00c2-\u00ef][\u0080-\u00bf\u0152-\u2122]")


def _refuse_double_encoding(text: str, file: str) -> None:
    """UTF-8 bytes read as Windows-1252/Latin-1 and saved as UTF-8 again (``åœ°åŒº`` for
    ``地区``): refuse, naming the problem."""
    lines = text[:2000].splitlines()
    head = lines[0] if lines else ""
    if len(_MOJIBAKE.findall(head)) < 2:
        return
    for codec in ("cp1252", "latin-1"):
        try:
            repaired = head.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if repaired != head:
            raise InputError(
                f"the file looks double-encoded (UTF-8 read as {codec} and saved again: "
                f"{head[:12]!r} would be {repaired[:6]!r})",
                file=file,
                hint="export it again from the original source as UTF-8",
            )


def parse_number(cell: object, *, file: str, row: int, column: str) -> float:
    """One cell as a float; missing tokens give NaN, anything else non-numeric raises."""
    if cell is None:
        return math.nan
    if isinstance(cell, bool):
        raise InputError(f"expected a number, found {cell!r}", file=file, row=row, column=column)
    if isinstance(cell, int | float | np.integer | np.floating):
        value = float(cell)
        if math.isinf(value):
            raise _not_finite(str(cell), file=file, row=row, column=column)
        return value
    text = str(cell).strip().replace("\u3000", " ").strip()
    if text in MISSING_TOKENS:
        return math.nan
    if text.lower().lstrip("+-") in ("inf", "infinity"):
        raise _not_finite(text, file=file, row=row, column=column)
    if _PLAIN.match(text):
        value = float(text)
    elif _GROUPED.match(text):
        value = float(_SEPARATORS.sub("", text))
    else:
        grouped = _SEPARATORS.search(text) is not None
        raise InputError(
            f"expected a number, found {text!r}"
            + (" (thousands separators must group three digits: 1,234.5)" if grouped else ""),
            file=file,
            row=row,
            column=column,
            hint="correct the cell, or leave it empty (or …, -, —) if the value is missing",
        )
    if not math.isfinite(value):
        raise _not_finite(text, file=file, row=row, column=column)
    return value


def _not_finite(text: str, *, file: str, row: int, column: str) -> InputError:
    return InputError(
        f"{text!r} is not a finite number",
        file=file,
        row=row,
        column=column,
        hint="give the value as a number, or leave the cell empty if it is missing",
    )


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
