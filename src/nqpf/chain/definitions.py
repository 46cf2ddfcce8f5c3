"""Chain definitions (产业链定义): ordered segments, their listed-company industries and
input-output sectors, parsed from the authored YAML files in ``nqpf/chain/chains``.

A chain is a small directed graph. Segments are listed upstream → downstream; each one
``feeds`` the segments it sells to (default: the next one in the list, an empty list for a
final segment). The ``flow`` of a segment is how its products reach the segments it feeds:
a step u → v is an *intermediate* flow by default — the national
input-output table must then show v buying u's products (checked by
:func:`io_flow_check`) — or a *capital* flow (``flow: capital``) when v buys u's products
as fixed assets (machine tools, fab equipment), which input-output tables record in
capital formation, not among the intermediate flows.

For chain maps from firm records, ``gbt4754`` lists the segment's GB/T 4754-2017 classes
(4 digits) or whole groups (3 digits), with ``gbt4754_source`` naming the classification
they come from and ``gbt4754_note`` saying where they are an approximation
(:mod:`nqpf.chain.classes`).

The firms of a segment are the listed companies of its Tushare ``industries``, the firms of
an industry whose name contains one of the ``within`` keywords, minus the ``exclude`` codes
(firms a keyword catches wrongly), plus the named ``anchors`` — the segment's leaders
(code → name; a test checks them against the enterprise list).

The step check: with Z the flows and x the gross output of the 153-sector table,
the input coefficient of step u → v is a_uv = Σ_{i∈u, j∈v} z_ij / Σ_{j∈v} x_j, the
value of u's products used per unit of v's output. A step is *real* when
a_uv ≥ ``min_coefficient`` (default 0.001: one yuan per thousand of output).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = [
    "Chain",
    "FirmSelector",
    "Segment",
    "io_flow_check",
    "parse_chain",
    "resolve_chain",
]

FlowKind = Literal["intermediate", "capital"]

#: One yuan of u's products per thousand yuan of v's output: below this a "step" of the
#: chain is not visible in the national table (flows of a 153-sector table are in 万元 and
#: the smallest published cells are a few thousandths of a sector's output).
DEFAULT_MIN_COEFFICIENT = 0.001


@dataclass(frozen=True)
class FirmSelector:
    industries: tuple[str, ...] = ()
    within: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    anchors: Mapping[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()

    def select(self, firms: pd.DataFrame) -> pd.Series:
        """Boolean mask over ``firms`` (columns ``code``, ``name``, ``industry``)."""
        mask = firms["industry"].isin(self.industries)
        for industry, words in self.within.items():
            inside = firms["industry"] == industry
            names = firms.loc[inside, "name"]
            hit = np.zeros(len(names), dtype=bool)
            for word in words:
                hit |= names.str.contains(word, regex=False, na=False).to_numpy()
            mask.loc[names.index[hit]] = True
        mask &= ~firms["code"].isin(list(self.exclude))
        mask |= firms["code"].isin(list(self.anchors))
        return mask


@dataclass(frozen=True)
class Segment:
    id: str
    name_zh: str
    name_en: str
    io_sectors: tuple[str, ...]
    firms: FirmSelector
    reason: str
    feeds: tuple[str, ...]
    flow: FlowKind = "intermediate"
    flow_note: str = ""
    #: GB/T 4754-2017 classes (4 digits) or whole groups (3 digits) of the segment, for
    #: chain maps from firm records; where they come from, and why they are approximate
    gbt4754: tuple[str, ...] = ()
    gbt4754_source: str = ""
    gbt4754_note: str = ""


@dataclass(frozen=True)
class Chain:
    id: str
    name_zh: str
    name_en: str
    sources: tuple[str, ...]
    segments: tuple[Segment, ...]

    def segment(self, segment_id: str) -> Segment:
        for seg in self.segments:
            if seg.id == segment_id or seg.name_zh == segment_id:
                return seg
        ids = [s.id for s in self.segments]
        close = difflib.get_close_matches(segment_id, ids, n=3)
        raise InputError(
            f"chain {self.id} has no segment {segment_id!r}",
            hint=f"did you mean {', '.join(close)}?" if close else f"segments: {', '.join(ids)}",
        )

    def edges(self) -> list[tuple[str, str]]:
        """Upstream → downstream steps (u, v)."""
        return [(seg.id, target) for seg in self.segments for target in seg.feeds]

    def levels(self) -> dict[str, int]:
        """Depth of each segment: 0 for segments nothing feeds, else 1 + the deepest supplier."""
        depth = {s.id: 0 for s in self.segments}
        for _ in self.segments:  # a DAG settles within n passes
            for u, v in self.edges():
                depth[v] = max(depth[v], depth[u] + 1)
        return depth


def parse_chain(data: Mapping[str, Any], *, source: str) -> Chain:
    """Validate one chain definition; errors name the file (``source``) and the field."""
    for key in ("id", "name_zh", "name_en", "segments", "sources"):
        if key not in data:
            raise InputError(f"{source}: missing field {key!r}")
    raw_segments = data["segments"]
    if not isinstance(raw_segments, list) or len(raw_segments) < 2:
        raise InputError(f"{source}: 'segments' must list at least two segments")
    ids = [str(s.get("id", "")) for s in raw_segments]
    if len(set(ids)) != len(ids) or "" in ids:
        raise InputError(f"{source}: segment ids must be present and unique, got {ids}")
    segments = []
    for i, raw in enumerate(raw_segments):
        where = f"{source}: segment {ids[i]!r}"
        for key in ("name_zh", "name_en", "io_sectors", "firms", "reason"):
            if key not in raw:
                raise InputError(f"{where}: missing field {key!r}")
        default_feeds = [ids[i + 1]] if i + 1 < len(ids) else []
        feeds = tuple(str(f) for f in raw.get("feeds", default_feeds))
        unknown = [f for f in feeds if f not in ids]
        if unknown:
            raise InputError(f"{where}: feeds unknown segment(s) {unknown}")
        if ids[i] in feeds:
            raise InputError(f"{where}: a segment cannot feed itself")
        flow = raw.get("flow", "intermediate")
        if flow not in ("intermediate", "capital"):
            raise InputError(f"{where}: flow must be intermediate or capital, got {flow!r}")
        if flow == "capital" and not raw.get("flow_note"):
            raise InputError(f"{where}: a capital flow needs a flow_note saying why")
        firms = raw["firms"] or {}
        selector = FirmSelector(
            industries=tuple(firms.get("industries", ())),
            within={str(k): tuple(map(str, v)) for k, v in (firms.get("within") or {}).items()},
            anchors={str(k): str(v) for k, v in (firms.get("anchors") or {}).items()},
            exclude=tuple(map(str, firms.get("exclude") or ())),
        )
        codes = tuple(str(c) for c in raw["io_sectors"])
        bad = [c for c in codes if not (len(c) == 3 and c.isdigit())]
        if bad or not codes:
            raise InputError(f"{where}: io_sectors must be 3-digit codes of the 153-sector table")
        classes = _classes(raw, where)
        segments.append(
            Segment(
                id=ids[i],
                name_zh=str(raw["name_zh"]),
                name_en=str(raw["name_en"]),
                io_sectors=codes,
                firms=selector,
                reason=str(raw["reason"]),
                feeds=feeds,
                flow=flow,
                flow_note=str(raw.get("flow_note", "")),
                gbt4754=classes,
                gbt4754_source=str(raw.get("gbt4754_source", "")),
                gbt4754_note=str(raw.get("gbt4754_note", "")),
            )
        )
    chain = Chain(
        id=str(data["id"]),
        name_zh=str(data["name_zh"]),
        name_en=str(data["name_en"]),
        sources=tuple(map(str, data["sources"])),
        segments=tuple(segments),
    )
    _check_acyclic(chain, source)
    return chain


def resolve_chain(name: str, chains: Sequence[Chain]) -> Chain:
    """Find a chain by id, Chinese or English name; unknown names get suggestions."""
    key = name.strip().lower()
    for chain in chains:
        if key in (chain.id.lower(), chain.name_zh.lower(), chain.name_en.lower()):
            return chain
    for chain in chains:  # a unique partial Chinese name (工业母机 → 工业母机与高端装备)
        if key and key in chain.name_zh.lower():
            return chain
    labels = [c.id for c in chains] + [c.name_zh for c in chains]
    close = difflib.get_close_matches(name, labels, n=3, cutoff=0.3)
    raise InputError(
        f"unknown chain {name!r}",
        hint=(f"did you mean {', '.join(close)}? " if close else "")
        + "see `nqpf chain list` for all chains",
    )


def io_flow_check(
    chain: Chain,
    flows: pd.DataFrame,
    output: pd.Series,
    *,
    min_coefficient: float = DEFAULT_MIN_COEFFICIENT,
) -> pd.DataFrame:
    """Input coefficient of every step u → v of the chain in a national table (see module doc).

    Columns: ``chain``, ``upstream``, ``downstream``, ``flow`` (intermediate/capital),
    ``coefficient``, ``flow_value`` (万元), ``real`` (coefficient ≥ min_coefficient), ``note``.
    """
    rows = []
    for u, v in chain.edges():
        up, down = chain.segment(u), chain.segment(v)
        missing = [c for c in (*up.io_sectors, *down.io_sectors) if c not in flows.index]
        if missing:
            raise InputError(f"chain {chain.id}: io sector(s) {missing} are not in the table")
        value = float(flows.loc[list(up.io_sectors), list(down.io_sectors)].to_numpy().sum())
        out = float(output.loc[list(down.io_sectors)].sum())
        coefficient = value / out if out > 0 else float(np.nan)
        rows.append(
            {
                "chain": chain.id,
                "upstream": u,
                "downstream": v,
                "flow": up.flow,
                "coefficient": coefficient,
                "flow_value": value,
                "real": bool(coefficient >= min_coefficient),
                "note": up.flow_note,
            }
        )
    return pd.DataFrame(rows)


def _classes(raw: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """The segment's GB/T 4754 codes: 3 or 4 digits as text, none inside another."""
    values = list(raw.get("gbt4754") or ())
    codes = tuple(str(c) for c in values)
    # an unquoted 0939 is the YAML number 939: a group, not the class; codes must be text
    bad = [
        c
        for c, v in zip(codes, values, strict=True)
        if not (isinstance(v, str) and len(c) in (3, 4) and c.isdigit())
    ]
    if bad:
        raise InputError(
            f"{where}: gbt4754 codes must be 4-digit classes or 3-digit groups as text, got {bad}",
            hint='quote them: ["0939", "261"]',
        )
    nested = [(a, b) for a in codes for b in codes if a != b and b.startswith(a)]
    if nested or len(set(codes)) != len(codes):
        raise InputError(
            f"{where}: gbt4754 codes repeat or lie inside one another {nested[:1]}",
            hint="a group (3 digits) already includes its classes",
        )
    if codes and not raw.get("gbt4754_source"):
        raise InputError(
            f"{where}: gbt4754 needs a gbt4754_source naming where the codes come from"
        )
    return codes


def _check_acyclic(chain: Chain, source: str) -> None:
    order = {s.id: i for i, s in enumerate(chain.segments)}
    for u, v in chain.edges():
        if order[v] <= order[u]:
            raise InputError(
                f"{source}: step {u} → {v} runs upstream; list segments upstream → downstream"
            )
