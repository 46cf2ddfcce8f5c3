"""Microdata aggregation: county × 4-digit × year from synthetic firm records.

Run: python benchmarks/micro.py [--rows 1000000,10000000,50000000] [--spark-rows 1000000 (0: none)]
     [--pandas-max 10000000] [--folder DIR] [--threads 1] [--duckdb-threads N]
     [--memory-limit 2GB]

For each size the records are generated in chunks to one Parquet file (合成数据, synthetic:
:mod:`nqpf.micro.synth`; never held whole in pandas) and aggregated to county × GB/T 4754
4-digit × year, 2015–2024 (stocks, capital, entries, exits) by

* ``duckdb`` — the command a user runs, ``nqpf micro aggregate --parquet FILE --level county
  --depth 4 --out cells.parquet`` (called in-process: DuckDB on ``--duckdb-threads`` threads,
  default all cores, within ``--memory-limit``, default the command's 2GB; the time includes
  the region names and writing the Parquet file);
* ``pandas`` — the plain baseline (one thread): read the columns, then per year one
  ``groupby`` of the firms alive on 31 December (size, capital sum) and of the year's
  entries and exits — run where it fits memory (``--pandas-max``), its table checked equal to
  DuckDB's before the ratio;
* ``spark`` — the same service with ``--engine spark`` in local mode on ``--spark-rows`` rows
  (wall including the JVM start, and the aggregation alone), checked equal to DuckDB's.

Each run is a fresh process that reports its **own** peak resident memory
(``getrusage(RUSAGE_SELF).ru_maxrss``, read right after the aggregation) and its CPU time
(user + system, all threads); Spark's JVM is a child process, whose peak (``VmHWM``) and CPU
are read from ``/proc`` before it stops. One run each, DuckDB and pandas alternating, as one
run takes seconds to minutes. On a shared machine CPU time and peak memory are the figures
that load does not change; wall is printed with the load average.
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
from typing import Any

from _harness import THREADS, machine  # first: pins the BLAS threads

START, END = 2015, 2024
TARGET_SECONDS, TARGET_GIB = 60.0, 4.0


def _self_usage() -> tuple[float, float]:
    """(CPU seconds, peak RSS in GiB) of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 2**20


def _children() -> list[int]:
    """Process ids of this process's children (the JVM that PySpark starts)."""
    me = str(os.getpid())
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                out.append(int(entry))
    return out


def _jvm_usage() -> tuple[float, float]:
    """(CPU seconds, peak RSS in GiB) of this process's children, from /proc."""
    cpu = peak = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in _children():
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / ticks
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 2**20)
    return cpu, peak


def _worker(engine: str, path: str, out: str, duck_threads: str, memory: str) -> None:
    """One aggregation in this process; writes the table to ``out`` and prints timings,
    CPU and this process's peak memory."""
    start = time.perf_counter()
    report: dict[str, float] = {}
    if engine == "pandas":
        table = _pandas(path)
        inner = time.perf_counter() - start
        table.to_parquet(out, index=False)
        report["rows"] = len(table)
    elif engine == "duckdb":
        from nqpf.cli import app

        args = ["micro", "aggregate", "--parquet", path, "--level", "county", "--depth", "4"]
        args += ["--start", str(START), "--end", str(END), "--out", out]
        args += ["--memory-limit", memory] + (["--threads", duck_threads] if duck_threads else [])
        app(args, standalone_mode=False)
        inner = time.perf_counter() - start
    else:
        from nqpf.micro.spark import spark_session
        from nqpf.services.micro import AggregateSpec, aggregate

        spark_session("local[*]")
        spec = AggregateSpec(
            parquet=path, level="county", depth="4", start=START, end=END, engine="spark"
        )
        inner_start = time.perf_counter()
        cells = aggregate(spec).to_frame()
        inner = time.perf_counter() - inner_start
        report["jvm_cpu"], report["jvm_peak_gib"] = _jvm_usage()
        cells.to_parquet(out, index=False)
    wall = time.perf_counter() - start
    report["cpu"], report["peak_gib"] = _self_usage()
    print(json.dumps({"wall": wall, "inner": inner, **report}))


def _pandas(path: str) -> Any:
    """The plain pandas baseline, :func:`tests.micro_reference.pandas_aggregate` (county codes
    are the records' own here: the synthetic records are all at county level, so the
    registry's county mapping is the identity)."""
    import pandas as pd

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.micro_reference import pandas_aggregate

    firms = pd.read_parquet(path, columns=["region", "industry", "registered", "exited", "capital"])
    return pandas_aggregate(firms, range(START, END + 1), 4)


def _run(engine: str, path: Path, out: Path, args: argparse.Namespace) -> dict[str, float]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            engine,
            str(path),
            str(out),
            args.duckdb_threads or "",
            args.memory_limit,
            "--threads",
            THREADS,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed: {done.stderr.strip().splitlines()[-3:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _same(a: Path, b: Path) -> bool:
    import pandas as pd

    names = ["region_name", "industry_name"]
    x = pd.read_parquet(a).drop(columns=names, errors="ignore")
    y = pd.read_parquet(b).drop(columns=names, errors="ignore")
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
    parser.add_argument("--duckdb-threads", default="")
    parser.add_argument("--memory-limit", default="2GB")
    args = parser.parse_args()
    import pyarrow.parquet as pq

    from nqpf.micro.synth import write_synthetic_firms

    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    print(machine())
    print(
        f"DuckDB: {args.duckdb_threads or os.cpu_count()} thread(s), memory_limit "
        f"{args.memory_limit}; Spark local[*]; pandas one thread. Years {START}–{END}, "
        "county × 4-digit. Peak = the process's own peak RSS."
    )
    rows = [int(r) for r in args.rows.split(",")]
    sizes = sorted(set(rows) | ({args.spark_rows} if args.spark_rows else set()))
    rows_done: list[str] = []
    pandas_per_row = 0.0  # GiB per record of the largest pandas run, for the estimate
    for n in sizes:
        path = folder / f"synthetic_{n}.parquet"
        if not path.exists():
            t = time.perf_counter()
            write_synthetic_firms(path, n, seed=1)
            print(f"generated {n:,} synthetic firms in {time.perf_counter() - t:.1f} s → {path}")
        duck = _run("duckdb", path, folder / f"duckdb_{n}.parquet", args)
        cells = pq.ParquetFile(folder / f"duckdb_{n}.parquet").metadata.num_rows
        print(
            f"{n:>11,} rows  duckdb wall {duck['wall']:7.1f} s  cpu {duck['cpu']:7.1f} s  "
            f"peak {duck['peak_gib']:5.2f} GiB  cells {cells:,}  load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        summary = (
            f"{n / 1e6:g}M: duckdb {duck['wall']:.1f} s wall, {duck['cpu']:.1f} s CPU, "
            f"{duck['peak_gib']:.2f} GiB"
        )
        if n in rows and n <= args.pandas_max:
            base = _run("pandas", path, folder / f"pandas_{n}.parquet", args)
            same = _same(folder / f"duckdb_{n}.parquet", folder / f"pandas_{n}.parquet")
            pandas_per_row = base["peak_gib"] / n
            print(
                f"{'':>11}       pandas wall {base['wall']:7.1f} s  cpu {base['cpu']:7.1f} s  "
                f"peak {base['peak_gib']:5.2f} GiB  same table: {same}  ratio "
                f"{base['wall'] / duck['wall']:.1f}× wall, {base['cpu'] / duck['cpu']:.1f}× CPU  "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            if not same:
                raise SystemExit("pandas and DuckDB disagree")
            summary += (
                f" vs pandas {base['wall']:.1f} s wall, {base['cpu']:.1f} s CPU, "
                f"{base['peak_gib']:.2f} GiB ({base['wall'] / duck['wall']:.1f}× wall, "
                f"{base['cpu'] / duck['cpu']:.1f}× CPU)"
            )
        elif n in rows:
            estimate = pandas_per_row * n
            print(
                f"{'':>11}       pandas not run (over --pandas-max {args.pandas_max:,} rows; "
                f"its peak grows with the rows: ≈ {estimate:.0f} GiB estimated)"
            )
            summary += f"; pandas not run (≈ {estimate:.0f} GiB estimated)"
        if n == args.spark_rows:
            spark = _run("spark", path, folder / f"spark_{n}.parquet", args)
            same = _same(folder / f"duckdb_{n}.parquet", folder / f"spark_{n}.parquet")
            print(
                f"{'':>11}       spark local wall {spark['wall']:7.1f} s (aggregation "
                f"{spark['inner']:.1f} s after the JVM start)  CPU python {spark['cpu']:.1f} s + "
                f"JVM {spark['jvm_cpu']:.1f} s  peak python {spark['peak_gib']:.2f} GiB, JVM "
                f"{spark['jvm_peak_gib']:.2f} GiB  same table as DuckDB: {same}",
                flush=True,
            )
            if not same:
                raise SystemExit("Spark and DuckDB disagree")
            summary += (
                f"; spark local {spark['wall']:.1f} s wall (aggregation {spark['inner']:.1f} s), "
                f"{spark['cpu'] + spark['jvm_cpu']:.1f} s CPU, JVM {spark['jvm_peak_gib']:.2f} GiB"
                ", = DuckDB"
            )
        rows_done.append(summary)
    print(
        f"summary: {'; '.join(rows_done)}; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        f"(targets on a quiet machine: 10M < {TARGET_SECONDS:.0f} s and < {TARGET_GIB:.0f} GiB)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(*sys.argv[2:7])
    else:
        main()
