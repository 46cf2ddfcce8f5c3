r"""National layout of priority industries (优化重大生产力布局) as an exact MILP.

Choose x_ij ∈ {0, 1} (region i makes industry j a priority) to

    maximise    Σ_ij F_ij x_ij                        (total fit)
    subject to  Σ_j x_ij ≤ K_i               ∀ i       (at most K priorities per region)
                L_j ≤ Σ_i x_ij ≤ C_j          ∀ j       (between L and C hub regions)
                Σ_{i∈g} x_ij ≤ B              ∀ g, j    (optional balance: no macro-region g
                                                         holds more than B hubs of industry j)
                x_ij = 1 for locked-in existing strengths; x_ij = 0 where F_ij is missing.

F is any fit score (default in the service: relatedness density, the opportunities
engine's feasibility). Solved with HiGHS through :func:`scipy.optimize.milp`.

**Shadow costs** are the duals of the *LP relaxation* (x_ij ∈ [0, 1]), from HiGHS via
:func:`scipy.optimize.linprog`: the change of the relaxed optimum per unit of K_i, L_j or
C_j. Without the balance constraints the constraint matrix is that of a bipartite
b-matching; the balance rows only add, per industry, subsets of regions that partition
them (a laminar family), which keeps the matrix a network matrix. It is totally
unimodular, so with integer K, L, C, B the relaxation has an integral optimum equal to the
MILP's and the duals are its exact LP sensitivities (``duals_exact``; non-integer limits
make them indicative). A share-type balance (Σ_{i∈g} x_ij ≤ s Σ_i x_ij) would break this
structure and make large instances slow, hence the count form.

**Infeasible settings** are explained by an elastic version of the problem: every
constraint family gets non-negative slack, the total slack is minimised, and the
constraints that must be violated (and by how much) are reported, after the simple
counting conflicts (Σ L_j > Σ K_i; L_j above the regions allowed for j; L_j above B × the number of
groups; locked pairs above K_i or C_j; L_j > C_j).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from nqpf.errors import InputError

__all__ = ["Layout", "LayoutInfeasibleError", "plan_layout"]

#: Relative MIP gap HiGHS stops at (0: prove optimality). Optimality is up to HiGHS's
#: tolerances (1e-7): fits that differ by less are not told apart.
MIP_GAP = 0.0
#: Distance from an integer below which a relaxed value counts as integral (HiGHS's
#: primal feasibility tolerance is 1e-7).
INTEGRALITY_TOL = 1e-6


class LayoutInfeasibleError(InputError):
    """No layout satisfies the settings; ``conflicts`` lists why (one sentence each)."""

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        super().__init__(
            "no layout satisfies these settings: " + "; ".join(conflicts),
            hint="lower --hubs-min, raise --k or --hubs-max, drop locks or raise --per-group",
        )


@dataclass
class Layout:
    """The optimal layout and its sensitivities."""

    assignment: pd.DataFrame  # region × industry 0/1
    objective: float
    fit: pd.DataFrame
    region_duals: pd.Series  # shadow cost of one more priority slot per region
    hub_min_duals: pd.Series  # per industry: change of the optimum per extra required hub
    hub_max_duals: pd.Series  # per industry: change per extra allowed hub
    duals_exact: bool
    solver: str
    checks: dict[str, bool] = field(default_factory=dict)

    def pairs(self) -> pd.DataFrame:
        """``region, industry, fit`` of every chosen pair, by region then fit."""
        stacked = self.assignment.stack()
        chosen = stacked.index[stacked.to_numpy() > 0]
        out = pd.DataFrame(
            {
                "region": chosen.get_level_values(0),
                "industry": chosen.get_level_values(1),
            }
        )
        out["fit"] = [
            float(self.fit.loc[r, j]) for r, j in zip(out["region"], out["industry"], strict=True)
        ]
        return out.sort_values(["region", "fit"], ascending=[True, False], ignore_index=True)


def _per(
    value: float | Mapping[str, float] | pd.Series, index: pd.Index, name: str, default: float
) -> np.ndarray:
    """A scalar for all, or a mapping by key (keys not given take ``default``)."""
    if isinstance(value, int | float):
        return np.full(len(index), float(value))
    series = pd.Series(value, dtype=float)
    unknown = set(series.index) - set(index)
    if unknown:
        raise InputError(f"{name}: unknown key(s) {', '.join(map(str, sorted(unknown)))}")
    return series.reindex(index).fillna(default).to_numpy(dtype=float)


def plan_layout(
    fit: pd.DataFrame,
    *,
    k: float | Mapping[str, float] | pd.Series = 3,
    hubs_min: float | Mapping[str, float] | pd.Series = 0,
    hubs_max: float | Mapping[str, float] | pd.Series | None = None,
    groups: Mapping[str, str] | pd.Series | None = None,
    max_per_group: float | None = None,
    locked: Iterable[tuple[str, str]] = (),
    time_limit: float = 600.0,
) -> Layout:
    """Solve the layout MILP (see the module docstring).

    ``fit``: region × industry scores (NaN = the region may not take the industry);
    ``k``: priorities per region (scalar or per region; regions not given: no limit);
    ``hubs_min``/``hubs_max``: hub regions per industry (scalar or per industry; industries
    not given: 0 / no limit; ``hubs_max=None``: no upper limit);
    ``groups``: region → macro-region and ``max_per_group`` B for the balance
    constraints; ``locked``: (region, industry) pairs that stay priorities.
    """
    if fit.empty:
        raise InputError("the fit table is empty")
    regions, industries = fit.index, fit.columns
    n, m = fit.shape
    values = fit.to_numpy(dtype=float)
    allowed = ~np.isnan(values)
    kk = _per(k, regions, "k", float(m))
    lo = _per(hubs_min, industries, "hubs_min", 0.0)
    hi = np.full(m, float(n)) if hubs_max is None else _per(hubs_max, industries, "hubs_max", n)
    if (kk < 0).any() or (lo < 0).any() or (hi < 0).any():
        raise InputError("k, hubs_min and hubs_max must be ≥ 0")
    if max_per_group is not None and max_per_group < 0:
        raise InputError(f"max_per_group {max_per_group} must be ≥ 0")
    lock = np.zeros((n, m), dtype=bool)
    row_of = {r: i for i, r in enumerate(regions)}
    col_of = {c: j for j, c in enumerate(industries)}
    for region, industry in locked:
        if region not in row_of or industry not in col_of:
            raise InputError(f"locked pair ({region}, {industry}) is not in the fit table")
        lock[row_of[region], col_of[industry]] = True
    group_of = None
    if max_per_group is not None:
        if groups is None:
            raise InputError("max_per_group needs groups (region → macro-region)")
        group_of = pd.Series(groups).reindex(regions)
        if group_of.isna().any():
            raise InputError(
                f"no group for region(s) {', '.join(map(str, regions[group_of.isna()][:5]))}"
            )

    conflicts = _counting_conflicts(
        [str(r) for r in regions], [str(c) for c in industries], allowed, lock, kk, lo, hi
    )
    if group_of is not None and max_per_group is not None:
        capacity = max_per_group * group_of.nunique()
        conflicts += [
            f"{industries[int(j)]} needs {lo[j]:g} hubs but {group_of.nunique()} macro-regions × "
            f"max_per_group {max_per_group:g} allow only {capacity:g}"
            for j in np.flatnonzero(lo > capacity)
        ]
    if conflicts:
        raise LayoutInfeasibleError(conflicts)

    A, b_lo, b_hi, families = _constraints(n, m, kk, lo, hi, group_of, max_per_group)
    c = -np.where(allowed, values, 0.0).ravel()
    upper = allowed.ravel().astype(float)
    lower = lock.ravel().astype(float)
    if (lower > upper).any():
        raise LayoutInfeasibleError(["a locked pair has no fit (NaN) in the table"])
    relaxed, duals = _lp_relaxation(c, A, b_lo, b_hi, lower, upper, n, m)
    if relaxed is not None and np.allclose(relaxed, np.rint(relaxed), atol=INTEGRALITY_TOL):
        # An integral optimum of the relaxation is optimal for the MILP (its bound is met).
        x = np.rint(relaxed).reshape(n, m)
        solver = "LP relaxation (integral vertex)"
    else:
        result = milp(
            c,
            constraints=LinearConstraint(A, b_lo, b_hi),
            integrality=np.ones(n * m),
            bounds=Bounds(lower, upper),
            options={"time_limit": time_limit, "mip_rel_gap": MIP_GAP, "presolve": True},
        )
        if result.status == 2 or result.x is None:
            raise LayoutInfeasibleError(
                _elastic_explanation(fit, A, b_lo, b_hi, families, lower, upper)
            )
        if result.status != 0:
            raise InputError(
                f"the layout solver stopped: {result.message}", hint="raise time_limit"
            )
        x = np.rint(result.x).reshape(n, m)
        solver = "MILP branch and bound"
    assignment = pd.DataFrame(x.astype(int), index=regions, columns=industries)
    layout = Layout(
        assignment=assignment,
        objective=float(-(c @ x.ravel())),
        fit=fit,
        region_duals=pd.Series(duals["k"], index=regions, name="shadow_cost_k"),
        hub_min_duals=pd.Series(duals["min"], index=industries, name="shadow_cost_hubs_min"),
        hub_max_duals=pd.Series(duals["max"], index=industries, name="shadow_cost_hubs_max"),
        duals_exact=_integral(kk, lo, hi, np.array([max_per_group or 0.0])),
        solver=solver,
    )
    layout.checks = verify(
        layout,
        k=kk,
        hubs_min=lo,
        hubs_max=hi,
        lock=lock,
        allowed=allowed,
        group_of=group_of,
        max_per_group=max_per_group,
    )
    if not all(layout.checks.values()):
        failed = [name for name, ok in layout.checks.items() if not ok]
        raise RuntimeError(f"solver result violates {failed}")  # a bug, not bad input
    return layout


def _integral(*arrays: np.ndarray) -> bool:
    return all(np.allclose(a, np.rint(a)) for a in arrays)


def verify(
    layout: Layout,
    *,
    k: np.ndarray,
    hubs_min: np.ndarray,
    hubs_max: np.ndarray,
    lock: np.ndarray,
    allowed: np.ndarray,
    group_of: pd.Series | None,
    max_per_group: float | None,
) -> dict[str, bool]:
    """Check every constraint on the solution (returned per family)."""
    x = layout.assignment.to_numpy()
    per_region = x.sum(axis=1)
    per_industry = x.sum(axis=0)
    checks = {
        "binary": bool(np.isin(x, (0, 1)).all()),
        "k": bool((per_region <= k + 1e-9).all()),
        "hubs_min": bool((per_industry >= hubs_min - 1e-9).all()),
        "hubs_max": bool((per_industry <= hubs_max + 1e-9).all()),
        "locked": bool((x[lock] == 1).all()),
        "allowed": bool((x[~allowed] == 0).all()),
    }
    if group_of is not None and max_per_group is not None:
        ok = True
        for g in group_of.unique():
            in_g = (group_of == g).to_numpy()
            ok &= bool((x[in_g].sum(axis=0) <= max_per_group + 1e-9).all())
        checks["balance"] = ok
    return checks


def _counting_conflicts(
    regions: list[str],
    industries: list[str],
    allowed: np.ndarray,
    lock: np.ndarray,
    k: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> list[str]:
    out = []
    if lo.sum() > k.sum():
        out.append(
            f"the industries need at least {lo.sum():g} hub places (Σ hubs_min) but the regions offer only {k.sum():g} (Σ k)"
        )
    for j in np.flatnonzero(lo > hi):
        out.append(f"{industries[j]}: hubs_min {lo[j]:g} > hubs_max {hi[j]:g}")
    for j in np.flatnonzero(lo > allowed.sum(axis=0)):
        out.append(
            f"{industries[j]} needs {lo[j]:g} hubs but only {int(allowed[:, j].sum())} regions have a fit for it"
        )
    for i in np.flatnonzero(lock.sum(axis=1) > k):
        out.append(f"{regions[i]} has {int(lock[i].sum())} locked priorities but k = {k[i]:g}")
    for j in np.flatnonzero(lock.sum(axis=0) > hi):
        out.append(
            f"{industries[j]} has {int(lock[:, j].sum())} locked hubs but hubs_max = {hi[j]:g}"
        )
    return out


def _constraints(
    n: int,
    m: int,
    k: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    group_of: pd.Series | None,
    per_group: float | None,
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, list[tuple[str, int, int]]]:
    """Rows: one per region (Σ_j x_ij), one per industry (Σ_i x_ij), then the balance rows.
    Variable index of x_ij is i·m + j. ``families`` names each row (family, key, row)."""
    ii = np.repeat(np.arange(n), m)
    jj = np.tile(np.arange(m), n)
    var = np.arange(n * m)
    rows = [sparse.csr_matrix((np.ones(n * m), (ii, var)), shape=(n, n * m))]
    rows.append(sparse.csr_matrix((np.ones(n * m), (jj, var)), shape=(m, n * m)))
    b_lo = [np.full(n, -np.inf), lo]
    b_hi = [k, hi]
    families: list[tuple[str, int, int]] = [("k", i, i) for i in range(n)]
    families += [("hubs", j, n + j) for j in range(m)]
    if group_of is not None and per_group is not None:
        codes = pd.Categorical(group_of)
        for g_index, g in enumerate(codes.categories):
            in_g = codes.codes[ii] == g_index
            # Σ_{i∈g} x_ij ≤ B for every j
            block = sparse.csr_matrix(
                (np.ones(int(in_g.sum())), (jj[in_g], var[in_g])), shape=(m, n * m)
            )
            rows.append(block)
            b_lo.append(np.full(m, -np.inf))
            b_hi.append(np.full(m, float(per_group)))
            start = families[-1][2] + 1
            families += [(f"balance:{g}", j, start + j) for j in range(m)]
    A = sparse.vstack(rows, format="csr")
    return A, np.concatenate(b_lo), np.concatenate(b_hi), families


def _lp_relaxation(
    c: np.ndarray,
    A: sparse.csr_matrix,
    b_lo: np.ndarray,
    b_hi: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    n: int,
    m: int,
) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    """Solve the LP relaxation (HiGHS dual simplex, so the optimum is a vertex); return it
    and its duals, signed as gains of the *maximised* fit per unit of K_i, L_j and C_j."""
    finite_hi = np.isfinite(b_hi)
    finite_lo = np.isfinite(b_lo)
    A_ub = sparse.vstack([A[finite_hi], -A[finite_lo]], format="csr")
    b_ub = np.concatenate([b_hi[finite_hi], -b_lo[finite_lo]])
    res = linprog(
        c, A_ub=A_ub, b_ub=b_ub, bounds=np.column_stack([lower, upper]), method="highs-ds"
    )
    if res.status != 0:
        nan = {"k": np.full(n, np.nan), "max": np.full(m, np.nan), "min": np.full(m, np.nan)}
        return None, nan
    # linprog minimises c·x = −fit; its marginal ∂min/∂b_ub ≤ 0 for a binding row.
    marg = np.asarray(res.ineqlin.marginals)
    hi_idx = np.flatnonzero(finite_hi)
    lo_idx = np.flatnonzero(finite_lo)
    # rows A x ≤ b_hi: ∂max/∂b = −∂min/∂b
    gain_hi = dict(zip(hi_idx, -marg[: len(hi_idx)], strict=True))
    # rows −A x ≤ −b_lo: ∂max/∂b_lo = −∂min/∂(−b_lo)·(−1) = ∂min/∂b_ub = marg (≤ 0: a cost)
    gain_lo = dict(zip(lo_idx, marg[len(hi_idx) :], strict=True))
    duals = {
        "k": np.array([gain_hi.get(i, 0.0) for i in range(n)]) + 0.0,
        "max": np.array([gain_hi.get(n + j, 0.0) for j in range(m)]) + 0.0,
        "min": np.array([gain_lo.get(n + j, 0.0) for j in range(m)]) + 0.0,
    }
    return np.asarray(res.x), duals


def _elastic_explanation(
    fit: pd.DataFrame,
    A: sparse.csr_matrix,
    b_lo: np.ndarray,
    b_hi: np.ndarray,
    families: list[tuple[str, int, int]],
    lower: np.ndarray,
    upper: np.ndarray,
) -> list[str]:
    """Minimise the total violation: A x − s_hi ≤ b_hi, A x + s_lo ≥ b_lo, s ≥ 0."""
    rows, nv = A.shape
    eye = sparse.identity(rows, format="csr")
    big = sparse.hstack([A, -eye, eye], format="csr")
    c = np.concatenate([np.zeros(nv), np.ones(2 * rows)])
    bounds = Bounds(
        np.concatenate([lower, np.zeros(2 * rows)]),
        np.concatenate([upper, np.full(2 * rows, np.inf)]),
    )
    res = milp(
        c,
        constraints=LinearConstraint(big, b_lo, b_hi),
        integrality=np.concatenate([np.ones(nv), np.zeros(2 * rows)]),
        bounds=bounds,
    )
    if res.x is None:
        return ["the locked pairs and missing fits alone admit no layout"]
    over = res.x[nv : nv + rows]
    under = res.x[nv + rows :]
    out = []
    regions, industries = [str(r) for r in fit.index], [str(c) for c in fit.columns]
    for family, key, row in families:
        amount = over[row] + under[row]
        if amount <= 1e-6:
            continue
        if family == "k":
            out.append(f"{regions[key]} would need {over[row]:g} more priorities than k")
        elif family == "hubs":
            if under[row] > 1e-6:
                out.append(f"{industries[key]} would get {under[row]:g} fewer hubs than hubs_min")
            else:
                out.append(f"{industries[key]} would need {over[row]:g} more hubs than hubs_max")
        else:
            out.append(
                f"{industries[key]} would need {over[row]:g} more hubs in {family.split(':', 1)[1]} than max_per_group"
            )
    return out or ["the settings conflict (no single constraint family explains it)"]
