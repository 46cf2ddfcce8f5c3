"""Region × industry × year tables from firm and patent records, one SQL text for every engine.

The aggregation is written once, as the SQL of :func:`firm_sql` and :func:`patent_sql`,
and run unchanged by DuckDB (:func:`run_duckdb`) and by Spark SQL (:func:`run_spark`). It
uses only what both dialects share (CTEs, ``year()``, ``substr``, ``length``, ``coalesce``,
``CASE``, ``count``, integer sums); the engines differ only in how the input relations are named:
``firms`` (or ``patents``) and ``region_map(code, target)`` — the unit of the chosen level
each stored region code belongs to (:func:`nqpf.micro.codes.region_targets`).

Definitions, for a cell (region r, industry i) and a calendar year t in ``start … end``:

* ``firms`` — the stock on 31 December of t: firms with ``year(registered) ≤ t`` and no exit
  in or before t (``exited`` empty or ``year(exited) > t``);
* ``capital`` — the registered capital of that stock (exact: sums of whole 1/10,000 units
  as BIGINT, which both engines add faster than DECIMAL, divided by 10,000 at the end);
* ``entries`` — firms registered in t; ``exits`` — firms exited in t.

So ``firms(t) = firms(t−1) + entries(t) − exits(t)`` exactly, and a firm registered and
closed in the same year is an entry and an exit but never in a stock. The SQL reads each
record once: one ``GROUP BY region, industry`` with, for every year t of the window, the
conditional aggregates ``count(CASE WHEN y_in ≤ t AND y_out > t THEN 1 END)`` (stock; ``sum``
of capital) and ``count(CASE WHEN y_in = t …)``/``y_out = t`` (entries, exits), one row per
cell with four columns per year; :func:`long_cells` (NumPy, the same for every engine) then
makes it one row per cell and year. Firms that closed before the window or opened after it
are dropped first. (A running sum of ±1 events — a window function or an inequality join
with ``years`` — gives the same table but costs DuckDB 1.5–2.5× the CPU: it groups and sorts
cell × event-year rows, and at county × 4-digit there are almost as many of those as firms;
and unpivoting in SQL — a cross join with ``years`` — then sorting the 10× longer table cost
more than the aggregation itself.)
Cells with no stock, entry or exit in a year are omitted (zeros are implicit).

Industries are cut to ``depth`` (``section`` = GB/T 4754 门类; ``2``/``3``/``4`` digits =
大类/中类/小类); records whose code is shallower than ``depth`` are left out of that table,
as are records whose region is coarser than the level (:func:`excluded_sql` counts both).
Patents are counted as applications by filing year, applicant region and IPC cut to
``depth`` characters (1 section, 3 class, 4 subclass).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.micro.codes import IndustryDepth

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "FIRM_MEASURES",
    "IpcDepth",
    "excluded_sql",
    "firm_sql",
    "long_cells",
    "patent_sql",
    "run_duckdb",
    "run_spark",
]

IpcDepth = Literal[1, 3, 4]
FIRM_MEASURES = ("firms", "capital", "entries", "exits")
#: The exit year of a firm still active (later than any year of a window).
_NEVER = 9999


def _industry_expr(depth: IndustryDepth) -> tuple[str, str]:
    """(key expression, filter) of the industry cut to ``depth``."""
    if depth == "section":
        return "section", "section IS NOT NULL"
    if depth not in ("2", "3", "4"):
        raise InputError(f"unknown industry depth {depth!r}", hint="section, 2, 3 or 4")
    return f"substr(industry, 1, {int(depth)})", f"length(industry) >= {int(depth)}"


def _years(start: int, end: int) -> None:
    if not (isinstance(start, int) and isinstance(end, int)) or not 1900 <= start <= end <= 2100:
        raise InputError(f"year window {start}–{end} is not 1900 ≤ start ≤ end ≤ 2100")


def firm_sql(*, depth: IndustryDepth, start: int, end: int) -> str:
    """The aggregation of ``firms`` to one row per cell, ordered by ``region, industry``,
    with the columns ``f<t>`` (stock), ``c<t>`` (capital), ``n<t>`` (entries) and ``x<t>``
    (exits) of every year t of the window; :func:`long_cells` makes it the table of
    ``region, industry, year, firms, capital, entries, exits`` (module docstring)."""
    _years(start, end)
    key, keep = _industry_expr(depth)
    columns = []
    for t in range(start, end + 1):
        alive = f"y_in <= {t} AND y_out > {t}"
        columns += [
            f"count(CASE WHEN {alive} THEN 1 END) AS f{t}",
            f"CAST(coalesce(sum(CASE WHEN {alive} THEN capital END), 0) AS DOUBLE) / 10000 AS c{t}",
            f"count(CASE WHEN y_in = {t} THEN 1 END) AS n{t}",
            f"count(CASE WHEN y_out = {t} THEN 1 END) AS x{t}",
        ]
    aggregates = ",\n       ".join(columns)
    return f"""
WITH f AS (
    SELECT m.target AS region, {key} AS industry,
           year(CAST(registered AS DATE)) AS y_in,
           coalesce(year(CAST(exited AS DATE)), {_NEVER}) AS y_out,
           CAST(coalesce(CAST(capital AS DECIMAL(18, 4)), 0) * 10000 AS BIGINT) AS capital
    FROM firms JOIN region_map m ON firms.region = m.code
    WHERE {keep} AND year(CAST(registered AS DATE)) <= {end}
      AND coalesce(year(CAST(exited AS DATE)), {_NEVER}) >= {start}
)
SELECT region, industry,
       {aggregates}
FROM f GROUP BY region, industry
ORDER BY region, industry
"""


def long_cells(wide: pd.DataFrame, *, start: int, end: int) -> pd.DataFrame:
    """The cells of :func:`firm_sql`'s result one row per year, ``region, industry, year,
    firms, capital, entries, exits``, without the years in which a cell has no stock, entry
    or exit; ordered by region, industry, year (the rows are cell-major already)."""
    years = np.arange(start, end + 1)

    def block(prefix: str, dtype: str) -> np.ndarray:
        out: np.ndarray = wide[[f"{prefix}{t}" for t in years]].to_numpy(dtype=dtype)
        return out

    firms, entries, exits = block("f", "int64"), block("n", "int64"), block("x", "int64")
    keep = (firms != 0) | (entries != 0) | (exits != 0)
    rows, cols = np.nonzero(keep)
    return pd.DataFrame(
        {
            "region": wide["region"].take(rows).reset_index(drop=True),
            "industry": wide["industry"].take(rows).reset_index(drop=True),
            "year": years[cols],
            "firms": firms[keep],
            "capital": block("c", "float64")[keep],
            "entries": entries[keep],
            "exits": exits[keep],
        }
    )


def patent_sql(*, depth: IpcDepth, start: int, end: int) -> str:
    """Patent applications of ``patents`` by ``region, ipc, year``."""
    _years(start, end)
    if depth not in (1, 3, 4):
        raise InputError(
            f"unknown IPC depth {depth!r}", hint="1 (section), 3 (class) or 4 (subclass)"
        )
    return f"""
SELECT m.target AS region, substr(ipc, 1, {depth}) AS ipc, CAST(year(CAST(filed AS DATE)) AS INTEGER) AS year,
       CAST(count(*) AS BIGINT) AS applications
FROM patents JOIN region_map m ON patents.region = m.code
WHERE length(ipc) >= {depth} AND year(CAST(filed AS DATE)) BETWEEN {start} AND {end}
GROUP BY m.target, substr(ipc, 1, {depth}), year(CAST(filed AS DATE))
ORDER BY region, ipc, year
"""


def excluded_sql(*, kind: Literal["firms", "patents"], depth: IndustryDepth | IpcDepth) -> str:
    """How many records the aggregation leaves out: ``no_region`` (region coarser than the
    level) and ``too_shallow`` (code shallower than ``depth``), as one row."""
    if kind == "firms":
        _, keep = _industry_expr(depth)  # type: ignore[arg-type]
    else:
        keep = f"length(ipc) >= {int(depth)}"
    return f"""
SELECT CAST(sum(CASE WHEN m.target IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS no_region,
       CAST(sum(CASE WHEN m.target IS NOT NULL AND NOT ({keep}) THEN 1 ELSE 0 END) AS BIGINT)
           AS too_shallow
FROM {kind} LEFT JOIN region_map m ON {kind}.region = m.code
"""


def run_duckdb(
    con: duckdb.DuckDBPyConnection, sql: str, *, region_map: pd.DataFrame
) -> pd.DataFrame:
    """Run the aggregation on a DuckDB connection that has ``firms``/``patents``; the
    result comes to pandas through Arrow (strings are not copied into Python objects)."""
    con.register("region_map", region_map[["code", "target"]].dropna())
    try:
        frame: pd.DataFrame = con.sql(sql).to_arrow_table().to_pandas()
        return frame
    finally:
        con.unregister("region_map")


def run_spark(spark: Any, sql: str, *, region_map: pd.DataFrame) -> pd.DataFrame:
    """Run the aggregation on a Spark session whose catalog has ``firms``/``patents``
    (temporary views or Hive tables)."""
    mapping = region_map[["code", "target"]].dropna()
    spark.createDataFrame(
        [(str(c), str(t)) for c, t in zip(mapping["code"], mapping["target"], strict=True)],
        "code STRING, target STRING",
    ).createOrReplaceTempView("region_map")
    import warnings

    spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
    with warnings.catch_warnings():
        # pyspark's "pandas >= 3 not fully supported": the result is numbers and strings
        warnings.simplefilter("ignore", FutureWarning)
        frame: pd.DataFrame = spark.sql(sql).toPandas()
    return frame
