"""Chain maps on the packaged data: the chain definitions, the listed-company directory,
the national input-output table and the provinces' geography.

:func:`chain_map` answers "which links of chain C are strong, weak or missing in region R,
who could fill the gaps and which listed firms are there" (``nqpf chain show``);
:func:`chain_catalog` lists the chains (``nqpf chain list``); :func:`chain_flow_checks`
runs the input-output check of every chain step.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import yaml

from nqpf.chain.chainmap import (
    STATUS_ZH,
    ChainMapOptions,
    candidate_firms,
    partner_regions,
    segment_firms,
    segment_status,
)
from nqpf.chain.definitions import Chain, io_flow_check, parse_chain, resolve_chain
from nqpf.results import ResultMixin, hash_spec

__all__ = [
    "ChainMapResult",
    "chain_catalog",
    "chain_flow_checks",
    "chain_map",
    "chains",
    "class_names",
    "geography",
    "get_chain",
]

_EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


@dataclass
class ChainMapResult(ResultMixin):
    """A region's chain map (result protocol :mod:`nqpf.results`, kind ``chain_map``): its
    spec (chain, region, options), ``spec_hash``, provenance, warnings and the named tables
    ``segments``, ``partners``, ``candidates``, ``flows`` (input-output check of each step)."""

    main_table: ClassVar[str | None] = "segments"

    chain: Chain
    region: str
    region_name: str
    options: ChainMapOptions
    segments: pd.DataFrame
    partners: pd.DataFrame
    candidates: pd.DataFrame
    flows: pd.DataFrame
    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: what the counted firms are, in the labels (上市企业 listed companies, or 企业 records)
    firm_word: str = "上市企业"

    @property
    def kind(self) -> str:
        return "chain_map"

    @property
    def spec(self) -> dict[str, Any]:
        return {
            "chain": self.chain.id,
            "region": self.region,
            "options": {**asdict(self.options), "weights": dict(self.options.weights)},
        }

    @property
    def spec_hash(self) -> str:
        return hash_spec(self.spec, self.segments)

    @property
    def provenance(self) -> pd.DataFrame:
        return pd.DataFrame({"source": [*self.chain.sources, *self.sources]})

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "segments": self.segments,
            "partners": self.partners,
            "candidates": self.candidates,
            "flows": self.flows,
        }


@cache
def chains() -> tuple[Chain, ...]:
    """Every packaged chain definition (``nqpf/chain/chains/*.yaml``), sorted by id."""
    folder = resources.files("nqpf.chain").joinpath("chains")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = _load_yaml(entry.read_text(encoding="utf-8"))
            found.append(parse_chain(data, source=f"chains/{entry.name}"))
    return tuple(found)


@cache
def class_names() -> dict[str, str]:
    """Code → name of every GB/T 4754-2017 class or group a packaged segment uses
    (``nqpf/chain/gbt4754_classes.csv``, from the standard's class table, 国家统计局)."""
    text = resources.files("nqpf.chain").joinpath("gbt4754_classes.csv").read_text("utf-8")
    rows = [line.split(",", 1) for line in text.splitlines()[1:] if line]
    return {code: name for code, name in rows}


def get_chain(name: str) -> Chain:
    """A chain by id or name (新能源汽车, nev, …); unknown names get suggestions."""
    return resolve_chain(name, chains())


@cache
def geography() -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """Great-circle distances (km) between provincial capitals and land neighbours."""
    data = _load_yaml(
        resources.files("nqpf.chain").joinpath("geography.yaml").read_text(encoding="utf-8")
    )
    codes = sorted(data["capitals"])
    lat = np.radians([data["capitals"][c]["lat"] for c in codes])
    lon = np.radians([data["capitals"][c]["lon"] for c in codes])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    dist = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    neighbours = {str(k): set(map(str, v)) for k, v in data["neighbours"].items()}
    return pd.DataFrame(dist, index=codes, columns=codes), neighbours


@cache
def _firms() -> pd.DataFrame:
    from nqpf.data import load_enterprises

    firms = load_enterprises().dropna(subset=["province", "industry"])
    return firms.rename(columns={"province": "region"}).reset_index(drop=True)


@cache
def _members(chain_id: str) -> pd.DataFrame:
    return segment_firms(get_chain(chain_id), _firms())


@cache
def _similarity() -> pd.DataFrame:
    from nqpf.industry.structure import similarity

    counts = _firms().groupby(["region", "industry"]).size().unstack(fill_value=0)
    return similarity(counts.astype(float))


def chain_catalog() -> pd.DataFrame:
    """One row per chain: id, names, segments (upstream → downstream), listed firms, sources."""
    rows = []
    for chain in chains():
        members = _members(chain.id)
        rows.append(
            {
                "id": chain.id,
                "name_zh": chain.name_zh,
                "name_en": chain.name_en,
                "segments": " → ".join(s.name_zh.split("（")[0] for s in chain.segments),
                "n_segments": len(chain.segments),
                "firms": members["code"].nunique(),
                "sources": "; ".join(chain.sources),
            }
        )
    return pd.DataFrame(rows)


def chain_flow_checks(year: int = 2020, *, min_coefficient: float = 0.001) -> pd.DataFrame:
    """The input-output check of every step of every chain (see :func:`io_flow_check`)."""
    from nqpf.services.io import load_io

    table = load_io(year)
    frames = [
        io_flow_check(c, table.flows, table.output, min_coefficient=min_coefficient)
        for c in chains()
    ]
    return pd.concat(frames, ignore_index=True)


def chain_map(
    chain: str,
    region: str,
    *,
    options: ChainMapOptions | None = None,
    check_flows: bool = True,
) -> ChainMapResult:
    """The chain map of a province: segment status, partners for the gaps, candidate firms.

    ``check_flows`` adds the input-output check of each step (the ``flows`` table; it needs
    the national table, so the terminal view skips it).
    """
    from nqpf.regions import normalize_region, region_name

    opts = options or ChainMapOptions()
    found = get_chain(chain)
    code = normalize_region(region)
    firms = _firms()
    members = _members(found.id)
    totals = firms.groupby("region").size()
    status = segment_status(found, members, totals, options=opts)
    names = {c: region_name(c) for c in totals.index}
    distance, neighbours = geography()
    partners = partner_regions(
        found,
        status,
        code,
        similarity=_similarity(),
        distance_km=distance,
        neighbours=neighbours,
        names=names,
        options=opts,
    )
    candidates = candidate_firms(members, partners, options=opts)
    candidates = candidates.assign(region_name=candidates["region"].map(names))[
        [
            "segment", "partner_rank", "region", "region_name", "code", "name", "industry",
            "board", "ownership", "list_date", "anchor",
        ]
    ]  # fmt: skip
    own = status[status["region"] == code].reset_index(drop=True)
    seg_meta = pd.DataFrame(
        [
            {
                "segment": s.id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "level": found.levels()[s.id],
                "feeds": ", ".join(s.feeds),
                "io_sectors": ", ".join(s.io_sectors),
            }
            for s in found.segments
        ]
    )
    own = seg_meta.merge(own.drop(columns="region"), on="segment")
    own["status_zh"] = own["status"].map(STATUS_ZH)
    own["national_firms"] = own["segment"].map(members.groupby("segment")["code"].nunique())
    own["reason_zh"] = [_status_reason(row, opts, names[code]) for row in own.to_dict("records")]
    flows = pd.DataFrame()
    if check_flows:
        from nqpf.services.io import load_io

        table = load_io(2020)
        flows = io_flow_check(found, table.flows, table.output)
    warnings = []
    if members.groupby("segment")["code"].nunique().min() < 5:
        thin = members.groupby("segment")["code"].nunique()
        warnings.append(
            "few listed firms nationwide in segment(s) "
            + ", ".join(thin[thin < 5].index)
            + ": their status rests on very few companies"
        )
    sources = [
        "上市公司名录: Tushare stock_basic snapshot 2026-06 (registered province, not plant location)",
        "投入产出表: NBS 2020, 153 sectors (step check)",
        "产业链定义: nqpf/chain/chains/" + found.id + ".yaml",
    ]
    return ChainMapResult(
        chain=found,
        region=code,
        region_name=names[code],
        options=opts,
        segments=own,
        partners=partners,
        candidates=candidates,
        flows=flows,
        sources=sources,
        warnings=warnings,
    )


def _load_yaml(text: str) -> Any:
    """Safe YAML load, with libyaml's C loader when PyYAML has it (10× faster)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _status_reason(row: Mapping[Hashable, Any], opts: ChainMapOptions, region: str) -> str:
    n = int(row["firms"])
    lq = float(row["lq"])
    rule = f"区位熵 ≥ {opts.strong_lq:g} 且 ≥ {opts.min_firms} 家"
    if opts.anchors_make_strong:
        rule += "，或有龙头企业"
    leaders = int(row["leaders"])
    if row["status"] == "strong" and leaders and (n < opts.min_firms or lq < opts.strong_lq):
        return f"{region}有 {n} 家上市企业，其中 {leaders} 家是该环节龙头企业（{rule}）"
    if row["status"] == "strong":
        return f"{region}有 {n} 家上市企业，区位熵 {lq:.2f}，全国第 {row['rank']}（{rule}）"
    if row["status"] == "weak":
        return f"{region}有 {n} 家上市企业，区位熵 {lq:.2f}，未达强链标准（{rule}）"
    return f"{region}在该环节没有上市企业"
