"""Speed of the Sobol uncertainty analysis on pandas 3 and pandas 2.

Run: python benchmarks/uncertainty.py [--samples 1024] [--units 2900] [--repeats 1]
                                      [--pandas2 PATH-TO-PYTHON] [--threads 1]

Targets (2 cores, quiet machine): N = 1,024 on the provinces ≤ 10 s, and on a synthetic
panel of 2,900 units × 5 years × 20 indicators ≤ 60 s, on pandas 3. The engine works on NumPy
arrays (pandas only prepares the few imputed/treated/normalised matrices), so pandas 2 and 3
should take the same time: the script runs every case under this interpreter and, when
``--pandas2`` names a Python with pandas < 3 and NQPF installed (e.g. a venv made with
``python -m venv --system-site-packages .venv-pd2 && .venv-pd2/bin/pip install "pandas<3"
&& .venv-pd2/bin/pip install -e . --no-deps``), under that one too, interleaved, and checks
that both give the same Sobol indices and rank bands. Each run is a fresh process; the
timing covers ``assess(..., uncertainty=N)`` (data already loaded, imports done), with its
CPU time (user + sys) beside the wall time, the runs of the Sobol design, the distinct
configurations evaluated and the number the levels allow.

There is no library that runs this analysis to compare against (SALib samples and analyses;
the model is ours); the baseline is the same engine on the other pandas.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from _harness import THREADS, machine  # first: pins the BLAS threads

CASE = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
import SALib.analyze.sobol, SALib.sample.sobol
from nqpf.services.assessment import assess
kind, samples, units, years = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), 5
if kind == "provinces":
    data, fw, options = None, "ndrc", {}
else:
    rng = np.random.default_rng(0)
    regions = [f"U{k:04d}" for k in range(units)]
    idx = pd.MultiIndex.from_product([regions, range(2019, 2019 + years), range(20)],
                                     names=["region", "year", "j"])
    level = rng.lognormal(size=(units, 1, 20))
    trend = 1 + 0.05 * np.arange(years)[None, :, None]
    values = (level * trend * rng.uniform(0.9, 1.1, size=(units, years, 20))).ravel()
    data = idx.to_frame(index=False)
    data["indicator"] = "x" + data["j"].astype(str)
    data["value"] = values
    data = data.drop(columns="j")
    fw = {"pillars": [{"id": f"p{p}", "subpillars": [
        {"id": f"s{p}{s}", "indicators": [{"id": f"x{p * 4 + s * 2 + k}", "direction": "+"}
                                           for k in range(2)]} for s in range(2)]}
        for p in range(5)]}
    options = {"weights": "entropy,critic", "entropy_shift": 1e-5}
assess(data, framework=fw, **options)  # loads and caches the data; the analysis is not cached
before = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
a = assess(data, framework=fw, uncertainty=samples, **options)
wall = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF)
u = a.uncertainty
print(json.dumps({
    "wall": wall,
    "cpu": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
    "pandas": pd.__version__, "runs": u.n_runs, "configs": u.n_configurations,
    "possible": u.n_possible, "rows": len(u.ranks),
    "S1": u.sobol["S1"].tolist(), "ST": u.sobol["ST"].tolist(),
    "bands": u.ranks[["rank_p05", "median_rank", "rank_p95"]].to_numpy().ravel().tolist(),
}))
"""


def run(python: str, *args: str) -> dict[str, object]:
    out = subprocess.run(
        [python, "-c", CASE, *args], check=True, capture_output=True, text=True, env=os.environ
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--units", type=int, default=2900)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--pandas2", default="", help="a Python with pandas < 3 and nqpf")
    parser.add_argument("--threads", default=THREADS)
    args = parser.parse_args()
    print(machine(), "\n")
    pythons = {"this": sys.executable, **({"pandas2": args.pandas2} if args.pandas2 else {})}
    cases = {
        "provinces": ("provinces", str(args.samples), "0"),
        f"{args.units} units": ("synthetic", str(args.samples), str(args.units)),
    }
    targets = {"provinces": 10.0, f"{args.units} units": 60.0}
    verdicts = []
    for label, case in cases.items():
        found: dict[str, list[dict[str, object]]] = {name: [] for name in pythons}
        for _ in range(args.repeats):  # interleaved: this, pandas2, this, pandas2, …
            for name, python in pythons.items():
                found[name].append(run(python, *case))
        first = {name: results[0] for name, results in found.items()}
        if len(first) == 2:
            a, b = first.values()
            same = all(a[k] == b[k] for k in ("S1", "ST", "bands", "configs"))
            if not same:
                raise SystemExit(f"{label}: pandas 2 and pandas 3 results differ")
        for results in found.values():
            walls = [float(str(r["wall"])) for r in results]
            cpus = [float(str(r["cpu"])) for r in results]
            r = results[0]
            print(
                f"{label:<12} pandas {r['pandas']:<6} N={args.samples}: wall "
                f"{statistics.median(walls):6.1f} s (range {min(walls):.1f}–{max(walls):.1f}), "
                f"CPU {statistics.median(cpus):6.1f} s; {r['runs']:,} runs, {r['configs']:,} "
                f"distinct configurations evaluated (of {r['possible']:,} possible), "
                f"{r['rows']:,} region-years"
            )
            verdict = "meets" if statistics.median(walls) <= targets[label] else "MISSES"
            verdicts.append(
                f"{label} pandas {r['pandas']} {statistics.median(walls):.1f} s wall / "
                f"{statistics.median(cpus):.1f} s CPU (target ≤ {targets[label]:.0f} s: {verdict})"
            )
        if len(first) == 2:
            walls = {
                n: statistics.median(float(str(r["wall"])) for r in v) for n, v in found.items()
            }
            print(
                f"  same S1, ST and rank bands on both; pandas 2 / pandas 3 wall ratio "
                f"{walls['pandas2'] / walls['this']:.2f}"
            )
    print(f"summary: load {os.getloadavg()[0]:.1f}; " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
