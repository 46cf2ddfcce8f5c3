"""The result of an NQPF assessment: scores, weights, contributions and their provenance.

The construction math is in :mod:`nqpf.index.construct`; :func:`nqpf.assess`
(:mod:`nqpf.services.assessment`) loads the data and builds this object;
:mod:`nqpf.present.assessment` writes it as CSV, Excel, HTML and Word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from nqpf.index.construct import Built, Construction
from nqpf.index.framework import Framework
from nqpf.results import ResultMixin

if TYPE_CHECKING:
    from nqpf.index.outliers import OutlierTreatment
    from nqpf.index.uncertainty import UncertaintyResult

__all__ = ["Assessment"]


@dataclass
class Assessment(ResultMixin):
    """A composite NQPF assessment: scores, weights, contributions and their provenance.

    Follows the result protocol (:mod:`nqpf.results`): ``spec`` (the options), ``spec_hash``,
    ``provenance``, ``warnings``, ``tables()`` (scores first), ``to_frame()``, ``to_json()``.
    Made by :func:`nqpf.assess`; written to files by :mod:`nqpf.present.assessment`.
    """

    kind: ClassVar[str] = "assessment"
    main_table: ClassVar[str | None] = "scores"

    framework: Framework
    construction: Construction
    data: pd.DataFrame
    built: Built
    region_names: dict[str, str]
    provenance: pd.DataFrame
    spec_hash: str
    options: dict[str, Any]
    uncertainty: UncertaintyResult | None = None
    outliers: OutlierTreatment | None = None
    warnings: list[str] = field(default_factory=list)
    _scores: pd.DataFrame | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ result protocol
    @property
    def spec(self) -> dict[str, Any]:
        """Every option of the run (construction, framework id, years, uncertainty, seed,
        data)."""
        return self.options

    def tables(self) -> dict[str, pd.DataFrame]:
        """scores, pillars (sub-pillar and pillar scores), weights, contributions, and when
        the uncertainty analysis ran its rank bands and Sobol indices."""
        out = {
            "scores": self.scores,
            "pillars": self.pillar_table(),
            "weights": self.weights,
            "contributions": self.contributions,
        }
        if self.outliers is not None:
            out["outliers"] = self.outliers.table
        if self.uncertainty is not None:
            out["rank_bands"] = self.uncertainty.ranks
            out["sobol"] = self.uncertainty.sobol
        return out

    def pillar_table(self) -> pd.DataFrame:
        """region, region_name, year, sub-pillar scores then pillar scores."""
        pillars = self.subpillar_scores.merge(
            self.built.pillars.reset_index(), on=["region", "year"]
        )
        pillars.insert(1, "region_name", pillars["region"].map(self.region_names))
        return pillars

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


def _ranks(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby("year")["index"].rank(ascending=False, method="min").astype(int)
