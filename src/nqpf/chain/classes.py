"""GB/T 4754-2017 classes of chain segments, and segment status from firm records.

Every segment of a packaged chain lists its 国民经济行业分类 (GB/T 4754-2017) classes
(小类, 4 digits) or whole groups (中类, 3 digits) in ``gbt4754``; the names of those codes
are packaged in ``gbt4754_classes.csv`` (from the standard's class table, 国家统计局; loaded
by :func:`nqpf.services.chains.class_names`). Where the codes come from — 《战略性新兴产业分类（2018）》 (国家统计局令第23号), 《数字经济及其核心
产业统计分类（2021）》 (国家统计局令第33号), the input-output table's sector ↔ industry
correspondence or the standard's class descriptions — is the segment's ``gbt4754_source``;
where a class is shared with other uses (lithium salts inside 2613 无机盐制造) the segment's
``gbt4754_note`` says so.

A firm record with industry code ``k`` (2017 digits, :mod:`nqpf.micro.codes`) belongs to
segment s when ``k`` starts with one of s's codes. A record coded only to a division or a
group that *contains* one of s's codes (``38`` or ``384`` for the class 3841; 2011-vintage
records imported without a class concordance are kept to the division) cannot be placed:
it is counted as too shallow and reported, never guessed.

Status from records, for region r and segment s in year t, with n_rs the firms of r in s
alive on 31 December of t (registered in or before t, not exited in or before t), N_r all
firms of r alive then (every industry), n_s = Σ_r n_rs and N = Σ_r N_r:

    LQ_rs = (n_rs / N_r) / (n_s / N)            (measure ``firms``)
    LQ_rs = (k_rs / K_r) / (k_s / K)            (measure ``capital``: registered capital)

and the thresholds of :mod:`nqpf.chain.chainmap`: strong when n_rs ≥ ``min_firms`` and
LQ_rs ≥ ``strong_lq``; weak when n_rs ≥ 1; missing when n_rs = 0. (Named leaders are
listed companies; they play no part here.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.chain.chainmap import ChainMapOptions, status_table
from nqpf.chain.definitions import Chain
from nqpf.errors import InputError

__all__ = [
    "Measure",
    "check_classes",
    "micro_segment_status",
    "segment_classes",
]

Measure = Literal["firms", "capital"]


def segment_classes(chain: Chain, names: Mapping[str, str]) -> pd.DataFrame:
    """``segment, code, name``: one row per GB/T 4754 code of each segment (a code can
    serve several segments; ``names`` code → name, :func:`nqpf.services.chains.class_names`).
    A chain without class lists is refused."""
    missing = [s.id for s in chain.segments if not s.gbt4754]
    if missing:
        raise InputError(
            f"chain {chain.id} has no GB/T 4754 classes for segment(s) {', '.join(missing)}",
            hint="add a gbt4754 list to each segment of the chain definition",
        )
    rows = [(s.id, c, names.get(c, "")) for s in chain.segments for c in s.gbt4754]
    return pd.DataFrame(rows, columns=["segment", "code", "name"])


def check_classes(chain: Chain, names: Mapping[str, str]) -> list[str]:
    """Problems of a chain's class lists (empty when all is well): a segment without
    classes or without a source, a code whose division is not in GB/T 4754-2017 (the
    importer's check, :func:`nqpf.micro.codes.parse_industries`), a code missing from
    ``names`` (the packaged class table)."""
    from nqpf.micro.codes import parse_industries

    problems = []
    for seg in chain.segments:
        where = f"{chain.id}.{seg.id}"
        if not seg.gbt4754:
            problems.append(f"{where}: no gbt4754 classes")
            continue
        if not seg.gbt4754_source:
            problems.append(f"{where}: no gbt4754_source")
        parsed = parse_industries(seg.gbt4754, vintage="2017")
        for raw, industry, problem in zip(
            parsed["raw"].astype(str), parsed["industry"], parsed["problem"], strict=True
        ):
            if problem is not None:
                problems.append(f"{where}: {raw}: {problem}")
            elif str(industry) != raw:
                problems.append(f"{where}: {raw} is read as {industry}")
            if raw not in names:
                problems.append(f"{where}: {raw} is not in gbt4754_classes.csv")
    return problems


def micro_segment_status(
    chain: Chain,
    counts: pd.DataFrame,
    totals: pd.DataFrame,
    *,
    measure: Measure = "firms",
    options: ChainMapOptions,
) -> pd.DataFrame:
    """Region × segment status from firm-record counts (module doc).

    ``counts``: ``region, segment, firms, capital`` (the records alive on 31 December, in
    the segment's classes); ``totals``: ``region, firms, capital`` over every industry, one
    row per region of the map (a region with no firm at all has zeros). Columns: those of
    :func:`nqpf.chain.chainmap.segment_status` (``leaders`` is 0) plus ``capital``.
    """
    if measure not in ("firms", "capital"):
        raise InputError(f"unknown measure {measure!r}", hint="firms or capital")
    regions = pd.Index(totals["region"].astype(str))
    seg_ids = [s.id for s in chain.segments]

    def wide(column: str) -> np.ndarray:
        table = counts.pivot_table(
            index="region", columns="segment", values=column, aggfunc="sum", fill_value=0
        )
        return table.reindex(index=regions, columns=seg_ids, fill_value=0).to_numpy(dtype=float)

    n = wide("firms")
    k = wide("capital")
    value = n if measure == "firms" else k
    region_total = totals[measure].to_numpy(dtype=float)
    national = value.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(region_total[:, None] > 0, value / region_total[:, None], 0.0)
        lq = np.where(national > 0, share / (national / region_total.sum()), 0.0)
    out = status_table(
        regions, seg_ids, n.astype(np.int64), lq, np.zeros(n.shape, dtype=np.int64), options
    )
    out.insert(list(out.columns).index("lq"), "capital", k.ravel())
    if measure == "capital":
        out["rank"] = (
            out.groupby("segment")["capital"].rank(ascending=False, method="min").astype(int)
        )
    return out
