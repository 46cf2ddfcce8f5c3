"""NQPF complexity pipeline vs the Growth Lab ``ecomplexity`` package, side by side.

Run: python benchmarks/complexity.py [--synthetic-regions 5000 --synthetic-industries 1000
--synthetic-years 5] [--skip-synthetic]

Both tools start from the same long DataFrame (year, region, industry, value) and compute,
for every year, RCA, binary presence, diversity, ubiquity, proximity, density, ECI, PCI,
COI and COG (ecomplexity's log-supermodularity check, which NQPF does not do, is switched
off). Datasets: the census county × GB/T 4754 section employment of 2010 and 2020, and a
synthetic regions × industries × years matrix. Every (tool, dataset) runs in a fresh
subprocess, which reports its wall time and its peak resident memory (ru_maxrss) and the
resident memory right after building the data, so the difference is what the computation
itself needs.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd


def census_long() -> pd.DataFrame:
    from nqpf.services.matrices import census_matrix

    frames = [census_matrix(y, level="county") for y in (2010, 2020)]
    long = pd.concat(frames, ignore_index=True)[["year", "region", "industry", "value"]]
    # both tools need every region to have some activity in the year
    totals = long.groupby(["year", "region"])["value"].transform("sum")
    return long[totals > 0].reset_index(drop=True)


def synthetic_long(n_regions: int, n_industries: int, n_years: int) -> pd.DataFrame:
    """Nested synthetic data: region capability vs industry difficulty, lognormal noise."""
    rng = np.random.default_rng(20260101)
    capability = rng.uniform(0, 1, n_regions)[:, None]
    difficulty = rng.uniform(0, 1, n_industries)[None, :]
    frames = []
    for year in range(n_years):
        noise = rng.lognormal(0, 1, (n_regions, n_industries))
        x = noise * (1 + 20 * (capability + 0.05 * year > difficulty))
        frames.append(
            pd.DataFrame(
                {
                    "year": np.full(x.size, 2020 + year, dtype=np.int32),
                    "region": np.repeat(np.arange(n_regions, dtype=np.int32), n_industries),
                    "industry": np.tile(np.arange(n_industries, dtype=np.int32), n_regions),
                    "value": x.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def run_nqpf(long: pd.DataFrame) -> int:
    from nqpf.industry.advantage import presence, rca
    from nqpf.industry.complexity import complexity
    from nqpf.industry.matrix import to_wide

    n = 0
    for year in sorted(long["year"].unique()):
        wide = to_wide(long, int(year))
        m = presence(rca(wide))
        result = complexity(m)
        n += result.cog.size
    return n


def run_ecomplexity(long: pd.DataFrame) -> int:
    from ecomplexity import ecomplexity

    cols = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(long, cols, verbose=False, check_logsupermodularity=False)
    return len(out)


def worker(tool: str, dataset: str, shape: tuple[int, int, int]) -> None:
    long = census_long() if dataset == "census" else synthetic_long(*shape)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    cells = run_nqpf(long) if tool == "nqpf" else run_ecomplexity(long)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"seconds": seconds, "peak_mib": peak / 1024, "data_mib": base / 1024, "cells": cells}
        )
    )


def measure(tool: str, dataset: str, shape: tuple[int, int, int]) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--worker", tool, dataset, *map(str, shape)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", nargs=5, metavar=("TOOL", "DATASET", "R", "P", "Y"))
    parser.add_argument("--synthetic-regions", type=int, default=5000)
    parser.add_argument("--synthetic-industries", type=int, default=1000)
    parser.add_argument("--synthetic-years", type=int, default=5)
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    if args.worker:
        tool, dataset, *dims = args.worker
        worker(tool, dataset, (int(dims[0]), int(dims[1]), int(dims[2])))
        return
    shape = (args.synthetic_regions, args.synthetic_industries, args.synthetic_years)
    datasets = [("census", "census county × section, 2010 + 2020")]
    if not args.skip_synthetic:
        datasets.append(("synthetic", f"synthetic {shape[0]} × {shape[1]} × {shape[2]} years"))
    header = f"{'dataset':44} {'tool':12} {'time s':>9} {'peak MiB':>9} {'compute MiB':>11}"
    print(header)
    for key, label in datasets:
        results = {tool: measure(tool, key, shape) for tool in ("nqpf", "ecomplexity")}
        for tool, r in results.items():
            extra = r["peak_mib"] - r["data_mib"]
            print(f"{label:44} {tool:12} {r['seconds']:9.2f} {r['peak_mib']:9.0f} {extra:11.0f}")
        ours, theirs = results["nqpf"], results["ecomplexity"]
        print(
            f"{'':44} {'ratio':12} {theirs['seconds'] / ours['seconds']:8.1f}× "
            f"{theirs['peak_mib'] / ours['peak_mib']:8.2f}× (ecomplexity / nqpf)"
        )


if __name__ == "__main__":
    main()
