"""Opportunity ranking (因地制宜选产业): feasibility × attractiveness, with reasons.

For a region c and every industry p in which c has no advantage yet (M_cp = 0):

* feasibility = percentile rank of relatedness density ω_cp among the candidates
  (equivalently of 1 − distance);
* attractiveness = weighted mean of the percentile ranks of PCI_p, COG_cp and the national
  growth of p, and a type score (:data:`TYPE_SCORE`);
* score = Σ weights × components, with the weights of a strategy preset
  (:data:`STRATEGIES`) or the user's. A component that is missing (no growth series) has
  its weight spread over the others in proportion.

Percentile ranks put components on one [0, 1] scale whatever their units. Expected RCA
from relatedness is the pooled OLS fit RCA_cp ≈ a + b ω_cp over all cells (floored at 0);
:func:`swot` sets each industry of c in a predictive SWOT quadrant: strength (RCA ≥ 1,
expected ≥ 1), threat (RCA ≥ 1, expected < 1: an advantage its related capabilities do not
support), opportunity (RCA < 1, expected ≥ 1), weakness (RCA < 1, expected < 1).
References: Hidalgo et al. 2007; Hausmann et al. 2014 (*Atlas*, ch. 4, "strategic bets");
Balland et al. 2019, *Regional Studies* 53:1252 (smart-specialisation relatedness/complexity).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.industry.advantage import presence, rca
from nqpf.industry.classification import lever, stage_of
from nqpf.industry.complexity import complexity

__all__ = ["STRATEGIES", "TYPE_SCORE", "expected_rca", "national_growth", "opportunities", "swot"]

Strategy = Literal["low_hanging", "balanced", "long_jump"]

#: Weights of the components (density = feasibility; the rest = attractiveness).
STRATEGIES: dict[str, dict[str, float]] = {
    # 低垂果实: mostly what the region can already do.
    "low_hanging": {"density": 0.6, "pci": 0.1, "cog": 0.1, "growth": 0.1, "type": 0.1},
    # 平衡组合: feasibility and attractiveness weigh the same.
    "balanced": {"density": 0.5, "pci": 0.15, "cog": 0.15, "growth": 0.1, "type": 0.1},
    # 远跳: complex, fast-growing, emerging industries further from today's base.
    "long_jump": {"density": 0.2, "pci": 0.3, "cog": 0.25, "growth": 0.1, "type": 0.15},
}
#: Score of an industry type in attractiveness: the article puts emerging and future
#: industries first but keeps traditional ones ("传统产业改造升级，也能发展新质生产力").
TYPE_SCORE = {"future": 1.0, "emerging": 0.75, "traditional": 0.25}


def national_growth(matrix: pd.DataFrame) -> pd.Series:
    """Compound annual growth of each industry's national total between the first and last
    year of a long matrix: (X_last / X_first)^(1 / (last − first)) − 1."""
    totals = matrix.groupby(["industry", "year"])["value"].sum().unstack()
    first, last = int(totals.columns.min()), int(totals.columns.max())
    if first == last:
        raise InputError("national growth needs at least two years in the matrix")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (totals[last] / totals[first]) ** (1.0 / (last - first)) - 1.0
    return rate.replace([np.inf, -np.inf], np.nan).rename("growth")


def expected_rca(rca_table: pd.DataFrame, density_table: pd.DataFrame) -> pd.DataFrame:
    """RCA predicted from relatedness density by pooled OLS, floored at 0."""
    x = density_table.to_numpy().ravel()
    y = rca_table.to_numpy().ravel()
    design = np.column_stack([np.ones_like(x), x])
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = np.maximum(a + b * density_table.to_numpy(), 0.0)
    return pd.DataFrame(fitted, index=rca_table.index, columns=rca_table.columns)


def swot(
    values: pd.DataFrame,
    region: str,
    *,
    threshold: float = 1.0,
    proximity_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Predictive SWOT of every industry in ``region``: RCA vs RCA expected from relatedness."""
    table = rca(values)
    cx = complexity(presence(table, threshold=threshold), proximity_table=proximity_table)
    expected = expected_rca(table, cx.density)
    _check_region(values, region)
    out = pd.DataFrame(
        {
            "rca": table.loc[region],
            "expected_rca": expected.loc[region],
            "density": cx.density.loc[region],
        }
    )
    strong = out["rca"] >= threshold
    supported = out["expected_rca"] >= threshold
    out["quadrant"] = np.select(
        [strong & supported, strong & ~supported, ~strong & supported],
        ["strength", "threat", "opportunity"],
        "weakness",
    )
    return out


def opportunities(
    values: pd.DataFrame,
    region: str,
    *,
    strategy: Strategy = "balanced",
    weights: dict[str, float] | None = None,
    growth: pd.Series | None = None,
    types: pd.DataFrame | None = None,
    threshold: float = 1.0,
    proximity_table: pd.DataFrame | None = None,
    region_label: str | None = None,
    industry_names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Ranked industries ``region`` could grow into, with scores and a reason for each.

    ``values`` is a region × industry table (see :func:`~nqpf.industry.matrix.to_wide`);
    ``types`` the output of :func:`~nqpf.industry.classification.industry_types` (untyped
    industries count as traditional); ``weights`` override the preset's;
    ``industry_names`` label codes (census section letters) in the reasons.
    """
    _check_region(values, region)
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r}", hint=f"one of {', '.join(STRATEGIES)}")
    w = dict(STRATEGIES[strategy])
    if weights:
        unknown = set(weights) - set(w)
        if unknown:
            raise InputError(
                f"unknown weight(s) {', '.join(sorted(unknown))}", hint=f"use {', '.join(w)}"
            )
        if any(v < 0 for v in weights.values()):
            raise InputError("weights must be ≥ 0")
        w.update(weights)
    table = rca(values)
    m = presence(table, threshold=threshold)
    cx = complexity(m, proximity_table=proximity_table)
    expected = expected_rca(table, cx.density)
    own = m.loc[region].to_numpy()
    candidates = m.columns[own == 0]
    if len(candidates) == 0:
        raise InputError(f"{region!r} already has an advantage in every industry")
    kinds = pd.Series("traditional", index=values.columns)
    if types is not None:
        kinds.update(types["type"].reindex(values.columns).dropna())
    names = {str(p): str(p) for p in values.columns} | (industry_names or {})
    out = pd.DataFrame(index=pd.Index(candidates, name="industry"))
    out["name"] = [names[str(p)] for p in candidates]
    out["rca"] = table.loc[region].reindex(candidates)
    out["expected_rca"] = expected.loc[region].reindex(candidates)
    out["density"] = cx.density.loc[region].reindex(candidates)
    out["distance"] = 1.0 - out["density"]
    out["pci"] = cx.pci.reindex(candidates)
    out["cog"] = cx.cog.loc[region].reindex(candidates)
    out["growth"] = np.nan if growth is None else growth.reindex(candidates).to_numpy()
    out["type"] = kinds[candidates]
    components = {
        "density": out["density"].rank(pct=True),
        "pci": out["pci"].rank(pct=True),
        "cog": out["cog"].rank(pct=True),
        "growth": out["growth"].rank(pct=True),
        "type": out["type"].map(TYPE_SCORE).astype(float),
    }
    usable = {k: v for k, v in w.items() if components[k].notna().any() and v > 0}
    total = sum(usable.values())
    if total <= 0:
        raise InputError("all weights are zero")
    attractive = {k: v for k, v in usable.items() if k != "density"}
    out["feasibility"] = components["density"]
    att_total = sum(attractive.values())
    out["attractiveness"] = (
        sum(components[k].fillna(0.5) * v for k, v in attractive.items()) / att_total
        if att_total > 0
        else np.nan
    )
    out["score"] = sum(components[k].fillna(0.5) * v for k, v in usable.items()) / total
    out = out.sort_values("score", ascending=False)
    out["rank"] = np.arange(1, len(out) + 1)
    label = region_label or str(region)
    present = m.columns[own == 1]
    phi = cx.proximity
    out["stage"] = [stage_of(float(v)) for v in out["rca"]]
    levers = [lever(str(k), s) for k, s in zip(out["type"], out["stage"], strict=True)]
    out["lever_zh"] = [z for z, _ in levers]
    out["lever_en"] = [e for _, e in levers]
    out["feasibility_rank"] = out["density"].rank(ascending=False, method="min").astype(int)
    reasons = [
        _reason(str(p), out.loc[p], label, present, phi, types, names, len(out)) for p in out.index
    ]
    out["reason_zh"] = [z for z, _ in reasons]
    out["reason_en"] = [e for _, e in reasons]
    return out


def _reason(
    industry: str,
    row: pd.Series,
    label: str,
    present: pd.Index,
    phi: pd.DataFrame,
    types: pd.DataFrame | None,
    names: dict[str, str],
    n_candidates: int,
) -> tuple[str, str]:
    row_phi = pd.Series(phi.loc[industry]).reindex(present)
    near = row_phi.sort_values(ascending=False)
    near = near[near > 0].head(3)
    related = "、".join(names[str(p)] for p in near.index) or "—"
    name = str(row["name"])
    type_zh = {"traditional": "传统产业", "emerging": "战略性新兴产业", "future": "未来产业"}[
        row["type"]
    ]
    directions = "" if types is None else str(types["future"].get(industry, ""))
    future = f"，可延伸至{directions}" if directions else ""
    growth_zh = "" if pd.isna(row["growth"]) else f"，全国年均增长{row['growth']:.1%}"
    growth_en = "" if pd.isna(row["growth"]) else f", national growth {row['growth']:.1%} a year"
    k = int(row["feasibility_rank"])
    zh = (
        f"{label}已在与{name}关联紧密的{related}具有比较优势，关联密度{row['density']:.2f}"
        f"（{n_candidates}个候选产业中第{k}高）；产业复杂度PCI {row['pci']:+.2f}"
        f"{growth_zh}；属{type_zh}{future}。建议：{row['lever_zh']}"
    )
    en = (
        f"{label} already has an advantage in {related}, closely related to {name}; "
        f"relatedness density {row['density']:.2f} (#{k} of {n_candidates} candidates); "
        f"PCI {row['pci']:+.2f}{growth_en}; type: {row['type']}. Lever: {row['lever_en']}"
    )
    return zh, en


def _check_region(values: pd.DataFrame, region: str) -> None:
    if region not in values.index:
        raise InputError(
            f"region {region!r} is not in the matrix (or was dropped for a zero total)",
            hint="check the region code and the matrix level (province/prefecture/county)",
        )
