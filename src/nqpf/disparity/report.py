"""The disparity analysis of one measure: every table a paper's 区域差异与动态演进 section
reports (Dagum Gini and its decomposition, group trends, kernel densities, Theil, σ and β
convergence, Moran's I, the spatial Markov chain), composed from the functions of
:mod:`nqpf.disparity` on a long ``region, year, value`` panel.

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
    positive (they need logs); global Moran's I and the spatial Markov chain (quartiles,
    balanced panels only) when the regions are provinces.

    ``weights``: optional long ``region, year, weight`` (e.g. population) for the Dagum
    and Theil population-weighted variants. ``spatial_weights``: the provinces' spatial
    weights for Moran's I and the spatial Markov chain (:class:`~nqpf.disparity.spatial.
    SpatialWeights` or a libpysal ``W``; the service loads the contiguity,
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
    markov = None
    if spatial:
        moran = _moran_or_note(data, spatial_weights, notes)
        if moran is not None and data["year"].nunique() >= 2:
            from nqpf.disparity.spatial import spatial_markov

            try:
                markov = spatial_markov(data, spatial_weights)
            except InputError as exc:
                notes.append(f"spatial Markov left out: {exc.message}")
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
        notes=notes,
        spec=spec,
        spec_hash=hash_spec(spec, *frames),
        provenance=provenance if provenance is not None else pd.DataFrame({"source": []}),
    )


def _moran_or_note(data: pd.DataFrame, w: Any, notes: list[str]) -> pd.DataFrame | None:
    from nqpf.regions import province_codes

    if not set(data["region"].astype(str)) <= set(province_codes()):
        notes.append(
            "空间自相关未计算 Moran's I and the spatial Markov chain left out: spatial weights "
            "are packaged for the 31 provinces only, not for prefectures or counties"
        )
        return None
    if w is None:
        notes.append("Moran's I needs spatial weights (spatial_weights=); left out")
        return None
    try:
        from nqpf.disparity.spatial import morans_i

        return morans_i(data, w, permutations=999, seed=0)
    except ImportError as exc:
        notes.append(f"Moran's I left out: {exc.name} is not installed (pip install 'nqpf[maps]')")
        return None
