"""Uncertainty and sensitivity analysis of the ranks over the construction choices.

Each construction choice is a discrete *factor* with a list of levels (the assessment's own
choice first). A factor u ∈ [0, 1) maps to level ``⌊u · L⌋`` of its L levels. Factors:

==============  ==========================================================================
normalize       minmax, max (ratio to maximum), rank
weights         entropy, critic, entropy+critic (combined as in the assessment), equal
aggregate       linear, geometric, topsis
entropy_shift   0·ln 0 = 0, or ε = 1e-5 (only changes results where entropy is used)
exclude         none, or leave one indicator out (its siblings' weights rescale)
impute          only when the data have gaps: the chosen chain, or linear → ffill_bfill →
                group_mean / year_mean → column_mean, or ffill_bfill → column_mean
outliers        none, jrc, winsor, log (:mod:`nqpf.index.outliers`, with the assessment's
                thresholds)
==============  ==========================================================================

Design: Saltelli's scheme on a scrambled Sobol sequence (SALib ``sample.sobol``, without
second-order terms), N base samples (rounded up to a power of two) → N·(D + 2) runs for D factors
with more than one level. Many runs share the same discrete configuration; each distinct
configuration is computed once and its ranks reused: the result counts the runs, the distinct
evaluations and the possible configurations (the product of the numbers of levels).

Engine: the options are validated once; the imputed, treated and normalised matrix of each
(impute, outliers, normalize) triple is prepared once with the pandas functions of
:mod:`nqpf.index.construct`, and every configuration is then computed on NumPy arrays with the
same formulas (:func:`nqpf.index.weights.entropy_divergence`, CRITIC from the columns' standard
deviations and correlations, :func:`nqpf.index.construct.tree_weights`, linear / geometric
aggregation with the global weights, TOPSIS level by level), so no Series or DataFrame is built
per configuration.

Outputs:

* per region-year: the nominal rank, the median rank and the 5–95 % rank band over all runs;
* first-order (S1) and total (ST) Sobol indices (Saltelli 2010 / Jansen estimators as in SALib
  ``analyze.sobol``) of each factor for the scalar output
  ``Y = mean over region-years of |rank − nominal rank|`` (the mean absolute rank shift, as in
  Saisana, Saltelli & Tarantola 2005, J. R. Stat. Soc. A 168, 307–323).

References: Saltelli et al. (2010), Comput. Phys. Commun. 181, 259–270; OECD/JRC (2008)
*Handbook on Constructing Composite Indicators*, step 7.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.index.aggregate import AGGREGATE_METHODS
from nqpf.index.construct import (
    Construction,
    drop_indicator,
    fill,
    normalise,
    treat,
    tree_weights,
)
from nqpf.index.framework import Framework
from nqpf.index.impute import parse_chain
from nqpf.index.normalize import NORMALIZE_METHODS, NormalizeMethod
from nqpf.index.outliers import OUTLIER_METHODS, OutlierMethod
from nqpf.index.weights import (
    WEIGHT_METHODS,
    combine_arrays,
    critic_weights,
    entropy_divergence,
    entropy_weights,
    pca_weights,
)

__all__ = ["FACTORS", "UncertaintyResult", "default_levels", "run_uncertainty"]

FACTORS: tuple[str, ...] = (
    "normalize",
    "weights",
    "aggregate",
    "entropy_shift",
    "exclude",
    "impute",
    "outliers",
)

#: Shift ε of the entropy weights used as the alternative level (the papers' value).
PAPERS_ENTROPY_SHIFT = 1e-5

#: Upper bound of values held per chunk when taking rank quantiles (memory ≈ 8 bytes each).
_CHUNK_VALUES = 20_000_000

#: Stands for ln 0 in geometric aggregation: times any weight > 0 it sends the score to
#: exp(−huge) = 0, as ln 0 = −∞ would, and times a weight of 0 it gives 0 instead of NaN.
_LOG_ZERO = -1e300


@dataclass
class UncertaintyResult:
    """Rank bands per region-year and Sobol indices per construction factor.

    ``n_runs`` = N·(D + 2) model runs of the Sobol design (``n_base`` = N);
    ``n_configurations`` distinct configurations among them, each evaluated once (the other
    runs reuse its ranks); ``n_possible`` configurations the levels allow in all."""

    ranks: pd.DataFrame
    sobol: pd.DataFrame
    levels: dict[str, list[Any]]
    n_runs: int
    n_configurations: int
    output: str = "mean absolute rank shift"
    n_base: int = 0
    n_possible: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = field(default=0.0, compare=False)


def default_levels(
    construction: Construction, framework: Framework, *, has_gaps: bool, has_groups: bool
) -> dict[str, list[Any]]:
    """Levels of every factor, the assessment's own choice first.

    Under z-score normalisation the normalised values are negative for below-average
    regions, where entropy weights and geometric aggregation are undefined; the alternatives
    are then only the methods defined for any real values (CRITIC and equal weights; linear
    and TOPSIS aggregation), and the ε shift of entropy does not vary.
    """

    def first(nominal: Any, others: Sequence[Any]) -> list[Any]:
        return [nominal, *[o for o in others if o != nominal]]

    signed = construction.normalize == "zscore"
    weights_alts: list[tuple[str, ...]] = (
        [("critic",), ("equal",)]
        if signed
        else [("entropy",), ("critic",), ("entropy", "critic"), ("equal",)]
    )
    aggregates = ["linear", "topsis"] if signed else ["linear", "geometric", "topsis"]
    shifts = [] if signed else [None, PAPERS_ENTROPY_SHIFT]
    # each alternative ends in a step that fills every remaining gap
    imputes = [
        *(["linear,ffill_bfill,group_mean,column_mean"] if has_groups else []),
        "linear,ffill_bfill,year_mean,column_mean",
        "ffill_bfill,column_mean",
    ]
    return {
        "normalize": first(construction.normalize, ["minmax", "max", "rank"]),
        "weights": first(construction.weights, weights_alts),
        "aggregate": first(construction.aggregate, aggregates),
        "entropy_shift": first(construction.entropy_shift, shifts),
        "exclude": [None, *framework.indicator_ids],
        "impute": first(construction.impute, imputes) if has_gaps else [construction.impute],
        "outliers": first(construction.outliers, OUTLIER_METHODS),
    }


def run_uncertainty(
    wide: pd.DataFrame,
    framework: Framework,
    construction: Construction,
    nominal: pd.DataFrame,
    *,
    n: int,
    seed: int = 20250101,
    levels: Mapping[str, Sequence[Any]] | None = None,
    groups: Mapping[str, str] | None = None,
    targets: Mapping[str, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UncertaintyResult:
    """Sobol uncertainty analysis of the ranks (see module docstring).

    Parameters
    ----------
    wide, framework, construction:
        The raw wide data and the nominal construction of the assessment.
    nominal:
        The assessment's scores (region, year, rank).
    n:
        Base sample size (rounded up to a power of two).
    levels:
        Override the levels of some factors (``{"aggregate": ["linear"]}`` fixes a factor).
    progress:
        ``progress(done, total)`` called as distinct configurations are computed.
    """
    import time

    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    started = time.perf_counter()
    if n < 1:
        raise InputError(f"uncertainty sample size {n} < 1", column="uncertainty")
    all_levels = default_levels(
        construction,
        framework,
        has_gaps=bool(wide.isna().to_numpy().any()),
        has_groups=groups is not None,
    )
    for name, values in (levels or {}).items():
        if name not in all_levels:
            raise InputError(
                f"unknown uncertainty factor {name!r}",
                column=name,
                hint=f"factors: {', '.join(FACTORS)}",
            )
        if not values:
            raise InputError(f"factor {name!r} has no levels", column=name)
        all_levels[name] = list(values)
    all_levels = _checked_levels(all_levels, framework)
    keys = pd.MultiIndex.from_frame(nominal[["region", "year"]].astype({"region": str}))
    engine = _Engine(wide, framework, construction, groups, targets, keys)
    notes = engine.drop_undefined(all_levels)
    varying = [f for f in FACTORS if len(all_levels[f]) > 1]

    nominal_rank = nominal["rank"].to_numpy(dtype=np.int32)
    years = nominal["year"].to_numpy()

    n_base = 1 << max(0, math.ceil(math.log2(n)))
    if varying:
        problem = {
            "num_vars": len(varying),
            "names": varying,
            "bounds": [[0.0, 1.0]] * len(varying),
        }
        u = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
        codes = np.column_stack(
            [
                np.minimum((u[:, k] * len(all_levels[f])).astype(int), len(all_levels[f]) - 1)
                for k, f in enumerate(varying)
            ]
        )
    else:
        problem = {}
        codes = np.zeros((1, 0), dtype=int)
    distinct, config_of_run = np.unique(codes, axis=0, return_inverse=True)
    config_of_run = config_of_run.ravel()

    ranker = _YearRanker(years)
    rank_type = np.int16 if len(keys) <= np.iinfo(np.int16).max else np.int32
    ranks = np.empty((len(distinct), len(keys)), dtype=rank_type)
    for c, row in enumerate(distinct):
        choice = {f: all_levels[f][0] for f in FACTORS}
        choice.update({f: all_levels[f][int(code)] for f, code in zip(varying, row, strict=True)})
        ranks[c] = ranker(engine.aligned(choice))
        if progress is not None:
            progress(c + 1, len(distinct))

    shift = np.abs(ranks - nominal_rank).mean(axis=1)
    y = shift[config_of_run]
    q05, q50, q95 = _rank_quantiles(ranks, config_of_run)
    table = nominal[["region", "year", "rank"]].copy()
    if "region_name" in nominal.columns:
        table.insert(1, "region_name", nominal["region_name"])
    table["median_rank"] = q50
    table["rank_p05"] = q05
    table["rank_p95"] = q95

    rows = []
    if varying and float(np.var(y)) > 0:
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        for k, f in enumerate(varying):
            rows.append(
                {
                    "factor": f,
                    "n_levels": len(all_levels[f]),
                    "S1": float(si["S1"][k]),
                    "S1_conf": float(si["S1_conf"][k]),
                    "ST": float(si["ST"][k]),
                    "ST_conf": float(si["ST_conf"][k]),
                }
            )
    else:
        rows = [
            {
                "factor": f,
                "n_levels": len(all_levels[f]),
                "S1": 0.0,
                "S1_conf": 0.0,
                "ST": 0.0,
                "ST_conf": 0.0,
            }
            for f in varying
        ]
    return UncertaintyResult(
        ranks=table.reset_index(drop=True),
        sobol=pd.DataFrame(rows, columns=["factor", "n_levels", "S1", "S1_conf", "ST", "ST_conf"]),
        levels={f: [_show(v) for v in all_levels[f]] for f in FACTORS},
        n_runs=len(config_of_run),
        n_configurations=len(distinct),
        n_base=n_base if varying else 0,
        n_possible=math.prod(len(all_levels[f]) for f in FACTORS),
        notes=notes,
        seconds=time.perf_counter() - started,
    )


def _checked_levels(levels: dict[str, list[Any]], framework: Framework) -> dict[str, list[Any]]:
    """Every level validated once, in the form the engine uses (weights as tuples, imputation
    chains as comma-joined names)."""

    def bad(factor: str, value: Any, allowed: Sequence[Any]) -> InputError:
        return InputError(
            f"unknown level {value!r} of uncertainty factor {factor!r}",
            column=factor,
            hint=f"use one of {', '.join(map(str, allowed))}",
        )

    out = dict(levels)
    for value in out["normalize"]:
        if value not in NORMALIZE_METHODS:
            raise bad("normalize", value, NORMALIZE_METHODS)
    weights = []
    for value in out["weights"]:
        methods = tuple(value.split(",")) if isinstance(value, str) else tuple(value)
        for m in methods:
            if m not in WEIGHT_METHODS:
                raise bad("weights", m, WEIGHT_METHODS)
        weights.append(methods)
    out["weights"] = weights
    for value in out["aggregate"]:
        if value not in AGGREGATE_METHODS:
            raise bad("aggregate", value, AGGREGATE_METHODS)
    for value in out["entropy_shift"]:
        if value is not None and not (np.isfinite(value) and value > 0):
            raise InputError(
                f"entropy shift {value!r} must be None or a positive number",
                column="entropy_shift",
                hint="e.g. 1e-5",
            )
    for value in out["exclude"]:
        if value is not None and value not in framework.indicator_ids:
            raise bad("exclude", value, ["None", *framework.indicator_ids])
    out["impute"] = [",".join(parse_chain(v)) for v in out["impute"]]
    for value in out["outliers"]:
        if value not in OUTLIER_METHODS:
            raise bad("outliers", value, OUTLIER_METHODS)
    return out


@dataclass
class _Prepared:
    """One normalised matrix (rows in the data's order, columns the framework's indicators,
    column-major so that each column's sums are the same as on a subset) and what every
    configuration on it reuses."""

    frame: pd.DataFrame
    x: np.ndarray
    checked: set[str] = field(default_factory=set)
    divergence: dict[float | None, np.ndarray] = field(default_factory=dict)
    logs: np.ndarray | None = None
    sigma: np.ndarray | None = None
    corr: np.ndarray | None = None


@dataclass(frozen=True)
class _Tree:
    """The framework without one indicator (or whole), as column positions."""

    framework: Framework
    ids: tuple[str, ...]
    cols: np.ndarray
    # per pillar, per sub-pillar: its id and the positions of its indicators in ``ids``
    pillars: tuple[tuple[str, tuple[tuple[str, np.ndarray], ...]], ...]
    # for TOPSIS: the columns in the order pillar → sub-pillar → indicator, and where each
    # sub-pillar's indicators and each pillar's sub-pillars start in that order
    topsis_cols: np.ndarray
    sub_starts: np.ndarray
    pillar_starts: np.ndarray


class _Engine:
    """Computes the index of one configuration on NumPy arrays (module docstring)."""

    def __init__(
        self,
        wide: pd.DataFrame,
        framework: Framework,
        construction: Construction,
        groups: Mapping[str, str] | None,
        targets: Mapping[str, float] | None,
        keys: pd.Index,
    ) -> None:
        self.wide = wide
        self.framework = framework
        self.construction = construction
        self.groups = groups
        self.targets = targets
        self.keys = keys
        self.column = {ind: j for j, ind in enumerate(framework.indicator_ids)}
        self._filled: dict[str, pd.DataFrame] = {}
        self._treated: dict[tuple[str, str], pd.DataFrame] = {}
        self._prepared: dict[tuple[str, str, str], _Prepared] = {}
        self._trees: dict[str | None, _Tree] = {}
        self._rows: pd.Index | None = None
        self._positions: np.ndarray = np.empty(0, dtype=np.intp)
        self._year_rows: list[np.ndarray] = []

    # ---------------------------------------------------------------- cached inputs
    def prepared(
        self, impute: str, outliers: OutlierMethod, normalize: NormalizeMethod
    ) -> _Prepared:
        key = (impute, outliers, normalize)
        found = self._prepared.get(key)
        if found is not None:
            return found
        c = replace(
            self.construction,
            impute=impute,
            outliers=outliers,
            normalize=normalize,
        )
        if impute not in self._filled:
            self._filled[impute] = fill(self.wide, self.framework, c, groups=self.groups)[0]
        if (impute, outliers) not in self._treated:
            self._treated[(impute, outliers)] = treat(
                self._filled[impute], self.framework, c
            ).treated
        norm = normalise(self._treated[(impute, outliers)], self.framework, c, self.targets)
        norm = norm[list(self.framework.indicator_ids)]
        self._align(norm.index)
        found = _Prepared(frame=norm, x=np.asfortranarray(norm.to_numpy(dtype=float)))
        self._prepared[key] = found
        return found

    def drop_undefined(self, levels: dict[str, list[Any]]) -> list[str]:
        """Ratio-to-maximum normalisation is undefined for a cost indicator with a 0 (min/x)
        and for negative values, which the data or a treatment may hold. Where outlier levels
        clash with ``max``, the clashing outlier alternatives are left out; when the
        assessment's own treatment clashes, ``max`` is left out instead. Returns the notes."""
        if "max" not in levels["normalize"]:
            return []
        clash: dict[str, str] = {}
        for outliers in levels["outliers"]:
            for impute in levels["impute"]:
                try:
                    self.prepared(impute, outliers, "max")
                except InputError as error:
                    clash[outliers] = str(error)
                    break
        if not clash:
            return []
        if levels["outliers"][0] in clash:
            levels["normalize"].remove("max")
            return [
                "normalize=max left out of the uncertainty analysis: after outliers="
                f"{levels['outliers'][0]} it is undefined ({clash[levels['outliers'][0]]})"
            ]
        levels["outliers"] = [o for o in levels["outliers"] if o not in clash]
        return [
            f"outliers={o} left out of the uncertainty analysis: ratio-to-maximum "
            f"normalisation is undefined after it ({reason})"
            for o, reason in clash.items()
        ]

    def _align(self, rows: pd.Index) -> None:
        """Positions of the nominal keys among the rows (found once: every matrix has the
        data's rows) and the rows of each year (TOPSIS within a year)."""
        if self._rows is not None:
            if not (rows is self._rows or rows.equals(self._rows)):
                raise InputError("the prepared matrices index different region-years")
            return
        self._rows = rows
        self._positions = rows.get_indexer(self.keys)
        if isinstance(rows, pd.MultiIndex) and "year" in rows.names:
            year = rows.get_level_values("year").to_numpy()
            self._year_rows = [np.flatnonzero(year == y) for y in pd.unique(year)]

    def tree(self, excluded: str | None) -> _Tree:
        found = self._trees.get(excluded)
        if found is not None:
            return found
        fw = self.framework if excluded is None else drop_indicator(self.framework, excluded)
        ids = tuple(fw.indicator_ids)
        where = {ind: k for k, ind in enumerate(ids)}
        pillars = tuple(
            (
                p.id,
                tuple(
                    (s.id, np.array([where[i.id] for i in s.children], dtype=np.intp))
                    for s in p.children
                ),
            )
            for p in fw.pillars
        )
        order = [self.column[ids[j]] for _, subs in pillars for _, pos in subs for j in pos]
        sizes = [len(pos) for _, subs in pillars for _, pos in subs]
        n_subs = [len(subs) for _, subs in pillars]
        found = _Tree(
            framework=fw,
            ids=ids,
            cols=np.array([self.column[i] for i in ids], dtype=np.intp),
            pillars=pillars,
            topsis_cols=np.array(order, dtype=np.intp),
            sub_starts=np.cumsum([0, *sizes[:-1]], dtype=np.intp),
            pillar_starts=np.cumsum([0, *n_subs[:-1]], dtype=np.intp),
        )
        self._trees[excluded] = found
        return found

    # ---------------------------------------------------------------- one configuration
    def aligned(self, choice: Mapping[str, Any]) -> np.ndarray:
        """The index of ``choice`` as floats in the order of the nominal keys (NaN where
        absent)."""
        values = self.index(choice)
        positions = self._positions
        out: np.ndarray = np.where(positions >= 0, values[positions], np.nan)
        return out

    def index(self, choice: Mapping[str, Any]) -> np.ndarray:
        """The index of every row of the data under ``choice``."""
        prep = self.prepared(choice["impute"], choice["outliers"], choice["normalize"])
        tree = self.tree(choice["exclude"])
        aggregate = choice["aggregate"]
        w = self._method_weights(prep, tree, choice["weights"], choice["entropy_shift"])
        local, global_w = tree_weights(
            tree.framework, dict(zip(tree.ids, w.tolist(), strict=True)), self.construction.upper
        )
        if aggregate == "topsis":
            return self._topsis(prep, tree, local)
        g = np.array([global_w[i] for i in tree.ids])
        whole = len(tree.cols) == prep.x.shape[1]
        if aggregate == "linear":
            # the columns of the tree, column-major as the pandas path holds them: a product
            # over padded zeros rounds differently, and ties (rank normalisation with equal
            # weights) would then break another way
            x = prep.x if whole else np.asfortranarray(prep.x[:, tree.cols])
            linear: np.ndarray = x @ g
            return linear
        if "geometric" not in prep.checked:
            from nqpf.ingest.checks import require_non_negative

            require_non_negative(
                prep.frame,
                method="geometric aggregation",
                hint="normalise with 'minmax', 'max', 'rank' or 'target' (not 'zscore')",
            )
            prep.checked.add("geometric")
        if prep.logs is None:
            x = prep.x
            with np.errstate(divide="ignore"):
                prep.logs = np.asfortranarray(
                    np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), _LOG_ZERO)
                )
        logs = prep.logs if whole else np.asfortranarray(prep.logs[:, tree.cols])
        with np.errstate(over="ignore"):
            geometric: np.ndarray = np.exp(logs @ g)
        return geometric

    def _method_weights(
        self,
        prep: _Prepared,
        tree: _Tree,
        methods: tuple[str, ...],
        shift: float | None,
    ) -> np.ndarray:
        """The weighting methods' weights of the tree's indicators (each normalised to sum 1,
        combined as in the assessment and then normalised again)."""
        found = [self._one_method(prep, tree, m, shift) for m in methods]
        if len(found) == 1:
            return found[0]
        w = combine_arrays(np.column_stack(found), self.construction.combine)
        out: np.ndarray = w / float(w.sum())
        return out

    def _one_method(
        self, prep: _Prepared, tree: _Tree, method: str, shift: float | None
    ) -> np.ndarray:
        k = len(tree.cols)
        if method == "equal":
            return np.full(k, 1.0 / k)
        if method not in prep.checked:
            # the checks of the pandas functions, once per matrix: a column that passes them
            # in the whole matrix passes them in every subset of columns
            {"entropy": entropy_weights, "critic": critic_weights, "pca": pca_weights}[method](
                prep.frame
            )
            prep.checked.add(method)
        if method == "entropy":
            if shift not in prep.divergence:
                x = prep.x if shift is None else np.asfortranarray(prep.x + shift)
                prep.divergence[shift] = entropy_divergence(x)
            values: np.ndarray = prep.divergence[shift][tree.cols]
        elif method == "critic":
            if prep.sigma is None or prep.corr is None:
                prep.sigma = prep.x.std(axis=0, ddof=1)
                prep.corr = np.atleast_2d(np.corrcoef(prep.x, rowvar=False))
            r = prep.corr[np.ix_(tree.cols, tree.cols)]
            values = prep.sigma[tree.cols] * (1.0 - r).sum(axis=0)
        else:
            columns = [prep.frame.columns[j] for j in tree.cols]
            values = pca_weights(prep.frame[columns]).to_numpy()
        total = float(values.sum())
        if not np.isfinite(total) or total <= 0:
            raise InputError(
                "weights are all zero: no indicator discriminates the rows",
                hint="check the data or use equal weights",
            )
        normalised: np.ndarray = values / total
        return normalised

    def _topsis(
        self, prep: _Prepared, tree: _Tree, local: Mapping[str, Mapping[str, float]]
    ) -> np.ndarray:
        """TOPSIS level by level (it does not nest): all sub-pillars at once, then all pillars,
        then the index, each node's children being adjacent rows of the transposed matrix."""
        w_ind = np.array(
            [local[sid][tree.ids[j]] for _, subs in tree.pillars for sid, pos in subs for j in pos]
        )
        w_sub = np.array([local[pid][sid] for pid, subs in tree.pillars for sid, _ in subs])
        w_pil = np.array([local["index"][pid] for pid, _ in tree.pillars])
        # prep.x is column-major, so its transpose holds each indicator as a contiguous row
        subs = self._closeness(prep.x.T[tree.topsis_cols], w_ind, tree.sub_starts)
        pillars = self._closeness(subs, w_sub, tree.pillar_starts)
        index: np.ndarray = self._closeness(pillars, w_pil, np.zeros(1, dtype=np.intp))[0]
        return index

    def _closeness(self, xt: np.ndarray, w: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """TOPSIS closeness (as :func:`nqpf.index.aggregate.aggregate`) of each group of
        adjacent rows of ``xt`` (indicators × region-years) starting at ``starts``, with the
        ideals over the panel or within each year; returns groups × region-years."""
        v = xt * w[:, None]
        if self.construction.scope == "panel" or not self._year_rows:
            far = np.square(np.subtract(v, v.max(axis=1, keepdims=True)))
            near = np.square(np.subtract(v, v.min(axis=1, keepdims=True), out=v), out=v)
        else:
            far = np.empty_like(v)
            near = np.empty_like(v)
            for rows in self._year_rows:
                part = v[:, rows]
                far[:, rows] = (part - part.max(axis=1, keepdims=True)) ** 2
                near[:, rows] = (part - part.min(axis=1, keepdims=True)) ** 2
        d_plus = np.sqrt(_group_sums(far, starts))
        d_minus = np.sqrt(_group_sums(near, starts))
        total = d_plus + d_minus
        if (total == 0).any():
            raise InputError(
                "TOPSIS is undefined: every weighted indicator is constant over the rows in scope",
                hint="use ideal_scope='panel', other weights, or linear aggregation",
            )
        closeness: np.ndarray = d_minus / total
        return closeness


def _group_sums(a: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sums of the groups of adjacent rows of ``a`` starting at ``starts``, each row added in
    turn (the order of a row sum over a column-major matrix; ``np.add.reduceat`` gives the
    same sums but loops over the columns one by one)."""
    ends = [*starts[1:].tolist(), a.shape[0]]
    return np.stack([a[s:e].sum(axis=0) for s, e in zip(starts.tolist(), ends, strict=True)])


class _YearRanker:
    """Ranks within each year, 1 = highest, ties get the smallest rank (pandas method="min"):
    one sort of each year's values, a run of equal values taking the rank of its first."""

    def __init__(self, years: np.ndarray) -> None:
        self.groups = [np.flatnonzero(years == y) for y in pd.unique(years)]
        self.size = len(years)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        ranks = np.empty(self.size, dtype=np.int32)
        for rows in self.groups:
            v = values[rows]
            order = np.argsort(-v)
            ordered = v[order]
            new_value = np.ones(len(v), dtype=bool)
            new_value[1:] = ordered[1:] != ordered[:-1]
            run_start = np.maximum.accumulate(np.where(new_value, np.arange(len(v)), 0))
            ranks[rows[order]] = run_start + 1
        return ranks


def _year_ranks(values: np.ndarray[Any, Any], years: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Ranks within each year (see :class:`_YearRanker`)."""
    return _YearRanker(years)(values)


#: Quantiles of the rank bands.
_QUANTILES = (0.05, 0.5, 0.95)


def _rank_quantiles(
    ranks: np.ndarray[Any, Any], config_of_run: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """5 %, 50 % and 95 % quantiles over runs of each column's rank, as ``np.quantile``
    (linear interpolation between order statistics) of the runs' ranks, from counts: each
    distinct configuration counts as many times as runs use it, so the runs' ranks are never
    materialised. With n runs, quantile q lies at position h = q·(n − 1) of the sorted values,
    between the order statistics ⌊h⌋ and ⌊h⌋ + 1."""
    n_configs, n_rows = ranks.shape
    n_runs = len(config_of_run)
    runs_of = np.bincount(config_of_run, minlength=n_configs).astype(float)
    top = int(ranks.max()) + 1 if ranks.size else 1
    chunk = max(1, _CHUNK_VALUES // max(1, n_configs, top))
    h = np.array(_QUANTILES) * (n_runs - 1)
    below = np.floor(h).astype(np.int64)
    above = np.minimum(below + 1, n_runs - 1)
    t = h - below
    out = np.empty((len(_QUANTILES), n_rows))
    for start in range(0, n_rows, chunk):
        block = ranks[:, start : start + chunk].astype(np.int64)
        width = block.shape[1]
        cells = (block + top * np.arange(width)[None, :]).ravel()
        weights = np.broadcast_to(runs_of[:, None], block.shape).ravel()
        counts = np.bincount(cells, weights=weights, minlength=width * top).reshape(width, top)
        cumulative = counts.cumsum(axis=1)
        for k in range(len(_QUANTILES)):
            # the order statistic at position i is the smallest rank with more than i runs ≤ it
            a = (cumulative <= below[k]).sum(axis=1).astype(float)
            b = (cumulative <= above[k]).sum(axis=1).astype(float)
            out[k, start : start + width] = _lerp(a, b, float(t[k]))
    return out[0], out[1], out[2]


def _lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """``a + t (b − a)``, computed from the nearer end as ``np.quantile`` does."""
    diff = b - a
    out: np.ndarray = b - diff * (1 - t) if t >= 0.5 else a + diff * t
    return out


def _show(value: Any) -> Any:
    if isinstance(value, tuple):
        return "+".join(value)
    return "none" if value is None else value
