"""NQPF complexity pipeline vs the Growth Lab ``ecomplexity`` package, side by side, and
the memory of a county-scale sparse matrix.

Run: python benchmarks/complexity.py [--repeats 3] [--threads 1]
     [--synthetic-regions 5000 --synthetic-industries 1000 --synthetic-years 5]
     [--skip-synthetic] [--memory 40000x4000] [--skip-memory]

Both tools start from the same long DataFrame (year, region, industry, value) and compute,
for every year, RCA, binary presence, diversity, ubiquity, proximity, density, ECI, PCI,
COI and COG (ecomplexity's log-supermodularity check, which NQPF does not do, is switched
off). Datasets: the census county × GB/T 4754 section employment of 2010 and 2020, and a
synthetic regions × industries × years matrix. Every run is a fresh subprocess (it reports
its wall and CPU time, peak resident memory and the memory right after building the data);
runs are interleaved (nqpf, ecomplexity, nqpf, …), BLAS threads pinned (``--threads``), and
the ECI of both tools is compared (max |difference| over regions and years) before the ratio
is printed. ``--memory RxP`` runs NQPF alone on an R × P matrix where 25 % of the cells are
non-zero (the target: 40,000 × 4,000 within 8 GB peak), from the wide matrix.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings

from _harness import THREADS, machine, summary  # first: pins the BLAS threads

# isort: split
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


def run_nqpf(long: pd.DataFrame) -> dict[str, float]:
    from nqpf.industry.advantage import presence, rca
    from nqpf.industry.complexity import complexity
    from nqpf.industry.matrix import to_wide

    eci = {}
    for year in sorted(long["year"].unique()):
        wide = to_wide(long, int(year))
        result = complexity(presence(rca(wide)))
        eci.update({f"{year}/{r}": float(v) for r, v in result.eci.dropna().items()})
    return eci


def run_ecomplexity(long: pd.DataFrame) -> dict[str, float]:
    from ecomplexity import ecomplexity

    cols = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(long, cols, verbose=False, check_logsupermodularity=False)
    firsts = out.drop_duplicates(["year", "region"]).dropna(subset=["eci"])
    return {
        f"{y}/{r}": float(v)
        for y, r, v in zip(firsts["year"], firsts["region"], firsts["eci"], strict=True)
    }


def run_memory(regions: int, industries: int) -> dict[str, float]:
    """NQPF alone on a wide matrix with 25 % non-zero cells (float32 values)."""
    from nqpf.industry.advantage import presence, rca
    from nqpf.industry.complexity import complexity

    rng = np.random.default_rng(7)
    values = rng.lognormal(size=(regions, industries)).astype(np.float32)
    values[rng.random((regions, industries), dtype=np.float32) >= 0.25] = 0.0
    wide = pd.DataFrame(values, index=pd.RangeIndex(regions), columns=pd.RangeIndex(industries))
    del values
    result = complexity(presence(rca(wide)))
    return {"0/eci": float(result.eci.notna().sum())}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def worker(tool: str, dataset: str, shape: tuple[int, int, int]) -> None:
    if tool == "memory":
        long = None
    else:
        long = census_long() if dataset == "census" else synthetic_long(*shape)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), _cpu()
    if long is None:
        eci = run_memory(shape[0], shape[1])
    else:
        eci = run_nqpf(long) if tool == "nqpf" else run_ecomplexity(long)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "peak_mib": peak / 1024,
                "data_mib": base / 1024,
                "eci": eci,
            }
        )
    )


def measure(tool: str, dataset: str, shape: tuple[int, int, int]) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--worker", tool, dataset, *map(str, shape)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", nargs=5, metavar=("TOOL", "DATASET", "R", "P", "Y"))
    parser.add_argument("--synthetic-regions", type=int, default=5000)
    parser.add_argument("--synthetic-industries", type=int, default=1000)
    parser.add_argument("--synthetic-years", type=int, default=5)
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--memory", default="40000x4000")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default=THREADS)
    args = parser.parse_args()
    if args.worker:
        tool, dataset, *dims = args.worker
        worker(tool, dataset, (int(dims[0]), int(dims[1]), int(dims[2])))
        return
    print(machine(), "\n")
    shape = (args.synthetic_regions, args.synthetic_industries, args.synthetic_years)
    datasets = [("census", "census county × section, 2010 + 2020")]
    if not args.skip_synthetic:
        datasets.append(("synthetic", f"synthetic {shape[0]} × {shape[1]} × {shape[2]} years"))
    lines = []
    for key, label in datasets:
        runs: dict[str, list[dict[str, object]]] = {"nqpf": [], "ecomplexity": []}
        for _ in range(args.repeats):
            for tool in runs:
                runs[tool].append(measure(tool, key, shape))
        ours, theirs = (runs[t][0]["eci"] for t in ("nqpf", "ecomplexity"))
        assert isinstance(ours, dict) and isinstance(theirs, dict)
        common = sorted(set(ours) & set(theirs))
        diff = max(abs(ours[k] - theirs[k]) for k in common)
        print(f"{label}: ECI of {len(common):,} region-years, max |nqpf − ecomplexity| {diff:.1e}")
        med = {}
        for tool, results in runs.items():
            walls = [float(str(r["seconds"])) for r in results]
            cpus = [float(str(r["cpu"])) for r in results]
            peak = max(float(str(r["peak_mib"])) for r in results)
            med[tool] = statistics.median(walls)
            print(f"  {tool:12} wall {summary(walls)}  CPU {summary(cpus)}  peak {peak:,.0f} MiB")
        ratio = med["ecomplexity"] / med["nqpf"]
        print(f"  ratio {ratio:.1f}× (ecomplexity median / nqpf median, {args.repeats} repeats)")
        lines.append(f"{key} {ratio:.1f}× ecomplexity")
    if not args.skip_memory:
        r_, p_ = (int(v) for v in args.memory.lower().split("x"))
        found = measure("memory", "sparse", (r_, p_, 1))
        peak = float(str(found["peak_mib"])) / 1024
        verdict = "meets" if peak <= 8 else "MISSES"
        print(
            f"{r_:,} × {p_:,} at 25 % density (nqpf alone): wall {float(str(found['seconds'])):.1f} s, "
            f"CPU {float(str(found['cpu'])):.1f} s, peak {peak:.1f} GiB (target ≤ 8 GiB: {verdict})"
        )
        lines.append(f"{r_}×{p_} peak {peak:.1f} GiB ({verdict})")
    print(f"summary: load {os.getloadavg()[0]:.1f}; " + "; ".join(lines))


if __name__ == "__main__":
    main()
