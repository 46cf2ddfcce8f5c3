"""Speed of the assessment (targets: provinces with 4,096 Sobol samples < 30 s; a 2,900-unit
synthetic panel < 5 min; `nqpf assess` without uncertainty < 10 s end to end).

Run: python benchmarks/assess.py [--samples 4096] [--units 2900] [--years 5]

Each case runs in its own process, so the reported peak resident memory (ru_maxrss of the
child) belongs to that case. The peer is pymcdm: entropy weights and TOPSIS on the same
normalised matrix, timed against one construction of ours (entropy + TOPSIS, flat framework).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time

CASE = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
from nqpf.services.assessment import assess
kind, samples, units, years = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
if kind == "provinces":
    data, fw = None, "ndrc"
else:
    rng = np.random.default_rng(0)
    regions = [f"U{k:04d}" for k in range(units)]
    idx = pd.MultiIndex.from_product([regions, range(2019, 2019 + years), range(20)],
                                     names=["region", "year", "j"])
    level = rng.lognormal(size=(units, 1, 20))
    trend = 1 + 0.05 * np.arange(years)[None, :, None]
    values = (level * trend * rng.uniform(0.9, 1.1, size=(units, years, 20))).ravel()
    data = idx.to_frame(index=False).assign(
        indicator=lambda d: "x" + d["j"].astype(str), value=values).drop(columns="j")
    fw = {"pillars": [{"id": f"p{p}", "subpillars": [
        {"id": f"s{p}{s}", "indicators": [{"id": f"x{p * 4 + s * 2 + k}", "direction": "+"}
                                           for k in range(2)]} for s in range(2)]}
        for p in range(5)]}
start = time.perf_counter()
a = assess(data, framework=fw, weights="entropy,critic", entropy_shift=1e-5,
           uncertainty=samples)
elapsed = time.perf_counter() - start
u = a.uncertainty
print(json.dumps({"seconds": elapsed, "rows": len(a.scores),
                  "runs": u.n_runs if u else 0, "configs": u.n_configurations if u else 0,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PEER = r"""
import json, time
import numpy as np
from pymcdm.methods import TOPSIS
from pymcdm.weights import entropy_weights as pymcdm_entropy
from nqpf.index.aggregate import aggregate
from nqpf.index.normalize import normalize
from nqpf.index.weights import compute_weights
import pandas as pd
rng = np.random.default_rng(1)
n, m = 14500, 20
idx = pd.MultiIndex.from_product([range(n // 5), range(5)], names=["region", "year"])
X = pd.DataFrame(rng.lognormal(size=(n, m)), index=idx, columns=[f"x{j}" for j in range(m)])
def ours():
    N = normalize(X, "minmax")
    w = compute_weights(N, "entropy", zero="shift", shift=1e-5)
    return aggregate(N, w, "topsis")
def peer():
    N = normalize(X, "minmax").to_numpy()
    w = pymcdm_entropy(N + 1e-5)  # pymcdm needs positive values: the same shift ε
    return TOPSIS()(N, w, np.ones(m))
def best(f, k=5):
    t = []
    for _ in range(k):
        s = time.perf_counter(); f(); t.append(time.perf_counter() - s)
    return min(t)
print(json.dumps({"ours": best(ours), "pymcdm": best(peer)}))
"""


def child(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--units", type=int, default=2900)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from nqpf.cli import main; main()", "assess", "--out", tmp],
            check=True,
            capture_output=True,
        )
        cli = time.perf_counter() - start
    print(f"nqpf assess (no uncertainty), end to end   {cli:7.2f} s   (target < 10 s)")
    prov = child(CASE, "provinces", str(args.samples), "0", "0")
    print(
        f"provinces, N={args.samples} Sobol: {prov['runs']:.0f} runs, {prov['configs']:.0f} "
        f"configurations, {prov['rows']:.0f} region-years: {prov['seconds']:7.2f} s, "
        f"peak {prov['peak_mib']:.0f} MiB   (target < 30 s)"
    )
    syn = child(CASE, "synthetic", str(args.samples), str(args.units), str(args.years))
    print(
        f"{args.units} units × {args.years} years × 20 indicators, N={args.samples}: "
        f"{syn['runs']:.0f} runs, {syn['configs']:.0f} configurations: "
        f"{syn['seconds']:7.2f} s, peak {syn['peak_mib']:.0f} MiB   (target < 300 s)"
    )
    peer = child(PEER)
    print(
        f"one construction, 14,500 × 20, entropy + TOPSIS: ours {peer['ours'] * 1e3:.1f} ms, "
        f"pymcdm {peer['pymcdm'] * 1e3:.1f} ms, ratio {peer['ours'] / peer['pymcdm']:.2f}"
    )
    print(
        f"(benchmark process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
        " MiB)"
    )


if __name__ == "__main__":
    main()
