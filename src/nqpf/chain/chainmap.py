"""Chain map of a region (产业链图谱): strong, weak and missing segments, partner regions for
the gaps, and candidate firms there (补链强链招商).

Presence. For region r and segment s with n_rs listed firms in the segment, N_r listed firms
in r, n_s in the segment nationwide and N in total, the location quotient (区位熵) is

    LQ_rs = (n_rs / N_r) / (n_s / N)

(the RCA of :mod:`nqpf.industry.advantage` on a region × segment table whose rows are all
of a region's listed firms). Status:

* ``strong`` (强链): n_rs ≥ ``min_firms`` and LQ_rs ≥ ``strong_lq``, or (option
  ``anchors_make_strong``, on by default) the region hosts one of the segment's named
  leaders (the chain definition's ``anchors``, e.g. 宁德时代 for battery cells) — firm counts
  ignore size, and one national leader is a strong link by itself;
* ``weak`` (弱链): at least one firm, but not strong;
* ``missing`` (缺链): no firm.

Defaults ``strong_lq = 1`` (a larger share of the region's firms than of the nation's) and
``min_firms = 3`` (one or two firms are too few to call a link strong); both are options.

Partners for a weak or missing segment s of r are the regions where s is strong, ranked by

    score = w_s·strength + w_r·relatedness + w_d·proximity + w_c·chain_depth

with every component in [0, 1]: *strength* the mean of the percentile ranks (over all
regions) of n_ps and LQ_ps; *relatedness* the cosine similarity of the two regions'
industry structures (shares of listed firms by industry, :func:`nqpf.industry.structure.similarity`);
*proximity* exp(−d_rp / ``distance_scale_km``) of the great-circle distance between capitals
(1 000 km by default: a neighbour 300 km away scores 0.74, a region 2 000 km away 0.14);
*chain_depth* the share of the segments adjacent to s in the chain (its suppliers and
customers) that are also strong in p — a partner that already hosts the neighbouring steps
can supply a working link, not just a firm. Default weights (0.4, 0.2, 0.25, 0.15) are
options. The packaged data have no inter-provincial trade flows, so "existing flows" between
r and p cannot be measured; chain depth and proximity stand in for them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nqpf.chain.definitions import Chain
from nqpf.errors import InputError

__all__ = [
    "ChainMapOptions",
    "candidate_firms",
    "partner_regions",
    "segment_firms",
    "segment_status",
    "status_table",
]

STATUS_ZH = {"strong": "强", "weak": "弱", "missing": "缺"}


@dataclass(frozen=True)
class ChainMapOptions:
    """Thresholds and weights of a chain map (validated once, here)."""

    strong_lq: float = 1.0
    min_firms: int = 3
    distance_scale_km: float = 1000.0
    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "strength": 0.4,
            "relatedness": 0.2,
            "proximity": 0.25,
            "chain_depth": 0.15,
        }
    )
    max_partners: int = 3
    max_firms: int = 5
    anchors_make_strong: bool = True

    def __post_init__(self) -> None:
        if self.strong_lq <= 0:
            raise InputError(f"strong_lq must be > 0, got {self.strong_lq}")
        if self.min_firms < 1:
            raise InputError(f"min_firms must be ≥ 1, got {self.min_firms}")
        if self.distance_scale_km <= 0:
            raise InputError(f"distance_scale_km must be > 0, got {self.distance_scale_km}")
        expected = {"strength", "relatedness", "proximity", "chain_depth"}
        if set(self.weights) != expected or any(w < 0 for w in self.weights.values()):
            raise InputError(
                f"weights must give non-negative values for {sorted(expected)}",
                hint="e.g. strength=0.4, relatedness=0.2, proximity=0.25, chain_depth=0.15",
            )
        if sum(self.weights.values()) <= 0:
            raise InputError("at least one partner weight must be positive")
        if self.max_partners < 1 or self.max_firms < 0:
            raise InputError("max_partners must be ≥ 1 and max_firms ≥ 0")


def segment_firms(chain: Chain, firms: pd.DataFrame) -> pd.DataFrame:
    """Firms of every segment: the rows of ``firms`` with a ``segment`` and ``anchor`` column
    (a firm can belong to several segments)."""
    parts = []
    for seg in chain.segments:
        chosen = firms[seg.firms.select(firms)]
        parts.append(
            chosen.assign(segment=seg.id, anchor=chosen["code"].isin(list(seg.firms.anchors)))
        )
    return pd.concat(parts, ignore_index=True)


def segment_status(
    chain: Chain,
    members: pd.DataFrame,
    region_totals: pd.Series,
    *,
    options: ChainMapOptions,
) -> pd.DataFrame:
    """Region × segment presence: ``region``, ``segment``, ``firms``, ``leaders`` (anchor
    firms), ``lq``, ``status``, ``rank`` (by firm count among regions, 1 = most).

    ``members`` are the segment firms (:func:`segment_firms`) with a ``region`` column;
    ``region_totals`` the number of all listed firms per region (N_r).
    """
    regions = region_totals.index
    seg_ids = [s.id for s in chain.segments]
    counts = (
        members.groupby(["region", "segment"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=regions, columns=seg_ids, fill_value=0)
    )
    total = float(region_totals.sum())
    national = counts.sum(axis=0).to_numpy(dtype=float)
    share_region = counts.to_numpy(dtype=float) / region_totals.to_numpy(dtype=float)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        lq = np.where(national > 0, share_region / (national / total), 0.0)
    leader_counts = np.zeros(counts.shape, dtype=np.int64)
    if "anchor" in members:
        leaders = (
            members[members["anchor"]]
            .groupby(["region", "segment"])
            .size()
            .unstack(fill_value=0)
            .reindex(index=regions, columns=seg_ids, fill_value=0)
        )
        leader_counts = leaders.to_numpy()
    return status_table(regions, seg_ids, counts.to_numpy(), lq, leader_counts, options)


def status_table(
    regions: pd.Index,
    seg_ids: list[str],
    n: np.ndarray,
    lq: np.ndarray,
    leader_counts: np.ndarray,
    options: ChainMapOptions,
) -> pd.DataFrame:
    """The long status table from region × segment arrays of firm counts ``n``, location
    quotients ``lq`` and named leaders (the thresholds of the module doc)."""
    strong = (n >= options.min_firms) & (lq >= options.strong_lq)
    if options.anchors_make_strong:
        strong |= leader_counts > 0
    status = np.where(strong, "strong", np.where(n > 0, "weak", "missing"))
    out = pd.DataFrame(
        {
            "region": np.repeat(regions.to_numpy(), len(seg_ids)),
            "segment": np.tile(seg_ids, len(regions)),
            "firms": n.ravel(),
            "leaders": leader_counts.ravel(),
            "lq": lq.ravel(),
            "status": status.ravel(),
        }
    )
    out["rank"] = out.groupby("segment")["firms"].rank(ascending=False, method="min").astype(int)
    return out


def partner_regions(
    chain: Chain,
    status: pd.DataFrame,
    region: str,
    *,
    similarity: pd.DataFrame,
    distance_km: pd.DataFrame | None,
    neighbours: Mapping[str, set[str]],
    names: Mapping[str, str],
    options: ChainMapOptions,
    firm_word: tuple[str, str] = ("上市企业", "listed firms"),
) -> pd.DataFrame:
    """Ranked partner regions for each weak or missing segment of ``region`` (module doc).

    Without ``distance_km`` (prefectures and counties: no capitals' coordinates are
    packaged) proximity is not measured: it is 0, its weight is left out of the score and
    ``distance_km`` is NaN. ``firm_word`` names the firms in the reasons (listed
    companies, or the firms of the user's records).

    Columns: ``segment``, ``partner``, ``partner_name``, ``score``, ``strength``,
    ``relatedness``, ``proximity``, ``chain_depth``, ``firms``, ``lq``, ``distance_km``,
    ``neighbour``, ``reason_zh``, ``reason_en``.
    """
    if region not in set(status["region"]):
        raise InputError(f"region {region!r} is not in the chain map")
    wide_status = status.pivot(index="region", columns="segment", values="status")
    firms = status.pivot(index="region", columns="segment", values="firms")
    lq = status.pivot(index="region", columns="segment", values="lq")
    # strength: mean percentile rank of firm count and LQ over all regions
    strength = (firms.rank(pct=True) + lq.rank(pct=True)) / 2.0
    firm_counts: dict[Hashable, Any] = firms.to_dict()
    quotients: dict[Hashable, Any] = lq.to_dict()
    adjacent: dict[str, set[str]] = {s.id: set() for s in chain.segments}
    for u, v in chain.edges():
        adjacent[u].add(v)
        adjacent[v].add(u)
    w = dict(options.weights)
    if distance_km is None:
        w["proximity"] = 0.0
    total_weight = sum(w.values()) or 1.0
    rows = []
    own = wide_status.loc[region]
    for seg in chain.segments:
        if own[seg.id] == "strong":
            continue
        candidates = wide_status.index[
            (wide_status[seg.id] == "strong") & (wide_status.index != region)
        ]
        for p in candidates:
            near = adjacent[seg.id]
            depth = (
                float(np.mean([wide_status.loc[p, a] == "strong" for a in near])) if near else 0.0
            )
            d = float("nan") if distance_km is None else float(distance_km.loc[region, p])
            parts = {
                "strength": float(strength.loc[p, seg.id]),
                "relatedness": float(similarity.loc[region, p]),
                "proximity": 0.0 if np.isnan(d) else float(np.exp(-d / options.distance_scale_km)),
                "chain_depth": depth,
            }
            score = sum(w[k] * parts[k] for k in parts) / total_weight
            is_neighbour = p in neighbours.get(region, set())
            n_p = int(firm_counts[seg.id][p])
            lq_p = float(quotients[seg.id][p])
            rows.append(
                {
                    "segment": seg.id,
                    "partner": p,
                    "partner_name": names.get(p, p),
                    "score": score,
                    **parts,
                    "firms": n_p,
                    "lq": lq_p,
                    "distance_km": d,
                    "neighbour": is_neighbour,
                    "reason_zh": _reason_zh(
                        names.get(p, p),
                        names.get(region, region),
                        seg.name_zh,
                        n_p,
                        lq_p,
                        d,
                        is_neighbour,
                        parts,
                        len(near),
                        firm_word[0],
                    ),
                    "reason_en": _reason_en(
                        seg.name_en, n_p, lq_p, d, is_neighbour, parts, len(near), firm_word[1]
                    ),
                }
            )
    columns = [
        "segment", "partner", "partner_name", "score", "strength", "relatedness", "proximity",
        "chain_depth", "firms", "lq", "distance_km", "neighbour", "reason_zh", "reason_en",
    ]  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows, columns=columns)
    out = out.sort_values(["segment", "score", "partner"], ascending=[True, False, True])
    out["rank"] = out.groupby("segment").cumcount() + 1
    order = {s.id: i for i, s in enumerate(chain.segments)}
    out = out[out["rank"] <= options.max_partners]
    return out.sort_values(
        ["segment", "rank"], key=lambda c: c.map(order) if c.name == "segment" else c
    ).reset_index(drop=True)


def candidate_firms(
    members: pd.DataFrame, partners: pd.DataFrame, *, options: ChainMapOptions
) -> pd.DataFrame:
    """Listed firms of each partner region in the gap segment (补链招商 targets): anchors
    (the chain definition's named leaders) first, then by listing date (longest listed)."""
    if partners.empty or options.max_firms == 0:
        return members.iloc[:0].assign(partner_rank=pd.Series(dtype=int))
    keys = partners[["segment", "partner", "rank"]].rename(
        columns={"partner": "region", "rank": "partner_rank"}
    )
    found = members.merge(keys, on=["segment", "region"])
    found = found.sort_values(
        ["segment", "partner_rank", "anchor", "list_date", "code"],
        ascending=[True, True, False, True, True],
    )
    return found.groupby(["segment", "region"]).head(options.max_firms).reset_index(drop=True)


def _reason_zh(
    partner: str,
    region: str,
    segment: str,
    n_firms: int,
    lq: float,
    distance: float,
    neighbour: bool,
    parts: Mapping[str, float],
    n_adjacent: int,
    firms_zh: str,
) -> str:
    if neighbour:
        where = f"与{region}接壤，"
    elif np.isnan(distance):
        where = ""
    else:
        where = f"与{region}省会相距约 {distance:,.0f} 公里，"
    if not n_adjacent:
        depth = ""
    elif parts["chain_depth"] > 0:
        depth = f"，相邻环节中有 {parts['chain_depth']:.0%} 也是强链"
    else:
        depth = "，相邻环节尚非强链"
    return (
        f"{partner}有 {n_firms} 家{segment}{firms_zh}（区位熵 {lq:.2f}），"
        f"{where}产业结构相似度 {parts['relatedness']:.2f}{depth}。"
    )


def _reason_en(
    segment: str,
    n_firms: int,
    lq: float,
    distance: float,
    neighbour: bool,
    parts: Mapping[str, float],
    n_adjacent: int,
    firms_en: str,
) -> str:
    if neighbour:
        where = "a neighbour; "
    elif np.isnan(distance):
        where = ""
    else:
        where = f"{distance:,.0f} km between capitals; "
    depth = f"; strong in {parts['chain_depth']:.0%} of the adjacent steps" if n_adjacent else ""
    return (
        f"{n_firms} {firms_en} in {segment} (LQ {lq:.2f}); "
        f"{where}structural similarity {parts['relatedness']:.2f}{depth}."
    )
