"""Microdata services: import firm and patent records, aggregate them on DuckDB or Spark,
and hand the region × industry × year tables to the analyses.

* :func:`import_file` — check a CSV/Parquet file and add it to the DuckDB store
  (:mod:`nqpf.micro.store`);
* :func:`aggregate` — region × industry × year counts, capital, entries and exits
  (:mod:`nqpf.micro.aggregate`: one SQL text for DuckDB and Spark), from the store, from
  Parquet files or from a Hive table;
* :func:`to_matrix` — one measure of an aggregation as the long matrix of
  :mod:`nqpf.industry.matrix`, which ``nqpf opportunities``, ``nqpf similar`` and the
  herding and chain analyses read (``--matrix FILE``);
* :func:`year_panels` and :func:`first_years` — the region × industry table of every year
  and each cell's first year with a firm, for revealed herding (``nqpf herding --micro``);
* :func:`synthesize` — synthetic records calibrated to the census (:mod:`nqpf.micro.synth`),
  marked synthetic in the file, in the store's import log and in every result built on them.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal

import pandas as pd

from nqpf.errors import InputError
from nqpf.micro.aggregate import (
    FIRM_MEASURES,
    excluded_sql,
    firm_sql,
    long_cells,
    patent_sql,
    run_duckdb,
    run_spark,
)
from nqpf.micro.codes import IndustryVintage, RegionLevel, region_targets
from nqpf.micro.store import ImportReport, RecordKind, connect, default_store, import_records
from nqpf.micro.synth import SYNTHETIC_NOTE, write_synthetic_firms
from nqpf.results import TablesResult, hash_spec

__all__ = [
    "AggregateSpec",
    "Engine",
    "MicroResult",
    "aggregate",
    "check_measure",
    "export_store",
    "first_years",
    "import_file",
    "open_records",
    "synthesize",
    "to_matrix",
    "year_panels",
]

Engine = Literal["duckdb", "spark"]
#: DuckDB's memory for one aggregation (it spills to disk beyond it).
DEFAULT_MEMORY_LIMIT = "2GB"
_FIRM_DEPTHS = ("section", "2", "3", "4")
_IPC_DEPTHS = ("1", "3", "4")
#: Years in the default window (the last ``_DEFAULT_YEARS`` years with records).
_DEFAULT_YEARS = 10
_UNITS = {
    "firms": "家 firms (stock on 31 Dec)",
    "capital": "万元 registered capital of the stock",
    "entries": "家 entries (registered in the year)",
    "exits": "家 exits (closed in the year)",
    "applications": "件 patent applications",
}


@dataclass(frozen=True)
class AggregateSpec:
    """Options of ``nqpf micro aggregate``, validated when made.

    ``depth``: ``section``/``2``/``3``/``4`` (GB/T 4754) for firms, ``1``/``3``/``4`` (IPC)
    for patents. The records come from ``parquet`` (a file, folder or glob; for Spark any
    URL it reads), from ``table`` (a Spark/Hive catalog table; Spark only) or from the DuckDB
    ``store`` (default ``<nqpf home>/micro.duckdb``). ``start``/``end``: the years (default:
    the last 10 years with records). DuckDB runs on ``threads`` cores (default all) within
    ``memory_limit`` (default ``2GB``; beyond it DuckDB spills to a temporary folder, so an
    aggregation of 10 M firms stays under 4 GB for the whole process).
    """

    kind: RecordKind = "firms"
    level: RegionLevel = "county"
    depth: str = "4"
    start: int | None = None
    end: int | None = None
    engine: Engine = "duckdb"
    store: str | None = None
    parquet: str | None = None
    table: str | None = None
    spark_master: str = "local[*]"
    threads: int | None = None
    memory_limit: str = DEFAULT_MEMORY_LIMIT

    def __post_init__(self) -> None:
        if self.kind not in ("firms", "patents"):
            raise InputError(f"unknown record kind {self.kind!r}", hint="firms or patents")
        if self.level not in ("county", "prefecture", "province"):
            raise InputError(
                f"unknown region level {self.level!r}", hint="county, prefecture or province"
            )
        depths = _FIRM_DEPTHS if self.kind == "firms" else _IPC_DEPTHS
        if self.depth not in depths:
            raise InputError(
                f"unknown depth {self.depth!r} for {self.kind}", hint=f"one of {', '.join(depths)}"
            )
        if self.engine not in ("duckdb", "spark"):
            raise InputError(f"unknown engine {self.engine!r}", hint="duckdb or spark")
        if self.parquet is not None and self.table is not None:
            raise InputError("give --parquet or --table, not both")
        if self.table is not None and self.engine != "spark":
            raise InputError("--table reads a Spark/Hive catalog table", hint="add --engine spark")
        if self.threads is not None and (
            isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1
        ):
            raise InputError(f"threads must be a whole number ≥ 1, not {self.threads!r}")
        if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", self.memory_limit):
            raise InputError(
                f"memory limit {self.memory_limit!r} is not a size", hint="e.g. 2GB or 500MB"
            )
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InputError(f"{name} must be a year, not {value!r}", column=name)


@dataclass
class MicroResult(TablesResult):
    """An aggregation: ``cells`` (region, region_name, industry, industry_name, year and the
    measures), ``excluded`` (records left out and why) and the provenance."""

    synthetic: bool = False
    main_table: ClassVar[str | None] = "cells"


def import_file(
    path: str | Path,
    *,
    kind: RecordKind = "firms",
    store: str | Path | None = None,
    vintage: IndustryVintage = "2017",
    concordance: str | Path | None = None,
    columns: Mapping[str, str] | None = None,
    replace: bool = False,
    skip_invalid: bool = False,
    report: str | Path | None = None,
) -> ImportReport:
    """Import records into the store (:func:`nqpf.micro.store.import_records`);
    ``concordance`` is a CSV with columns ``code_2011, code_2017`` (the official GB/T
    4754-2011 → 2017 class table) used for 2011-vintage files."""
    mapping = _read_concordance(Path(concordance)) if concordance is not None else None
    return import_records(
        path,
        kind=kind,
        store=store,
        vintage=vintage,
        concordance=mapping,
        columns=columns,
        replace=replace,
        skip_invalid=skip_invalid,
        report=report,
    )


def _read_concordance(path: Path) -> dict[str, str]:
    try:
        table = pd.read_csv(path, dtype=str)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the concordance: {exc}", file=path.name) from None
    if not {"code_2011", "code_2017"} <= set(table.columns):
        raise InputError("a concordance needs the columns code_2011, code_2017", file=path.name)
    table = table.dropna(subset=["code_2011", "code_2017"])
    repeated = table["code_2011"][table["code_2011"].duplicated()]
    if len(repeated):
        raise InputError(
            f"code_2011 {repeated.iloc[0]!r} is mapped twice",
            file=path.name,
            hint="one 2017 code per 2011 code (split classes: map to their common group)",
        )
    return dict(zip(table["code_2011"].str.strip(), table["code_2017"].str.strip(), strict=True))


def synthesize(
    path: str | Path, n: int, *, seed: int = 0, first: int = 2000, last: int = 2024
) -> Path:
    """Write ``n`` synthetic firm records to the Parquet file ``path`` (see
    :mod:`nqpf.micro.synth`)."""
    return write_synthetic_firms(path, n, seed=seed, first=first, last=last)


def export_store(folder: str | Path, *, store: str | Path | None = None) -> list[Path]:
    """Write the store's ``firms`` and ``patents`` to ``folder/firms.parquet`` and
    ``folder/patents.parquet`` (the layout the Spark engine reads)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with connect(store, read_only=True) as con:
        for kind in ("firms", "patents"):
            target = out / f"{kind}.parquet"
            con.execute(
                f"COPY (SELECT * FROM {kind}) TO '{_sql_text(str(target))}' (FORMAT parquet)"
            )
            written.append(target)
    return written


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def aggregate(spec: AggregateSpec) -> MicroResult:
    """Aggregate firm or patent records (see :class:`AggregateSpec` and
    :mod:`nqpf.micro.aggregate`)."""
    if spec.engine == "duckdb":
        cells, excluded, years, synthetic, source = _on_duckdb(spec)
    else:
        cells, excluded, years, synthetic, source = _on_spark(spec)
    if spec.kind == "firms":
        cells = long_cells(cells, start=years[0], end=years[-1])
    cells = _finish(cells, spec)
    warnings = []
    if synthetic:
        warnings.append(SYNTHETIC_NOTE)
    left_out = {k: int(v) for k, v in excluded.iloc[0].items() if pd.notna(v) and int(v) > 0}
    if left_out.get("no_region"):
        warnings.append(
            f"{left_out['no_region']} record(s) have a region coarser than the {spec.level} level "
            "and are left out"
        )
    if left_out.get("too_shallow"):
        warnings.append(
            f"{left_out['too_shallow']} record(s) have a code shallower than depth {spec.depth} "
            "and are left out"
        )
    options = {**asdict(spec), "start": years[0], "end": years[-1]}
    provenance = pd.DataFrame(
        [
            {
                "source": source,
                "engine": spec.engine,
                "records": "synthetic (合成数据)" if synthetic else "user records",
                "years": f"{years[0]}–{years[-1]}",
                "level": spec.level,
                "depth": spec.depth,
            }
        ]
    )
    return MicroResult(
        kind=f"micro_{spec.kind}",
        spec=options,
        spec_hash=hash_spec(options, provenance, _fingerprint(cells, excluded)),
        provenance=provenance,
        warnings=warnings,
        named={"cells": cells, "excluded": excluded},
        synthetic=synthetic,
    )


def _fingerprint(cells: pd.DataFrame, excluded: pd.DataFrame) -> pd.DataFrame:
    """A few numbers that change when the records do (hashing millions of cells as text
    took longer than the aggregation): cells, regions, codes, the measures' totals and
    the row-wise hash of the key columns, summed."""
    key = "industry" if "industry" in cells.columns else "ipc"
    measures = [c for c in cells.columns if c not in ("region", "region_name", key, f"{key}_name")]
    keys = pd.util.hash_pandas_object(cells[["region", key, "year"]], index=False)
    row = {
        "cells": len(cells),
        "keys": int(keys.sum()) if len(cells) else 0,
        **{m: float(cells[m].sum()) for m in measures},
        **{f"excluded_{c}": int(excluded[c].fillna(0).iloc[0]) for c in excluded.columns},
    }
    return pd.DataFrame([row])


def _sql(spec: AggregateSpec, years: list[int]) -> tuple[str, str]:
    if spec.kind == "firms":
        text = firm_sql(depth=spec.depth, start=years[0], end=years[-1])  # type: ignore[arg-type]
        return text, excluded_sql(kind="firms", depth=spec.depth)  # type: ignore[arg-type]
    depth = int(spec.depth)
    return (
        patent_sql(depth=depth, start=years[0], end=years[-1]),  # type: ignore[arg-type]
        excluded_sql(kind="patents", depth=depth),  # type: ignore[arg-type]
    )


def _bounds_sql(kind: RecordKind) -> str:
    if kind == "firms":
        return (
            "SELECT CAST(min(year(CAST(registered AS DATE))) AS INTEGER) AS lo, "
            "CAST(greatest(max(year(CAST(registered AS DATE))), "
            "coalesce(max(year(CAST(exited AS DATE))), 0)) AS INTEGER) AS hi FROM firms"
        )
    return (
        "SELECT CAST(min(year(CAST(filed AS DATE))) AS INTEGER) AS lo, "
        "CAST(max(year(CAST(filed AS DATE))) AS INTEGER) AS hi FROM patents"
    )


def _window(spec: AggregateSpec, bounds: pd.DataFrame) -> list[int]:
    lo, hi = bounds.iloc[0]["lo"], bounds.iloc[0]["hi"]
    if pd.isna(lo):
        raise InputError(
            f"there are no {spec.kind} records to aggregate",
            hint="import some first: nqpf micro import FILE",
        )
    end = int(hi) if spec.end is None else spec.end
    start = max(int(lo), end - _DEFAULT_YEARS + 1) if spec.start is None else spec.start
    if not 1900 <= start <= end <= 2100:
        raise InputError(f"year window {start}–{end} is not 1900 ≤ start ≤ end ≤ 2100")
    return list(range(start, end + 1))


def _on_duckdb(spec: AggregateSpec) -> tuple[pd.DataFrame, pd.DataFrame, list[int], bool, str]:
    with open_records(spec) as (con, synthetic, source):
        return (*_run_duckdb(con, spec), synthetic, source)


@contextmanager
def open_records(spec: AggregateSpec) -> Iterator[tuple[Any, bool, str]]:
    """A DuckDB connection on the spec's records — the relation ``firms`` (or ``patents``)
    of the store or of ``spec.parquet`` — set to the spec's threads and memory limit, with
    whether the records are synthetic and the source's file name. DuckDB errors on Parquet
    input become one-line InputErrors. (Used by the aggregation and by
    :mod:`nqpf.services.chain_micro`.)"""
    import duckdb

    if spec.parquet is not None:
        path = _local_parquet(spec.parquet)
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        try:
            _configure(con, spec)
            con.execute(
                f"CREATE VIEW {spec.kind} AS SELECT * FROM read_parquet('{_sql_text(path)}')"
            )
            yield con, _parquet_synthetic(spec.parquet), Path(spec.parquet).name
        except duckdb.Error as exc:
            raise InputError(
                f"cannot read {Path(spec.parquet).name}: {str(exc).splitlines()[0]}",
                hint="a Parquet file or folder with the store's columns (nqpf micro export)",
            ) from None
        finally:
            con.close()
        return
    store = Path(spec.store) if spec.store is not None else default_store()
    with connect(store, read_only=True) as con:
        synthetic = bool(
            (
                con.execute(
                    "SELECT bool_or(synthetic) FROM imports WHERE kind = ?", [spec.kind]
                ).fetchone()
                or [False]
            )[0]
        )
        _configure(con, spec)
        yield con, synthetic, store.name


def _configure(con: Any, spec: AggregateSpec) -> None:
    """DuckDB's threads, memory limit and spill folder for this aggregation."""
    import os

    spill = Path(tempfile.gettempdir()) / f"nqpf-duckdb-{os.getpid()}"
    con.execute(f"SET threads = {spec.threads or os.cpu_count() or 1}")
    con.execute(f"SET memory_limit = '{spec.memory_limit}'")
    con.execute(f"SET temp_directory = '{_sql_text(str(spill))}'")
    # rows need not keep the input's order (the SQL sorts its result): less memory
    con.execute("SET preserve_insertion_order = false")


def _run_duckdb(con: Any, spec: AggregateSpec) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    if spec.start is not None and spec.end is not None:
        years = _window(spec, pd.DataFrame({"lo": [spec.start], "hi": [spec.end]}))
    else:
        years = _window(spec, con.execute(_bounds_sql(spec.kind)).fetchdf())
    codes = [r[0] for r in con.execute(f"SELECT DISTINCT region FROM {spec.kind}").fetchall()]
    targets = region_targets(codes, spec.level)
    text, excluded = _sql(spec, years)
    cells = run_duckdb(con, text, region_map=targets)
    counts = run_duckdb(con, excluded, region_map=targets)
    return cells, counts, years


def _local_parquet(path: str) -> str:
    local = Path(path)
    if local.is_dir():
        return str(local / "**" / "*.parquet")
    if not local.exists() and not any(c in path for c in "*?["):
        raise InputError(
            f"no such file or folder: {local.name}", hint="a Parquet file, folder or glob"
        )
    return path


def _parquet_synthetic(path: str) -> bool:
    import pyarrow.parquet as pq

    from nqpf.micro.store import SYNTHETIC_KEY

    local = Path(path)
    files = sorted(local.rglob("*.parquet")) if local.is_dir() else [local]
    if not files or not files[0].is_file():
        return False
    return SYNTHETIC_KEY in (pq.read_schema(files[0]).metadata or {})


def _on_spark(spec: AggregateSpec) -> tuple[pd.DataFrame, pd.DataFrame, list[int], bool, str]:
    from nqpf.micro.spark import register_parquet, register_table, spark_session

    spark = spark_session(spec.spark_master)
    synthetic = False
    with tempfile.TemporaryDirectory(prefix="nqpf-spark-") as tmp:
        if spec.table is not None:
            register_table(spark, spec.kind, spec.table)
            source = spec.table
        elif spec.parquet is not None:
            register_parquet(spark, spec.kind, spec.parquet)
            synthetic = "://" not in spec.parquet and _parquet_synthetic(spec.parquet)
            source = spec.parquet
        else:
            # the store, through a Parquet copy (a cluster's executors must see this folder)
            store = Path(spec.store) if spec.store is not None else default_store()
            export_store(tmp, store=store)
            register_parquet(spark, spec.kind, str(Path(tmp) / f"{spec.kind}.parquet"))
            with connect(store, read_only=True) as con:
                row = con.execute(
                    "SELECT bool_or(synthetic) FROM imports WHERE kind = ?", [spec.kind]
                ).fetchone()
                synthetic = bool(row[0]) if row else False
            source = store.name
        years = _window(spec, spark.sql(_bounds_sql(spec.kind)).toPandas())
        codes = spark.sql(f"SELECT DISTINCT region FROM {spec.kind}").toPandas()["region"]
        targets = region_targets(codes.astype(str).tolist(), spec.level)
        text, excluded = _sql(spec, years)
        try:
            cells = run_spark(spark, text, region_map=targets)
            counts = run_spark(spark, excluded, region_map=targets)
        except Exception as exc:  # Py4J errors from the cluster: one line
            raise InputError(f"Spark failed: {' '.join(str(exc).split())[:300]}") from None
    return cells, counts, years, synthetic, source


@cache
def _region_names() -> dict[str, str]:
    from nqpf.regions import division_table

    divisions = division_table(census_year=2020)
    return dict(zip(divisions["code"], divisions["name"], strict=True))


def _finish(cells: pd.DataFrame, spec: AggregateSpec) -> pd.DataFrame:
    """Engine-independent dtypes, names, and the columns in a fixed order."""
    key = "industry" if spec.kind == "firms" else "ipc"
    measures = list(FIRM_MEASURES) if spec.kind == "firms" else ["applications"]
    out = cells.astype(
        {
            "region": "str",
            key: "str",
            "year": "int64",
            **{m: "float64" if m == "capital" else "int64" for m in measures},
        }
    )
    out.insert(1, "region_name", _labels(out["region"], _region_names()))
    labels: dict[str, str] = {}
    if spec.kind == "firms" and spec.depth == "section":
        from nqpf.packaged import table

        sections = table("census_sections")
        labels = dict(zip(sections["section"], sections["name_2017"], strict=True))
    out.insert(3, f"{key}_name", _labels(out[key], labels))
    return out.reset_index(drop=True)


def check_measure(kind: RecordKind, measure: str) -> None:
    """Raise a one-line error when ``measure`` is not one of ``kind``'s."""
    allowed = FIRM_MEASURES if kind == "firms" else ("applications",)
    if measure not in allowed:
        raise InputError(f"unknown measure {measure!r}", hint=f"one of {', '.join(allowed)}")


def _labels(codes: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """``names`` of ``codes`` (the code itself where there is none), looked up once per
    distinct code (an Arrow dictionary encoding: no Python string per row)."""
    import pyarrow as pa

    column = pa.array(codes, type=pa.string())
    encoded = (
        column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    ).dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    labels = pa.array([names.get(c, c) for c in distinct], type=pa.string())
    taken = labels.take(encoded.indices)
    return pd.Series(taken.to_pandas(), index=codes.index, dtype="str")


def to_matrix(result: MicroResult, measure: str = "firms") -> pd.DataFrame:
    """One measure of an aggregation as the long matrix (``region, region_name, industry,
    industry_name, year, value, unit, classification``) that ``nqpf opportunities --matrix``
    and the other industry analyses read."""
    from nqpf.industry.matrix import COLUMNS

    cells = result.tables()["cells"]
    firms = "industry" in cells.columns
    check_measure("firms" if firms else "patents", measure)
    depth = str(result.spec["depth"])
    if firms:
        classification = "gbt4754_section" if depth == "section" else f"gbt4754_2017_{depth}digit"
        frame = cells.rename(columns={measure: "value"})
    else:
        classification = f"ipc_{depth}"
        frame = cells.rename(
            columns={"ipc": "industry", "ipc_name": "industry_name", measure: "value"}
        )
    unit = _UNITS[measure] + ("; 合成数据 synthetic records" if result.synthetic else "")
    frame = frame.assign(
        value=frame["value"].astype(float), unit=unit, classification=classification
    )
    return frame[COLUMNS].reset_index(drop=True)


def year_panels(result: MicroResult, measure: str = "firms") -> dict[int, pd.DataFrame]:
    """One region × industry table of ``measure`` per year of the aggregation's window
    (zeros where a cell has nothing that year; every region and industry of the window in
    every year)."""
    cells = result.tables()["cells"]
    key = "industry" if "industry" in cells.columns else "ipc"
    check_measure("firms" if key == "industry" else "patents", measure)
    regions = sorted(cells["region"].unique())
    codes = sorted(cells[key].unique())
    out = {}
    for year in range(int(result.spec["start"]), int(result.spec["end"]) + 1):
        part = cells[cells["year"] == year]
        wide = part.pivot_table(
            index="region", columns=key, values=measure, aggfunc="sum", fill_value=0
        )
        out[year] = wide.reindex(index=regions, columns=codes, fill_value=0).astype(float)
    return out


def first_years(result: MicroResult) -> pd.DataFrame:
    """``region, industry, year``: the first year of the window in which a region has a firm
    in an industry, for the cells with none in the window's first year (a region that had
    firms there before the window but none at its start counts as entering again)."""
    cells = result.tables()["cells"]
    present = cells.loc[cells["firms"] > 0, ["region", "industry", "year"]]
    first = present.groupby(["region", "industry"], as_index=False)["year"].min()
    out: pd.DataFrame = first[first["year"] > int(result.spec["start"])]
    return out.reset_index(drop=True)
