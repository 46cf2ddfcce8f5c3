"""Speed of the policy library: full-text search (target p50 < 100 ms) and extraction of all
national government work reports (target < 10 s), with wall and CPU time.

Run: python benchmarks/policy_library.py [--repeats 20] [--threads 1]

Peers, interleaved with ours (benchmarks/_harness.py):
* search: a vectorised pandas ``str.contains`` scan of every stored text for the same jieba
  words (what a library without an index does); the hit sets are checked equal first;
* extraction: jieba's precise segmentation of the same reports (a floor for any jieba-based
  extractor: ours segments for the industry fields and then applies the sentence rules).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from _harness import interleaved, machine, report  # first: pins the BLAS threads

# isort: split
import numpy as np
import pandas as pd

from nqpf.policy.extract import extract
from nqpf.policy.segment import query_words, tokenizer
from nqpf.services.policy import PolicyLibrary, packaged_corpus

QUERIES = (
    "新质生产力",
    "低空经济",
    "人工智能 产业",
    "研发经费投入强度",
    "数字经济",
    "碳达峰 碳中和",
    "专精特新",
    "城镇新增就业",
)


def _cpu(fn: Callable[[], Any], into: list[float]) -> Callable[[], Any]:
    def run() -> Any:
        start = time.process_time()
        value = fn()
        into.append(time.process_time() - start)
        return value

    return run


def _pct(times: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(times), q))


def _scan(texts: pd.Series, words: list[str]) -> np.ndarray:
    return np.logical_and.reduce([texts.str.contains(w, regex=False) for w in words])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    print(machine())
    corpus = packaged_corpus()
    with tempfile.TemporaryDirectory() as folder:
        library = PolicyLibrary(f"sqlite:///{folder}/bench.db")
        docs = library.documents().set_index("id")
        texts = pd.Series({i: library.document(int(i))["text"] for i in docs.index})
        ours_wall: list[float] = []
        peer_wall: list[float] = []
        ours_cpu: list[float] = []
        for q in QUERIES:
            words = query_words(q)
            hits = set(library.search(q, limit=1000)["id"])
            scan = set(texts.index[_scan(texts, words)])
            assert hits == scan, (q, hits ^ scan)
            a, b = interleaved(
                _cpu(lambda q=q: library.search(q), ours_cpu),
                lambda words=words: _scan(texts, words),
                repeats=args.repeats,
            )
            ours_wall += a
            peer_wall += b
        n = len(ours_wall)
        report(
            f"search, {len(QUERIES)} queries × {args.repeats} over {len(texts)} documents "
            f"(SQLite FTS5, hit sets equal to the scan's)",
            ours_wall,
            peer_wall,
            "pandas scan",
        )
        print(
            f"  nqpf p50 {1000 * _pct(ours_wall, 50):.1f} ms, p95 {1000 * _pct(ours_wall, 95):.1f} ms "
            f"wall; CPU p50 {1000 * _pct(ours_cpu[-n:], 50):.1f} ms, p95 "
            f"{1000 * _pct(ours_cpu[-n:], 95):.1f} ms (target p50 < 100 ms)"
        )

    reports = corpus[corpus["doc_type"] == "work_report"]
    text = "\n".join(reports["text"])
    tokenizer()  # the dictionary is built once, outside the timing
    cpu: list[float] = []

    def ours() -> list[pd.DataFrame]:
        return [extract(r.text, year=r.year, doc_type=r.doc_type) for r in reports.itertuples()]

    a, b = interleaved(
        _cpu(ours, cpu), lambda: list(tokenizer().cut(text)), repeats=3, warm_up=False
    )
    report(
        f"extraction of {len(reports)} national reports ({len(text):,} characters)",
        a,
        b,
        "jieba cut",
    )
    print(f"  nqpf CPU {statistics.median(cpu):.2f} s median (target < 10 s wall)")


if __name__ == "__main__":
    main()
