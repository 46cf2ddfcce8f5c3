"""IO linkages on the 153-sector national table: NQPF vs pymrio's matrix algebra, interleaved.

Run: python benchmarks/io_linkages.py [--repeat 20]

Goal (issue 12): ``nqpf io linkages`` computes in under 1 s on the 153-sector table.

* ``nqpf``: :func:`nqpf.chain.io.linkages` — A, L (LU solve), G = x̂⁻¹Lx̂, Rasmussen BL/FL,
  key sectors, output/value-added/income multipliers and three hypothetical extractions
  (closed forms), one BLAS thread.
* ``pymrio``: pymrio 0.7 ``iomath.calc_A``, ``calc_L``, ``calc_B``, ``calc_G`` (explicit
  inverses) plus NumPy normalised row/column sums — the linkages only, no extraction or
  multipliers, so the peer does *less* work. Run with one BLAS thread and with the library
  default, since a multi-threaded BLAS is slow on a busy 2-core machine.
* ``load``: reading the packaged Parquet table into an IOTable (first call, after imports).

Prints the median wall time of each, the ratio pymrio / nqpf, and the machine's cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from threadpoolctl import threadpool_limits

    from nqpf.services.io import load_io  # imports (pandas, SciPy) are not timed

    t0 = time.perf_counter()
    table = load_io(2020)
    load_s = time.perf_counter() - t0
    from pymrio.tools import iomath

    from nqpf.chain.io import linkages

    z = table.flows
    x = table.output.to_frame("indout")

    def run_nqpf() -> None:
        linkages(table)

    def run_pymrio() -> None:
        a = iomath.calc_A(z, x)
        lm = iomath.calc_L(a).to_numpy()
        g = iomath.calc_G(iomath.calc_B(z, x)).to_numpy()
        n = lm.shape[0]
        _ = lm.sum(axis=0) * n / lm.sum(), g.sum(axis=1) * n / g.sum()

    def run_pymrio_one_thread() -> None:
        with threadpool_limits(1, "blas"):
            run_pymrio()

    runs: dict[str, list[float]] = {
        "nqpf": [],
        "pymrio (1 BLAS thread)": [],
        "pymrio (default)": [],
    }
    funcs = {
        "nqpf": run_nqpf,
        "pymrio (1 BLAS thread)": run_pymrio_one_thread,
        "pymrio (default)": run_pymrio,
    }
    for f in funcs.values():
        f()  # warm up
    for _ in range(args.repeat):
        for name, f in funcs.items():  # interleaved
            t = time.perf_counter()
            f()
            runs[name].append(time.perf_counter() - t)
    print(f"machine: {os.cpu_count()} cores; 2020 table, {table.n} sectors; repeat {args.repeat}")
    print(f"load (Parquet → IOTable, first call): {load_s * 1000:.0f} ms")
    base = statistics.median(runs["nqpf"])
    for name, times in runs.items():
        med = statistics.median(times)
        print(f"{name:>24}: median {med * 1000:7.1f} ms  (ratio to nqpf {med / base:5.2f})")
    ok = base + load_s < 1.0
    print(f"goal < 1 s for load + linkages: {'met' if ok else 'NOT met'} ({(base + load_s):.2f} s)")
    assert np.isfinite(base)


if __name__ == "__main__":
    main()
