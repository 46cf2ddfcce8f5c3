"""Matching one request against 100 000 posts: NQPF's vectorised matcher vs DuckDB SQL.

Run: python benchmarks/board_match.py [--posts 100000 --requests 20]

Goal (issue 12): under 200 ms per request. Synthetic posts (seeded): kinds, chain
positions of the packaged chains, provinces, Tushare industries and validity dates drawn
at random. ``nqpf``: :func:`nqpf.market.match.rank_counterparts` on a
:class:`~nqpf.market.match.PostIndex` built once (its build time is printed separately);
``duckdb``: one SQL query computing the same score (adjacency, industry, region parts from
small lookup tables joined to the posts) and its top 10 — a strong vectorised peer. Both
return the same top-10 ids (checked). Runs are interleaved; threads: DuckDB's default, NQPF
single-threaded NumPy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd


def synthetic_posts(n: int, seed: int = 20261201) -> pd.DataFrame:
    from nqpf.data import load_enterprises
    from nqpf.services.chains import chains

    rng = np.random.default_rng(seed)
    positions = [(c.id, s.id) for c in chains() for s in c.segments]
    pick = rng.integers(0, len(positions), n)
    regions = sorted(load_enterprises()["province"].dropna().unique())
    industries = sorted(load_enterprises()["industry"].dropna().unique())
    today = date(2026, 12, 1)
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "kind": np.where(rng.random(n) < 0.5, "supply", "demand"),
            "enterprise": [f"企业{i}" for i in range(n)],
            "product": "产品",
            "industry": np.array(industries)[rng.integers(0, len(industries), n)],
            "chain": [positions[i][0] for i in pick],
            "segment": [positions[i][1] for i in pick],
            "region": np.array(regions)[rng.integers(0, len(regions), n)],
            "valid_until": [today + timedelta(days=int(d)) for d in rng.integers(-30, 365, n)],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    import duckdb

    from nqpf.market.match import PostIndex, _adjacency, _region_score, rank_counterparts
    from nqpf.services.market import match_context

    posts = synthetic_posts(args.posts)
    ctx = match_context()
    today = date(2026, 12, 1)
    t = time.perf_counter()
    index = PostIndex(posts)
    build = time.perf_counter() - t
    requests = posts[posts["kind"] == "demand"].head(args.requests).to_dict("records")
    con = duckdb.connect()
    con.register("posts", posts)

    def run_nqpf(req: dict[str, object]) -> list[int]:
        out = rank_counterparts(
            req, index, chain_steps=ctx["steps"], neighbours=ctx["neighbours"],
            distance_km=ctx["distance"], today=today, top=10,
        )  # fmt: skip
        return [int(i) for i in out["id"]]

    def run_duckdb(req: dict[str, object]) -> list[int]:
        positions = (posts["chain"] + "|" + posts["segment"]).unique()
        adj = pd.DataFrame(
            {
                "pos": positions,
                "adjacency": [
                    _adjacency("demand", str(req["chain"]), str(req["segment"]), p, ctx["steps"])
                    for p in positions
                ],
            }
        )
        near = ctx["neighbours"].get(str(req["region"]), set())
        km = ctx["distance"].loc[str(req["region"])].to_dict()
        regions = posts["region"].unique()
        reg = pd.DataFrame(
            {
                "region": regions,
                "rscore": [_region_score(str(req["region"]), r, near, km) for r in regions],
            }
        )
        con.register("adj", adj)
        con.register("reg", reg)
        rows = con.execute(
            """
            SELECT p.id,
                   (0.5 * a.adjacency + 0.2 * (lower(trim(p.industry)) = lower(trim(?)))::INT
                    + 0.3 * r.rscore) AS score
            FROM posts p
            JOIN adj a ON a.pos = p.chain || '|' || p.segment
            JOIN reg r ON r.region = p.region
            WHERE p.kind = 'supply' AND p.valid_until >= ? AND p.id <> ?
            ORDER BY score DESC, p.id
            LIMIT 10
            """,
            [req["industry"], today, req["id"]],
        ).fetchall()
        return [int(r[0]) for r in rows]

    times: dict[str, list[float]] = {"nqpf": [], "duckdb": []}
    for req in requests:
        run_nqpf(req)  # warm
        run_duckdb(req)
        for name, fn in (("nqpf", run_nqpf), ("duckdb", run_duckdb)):
            t = time.perf_counter()
            ids = fn(req)
            times[name].append(time.perf_counter() - t)
            if name == "nqpf":
                ours = ids
            else:
                assert ids == ours, (ids, ours)
    print(
        f"machine: {os.cpu_count()} cores; load avg {os.getloadavg()[0]:.1f}; {args.posts:,} posts"
    )
    print(f"PostIndex build (once per set of posts): {build * 1000:.0f} ms")
    base = statistics.median(times["nqpf"])
    for name, values in times.items():
        med = statistics.median(values)
        print(
            f"{name:>7}: median {med * 1000:7.1f} ms per request (ratio to nqpf {med / base:5.2f})"
        )
    print(f"goal < 200 ms per request: {'met' if base < 0.2 else 'NOT met'}")


if __name__ == "__main__":
    main()
