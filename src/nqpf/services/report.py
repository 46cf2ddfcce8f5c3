"""Leader-ready reports (``nqpf report``): one region's profile, or the all-province
overview, assembled from the other services' results into one result object.

A region profile (:func:`region_report`) has, in the order a 发改委 analyst hands it on:

1. **summary** — sentences generated from the numbers below (:func:`_summary`);
2. **level and rank** — the NQPF index and rank of :func:`nqpf.assess` (default options) in
   the report year, with the 5–95 % rank band of the uncertainty analysis when
   ``ReportSpec.uncertainty`` > 0 (else the report says the band was not computed);
3. **pillars** — each pillar's score and rank against the unweighted mean of the 31
   provinces and of the region's group (东部/中部/西部/东北);
4. **strengths and obstacles** — pillars ranked in the top third; obstacle degrees
   O_ij = F_j·I_ij / Σ_j F_j·I_ij (F_j global weight, I_ij = 1 − normalised value) and the
   coupling coordination D = √(C·T) of the tech and industry pillars, from
   :func:`nqpf.services.disparity.diagnose`;
5. **disparity context** — the Dagum Gini decomposition G = G_w + G_nb + G_t and the Theil
   T within/between split of the index over the four regions in the report year, and the
   region's group mean, from :func:`nqpf.services.disparity.disparity`;
6. **opportunities** — current strengths (RCA ≥ 1) then ranked tradable opportunities with
   their reasons, from :func:`nqpf.services.opportunities.opportunities` on the
   listed-company matrix (the defaults of ``nqpf opportunities``);
7. **chains** — strong/weak/missing segments and the best partner for each gap, for every
   packaged chain in which the region has listed firms (:func:`nqpf.services.chains.chain_map`);
8. **targets** — R&D intensity against the national path: the national value the NDRC
   article cites (2.41 % in 2020, 2.69 % in 2024) continued at its compound growth rate to
   ``ReportSpec.target_year``, tracked by :func:`nqpf.services.plan.targets`; then the
   region against each national target or path the policy library states
   (:func:`nqpf.services.plan.national_targets`);
9. **sources and method** — the provenance of every part.

The national overview (:func:`national_report`) has the ranking with bands, the pillar
table by group, the disparity series and the group trends.

A prefecture or county profile (:func:`unit_report`) has the same parts at its level: the
index of ``nqpf.assess(level=...)`` (the ``city`` / ``county`` framework) with its rank among
the level's units, within the province and, for a county, within its prefecture; the pillars
and the framework's indicators (value, rank, province and national means of the assessed
units), with the indicators of the provincial framework the level's framework lacks;
obstacles and coupling from :func:`nqpf.services.disparity.diagnose` (grouped by province);
the unit's position among its province's units and the Dagum G = G_w + G_nb + G_t and Theil
T = T_w + T_b decompositions over the level's units grouped by province, with the province's
within-group Gini G_jj and its contribution s_j·T_j to T; opportunities on the census
2020 unit × GB/T 4754 section employment matrix (tradable sections); the units of closest
employment structure (:func:`nqpf.services.industry.similar`). Chains and targets have no
data below the province: they are the parent province's, labelled as such.

Every number is read from the services' results, not recomputed; tests compare them.
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal, get_args

import pandas as pd

from nqpf.errors import InputError, NQPFWarning
from nqpf.index.assessment import Assessment
from nqpf.regions import classify_region, group_of, region_name
from nqpf.results import ResultMixin, hash_spec

__all__ = [
    "GROUP_EN",
    "LEVEL_NAMES",
    "Lang",
    "Level",
    "NationalReport",
    "RegionReport",
    "ReportSpec",
    "UnitReport",
    "build_report",
    "national_report",
    "region_report",
    "unit_report",
]

Lang = Literal["zh", "en"]
Level = Literal["province", "prefecture", "county"]

#: How the units of a level are called, (zh, en).
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "province": ("省份", "provinces"),
    "prefecture": ("地级单位", "prefecture-level units"),
    "county": ("县级单位", "county-level units"),
}

#: English names of the four regions.
GROUP_EN = {
    "东部": "Eastern region",
    "中部": "Central region",
    "西部": "Western region",
    "东北": "Northeast region",
}
_GROUPS = ("东部", "中部", "西部", "东北")


@dataclass(frozen=True)
class ReportSpec:
    """Options of ``nqpf report``, validated when made.

    ``region``: a province, prefecture or county (name, code or alias, resolved by
    :func:`nqpf.regions.find_unit` as ``nqpf diagnose`` does) or ``national``; ``level``
    forces a level (``北京`` with ``level="prefecture"`` is the municipality as a
    prefecture-level unit) and ``within`` (a province or prefecture) narrows an ambiguous
    county name; after validation ``region`` holds the code and ``level`` the level found
    (``None`` for ``national``). ``year``: the report year (default the latest assessed);
    ``lang``: language of the generated sentences; ``top``: rows of obstacles, strengths,
    opportunities and similar regions; ``uncertainty``: base sample size of the rank-band
    analysis (0 = none); ``target_indicator`` / ``target_year``: the tracked target (R&D
    intensity against the national path by 2030; a province's, so below the province the
    parent province's).
    """

    region: str
    year: int | None = None
    lang: Lang = "zh"
    top: int = 5
    uncertainty: int = 0
    target_indicator: str = "rd_intensity"
    target_year: int = 2030
    level: Level | None = None
    within: str | None = None

    def __post_init__(self) -> None:
        if self.lang not in get_args(Lang):
            raise InputError(f"unknown language {self.lang!r}", column="lang", hint="use zh or en")
        if self.level is not None and self.level not in get_args(Level):
            raise InputError(
                f"unknown level {self.level!r}",
                column="level",
                hint="use province, prefecture or county",
            )
        for name, low in (("top", 1), ("uncertainty", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise InputError(
                    f"{name} must be a whole number ≥ {low}, not {value!r}", column=name
                )
        code, level = _resolve(self.region, self.level, self.within)
        object.__setattr__(self, "region", code)
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "within", None)  # the code is unique now

    @property
    def national(self) -> bool:
        return self.region == "national"


def _resolve(name: str, level: Level | None, within: str | None) -> tuple[str, Level | None]:
    """(code, level) of ``name``; ``("national", None)`` for the national overview. Unknown
    and ambiguous names raise the one-line errors of :func:`nqpf.regions.find_unit` (an
    ambiguous county name lists every candidate with its province and prefecture)."""
    from nqpf.errors import UnknownRegionError
    from nqpf.regions import find_unit

    if level is None and within is None:
        try:
            if classify_region(name)[0] == "national":
                return "national", None
        except UnknownRegionError:
            pass
    found, code = find_unit(name, level=level, within=within)
    return code, found


@dataclass
class _ReportBase(ResultMixin):
    """Members both reports share (result protocol :mod:`nqpf.results`)."""

    kind: ClassVar[str] = "report"

    options: ReportSpec
    year: int
    years: list[int]
    summary: list[str]
    frames: dict[str, pd.DataFrame]
    provenance: pd.DataFrame
    method: list[tuple[str, str]]
    spec_hash: str
    warnings: list[str] = field(default_factory=list)

    @property
    def spec(self) -> dict[str, Any]:
        return asdict(self.options)

    @property
    def lang(self) -> Lang:
        return self.options.lang

    def tables(self) -> dict[str, pd.DataFrame]:
        return dict(self.frames)


@dataclass
class RegionReport(_ReportBase):
    """One region's profile (module docstring): ``headline`` holds index, rank, n and the
    band; tables ``pillars``, ``trajectory``, ``obstacles``, ``pillar_obstacles``,
    ``coupling``, ``disparity``, ``strengths``, ``opportunities``, ``chains``,
    ``partners``, ``targets``, ``library_targets``, ``sources``."""

    kind: ClassVar[str] = "region_report"
    main_table: ClassVar[str | None] = "pillars"

    region: str = ""
    region_name: str = ""
    group: str = ""
    headline: dict[str, Any] = field(default_factory=dict)


@dataclass
class NationalReport(_ReportBase):
    """The all-province overview: tables ``ranking``, ``pillars``, ``disparity``,
    ``group_trends``, ``sources``."""

    kind: ClassVar[str] = "national_report"
    main_table: ClassVar[str | None] = "ranking"


@dataclass
class UnitReport(_ReportBase):
    """A prefecture's or county's profile (module docstring): ``headline`` holds index,
    rank, the number of units, the ranks within the province (and prefecture) and the band;
    tables ``pillars``, ``indicators``, ``framework_gaps``, ``trajectory``, ``obstacles``,
    ``pillar_obstacles``, ``coupling``, ``disparity``, ``province_units``, ``strengths``,
    ``opportunities``, ``similar``, and the parent province's ``chains``, ``partners``,
    ``targets``, ``library_targets``; ``sources``."""

    kind: ClassVar[str] = "unit_report"
    main_table: ClassVar[str | None] = "pillars"

    region: str = ""
    region_name: str = ""
    level: str = ""
    province: str = ""
    province_name: str = ""
    headline: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------ helpers
def _assessment(spec: ReportSpec) -> Assessment:
    from nqpf.services.assessment import assess

    return assess(uncertainty=spec.uncertainty)


def _year(spec: ReportSpec, a: Assessment) -> tuple[int, list[int]]:
    years = sorted(int(y) for y in a.scores["year"].unique())
    if spec.year is None:
        return years[-1], years
    if spec.year not in years:
        raise InputError(
            f"no assessment for {spec.year}",
            column="year",
            hint=f"choose one of {years[0]}–{years[-1]}",
        )
    return spec.year, years


def _scores(a: Assessment) -> pd.DataFrame:
    """Scores with the four-regions group and, when computed, the rank band."""
    scores = a.scores.assign(group=lambda f: f["region"].map(group_of))
    if a.uncertainty is not None:
        bands = a.uncertainty.ranks[["region", "year", "median_rank", "rank_p05", "rank_p95"]]
        scores = scores.merge(bands, on=["region", "year"], how="left")
    return scores


def _pillars(a: Assessment, scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per pillar: national mean, the four group means, the best region (report year)."""
    now = scores[scores["year"] == year]
    rows = []
    for p in a.framework.pillars:
        best = now.sort_values([p.id, "region"], ascending=[False, True]).iloc[0]
        row: dict[str, Any] = {
            "pillar": p.id,
            "name_zh": p.name_zh,
            "name_en": p.name_en,
            "national_mean": float(now[p.id].mean()),
        }
        for g in _GROUPS:
            row[f"mean_{g}"] = float(now.loc[now["group"] == g, p.id].mean())
        row["best_region"] = str(best["region_name"])
        row["best_score"] = float(best[p.id])
        rows.append(row)
    return pd.DataFrame(rows)


def _disparity(years: list[int]) -> Any:
    from nqpf.services.disparity import DisparitySpec, disparity

    return disparity(DisparitySpec(measure="index", years=tuple(years), spatial=False))


def _sources(a: Assessment, extra: list[tuple[str, str]]) -> pd.DataFrame:
    """part, source: the assessment's indicator sources, then the other parts'."""
    from nqpf.data import sources

    registry = sources().drop_duplicates("source_id").set_index("source_id")
    ids = sorted({s for cell in a.provenance["source_ids"] for s in str(cell).split("; ") if s})
    rows = []
    for sid in ids:
        if sid in registry.index:
            entry = registry.loc[sid]
            text = f"{entry['publisher']}（{entry['dataset']}） [{sid}]"
        else:
            text = sid
        rows.append({"part": "assessment", "source": text})
    rows += [{"part": part, "source": text} for part, text in extra]
    return pd.DataFrame(rows, columns=["part", "source"])


def _method(a: Assessment, spec: ReportSpec) -> list[tuple[str, str]]:
    c = a.construction
    out = [
        ("framework", f"{a.framework.name_zh} / {a.framework.name_en}"),
        (
            "construction",
            f"normalize={c.normalize} ({c.scope}), weights={'+'.join(c.weights)}"
            f" ({c.combine}), aggregate={c.aggregate}, upper={c.upper}, "
            f"impute={c.impute}, outliers={c.outliers}",
        ),
        ("assessment spec_hash", a.spec_hash),
    ]
    if spec.uncertainty:
        assert a.uncertainty is not None
        out.append(
            (
                "uncertainty",
                f"Sobol N={spec.uncertainty}, {a.uncertainty.n_runs} runs; bands 5–95 %",
            )
        )
    return out


def _fmt_band(row: pd.Series) -> str | None:
    if "rank_p05" not in row or pd.isna(row["rank_p05"]):
        return None
    return f"{row['rank_p05']:.0f}–{row['rank_p95']:.0f}"


def _quiet(fn: Callable[[], Any]) -> Any:
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", NQPFWarning)
        return fn()


# ------------------------------------------------------------------------------ region
def region_report(spec: ReportSpec) -> RegionReport:
    """The profile of ``spec.region`` (see the module docstring)."""
    if spec.national or spec.level != "province":
        raise InputError(
            "region_report covers provinces; use build_report (or national_report, unit_report)",
            column="region",
        )
    from nqpf.services._cache import cached
    from nqpf.services.disparity import diagnose

    a = _assessment(spec)
    year, years = _year(spec, a)
    code = spec.region
    if code not in set(a.scores["region"].astype(str)):
        raise InputError(f"{region_name(code)} ({code}) is not assessed", column="region")
    key = hash_spec({"kind": "region_report", **asdict(spec), "year": year, "a": a.spec_hash})

    def build() -> RegionReport:
        scores = _scores(a)
        group = group_of(code)
        now = scores[scores["year"] == year]
        me = now[now["region"] == code].iloc[0]
        n = len(now)
        pillar_meta = _pillars(a, scores, year)
        rows = []
        for p in a.framework.pillars:
            pm = pillar_meta.set_index("pillar").to_dict("index")
            rank = int((now[p.id] > float(me[p.id])).sum()) + 1
            rows.append(
                {
                    "pillar": p.id,
                    "name_zh": p.name_zh,
                    "name_en": p.name_en,
                    "score": float(me[p.id]),
                    "rank": rank,
                    "national_mean": float(pm[p.id]["national_mean"]),
                    "group_mean": float(pm[p.id][f"mean_{group}"]),
                    "gap_national": float(me[p.id]) - float(pm[p.id]["national_mean"]),
                    "gap_group": float(me[p.id]) - float(pm[p.id][f"mean_{group}"]),
                }
            )
        pillars = pd.DataFrame(rows)
        pillars["standing"] = [
            "strength" if k <= n / 3 else "weakness" if k > 2 * n / 3 else "middle"
            for k in pillars["rank"]
        ]
        headline = {
            "region": code,
            "year": year,
            "index": float(me["index"]),
            "rank": int(me["rank"]),
            "n_regions": n,
            "group": group,
            "group_rank": int(
                (now.loc[now["group"] == group, "index"] > float(me["index"])).sum() + 1
            ),
            "group_size": int((now["group"] == group).sum()),
            "band": _fmt_band(me),
            "national_mean": float(now["index"].mean()),
            "group_mean": float(now.loc[now["group"] == group, "index"].mean()),
        }
        diag = diagnose(code, assessment=a, top=spec.top)
        names = a.provenance.set_index("indicator")
        obstacles = diag.obstacles[diag.obstacles["year"] == year].copy()
        obstacles["name_zh"] = obstacles["indicator"].map(names["name_zh"])
        obstacles["name_en"] = obstacles["indicator"].map(names["name_en"])
        pillar_obs = diag.pillar_obstacles[diag.pillar_obstacles["year"] == year]
        pillar_obs = pillar_obs.sort_values("rank", ignore_index=True)
        coupling = diag.coupling[diag.coupling["year"] == year].reset_index(drop=True)
        trajectory = diag.trajectory.copy()
        disp = _disparity(years)
        disparity_rows = _disparity_lines(disp, year, group)
        strengths, opportunities, matrix_sources = _opportunities(code, spec.top)
        chains, partners, chain_sources = _chains(code)
        targets_table, target_note = _targets(code, spec)
        library, library_warnings = _library_targets(code, spec.target_indicator)
        extra = (
            [("opportunities", s) for s in matrix_sources]
            + [("chains", s) for s in chain_sources]
            + [("targets", target_note)]
        )
        report = RegionReport(
            options=spec,
            year=year,
            years=years,
            summary=[],
            frames={
                "pillars": pillars,
                "trajectory": trajectory,
                "obstacles": obstacles.reset_index(drop=True),
                "pillar_obstacles": pillar_obs,
                "coupling": coupling,
                "disparity": disparity_rows,
                "strengths": strengths,
                "opportunities": opportunities,
                "chains": chains,
                "partners": partners,
                "targets": targets_table,
                "library_targets": library,
                "sources": _sources(a, extra),
            },
            provenance=a.provenance,
            method=[
                *_method(a, spec),
                ("diagnosis spec_hash", diag.spec_hash),
                ("disparity spec_hash", disp.spec_hash),
            ],
            spec_hash=key,
            warnings=[*a.warnings, *diag.warnings, *disp.warnings, *library_warnings],
            region=code,
            region_name=region_name(code) if spec.lang == "zh" else region_name(code, lang="en"),
            group=group,
            headline=headline,
        )
        report.summary = _summary(report)
        return report

    return cached(key, build)


def _dagum_rows(tables: dict[str, Any], year: int) -> list[tuple[str, float]]:
    """Dagum G of ``year`` and the within, net-between and transvariation shares."""
    dagum = tables["dagum_summary"].set_index("year").loc[year]
    return [
        ("dagum_G", float(dagum["G"])),
        ("dagum_share_within", float(dagum["share_w"])),
        ("dagum_share_between", float(dagum["share_nb"])),
        ("dagum_share_transvariation", float(dagum["share_t"])),
    ]


def _theil_rows(tables: dict[str, Any], year: int) -> list[tuple[str, float]]:
    """Theil T of ``year`` and its within/between split (none when it was not computed)."""
    if "theil_t" not in tables:
        return []
    theil = tables["theil_t"].set_index("year").loc[year]
    return [
        ("theil_T", float(theil["index"])),
        ("theil_share_within", float(theil["share_within"])),
        ("theil_share_between", float(theil["share_between"])),
    ]


def _disparity_lines(disp: Any, year: int, group: str) -> pd.DataFrame:
    """measure, value of the report year: Dagum G and its shares, Theil T and its split, the
    group's mean and within-group Gini."""
    tables = disp.tables()
    within = tables["dagum_within"]
    mine = within[(within["year"] == year) & (within["group"] == group)].iloc[0]
    rows = _dagum_rows(tables, year)
    rows += [("group_mean", float(mine["mean"])), ("group_gini", float(mine["G_jj"]))]
    rows += _theil_rows(tables, year)
    first = int(tables["dagum_summary"]["year"].min())
    g0 = float(tables["dagum_summary"].set_index("year").loc[first, "G"])
    rows.append(("dagum_G_first_year", g0))
    rows.append(("first_year", float(first)))
    return pd.DataFrame(rows, columns=["measure", "value"])


def _opportunities(code: str, top: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Current strengths and ranked tradable opportunities on the listed-company matrix,
    with the defaults of ``nqpf opportunities``."""
    from nqpf.services.opportunities import OpportunitySpec, opportunities

    result = _quiet(lambda: opportunities(OpportunitySpec(region=code, matrix="listed")))
    strengths = result.strengths[result.strengths["tradable"]].head(top).reset_index()
    opps = result.opportunities
    opps = opps[opps["tradable"]].sort_values("rank").head(top).reset_index()
    keep = [
        "industry",
        "name",
        "rank",
        "score",
        "rca",
        "density",
        "entry_probability",
        "pci",
        "growth",
        "type",
        "stage",
        "reason_zh",
        "reason_en",
        "lever_zh",
        "lever_en",
    ]
    prov = result.provenance.iloc[0]
    sources = [f"{prov['source']} ({prov['unit']}; {prov['years']})"]
    return strengths, opps[keep].reset_index(drop=True), sources


def _chains(code: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Segments of every packaged chain in which the region has listed firms, and the
    best-ranked partner for each weak or missing segment."""
    from nqpf.services.chains import chain_catalog, chain_map

    seg_frames, partner_frames = [], []
    sources: list[str] = []
    for cid in chain_catalog()["id"]:
        found = chain_map(str(cid), code, check_flows=False)
        seg = found.segments
        if int(seg["firms"].sum()) == 0:
            continue
        cols = ["segment", "name_zh", "name_en", "status", "status_zh", "firms", "lq"]
        part = seg[[*cols, "reason_zh"]].assign(
            chain=found.chain.id,
            chain_zh=found.chain.name_zh,
            chain_en=found.chain.name_en,
        )
        seg_frames.append(part)
        best = found.partners[found.partners["rank"] == 1]
        partner_frames.append(
            best.assign(
                chain=found.chain.id, chain_zh=found.chain.name_zh, chain_en=found.chain.name_en
            )
        )
        sources = found.sources
    chains = pd.concat(seg_frames, ignore_index=True) if seg_frames else pd.DataFrame()
    keep = [
        "chain", "chain_zh", "chain_en", "segment", "partner", "partner_name", "score",
        "reason_zh", "reason_en",
    ]  # fmt: skip
    partners = (
        pd.concat(partner_frames, ignore_index=True)[keep] if partner_frames else pd.DataFrame()
    )
    return chains, partners, sources[:1]


def _national_path(indicator: str, year: int) -> tuple[float, str]:
    """The national value of ``indicator`` in ``year`` on the path of the article's cited
    figures: the last cited value times (1 + CAGR)^(year − last year)."""
    from nqpf.data import article_figures

    art = article_figures().dropna(subset=["indicator"])
    art = art[(art["indicator"] == indicator) & art["period"].astype(str).str.fullmatch(r"\d{4}")]
    if len(art) < 2:
        raise InputError(
            f"no national path for {indicator!r}",
            column="target_indicator",
            hint="use rd_intensity",
        )
    art = art.sort_values("year")
    y0, y1 = int(art["year"].iloc[0]), int(art["year"].iloc[-1])
    v0, v1 = float(art["value"].iloc[0]), float(art["value"].iloc[-1])
    cagr = (v1 / v0) ** (1 / (y1 - y0)) - 1
    value = v1 * (1 + cagr) ** (year - y1)
    note = (
        f"全国路径 national path: {v0:g} ({y0}) → {v1:g} ({y1}), CAGR {cagr:.2%}, "
        f"{value:.2f} by {year} (《文章》引用值 figures cited by the NDRC article)"
    )
    return value, note


def _targets(code: str, spec: ReportSpec) -> tuple[pd.DataFrame, str]:
    from nqpf.services.plan import targets

    target, note = _national_path(spec.target_indicator, spec.target_year)
    result = targets(spec.target_indicator, target=target, by=spec.target_year, regions=[code])
    table = result.to_frame()
    table = table[table["region"] == code].reset_index(drop=True)
    table.insert(0, "indicator", spec.target_indicator)
    return table, note


def _library_targets(code: str, indicator: str) -> tuple[pd.DataFrame, list[str]]:
    """The region against each national target or path of ``indicator`` stated in the
    policy library (:func:`nqpf.services.plan.national_targets`), with the document; an
    empty table and a warning when the library has none or cannot be opened."""
    from nqpf.errors import NQPFError
    from nqpf.services.plan import national_targets

    try:
        result = national_targets(indicator, regions=[code])
    except NQPFError as exc:
        return pd.DataFrame(), [f"policy library targets not shown: {exc}"]
    tables = result.tables()
    docs = tables["statements"].set_index("statement")[["document_title", "document_year"]]
    table = tables["targets"]
    table = table[table["region"] == code].join(docs, on="statement")
    return table.reset_index(drop=True), []


# ------------------------------------------------------------------------------ summary
def _summary(r: RegionReport) -> list[str]:
    """3–6 plain sentences from the report's numbers, in ``r.lang``."""
    h = r.headline
    zh = r.lang == "zh"
    name = r.region_name
    group = h["group"] if zh else GROUP_EN[h["group"]]
    traj = r.frames["trajectory"].set_index("year")
    by_year = traj.to_dict("index")
    first = int(traj.index.min())
    out: list[str] = []
    above = h["index"] >= h["national_mean"]
    band = ""
    if h["band"]:
        band = f"（不确定性分析排名区间第{h['band']}位）" if zh else f" (5–95 % band {h['band']})"
    if zh:
        out.append(
            f"{r.year}年{name}新质生产力指数为{h['index']:.3f}，在{h['n_regions']}个省份中"
            f"列第{h['rank']}位{band}，在{group}{h['group_size']}省中列第{h['group_rank']}位；"
            f"{'高于' if above else '低于'}全国平均（{h['national_mean']:.3f}）。"
        )
    else:
        out.append(
            f"In {r.year} {name}'s NQPF index was {h['index']:.3f}, rank {h['rank']} of "
            f"{h['n_regions']} provinces{band} and {h['group_rank']} of {h['group_size']} in the "
            f"{group}; {'above' if above else 'below'} the national mean ({h['national_mean']:.3f})."
        )
    if first != r.year:
        r0, r1 = int(by_year[first]["rank"]), int(by_year[r.year]["rank"])
        ratio = float(by_year[r.year]["index"]) / float(by_year[first]["index"])
        g = math.log(ratio) / (r.year - first)
        if zh:
            move = (
                f"由第{r0}位{'上升' if r1 < r0 else '下降'}至第{r1}位"
                if r1 != r0
                else f"保持第{r1}位"
            )
            out.append(f"{first}–{r.year}年排名{move}，指数年均（对数）增长{g:.1%}。")
        else:
            out.append(
                f"From {first} to {r.year} its rank went from {r0} to {r1}; the index grew "
                f"{g:.1%} a year (log)."
            )
    out.append(_pillar_sentence(r.frames["pillars"], zh))
    out += _obstacle_sentence(r.frames["obstacles"], zh)
    opps = r.frames["opportunities"]
    if not opps.empty:
        listed = ("、" if zh else ", ").join(str(x) for x in opps["name"].head(3))
        out.append(
            f"上市公司结构显示的前三位机会产业为{listed}。"
            if zh
            else f"The top opportunities on the listed-company structure are {listed}."
        )
    targets = r.frames["targets"]
    if not targets.empty:
        t = targets.iloc[0]
        status_zh = {
            "achieved": "已达到",
            "on track": "按趋势可达到",
            "off track": "按趋势难以达到",
        }
        if zh:
            out.append(
                f"研发投入强度{t['latest']:g}%（{t['latest_year']}），对标全国路径"
                f"{t['target_year']}年{t['target']:.2f}%：{status_zh.get(str(t['status']), t['status'])}"
                f"（达成概率{t['probability']:.0%}）。"
            )
        else:
            out.append(
                f"R&D intensity {t['latest']:g} % ({t['latest_year']}) against the national "
                f"path of {t['target']:.2f} % by {t['target_year']}: {t['status']} "
                f"(probability {t['probability']:.0%})."
            )
    return out


# ------------------------------------------------------------------------------ units
def build_report(spec: ReportSpec) -> RegionReport | UnitReport | NationalReport:
    """The report ``spec`` asks for: the national overview, a province's profile or a
    prefecture's or county's."""
    if spec.national:
        return national_report(spec)
    if spec.level == "province":
        return region_report(spec)
    return unit_report(spec)


#: Indicators of the provincial ``ndrc`` framework with an equivalent at the lower levels.
_EQUIVALENTS = {"tertiary_share": "city_tertiary_share"}


def _unit_assessment(spec: ReportSpec) -> Assessment:
    """``nqpf.assess(level=...)`` with its defaults (the report year only when one is
    asked for: the level's frameworks assess the census years)."""
    from nqpf.services.assessment import assess

    assert spec.level is not None
    if spec.year is None:
        return assess(level=spec.level, uncertainty=spec.uncertainty)
    return assess(level=spec.level, years=[spec.year], uncertainty=spec.uncertainty)


def _rank(values: pd.Series, mine: float, direction: int = 1) -> int:
    """1 + the number of units better than ``mine`` (higher, or lower for direction −1)."""
    return int((direction * values > direction * mine).sum()) + 1


def unit_report(spec: ReportSpec) -> UnitReport:
    """The profile of the prefecture or county ``spec.region`` (module docstring)."""
    from nqpf.regions import MUNICIPALITIES, division_name, prefecture_of
    from nqpf.services._cache import cached
    from nqpf.services.disparity import diagnose

    level = spec.level
    if spec.national or level in (None, "province"):
        raise InputError("unit_report covers prefectures and counties", column="region")
    code = spec.region
    a = _unit_assessment(spec)
    year, years = _year(spec, a)
    assessed = set(a.scores["region"].astype(str))
    if code not in assessed:
        dropped = [w for w in a.warnings if code in w]
        raise InputError(
            f"{division_name(code)} ({code}) is not in the {level} assessment"
            + (f" ({dropped[0]})" if dropped else ""),
            column="region",
            hint=f"`nqpf diagnose` cannot rank it either; `nqpf opportunities {code}` and "
            f"`nqpf similar {code}` work on the census",
        )
    key = hash_spec({"kind": "unit_report", **asdict(spec), "year": year, "a": a.spec_hash})
    zh = spec.lang == "zh"

    def build() -> UnitReport:
        province = code[:2] + "0000"
        scores = a.scores.assign(province=lambda f: f["region"].astype(str).str[:2] + "0000")
        if a.uncertainty is not None:
            bands = a.uncertainty.ranks[["region", "year", "median_rank", "rank_p05", "rank_p95"]]
            scores = scores.merge(bands, on=["region", "year"], how="left")
        now = scores[scores["year"] == year]
        mine = now[now["province"] == province]
        me = now[now["region"] == code].iloc[0]
        headline: dict[str, Any] = {
            "region": code,
            "level": level,
            "year": year,
            "index": float(me["index"]),
            "rank": int(me["rank"]),
            "n_units": len(now),
            "province": province,
            "province_rank": _rank(mine["index"], float(me["index"])),
            "province_size": len(mine),
            "province_mean": float(mine["index"].mean()),
            "national_mean": float(now["index"].mean()),
            "band": _fmt_band(me),
        }
        prefecture = prefecture_of(code)
        if level == "county" and prefecture not in (code, province):
            peers = now[now["region"].astype(str).map(prefecture_of) == prefecture]
            headline |= {
                "prefecture": prefecture,
                "prefecture_name": division_name(prefecture),
                "prefecture_rank": _rank(peers["index"], float(me["index"])),
                "prefecture_size": len(peers),
            }
        n = len(now)
        rows = []
        for p in a.framework.pillars:
            score = float(me[p.id])
            rows.append(
                {
                    "pillar": p.id,
                    "name_zh": p.name_zh,
                    "name_en": p.name_en,
                    "score": score,
                    "rank": _rank(now[p.id], score),
                    "province_rank": _rank(mine[p.id], score),
                    "national_mean": float(now[p.id].mean()),
                    "province_mean": float(mine[p.id].mean()),
                    "gap_national": score - float(now[p.id].mean()),
                    "gap_province": score - float(mine[p.id].mean()),
                }
            )
        pillars = pd.DataFrame(rows)
        pillars["standing"] = [
            "strength" if k <= n / 3 else "weakness" if k > 2 * n / 3 else "middle"
            for k in pillars["rank"]
        ]
        diag = diagnose(code, assessment=a, top=spec.top, grouping="province")
        names = a.provenance.set_index("indicator")
        obstacles = diag.obstacles[diag.obstacles["year"] == year].copy()
        obstacles["name_zh"] = obstacles["indicator"].map(names["name_zh"])
        obstacles["name_en"] = obstacles["indicator"].map(names["name_en"])
        pillar_obs = diag.pillar_obstacles[diag.pillar_obstacles["year"] == year]
        disp = _unit_disparity(spec, year)
        position = mine.sort_values(["index", "region"], ascending=[False, True])
        position = position[["region", "region_name", "index", "rank"]].reset_index(drop=True)
        position.insert(4, "province_rank", range(1, len(position) + 1))
        strengths, opps, similar, matrix_sources, specialisation = _census_parts(code, spec.top)
        headline |= specialisation
        chains, partners, chain_sources = _chains(province)
        targets_table, target_note = _targets(province, spec)
        library, library_warnings = _library_targets(province, spec.target_indicator)
        notes = []
        if code in MUNICIPALITIES:
            notes.append(
                f"{division_name(code)} is a municipality: its census matrix is the province "
                "table, so its opportunities and similar regions are among the 31 provinces"
            )
        extra = (
            [("opportunities", s) for s in matrix_sources]
            + [("chains", s) for s in chain_sources]
            + [("targets", target_note)]
        )
        report = UnitReport(
            options=spec,
            year=year,
            years=years,
            summary=[],
            frames={
                "pillars": pillars,
                "indicators": _indicator_table(a, now, mine, code, year),
                "framework_gaps": _framework_gaps(a),
                "trajectory": diag.trajectory.copy(),
                "obstacles": obstacles.reset_index(drop=True),
                "pillar_obstacles": pillar_obs.sort_values("rank", ignore_index=True),
                "coupling": diag.coupling[diag.coupling["year"] == year].reset_index(drop=True),
                "disparity": _unit_disparity_lines(disp, year, region_name(province), headline),
                "lisa": _unit_lisa(disp, code, year),
                "province_units": position,
                "strengths": strengths,
                "opportunities": opps,
                "similar": similar,
                "chains": chains,
                "partners": partners,
                "targets": targets_table,
                "library_targets": library,
                "sources": _unit_sources(a, level, year, extra),
            },
            provenance=a.provenance,
            method=[
                *_method(a, spec),
                ("diagnosis spec_hash", diag.spec_hash),
                ("disparity spec_hash", disp.spec_hash),
                (
                    "parent province",
                    f"{region_name(province)} {province}: chains, targets (no {level} data)",
                ),
            ],
            spec_hash=key,
            warnings=[
                *_condensed(a.warnings, level),
                *diag.warnings,
                *(_short(w) for w in disp.warnings),
                *library_warnings,
                *notes,
            ],
            region=code,
            region_name=division_name(code),
            level=str(level),
            province=province,
            province_name=region_name(province) if zh else region_name(province, lang="en"),
            headline=headline,
        )
        report.summary = _unit_summary(report)
        return report

    return cached(key, build)


def _condensed(warnings: list[str], level: str) -> list[str]:
    """The assessment's warnings with its one line per dropped unit made one line."""
    import re

    dropped = [m.group(1) for w in warnings if (m := re.search(r"dropped region (\d{6})", w))]
    kept = [w for w in warnings if not re.search(r"dropped region \d{6}", w)]
    if dropped:
        kept.append(
            f"剔除 {len(dropped)} 个缺值单位（未排名） {len(dropped)} {level} units with missing "
            f"values are not ranked: {', '.join(dropped)}"
        )
    return kept


def _short(warning: str) -> str:
    """A warning cut before its list of units (the count stays): the units without a
    boundary of their own that Moran's I leaves out are 100+ names at county level."""
    head, sep, _ = warning.partition(" left out of Moran's I")
    return head + sep + " …" if sep and len(warning) > 300 else warning


def _indicator_table(
    a: Assessment, now: pd.DataFrame, mine: pd.DataFrame, code: str, year: int
) -> pd.DataFrame:
    """Each indicator of the framework: the unit's raw value, its rank among the assessed
    units (direction-aware), the province's and the nation's unweighted means, the
    global weight."""
    data = a.data[(a.data["year"] == year) & a.data["region"].isin(now["region"])]
    wide = data.pivot_table(index="region", columns="indicator", values="value", aggfunc="first")
    units = data.drop_duplicates("indicator").set_index("indicator")["unit"]
    weights = a.weights[a.weights["level"] == "indicator"].set_index("child")["global_weight"]
    names = a.provenance.set_index("indicator")
    directions = a.framework.directions
    pillar_of = a.framework.pillar_of
    in_province = wide.index.isin(mine["region"])
    rows = []
    for ind in a.framework.indicator_ids:
        if ind not in wide.columns:
            continue
        column = wide[ind].dropna()
        value = float(wide[ind].get(code, float("nan")))
        rows.append(
            {
                "pillar": pillar_of[ind],
                "indicator": ind,
                "name_zh": str(names.loc[ind, "name_zh"]),
                "name_en": str(names.loc[ind, "name_en"]),
                "unit": str(units.get(ind, "")),
                "weight": float(weights.get(ind, float("nan"))),
                "value": value,
                "rank": _rank(column, value, directions.get(ind, 1)),
                "n": len(column),
                "province_mean": float(wide.loc[in_province, ind].mean()),
                "national_mean": float(column.mean()),
            }
        )
    return pd.DataFrame(rows)


def _framework_gaps(a: Assessment) -> pd.DataFrame:
    """The indicators of the provincial ``ndrc`` framework and what the level's framework
    has for each (``equivalent``: its indicator, or empty where it lacks one)."""
    from nqpf.index.framework import load_framework

    ndrc = load_framework("ndrc")
    have = set(a.framework.indicator_ids)
    pillars = {p.id: p for p in ndrc.pillars}
    rows = []
    for ind in ndrc.indicators:
        pillar = pillars[ndrc.pillar_of[ind.id]]
        equivalent = ind.id if ind.id in have else _EQUIVALENTS.get(ind.id, "")
        rows.append(
            {
                "pillar": pillar.id,
                "pillar_zh": pillar.name_zh,
                "pillar_en": pillar.name_en,
                "indicator": ind.id,
                "name_zh": ind.name_zh,
                "name_en": ind.name_en,
                "equivalent": equivalent if equivalent in have else "",
            }
        )
    return pd.DataFrame(rows)


def _unit_disparity(spec: ReportSpec, year: int) -> Any:
    """The disparity report of the level's index with the provinces as groups, Moran's I and
    LISA on the level's queen contiguity (the default assessment when no year is asked for,
    so that it is the one of the report)."""
    from nqpf.services.disparity import DisparitySpec, disparity

    level = spec.level
    assert level is not None
    years = None if spec.year is None else (year,)
    return _quiet(
        lambda: disparity(
            DisparitySpec(
                measure="index", groups="province", years=years, spatial=True, level=level
            )
        )
    )


def _unit_disparity_lines(
    disp: Any, year: int, province_zh: str, headline: dict[str, Any]
) -> pd.DataFrame:
    """measure, value: Dagum G and its shares over the level's units grouped by province;
    the province's n, mean and within-group Gini G_jj; Theil T, its split, and the
    province's contribution s_j·T_j (and its share of T); the unit's gap to the province."""
    tables = disp.tables()
    within = tables["dagum_within"]
    group = within[(within["year"] == year) & (within["group"] == province_zh)].iloc[0]
    rows = _dagum_rows(tables, year)
    rows += [
        ("province_n", float(group["n"])),
        ("province_mean", float(group["mean"])),
        ("province_gini", float(group["G_jj"])),
    ]
    if "theil_t" in tables:
        theil = tables["theil_t"].set_index("year").loc[year]
        groups = tables["theil_groups"]
        mine = groups[(groups["year"] == year) & (groups["group"] == province_zh)].iloc[0]
        rows += _theil_rows(tables, year)
        rows += [
            ("province_theil", float(mine["index"])),
            ("province_theil_contribution", float(mine["contribution"])),
            ("province_theil_share", float(mine["contribution"]) / float(theil["index"])),
        ]
    moran = tables.get("moran")
    if moran is not None and not moran.empty:
        m = moran.set_index("year").loc[year]
        rows += [("moran_I", float(m["I"])), ("moran_z", float(m["z"]))]
        rows += [("moran_p_sim", float(m["p_sim"])), ("moran_n", float(m["n"]))]
    rows.append(("gap_province", headline["index"] - headline["province_mean"]))
    return pd.DataFrame(rows, columns=["measure", "value"])


def _unit_lisa(disp: Any, code: str, year: int) -> pd.DataFrame:
    """The unit's local Moran I_i, quadrant, pseudo p-value and cluster (empty when the
    unit has no boundary of its own and so no spatial weights)."""
    lisa: pd.DataFrame | None = disp.tables().get("lisa")
    if lisa is None:
        return pd.DataFrame(columns=["year", "region", "Ii", "quadrant", "p_sim", "cluster"])
    return lisa[(lisa["year"] == year) & (lisa["region"] == code)].reset_index(drop=True)


def _census_parts(
    code: str, top: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str], dict[str, Any]]:
    """Tradable strengths and opportunities on the census 2020 unit × section employment
    matrix (the defaults of ``nqpf opportunities``), the ``top`` units of closest
    structure and the Krugman specialisation index (``nqpf similar``)."""
    from nqpf.services.industry import SimilaritySpec, similar
    from nqpf.services.opportunities import OpportunitySpec, opportunities

    result = _quiet(lambda: opportunities(OpportunitySpec(region=code, matrix="census2020")))
    strengths = result.strengths[result.strengths["tradable"]].head(top).reset_index()
    opps = result.opportunities
    opps = opps[opps["tradable"]].sort_values("rank").head(top).reset_index()
    keep = [
        "industry", "name", "rank", "score", "rca", "density", "entry_probability", "pci",
        "growth", "type", "stage", "reason_zh", "reason_en", "lever_zh", "lever_en",
    ]  # fmt: skip
    found = _quiet(lambda: similar(SimilaritySpec(region=code, matrix="census2020", top=top)))
    prov = result.provenance.iloc[0]
    sources = [f"{prov['source']} ({prov['unit']}; {prov['years']})"]
    special = {
        "specialisation": found.specialisation,
        "specialisation_median": found.specialisation_median,
        "similar_n": found.n_regions,
        "opportunities_spec_hash": result.spec_hash,
        "similar_spec_hash": found.spec_hash,
    }
    return strengths, opps[keep].reset_index(drop=True), found.peers, sources, special


def _unit_sources(
    a: Assessment, level: str, year: int, extra: list[tuple[str, str]]
) -> pd.DataFrame:
    """part, source: each registry source behind the framework's indicators (the inputs of
    derived shares included), with its table and vintage, then the other parts'."""
    from nqpf.data import load_subnational, sources
    from nqpf.indicators import formula_inputs, subnational_specs

    specs = subnational_specs()
    ids: set[str] = set()
    for ind in a.framework.indicator_ids:
        found = specs.get(ind)
        ids.add(ind)
        if found is not None and found.formula:
            ids |= set(formula_inputs(found.formula))
    found_ids = load_subnational(level, sorted(ids), years=[year])["source_id"]  # type: ignore[arg-type]
    used = sorted(str(s) for s in found_ids.unique() if not str(s).startswith("derived:"))
    registry = sources().drop_duplicates("source_id").set_index("source_id")
    rows = []
    for sid in used:
        if sid in registry.index:
            e = registry.loc[sid]
            text = f"{e['publisher']}（{e['dataset']}，{e['table']}：{e['item']}；{e['vintage']}） [{sid}]"
        else:
            text = sid
        rows.append({"part": "assessment", "source": text})
    rows += [{"part": part, "source": text} for part, text in extra]
    return pd.DataFrame(rows, columns=["part", "source"])


def level_name(level: str, lang: Lang) -> str:
    """How the units of ``level`` are called in ``lang`` (地级单位, county-level units)."""
    zh, en = LEVEL_NAMES[level]
    return zh if lang == "zh" else en


def _unit_summary(r: UnitReport) -> list[str]:
    """4–6 plain sentences from a unit report's numbers, in ``r.lang``."""
    h = r.headline
    zh = r.lang == "zh"
    units = level_name(r.level, r.lang)
    name, prov = r.region_name, r.province_name
    band = ""
    if h["band"]:
        band = f"（不确定性分析排名区间第{h['band']}位）" if zh else f" (5–95 % band {h['band']})"
    above = "高于" if h["index"] >= h["national_mean"] else "低于"
    above_p = "高于" if h["index"] >= h["province_mean"] else "低于"
    out: list[str] = []
    if zh:
        pref = ""
        if "prefecture_rank" in h:
            pref = f"、在{h['prefecture_name']}{h['prefecture_size']}个县级单位中列第{h['prefecture_rank']}位"
        out.append(
            f"{r.year}年{name}新质生产力指数为{h['index']:.3f}，在全国{h['n_units']}个{units}中"
            f"列第{h['rank']}位{band}，在{prov}{h['province_size']}个{units}中列第"
            f"{h['province_rank']}位{pref}；{above}全国{units}平均（{h['national_mean']:.3f}），"
            f"{above_p}{prov}平均（{h['province_mean']:.3f}）。"
        )
    else:
        pref = ""
        if "prefecture_rank" in h:
            pref = f", {h['prefecture_rank']} of {h['prefecture_size']} in {h['prefecture_name']}"
        out.append(
            f"In {r.year} {name}'s NQPF index was {h['index']:.3f}, rank {h['rank']} of "
            f"{h['n_units']} {units}{band}, {h['province_rank']} of {h['province_size']} in "
            f"{prov}{pref}; {'above' if h['index'] >= h['national_mean'] else 'below'} the "
            f"mean of the {units} ({h['national_mean']:.3f}) and "
            f"{'above' if h['index'] >= h['province_mean'] else 'below'} {prov}'s "
            f"({h['province_mean']:.3f})."
        )
    out.append(_pillar_sentence(r.frames["pillars"], zh))
    out += _obstacle_sentence(r.frames["obstacles"], zh)
    opps = r.frames["opportunities"]
    if not opps.empty:
        # every candidate with its modelled chance of reaching RCA ≥ 1 within ten years, so
        # that a section the model gives 0.1 % reads as what it is (scores are log-odds:
        # negative for any chance under one half, so the sign cannot select)
        first = opps.head(3)
        listed = ("、" if zh else ", ").join(
            f"{name}（{p:.1%}）" if zh else f"{name} ({p:.1%})"
            for name, p in zip(first["name"], first["entry_probability"], strict=True)
        )
        out.append(
            f"按2020年人口普查分行业就业，可贸易门类中的机会产业依次为{listed}"
            "（括号内为模型估计的十年内形成比较优势的概率）。"
            if zh
            else f"On the 2020 census employment by section, the tradable opportunities are "
            f"{listed} (in brackets: the modelled chance of a comparative advantage within ten "
            "years)."
        )
    peers = r.frames["similar"]
    if not peers.empty:
        listed = ("、" if zh else ", ").join(str(x) for x in peers["region_name"].head(3))
        out.append(
            f"就业结构最相近的{units}为{listed}。"
            if zh
            else f"The {units} with the closest employment structure are {listed}."
        )
    return out


def _pillar_sentence(pillars: pd.DataFrame, zh: bool) -> str:
    """The summary's pillar sentence: the best-ranked pillar, and the worst one called a
    weakness (短板) only when it is in the bottom third of the units (``standing``)."""
    ordered = pillars.sort_values(["rank", "pillar"])
    best, worst = ordered.iloc[0], ordered.iloc[-1]
    col = "name_zh" if zh else "name_en"
    weak = worst["standing"] == "weakness"
    if zh:
        tail = (
            f"短板是{worst[col]}（第{worst['rank']}位）"
            if weak
            else f"没有维度在后三分之一，相对最弱的是{worst[col]}（第{worst['rank']}位）"
        )
        return f"优势维度是{best[col]}（全国第{best['rank']}位），{tail}。"
    tail = (
        f"its weakest is {worst[col]} (rank {worst['rank']})"
        if weak
        else f"no pillar is in the bottom third; the lowest-ranked is {worst[col]} "
        f"(rank {worst['rank']})"
    )
    return f"Its strongest pillar is {best[col]} (rank {best['rank']}); {tail}."


def _obstacle_sentence(obstacles: pd.DataFrame, zh: bool) -> list[str]:
    """The summary's sentence on the first obstacle (none when there is no obstacle)."""
    if obstacles.empty:
        return []
    top = obstacles.sort_values("rank").iloc[0]
    label = top["name_zh"] if zh else top["name_en"]
    return [
        f"首要障碍因子为{label}，障碍度{top['obstacle']:.1f}%。"
        if zh
        else f"The first obstacle is {label} (obstacle degree {top['obstacle']:.1f} %)."
    ]


# ------------------------------------------------------------------------------ national
def national_report(spec: ReportSpec) -> NationalReport:
    """The all-province overview of ``spec.year`` (module docstring)."""
    from nqpf.services._cache import cached

    a = _assessment(spec)
    year, years = _year(spec, a)
    key = hash_spec({"kind": "national_report", **asdict(spec), "year": year, "a": a.spec_hash})

    def build() -> NationalReport:
        scores = _scores(a)
        now = scores[scores["year"] == year].sort_values(["rank", "region"])
        cols = ["rank", "region", "region_name", "group", "index", *a.framework.pillar_ids]
        if "rank_p05" in now.columns:
            cols += ["median_rank", "rank_p05", "rank_p95"]
        ranking = now[cols].reset_index(drop=True)
        disp = _disparity(years)
        tables = disp.tables()
        series = tables["dagum_summary"][["year", "G", "share_w", "share_nb", "share_t"]]
        if "theil_t" in tables:
            series = series.merge(
                tables["theil_t"][["year", "index", "share_within", "share_between"]].rename(
                    columns={"index": "theil_T"}
                ),
                on="year",
            )
        trends = tables["group_trends"].reset_index(drop=True)
        trends.columns.name = None
        report = NationalReport(
            options=spec,
            year=year,
            years=years,
            summary=[],
            frames={
                "ranking": ranking,
                "pillars": _pillars(a, scores, year),
                "disparity": series.reset_index(drop=True),
                "group_trends": trends,
                "sources": _sources(a, []),
            },
            provenance=a.provenance,
            method=[*_method(a, spec), ("disparity spec_hash", disp.spec_hash)],
            spec_hash=key,
            warnings=[*a.warnings, *disp.warnings],
        )
        report.summary = _national_summary(report)
        return report

    return cached(key, build)


def _national_summary(r: NationalReport) -> list[str]:
    zh = r.lang == "zh"
    rank = r.frames["ranking"]
    top = rank.head(3)
    col = "region_name"
    names = [
        str(x) if zh else region_name(str(c), lang="en")
        for x, c in zip(top[col], top["region"], strict=True)
    ]
    vals = [f"{v:.3f}" for v in top["index"]]
    disp = r.frames["disparity"].set_index("year")
    by_year = disp.to_dict("index")
    g1 = float(by_year[r.year]["G"])
    between = float(by_year[r.year]["share_nb"])
    g0 = float(disp["G"].iloc[0])
    y0 = int(disp.index[0])
    means = rank.groupby("group")["index"].mean()
    order = [g for g in _GROUPS if g in means.index]
    if zh:
        out = [
            f"{r.year}年新质生产力指数前三位为"
            + "、".join(f"{n}（{v}）" for n, v in zip(names, vals, strict=True))
            + f"；全国省份均值{rank['index'].mean():.3f}。",
            "四大区域均值：" + "，".join(f"{g}{means[g]:.3f}" for g in order) + "。",
            f"总体基尼系数（Dagum）由{y0}年的{g0:.3f}变为{r.year}年的{g1:.3f}，"
            f"其中区域间差异贡献{between:.0%}。",
        ]
    else:
        out = [
            f"In {r.year} the top three provinces were "
            + ", ".join(f"{n} ({v})" for n, v in zip(names, vals, strict=True))
            + f"; the provincial mean was {rank['index'].mean():.3f}.",
            "Group means: " + ", ".join(f"{GROUP_EN[g]} {means[g]:.3f}" for g in order) + ".",
            f"The Dagum Gini went from {g0:.3f} in {y0} to {g1:.3f} in {r.year}; "
            f"between-group differences account for {between:.0%}.",
        ]
    if "rank_p05" not in rank.columns:
        out.append(
            "未计算排名不确定性区间（可用 --uncertainty 256 计算）。"
            if zh
            else "Rank bands were not computed (use --uncertainty 256)."
        )
    return out


def band_note(lang: Lang, computed: bool) -> str:
    """The sentence beside a rank when its band was not computed (empty when it was)."""
    if computed:
        return ""
    return (
        "未计算排名不确定性区间（可用 --uncertainty 256 计算）"
        if lang == "zh"
        else "rank band not computed (use --uncertainty 256)"
    )
