"""Index methods against pymcdm and pyrepo-mcda on the same matrix: time and agreement.

Run: python benchmarks/index_methods.py [--rows 2900 --cols 20 --repeats 20] [--threads 1]

Times our entropy weights, CRITIC weights and TOPSIS next to the same computation in pymcdm
and pyrepo-mcda on a random strictly positive matrix (rows = units, cols = indicators, the
2,900-county scale by default): interleaved A/B repeats after a warm-up, BLAS threads pinned
(``--threads``, default 1: CRITIC's ``np.corrcoef`` is a BLAS product), medians with ranges.
Each case first checks that both sides return the same numbers (≤ 1e-12), then prints the
ratio peer / ours (> 1: we are faster). Our functions take and return labelled pandas
objects and validate their input; the peers take bare NumPy arrays and check less, which is
most of the difference at this size (entropy vs pymcdm is below 1×).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from _harness import interleaved, machine, report  # first: pins the BLAS threads

# isort: split
import numpy as np
import pandas as pd
from pymcdm.methods import TOPSIS as PYMCDM_TOPSIS
from pymcdm.weights import critic_weights as pymcdm_critic
from pymcdm.weights import entropy_weights as pymcdm_entropy
from pyrepo_mcda.mcda_methods import TOPSIS as PYREPO_TOPSIS
from pyrepo_mcda.weighting_methods import critic_weighting, entropy_weighting

from nqpf.index import aggregate, critic_weights, entropy_weights, normalize


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2900)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    print(machine(), "\n")
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
    print(f"matrix {args.rows:,} × {args.cols}, {args.repeats} interleaved repeats each\n")
    ratios = []
    for name, ours, peer_name, peer in cases:
        diff = float(np.max(np.abs(np.asarray(ours()) - np.asarray(peer()))))
        if diff > 1e-12:
            raise SystemExit(f"{name}: {peer_name} differs from nqpf by {diff:.2e}")
        a, b = interleaved(ours, peer, repeats=args.repeats)
        ratio = report(f"{name} vs {peer_name} (max |diff| {diff:.1e})", a, b, peer_name)
        ratios.append(f"{name} vs {peer_name} {ratio:.2f}×")
    print(f"summary: load {os.getloadavg()[0]:.1f}; " + "; ".join(ratios))


if __name__ == "__main__":
    main()
