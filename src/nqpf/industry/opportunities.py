"""Opportunity ranking (因地制宜选产业): feasibility × attractiveness, with reasons.

For a region c and every industry p in which c has no advantage yet (M_cp = 0), and that
is tradable unless asked (:mod:`nqpf.industry.classification`; local services are not
opportunities in the Atlas sense):

* feasibility = the log-odds ln(p / (1 − p)) of the entry probability p of the fitted
  feasibility model (:mod:`nqpf.industry.feasibility`) when one is given, else the
  relatedness density ω_cp standardised over the matrix's candidate cells;
* attractiveness = Σ_k w_k q_k, with q_k the percentile in [0, 1] of PCI_p, COG_cp, the
  national growth of p and a type score (:data:`TYPE_SCORE`) among the candidate cells of
  every region of the matrix ((rank − 1) / (n − 1), ties at their mean rank);
* score = w_feasibility · feasibility + attractiveness, with the weights of a strategy
  preset (:data:`STRATEGIES`) or the user's. A missing component (no growth series)
  adds nothing.

With a model the score is on the log-odds scale: a weight w_k is the number of log-odds of
entry the most attractive candidate on component k gains over the least attractive, so the
presets bound what attractiveness can buy — in ``balanced`` the most attractive candidate
on all four components has its entry odds multiplied by at most 1.1, in ``long_jump`` by
4 — and ``low_hanging`` (all w_k = 0) ranks by the model alone, so its backtest is the
model's. :func:`score_table` computes
the terms for every region at once (the backtest and the screen score all regions the same
way). The reason of each opportunity names the region's industries that
contribute most to its density, φ_pp' M_cp' / Σ_p'' φ_pp'', and, when a backtest is given,
the share of past candidates in the same score decile that were entered. Expected RCA
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

__all__ = [
    "STRATEGIES",
    "TYPE_SCORE",
    "density_contributions",
    "expected_rca",
    "national_growth",
    "opportunities",
    "percentiles",
    "resolve_weights",
    "score_table",
    "swot",
]

Strategy = Literal["low_hanging", "balanced", "long_jump"]

#: Largest factor by which attractiveness multiplies the entry odds in each preset (the
#: most attractive candidate on every component against the least): 1 (none), 1.1, 4.
ODDS_FACTOR = {"low_hanging": 1.0, "balanced": 1.1, "long_jump": 4.0}
#: Weights of the score's terms: ``feasibility`` multiplies the model's log-odds of entry,
#: the others are the log-odds a candidate gains from the bottom to the top percentile of
#: PCI, COG, national growth and the type score (:data:`TYPE_SCORE`) among the candidate
#: cells: ln(ODDS_FACTOR) shared equally by the four. ``low_hanging`` is the fitted model
#: itself; ``balanced`` lets attractiveness reorder candidates whose entry odds are within
#: 10 % of each other (it costs no hit rate against RCA alone in the backtests, see
#: docs/opportunities.md), ``long_jump`` within a factor 4 (it does cost, by design). The
#: weights are stated, not fitted: attractiveness is what a region wants, not what predicts
#: entry.
STRATEGIES: dict[str, dict[str, float]] = {
    name: {"feasibility": 1.0}
    | dict.fromkeys(("pci", "cog", "growth", "type"), float(np.log(f)) / 4)
    for name, f in ODDS_FACTOR.items()
}
# 低垂果实 low_hanging: the industries the region is most likely to enter;
# 平衡组合 balanced: near-equal odds broken towards complexity, growth and emerging type;
# 远跳 long_jump: complex, fast-growing, emerging industries further from today's base.
#: Score of an industry type in attractiveness: the article puts emerging and future
#: industries first but keeps traditional ones ("传统产业改造升级，也能发展新质生产力").
TYPE_SCORE = {"future": 1.0, "emerging": 0.75, "traditional": 0.25}
#: Probabilities are clipped to [ε, 1 − ε] before the log-odds.
LOGIT_CLIP = 1e-6


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


def resolve_weights(
    strategy: str = "balanced", weights: dict[str, float] | None = None
) -> dict[str, float]:
    """The preset's weights, updated with the user's (validated)."""
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
    return w


def percentiles(
    candidates: pd.DataFrame,
    *,
    pci: pd.Series,
    cog: pd.DataFrame,
    growth: pd.Series | None,
    kinds: pd.Series,
) -> dict[str, np.ndarray]:
    """The attractiveness components q_k of :func:`score_table` (region × industry arrays):
    the percentile (rank − 1) / (n − 1) of PCI, COG, growth and type score among all
    ``candidates`` (true cells), ties at their mean rank (``scipy.stats.rankdata``), a
    missing value at the middle (½), a component missing everywhere or constant zero."""
    mask = candidates.to_numpy(dtype=bool)
    shape = mask.shape

    def q(values: np.ndarray) -> np.ndarray:
        from scipy.stats import rankdata

        v = np.where(mask, np.asarray(values, dtype=float), np.nan)
        known = mask & ~np.isnan(v)
        inside = v[known]
        if inside.size < 2 or np.ptp(inside) == 0:
            return np.zeros(shape)
        out = np.full(shape, 0.5)
        out[known] = (rankdata(inside) - 1.0) / (inside.size - 1.0)
        return out

    def row(series: pd.Series | None) -> np.ndarray:
        if series is None:
            return np.full(shape, np.nan)
        return np.broadcast_to(series.reindex(candidates.columns).to_numpy(dtype=float), shape)

    type_score = kinds.reindex(candidates.columns).map(TYPE_SCORE).astype(float)
    return {
        "pci": q(row(pci)),
        "cog": q(cog.reindex_like(candidates).to_numpy(dtype=float)),
        "growth": q(row(growth)),
        "type": q(row(type_score)),
    }


def score_table(
    feasibility: pd.DataFrame,
    candidates: pd.DataFrame,
    *,
    pci: pd.Series,
    cog: pd.DataFrame,
    growth: pd.Series | None,
    kinds: pd.Series,
    weights: dict[str, float],
    probability: bool = True,
    components: dict[str, np.ndarray] | None = None,
) -> dict[str, pd.DataFrame]:
    """Feasibility, attractiveness and score of every candidate cell of every region.

    feasibility = ln(p / (1 − p)) of the model's entry probability p (``probability``),
    else the standardised value of ``feasibility`` (e.g. relatedness density, no model);
    attractiveness = Σ_k w_k q_k with q_k the percentile of PCI, COG, growth and type score
    among all ``candidates`` (:func:`percentiles`; ``components`` passes them computed
    once for several weightings); score = w_feasibility · feasibility + attractiveness.
    Ranking over all regions' candidates keeps one scale for every region of the matrix.
    """
    mask = candidates.to_numpy(dtype=bool)
    shape = mask.shape

    def z(values: np.ndarray) -> np.ndarray:
        v = np.where(mask, np.asarray(values, dtype=float), np.nan)
        inside = v[mask & ~np.isnan(v)]
        spread = float(inside.std()) if inside.size else 0.0
        if spread == 0.0:
            return np.zeros(shape)
        out: np.ndarray = np.nan_to_num((v - inside.mean()) / spread)
        return out

    if not any(v > 0 for v in weights.values()):
        raise InputError("all weights are zero")
    raw = feasibility.to_numpy(dtype=float)
    if probability:
        p = np.clip(raw, LOGIT_CLIP, 1.0 - LOGIT_CLIP)
        feasible = np.log(p / (1.0 - p))
    else:
        feasible = z(raw)
    if components is None:
        components = percentiles(candidates, pci=pci, cog=cog, growth=growth, kinds=kinds)
    attractive = sum(
        (weights.get(k, 0.0) * v for k, v in components.items()), start=np.zeros(shape)
    )
    score = weights.get("feasibility", 0.0) * feasible + attractive

    def frame(values: np.ndarray) -> pd.DataFrame:
        out = np.where(mask, values, np.nan)
        return pd.DataFrame(out, index=candidates.index, columns=candidates.columns)

    return {
        "feasibility": frame(feasible),
        "attractiveness": frame(attractive),
        "score": frame(score),
    }


def density_contributions(
    presence_row: pd.Series, proximity_table: pd.DataFrame, industry: str
) -> pd.Series:
    """Each present industry p' 's share of the density of ``industry`` p in one region:
    φ_pp' M_cp' / Σ_p'' φ_pp'' (they sum to ω_cp), largest first, zeros dropped.

    >>> phi = pd.DataFrame([[1, .5, .2], [.5, 1, 0], [.2, 0, 1]], index=list("abc"),
    ...                    columns=list("abc"))
    >>> density_contributions(pd.Series({"a": 0, "b": 1, "c": 1}), phi, "a").round(3).to_dict()
    {'b': 0.294, 'c': 0.118}
    """
    phi = pd.Series(proximity_table.loc[industry]).reindex(presence_row.index).astype(float)
    share = phi * presence_row.astype(float) / phi.sum()
    return share[share > 0].sort_values(ascending=False)


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
    feasibility: pd.DataFrame | None = None,
    hit_rates: pd.DataFrame | None = None,
    include_nontradable: bool = False,
) -> pd.DataFrame:
    """Ranked industries ``region`` could grow into, with scores and a reason for each.

    ``values`` is a region × industry table (see :func:`~nqpf.industry.matrix.to_wide`);
    ``types`` the output of :func:`~nqpf.industry.classification.industry_types` (untyped
    industries count as traditional and tradable); ``weights`` override the preset's;
    ``industry_names`` label codes (census section letters) in the reasons;
    ``feasibility`` a region × industry table of entry probabilities from a fitted
    :class:`~nqpf.industry.feasibility.FeasibilityModel` (else density is the feasibility);
    ``hit_rates`` the score-decile table of a backtest
    (:func:`~nqpf.industry.backtest.decile_hit_rates` of this strategy's score).
    """
    from nqpf.industry.backtest import score_decile

    _check_region(values, region)
    w = resolve_weights(strategy, weights)
    table = rca(values)
    m = presence(table, threshold=threshold)
    cx = complexity(m, proximity_table=proximity_table)
    expected = expected_rca(table, cx.density)
    kinds = pd.Series("traditional", index=values.columns)
    tradable = pd.Series(True, index=values.columns)
    if types is not None:
        kinds.update(types["type"].reindex(values.columns).dropna())
        if "tradable" in types:
            tradable.update(types["tradable"].reindex(values.columns).dropna().astype(bool))
    allowed = tradable | include_nontradable
    cand = (m == 0) & allowed.to_numpy()[None, :]
    candidates = m.columns[cand.loc[region].to_numpy()]
    if len(candidates) == 0:
        raise InputError(
            f"{region!r} has no candidate industries (an advantage in every tradable one)",
            hint="pass include_nontradable=True to rank local services too",
        )
    basis = "model" if feasibility is not None else "density"
    feas_source = feasibility if feasibility is not None else cx.density
    scores = score_table(
        feas_source.reindex(index=m.index, columns=m.columns),
        cand,
        pci=cx.pci,
        cog=cx.cog,
        growth=growth,
        kinds=kinds,
        weights=w,
        probability=feasibility is not None,
    )
    names = {str(p): str(p) for p in values.columns} | (industry_names or {})
    out = pd.DataFrame(index=pd.Index(candidates, name="industry"))
    out["name"] = [names[str(p)] for p in candidates]
    out["rca"] = table.loc[region].reindex(candidates)
    out["expected_rca"] = expected.loc[region].reindex(candidates)
    out["density"] = cx.density.loc[region].reindex(candidates)
    out["distance"] = 1.0 - out["density"]
    out["entry_probability"] = (
        feasibility.loc[region].reindex(candidates) if feasibility is not None else np.nan
    )
    out["pci"] = cx.pci.reindex(candidates)
    out["cog"] = cx.cog.loc[region].reindex(candidates)
    out["growth"] = np.nan if growth is None else growth.reindex(candidates).to_numpy()
    out["type"] = kinds[candidates]
    out["tradable"] = tradable[candidates]
    out["feasibility_basis"] = basis
    for key in ("feasibility", "attractiveness", "score"):
        out[key] = scores[key].loc[region].reindex(candidates)
    if hit_rates is not None:
        decile = score_decile(out["score"].to_numpy(), hit_rates["lower"].to_numpy())
        out["decile"] = decile
        out["hit_rate"] = hit_rates["hit_rate"].reindex(decile).to_numpy()
    else:
        out["decile"] = pd.NA
        out["hit_rate"] = np.nan
    out = out.sort_values("score", ascending=False, kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    label = region_label or str(region)
    out["stage"] = [stage_of(float(v)) for v in out["rca"]]
    levers = [
        lever(str(k), s, tradable=bool(t))
        for k, s, t in zip(out["type"], out["stage"], out["tradable"], strict=True)
    ]
    out["lever_zh"] = [z for z, _ in levers]
    out["lever_en"] = [e for _, e in levers]
    out["feasibility_rank"] = out["feasibility"].rank(ascending=False, method="min").astype(int)
    present_row = pd.Series(m.loc[region], dtype=float)
    contributions = [
        density_contributions(present_row, cx.proximity, str(p)).head(3) for p in out.index
    ]
    out["contributors"] = [
        "、".join(f"{names[str(q)]}({v:.2f})" for q, v in c.items()) for c in contributions
    ]
    reasons = [
        _reason(out.loc[p], label, c, types, names, len(out), basis)
        for p, c in zip(out.index, contributions, strict=True)
    ]
    out["reason_zh"] = [z for z, _ in reasons]
    out["reason_en"] = [e for _, e in reasons]
    return out


def _reason(
    row: pd.Series,
    label: str,
    contributions: pd.Series,
    types: pd.DataFrame | None,
    names: dict[str, str],
    n_candidates: int,
    basis: str,
) -> tuple[str, str]:
    industry = str(row.name)
    related = "、".join(names[str(p)] for p in contributions.index) or "—"
    related_share = float(contributions.sum())
    name = str(row["name"])
    type_zh = {"traditional": "传统产业", "emerging": "战略性新兴产业", "future": "未来产业"}[
        row["type"]
    ]
    directions = "" if types is None else str(types["future"].get(industry, ""))
    future = f"，可延伸至{directions}" if directions else ""
    growth_zh = "" if pd.isna(row["growth"]) else f"，全国年均增长{row['growth']:.1%}"
    growth_en = "" if pd.isna(row["growth"]) else f", national growth {row['growth']:.1%} a year"
    k = int(row["feasibility_rank"])
    if basis == "model":
        feas_zh = f"进入概率{row['entry_probability']:.0%}（{n_candidates}个候选产业中第{k}高）"
        feas_en = f"entry probability {row['entry_probability']:.0%} (#{k} of {n_candidates})"
    else:
        feas_zh = f"关联密度{row['density']:.2f}（{n_candidates}个候选产业中第{k}高）"
        feas_en = f"relatedness density {row['density']:.2f} (#{k} of {n_candidates})"
    hit_zh = hit_en = ""
    if not pd.isna(row["hit_rate"]):
        hit_zh = f"；回测：得分同在第{int(row['decile'])}个十分位的候选产业{row['hit_rate']:.0%}在下一期形成了比较优势"
        hit_en = f"; backtest: {row['hit_rate']:.0%} of past candidates in score decile {int(row['decile'])} were entered"
    if related_share > 0:
        base_zh = f"{label}已有比较优势的{related}与{name}关联最紧密（贡献关联密度{related_share:.2f}/{row['density']:.2f}）"
        base_en = f"{label}'s advantages in {related} are the closest to {name} ({related_share:.2f} of its density {row['density']:.2f})"
    else:
        base_zh = f"{label}现有优势产业与{name}关联很弱"
        base_en = f"{label}'s present advantages are hardly related to {name}"
    zh = (
        f"{base_zh}；{feas_zh}；产业复杂度PCI {row['pci']:+.2f}{growth_zh}；属{type_zh}{future}"
        f"{hit_zh}。建议：{row['lever_zh']}"
    )
    en = (
        f"{base_en}; {feas_en}; PCI {row['pci']:+.2f}{growth_en}; type: {row['type']}"
        f"{hit_en}. Lever: {row['lever_en']}"
    )
    return zh, en


def _check_region(values: pd.DataFrame, region: str) -> None:
    if region not in values.index:
        raise InputError(
            f"region {region!r} is not in the matrix (or was dropped for a zero total)",
            hint="check the region code and the matrix level (province/prefecture/county)",
        )
