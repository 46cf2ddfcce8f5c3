"""Construction of the NQPF composite index (pure math on a wide matrix; no file I/O).

Construction (each step an explicit option of :class:`Construction`; the user-facing entry point is
:func:`nqpf.assess`, in :mod:`nqpf.services.assessment`)::

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, get_args

import pandas as pd

from nqpf.errors import InputError
from nqpf.index.aggregate import AGGREGATE_METHODS, AggregateMethod
from nqpf.index.framework import Framework, Node
from nqpf.index.impute import parse_chain
from nqpf.index.normalize import NORMALIZE_METHODS, SCOPES, NormalizeMethod, Scope
from nqpf.index.outliers import OUTLIER_METHODS, OutlierMethod
from nqpf.index.weights import COMBINE_METHODS, WEIGHT_METHODS, CombineMethod, WeightMethod
from nqpf.results import update_hash

if TYPE_CHECKING:
    from nqpf.index.outliers import OutlierTreatment

__all__ = [
    "CHOICES",
    "UPPER_RULES",
    "Built",
    "Construction",
    "Upper",
    "check_option",
    "composite_index",
    "construct",
    "drop_indicator",
    "fill",
    "normalise",
    "prepare",
    "score",
    "spec_hash",
    "treat",
    "tree_weights",
]

Upper = Literal["sum", "equal"]
UPPER_RULES: tuple[str, ...] = get_args(Upper)

#: The allowed values of each choice of a construction (from the ``Literal`` types of the
#: step modules), with the words of the error message; checked by :func:`check_option`.
CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "normalize": ("normalisation method", NORMALIZE_METHODS),
    "scope": ("scope", SCOPES),
    "weights": ("weighting method", WEIGHT_METHODS),
    "combine": ("combination", COMBINE_METHODS),
    "aggregate": ("aggregation method", AGGREGATE_METHODS),
    "upper": ("upper-level weighting", UPPER_RULES),
    "outliers": ("outlier treatment", OUTLIER_METHODS),
}


def check_option(name: str, value: object) -> None:
    """The one check of a construction option: ``value`` (for ``weights`` a tuple of methods,
    for ``impute`` a chain ``"a,b"``) is allowed for option ``name``; else a one-line
    :class:`~nqpf.errors.InputError` naming the option and the allowed values."""
    if name == "impute":
        parse_chain(str(value))
        return
    what, allowed = CHOICES[name]
    values = value if isinstance(value, tuple) else (value,)
    if name == "weights" and not values:
        raise InputError(
            "no weighting method given",
            column="weights",
            hint="e.g. weights='entropy' or 'entropy,critic'",
        )
    for v in values:
        if v not in allowed:
            raise InputError(
                f"unknown {what} {v!r}", column=name, hint=f"use one of {', '.join(allowed)}"
            )


@dataclass(frozen=True)
class Construction:
    """The construction choices of one composite index (hashable, so results can be cached),
    validated when made (:func:`check_option`). ``impute`` is a chain of
    :data:`~nqpf.index.impute.ImputeMethod` names joined by commas."""

    normalize: NormalizeMethod = "minmax"
    scope: Scope = "panel"
    weights: tuple[WeightMethod, ...] = ("entropy",)
    combine: CombineMethod = "mean"
    entropy_shift: float | None = None
    aggregate: AggregateMethod = "linear"
    impute: str = "none"
    upper: Upper = "sum"
    outliers: OutlierMethod = "none"
    skew_threshold: float = 2.0
    kurtosis_threshold: float = 3.5
    winsor_max: int = 5

    def __post_init__(self) -> None:
        for name in (*CHOICES, "impute"):
            check_option(name, getattr(self, name))

    def as_dict(self) -> dict[str, Any]:
        treatment = (
            {}
            if self.outliers == "none"
            else {
                "outliers": self.outliers,
                "skew_threshold": self.skew_threshold,
                "kurtosis_threshold": self.kurtosis_threshold,
                "winsor_max": self.winsor_max,
            }
        )
        return {
            **treatment,
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
    filled, flags = fill(wide, framework, construction, groups=groups)
    treated = treat(filled, framework, construction).treated
    return filled, flags, normalise(treated, framework, construction, targets)


def fill(
    wide: pd.DataFrame,
    framework: Framework,
    construction: Construction,
    *,
    groups: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Impute the framework's indicators by the construction's chain and check that no gap is
    left: (imputed wide, imputed flags)."""
    from nqpf.index.impute import impute

    filled, flags = impute(wide[framework.indicator_ids], construction.impute, groups=groups)
    _check_complete(filled, construction.impute)
    return filled, flags


def normalise(
    treated: pd.DataFrame,
    framework: Framework,
    construction: Construction,
    targets: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Normalise the treated matrix, indicators with a ``scope`` of their own in that scope."""
    from nqpf.index.normalize import normalize

    norm = normalize(
        treated,
        construction.normalize,
        directions=framework.directions,
        scope=construction.scope,
        targets=targets,
    )
    fixed = [i for i, sc in framework.scope_overrides.items() if sc != construction.scope]
    for ind in fixed:
        norm[ind] = normalize(
            treated[[ind]],
            construction.normalize,
            directions={ind: framework.directions[ind]},
            scope=framework.scope_overrides[ind],
            targets={ind: targets[ind]} if targets and ind in targets else None,
        )[ind]
    return norm


def treat(
    filled: pd.DataFrame, framework: Framework, construction: Construction
) -> OutlierTreatment:
    """Outlier treatment of the imputed matrix (:mod:`nqpf.index.outliers`), each indicator in
    its normalisation scope."""
    from nqpf.index.outliers import treat_outliers

    def run(frame: pd.DataFrame, scope: str) -> OutlierTreatment:
        return treat_outliers(
            frame,
            construction.outliers,
            scope=scope,
            skew_threshold=construction.skew_threshold,
            kurtosis_threshold=construction.kurtosis_threshold,
            winsor_max=construction.winsor_max,
        )

    own = {i: sc for i, sc in framework.scope_overrides.items() if sc != construction.scope}
    main = run(filled[[c for c in filled.columns if c not in own]], construction.scope)
    if not own:
        return main
    parts = [main, *(run(filled[[i]], sc) for i, sc in own.items())]
    cols = list(filled.columns)
    return replace(
        main,
        treated=pd.concat([t.treated for t in parts], axis=1)[cols],
        flags=pd.concat([t.flags for t in parts], axis=1)[cols],
        table=pd.concat([t.table for t in parts], ignore_index=True),
    )


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
    local, global_w = tree_weights(fw, {str(k): float(v) for k, v in w.items()}, upper)
    return {k: pd.Series(v) for k, v in local.items()}, pd.Series(global_w)


def tree_weights(
    fw: Framework, method_w: Mapping[str, float], upper: Upper
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """:func:`_hierarchy_weights` on plain floats (the uncertainty engine calls it once per
    configuration, where building Series cost more than the arithmetic)."""
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
    return local, global_w


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


def spec_hash(
    wide: pd.DataFrame,
    framework: Framework,
    construction: Construction,
    targets: Mapping[str, float] | None = None,
) -> str:
    """12 hex digits of SHA-256 over the data (sorted wide values, their raw bytes: see
    :func:`nqpf.results.update_hash`), the framework and options."""
    h = hashlib.sha256()
    update_hash(h, wide.sort_index().sort_index(axis=1))
    spec = {
        "framework": framework.to_dict(),
        "construction": construction.as_dict(),
        "targets": dict(sorted((targets or {}).items())),
    }
    h.update(json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()[:12]


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
