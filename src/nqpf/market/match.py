"""Matching supply offers and purchase requests (供需匹配) along industrial chains.

For a post q (a request, or an offer looking for buyers) every live post p of the other
kind gets

    score = w_a·adjacency + w_i·industry + w_r·region            (weights sum to 1)

* **adjacency** (chain position; segments are the posters' own positions in a chain): for a
  request in segment s, an offer from a segment that feeds s directly (one step upstream)
  scores 1, an offer two steps upstream 0.5, an offer from the same segment 0.5 (a peer
  supplier), anything else 0. For an offer the directions are mirrored (buyers one step
  downstream score 1). Posts without a chain position score 0 here.
* **industry**: 1 when both posts name the same industry (case and blanks ignored), else 0.
* **region** (the requester's preference for nearby partners): same region 1; a
  neighbouring region 0.7; a region where the counterpart's segment is a strong link
  (a partner region of the chain map) 0.5; otherwise 0.3·exp(−d / 1 000 km) by the distance
  between capitals.

Expired posts (valid_until before today) and the post itself are never matched. Default
weights (0.5, 0.2, 0.3) are options. Scoring is vectorised over integer codes built once
per set of posts (:class:`PostIndex`), so one request against 100 000 posts takes
milliseconds; explanations are written for the returned matches only.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = ["MatchWeights", "PostIndex", "rank_counterparts"]

#: Region scores (see module doc).
SAME_REGION, NEIGHBOUR, PARTNER_REGION, FAR_FACTOR = 1.0, 0.7, 0.5, 0.3
DISTANCE_SCALE_KM = 1000.0
ONE_STEP, TWO_STEPS, SAME_SEGMENT = 1.0, 0.5, 0.5


@dataclass(frozen=True)
class MatchWeights:
    adjacency: float = 0.5
    industry: float = 0.2
    region: float = 0.3

    def __post_init__(self) -> None:
        values = (self.adjacency, self.industry, self.region)
        if any(v < 0 for v in values) or sum(values) <= 0:
            raise InputError("match weights must be ≥ 0 and not all 0")


@dataclass
class PostIndex:
    """Posts as integer-coded arrays for fast scoring (built once per set of posts).

    ``posts`` needs the columns ``id``, ``kind``, ``enterprise``, ``product``, ``industry``,
    ``chain``, ``segment``, ``region``, ``valid_until``.
    """

    posts: pd.DataFrame
    position_codes: np.ndarray = field(init=False)
    positions: pd.Index = field(init=False)
    industry_codes: np.ndarray = field(init=False)
    industries: pd.Index = field(init=False)
    region_codes: np.ndarray = field(init=False)
    regions: pd.Index = field(init=False)
    supply: np.ndarray = field(init=False)
    valid_days: np.ndarray = field(init=False)
    ids: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        p = self.posts.reset_index(drop=True)
        self.posts = p
        position = p["chain"].fillna("").astype(str) + "|" + p["segment"].fillna("").astype(str)
        self.position_codes, self.positions = pd.factorize(position)
        industry = p["industry"].fillna("").astype(str).str.strip().str.lower()
        self.industry_codes, self.industries = pd.factorize(industry)
        self.region_codes, self.regions = pd.factorize(p["region"].astype(str))
        self.supply = (p["kind"] == "supply").to_numpy()
        self.valid_days = (
            pd.to_datetime(p["valid_until"]).to_numpy().astype("datetime64[D]").astype(np.int64)
        )
        self.ids = p["id"].to_numpy()


def rank_counterparts(
    request: Mapping[str, object],
    index: PostIndex,
    *,
    chain_steps: Mapping[str, list[tuple[str, str]]],
    neighbours: Mapping[str, set[str]],
    distance_km: pd.DataFrame,
    strong_regions: Mapping[str, set[str]] | None = None,
    segment_names: Mapping[str, str] | None = None,
    today: date,
    weights: MatchWeights | None = None,
    top: int = 10,
) -> pd.DataFrame:
    """The ``top`` counterparts of ``request`` with their score, its parts and an explanation.

    ``chain_steps`` maps a chain id to its (upstream, downstream) segment pairs;
    ``strong_regions`` maps ``"chain|segment"`` to the regions where it is a strong link.
    """
    w = weights or MatchWeights()
    total = w.adjacency + w.industry + w.region
    kind = str(request["kind"])
    if kind not in ("supply", "demand"):
        raise InputError(f"kind: {kind!r} is not supply or demand")
    chain = str(request.get("chain") or "")
    segment = str(request.get("segment") or "")
    region = str(request["region"])
    # per distinct chain position: adjacency to the request's position
    adjacency_of = np.array(
        [_adjacency(kind, chain, segment, pos, chain_steps) for pos in index.positions],
        dtype=float,
    )
    own_industry = str(request.get("industry") or "").strip().lower()
    industry_of = np.array(
        [1.0 if own_industry and ind == own_industry else 0.0 for ind in index.industries]
    )
    near = neighbours.get(region, set())
    km: dict[Hashable, Any] = (
        distance_km.loc[region].to_dict() if region in distance_km.index else {}
    )
    base_region = np.array([_region_score(region, r, near, km) for r in index.regions], dtype=float)
    adjacency = adjacency_of[index.position_codes] if len(adjacency_of) else np.zeros(0)
    industry = industry_of[index.industry_codes] if len(industry_of) else np.zeros(0)
    region_score = base_region[index.region_codes] if len(base_region) else np.zeros(0)
    if strong_regions:
        # a counterpart in a region where its own segment is strong: at least PARTNER_REGION
        strong_pair = _strong_pairs(index, strong_regions)
        region_score = np.where(strong_pair, np.maximum(region_score, PARTNER_REGION), region_score)
    score = (w.adjacency * adjacency + w.industry * industry + w.region * region_score) / total
    live = index.valid_days >= np.datetime64(today, "D").astype(np.int64)
    wanted = index.supply if kind == "demand" else ~index.supply
    mask = live & wanted
    own_id = request.get("id")
    if own_id is not None:
        mask &= index.ids != own_id
    score = np.where(mask, score, -np.inf)
    k = int(min(top, int(mask.sum())))
    if k == 0:
        return pd.DataFrame(
            columns=[
                *index.posts.columns,
                "score",
                "adjacency",
                "industry_match",
                "region_score",
                "explanation_zh",
                "explanation_en",
            ]
        )
    # the k-th best score, then every post at least that good, ties broken by post id
    kth = -np.partition(-score, k - 1)[k - 1]
    contenders = np.flatnonzero(score >= kth)
    best = contenders[np.lexsort((index.ids[contenders], -score[contenders]))][:k]
    out = index.posts.iloc[best].copy()
    out["score"] = score[best]
    out["adjacency"] = adjacency[best]
    out["industry_match"] = industry[best]
    out["region_score"] = region_score[best]
    names = segment_names or {}
    out["explanation_zh"] = [
        _explain_zh(kind, chain, segment, row, near, region, names, km)
        for row in out.to_dict("records")
    ]
    out["explanation_en"] = [_explain_en(kind, row, near, region) for row in out.to_dict("records")]
    return out.reset_index(drop=True)


def _adjacency(
    kind: str,
    chain: str,
    segment: str,
    position: str,
    chain_steps: Mapping[str, list[tuple[str, str]]],
) -> float:
    other_chain, _, other_segment = position.partition("|")
    if not chain or not segment or other_chain != chain or not other_segment:
        return 0.0
    if other_segment == segment:
        return SAME_SEGMENT
    steps = chain_steps.get(chain, [])
    # the supplier's segment is upstream of the buyer's
    supplier, buyer = (other_segment, segment) if kind == "demand" else (segment, other_segment)
    if (supplier, buyer) in steps:
        return ONE_STEP
    middle = {v for u, v in steps if u == supplier}
    if any((m, buyer) in steps for m in middle):
        return TWO_STEPS
    return 0.0


def _region_score(region: str, other: str, near: set[str], km: Mapping[Hashable, Any]) -> float:
    """Region score of a counterpart in ``other``; ``km``: distances from the request's region."""
    if other == region:
        return SAME_REGION
    if other in near:
        return NEIGHBOUR
    if other in km:
        return FAR_FACTOR * float(np.exp(-float(km[other]) / DISTANCE_SCALE_KM))
    return 0.0


def _strong_pairs(index: PostIndex, strong_regions: Mapping[str, set[str]]) -> np.ndarray:
    """Per post: is its region one where its own chain position is a strong link?"""
    table = np.zeros((len(index.positions), len(index.regions)), dtype=bool)
    region_pos = {r: j for j, r in enumerate(index.regions)}
    for i, pos in enumerate(index.positions):
        for r in strong_regions.get(pos, set()):
            j = region_pos.get(r)
            if j is not None:
                table[i, j] = True
    return np.asarray(table[index.position_codes, index.region_codes])


def _explain_zh(
    kind: str,
    chain: str,
    segment: str,
    row: Mapping[Hashable, Any],
    near: set[str],
    region: str,
    names: Mapping[str, str],
    km: Mapping[Hashable, Any],
) -> str:
    from nqpf.regions import region_name

    parts = []
    other_seg = names.get(f"{row['chain']}|{row['segment']}", str(row["segment"]))
    own_seg = names.get(f"{chain}|{segment}", segment)
    adjacency = float(row["adjacency"])
    if adjacency == ONE_STEP:
        rel = "直接上游" if kind == "demand" else "直接下游"
        parts.append(f"对方在{other_seg}环节，是您所在{own_seg}环节的{rel}")
    elif adjacency == TWO_STEPS and row["segment"] != segment:
        rel = "上游第二环" if kind == "demand" else "下游第二环"
        parts.append(f"对方在{other_seg}环节，是您的{rel}")
    elif adjacency == SAME_SEGMENT:
        parts.append(f"对方与您同在{own_seg}环节")
    else:
        parts.append("产业链位置不相邻或未填写")
    if float(row["industry_match"]) == 1.0:
        parts.append(f"同属{row['industry']}行业")
    other = str(row["region"])
    where = region_name(other)
    if other == region:
        parts.append(f"同在{where}")
    elif other in near:
        parts.append(f"位于相邻省份{where}")
    elif other in km:
        d = float(km[other])
        parts.append(f"位于{where}（省会相距约 {float(d):,.0f} 公里）")
    return "；".join(parts) + "。"


def _explain_en(kind: str, row: Mapping[Hashable, Any], near: set[str], region: str) -> str:
    adjacency = float(row["adjacency"])
    if adjacency == ONE_STEP:
        chain_part = (
            "one step " + ("upstream" if kind == "demand" else "downstream") + " in the chain"
        )
    elif adjacency > 0:
        chain_part = "close in the chain"
    else:
        chain_part = "not adjacent in the chain"
    industry = "same industry" if float(row["industry_match"]) == 1.0 else "other industry"
    other = str(row["region"])
    place = (
        "same region"
        if other == region
        else "neighbouring region"
        if other in near
        else "other region"
    )
    return f"{chain_part}; {industry}; {place}."
