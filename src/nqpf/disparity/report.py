"""Services behind ``nqpf disparity`` and ``nqpf diagnose``: compose the disparity and
diagnosis functions on a measure of the packaged data (or an assessment) and write the
tables (Excel) and figures (self-contained HTML).

Measures: an indicator id of the catalog (``gdp_per_capita``), ``index`` (the NQPF index
of :func:`nqpf.assess`) or a pillar id of its framework (``tech``, ``industry`` …).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nqpf.disparity._input import GroupSpec, group_labels
from nqpf.disparity.convergence import beta_convergence, sigma_convergence
from nqpf.disparity.coupling import coupling_coordination
from nqpf.disparity.dagum import DagumResult, dagum_gini
from nqpf.disparity.kde import KDEResult, kernel_density
from nqpf.disparity.obstacle import ObstacleResult, obstacle_degree, top_obstacles
from nqpf.disparity.theil import GEResult, theil_t
from nqpf.errors import InputError, NQPFError, NQPFWarning

__all__ = [
    "Diagnosis",
    "DisparityReport",
    "diagnose",
    "disparity_report",
    "measure_panel",
    "write_disparity",
]


def measure_panel(
    measure: str = "index",
    *,
    years: Iterable[int] | None = None,
    assessment: Any = None,
) -> tuple[pd.DataFrame, str]:
    """Long ``region, region_name, year, value`` of ``measure`` and its label.

    ``index`` and pillar ids come from ``assessment`` (default: ``nqpf.assess()`` on the
    packaged data); any other name must be an indicator id of the catalog.
    """
    from nqpf.data import catalog, load_panel

    cat = catalog()
    if measure in set(cat["id"]):
        spec = cat.set_index("id").loc[measure]
        panel = load_panel([measure], years=years)
        label = f"{spec['name_zh']} {spec['name_en']} ({spec['unit']})"
        return panel[["region", "region_name", "year", "value"]].reset_index(drop=True), label
    if assessment is None:
        assessment = _assess(years)
    scores = assessment.scores
    names = {"index": "新质生产力指数 NQPF index", **dict(assessment.pillar_names)}
    if measure not in names or measure not in scores.columns:
        raise InputError(
            f"unknown measure {measure!r}",
            hint=f"use index, a pillar ({', '.join(assessment.pillar_names)}) or an "
            "indicator id (`nqpf data list`)",
        )
    panel = scores[["region", "region_name", "year", measure]].rename(columns={measure: "value"})
    return panel.reset_index(drop=True), names[measure]


def _assess(years: Iterable[int] | None) -> Any:
    """``nqpf.assess()`` on the packaged data, or a clear error where it is not installed."""
    from importlib import import_module

    try:
        assess = import_module("nqpf.index.assessment").assess
    except (ImportError, AttributeError):
        raise NQPFError(
            "the index and pillar scores need the assessment engine (nqpf.assess), which this "
            "installation lacks; use an indicator instead, e.g. --measure gdp_per_capita"
        ) from None
    return assess(years=list(years)) if years is not None else assess()


@dataclass(frozen=True)
class DisparityReport:
    """Everything a paper's 区域差异与动态演进 section reports, for one measure."""

    label: str
    grouping: str
    panel: pd.DataFrame
    dagum: DagumResult
    group_trends: pd.DataFrame
    kde: KDEResult
    theil: GEResult | None = None
    sigma: pd.DataFrame | None = None
    beta: pd.DataFrame | None = None
    moran: pd.DataFrame | None = None
    markov: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Sheet name → table, in report order (missing parts left out)."""
        out = {
            "dagum_summary": self.dagum.summary,
            "dagum_within": self.dagum.within,
            "dagum_between": self.dagum.between,
            "group_trends": self.group_trends,
            "kde_summary": self.kde.summary,
        }
        if self.theil is not None:
            out["theil_t"] = self.theil.summary
            out["theil_groups"] = self.theil.groups
        for name, table in (
            ("sigma", self.sigma),
            ("beta", self.beta),
            ("moran", self.moran),
            ("spatial_markov", self.markov),
        ):
            if table is not None:
                out[name] = table
        out["kde_density"] = self.kde.density
        out["data"] = self.panel
        return out


def disparity_report(
    panel: pd.DataFrame,
    *,
    label: str = "value",
    groups: GroupSpec = "four-regions",
    weights: pd.DataFrame | None = None,
    bootstrap: int = 0,
    seed: int | None = 0,
    spatial: bool = True,
) -> DisparityReport:
    """Dagum, group trends, kernel densities; Theil, σ/β convergence when the values are
    positive (they need logs); global Moran's I and the spatial Markov chain (quartiles,
    balanced panels only) when the regions are provinces.

    ``weights``: optional long ``region, year, weight`` (e.g. population) for the Dagum
    and Theil population-weighted variants.
    """
    data = panel.copy()
    weight = None
    if weights is not None:
        data = data.merge(weights[["region", "year", "weight"]], on=["region", "year"], how="left")
        weight = "weight"
    notes: list[str] = []
    dagum = dagum_gini(data, groups=groups, weight=weight, bootstrap=bootstrap, seed=seed)
    labelled = data.dropna(subset=["value"]).assign(
        group=lambda d: group_labels(d["region"], groups).to_numpy()
    )
    trends = labelled.pivot_table(index="year", columns="group", values="value", aggfunc="mean")
    order = [g for g in dagum.within["group"].drop_duplicates() if g in trends.columns]
    trends = trends[order]
    trends["全国 all"] = labelled.groupby("year")["value"].mean()
    kde = kernel_density(data)
    theil = sigma = beta = moran = None
    if (data["value"].dropna() > 0).all():
        theil = theil_t(data, groups=groups, weight=weight)
        sigma = sigma_convergence(data, groups=groups)
        if data["year"].nunique() >= 3:
            beta = pd.concat(
                [beta_convergence(data, model=m, groups=groups) for m in ("pooled", "fe")],
                ignore_index=True,
            )
    else:
        notes.append(
            "Theil, σ (logs) and β convergence need positive values; this measure has zero or "
            "negative values, so they are left out"
        )
        warnings.warn(notes[-1], NQPFWarning, stacklevel=2)
    markov = None
    if spatial:
        moran = _moran_or_note(data, notes)
        if moran is not None and data["year"].nunique() >= 2:
            from nqpf.disparity.spatial import spatial_markov

            try:
                markov = spatial_markov(data)
            except InputError as exc:
                notes.append(f"spatial Markov left out: {exc.message}")
    return DisparityReport(
        label=label,
        grouping=groups if isinstance(groups, str) else "custom",
        panel=data,
        dagum=dagum,
        group_trends=trends.reset_index(),
        kde=kde,
        theil=theil,
        sigma=sigma,
        beta=beta,
        moran=moran,
        markov=markov,
        notes=notes,
    )


def _moran_or_note(data: pd.DataFrame, notes: list[str]) -> pd.DataFrame | None:
    from nqpf.regions import province_codes

    if not set(data["region"].astype(str)) <= set(province_codes()):
        notes.append("Moran's I needs province codes; left out")
        return None
    try:
        from nqpf.disparity.spatial import morans_i

        return morans_i(data, permutations=999, seed=0)
    except ImportError as exc:
        notes.append(f"Moran's I left out: {exc.name} is not installed (pip install 'nqpf[maps]')")
        return None


def write_disparity(
    report: DisparityReport, out_dir: str | Path, *, force: bool = False
) -> list[Path]:
    """Write ``disparity.xlsx`` (every table) and ``disparity.html`` (offline figures) as one
    set (see :func:`nqpf.outputs.output_set`)."""
    from nqpf.outputs import atomic_write_excel, atomic_write_text, output_set

    out = Path(out_dir)
    names = ("disparity.xlsx", "disparity.html")
    with output_set(out, kind="disparity", force=force, names=names) as stage:
        atomic_write_excel(stage / names[0], report.tables())
        atomic_write_text(stage / names[1], _html(report))
    return [out / name for name in names]


def _html(report: DisparityReport) -> str:
    from html import escape

    import plotly.graph_objects as go

    surface = report.kde.surface
    fig_kde = go.Figure(
        go.Surface(
            x=surface.columns.to_numpy(dtype=float),
            y=surface.index.to_numpy(),
            z=surface.to_numpy(),
            colorscale="Viridis",
        )
    )
    fig_kde.update_layout(
        title="核密度动态 Kernel density by year",
        scene={"xaxis_title": report.label, "yaxis_title": "年份 year", "zaxis_title": "密度"},
        height=600,
    )
    trends = report.group_trends
    fig_trend = go.Figure(
        [go.Scatter(x=trends["year"], y=trends[c], name=str(c)) for c in trends.columns[1:]]
    )
    fig_trend.update_layout(title="分区域均值 Group means", yaxis_title=report.label)
    s = report.dagum.summary
    fig_share = go.Figure(
        [
            go.Bar(x=s["year"], y=100 * s[col], name=name)
            for col, name in (
                ("share_w", "区域内 within G_w"),
                ("share_nb", "区域间 net between G_nb"),
                ("share_t", "超变密度 transvariation G_t"),
            )
        ]
    )
    fig_share.update_layout(
        barmode="stack", title="Dagum 基尼系数分解贡献率 Decomposition shares (%)"
    )
    fig_g = go.Figure(go.Scatter(x=s["year"], y=s["G"], name="G"))
    fig_g.update_layout(title="总体基尼系数 Overall Dagum Gini G")
    parts = [
        fig.to_html(full_html=False, include_plotlyjs=(i == 0))
        for i, fig in enumerate((fig_kde, fig_trend, fig_g, fig_share))
    ]
    table = s.round(4).to_html(index=False, border=0)
    notes = "".join(f"<p><em>{escape(n)}</em></p>" for n in report.notes)
    label, grouping = escape(report.label), escape(report.grouping)
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>区域差异 Disparities — {label}</title></head><body>"
        f"<h1>区域差异与动态演进 Regional disparities: {label}</h1>"
        f"<p>分组 grouping: {grouping}</p>{notes}{table}{''.join(parts)}</body></html>"
    )


@dataclass(frozen=True)
class Diagnosis:
    """One region's diagnosis: obstacles, coupling and trajectory (all years)."""

    region: str
    region_name: str
    group: str
    obstacles: pd.DataFrame
    pillar_obstacles: pd.DataFrame
    coupling: pd.DataFrame
    trajectory: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "obstacles": self.obstacles,
            "pillar_obstacles": self.pillar_obstacles,
            "coupling": self.coupling,
            "trajectory": self.trajectory,
        }


def diagnose(
    region: str,
    *,
    assessment: Any = None,
    top: int = 5,
    subsystems: Sequence[str] = ("tech", "industry"),
    grouping: str = "four-regions",
) -> Diagnosis:
    """Obstacle degrees (top ``top`` indicators, all pillars), coupling coordination of
    ``subsystems`` and the index trajectory against the region's group and the nation
    (unweighted mean of the provinces assessed), for every assessed year.

    ``assessment``: an :class:`nqpf.Assessment` (default ``nqpf.assess()``); it must
    expose ``scores``, ``normalized``, ``indicator_weights`` and ``pillar_of``.
    """
    from nqpf.regions import group_of, normalize_region, region_name

    code = normalize_region(region)
    if assessment is None:
        assessment = _assess(None)
    normalized = assessment.normalized
    weights = assessment.indicator_weights
    pillar_of = dict(assessment.pillar_of)
    regions = normalized.index.get_level_values(0).astype(str)
    if code not in set(regions):
        raise InputError(
            f"{region_name(code)} ({code}) is not in the assessment",
            column="region",
            hint="assess it first (nqpf.assess(regions=...)) or pick an assessed region",
        )
    result = obstacle_degree(normalized, weights, pillar_of=pillar_of)
    mine = result.indicators[result.indicators["region"].astype(str) == code]
    obstacles = top_obstacles(ObstacleResult(mine, result.pillars), top)
    pillar_obstacles = result.pillars[result.pillars["region"].astype(str) == code]
    missing = [s for s in subsystems if s not in set(pillar_of.values())]
    if missing:
        raise InputError(
            f"no pillar {', '.join(missing)} in the assessment's framework",
            hint=f"pillars are {', '.join(sorted(set(pillar_of.values())))}",
        )
    scores = assessment.scores
    scores = scores.assign(region=scores["region"].astype(str))
    subs = scores.loc[scores["region"] == code, ["region", "year", *subsystems]]
    coupling = coupling_coordination(subs.sort_values("year"), list(subsystems))
    group = group_of(code, grouping=grouping)
    in_group = scores["region"].map(lambda c: group_of(c, grouping=grouping)) == group
    trajectory = (
        scores[scores["region"] == code][["year", "index", "rank"]]
        .merge(
            scores[in_group].groupby("year", as_index=False)["index"].mean(),
            on="year",
            suffixes=("", "_group"),
        )
        .merge(
            scores.groupby("year", as_index=False)["index"]
            .mean()
            .rename(columns={"index": "index_nation"}),
            on="year",
        )
        .sort_values("year", ignore_index=True)
    )
    trajectory["gap_group"] = trajectory["index"] - trajectory["index_group"]
    trajectory["gap_nation"] = trajectory["index"] - trajectory["index_nation"]
    trajectory["growth_log"] = (
        np.log(trajectory["index"]).diff() if (trajectory["index"] > 0).all() else np.nan
    )
    return Diagnosis(
        region=code,
        region_name=region_name(code),
        group=group,
        obstacles=obstacles,
        pillar_obstacles=pillar_obstacles.reset_index(drop=True),
        coupling=coupling,
        trajectory=trajectory,
    )
