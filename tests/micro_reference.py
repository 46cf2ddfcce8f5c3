"""The plain pandas reference of the microdata aggregation, shared by ``tests/test_micro.py``
(equality on small data) and ``benchmarks/micro.py`` (the baseline at 1 M+ rows).

Per year t: the firms alive on 31 December (registered in or before t, not exited in or before
t) grouped by region × industry (count, capital sum), plus the year's entries and exits; cells
with no firm, entry or exit are dropped.
"""

from __future__ import annotations

import pandas as pd


def pandas_aggregate(firms: pd.DataFrame, years: range, depth: int) -> pd.DataFrame:
    """Stocks, entries and exits by plain pandas group-bys, year by year."""
    f = firms.assign(
        industry=firms["industry"].str[:depth],
        y_in=pd.to_datetime(firms["registered"]).dt.year,
        y_out=pd.to_datetime(firms["exited"]).dt.year,
    )
    f = f[f["industry"].str.len() >= depth]
    frames = []
    for t in years:
        alive = f[(f["y_in"] <= t) & ~(f["y_out"] <= t)]
        stock = alive.groupby(["region", "industry"]).agg(
            firms=("y_in", "size"), capital=("capital", "sum")
        )
        entries = f[f["y_in"] == t].groupby(["region", "industry"]).size().rename("entries")
        exits = f[f["y_out"] == t].groupby(["region", "industry"]).size().rename("exits")
        year = pd.concat([stock, entries, exits], axis=1).fillna(0).reset_index()
        year["year"] = t
        frames.append(year)
    out = pd.concat(frames, ignore_index=True)
    out = out[(out["firms"] != 0) | (out["entries"] != 0) | (out["exits"] != 0)]
    for c in ("firms", "entries", "exits"):
        out[c] = out[c].astype("int64")
    cols = ["region", "industry", "year", "firms", "capital", "entries", "exits"]
    return out[cols].sort_values(cols[:3], ignore_index=True)
