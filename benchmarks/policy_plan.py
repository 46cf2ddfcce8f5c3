"""Speed of the policy library and the layout MILP (targets: layout 31 × 110 < 10 s and
340 × 110 < 2 min; extraction of all national reports < 10 s; search < 100 ms).

Run: python benchmarks/policy_plan.py [--rounds 3]

Peers, run interleaved with ours in the same process (HiGHS uses its default threads):
* layout: scipy.optimize.milp on the same formulation (plain branch and bound, no
  LP-relaxation shortcut) — ours must equal its optimum;
* extraction: jieba's precise segmentation of the same text (a floor for any jieba-based
  extractor);
* search: a vectorised pandas ``str.contains`` scan over all texts for the same words.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from nqpf.plan.layout import _constraints, plan_layout
from nqpf.policy.extract import extract
from nqpf.policy.segment import query_words, tokenizer
from nqpf.services.policy import PolicyLibrary, packaged_corpus


def _fit(n: int, m: int) -> pd.DataFrame:
    rng = np.random.default_rng(n)
    return pd.DataFrame(
        rng.random((n, m)), index=[f"r{i}" for i in range(n)], columns=[f"j{j}" for j in range(m)]
    )


def _peer_milp(
    fit: pd.DataFrame, k: int, lo: int, hi: int, groups: dict[str, str], per: int
) -> float:
    n, m = fit.shape
    a, b_lo, b_hi, _ = _constraints(
        n,
        m,
        np.full(n, float(k)),
        np.full(m, float(lo)),
        np.full(m, float(hi)),
        pd.Series(groups).reindex(fit.index),
        per,
    )
    res = milp(
        -fit.to_numpy().ravel(),
        constraints=LinearConstraint(a, b_lo, b_hi),
        integrality=np.ones(n * m),
        bounds=Bounds(0, 1),
    )
    return float(-res.fun)


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def _scan(texts: pd.Series, words: list[str]) -> np.ndarray:
    return np.logical_and.reduce([texts.str.contains(w, regex=False) for w in words])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for n, k, lo, hi, per in ((31, 5, 1, 6, 2), (340, 3, 3, 12, 4)):
        fit = _fit(n, 110)
        groups = {r: "ECWN"[i % 4] for i, r in enumerate(fit.index)}
        ours, peer = [], []
        for _ in range(args.rounds):
            t, layout = _timed(
                plan_layout, fit, k=k, hubs_min=lo, hubs_max=hi, groups=groups, max_per_group=per
            )
            ours.append(t)
            t, best = _timed(_peer_milp, fit, k, lo, hi, groups, per)
            peer.append(t)
            assert abs(layout.objective - best) < 1e-6, (layout.objective, best)
        print(
            f"layout {n}×110: ours {statistics.median(ours):.2f} s, scipy milp {statistics.median(peer):.2f} s, ratio {statistics.median(peer) / statistics.median(ours):.1f}× (optimum equal)"
        )

    corpus = packaged_corpus()
    reports = corpus[corpus["doc_type"] == "work_report"]
    text = "\n".join(reports["text"])
    tokenizer()  # dictionary built once, outside the timing
    ours, peer = [], []
    for _ in range(args.rounds):
        t, _ = _timed(
            lambda: [
                extract(r.text, year=r.year, doc_type=r.doc_type) for r in reports.itertuples()
            ]
        )
        ours.append(t)
        t, _ = _timed(lambda: list(tokenizer().cut(text)))
        peer.append(t)
    print(
        f"extraction of {len(reports)} reports ({len(text):,} characters): ours {statistics.median(ours):.2f} s, jieba cut {statistics.median(peer):.2f} s, ratio {statistics.median(ours) / statistics.median(peer):.2f}"
    )

    with tempfile.TemporaryDirectory() as folder:
        library = PolicyLibrary(f"sqlite:///{folder}/bench.db")
        texts = corpus["text"]
        queries = [
            "新质生产力",
            "低空经济",
            "人工智能 产业",
            "研发经费投入强度",
            "数字经济",
            "碳达峰 碳中和",
        ]
        ours, peer = [], []
        for _ in range(args.rounds):
            for q in queries:
                t, _ = _timed(library.search, q)
                ours.append(t)
                words = query_words(q)
                t, _ = _timed(_scan, texts, words)
                peer.append(t)
        print(
            f"search ({len(queries)} queries × {args.rounds}, SQLite FTS5): ours median {1000 * statistics.median(ours):.1f} ms, pandas scan {1000 * statistics.median(peer):.1f} ms"
        )


if __name__ == "__main__":
    main()
