"""``nqpf similar`` on the 2,943 census-2020 counties: NQPF's one-row peers against
scikit-learn's brute-force nearest neighbours (cosine) plus SciPy's cityblock row, and
against SciPy's full ``cdist`` matrices (the all-pairs way), side by side.

Run: python benchmarks/similar.py [--repeats 7] [--threads 1]

All sides start from the same wide county × section table (shares computed inside each) and
return the 5 peers of 肥西县 (340123) with their similarity S (cosine of the shares) and
Krugman dissimilarity K (L1 distance of the shares); the script checks that they agree to
1e-12 before it prints a ratio. Runs are interleaved (A, B, A, B, …) after a warm-up, with
the BLAS/OpenMP threads pinned by ``_harness`` (stated in the header line). Peak memory of
each side is the peak of Python's allocation tracer (``tracemalloc``, which NumPy reports
its buffers to) during one run.

Then the whole service (``nqpf.services.industry.similar``: load the census matrix, peers,
specialisation) runs in fresh subprocesses, reporting the analysis wall time and the peak
resident memory of the process (``VmHWM`` of ``/proc/self/status``: Linux keeps the parent's
peak in a child's ``ru_maxrss`` across ``exec``, so that figure would be the benchmark's own) against the goals of issue 10: ≤ 1 s of
analysis and ≤ 300 MB (the old n × n × k version: ~15 s and 2.8 GB).
"""

from __future__ import annotations

import argparse

from _harness import THREADS, interleaved, machine, report  # first: pins the BLAS threads

# isort: split
import statistics
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from nqpf.industry.structure import peers

REGION = "340123"  # 肥西县
N_PEERS = 5
GOAL_SECONDS = 1.0
GOAL_MB = 300.0


def ours(values: pd.DataFrame) -> pd.DataFrame:
    return peers(values, REGION, n=N_PEERS)


def sklearn_scipy(values: pd.DataFrame) -> pd.DataFrame:
    """Top-k by cosine with scikit-learn's brute-force search, K of the k rows by SciPy."""
    from scipy.spatial.distance import cdist
    from sklearn.neighbors import NearestNeighbors

    s = values.div(values.sum(axis=1), axis=0).to_numpy()
    i = values.index.get_loc(REGION)
    nn = NearestNeighbors(n_neighbors=N_PEERS + 1, metric="cosine", algorithm="brute").fit(s)
    dist, idx = nn.kneighbors(s[i : i + 1])
    keep = idx[0] != i
    rows = idx[0][keep][:N_PEERS]
    krugman = cdist(s[i : i + 1], s[rows], "cityblock")[0]
    return pd.DataFrame(
        {"similarity": 1.0 - dist[0][keep][:N_PEERS], "krugman": krugman},
        index=values.index[rows],
    )


def cdist_full(values: pd.DataFrame) -> pd.DataFrame:
    """All pairs with SciPy: the n × n cosine and cityblock matrices, then the region's row."""
    from scipy.spatial.distance import cdist

    s = values.div(values.sum(axis=1), axis=0).to_numpy()
    i = values.index.get_loc(REGION)
    sim = 1.0 - cdist(s, s, "cosine")
    krug = cdist(s, s, "cityblock")
    out = pd.DataFrame({"similarity": sim[i], "krugman": krug[i]}, index=values.index)
    out = out.drop(REGION).sort_values(["similarity", "krugman"], ascending=[False, True])
    return out.head(N_PEERS)


def peak_mb(fn: Callable[[], Any]) -> float:
    """Peak traced allocation (MB) during one call."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def service(repeats: int) -> tuple[float, float]:
    """Median analysis seconds and the largest peak RSS (MB) of the service in fresh
    processes (BLAS threads as above, inherited through the environment)."""
    code = (
        "import re, time\n"
        "from nqpf.services.industry import SimilaritySpec, similar\n"
        "t0 = time.perf_counter()\n"
        "similar(SimilaritySpec(region='肥西县', matrix='census2020'))\n"
        "t1 = time.perf_counter()\n"
        "status = open('/proc/self/status', encoding='ascii').read()\n"
        "print(t1 - t0, re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1))\n"
    )
    seconds, peaks = [], []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        took, rss = out.stdout.split()
        seconds.append(float(took))
        peaks.append(int(rss) / 1024)
    return statistics.median(seconds), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", default="1", help="BLAS/OpenMP threads (set by _harness)")
    args = parser.parse_args()
    from nqpf.services.industry import load_matrix

    values = load_matrix("肥西县", "census2020", growth=False).values
    print(machine())
    print(f"{values.shape[0]} counties × {values.shape[1]} sections, peers of {REGION}")
    a = ours(values)
    for name, fn in (("sklearn+scipy", sklearn_scipy), ("scipy cdist", cdist_full)):
        b = fn(values)
        assert list(a.index) == list(b.index), name
        np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=0, atol=1e-12)

        def baseline(fn: Callable[[pd.DataFrame], pd.DataFrame] = fn) -> pd.DataFrame:
            return fn(values)

        ta, tb = interleaved(lambda: ours(values), baseline, repeats=args.repeats)
        report(f"peers vs {name}", ta, tb, name)
        print(
            f"  peak traced memory: nqpf {peak_mb(lambda: ours(values)):.1f} MB, "
            f"{name} {peak_mb(baseline):.1f} MB"
        )
    seconds, rss = service(max(3, args.repeats // 2))
    verdict = "met" if seconds <= GOAL_SECONDS and rss <= GOAL_MB else "NOT met"
    print(
        f"service similar(肥西县, census2020) in fresh processes (threads {THREADS}): analysis "
        f"{seconds:.2f} s (median), peak RSS {rss:.0f} MB (max) — goal ≤ {GOAL_SECONDS:.0f} s "
        f"and ≤ {GOAL_MB:.0f} MB {verdict}"
    )


if __name__ == "__main__":
    main()
