"""The microdata store: firm and patent records in an embedded DuckDB file.

Tables (one row per record, codes normalised by :mod:`nqpf.micro.codes`):

``firms``
    ``id`` (统一社会信用代码 or any unique id), ``name``, ``region`` (2020 GB/T 2260 code),
    ``section`` (GB/T 4754-2017 门类), ``industry`` (2017 digits, 0–4 of them), ``registered``
    (成立日期), ``exited`` (注销/吊销日期, empty while active), ``capital`` (注册资本 as in the
    file, conventionally 万元; DECIMAL(18, 4), so sums are exact on every engine), ``source``.
``patents``
    ``id`` (申请号), ``filed`` (申请日), ``region`` (the applicant's 2020 code), ``ipc`` (main
    IPC up to the subclass), ``source``.
``imports``
    One row per import: when, table, file, rows stored, rows rejected, industry vintage and
    whether the file says it is synthetic (:mod:`nqpf.micro.synth`).

An import reads a CSV (UTF-8) or Parquet file with DuckDB, checks every row in SQL and
writes the good rows in one transaction. Rows with an unknown region, a malformed or
implausible date, an exit before registration, a negative or non-numeric capital, an
industry code that is not GB/T 4754 of the declared vintage, or an id that repeats (in the
file or in the store) are listed back — file, row, column, value and problem — in a CSV
report; unless ``skip_invalid``, nothing is written and the import raises an
:class:`~nqpf.errors.InputError` that names the first problem and the report. Rows are
numbered as a spreadsheet shows a CSV file (header = row 1) and from 1 in a Parquet file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from nqpf.errors import InputError
from nqpf.micro.codes import IndustryVintage, parse_industries, parse_ipc, resolve_regions

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "FIRM_COLUMNS",
    "PATENT_COLUMNS",
    "ImportReport",
    "RecordKind",
    "connect",
    "default_store",
    "import_records",
    "store_summary",
]

RecordKind = Literal["firms", "patents"]

#: Stored column → the header names accepted for it in a user's file (case-insensitive).
FIRM_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "credit_code", "uscc", "统一社会信用代码", "信用代码", "企业id", "注册号"),
    "name": ("name", "firm_name", "企业名称", "名称"),
    "region": (
        "region",
        "region_code",
        "adcode",
        "行政区划代码",
        "区划代码",
        "address",
        "地址",
        "住所",
    ),
    "industry": ("industry", "industry_code", "行业代码", "国民经济行业代码", "行业"),
    "registered": ("registered", "registration_date", "成立日期", "注册日期", "登记日期"),
    "exited": ("exited", "exit_date", "注销日期", "吊销日期", "退出日期"),
    "capital": ("capital", "registered_capital", "注册资本"),
}
PATENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "application_id", "申请号"),
    "filed": ("filed", "application_date", "申请日"),
    "region": ("region", "applicant_region", "region_code", "申请人地址", "地址", "行政区划代码"),
    "ipc": ("ipc", "main_ipc", "主分类号", "ipc分类号"),
}
_REQUIRED = {
    "firms": ("id", "region", "industry", "registered"),
    "patents": ("id", "filed", "region", "ipc"),
}
_FIRST_YEAR = 1900
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS firms (id VARCHAR, name VARCHAR, region VARCHAR, "
    "section VARCHAR, industry VARCHAR, registered DATE, exited DATE, capital DECIMAL(18, 4), "
    "source VARCHAR)",
    "CREATE TABLE IF NOT EXISTS patents (id VARCHAR, filed DATE, region VARCHAR, ipc VARCHAR, "
    "source VARCHAR)",
    "CREATE TABLE IF NOT EXISTS imports (imported_at TIMESTAMP, kind VARCHAR, file VARCHAR, "
    "rows_stored BIGINT, rows_rejected BIGINT, vintage VARCHAR, synthetic BOOLEAN)",
)
#: The key a Parquet file's metadata carries when its records are synthetic.
SYNTHETIC_KEY = b"nqpf.synthetic"


def default_store() -> Path:
    """``<nqpf home>/micro.duckdb``."""
    from nqpf.home import nqpf_home

    return nqpf_home() / "micro.duckdb"


@contextlib.contextmanager
def connect(
    path: str | Path | None = None, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open store (created with its tables unless ``read_only``); a store another
    process is writing is refused with a one-line error."""
    import duckdb

    target = Path(path) if path is not None else default_store()
    if read_only and not target.exists():
        raise InputError(
            f"no microdata store at {target.name}",
            hint="import records first: nqpf micro import FILE",
        )
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(target), read_only=read_only)
    except duckdb.Error as exc:
        raise InputError(
            f"cannot open the microdata store {target.name}: {_first_line(exc)}",
            hint="another nqpf process may be writing it; wait and retry",
        ) from None
    try:
        con.execute("SET enable_progress_bar = false")
        if not read_only:
            for statement in _SCHEMA:
                con.execute(statement)
        yield con
    finally:
        con.close()


@dataclass
class ImportReport:
    """What an import did: rows read, stored and rejected (with the listed-back rows)."""

    file: str
    kind: RecordKind
    rows_read: int
    rows_stored: int
    rejected: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False


def import_records(
    path: str | Path,
    *,
    kind: RecordKind = "firms",
    store: str | Path | None = None,
    vintage: IndustryVintage = "2017",
    concordance: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
    replace: bool = False,
    skip_invalid: bool = False,
    report: str | Path | None = None,
) -> ImportReport:
    """Check the records of ``path`` and add them to the store (see the module docstring).

    ``columns`` maps stored names to the file's headers where the aliases do not find them
    (``{"id": "企业编号"}``); ``replace`` empties the table first (in the same transaction);
    ``report`` is where the rejected rows are listed (default: beside the store,
    ``<store>.rejected.csv``).
    """
    import duckdb

    source = Path(path)
    if not source.is_file():
        raise InputError(
            f"no such file: {source.name}", hint="give the path of a CSV or Parquet file"
        )
    if kind not in ("firms", "patents"):
        raise InputError(f"unknown record kind {kind!r}", hint="firms or patents")
    store_path = Path(store) if store is not None else default_store()
    report_path = Path(report) if report is not None else store_path.with_suffix(".rejected.csv")
    with connect(store_path) as con:
        try:
            read, synthetic = _stage(con, source, kind, columns or {})
            problems = _check(con, kind, source.name, vintage, concordance, replace=replace)
            notes = _notes(con, kind)
            if len(problems) and not skip_invalid:
                _write_report(report_path, problems)
                raise InputError(_summary(problems, read, report_path), file=source.name)
            con.begin()
            try:
                if replace:
                    con.execute(f"DELETE FROM {kind}")
                stored = _store(con, kind, source.name)
                con.execute(
                    "INSERT INTO imports VALUES (now(), ?, ?, ?, ?, ?, ?)",
                    [kind, source.name, stored, len(problems), vintage, synthetic],
                )
                con.commit()
            except BaseException:
                con.rollback()
                raise
        except duckdb.Error as exc:
            raise InputError(
                f"cannot read the records: {_first_line(exc)}",
                file=source.name,
                hint="a UTF-8 CSV with a header row, or a Parquet file",
            ) from None
    if len(problems):
        _write_report(report_path, problems)
        notes.append(
            f"{problems['row'].nunique()} row(s) rejected and listed in {report_path.name}"
        )
    return ImportReport(source.name, kind, read, stored, problems, notes, synthetic)


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split("\n")[0].split())


def _stage(
    con: duckdb.DuckDBPyConnection, source: Path, kind: RecordKind, columns: Mapping[str, str]
) -> tuple[int, bool]:
    """Read the file into the temp table ``raw`` (all text, with ``_row``); rename its
    columns to the stored names. Returns rows read and whether the file is synthetic."""
    suffix = source.suffix.lower()
    synthetic = False
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        metadata = pq.read_schema(source).metadata or {}
        synthetic = SYNTHETIC_KEY in metadata
        reader, offset = "read_parquet(?)", 0
    elif suffix in (".csv", ".txt"):
        reader, offset = "read_csv(?, all_varchar = true, header = true)", 1
    else:
        raise InputError(
            f"unsupported file type {suffix or '(none)'}", file=source.name, hint="CSV or Parquet"
        )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE raw AS SELECT row_number() OVER () + {offset} AS _row, * "
        f"FROM {reader}",
        [str(source)],
    )
    headers = [str(r[0]) for r in con.execute("DESCRIBE raw").fetchall()][1:]
    wanted = FIRM_COLUMNS if kind == "firms" else PATENT_COLUMNS
    found: dict[str, str] = {}
    for stored, aliases in wanted.items():
        if stored in columns:
            if columns[stored] not in headers:
                raise InputError(
                    f"no column {columns[stored]!r} (given for {stored})",
                    file=source.name,
                    hint=f"columns in the file: {', '.join(headers[:12])}",
                )
            found[stored] = columns[stored]
            continue
        lower = {h.strip().lower(): h for h in headers}
        hit = next((lower[a] for a in aliases if a in lower), None)
        if hit is not None:
            found[stored] = hit
    missing = [c for c in _REQUIRED[kind] if c not in found]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            file=source.name,
            hint=f"{kind} need {', '.join(_REQUIRED[kind])}; name a column with --column "
            f"{missing[0]}=HEADER (columns in the file: {', '.join(headers[:12])})",
        )
    select = ", ".join(
        f"trim(CAST({_quote(found[c])} AS VARCHAR)) AS {c}" if c in found else f"NULL AS {c}"
        for c in wanted
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS SELECT _row, {select} FROM raw")
    con.execute("DROP TABLE raw")
    count = con.execute("SELECT count(*) FROM staged").fetchone()
    return (int(count[0]) if count else 0), synthetic


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _date(column: str) -> str:
    """SQL: the text ``column`` as a DATE (ISO, 2020/1/5, 20200105, 2020年1月5日, with or
    without a time), NULL when it is none of these."""
    text = f"regexp_replace({column}, '[ T]\\d{{1,2}}:\\d{{2}}(:\\d{{2}})?(\\.\\d+)?$', '')"
    formats = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d")
    tries = ", ".join(f"try_strptime({text}, '{f}')" for f in formats)
    return f"CAST(coalesce({tries}) AS DATE)"


def _check(
    con: duckdb.DuckDBPyConnection,
    kind: RecordKind,
    file: str,
    vintage: IndustryVintage,
    concordance: Mapping[str, str] | None,
    *,
    replace: bool,
) -> pd.DataFrame:
    """Parse codes, dates and numbers into ``parsed`` and return the problems found."""
    regions = resolve_regions(
        r[0]
        for r in con.execute("SELECT DISTINCT region FROM staged WHERE region <> ''").fetchall()
    )
    con.register("region_codes", regions)
    today = dt.date.today().isoformat()
    if kind == "firms":
        industries = parse_industries(
            (
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT industry FROM staged WHERE industry <> ''"
                ).fetchall()
            ),
            vintage=vintage,
            concordance=concordance,
        )
        con.register("industry_codes", industries)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE parsed AS
            SELECT s.*, r.code AS region_code, r.problem AS region_problem,
                   i.section AS section_code, i.industry AS industry_code,
                   i.problem AS industry_problem,
                   {_date("s.registered")} AS registered_date,
                   {_date("s.exited")} AS exited_date,
                   TRY_CAST(TRY_CAST(replace(s.capital, ',', '') AS DOUBLE) AS DECIMAL(18, 4)) AS capital_value
            FROM staged s LEFT JOIN region_codes r ON s.region = r.raw
            LEFT JOIN industry_codes i ON s.industry = i.raw"""
        )
        checks = [
            ("industry", "coalesce(industry, '') = ''", "'empty industry code'"),
            ("industry", "industry_problem IS NOT NULL", "industry_problem"),
            ("registered", "coalesce(registered, '') = ''", "'empty registration date'"),
            (
                "registered",
                "registered <> '' AND registered_date IS NULL",
                "'malformed date (use YYYY-MM-DD)'",
            ),
            (
                "registered",
                f"registered_date < DATE '{_FIRST_YEAR}-01-01' OR registered_date > DATE '{today}'",
                f"'registration date before {_FIRST_YEAR} or in the future'",
            ),
            (
                "exited",
                "coalesce(exited, '') <> '' AND exited_date IS NULL",
                "'malformed date (use YYYY-MM-DD)'",
            ),
            ("exited", "exited_date < registered_date", "'exit before registration'"),
            ("exited", f"exited_date > DATE '{today}'", "'exit date in the future'"),
            ("capital", "coalesce(capital, '') <> '' AND capital_value IS NULL", "'not a number'"),
            ("capital", "capital_value < 0", "'negative capital'"),
        ]
    else:
        ipcs = parse_ipc(
            r[0] for r in con.execute("SELECT DISTINCT ipc FROM staged WHERE ipc <> ''").fetchall()
        )
        con.register("ipc_codes", ipcs)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE parsed AS
            SELECT s.*, r.code AS region_code, r.problem AS region_problem,
                   p.ipc AS ipc_code, p.problem AS ipc_problem, {_date("s.filed")} AS filed_date
            FROM staged s LEFT JOIN region_codes r ON s.region = r.raw
            LEFT JOIN ipc_codes p ON s.ipc = p.raw"""
        )
        checks = [
            ("ipc", "coalesce(ipc, '') = ''", "'empty IPC code'"),
            ("ipc", "ipc_problem IS NOT NULL", "ipc_problem"),
            ("filed", "coalesce(filed, '') = ''", "'empty application date'"),
            ("filed", "filed <> '' AND filed_date IS NULL", "'malformed date (use YYYY-MM-DD)'"),
            (
                "filed",
                f"filed_date < DATE '{_FIRST_YEAR}-01-01' OR filed_date > DATE '{today}'",
                f"'application date before {_FIRST_YEAR} or in the future'",
            ),
        ]
    con.execute("DROP TABLE staged")
    checks = [
        ("id", "coalesce(id, '') = ''", "'empty id'"),
        ("region", "coalesce(region, '') = ''", "'empty region'"),
        ("region", "region_problem IS NOT NULL", "region_problem"),
        *checks,
    ]
    parts = [
        f"SELECT _row, '{column}' AS column, {column} AS value, {problem} AS problem "
        f"FROM parsed WHERE {condition}"
        for column, condition, problem in checks
    ]
    parts.append(
        "SELECT _row, 'id', id, 'duplicate id (first at row ' || CAST(first AS VARCHAR) || ')' "
        "FROM (SELECT _row, id, min(_row) OVER (PARTITION BY id) AS first FROM parsed "
        "WHERE coalesce(id, '') <> '') WHERE _row > first"
    )
    if not replace:
        parts.append(
            f"SELECT p._row, 'id', p.id, 'id already in the store' FROM parsed p "
            f"SEMI JOIN {kind} s ON p.id = s.id"
        )
    problems = con.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2").fetchdf()
    problems.insert(0, "file", file)
    problems = problems.rename(columns={"_row": "row"})
    con.register("problem_rows", problems[["row"]])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE rejected AS SELECT DISTINCT row AS _row FROM problem_rows"
    )
    con.unregister("problem_rows")
    return problems


def _notes(con: duckdb.DuckDBPyConnection, kind: RecordKind) -> list[str]:
    """Codes that were mapped (2010 → 2020 regions, 2011 → 2017 industries), counted."""
    notes = []
    rows = con.execute(
        "SELECT r.note, count(*) FROM parsed p JOIN region_codes r ON p.region = r.raw "
        "WHERE r.note IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    if rows:
        shown = "; ".join(f"{note} ({n} rows)" for note, n in rows[:5])
        notes.append(f"{sum(n for _, n in rows)} row(s) with a mapped region: {shown}")
    if kind == "firms":
        mapped = con.execute(
            "SELECT count(*) FROM parsed p JOIN industry_codes i ON p.industry = i.raw "
            "WHERE i.note IS NOT NULL"
        ).fetchone()
        if mapped and mapped[0]:
            notes.append(f"{mapped[0]} row(s) with a GB/T 4754-2011 industry code mapped to 2017")
    return notes


def _store(con: duckdb.DuckDBPyConnection, kind: RecordKind, file: str) -> int:
    where = "WHERE _row NOT IN (SELECT _row FROM rejected)"
    if kind == "firms":
        sql = (
            "INSERT INTO firms SELECT id, name, region_code, section_code, industry_code, "
            "registered_date, exited_date, capital_value, ? FROM parsed " + where
        )
    else:
        sql = (
            "INSERT INTO patents SELECT id, filed_date, region_code, ipc_code, ? FROM parsed "
            + where
        )
    con.execute(sql, [file])
    count = con.execute(f"SELECT count(*) FROM parsed {where}").fetchone()
    return int(count[0]) if count else 0


def _summary(problems: pd.DataFrame, read: int, report: Path) -> str:
    first = problems.iloc[0]
    rows = problems["row"].nunique()
    kinds = problems.groupby("column").size().sort_values(ascending=False)
    counted = ", ".join(f"{col} {n}" for col, n in kinds.items())
    return (
        f"{rows} of {read} rows rejected ({counted}); first: row {int(first['row'])} column "
        f"{first['column']!r} value {_shown(first['value'])}: {first['problem']} — nothing was "
        f"stored; every rejected row is listed in {report.name}; fix them, or import with "
        "--skip-invalid to store the other rows"
    )


def _shown(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return repr(re.sub(r"[\x00-\x1f\x7f-\x9f]", "", text)[:40])


def _write_report(path: Path, problems: pd.DataFrame) -> None:
    from nqpf.outputs import atomic_write_csv

    atomic_write_csv(path, problems)


def store_summary(store: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Counts of the store: records per table and source, and the import log."""
    with connect(store, read_only=True) as con:
        firms = con.execute(
            "SELECT source, count(*) AS records, min(registered) AS first, max(registered) AS last "
            "FROM firms GROUP BY 1 ORDER BY 1"
        ).fetchdf()
        patents = con.execute(
            "SELECT source, count(*) AS records, min(filed) AS first, max(filed) AS last "
            "FROM patents GROUP BY 1 ORDER BY 1"
        ).fetchdf()
        imports = con.execute("SELECT * FROM imports ORDER BY imported_at").fetchdf()
    return {"firms": firms, "patents": patents, "imports": imports}
