r"""Obstacle degree (障碍度模型): which indicators and pillars hold a region back.

From a normalised matrix :math:`x_{ij} \in [0, 1]` (higher = better; an assessment's
``normalized``) and indicator weights :math:`w_j` (its ``indicator_weights``):

.. math::

    F_j = w_j \ \text{(factor contribution, 因子贡献度)}, \qquad
    I_{ij} = 1 - x_{ij} \ \text{(deviation, 指标偏离度)}, \qquad
    O_{ij} = \frac{F_j I_{ij}}{\sum_j F_j I_{ij}} \times 100\% \ \text{(障碍度)}

and a pillar's obstacle degree is the sum over its indicators,
:math:`U_{ip} = \sum_{j \in p} O_{ij}`. For each region-year the :math:`O_{ij}` sum to
100%. Weights are rescaled to sum to 1 (the shares do not depend on their scale).
A region-year at the top of every indicator (:math:`\sum_j F_j I_{ij} = 0`) has no
obstacle; its degrees are left missing, with a warning.

This is the 障碍度模型 (factor contribution × indicator deviation) of the Chinese
evaluation literature, used in most 新质生产力 evaluation papers since 2023.

Examples
--------
>>> import pandas as pd
>>> idx = pd.MultiIndex.from_tuples([("340000", 2022)], names=["region", "year"])
>>> x = pd.DataFrame({"a": [0.5], "b": [1.0], "c": [0.0]}, index=idx)
>>> w = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
>>> obstacle_degree(x, w).indicators["obstacle"].round(2).tolist()
[55.56, 0.0, 44.44]
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nqpf.errors import InputError, NQPFWarning
from nqpf.ingest.checks import require_complete

__all__ = ["ObstacleResult", "obstacle_degree", "top_obstacles"]

_TOLERANCE = 1e-9  # normalised values may overshoot [0, 1] by rounding only


@dataclass(frozen=True)
class ObstacleResult:
    """Obstacle degrees in percent.

    ``indicators``: ``region, year, indicator, pillar, contribution, deviation, obstacle,
    rank`` (rank 1 = largest obstacle of the region-year). ``pillars``: ``region, year,
    pillar, obstacle, rank``.
    """

    indicators: pd.DataFrame
    pillars: pd.DataFrame


def obstacle_degree(
    normalized: pd.DataFrame,
    weights: pd.Series,
    *,
    pillar_of: Mapping[str, str] | None = None,
) -> ObstacleResult:
    """Obstacle degree of every indicator (and pillar) for every row of ``normalized``.

    Parameters
    ----------
    normalized:
        Wide frame, index (region, year), one column per indicator, values in [0, 1]
        with higher = better (an :class:`Assessment`'s ``normalized``).
    weights:
        Indicator → weight (non-negative), covering every column.
    pillar_of:
        Indicator → pillar id; without it the pillar table is empty.
    """
    missing = [c for c in normalized.columns if c not in weights.index]
    if missing:
        raise InputError(
            f"no weight for indicator(s) {', '.join(map(str, missing))}",
            column=str(missing[0]),
            hint="pass the assessment's indicator_weights, which cover every indicator",
        )
    w = weights.reindex(normalized.columns).astype(float)
    if (w < 0).any() or not w.sum() > 0:
        raise InputError(
            "weights must be non-negative and not all 0",
            column=str(w.index[(w < 0).to_numpy()][0]) if (w < 0).any() else None,
        )
    x = normalized.astype(float)
    out_of_range = (x < -_TOLERANCE) | (x > 1 + _TOLERANCE)
    if out_of_range.any().any():
        col = str(x.columns[out_of_range.any().to_numpy()][0])
        raise InputError(
            "normalised values must lie in [0, 1]",
            column=col,
            hint="normalise with method='minmax' (or use the assessment's `normalized`)",
        )
    require_complete(x, method="the obstacle degree")
    f = (w / w.sum()).to_numpy()  # F_j
    deviation = 1 - x.clip(0, 1).to_numpy()  # I_ij
    product = deviation * f
    total = product.sum(axis=1, keepdims=True)
    perfect = total[:, 0] <= 0
    if perfect.any():
        rows = ", ".join(f"{r}/{y}" for r, y in x.index[perfect][:10])
        warnings.warn(
            f"obstacle_degree: {rows} are at the top of every indicator; no obstacle",
            NQPFWarning,
            stacklevel=2,
        )
    obstacle = np.divide(100 * product, total, out=np.full_like(product, np.nan), where=total > 0)
    regions = x.index.get_level_values(0)
    years = x.index.get_level_values(1)
    k = x.shape[1]
    long = pd.DataFrame(
        {
            "region": np.repeat(regions.to_numpy(), k),
            "year": np.repeat(years.to_numpy(), k),
            "indicator": np.tile(x.columns.to_numpy(), len(x)),
            "contribution": np.tile(f, len(x)),
            "deviation": deviation.ravel(),
            "obstacle": obstacle.ravel(),
        }
    )
    long.insert(3, "pillar", long["indicator"].map(dict(pillar_of)) if pillar_of else None)
    long["rank"] = (
        long.groupby(["region", "year"])["obstacle"].rank(ascending=False, method="min")
    ).astype("Int64")
    pillars = pd.DataFrame(columns=["region", "year", "pillar", "obstacle", "rank"])
    if pillar_of:
        pillars = (
            long.groupby(["region", "year", "pillar"], sort=False)["obstacle"]
            .sum(min_count=1)
            .reset_index()
        )
        pillars["rank"] = (
            pillars.groupby(["region", "year"])["obstacle"].rank(ascending=False, method="min")
        ).astype("Int64")
    return ObstacleResult(indicators=long, pillars=pillars)


def top_obstacles(result: ObstacleResult, n: int = 5, *, level: str = "indicator") -> pd.DataFrame:
    """The ``n`` largest obstacles of every region-year (``level`` "indicator" or "pillar")."""
    if level not in ("indicator", "pillar"):
        raise InputError(f"level={level!r}", hint="use 'indicator' or 'pillar'")
    table = result.indicators if level == "indicator" else result.pillars
    ordered = table.sort_values(["region", "year", "obstacle"], ascending=[True, True, False])
    return ordered.groupby(["region", "year"], sort=False).head(n).reset_index(drop=True)
