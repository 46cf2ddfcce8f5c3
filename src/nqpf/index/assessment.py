"""The NQPF assessment: a composite index built hierarchically, with every choice recorded.

Construction (each step an explicit option, see :func:`assess`)::

    wide (region-year × indicator)  --impute-->  widẽ  --normalize(direction, scope)-->  norm ∈ "higher is better"
    w  = weights(norm)                     one method, or several combined (mean / geometric / game)
    s_{r,t,k} = A_k(N_{r,t,j}, w_{j|k})         sub-pillar k, aggregation A (linear/geometric/TOPSIS)
    p_{r,t,P} = A(s_{r,t,k}, w_{k|P})           pillar P
    I_{r,t}   = A(p_{r,t,P}, w_P)               index

Weights of the upper levels (``upper`` option):

* ``"sum"`` (default): the weighting method runs once on all indicators of the framework, as in
  most NQPF papers; a sub-pillar's weight is the sum of its indicators' weights and a pillar's the
  sum of its sub-pillars'. Within a node, children's weights are these sums renormalised. With
  linear aggregation the index is then exactly the flat ``Σ_j w_j N_{r,t,j}`` of the papers.
* ``"equal"``: equal weights among the sub-pillars of a pillar and among the pillars (the OECD/JRC
  Handbook's default for upper levels); indicator weights within a sub-pillar are the method's
  weights renormalised.

Weights fixed in the framework (``weight:``) override either rule at their level. The global
weight of an indicator is the product of the weights down the hierarchy; they sum to 1.

Ranks are within each year, 1 = highest index, ties share the smallest rank.

Reference: OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, steps 5–7.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.index.framework import Framework, Node, load_framework

if TYPE_CHECKING:
    from nqpf.index.uncertainty import UncertaintyResult

__all__ = [
    "Assessment",
    "Construction",
    "assess",
    "composite_index",
    "construct",
    "prepare",
    "score",
]

Upper = Literal["sum", "equal"]
UPPER_RULES: tuple[str, ...] = ("sum", "equal")

#: Region code of the national total in the packaged panel.
_NATIONAL = "100000"


@dataclass(frozen=True)
class Construction:
    """The construction choices of one composite index (hashable, so results can be cached)."""

    normalize: str = "minmax"
    scope: str = "panel"
    weights: tuple[str, ...] = ("entropy",)
    combine: str = "mean"
    entropy_shift: float | None = None
    aggregate: str = "linear"
    impute: str = "none"
    upper: Upper = "sum"

    def as_dict(self) -> dict[str, Any]:
        return {
            "normalize": self.normalize,
            "scope": self.scope,
            "weights": list(self.weights),
            "combine": self.combine,
            "entropy_shift": self.entropy_shift,
            "aggregate": self.aggregate,
            "impute": self.impute,
            "upper": self.upper,
        }


@dataclass
class Built:
    """Everything one construction produces (wide frames indexed by (region, year))."""

    normalized: pd.DataFrame
    imputed: pd.DataFrame
    indicator_weights: pd.Series
    weights: pd.DataFrame
    subpillars: pd.DataFrame
    pillars: pd.DataFrame
    index: pd.Series


def construct(
    wide: pd.DataFrame,
    framework: Framework,
    construction: Construction,
    *,
    groups: Mapping[str, str] | None = None,
    targets: Mapping[str, float] | None = None,
) -> Built:
    """Build the composite index of ``wide`` (MultiIndex region, year) under one construction."""
    _, flags, norm = prepare(wide, framework, construction, groups=groups, targets=targets)
    return score(norm, flags, framework, construction)


def prepare(
    wide: pd.DataFrame,
    framework: Framework,
    construction: Construction,
    *,
    groups: Mapping[str, str] | None = None,
    targets: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Impute, check completeness and normalise: (imputed wide, imputed flags, norm).

    Indicators with a ``scope`` of their own in the framework are normalised in that scope.
    """
    from nqpf.index.impute import impute
    from nqpf.index.normalize import normalize

    wide = wide[framework.indicator_ids]
    filled, flags = impute(wide, construction.impute, groups=groups)
    _check_complete(filled, construction.impute)
    norm = normalize(
        filled,
        construction.normalize,
        directions=framework.directions,
        scope=construction.scope,
        targets=targets,
    )
    fixed = [i for i, sc in framework.scope_overrides.items() if sc != construction.scope]
    for ind in fixed:
        norm[ind] = normalize(
            filled[[ind]],
            construction.normalize,
            directions={ind: framework.directions[ind]},
            scope=framework.scope_overrides[ind],
            targets={ind: targets[ind]} if targets and ind in targets else None,
        )[ind]
    return filled, flags, norm


def score(
    norm: pd.DataFrame, flags: pd.DataFrame, framework: Framework, construction: Construction
) -> Built:
    """Weights and hierarchical aggregation of the normalised matrix ``norm``."""
    from nqpf.index.aggregate import aggregate

    ids = framework.indicator_ids
    norm = norm[ids]
    w_ind = _method_weights(norm, construction)
    local, global_w = _hierarchy_weights(framework, w_ind, construction.upper)
    method = construction.aggregate
    ideal = construction.scope

    def agg(frame: pd.DataFrame, weights: pd.Series) -> pd.Series:
        return aggregate(frame, weights, method, ideal_scope=ideal)

    subs: dict[str, pd.Series] = {}
    pills: dict[str, pd.Series] = {}
    for p in framework.pillars:
        for s in p.children:
            cols = [i.id for i in s.children]
            subs[s.id] = agg(norm[cols], local[s.id])
        pills[p.id] = agg(pd.DataFrame({s.id: subs[s.id] for s in p.children}), local[p.id])
    pillar_frame = pd.DataFrame(pills)
    index = agg(pillar_frame, local["index"]).rename("index")
    rows = [
        {
            "level": level,
            "parent": parent,
            "child": child,
            "weight": float(w),
            "global_weight": float(global_w[str(child)]),
        }
        for parent, ws in local.items()
        for child, w in ws.items()
        for level in [_level_of(framework, parent)]
    ]
    return Built(
        normalized=norm,
        imputed=flags[ids],
        indicator_weights=global_w[ids].rename("weight"),
        weights=pd.DataFrame(rows),
        subpillars=pd.DataFrame(subs),
        pillars=pillar_frame,
        index=index,
    )


def composite_index(
    norm: pd.DataFrame, framework: Framework, construction: Construction
) -> pd.Series:
    """The index alone, as :func:`score` computes it, in fewer steps.

    Linear and geometric aggregation nest exactly: ``Σ_P W_P Σ_k w_k Σ_j w_j N_j = Σ_j g_j N_j``
    and ``Π_P (Π_k (Π_j N_j^{w_j})^{w_k})^{W_P} = Π_j N_j^{g_j}`` with g the global weights, so
    one aggregation over all indicators gives the hierarchical index. TOPSIS does not nest and is
    computed level by level.
    """
    if construction.aggregate not in ("linear", "geometric"):
        return score(norm, norm.isna(), framework, construction).index
    from nqpf.index.aggregate import aggregate

    norm = norm[framework.indicator_ids]
    _, global_w = _hierarchy_weights(
        framework, _method_weights(norm, construction), construction.upper
    )
    return aggregate(
        norm,
        global_w[framework.indicator_ids],
        construction.aggregate,
        ideal_scope=construction.scope,
    ).rename("index")


def _level_of(framework: Framework, parent: str) -> str:
    if parent == "index":
        return "pillar"
    if parent in framework.pillar_ids:
        return "subpillar"
    return "indicator"


def _method_weights(norm: pd.DataFrame, c: Construction) -> pd.Series:
    from nqpf.index.weights import combine_weights, compute_weights

    found = []
    for method in c.weights:
        options: dict[str, Any] = {}
        if method == "entropy":
            options = (
                {"zero": "shift", "shift": c.entropy_shift}
                if c.entropy_shift is not None
                else {"zero": "0log0"}
            )
        found.append(compute_weights(norm, method, **options))
    if len(found) == 1:
        return found[0]
    return combine_weights(found, how=c.combine)


def _hierarchy_weights(
    fw: Framework, w: pd.Series, upper: Upper
) -> tuple[dict[str, pd.Series], pd.Series]:
    """Local weights of each node's children (keyed by parent id, "index" for the top) and the
    global weight of every node (product of local weights down the hierarchy)."""
    method_w = {str(k): float(v) for k, v in w.items()}
    local: dict[str, dict[str, float]] = {}
    mass: dict[str, float] = {}
    for p in fw.pillars:
        for s in p.children:
            raw = {i.id: method_w[i.id] for i in s.children}
            mass[s.id] = sum(raw.values())
            local[s.id] = _local(s.children, raw)
        raw_s = {s.id: mass[s.id] if upper == "sum" else 1.0 for s in p.children}
        mass[p.id] = sum(mass[s.id] for s in p.children)
        local[p.id] = _local(p.children, raw_s)
    raw_p = {p.id: mass[p.id] if upper == "sum" else 1.0 for p in fw.pillars}
    local["index"] = _local(fw.pillars, raw_p)
    global_w: dict[str, float] = {}
    for p in fw.pillars:
        global_w[p.id] = local["index"][p.id]
        for s in p.children:
            global_w[s.id] = global_w[p.id] * local[p.id][s.id]
            for i in s.children:
                global_w[i.id] = global_w[s.id] * local[s.id][i.id]
    return {k: pd.Series(v) for k, v in local.items()}, pd.Series(global_w)


def _local(children: Sequence[Node], raw: Mapping[str, float]) -> dict[str, float]:
    """Children's weights: fixed in the framework, else ``raw`` renormalised (equal if all 0)."""
    if children[0].weight is not None:
        return {c.id: float(c.weight or 0.0) for c in children}
    total = sum(raw.values())
    if total <= 0:
        return {c.id: 1.0 / len(children) for c in children}
    return {k: v / total for k, v in raw.items()}


def _check_complete(wide: pd.DataFrame, chain: str = "none") -> None:
    missing = wide.isna()
    if not missing.to_numpy().any():
        return
    per = missing.sum()
    col = str(per.idxmax())
    where = wide.index[missing[col].to_numpy()]
    years = sorted({int(y) for y in where.get_level_values("year")})
    regions = sorted({str(r) for r in where.get_level_values("region")})
    left = ", ".join(f"{k} {int(v)}" for k, v in per[per > 0].items())
    after = "" if chain == "none" else f"after imputation {chain}, "
    raise InputError(
        f"{after}{int(per.sum())} value(s) still missing ({left}); {col!r} "
        f"in years {years[:6]}, regions {regions[:6]}",
        column=col,
        hint="choose years where the indicator is complete (--year), drop it from the "
        "framework, or impute (e.g. --impute linear,ffill_bfill,column_mean)",
    )


@dataclass
class Assessment:
    """A composite NQPF assessment: scores, weights, contributions and their provenance."""

    framework: Framework
    construction: Construction
    data: pd.DataFrame
    built: Built
    region_names: dict[str, str]
    provenance: pd.DataFrame
    spec_hash: str
    options: dict[str, Any]
    uncertainty: UncertaintyResult | None = None
    _scores: pd.DataFrame | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ tidy results
    @property
    def normalized(self) -> pd.DataFrame:
        """Wide normalised, direction-adjusted indicators (higher = better)."""
        return self.built.normalized

    @property
    def indicator_weights(self) -> pd.Series:
        """Global weight of each indicator (product down the hierarchy; sums to 1)."""
        return self.built.indicator_weights

    @property
    def weights(self) -> pd.DataFrame:
        """Long table of the weights at each level: level, parent, child, weight, global_weight."""
        return self.built.weights

    @property
    def imputed(self) -> pd.DataFrame:
        """Wide boolean frame, True where a value was imputed."""
        return self.built.imputed

    @property
    def pillar_of(self) -> dict[str, str]:
        return self.framework.pillar_of

    @property
    def pillar_names(self) -> dict[str, str]:
        return {p.id: p.name_zh for p in self.framework.pillars}

    @property
    def scores(self) -> pd.DataFrame:
        """region, region_name, year, index, rank and one column per pillar id."""
        if self._scores is None:
            frame = pd.concat([self.built.index, self.built.pillars], axis=1).reset_index()
            frame["rank"] = _ranks(frame)
            frame.insert(1, "region_name", frame["region"].map(self.region_names))
            cols = ["region", "region_name", "year", "index", "rank", *self.framework.pillar_ids]
            self._scores = frame[cols].sort_values(["year", "rank", "region"], ignore_index=True)
        return self._scores.copy()

    @property
    def subpillar_scores(self) -> pd.DataFrame:
        return self.built.subpillars.reset_index()

    @property
    def contributions(self) -> pd.DataFrame:
        """Long table region, year, indicator, pillar, normalized, weight, contribution, share,
        imputed (True where the raw value was imputed).

        How much each indicator adds to a region-year's index I, by aggregation method:

        * linear: ``contribution = w_j · N_j`` (global weight × normalised value); they sum
          to I, and ``share = contribution / I``.
        * geometric: ``ln I = Σ_j w_j ln N_j``, so ``share = w_j ln N_j / ln I`` and
          ``contribution = share · I`` (they sum to I). Undefined (NaN) where some N_j = 0
          (then I = 0); where I = 1 every N_j = 1 and ``share = w_j``.
        * TOPSIS: the closeness coefficient does not split into additive parts; contribution
          and share are NaN (the weighted values ``weight · normalized`` still show which
          indicators are strong).
        """
        w = self.indicator_weights
        norm = self.normalized
        index = self.built.index.reindex(norm.index)
        method = self.construction.aggregate
        if method == "linear":
            share = (norm * w).div(index.where(index != 0), axis=0)
        elif method == "geometric":
            with np.errstate(divide="ignore", invalid="ignore"):
                log_parts = np.log(norm.where(norm > 0)) * w
                log_index = log_parts.sum(axis=1, skipna=False)
                share = log_parts.div(log_index.where(log_index != 0), axis=0)
            unit = index == 1.0
            share.loc[unit] = np.broadcast_to(w.to_numpy(), share.loc[unit].shape)
        else:
            share = norm * np.nan
        contrib = share.mul(index, axis=0)
        long = norm.stack().reset_index()
        long.columns = pd.Index(["region", "year", "indicator", "normalized"])
        long["contribution"] = contrib.stack(future_stack=True).to_numpy()
        long["share"] = share.stack(future_stack=True).to_numpy()
        long["weight"] = long["indicator"].map(w)
        long["pillar"] = long["indicator"].map(self.pillar_of)
        long["imputed"] = self.imputed[norm.columns].stack().to_numpy()
        return long[
            [
                "region",
                "year",
                "indicator",
                "pillar",
                "normalized",
                "weight",
                "contribution",
                "share",
                "imputed",
            ]
        ]

    def ranks(self) -> pd.DataFrame:
        """Wide ranks: region × year."""
        return self.scores.pivot(index="region", columns="year", values="rank")

    def changes(self) -> pd.DataFrame:
        """Year-on-year change of the index and of the rank (positive = moved up)."""
        s = self.scores.sort_values(["region", "year"])
        g = s.groupby("region")
        s["index_change"] = g["index"].diff()
        s["rank_change"] = -g["rank"].diff()
        return s[
            ["region", "region_name", "year", "index", "index_change", "rank", "rank_change"]
        ].reset_index(drop=True)

    def cagr(self) -> pd.DataFrame:
        """Compound annual growth rate of the index per region, first to last year:
        ``(I_last / I_first)^(1/(t_last − t_first)) − 1``; NaN when I_first ≤ 0."""
        s = self.scores.sort_values(["region", "year"])
        rows = []
        for region, g in s.groupby("region"):
            first, last = g.iloc[0], g.iloc[-1]
            span = int(last["year"]) - int(first["year"])
            ok = span > 0 and first["index"] > 0
            rate = (last["index"] / first["index"]) ** (1 / span) - 1 if ok else np.nan
            rows.append(
                {
                    "region": region,
                    "region_name": self.region_names.get(str(region)),
                    "first_year": int(first["year"]),
                    "last_year": int(last["year"]),
                    "index_first": first["index"],
                    "index_last": last["index"],
                    "cagr": rate,
                }
            )
        return pd.DataFrame(rows)

    def comparison_with_national(self) -> pd.DataFrame:
        """Each framework indicator's provincial distribution against the national value.

        Columns: indicator, year, national (packaged national row), article (the value the NDRC
        article cites for that year, where it does), province_mean, province_median,
        province_min, province_max, n_above_national. Only indicators of the packaged catalog.
        """
        from nqpf.data import article_figures, load_panel
        from nqpf.indicators import indicator_specs

        ids = [i for i in self.framework.indicator_ids if i in indicator_specs()]
        years = sorted({int(y) for y in self.data["year"].unique()})
        raw = self.data[self.data["indicator"].isin(ids)]
        panel = load_panel(ids, years=years, include_national=True) if ids else raw.iloc[:0]
        nat = panel[panel["region"] == _NATIONAL].set_index(["indicator", "year"])["value"]
        art = article_figures().dropna(subset=["indicator"])
        art = art[art["period"].astype(str).str.fullmatch(r"\d{4}")]
        art_v = art.set_index(["indicator", "year"])["value"]
        rows = []
        for (ind, year_label), g in raw.groupby(["indicator", "year"]):
            year = int(str(year_label))
            key = (str(ind), year)
            national = float(nat[key]) if key in nat.index else np.nan
            rows.append(
                {
                    "indicator": ind,
                    "year": year,
                    "national": national,
                    "article": float(art_v[key]) if key in art_v.index else np.nan,
                    "province_mean": g["value"].mean(),
                    "province_median": g["value"].median(),
                    "province_min": g["value"].min(),
                    "province_max": g["value"].max(),
                    "n_above_national": int((g["value"] > national).sum())
                    if not np.isnan(national)
                    else pd.NA,
                }
            )
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ outputs
    def to_csv(self, path: str | Path) -> Path:
        """``scores.csv``: region (adcode), region_name, year, index, rank, pillar columns."""
        from nqpf.index.report import write_csv

        return write_csv(self, Path(path))

    def to_excel(self, path: str | Path) -> Path:
        """``assessment.xlsx`` with sheets scores, pillars, weights, contributions,
        uncertainty, provenance, options (headers Chinese with English)."""
        from nqpf.index.report import write_excel

        return write_excel(self, Path(path))

    def to_html(self, path: str | Path) -> Path:
        """Self-contained offline ``assessment.html`` (plotly.js embedded)."""
        from nqpf.index.report import write_html

        return write_html(self, Path(path))

    def to_docx(self, path: str | Path) -> Path:
        """Word report ``assessment.docx`` (A4, Chinese with English): summary, latest ranking,
        indicator weights, method and data sources."""
        from nqpf.index.report import write_docx

        return write_docx(self, Path(path))

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write scores.csv, assessment.xlsx, assessment.html and assessment.docx into
        ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        return [
            self.to_csv(out / "scores.csv"),
            self.to_excel(out / "assessment.xlsx"),
            self.to_html(out / "assessment.html"),
            self.to_docx(out / "assessment.docx"),
        ]


def _ranks(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby("year")["index"].rank(ascending=False, method="min").astype(int)


def assess(
    data: pd.DataFrame | str | Path | None = None,
    *,
    framework: str | Path | Mapping[str, Any] | Framework = "ndrc",
    years: Iterable[int] | None = None,
    regions: Iterable[str] | None = None,
    normalize: str = "minmax",
    scope: str = "panel",
    weights: str | Sequence[str] = "entropy",
    combine: str = "mean",
    entropy_shift: float | None = None,
    aggregate: str = "linear",
    impute: str | Sequence[str] = "none",
    max_missing_unit: float | None = None,
    max_missing_indicator: float | None = None,
    upper: Upper = "sum",
    targets: Mapping[str, float] | None = None,
    uncertainty: int = 0,
    seed: int = 20250101,
    progress: Callable[[int, int], None] | None = None,
) -> Assessment:
    """Assess new quality productive forces of regions over years.

    Parameters
    ----------
    data:
        ``None`` for the packaged provincial panel; a long DataFrame (region, year, indicator,
        value[, region_name, source_id]); or the path of a long CSV/Excel file
        (read with :func:`nqpf.ingest.read_long`).
    framework:
        ``"ndrc"`` (default), ``"three-elements"``, a YAML path or a dict (see
        :mod:`nqpf.index.framework`).
    years:
        Years to assess. Default: the framework's ``years`` with packaged data, all years of
        a user's data.
    regions:
        Regions to keep (names or codes); default all.
    normalize, scope:
        Normalisation (``minmax`` … see :data:`nqpf.index.normalize.NORMALIZE_METHODS`) and its
        scope: ``panel`` (one min/max over all years, comparable over time) or ``year``.
    weights, combine:
        One weighting method or several (``"entropy,critic"`` or a list), combined by ``mean``,
        ``geometric`` or ``game``.
    entropy_shift:
        ``None``: entropy with 0·ln 0 = 0; a number ε: ``p = (x + ε) / Σ(x + ε)`` as in most
        NQPF papers (ε = 1e-5).
    aggregate:
        ``linear``, ``geometric`` or ``topsis``, applied at every level.
    impute:
        One method or a chain applied in order (``"linear,ffill_bfill,column_mean"`` or a list):
        ``none``, ``linear``, ``linear_extrapolate``, ``ffill_bfill``, ``group_mean`` (four
        regions 东中西东北), ``year_mean``, ``column_mean`` (see :mod:`nqpf.index.impute`).
    max_missing_unit, max_missing_indicator:
        Drop units / indicators whose share of missing raw values exceeds this (in [0, 1))
        before imputation; the messages are in ``options["dropped"]``. Default: keep all.
    upper:
        How upper-level weights are obtained: ``sum`` or ``equal`` (module docstring).
    uncertainty:
        Base sample size N of the Sobol design (0 = no uncertainty analysis); see
        :func:`nqpf.index.uncertainty.run_uncertainty`.
    seed, progress:
        Seed of the scrambled Sobol sequence; ``progress(done, total)`` callback.

    Examples
    --------
    The configuration of most NQPF papers (panel min-max, entropy with ε = 1e-5 and CRITIC
    averaged, linear)::

        a = assess(weights=["entropy", "critic"], combine="mean", entropy_shift=1e-5)
    """
    from nqpf.index.impute import drop_sparse, parse_chain

    fw_known = None
    long = _load_data(data)
    if data is not None:
        fw_known = set(long["indicator"].unique())
    fw = load_framework(framework, known=fw_known)
    if data is None:
        long = _packaged(fw)
    methods = tuple(
        m.strip()
        for m in (weights.split(",") if isinstance(weights, str) else weights)
        if m.strip()
    )
    if upper not in UPPER_RULES:
        raise InputError(
            f"unknown upper-level weighting {upper!r}",
            column="upper",
            hint=f"use one of {', '.join(UPPER_RULES)}",
        )
    if not methods:
        raise InputError(
            "no weighting method given",
            column="weights",
            hint="e.g. weights='entropy' or 'entropy,critic'",
        )
    construction = Construction(
        normalize=normalize,
        scope=scope,
        weights=methods,
        combine=combine,
        entropy_shift=entropy_shift,
        aggregate=aggregate,
        impute=",".join(parse_chain(impute)),
        upper=upper,
    )
    long = _select(long, fw, years, regions, packaged=data is None)
    wide = _wide(long, fw)
    wide, dropped = drop_sparse(
        wide, max_missing_unit=max_missing_unit, max_missing_indicator=max_missing_indicator
    )
    for ind in dropped.indicators:
        fw = drop_indicator(fw, ind)
    if dropped.units:
        long = long[~long["region"].isin(list(dropped.units))]
    long = long[long["indicator"].isin(fw.indicator_ids)]
    names = _names(long)
    groups = _groups(wide)
    built = construct(wide, fw, construction, groups=groups, targets=targets)
    options = {
        **construction.as_dict(),
        "framework": fw.id,
        "years": sorted({int(y) for y in wide.index.get_level_values("year")}),
        "uncertainty": uncertainty,
        "seed": seed,
        "dropped": dropped.messages(),
        "data": "packaged"
        if data is None
        else (str(data) if not isinstance(data, pd.DataFrame) else "DataFrame"),
    }
    result = Assessment(
        framework=fw,
        construction=construction,
        data=long,
        built=built,
        region_names=names,
        provenance=_provenance(long, fw),
        spec_hash=spec_hash(wide, fw, construction, targets),
        options=options,
    )
    if uncertainty > 0:
        from nqpf.index.uncertainty import run_uncertainty

        result.uncertainty = run_uncertainty(
            wide,
            fw,
            construction,
            result.scores,
            n=uncertainty,
            seed=seed,
            groups=groups,
            targets=targets,
            progress=progress,
        )
    return result


def spec_hash(
    wide: pd.DataFrame,
    framework: Framework,
    construction: Construction,
    targets: Mapping[str, float] | None = None,
) -> str:
    """12 hex digits of SHA-256 over the data (sorted wide values), the framework and options."""
    h = hashlib.sha256()
    ordered = wide.sort_index().sort_index(axis=1)
    h.update(ordered.to_csv(float_format="%.12g").encode())
    spec = {
        "framework": framework.to_dict(),
        "construction": construction.as_dict(),
        "targets": dict(sorted((targets or {}).items())),
    }
    h.update(json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()[:12]


# ---------------------------------------------------------------------- data preparation
def _load_data(data: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    if data is None:
        return pd.DataFrame(columns=["region", "year", "indicator", "value"])
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
    else:
        from nqpf.ingest import read_long

        frame = read_long(data)
    missing = {"region", "year", "indicator", "value"} - set(frame.columns)
    if missing:
        raise InputError(
            f"the data lacks column(s) {', '.join(sorted(missing))}",
            column=sorted(missing)[0],
            hint="give a long table with columns region, year, indicator, value",
        )
    frame["region"] = frame["region"].astype(str)
    frame["year"] = pd.to_numeric(frame["year"], errors="raise").astype(int)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    return frame


def _packaged(fw: Framework) -> pd.DataFrame:
    from nqpf.data import load_panel

    return load_panel(fw.indicator_ids)


def _select(
    long: pd.DataFrame,
    fw: Framework,
    years: Iterable[int] | None,
    regions: Iterable[str] | None,
    *,
    packaged: bool,
) -> pd.DataFrame:
    long = long[long["indicator"].isin(fw.indicator_ids)]
    if years is not None:
        wanted = {int(y) for y in years}
    elif packaged and fw.years is not None:
        wanted = set(range(fw.years[0], fw.years[1] + 1))
    else:
        wanted = {int(y) for y in long["year"].unique()}
    long = long[long["year"].isin(wanted)]
    if regions is not None:
        from nqpf.regions import normalize_region

        present = set(long["region"].astype(str))
        codes = {str(r) if str(r) in present else normalize_region(str(r)) for r in regions}
        long = long[long["region"].isin(codes)]
    if long.empty:
        raise InputError(
            f"no data for the framework's indicators in years {sorted(wanted)[:10]}",
            hint="check --year and that the data has the framework's indicators",
        )
    return long.reset_index(drop=True)


def _wide(long: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    dup = long.duplicated(["region", "year", "indicator"])
    if dup.any():
        row = long[dup].iloc[0]
        raise InputError(
            f"two values for region {row['region']}, year {row['year']}",
            column=str(row["indicator"]),
            hint="keep one value per region, year and indicator",
        )
    wide = long.pivot(index=["region", "year"], columns="indicator", values="value")
    absent = [i for i in fw.indicator_ids if i not in wide.columns]
    if absent:
        raise InputError(
            f"indicator {absent[0]!r} has no values in the selected years",
            column=absent[0],
            hint="choose other years (--year) or drop it from the framework",
        )
    wide = wide[fw.indicator_ids].sort_index().astype(float)
    wide.columns.name = None
    return wide


def _names(long: pd.DataFrame) -> dict[str, str]:
    """Region names: the data's ``region_name`` column, else the registry's (provinces), else
    the region label itself."""
    from nqpf.regions import province_codes, region_name

    names: dict[str, str] = {}
    if "region_name" in long.columns:
        names = dict(zip(long["region"].astype(str), long["region_name"].astype(str), strict=False))
    known = set(province_codes())
    for code in map(str, long["region"].unique()):
        if names.get(code, "") in ("", "nan", "None"):
            names[code] = region_name(code) if code in known else code
    return names


def _groups(wide: pd.DataFrame) -> dict[str, str] | None:
    """Four-regions group (东部/中部/西部/东北) of each province, for ``group_mean`` imputation;
    None when the data are not all provinces."""
    from nqpf.regions import group_of, province_codes

    regions = [str(r) for r in wide.index.get_level_values("region").unique()]
    if not set(regions) <= set(province_codes()):
        return None
    return {r: group_of(r) for r in regions}


def _provenance(long: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    frame = long.copy()
    if "source_id" not in frame.columns:
        frame["source_id"] = "user data"
    frame["source_id"] = frame["source_id"].astype(str)
    rows = []
    for node in fw.indicators:
        g = frame[frame["indicator"] == node.id]
        rows.append(
            {
                "indicator": node.id,
                "name_zh": node.name_zh,
                "name_en": node.name_en,
                "pillar": fw.pillar_of[node.id],
                "direction": "+" if node.direction > 0 else "-",
                "first_year": int(g["year"].min()),
                "last_year": int(g["year"].max()),
                "n_values": int(g["value"].notna().sum()),
                "source_ids": "; ".join(sorted(g["source_id"].unique())),
                "rationale": node.rationale,
                "framework_source": node.source,
            }
        )
    return pd.DataFrame(rows)


def drop_indicator(fw: Framework, indicator: str) -> Framework:
    """The framework without ``indicator``; empty sub-pillars and pillars are dropped and fixed
    sibling weights rescaled to sum to 1 (used by the uncertainty analysis)."""

    def rescale(nodes: list[Node]) -> tuple[Node, ...]:
        if not nodes or nodes[0].weight is None:
            return tuple(nodes)
        total = sum(n.weight or 0.0 for n in nodes)
        if total <= 0:
            return tuple(replace(n, weight=1.0 / len(nodes)) for n in nodes)
        return tuple(replace(n, weight=(n.weight or 0.0) / total) for n in nodes)

    pillars = []
    for p in fw.pillars:
        subs = []
        for s in p.children:
            kept = [i for i in s.children if i.id != indicator]
            if kept:
                subs.append(replace(s, children=rescale(kept)))
        if subs:
            pillars.append(replace(p, children=rescale(subs)))
    return replace(fw, pillars=rescale(pillars))
