"""``nqpf chain show`` speed: the chain map of a province, cold, in a fresh process.

Run: python benchmarks/chain_show.py [--repeat 5]

Goal (issue 12): ``nqpf chain show CHAIN --region R`` under 2 s. There is no library that
builds chain maps to race against, so the figures are absolute: for each run a fresh
Python process imports NQPF, loads the packaged enterprise list and input-output table,
builds the map (status of every segment for 31 provinces, partner ranking, candidate firms,
input-output step check) and reports (a) the time of ``chain_map`` itself and (b) the whole
process wall and CPU time of the CLI command, interpreter start included. Runs alternate between
the two measurements. One BLAS thread (the map does no linear algebra).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

_IN_PROCESS = """
import time
t = time.perf_counter()
from nqpf.services.chains import chain_map
chain_map("新能源汽车", "安徽")
print(time.perf_counter() - t)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "200"}
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
