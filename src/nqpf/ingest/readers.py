"""Importers for the tables regional analysts actually have.

Three layouts, each from CSV (UTF-8, UTF-8 with BOM or GB18030) or Excel (.xlsx/.xls):

``nbs``
    An export of data.stats.gov.cn 分省年度数据: a few header lines (数据库：…, 指标：…,
    时间：…), then ``地区, 2024年, 2023年, …`` with years newest first and provinces as rows,
    then footnotes (注：…, 数据来源：…). Also the one-region variant whose rows are
    indicators (first header cell 指标). Exports saved by some tools separate cells with
    ``\\t,``; that is accepted too.
``long``
    One value per row: region, year, indicator, value (and optionally unit). Column names
    may be English or Chinese (地区/省份, 年份, 指标, 数值/值, 单位).
``wide``
    Regions as rows and either years as columns (one indicator: pass ``indicator``) or
    indicators as columns (one year: pass ``year``).

:func:`read_upload` reads the same layouts from the bytes of an upload (the REST API's
``POST /data/import``): CSV, .xlsx or a Parquet table, whose type :func:`upload_kind`
checks by the file name's extension *and* the content (zip magic for .xlsx, ``PAR1`` at both
ends for Parquet, decodable text for CSV). Nothing is written to disk and the file name is
used only in messages.

Every reader returns a long DataFrame with columns ``region`` (adcode), ``year``,
``indicator``, ``value``, ``unit``, ``source_file``, ``source_row``. Indicators whose name
matches the catalog get the catalog id and are converted to the catalog unit; others keep
the name they have in the file. Regional subtotals (东部地区 …) are dropped with a warning;
the national total is kept under ``"100000"``.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from nqpf.errors import DataImportWarning, InputError, UnsupportedFileError
from nqpf.indicators import find_indicator, indicator_specs
from nqpf.indicators.units import conversion_factor
from nqpf.ingest.values import (
    decode_text,
    display_name,
    parse_number,
    parse_year,
    resolve_region_column,
)
from nqpf.outputs import clean_text

__all__ = [
    "Layout",
    "Upload",
    "UploadKind",
    "read_long",
    "read_nbs",
    "read_table",
    "read_upload",
    "read_wide",
    "upload_kind",
]

Layout = Literal["auto", "nbs", "long", "wide"]
#: The file types an upload may be.
UploadKind = Literal["csv", "xlsx", "parquet"]
#: Extensions of each upload type.
UPLOAD_EXTENSIONS: dict[str, UploadKind] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
}
_ZIP_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"

COLUMNS = ["region", "year", "indicator", "value", "unit", "source_file", "source_row"]

_HEADER_ALIASES = {
    "region": {
        "region",
        "province",
        "地区",
        "省份",
        "省",
        "地区名称",
        "area",
        "adcode",
        "区划代码",
    },
    "year": {"year", "年份", "年度", "年", "时间"},
    "indicator": {"indicator", "指标", "指标名称", "variable", "变量"},
    "value": {"value", "数值", "值", "数据"},
    "unit": {"unit", "单位"},
}
_NAME_UNIT = re.compile(r"^(.*?)\s*[\(（]([^()（）]*)[\)）]\s*$")
_META_LINE = re.compile(r"^(数据库|指标|时间|地区)\s*[：:]\s*(.*)$")
_FOOTER_PREFIXES = ("注", "数据来源", "来源：", "资料来源")


@dataclass(frozen=True)
class Upload:
    """An uploaded table as read: the long ``frame``, the file's ``header``, its ``kind``."""

    frame: pd.DataFrame
    header: list[str]
    kind: UploadKind


@dataclass
class _Grid:
    """A table as rows of stripped text cells, with the spreadsheet row number of each."""

    file: str
    rows: list[list[str]]
    numbers: list[int]


def read_table(
    path: str | Path,
    *,
    layout: Layout = "auto",
    indicator: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    region: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read any supported file, detecting its layout unless ``layout`` is given."""
    grid = _read_grid(Path(path), sheet=sheet)
    return _parse_grid(grid, layout, indicator=indicator, unit=unit, year=year, region=region)


def upload_kind(file_name: str, raw: bytes) -> UploadKind:
    """The type of an uploaded file, checked by its extension and its content; anything else
    raises :class:`~nqpf.errors.UnsupportedFileError` (HTTP 415)."""
    name = _upload_name(file_name)
    suffix = Path(name).suffix.lower()
    kind = UPLOAD_EXTENSIONS.get(suffix)
    if kind is None:
        raise UnsupportedFileError(
            f"unsupported file type {suffix or '(no extension)'!r}",
            file=name,
            hint="upload a .csv (UTF-8 or GBK), .xlsx or .parquet file",
        )
    if kind == "xlsx" and not raw.startswith(_ZIP_MAGIC):
        raise UnsupportedFileError(
            "the file is named .xlsx but is not an Excel workbook (no zip signature)",
            file=name,
            hint="save it from Excel or WPS as .xlsx (an old .xls: save it as .xlsx)",
        )
    if kind == "parquet" and not (
        raw.startswith(_PARQUET_MAGIC) and raw.endswith(_PARQUET_MAGIC) and len(raw) >= 12
    ):
        raise UnsupportedFileError(
            "the file is named .parquet but is not a Parquet file (no PAR1 signature)",
            file=name,
            hint="write it with pandas.DataFrame.to_parquet or pyarrow",
        )
    if kind == "csv":
        if raw.startswith((_ZIP_MAGIC, _PARQUET_MAGIC)):
            raise UnsupportedFileError(
                "the file is named as text but is a binary (zip or Parquet) file",
                file=name,
                hint="give an .xlsx or .parquet file its own extension",
            )
        try:
            decode_text(raw, file=name)
        except InputError as error:
            raise UnsupportedFileError(error.message, file=name, hint=error.hint) from None
    return kind


def read_upload(
    raw: bytes,
    *,
    file_name: str,
    layout: Layout = "auto",
    sheet: str | int | None = None,
) -> Upload:
    """Read the bytes of an uploaded table (type from :func:`upload_kind`): the long table
    (as :func:`read_table`), the header of the file as it was, and its type."""
    kind = upload_kind(file_name, raw)
    name = _upload_name(file_name)
    if kind == "csv":
        text = decode_text(raw, file=name)
        grid = _csv_grid(text, name, tab=Path(name).suffix.lower() == ".tsv")
    elif kind == "xlsx":
        rows = _xlsx_rows(raw, sheet, name)
        grid = _kept(name, rows, list(range(1, len(rows) + 1)))
    else:
        rows = _parquet_rows(raw, name)
        grid = _kept(name, rows, list(range(1, len(rows) + 1)))
    frame = _parse_grid(grid, layout, indicator=None, unit=None, year=None, region=None)
    return Upload(frame, list(grid.rows[0]), kind)


def _upload_name(file_name: str) -> str:
    """How an upload is named in messages: the last part of the name the browser sent,
    without control characters, at most 100 characters (never a path NQPF opens)."""
    return clean_text(display_name(file_name.replace("\\", "/")))[:100] or "upload"


def _parse_grid(
    grid: _Grid,
    layout: Layout,
    *,
    indicator: str | None,
    unit: str | None,
    year: int | None,
    region: str | None,
) -> pd.DataFrame:
    if layout == "auto":
        layout = _detect_layout(grid)
    if layout == "nbs":
        return _parse_nbs(grid, indicator=indicator, unit=unit, region=region)
    if layout == "long":
        return _parse_long(grid)
    return _parse_wide(grid, indicator=indicator, unit=unit, year=year)


def read_nbs(
    path: str | Path,
    *,
    indicator: str | None = None,
    unit: str | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """Read a data.stats.gov.cn 分省年度数据 export.

    ``indicator`` (an id or name) is needed when the export lacks its 指标 line;
    ``region`` when the rows are indicators of one region and the file does not name it.
    """
    return read_table(path, layout="nbs", indicator=indicator, unit=unit, region=region)


def read_long(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a long table (region, year, indicator, value[, unit])."""
    return read_table(path, layout="long", sheet=sheet)


def read_wide(
    path: str | Path,
    *,
    indicator: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a wide table: regions × years (give ``indicator``) or regions × indicators
    (give ``year``)."""
    return read_table(path, layout="wide", indicator=indicator, unit=unit, year=year, sheet=sheet)


# ---------------------------------------------------------------------------- grid


def read_records(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """A table file as text cells, decoded like every NQPF import (CSV in UTF-8, UTF-8 with
    BOM or GB18030; Excel): the first non-empty row is the header (lower-cased), and the
    column ``source_row`` gives each row's number as a spreadsheet shows it, for errors.
    """
    grid = _read_grid(Path(path), sheet=sheet)
    header = [c.strip().lower() for c in grid.rows[0]]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in grid.rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame["source_row"] = grid.numbers[1:]
    return frame


def _read_grid(path: Path, *, sheet: str | int | None) -> _Grid:
    name = display_name(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(path, sheet, name)
        numbers = list(range(1, len(rows) + 1))
    elif suffix == ".xls":
        rows = _xls_rows(path, sheet, name)
        numbers = list(range(1, len(rows) + 1))
    elif suffix in {".csv", ".txt", ".tsv", ""}:
        text = decode_text(path.read_bytes(), file=name)
        return _csv_grid(text, name, tab=suffix == ".tsv")
    else:
        raise InputError(
            f"unsupported file type {suffix!r}", file=name, hint="use .csv, .xlsx or .xls"
        )
    return _kept(name, rows, numbers)


def _csv_grid(text: str, name: str, *, tab: bool) -> _Grid:
    text = text.replace("\t,", ",").replace("\r\n", "\n").replace("\r", "\n")
    delimiter = "\t" if tab or ("\t" in text and "," not in text) else ","
    rows, numbers = [], []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            rows.append([clean_text(c).strip().strip("\ufeff") for c in row])
            numbers.append(reader.line_num)
    except csv.Error as exc:
        raise InputError(
            f"not a readable CSV table: {exc}",
            file=name,
            row=reader.line_num,
            hint="check the quotes around that line, or save the table as .xlsx",
        ) from None
    return _kept(name, rows, numbers)


def _kept(name: str, rows: list[list[str]], numbers: list[int]) -> _Grid:
    """The grid of the non-empty rows (an empty file is an error)."""
    kept = [(r, n) for r, n in zip(rows, numbers, strict=True) if any(c for c in r)]
    if not kept:
        raise InputError("the file is empty", file=name)
    return _Grid(name, [r for r, _ in kept], [n for _, n in kept])


def _parquet_rows(raw: bytes, name: str) -> list[list[str]]:
    """A Parquet table as text cells (header first), so that it is checked exactly like a
    CSV: numbers as Python writes them (all digits), missing values empty."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(raw))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(
            f"not a readable Parquet file ({type(exc).__name__})",
            file=name,
            hint="write it with pandas.DataFrame.to_parquet or pyarrow",
        ) from None
    header = [clean_text(str(c)).strip() for c in table.column_names]
    columns = [[_text_cell(v) for v in column.to_pylist()] for column in table.columns]
    return [header, *(list(row) for row in zip(*columns, strict=True))]


def _text_cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return repr(value)
    return clean_text(str(value)).strip()


_BROKEN_WORKBOOK = "is not a readable Excel workbook"


def _xlsx_rows(source: Path | bytes, sheet: str | int | None, name: str) -> list[list[str]]:
    """Cells of one sheet (of a file, or of an upload's bytes) as text; formula cells must
    carry the value Excel saved with them (openpyxl does not compute formulas)."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    def opened() -> Path | io.BytesIO:
        return io.BytesIO(source) if isinstance(source, bytes) else source

    try:
        values = openpyxl.load_workbook(opened(), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(opened(), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"the file {_BROKEN_WORKBOOK} ({type(exc).__name__})",
            file=name,
            hint="open it in Excel or WPS and save it as .xlsx again, or export a CSV",
        ) from None
    try:
        key = _sheet_key(values.sheetnames, sheet, name)
        rows = []
        for number, (vrow, frow) in enumerate(
            zip(values[key].iter_rows(), formulas[key].iter_rows(), strict=False), 1
        ):
            cells = []
            for vcell, fcell in zip(vrow, frow, strict=False):
                value = vcell.value
                formula = fcell.value if fcell.data_type == "f" else None
                if value is None and isinstance(formula, str):
                    raise InputError(
                        f"cell {fcell.coordinate} holds the formula {formula[:40]!r} but no "
                        "saved value",
                        file=name,
                        row=number,
                        hint="open the file in Excel or WPS and save it (that stores the "
                        "computed values), or paste the values instead of formulas",
                    )
                cells.append("" if value is None else clean_text(str(value)).strip())
            rows.append(cells)
        return rows
    finally:
        values.close()
        formulas.close()


def _xls_rows(path: Path, sheet: str | int | None, name: str) -> list[list[str]]:
    import xlrd

    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, header=None, dtype=object)
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError, ValueError, OSError) as exc:
        reason = clean_text(" ".join(str(exc).split()))[:120]
        raise InputError(
            f"the file {_BROKEN_WORKBOOK} ({reason})",
            file=name,
            hint="open it in Excel or WPS and save it as .xlsx, or export a CSV",
        ) from None
    return [
        ["" if pd.isna(c) else clean_text(str(c)).strip() for c in r]
        for r in frame.itertuples(index=False, name=None)
    ]


def _sheet_key(names: list[str], sheet: str | int | None, file: str) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return names[sheet]
    if sheet in names:
        return str(sheet)
    raise InputError(
        f"no sheet {sheet!r} in the workbook", file=file, hint=f"sheets: {', '.join(names)}"
    )


def _detect_layout(grid: _Grid) -> Layout:
    if _META_LINE.match(grid.rows[0][0]):
        return "nbs"
    header = {_canonical_header(c) for c in grid.rows[0]}
    if {"region", "year", "value"} <= header:
        return "long"
    return "wide"


def _canonical_header(cell: str) -> str | None:
    key = cell.strip().lower()
    for canonical, names in _HEADER_ALIASES.items():
        if key in names:
            return canonical
    return None


# ---------------------------------------------------------------------------- nbs


def _parse_nbs(
    grid: _Grid, *, indicator: str | None, unit: str | None, region: str | None
) -> pd.DataFrame:
    meta_indicator: str | None = None
    meta_region: str | None = region
    start = 0
    for i, row in enumerate(grid.rows):
        meta = _META_LINE.match(row[0])
        if meta is None:
            start = i
            break
        key, text = meta.group(1), meta.group(2).strip()
        if key == "指标":
            meta_indicator = text
        elif key == "地区":
            meta_region = meta_region or text
    else:
        raise InputError("no table after the header lines", file=grid.file)
    header = grid.rows[start]
    if header[0] not in {"地区", "指标"}:
        raise InputError(
            f"expected the header row to start with 地区 or 指标, found {header[0]!r}",
            file=grid.file,
            row=grid.numbers[start],
            hint="is this a data.stats.gov.cn 分省年度数据 export?",
        )
    years = _year_columns(grid, start)
    body: list[tuple[list[str], int]] = []
    for row, number in zip(grid.rows[start + 1 :], grid.numbers[start + 1 :], strict=True):
        if row[0].startswith(_FOOTER_PREFIXES):
            break
        body.append((row, number))
    if not body:
        raise InputError("the table has a header but no rows", file=grid.file)

    records = []
    if header[0] == "地区":
        name, file_unit = _name_and_unit(indicator or meta_indicator, grid, start)
        for row, number in body:
            for col, year in years:
                cell = row[col] if col < len(row) else ""
                records.append((row[0], year, name, cell, file_unit, number, header[col]))
    else:
        if meta_region is None:
            raise InputError(
                "the rows are indicators but the file does not say which region they are for",
                file=grid.file,
                hint="pass region=… (CLI: --region)",
            )
        for row, number in body:
            name, file_unit = _name_and_unit(row[0], grid, start)
            for col, year in years:
                cell = row[col] if col < len(row) else ""
                records.append((meta_region, year, name, cell, file_unit, number, header[col]))
    frame = pd.DataFrame(
        records, columns=["label", "year", "name", "cell", "unit", "source_row", "column"]
    )
    return _finish(frame, grid.file, region_column="地区", unit_override=unit)


def _year_columns(grid: _Grid, start: int) -> list[tuple[int, int]]:
    header = grid.rows[start]
    years = []
    for col, cell in enumerate(header[1:], 1):
        if cell == "":
            continue
        years.append((col, parse_year(cell, file=grid.file, row=grid.numbers[start], column=cell)))
    if not years:
        raise InputError("no year columns in the header", file=grid.file, row=grid.numbers[start])
    return years


def _name_and_unit(text: str | None, grid: _Grid, start: int) -> tuple[str, str | None]:
    if not text:
        raise InputError(
            "the export has no 指标 line, so the indicator is unknown",
            file=grid.file,
            row=grid.numbers[start],
            hint="pass indicator=… (CLI: --indicator), e.g. gdp",
        )
    match = _NAME_UNIT.match(text)
    if match:
        return match.group(1).strip(), match.group(2).strip()
    return text.strip(), None


# ---------------------------------------------------------------------------- long


def _parse_long(grid: _Grid) -> pd.DataFrame:
    header = grid.rows[0]
    positions: dict[str, int] = {}
    for col, title in enumerate(header):
        canonical = _canonical_header(title)
        if canonical and canonical not in positions:
            positions[canonical] = col
    missing = [c for c in ("region", "year", "indicator", "value") if c not in positions]
    if missing:
        raise InputError(
            f"the header lacks the column(s) {missing}",
            file=grid.file,
            row=grid.numbers[0],
            hint="a long table needs region, year, indicator and value columns "
            "(or 地区, 年份, 指标, 数值)",
        )
    records = []
    for row, number in zip(grid.rows[1:], grid.numbers[1:], strict=True):

        def cell(key: str, row: list[str] = row) -> str:
            col = positions.get(key)
            return row[col] if col is not None and col < len(row) else ""

        year = parse_year(
            cell("year"), file=grid.file, row=number, column=header[positions["year"]]
        )
        name, unit = cell("indicator"), cell("unit") or None
        if not name:
            raise InputError(
                "empty indicator name",
                file=grid.file,
                row=number,
                column=header[positions["indicator"]],
            )
        match = _NAME_UNIT.match(name)
        if unit is None and match:
            name, unit = match.group(1).strip(), match.group(2).strip()
        records.append(
            (cell("region"), year, name, cell("value"), unit, number, header[positions["value"]])
        )
    if not records:
        raise InputError("the table has a header but no rows", file=grid.file)
    frame = pd.DataFrame(
        records, columns=["label", "year", "name", "cell", "unit", "source_row", "column"]
    )
    return _finish(frame, grid.file, region_column=header[positions["region"]])


# ---------------------------------------------------------------------------- wide


def _parse_wide(
    grid: _Grid, *, indicator: str | None, unit: str | None, year: int | None
) -> pd.DataFrame:
    header = grid.rows[0]
    if len(header) < 2:
        raise InputError(
            "a wide table needs a region column and at least one value column",
            file=grid.file,
            row=grid.numbers[0],
        )
    columns = [(col, cell) for col, cell in enumerate(header[1:], 1) if cell]
    try:
        _classify_region_header(header[0])
    except InputError:
        raise InputError(
            f"the first header cell {header[0]!r} is not a region column name",
            file=grid.file,
            row=grid.numbers[0],
            hint="put the regions in the first column under 地区 (or region); for a long "
            "table use the columns region, year, indicator, value",
        ) from None
    by_year = all(_looks_like_year(c) for _, c in columns)
    records = []
    if by_year:
        if indicator is None:
            raise InputError(
                "the columns are years, so the file holds one indicator — which one?",
                file=grid.file,
                hint="pass indicator=… (CLI: --indicator)",
            )
        name, file_unit = indicator, unit
        match = _NAME_UNIT.match(indicator)
        if match and unit is None:
            name, file_unit = match.group(1).strip(), match.group(2).strip()
        for row, number in zip(grid.rows[1:], grid.numbers[1:], strict=True):
            for col, cell in columns:
                y = parse_year(cell, file=grid.file, row=grid.numbers[0], column=cell)
                value = row[col] if col < len(row) else ""
                records.append((row[0], y, name, value, file_unit, number, cell))
    else:
        non_years = [c for _, c in columns if _looks_like_year(c)]
        if non_years:
            raise InputError(
                f"the header mixes years ({non_years[0]!r}) and indicator names",
                file=grid.file,
                row=grid.numbers[0],
                hint="one wide table holds either years or indicators as columns",
            )
        if year is None:
            raise InputError(
                "the columns are indicators, so the file holds one year — which one?",
                file=grid.file,
                hint="pass year=… (CLI: --year)",
            )
        for row, number in zip(grid.rows[1:], grid.numbers[1:], strict=True):
            for col, cell in columns:
                match = _NAME_UNIT.match(cell)
                name, file_unit = (
                    (match.group(1).strip(), match.group(2).strip()) if match else (cell, None)
                )
                value = row[col] if col < len(row) else ""
                records.append((row[0], year, name, value, file_unit, number, cell))
    if not records:
        raise InputError("the table has a header but no rows", file=grid.file)
    frame = pd.DataFrame(
        records, columns=["label", "year", "name", "cell", "unit", "source_row", "column"]
    )
    return _finish(frame, grid.file, region_column=header[0], unit_override=unit)


def _classify_region_header(cell: str) -> None:
    if _canonical_header(cell) == "region":
        return
    raise InputError(f"not a region header: {cell!r}")


def _looks_like_year(cell: str) -> bool:
    return re.fullmatch(r"\s*\d{4}(?:\.0+)?\s*年?\s*", cell) is not None


# ---------------------------------------------------------------------------- common


def _finish(
    frame: pd.DataFrame,
    file: str,
    *,
    region_column: str,
    unit_override: str | None = None,
) -> pd.DataFrame:
    """Resolve regions and indicators, parse numbers, convert units, check duplicates."""
    codes, dropped = _resolve_regions(frame, file, region_column)
    if dropped:
        warnings.warn(
            f"{file}: dropped regional subtotal rows {sorted(set(dropped))} "
            "(groups are computed from provinces, not imported)",
            DataImportWarning,
            stacklevel=3,
        )
    frame = frame.assign(region=codes)
    frame = frame[frame["region"].notna()]
    values = [
        parse_number(c, file=file, row=r, column=col)
        for c, r, col in zip(frame["cell"], frame["source_row"], frame["column"], strict=True)
    ]
    frame = frame.assign(value=values)
    if unit_override is not None:
        frame = frame.assign(unit=unit_override)

    keys = [
        (str(name), None if pd.isna(unit) else str(unit))
        for name, unit in zip(frame["name"], frame["unit"], strict=True)
    ]
    lookup = {key: _map_indicator(*key, file=file) for key in dict.fromkeys(keys)}
    mapped = [lookup[key] for key in keys]
    frame = frame.assign(
        indicator=[m[0] for m in mapped],
        unit=pd.Series([m[1] for m in mapped], index=frame.index, dtype="object"),
        value=frame["value"].to_numpy() * [m[2] for m in mapped],
        source_file=file,
    )
    _check_signs(frame, file)
    _check_duplicates(frame, file)
    out = frame[COLUMNS].reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype("float64")
    return out


def _map_indicator(name: str, unit: str | None, *, file: str) -> tuple[str, str | None, float]:
    """Catalog id, unit and conversion factor of an indicator as named in a file.

    Names the catalog knows (id, Chinese or English name, alias) take the catalog id and
    unit, converting the values; other names are kept as they are (a user's own indicator).
    """
    spec = find_indicator(name)
    if spec is None:
        return name, unit, 1.0
    if unit is None:
        return spec.id, spec.unit, 1.0
    try:
        return spec.id, spec.unit, conversion_factor(unit, spec.unit)
    except InputError as exc:
        raise InputError(
            f"indicator {name!r} is in {unit!r} but the catalog's {spec.id!r} is in "
            f"{spec.unit!r}; {exc.message}",
            file=file,
            hint=exc.hint,
        ) from None


def _resolve_regions(
    frame: pd.DataFrame, file: str, region_column: str
) -> tuple[pd.Series, list[str]]:
    """Resolve each distinct label once; errors name the first row the label is on."""
    first = frame.drop_duplicates("label")
    resolved: dict[str, str | None] = {}
    dropped: list[str] = []
    for label, row in zip(first["label"], first["source_row"], strict=True):
        code, drop = resolve_region_column(
            pd.Series([label]), file=file, column=region_column, first_row=int(row)
        )
        resolved[label] = code.iloc[0]
        dropped.extend(drop)
    return frame["label"].map(resolved), dropped


def _check_signs(frame: pd.DataFrame, file: str) -> None:
    """Values below the catalog's minimum of their indicator (negative GDP, population …)."""
    specs = indicator_specs()
    minimum = frame["indicator"].map(
        lambda i: specs[i].minimum if i in specs and specs[i].minimum is not None else -math.inf
    )
    bad = frame[frame["value"] < minimum]
    if bad.empty:
        return
    first = bad.iloc[0]
    spec = specs[str(first["indicator"])]
    raise InputError(
        f"{first['value']:g} is below the smallest valid value {spec.minimum:g} of "
        f"{spec.id!r} ({spec.name_zh}); {len(bad)} such value(s)",
        file=file,
        row=int(first["source_row"]),
        column=str(first["column"]),
        hint="check the sign and the unit of the column",
    )


def _check_duplicates(frame: pd.DataFrame, file: str) -> None:
    keys = ["region", "year", "indicator"]
    dup = frame[frame.duplicated(keys, keep=False)]
    if dup.empty:
        return
    lines = []
    for (region, year, ind), rows in dup.groupby(keys, sort=True)["source_row"]:
        lines.append(f"{region} {year} {ind} (rows {', '.join(map(str, sorted(set(rows))))})")
    shown = "; ".join(lines[:10]) + (f"; … {len(lines) - 10} more" if len(lines) > 10 else "")
    raise InputError(
        f"{len(lines)} duplicated region-year-indicator combination(s): {shown}",
        file=file,
        hint="keep one row per region, year and indicator (two spellings of one province "
        "count as the same region)",
    )
