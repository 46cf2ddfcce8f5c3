"""``nqpf chain show`` speed: the chain map of a province, cold, in a fresh process.

Run: python benchmarks/chain_show.py [--repeat 5] [--micro-rows 1000000]

Goal (issue 12): ``nqpf chain show CHAIN --region R`` under 2 s. There is no library that
builds chain maps to race against, so the figures are absolute: for each run a fresh
Python process imports NQPF, loads the packaged enterprise list and input-output table,
builds the map (status of every segment for 31 provinces, partner ranking, candidate firms,
input-output step check) and reports (a) the time of ``chain_map`` itself and (b) the whole
process wall and CPU time of the CLI command, interpreter start included. Runs alternate between
the two measurements. One BLAS thread (the map does no linear algebra).

``--micro-rows N`` (issue 14) times the chain map from N synthetic firm records (合成数据,
:mod:`nqpf.micro.synth`, one Parquet file written first): ``nqpf chain show 新能源汽车 -r 安徽
--micro FILE --format csv`` (DuckDB on all cores: the segment, total, structure and
candidate queries, partner ranking) against the strongest plain peer, a vectorised pandas
script computing the status table alone (read the columns, firms alive on 31 December,
province of each record, ``str.startswith`` over the segment's classes, group-by, LQ), each a
fresh process, alternating; CPU time (user + system, all threads) is the figure to read on a
loaded machine. The two status tables are checked equal before the ratio is printed.
"""

from __future__ import annotations

import argparse
import ast
import os
import resource
import statistics
import subprocess
import sys
import time

_PANDAS_STATUS = """
import sys, time
import pandas as pd
from nqpf.micro.codes import region_targets
from nqpf.services.chains import get_chain
get_chain("nev")
t = time.process_time()
path, year = sys.argv[1], int(sys.argv[2])
df = pd.read_parquet(path, columns=["region", "industry", "registered", "exited"])
y_in = pd.to_datetime(df["registered"]).dt.year
y_out = pd.to_datetime(df["exited"]).dt.year.fillna(9999)
alive = df[(y_in <= year) & (y_out > year)]
codes = pd.Series(alive["region"].unique())
target = region_targets(codes.tolist(), "province").set_index("code")["target"]
unit = alive["region"].map(target)
totals = unit.value_counts()
n_total = totals.sum()
rows = []
for seg in get_chain("nev").segments:
    hit = alive["industry"].str.startswith(tuple(seg.gbt4754))
    n = unit[hit].value_counts().reindex(totals.index, fill_value=0)
    lq = (n / totals) / (n.sum() / n_total) if n.sum() else n * 0.0
    rows.append((seg.id, int(n.get("340000", 0)), float(lq.get("340000", 0.0))))
print(rows)
print(time.process_time() - t)
"""

_MICRO_IN_PROCESS = """
import sys, time
from nqpf.services.chain_micro import chain_map_micro
from nqpf.services.chains import get_chain
get_chain("nev")
t = time.process_time()
chain_map_micro("新能源汽车", "安徽", sys.argv[1], check_flows=False)
print(time.process_time() - t)
"""

_IN_PROCESS = """
import time
t = time.perf_counter()
from nqpf.services.chains import chain_map
chain_map("新能源汽车", "安徽")
print(time.perf_counter() - t)
"""


def _child(cmd: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """stdout, wall and CPU (user + system of the child and its threads) of one process."""
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return out.stdout, wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def micro(rows: int, repeat: int, env: dict[str, str]) -> None:
    """Chain map from ``rows`` synthetic firm records: nqpf against a pandas status table."""
    import io
    import tempfile

    import pandas as pd

    from nqpf.services.micro import synthesize

    with tempfile.TemporaryDirectory() as tmp:
        path = str(synthesize(f"{tmp}/syn.parquet", rows, seed=3))
        cli = [sys.executable, "-c", "from nqpf.cli import main; main()", "chain", "show",
               "新能源汽车", "-r", "安徽", "--micro", path, "--format", "csv"]  # fmt: skip
        ours, peer, ours_cpu, peer_cpu, ours_in, peer_in = [], [], [], [], [], []
        for _ in range(repeat):
            text, _, _ = _child([sys.executable, "-c", _MICRO_IN_PROCESS, path], env)
            ours_in.append(float(text.strip().splitlines()[-1]))
            text, wall, cpu = _child(cli, env)
            ours.append(wall)
            ours_cpu.append(cpu)
            table = pd.read_csv(io.StringIO(text))
            year = 2024  # the synthetic records' last year, the command's default
            out, wall, cpu = _child([sys.executable, "-c", _PANDAS_STATUS, path, str(year)], env)
            peer.append(wall)
            peer_cpu.append(cpu)
            peer_in.append(float(out.strip().splitlines()[-1]))
            expected = ast.literal_eval(out.strip().splitlines()[0])
            assert table["firms"].tolist() == [n for _, n, _ in expected], (table, expected)
            assert all(
                abs(a - b) < 1e-9 for a, (_, _, b) in zip(table["lq"], expected, strict=True)
            )
    print(f"chain show from {rows:,} synthetic firm records (合成数据), 安徽 × 新能源汽车, "
          f"{os.cpu_count()} cores, load avg {os.getloadavg()[0]:.1f}, repeat {repeat}")  # fmt: skip
    print(f"  nqpf chain show --micro (DuckDB, all cores, whole map): median "
          f"{statistics.median(ours):.2f} s wall, {statistics.median(ours_cpu):.2f} s CPU")  # fmt: skip
    print(f"  pandas status table only (1 thread):                  median "
          f"{statistics.median(peer):.2f} s wall, {statistics.median(peer_cpu):.2f} s CPU")  # fmt: skip
    print(f"  after imports, in process: chain_map_micro {statistics.median(ours_in):.2f} s CPU "
          f"(whole map), pandas {statistics.median(peer_in):.2f} s CPU (status table only)")  # fmt: skip
    print(f"  CPU ratio pandas / nqpf: "
          f"{statistics.median(peer_cpu) / statistics.median(ours_cpu):.2f}× whole process, "
          f"{statistics.median(peer_in) / statistics.median(ours_in):.2f}× after imports "
          "(same status table)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--micro-rows", type=int, default=0)
    args = parser.parse_args()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "200"}
    if args.micro_rows:
        micro(args.micro_rows, args.repeat, env)
        return
    inner, cli, cpu = [], [], []
    for _ in range(args.repeat):
        out = subprocess.run(
            [sys.executable, "-c", _IN_PROCESS], capture_output=True, text=True, env=env, check=True
        )
        inner.append(float(out.stdout.strip().splitlines()[-1]))
        t = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-c", "from nqpf.cli import main; main()", "chain", "show",
             "新能源汽车", "--region", "安徽"],
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        cli.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    print(
        f"machine: {os.cpu_count()} cores; repeat {args.repeat}; load avg {os.getloadavg()[0]:.1f}"
    )
    print(f"chain_map (imports + data + map), cold: median {statistics.median(inner):.2f} s")
    print(f"nqpf chain show, whole process:      median {statistics.median(cli):.2f} s wall")
    print(f"nqpf chain show, whole process:      median {statistics.median(cpu):.2f} s CPU")
    ok = statistics.median(cli) < 2.0
    print(f"goal < 2 s wall: {'met' if ok else 'NOT met'} (a loaded machine inflates wall time;")
    print("  the CPU time is what the command costs on an idle core)")


if __name__ == "__main__":
    main()
