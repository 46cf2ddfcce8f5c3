"""Microdata aggregation: county × 4-digit × year from synthetic firm records.

Run: python benchmarks/micro.py [--rows 1000000,10000000,50000000] [--spark-rows 1000000]
     [--pandas-max 10000000] [--folder DIR] [--threads 1]

For each size the records are generated in chunks to one Parquet file (合成数据, synthetic:
:mod:`nqpf.micro.synth`; never held whole in pandas) and aggregated to county × GB/T 4754
4-digit × year, 2015–2024 (stocks, capital, entries, exits) by

* ``duckdb`` — ``nqpf.services.micro.aggregate`` (DuckDB on all cores, result as pandas);
* ``pandas`` — the plain baseline: read the columns, then per year one ``groupby`` of the firms
  alive on 31 December (size, capital sum) and of the year's entries and exits — run where it
  fits memory (``--pandas-max``), its table checked equal to DuckDB's before the ratio;
* ``spark`` — the same service with ``--engine spark`` in local mode on ``--spark-rows`` rows
  (wall including the JVM start, and the aggregation alone), checked equal to DuckDB's.

Each run is a fresh process (so peak memory is its own: ``ru_maxrss``); one run each, DuckDB
and pandas alternating, as one run takes seconds to minutes. Wall **and CPU time** (user + sys)
are printed with the load average: on a shared machine the CPU time is the better guide.
Targets (2 cores, quiet machine): 10 M rows < 60 s and < 4 GB on DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import THREADS, machine  # first: pins the BLAS threads

START, END = 2015, 2024
TARGET_SECONDS, TARGET_GIB = 60.0, 4.0


def _worker(engine: str, path: str, out: str) -> None:
    """One aggregation in this process; writes the table to ``out`` and prints timings."""
    import pandas as pd

    start = time.perf_counter()
    if engine == "pandas":
        table = _pandas(path)
        inner = time.perf_counter() - start
    else:
        from nqpf.services.micro import AggregateSpec, aggregate

        spec = AggregateSpec(parquet=path, level="county", depth="4", start=START, end=END)
        if engine == "spark":
            from nqpf.micro.spark import spark_session

            spark_session("local[*]")
            spec = AggregateSpec(
                parquet=path, level="county", depth="4", start=START, end=END, engine="spark"
            )
        inner_start = time.perf_counter()
        table = aggregate(spec).to_frame().drop(columns=["region_name", "industry_name"])
        inner = time.perf_counter() - inner_start
    wall = time.perf_counter() - start
    pd.DataFrame(table).to_parquet(out, index=False)
    print(json.dumps({"wall": wall, "inner": inner, "rows": len(table)}))


def _pandas(path: str) -> object:
    """The plain pandas baseline, :func:`tests.micro_reference.pandas_aggregate` (county codes
    are the records' own here: the synthetic records are all at county level, so the
    registry's county mapping is the identity)."""
    import pandas as pd

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.micro_reference import pandas_aggregate

    firms = pd.read_parquet(path, columns=["region", "industry", "registered", "exited", "capital"])
    return pandas_aggregate(firms, range(START, END + 1), 4)


def _run(engine: str, path: Path, out: Path) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, __file__, "--worker", engine, str(path), str(out), "--threads", THREADS],
        capture_output=True,
        text=True,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed: {done.stderr.strip().splitlines()[-1:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest child so far: runs go in increasing size, and the
    # JVM of Spark is a grandchild whose memory is not in it
    result["peak_gib"] = after.ru_maxrss / 2**20
    return result


def _same(a: Path, b: Path) -> bool:
    import pandas as pd

    x, y = pd.read_parquet(a), pd.read_parquet(b)
    try:
        pd.testing.assert_frame_equal(x, y, check_dtype=False, rtol=1e-9)
    except AssertionError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="1000000,10000000,50000000")
    parser.add_argument("--spark-rows", type=int, default=1_000_000)
    parser.add_argument("--pandas-max", type=int, default=10_000_000)
    parser.add_argument("--folder", default=os.path.join(tempfile.gettempdir(), "nqpf-bench-micro"))
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    from nqpf.micro.synth import write_synthetic_firms

    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    print(machine())
    print(f"DuckDB and Spark use every core; pandas one. Years {START}–{END}, county × 4-digit.")
    sizes = sorted({int(r) for r in args.rows.split(",")} | {args.spark_rows})
    rows_done: list[str] = []
    for n in sizes:
        path = folder / f"synthetic_{n}.parquet"
        if not path.exists():
            t = time.perf_counter()
            write_synthetic_firms(path, n, seed=1)
            print(f"generated {n:,} synthetic firms in {time.perf_counter() - t:.1f} s → {path}")
        duck = _run("duckdb", path, folder / f"duckdb_{n}.parquet")
        load = os.getloadavg()[0]
        line = (
            f"{n:>11,} rows  duckdb wall {duck['wall']:7.1f} s  cpu {duck['cpu']:7.1f} s  "
            f"peak {duck['peak_gib']:5.2f} GiB  cells {int(duck['rows']):,}  load {load:.1f}"
        )
        print(line, flush=True)
        summary = f"{n / 1e6:g}M duckdb {duck['wall']:.1f} s wall/{duck['cpu']:.1f} s cpu/{duck['peak_gib']:.2f} GiB"
        if n <= args.pandas_max and str(n) in args.rows.split(","):
            base = _run("pandas", path, folder / f"pandas_{n}.parquet")
            same = _same(folder / f"duckdb_{n}.parquet", folder / f"pandas_{n}.parquet")
            print(
                f"{'':>11}       pandas wall {base['wall']:7.1f} s  cpu {base['cpu']:7.1f} s  "
                f"peak {base['peak_gib']:5.2f} GiB  same table: {same}  ratio "
                f"{base['wall'] / duck['wall']:.1f}× (wall)",
                flush=True,
            )
            if not same:
                raise SystemExit("pandas and DuckDB disagree")
            summary += f" vs pandas {base['wall']:.1f} s ({base['wall'] / duck['wall']:.1f}×)"
        elif str(n) in args.rows.split(","):
            print(f"{'':>11}       pandas not run (over --pandas-max {args.pandas_max:,} rows)")
        if n == args.spark_rows:
            spark = _run("spark", path, folder / f"spark_{n}.parquet")
            same = _same(folder / f"duckdb_{n}.parquet", folder / f"spark_{n}.parquet")
            print(
                f"{'':>11}       spark local wall {spark['wall']:7.1f} s (aggregation "
                f"{spark['inner']:.1f} s after the JVM start)  same table as DuckDB: {same}",
                flush=True,
            )
            if not same:
                raise SystemExit("Spark and DuckDB disagree")
            summary += f"; spark local {spark['wall']:.1f} s (agg {spark['inner']:.1f} s, = DuckDB)"
        rows_done.append(summary)
    print(
        f"summary: {'; '.join(rows_done)}; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        f"(targets on a quiet machine: 10M < {TARGET_SECONDS:.0f} s and < {TARGET_GIB:.0f} GiB)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
