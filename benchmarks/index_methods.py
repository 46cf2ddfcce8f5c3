"""Index methods against pymcdm and pyrepo-mcda on the same matrix: time and agreement.

Run: python benchmarks/index_methods.py [--rows 2900 --cols 20 --repeat 20]
Times (median of --repeat runs) our entropy weights, CRITIC weights and TOPSIS next to the same
computation in pymcdm and pyrepo-mcda, on a random strictly positive matrix (rows = units,
cols = indicators, the 2,900-county scale of the issue by default), and prints the ratio
(peer time / our time) and the largest absolute difference of the results. Our functions take
and return labelled pandas objects; the peers take bare numpy arrays.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pymcdm.methods import TOPSIS as PYMCDM_TOPSIS
from pymcdm.weights import critic_weights as pymcdm_critic
from pymcdm.weights import entropy_weights as pymcdm_entropy
from pyrepo_mcda.mcda_methods import TOPSIS as PYREPO_TOPSIS
from pyrepo_mcda.weighting_methods import critic_weighting, entropy_weighting

from nqpf.index import (
    aggregate,
    combine_weights,
    critic_weights,
    entropy_weights,
    impute,
    normalize,
)


def median_time(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def paper_pipeline(rng: np.random.Generator, units: int, cols: int, years: int) -> pd.Series:
    """The configuration most NQPF papers use, on a synthetic panel with 1% missing cells."""
    index = pd.MultiIndex.from_product(
        [[f"u{i}" for i in range(units)], range(2014, 2014 + years)], names=["region", "year"]
    )
    values = rng.uniform(1.0, 100.0, size=(len(index), cols))
    values[rng.uniform(size=values.shape) < 0.01] = np.nan
    X = pd.DataFrame(values, index=index, columns=[f"i{j}" for j in range(cols)])
    X, _ = impute(X, "ffill_bfill")
    N = normalize(X, "minmax", scope="panel")
    w = combine_weights(
        [entropy_weights(N, zero="shift", shift=1e-5), critic_weights(N)], how="mean"
    )
    aggregate(N, w, "topsis", ideal_scope="year")
    return aggregate(N, w, "linear")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2900)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    m = rng.uniform(1.0, 100.0, size=(args.rows, args.cols))
    X = pd.DataFrame(m, columns=[f"i{j}" for j in range(args.cols)])
    types = np.ones(args.cols)
    w = np.full(args.cols, 1.0 / args.cols)
    weights = pd.Series(w, index=X.columns)

    cases: list[tuple[str, Callable[[], Any], str, Callable[[], Any]]] = [
        ("entropy", lambda: entropy_weights(X), "pymcdm", lambda: pymcdm_entropy(m)),
        ("entropy", lambda: entropy_weights(X), "pyrepo-mcda", lambda: entropy_weighting(m)),
        (
            "CRITIC (min-max first)",
            lambda: critic_weights(normalize(X, "minmax")),
            "pymcdm",
            lambda: pymcdm_critic(m),
        ),
        (
            "CRITIC (min-max first)",
            lambda: critic_weights(normalize(X, "minmax")),
            "pyrepo-mcda",
            lambda: critic_weighting(m),
        ),
        (
            "TOPSIS (min-max)",
            lambda: aggregate(normalize(X, "minmax"), weights, "topsis"),
            "pymcdm",
            lambda: PYMCDM_TOPSIS()(m, w, types),
        ),
        (
            "TOPSIS (min-max)",
            lambda: aggregate(normalize(X, "minmax"), weights, "topsis"),
            "pyrepo-mcda",
            lambda: PYREPO_TOPSIS()(m, w, types),
        ),
    ]
    print(f"matrix {args.rows} x {args.cols}, median of {args.repeat} runs")
    panel_time = median_time(lambda: paper_pipeline(rng, args.rows, args.cols, 10), 3)[0]
    print(
        f"paper pipeline on {args.rows} units x 10 years x {args.cols} indicators "
        f"(impute, panel min-max, entropy ε=1e-5 + CRITIC mean, linear, TOPSIS per year): "
        f"{panel_time:.3f} s"
    )
    print(
        f"{'method':24} {'peer':12} {'ours ms':>9} {'peer ms':>9} {'peer/ours':>9} {'max |diff|':>11}"
    )
    for name, ours, peer_name, peer in cases:
        t_ours, r_ours = median_time(ours, args.repeat)
        t_peer, r_peer = median_time(peer, args.repeat)
        diff = float(np.max(np.abs(np.asarray(r_ours) - np.asarray(r_peer))))
        print(
            f"{name:24} {peer_name:12} {t_ours * 1e3:9.2f} {t_peer * 1e3:9.2f} "
            f"{t_peer / t_ours:9.2f} {diff:11.2e}"
        )


if __name__ == "__main__":
    main()
