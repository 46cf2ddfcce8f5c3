"""The opportunity screen (机会筛查): strengths first, then backtested opportunities.

:func:`backtest_opportunities` replays the ranking on a past period: every score the
ranking uses (density, RCA_t0, COG, the feasibility model's out-of-sample probability and
the final score of each preset) is computed at t0 for every region and judged on the
entries by t1 (:mod:`nqpf.industry.backtest`), next to baselines. The feasibility model
is cross-fitted by blocks of regions (:func:`~nqpf.industry.feasibility.out_of_sample`);
the final score's growth component uses ``growth`` if given (it must be known at t0), and
is left out otherwise, since the growth over t0 → t1 would look ahead. That look-ahead
growth is reported as a baseline only.

:func:`strengths` lists what a region is already good at: its industries with RCA ≥ 1,
ordered by excess size X_cp (1 − 1/RCA_cp) — the activity beyond the national share, the
"surplus" of economic-base analysis (Isserman 1977, *J. Am. Inst. Planners* 43:33) — which
ranks a large advantage above a tiny industry with a high quotient, with size and trend.

:func:`screen` puts both together for one region: the model is fitted on all regions'
entries between ``history`` and ``values`` and applied to ``values``; each opportunity's
score decile is looked up in the backtest of the same period.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.industry.advantage import presence, rca, ubiquity
from nqpf.industry.backtest import (
    Transitions,
    cluster_bootstrap_difference,
    decile_hit_rates,
    evaluate_scores,
    transitions,
    verdict,
)
from nqpf.industry.complexity import complexity
from nqpf.industry.feasibility import (
    cell_features,
    out_of_sample,
    region_blocks,
    select_and_fit,
)
from nqpf.industry.opportunities import (
    STRATEGIES,
    Strategy,
    opportunities,
    percentiles,
    resolve_weights,
    score_table,
)
from nqpf.results import ResultMixin, hash_spec

__all__ = [
    "BacktestResult",
    "OpportunityResult",
    "ScreenResult",
    "align",
    "backtest_opportunities",
    "fit_on_history",
    "screen",
    "strengths",
]


@dataclass(frozen=True)
class BacktestResult(ResultMixin):
    """Metrics of every score, the decile hit rates of the chosen score, the folds, and the
    model's and presets' differences from RCA alone with cluster-bootstrap SEs.

    Follows :mod:`nqpf.results` (kind ``opportunity_backtest``); the service adds the data
    spec, provenance and caveats with :meth:`with_context`.
    """

    summary: dict[str, object]
    metrics: pd.DataFrame
    deciles: pd.DataFrame
    folds: pd.DataFrame
    transitions: Transitions = field(repr=False)
    spec: dict[str, Any] = field(default_factory=dict)
    spec_hash: str = ""
    provenance: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["source", "table", "unit", "vintage"])
    )
    warnings: list[str] = field(default_factory=list)
    unmatched: pd.DataFrame | None = None
    title: str = ""
    versus_rca: pd.DataFrame = field(default_factory=pd.DataFrame)

    kind: ClassVar[str] = "opportunity_backtest"
    main_table: ClassVar[str | None] = "metrics"

    def tables(self) -> dict[str, pd.DataFrame]:
        """metrics, versus_rca, deciles, summary, folds (and the unmatched divisions of a
        census pair)."""
        out = {
            "metrics": self.metrics,
            "versus_rca": self.versus_rca.reset_index(),
            # the last decile has no lower edge (−∞ inside, empty in tables and JSON)
            "deciles": self.deciles.replace(-np.inf, np.nan),
            "summary": pd.DataFrame(
                {"item": list(self.summary), "value": [str(v) for v in self.summary.values()]}
            ),
            "folds": self.folds.assign(
                train_blocks=self.folds["train_blocks"].map(" ".join),
                test_blocks=self.folds["test_blocks"].map(" ".join),
            ),
        }
        if self.unmatched is not None:
            out["unmatched_divisions"] = self.unmatched
        return out

    def with_context(self, **context: Any) -> BacktestResult:
        """A copy with ``spec``, ``spec_hash``, ``provenance``, ``warnings`` … set."""
        return replace(self, **context)


@dataclass(frozen=True)
class ScreenResult:
    """A region's strengths, its ranked opportunities and the backtest behind them."""

    strengths: pd.DataFrame
    opportunities: pd.DataFrame
    backtest: BacktestResult | None


@dataclass(frozen=True)
class OpportunityResult(ResultMixin):
    """``nqpf opportunities`` on the result protocol (kind ``opportunities``).

    Tables: ``opportunities`` (the ranking, main table), ``strengths``, ``swot``,
    ``diagnostic`` (the complexity checks), ``typing`` (the industry types, when the
    classification is typed) and, with a history, ``backtest_metrics`` and
    ``backtest_deciles`` (the backtest behind the feasibility model and the hit rates).
    ``proximity`` (industry × industry) is kept for the industry-space chart.
    """

    kind: ClassVar[str] = "opportunities"
    main_table: ClassVar[str | None] = "opportunities"

    region: str
    region_label: str
    opportunities: pd.DataFrame
    strengths: pd.DataFrame
    swot: pd.DataFrame
    diagnostic: pd.DataFrame
    proximity: pd.DataFrame = field(repr=False)
    types: pd.DataFrame | None
    backtest: BacktestResult | None
    spec: dict[str, Any]
    spec_hash: str
    provenance: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {
            "opportunities": self.opportunities,
            "strengths": self.strengths,
            "swot": self.swot,
            "diagnostic": self.diagnostic,
        }
        if self.types is not None:
            out["typing"] = self.types
        if self.backtest is not None:
            out["backtest_metrics"] = self.backtest.metrics
            out["backtest_deciles"] = self.backtest.tables()["deciles"]
        return out


def align(values0: pd.DataFrame, values1: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables on their common regions and industries (rows and columns sorted)."""
    regions = values0.index.intersection(values1.index).sort_values()
    industries = values0.columns.intersection(values1.columns).sort_values()
    if len(regions) < 2 or len(industries) < 2:
        raise InputError(
            "the two periods share fewer than two regions or industries",
            hint="check that both tables use the same region codes and classification",
        )
    a = values0.loc[regions, industries]
    b = values1.loc[regions, industries]
    keep_r = (a.sum(axis=1) > 0) & (b.sum(axis=1) > 0)
    keep_c = (a.sum(axis=0) > 0) & (b.sum(axis=0) > 0)
    return a.loc[keep_r, keep_c], b.loc[keep_r, keep_c]


def _kinds(columns: pd.Index, types: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    kinds = pd.Series("traditional", index=columns)
    tradable = pd.Series(True, index=columns)
    if types is not None:
        kinds.update(types["type"].reindex(columns).dropna())
        if "tradable" in types:
            tradable.update(types["tradable"].reindex(columns).dropna().astype(bool))
    return kinds, tradable


def backtest_opportunities(
    values0: pd.DataFrame,
    values1: pd.DataFrame,
    *,
    strategy: Strategy = "balanced",
    weights: dict[str, float] | None = None,
    types: pd.DataFrame | None = None,
    threshold: float = 1.0,
    proximity_table: pd.DataFrame | None = None,
    growth: pd.Series | None = None,
    include_nontradable: bool = False,
    ks: tuple[int, ...] = (3, 5),
    n_folds: int = 5,
    blocks: pd.Series | None = None,
    groups: pd.DataFrame | None = None,
    earlier: pd.DataFrame | None = None,
) -> BacktestResult:
    """Backtest the opportunity scores on two aligned tables (see :func:`align`).

    ``groups`` (region → prefecture, province …) adds the neighbourhood features of
    :func:`~nqpf.industry.feasibility.cell_features`, ``earlier`` (the table one period
    before ``values0``) its momentum features; ``blocks`` overrides the folds' blocks.
    """
    w = resolve_weights(strategy, weights)
    tr = transitions(values0, values1, threshold=threshold)
    m0 = presence(tr.rca0, threshold=threshold)
    cx = complexity(m0, proximity_table=proximity_table)
    kinds, tradable = _kinds(values0.columns, types)
    allowed = tradable | include_nontradable
    mask = pd.DataFrame(
        np.broadcast_to(allowed.to_numpy(), m0.shape), index=m0.index, columns=m0.columns
    )
    cand = tr.candidates.astype(bool) & mask
    features = cell_features(
        values0,
        threshold=threshold,
        proximity_table=proximity_table,
        groups=groups,
        earlier=earlier,
    )
    cand_flat = cand.to_numpy().ravel()
    entered = tr.entries.to_numpy().ravel()[cand_flat].astype(bool)
    if blocks is None:
        blocks = region_blocks(m0.index)
    prob, folds = out_of_sample(features[cand_flat], entered, n_folds=n_folds, blocks=blocks)
    fold_of = {
        block: int(number)
        for number, tested in zip(folds["fold"], folds["test_blocks"], strict=True)
        for block in tested
    }
    region_fold = blocks.reindex(m0.index).map(fold_of)
    feas = np.full(cand_flat.size, np.nan)
    feas[cand_flat] = prob.to_numpy()
    feasibility = pd.DataFrame(feas.reshape(m0.shape), index=m0.index, columns=m0.columns)
    scores: dict[str, pd.DataFrame] = {
        "density": cx.density,
        "rca": tr.rca0,
        "cog": cx.cog,
        "feasibility": feasibility,
    }
    # the percentiles of attractiveness are the same for every weighting: computed once
    parts = percentiles(cand, pci=cx.pci, cog=cx.cog, growth=growth, kinds=kinds)
    common: dict[str, Any] = {
        "pci": cx.pci,
        "cog": cx.cog,
        "growth": growth,
        "kinds": kinds,
        "components": parts,
    }
    for name in STRATEGIES:
        preset = w if name == strategy else STRATEGIES[name]
        scores[f"score_{name}"] = score_table(feasibility, cand, weights=preset, **common)["score"]
    scores["score_density"] = score_table(cx.density, cand, weights=w, probability=False, **common)[
        "score"
    ]
    shape = m0.shape
    scores["ubiquity"] = pd.DataFrame(
        np.broadcast_to(ubiquity(m0).to_numpy(dtype=float), shape),
        index=m0.index,
        columns=m0.columns,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ahead = values1.sum(axis=0) / values0.sum(axis=0) - 1.0
    scores["growth_t0_t1"] = pd.DataFrame(
        np.broadcast_to(ahead.to_numpy(dtype=float), shape), index=m0.index, columns=m0.columns
    )
    metrics = evaluate_scores(tr, scores, ks=ks, mask=mask, fold=region_fold)
    inside = cand.to_numpy()
    compared = ("feasibility", "score_balanced", "score_long_jump")
    versus_rca = cluster_bootstrap_difference(
        tr.entries.to_numpy()[inside].astype(bool),
        {name: scores[name].to_numpy()[inside] for name in compared},
        tr.rca0.to_numpy()[inside],
        # the regions' blocks as integer codes: one cluster label per cell, no string sort
        np.broadcast_to(
            pd.factorize(blocks.reindex(m0.index), sort=True)[0][:, None], inside.shape
        )[inside],
    )
    # a model that fell back on the RCA baseline in every fold is RCA (up to RCA values equal
    # but for the last bit of rounding, which RCA's raw comparison orders and the model ties)
    is_rca = bool((folds["specification"] == "near_miss").all())
    versus_rca["verdict_auc"] = [
        verdict(d, se, identical=is_rca and name == "feasibility")
        for name, d, se in zip(
            versus_rca.index, versus_rca["d_auc"], versus_rca["se_auc"], strict=True
        )
    ]
    chosen = scores[f"score_{strategy}"].to_numpy()[cand.to_numpy()]
    deciles = decile_hit_rates(tr.entries.to_numpy()[cand.to_numpy()].astype(bool), chosen)
    summary: dict[str, object] = dict(tr.summary())
    summary |= {
        "candidates_scored": int(cand.to_numpy().sum()),
        "entries_scored": int(entered.sum()),
        "strategy": strategy,
        "include_nontradable": include_nontradable,
        "growth_in_score": growth is not None,
        "momentum_features": earlier is not None,
        "threshold": threshold,
    }
    spec = {k: v for k, v in summary.items() if k in ("strategy", "threshold")}
    spec |= {"include_nontradable": include_nontradable, "ks": list(ks), "n_folds": n_folds}
    return BacktestResult(
        summary,
        metrics,
        deciles,
        folds,
        tr,
        spec=spec,
        spec_hash=hash_spec(spec, values0, values1),
        versus_rca=versus_rca,
    )


def fit_on_history(
    history: pd.DataFrame,
    values: pd.DataFrame,
    *,
    threshold: float = 1.0,
    proximity_table: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    earlier: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Entry probabilities for every cell of ``values`` from a model fitted on the entries
    between ``history`` and ``values`` (all regions), its specification chosen by the rule
    the backtest's folds follow (:func:`~nqpf.industry.feasibility.select_and_fit`, province
    blocks): where the backtest's model is RCA, so is the live one. With ``earlier`` (the
    table one period before ``history``) the model has the momentum features: fitted on
    ``earlier`` → ``history``, applied to ``history`` → ``values``."""
    h, v = align(history, values)
    tr = transitions(h, v, threshold=threshold)
    features = cell_features(
        h,
        threshold=threshold,
        proximity_table=_sub(proximity_table, h),
        groups=groups,
        earlier=earlier,
    )
    cand = tr.candidates.to_numpy().ravel().astype(bool)
    regions = features.index.get_level_values("region")[cand]
    blocks = region_blocks(pd.Index(h.index)).reindex(regions).to_numpy()
    model, _ = select_and_fit(features[cand], tr.entries.to_numpy().ravel()[cand], blocks)
    now = cell_features(
        values,
        threshold=threshold,
        proximity_table=proximity_table,
        groups=groups,
        earlier=None if earlier is None else history,
    )
    prob = model.predict(now).to_numpy().reshape(values.shape)
    return pd.DataFrame(prob, index=values.index, columns=values.columns)


def strengths(
    values: pd.DataFrame,
    region: str,
    *,
    history: pd.DataFrame | None = None,
    threshold: float = 1.0,
    industry_names: dict[str, str] | None = None,
    types: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The region's industries with RCA ≥ threshold, largest excess size first.

    Columns: ``name, rca, value, share`` (of the region's total), ``excess`` (X (1 − 1/RCA)),
    ``tradable`` (from ``types``; local services are strengths too, shown, not ranked as
    opportunities), and with ``history`` ``rca_before, value_before, value_change``.

    >>> t = pd.DataFrame({"a": [8.0, 2.0], "b": [2.0, 8.0]}, index=["x", "y"])
    >>> strengths(t, "x")[["rca", "excess"]].round(2).to_dict("list")
    {'rca': [1.6], 'excess': [3.0]}
    """
    if region not in values.index:
        raise InputError(f"region {region!r} is not in the matrix")
    table = rca(values)
    row = pd.Series(table.loc[region])
    strong = row.index[(row >= threshold).to_numpy()]
    x = pd.Series(values.loc[region]).reindex(strong).astype(float)
    names = {str(p): str(p) for p in values.columns} | (industry_names or {})
    out = pd.DataFrame(index=pd.Index(strong, name="industry"))
    out["name"] = [names[str(p)] for p in strong]
    out["rca"] = row[strong]
    out["value"] = x
    out["share"] = x / float(values.loc[region].to_numpy(dtype=float).sum())
    out["excess"] = x * (1.0 - 1.0 / row[strong])
    out["tradable"] = _kinds(values.columns, types)[1].reindex(strong).to_numpy()
    if history is not None and region in history.index:
        before = rca(history)
        out["rca_before"] = before.loc[region].reindex(strong)
        out["value_before"] = history.loc[region].reindex(strong).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["value_change"] = out["value"] / out["value_before"] - 1.0
    return out.sort_values("excess", ascending=False)


def screen(
    values: pd.DataFrame,
    region: str,
    *,
    history: pd.DataFrame | None = None,
    strategy: Strategy = "balanced",
    weights: dict[str, float] | None = None,
    growth: pd.Series | None = None,
    types: pd.DataFrame | None = None,
    threshold: float = 1.0,
    proximity_table: pd.DataFrame | None = None,
    region_label: str | None = None,
    industry_names: dict[str, str] | None = None,
    include_nontradable: bool = False,
    backtest_growth: pd.Series | None = None,
    groups: pd.DataFrame | None = None,
    earlier: pd.DataFrame | None = None,
) -> ScreenResult:
    """Strengths, opportunities (model feasibility and decile hit rates when ``history``
    is given) and the backtest of ``history`` → ``values`` behind them.

    ``backtest_growth`` is the growth known at the history date for the backtest's
    score (default: none, the component is left out there); ``earlier`` is the table one
    period before ``history`` (the model's momentum features).
    """
    found = strengths(
        values,
        region,
        history=history,
        threshold=threshold,
        industry_names=industry_names,
        types=types,
    )
    feasibility = None
    result = None
    if history is not None:
        h, v = align(history, values)
        result = backtest_opportunities(
            h,
            v,
            strategy=strategy,
            weights=weights,
            types=types,
            threshold=threshold,
            proximity_table=_sub(proximity_table, h),
            growth=backtest_growth,
            include_nontradable=include_nontradable,
            groups=groups,
            earlier=earlier,
        )
        feasibility = fit_on_history(
            history,
            values,
            threshold=threshold,
            proximity_table=proximity_table,
            groups=groups,
            earlier=earlier,
        )
    ranking = opportunities(
        values,
        region,
        strategy=strategy,
        weights=weights,
        growth=growth,
        types=types,
        threshold=threshold,
        proximity_table=proximity_table,
        region_label=region_label,
        industry_names=industry_names,
        feasibility=feasibility,
        hit_rates=None if result is None else result.deciles,
        include_nontradable=include_nontradable,
    )
    return ScreenResult(found, ranking, result)


def _sub(proximity_table: pd.DataFrame | None, values: pd.DataFrame) -> pd.DataFrame | None:
    if proximity_table is None:
        return None
    return proximity_table.loc[values.columns, values.columns]
