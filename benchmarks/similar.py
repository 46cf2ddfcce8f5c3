"""``nqpf similar`` on the 2,943 census counties: NQPF's one-row peers against scikit-learn's
brute-force nearest neighbours (cosine) plus SciPy's cityblock row, side by side.

Run: python benchmarks/similar.py [--repeats 7]

Both sides start from the same wide county × section table (shares computed inside each) and
return the 5 peers of 肥西县 with their similarity and Krugman dissimilarity. Runs are
interleaved (A, B, A, B, …) with BLAS/OpenMP pinned to one thread; medians and ranges are
printed with the ratio. Then the whole command runs in fresh subprocesses, reporting wall time
and peak resident memory (ru_maxrss of the child), the issue's goal being ≤ 1 s of analysis
and ≤ 300 MB (the old n × n × k version: ~15 s and 2.8 GB).
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def ours(values: pd.DataFrame, code: str) -> pd.DataFrame:
    from nqpf.industry.structure import peers

    return peers(values, code, n=5)


def peer_library(values: pd.DataFrame, code: str) -> pd.DataFrame:
    from scipy.spatial.distance import cdist
    from sklearn.neighbors import NearestNeighbors

    s = values.div(values.sum(axis=1), axis=0).to_numpy()
    i = values.index.get_loc(code)
    nn = NearestNeighbors(n_neighbors=6, metric="cosine", algorithm="brute").fit(s)
    dist, idx = nn.kneighbors(s[i : i + 1])
    keep = idx[0] != i
    rows = idx[0][keep][:5]
    krugman = cdist(s[i : i + 1], s[rows], "cityblock")[0]
    return pd.DataFrame(
        {"similarity": 1.0 - dist[0][keep][:5], "krugman": krugman}, index=values.index[rows]
    )


def _time(fn: object, *args: object) -> float:
    start = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start


def command(repeats: int) -> None:
    code = (
        "import resource, time; t = time.perf_counter(); "
        "from nqpf.services.industry import SimilaritySpec, similar; t0 = time.perf_counter(); "
        "similar(SimilaritySpec(region='肥西县', matrix='census2020')); "
        "t1 = time.perf_counter(); "
        "print(t0 - t, t1 - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    imports, analysis, peaks = [], [], []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        a, b, rss = out.stdout.split()
        imports.append(float(a))
        analysis.append(float(b))
        peaks.append(int(rss) / 1024)
    print(
        f"service in a fresh process: imports {statistics.median(imports):.2f} s, "
        f"analysis (load matrix + peers + specialisation) {statistics.median(analysis):.2f} s "
        f"[{min(analysis):.2f}–{max(analysis):.2f}], peak RSS {max(peaks):.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    from nqpf.industry.matrix import to_wide
    from nqpf.services.matrices import census_matrix

    values = to_wide(census_matrix(2020, level="county"))
    a, b = ours(values, "340123"), peer_library(values, "340123")
    assert list(a.index) == list(b.index)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), atol=1e-12)
    times: dict[str, list[float]] = {"nqpf": [], "sklearn+scipy": []}
    for _ in range(args.repeats):
        times["nqpf"].append(_time(ours, values, "340123"))
        times["sklearn+scipy"].append(_time(peer_library, values, "340123"))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"{values.shape[0]} counties × {values.shape[1]} sections, threads 1, {args.repeats} interleaved runs"
    )
    for k, v in times.items():
        print(f"  {k:14s} median {1e3 * med[k]:7.2f} ms  [{1e3 * min(v):.2f}–{1e3 * max(v):.2f}]")
    print(f"  ratio sklearn+scipy / nqpf: {med['sklearn+scipy'] / med['nqpf']:.2f}")
    command(max(3, args.repeats // 2))


if __name__ == "__main__":
    main()
