"""Input-output analysis (投入产出分析) of a single-region table: coefficients, inverses,
linkages (产业关联), key sectors (关键部门), hypothetical extraction and multipliers.

Notation of Miller & Blair (2009), *Input-Output Analysis: Foundations and Extensions*,
2nd ed., Cambridge UP — Z (n × n intermediate flows, row i sells to column j), x gross output,
f final demand (x = Z·1 + f), v value added (x' = 1'Z + v'):

    A = Z x̂⁻¹          technical (direct input) coefficients   a_ij = z_ij / x_j   (ch. 2)
    L = (I − A)⁻¹       Leontief inverse, x = L f                                  (eq. 2.11)
    B = x̂⁻¹ Z          allocation (direct output) coefficients b_ij = z_ij / x_i  (ch. 12)
    G = (I − B)⁻¹       Ghosh inverse, x' = v' G, and G = x̂⁻¹ L x̂                 (eq. 12.9)

Multipliers (ch. 6): the simple output multiplier of j is the column sum Σ_i l_ij (output of
all sectors per unit of j's final demand); with primary-input coefficients c_i = v_i / x_i the
value-added (or, with compensation of employees, household-income) multiplier is
Σ_i c_i l_ij, generated per unit of final demand for j, and its Type I form divides by c_j.
When v is *all* of value added and x = Z'1 + v, c' = 1'(I − A) and so c'L = 1': the total
value-added multiplier of a competitive-import table is exactly 1 for every sector (imports
leave through final demand), which is why :func:`linkages` reports the Type I form and the
income multiplier instead.

Linkages (ch. 12.2): Rasmussen (1956) power of dispersion — the normalised backward
linkage BL_j = (Σ_i l_ij / n) / (Σ_ij l_ij / n²) — and, for forward linkages, the
sensitivity of dispersion on the Ghosh inverse, FL_i = (Σ_j g_ij / n) / (Σ_ij g_ij / n²),
as Miller & Blair recommend (the Leontief row sums Hirschman used, selectable with
``forward="leontief"``, measure the effect of a uniform unit rise of *every* final demand,
which has no economic meaning when sectors differ in size). A sector with BL > 1 and FL > 1
is a key sector (关键部门); BL > 1 only: backward-oriented (strong demand on suppliers);
FL > 1 only: forward-oriented (widely used input); neither: weakly linked.

Hypothetical extraction (ch. 12.2.5; Strassert 1968; Dietzenbacher, van der Linden & Steenge
1993), each measured as the loss of total gross output 1'x − 1'x̄:

* ``total``: sector j disappears (row and column of A removed, its final demand lost);
  x̄₋ⱼ = (I − A₋ⱼ₋ⱼ)⁻¹ f₋ⱼ, computed from L by the partitioned inverse
  (I − A₋ⱼ₋ⱼ)⁻¹ = L₋ⱼ₋ⱼ − L₋ⱼⱼ Lⱼ₋ⱼ / l_jj.
* ``backward``: j buys no intermediate inputs (column j of A set to 0). By the
  Sherman–Morrison formula the loss is (Σ_i l_ij − 1) x_j / l_jj.
* ``forward``: j sells no intermediate output (row j of B set to 0, value added fixed).
  Likewise the loss is (Σ_k g_jk − 1) x_j / g_jj.

The three closed forms are tested against brute-force re-solving of the reduced systems.

Conventions (stated, not silent): a sector with zero output has zero coefficients (its
column of A and row of B are 0, as pymrio does); the national tables are competitive-import
tables, so A holds domestic *and* imported inputs unless the caller passes a domestic flow
matrix (the 42-sector non-competitive tables have one).

>>> z = np.array([[150.0, 500.0], [200.0, 100.0]]); x = np.array([1000.0, 2000.0])
>>> leontief_inverse(technical_coefficients(z, x)).round(3)
array([[1.254, 0.33 ],
       [0.264, 1.122]])
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError

if TYPE_CHECKING:
    from threadpoolctl import ThreadpoolController

__all__ = [
    "ExtractionMode",
    "ForwardMethod",
    "IOTable",
    "aggregate",
    "allocation_coefficients",
    "backward_linkages",
    "forward_linkages",
    "ghosh_inverse",
    "hypothetical_extraction",
    "key_sectors",
    "leontief_inverse",
    "linkages",
    "output_multipliers",
    "technical_coefficients",
    "value_added_multipliers",
]

ForwardMethod = Literal["ghosh", "leontief"]
ExtractionMode = Literal["total", "backward", "forward"]

#: For A ≥ 0, (I − A)⁻¹ exists and is ≥ 0 exactly when the spectral radius of A is below 1
#: (Hawkins–Simon; I − A is then a non-singular M-matrix). An inverse with an entry below
#: this (relative to its largest entry) therefore means the economy is not productive;
#: the margin absorbs rounding of exact zeros.
_NEGATIVE_TOLERANCE = 1e-10


@dataclass(frozen=True)
class IOTable:
    """A single-region input-output table: flows, output, final demand, value added.

    ``x = Z·1 + f`` and ``x = Z'·1 + v`` hold by construction when f and v are derived as the
    residuals (:meth:`from_flows`); a published table whose reported columns disagree with
    its own totals is therefore used with the residual final demand and value added.
    """

    flows: pd.DataFrame
    output: pd.Series
    final_demand: pd.Series
    value_added: pd.Series
    names: pd.Series = field(default_factory=lambda: pd.Series(dtype=str))
    label: str = ""
    compensation: pd.Series | None = None

    @classmethod
    def from_flows(
        cls,
        flows: pd.DataFrame,
        output: pd.Series,
        *,
        names: pd.Series | None = None,
        label: str = "",
        compensation: pd.Series | None = None,
    ) -> IOTable:
        """Build a table from Z and x; f = x − Z·1 and v = x − Z'·1 are the residuals.

        ``compensation`` (劳动者报酬, optional) is the household-income row of value added.
        """
        if list(flows.index) != list(flows.columns):
            raise InputError("the flow matrix must have the same sectors as rows and columns")
        out = output.reindex(flows.index)
        if out.isna().any():
            missing = out.index[out.isna()].tolist()[:5]
            raise InputError(f"no gross output for sector(s) {missing}")
        z = flows.to_numpy(dtype=float)
        if np.isnan(z).any():
            raise InputError("the flow matrix has missing values", hint="fill empty cells with 0")
        x = out.to_numpy(dtype=float)
        if (x < 0).any():
            raise InputError(f"negative gross output for sector(s) {out.index[x < 0].tolist()[:5]}")
        index = flows.index
        return cls(
            flows=flows.astype(float),
            output=out.astype(float),
            final_demand=pd.Series(x - z.sum(axis=1), index=index),
            value_added=pd.Series(x - z.sum(axis=0), index=index),
            names=names.reindex(index) if names is not None else pd.Series(index, index=index),
            label=label,
            compensation=None
            if compensation is None
            else compensation.reindex(index).astype(float),
        )

    @property
    def sectors(self) -> pd.Index:
        return self.flows.index

    @property
    def n(self) -> int:
        return len(self.flows)


def technical_coefficients(flows: np.ndarray, output: np.ndarray) -> np.ndarray:
    """A = Z x̂⁻¹ (a_ij = z_ij / x_j; 0 for a sector with no output)."""
    x = np.asarray(output, dtype=float)
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    return np.asarray(np.asarray(flows, dtype=float) * inv[np.newaxis, :])


def allocation_coefficients(flows: np.ndarray, output: np.ndarray) -> np.ndarray:
    """B = x̂⁻¹ Z (b_ij = z_ij / x_i; 0 for a sector with no output)."""
    x = np.asarray(output, dtype=float)
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    return np.asarray(np.asarray(flows, dtype=float) * inv[:, np.newaxis])


def leontief_inverse(coefficients: np.ndarray) -> np.ndarray:
    """L = (I − A)⁻¹, by LU solve (the inverse is needed whole: every column is used)."""
    return _productive_inverse(_square(coefficients, "A"), "Leontief")


def ghosh_inverse(allocation: np.ndarray) -> np.ndarray:
    """G = (I − B)⁻¹.

    Rows of B may sum above 1 in a competitive-import table (a sector whose intermediate
    sales include imports of its product, e.g. iron ore); B = x̂⁻¹ A x̂ has the eigenvalues
    of A, so G exists whenever L does.
    """
    return _productive_inverse(_square(allocation, "B"), "Ghosh")


def output_multipliers(leontief: np.ndarray) -> np.ndarray:
    """Simple output multipliers m(o)_j = Σ_i l_ij (Miller & Blair 2009, eq. 6.1)."""
    return np.asarray(np.asarray(leontief, dtype=float).sum(axis=0))


def value_added_multipliers(
    leontief: np.ndarray,
    value_added: np.ndarray,
    output: np.ndarray,
    *,
    kind: Literal["total", "type1"] = "total",
) -> np.ndarray:
    """Value-added multipliers Σ_i c_i l_ij with c_i = v_i / x_i; ``type1`` divides by c_j."""
    x = np.asarray(output, dtype=float)
    c = np.divide(np.asarray(value_added, dtype=float), x, out=np.zeros_like(x), where=x != 0)
    total = c @ np.asarray(leontief, dtype=float)
    if kind == "total":
        return np.asarray(total)
    if kind == "type1":
        return np.asarray(np.divide(total, c, out=np.full_like(total, np.nan), where=c != 0))
    raise InputError(f"unknown value-added multiplier kind {kind!r}", hint="total or type1")


def backward_linkages(leontief: np.ndarray) -> np.ndarray:
    """Rasmussen's normalised backward linkage (power of dispersion), mean 1 over sectors."""
    lm = np.asarray(leontief, dtype=float)
    n = lm.shape[0]
    return np.asarray(lm.sum(axis=0) * n / lm.sum())


def forward_linkages(inverse: np.ndarray) -> np.ndarray:
    """Normalised forward linkage from the row sums of G (or of L: Hirschman/Rasmussen)."""
    g = np.asarray(inverse, dtype=float)
    n = g.shape[0]
    return np.asarray(g.sum(axis=1) * n / g.sum())


def key_sectors(backward: np.ndarray, forward: np.ndarray, *, threshold: float = 1.0) -> np.ndarray:
    """Classify sectors: ``key`` (BL and FL above the threshold), ``backward``, ``forward``,
    ``weak`` — the four quadrants of Miller & Blair (2009) table 12.x, Chenery–Watanabe style."""
    bl = np.asarray(backward) > threshold
    fl = np.asarray(forward) > threshold
    return np.where(bl & fl, "key", np.where(bl, "backward", np.where(fl, "forward", "weak")))


def hypothetical_extraction(
    leontief: np.ndarray,
    output: np.ndarray,
    final_demand: np.ndarray,
    *,
    mode: ExtractionMode = "total",
    ghosh: np.ndarray | None = None,
) -> np.ndarray:
    """Loss of total gross output when each sector is extracted in turn (see module doc)."""
    lm = np.asarray(leontief, dtype=float)
    x = np.asarray(output, dtype=float)
    f = np.asarray(final_demand, dtype=float)
    diag = np.diag(lm)
    if mode == "backward":
        return np.asarray((lm.sum(axis=0) - 1.0) * x / diag)
    if mode == "forward":
        g = ghosh if ghosh is not None else _ghosh_from_leontief(lm, x)
        return np.asarray((g.sum(axis=1) - 1.0) * x / np.diag(g))
    if mode != "total":
        raise InputError(f"unknown extraction mode {mode!r}", hint="total, backward or forward")
    # x̄₋ⱼ = L₋ⱼ₋ⱼ f₋ⱼ − L₋ⱼⱼ (Lⱼ₋ⱼ f₋ⱼ) / l_jj for every j at once:
    # with f⁽ʲ⁾ = f minus its j-th entry, L f⁽ʲ⁾ = x − L[:, j] f_j.
    lf = (x[:, np.newaxis] - lm * f[np.newaxis, :]).T  # row j: L f⁽ʲ⁾
    coupling = np.diag(lf)  # Lⱼ· f⁽ʲ⁾ = Lⱼ₋ⱼ f₋ⱼ
    remaining = lf - lm.T * (coupling / diag)[:, np.newaxis]  # row j: x̄ over all i (entry j is 0)
    total_left = remaining.sum(axis=1) - np.diag(remaining)
    return np.asarray(x.sum() - total_left)


def linkages(
    table: IOTable,
    *,
    forward: ForwardMethod = "ghosh",
    threshold: float = 1.0,
) -> pd.DataFrame:
    """One row per sector: output, value added, multipliers, BL, FL, type, extraction losses.

    Columns: ``sector``, ``name``, ``output``, ``value_added``, ``output_multiplier``,
    ``va_multiplier_type1``, ``income_multiplier`` and ``income_multiplier_type1``
    (compensation of employees; NaN without it), ``backward`` (BL), ``forward`` (FL),
    ``key_type`` (key/backward/forward/weak), ``extraction_total``, ``extraction_backward``,
    ``extraction_forward`` (shares of total gross output lost), ``rank_bl``, ``rank_fl``.
    """
    if forward not in ("ghosh", "leontief"):
        raise InputError(f"unknown forward-linkage method {forward!r}", hint="ghosh or leontief")
    x = table.output.to_numpy()
    z = table.flows.to_numpy()
    lm = leontief_inverse(technical_coefficients(z, x))
    g = _ghosh_from_leontief(lm, x)
    bl = backward_linkages(lm)
    fl = forward_linkages(g if forward == "ghosh" else lm)
    f = table.final_demand.to_numpy()
    va = table.value_added.to_numpy()
    total = x.sum()
    if table.compensation is not None:
        wages = table.compensation.to_numpy()
        income = value_added_multipliers(lm, wages, x)
        income_type1 = value_added_multipliers(lm, wages, x, kind="type1")
    else:
        income = income_type1 = np.full(table.n, np.nan)
    out = pd.DataFrame(
        {
            "sector": table.sectors,
            "name": table.names.to_numpy(),
            "output": x,
            "value_added": va,
            "output_multiplier": output_multipliers(lm),
            "va_multiplier_type1": value_added_multipliers(lm, va, x, kind="type1"),
            "income_multiplier": income,
            "income_multiplier_type1": income_type1,
            "backward": bl,
            "forward": fl,
            "key_type": key_sectors(bl, fl, threshold=threshold),
            "extraction_total": hypothetical_extraction(lm, x, f) / total,
            "extraction_backward": hypothetical_extraction(lm, x, f, mode="backward") / total,
            "extraction_forward": hypothetical_extraction(lm, x, f, mode="forward", ghosh=g)
            / total,
        }
    )
    out["rank_bl"] = out["backward"].rank(ascending=False, method="min").astype(int)
    out["rank_fl"] = out["forward"].rank(ascending=False, method="min").astype(int)
    return out


def aggregate(table: IOTable, concordance: pd.Series, *, names: pd.Series | None = None) -> IOTable:
    """Sum a table onto a coarser classification; ``concordance`` maps each sector to a group.

    Z̃ = S Z S', x̃ = S x with S the 0/1 aggregation matrix; f and v aggregate consistently.
    """
    groups = concordance.reindex(table.sectors)
    if groups.isna().any():
        missing = groups.index[groups.isna()].tolist()[:8]
        raise InputError(f"the concordance does not map sector(s) {missing}")
    flows = table.flows.groupby(groups.to_numpy()).sum().T.groupby(groups.to_numpy()).sum().T
    output = table.output.groupby(groups.to_numpy()).sum()
    order = pd.Index(sorted(output.index))
    wages = None
    if table.compensation is not None:
        wages = table.compensation.groupby(groups.to_numpy()).sum().loc[order]
    return IOTable.from_flows(
        flows.loc[order, order],
        output.loc[order],
        names=names,
        label=table.label,
        compensation=wages,
    )


def _ghosh_from_leontief(leontief: np.ndarray, output: np.ndarray) -> np.ndarray:
    """G = x̂⁻¹ L x̂ (Miller & Blair 2009, eq. 12.9); rows of sectors without output are 0."""
    x = np.asarray(output, dtype=float)
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    g = inv[:, np.newaxis] * leontief * x[np.newaxis, :]
    zero = x == 0
    g[zero, zero] = 1.0
    return np.asarray(g)


def _productive_inverse(m: np.ndarray, name: str) -> np.ndarray:
    hint = "coefficients must be ≥ 0 with spectral radius below 1 (sectors need value added)"
    if (m < 0).any():
        raise InputError(f"negative coefficient in the matrix of the {name} inverse", hint=hint)
    from scipy import linalg  # lazy: chain maps load tables without needing SciPy

    n = m.shape[0]
    try:
        with _single_threaded_blas():
            inverse = np.asarray(linalg.solve(np.eye(n) - m, np.eye(n), check_finite=False))
    except linalg.LinAlgError:
        raise InputError(
            f"I minus the coefficients is singular: no {name} inverse", hint=hint
        ) from None
    if (
        not np.isfinite(inverse).all()
        or (inverse < -_NEGATIVE_TOLERANCE * np.abs(inverse).max()).any()
    ):
        raise InputError(
            f"the {name} inverse has negative entries: the economy is not productive", hint=hint
        )
    return inverse


@cache
def _blas_controller() -> ThreadpoolController:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _single_threaded_blas() -> AbstractContextManager[object]:
    """One BLAS thread: a few-hundred-sector solve takes milliseconds on one core, while a
    multi-threaded BLAS on a busy machine spins its threads for hundreds of milliseconds."""
    limiter: AbstractContextManager[object] = _blas_controller().limit(limits=1, user_api="blas")
    return limiter


def _square(matrix: np.ndarray, name: str) -> np.ndarray:
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InputError(f"{name} must be a square matrix, got shape {m.shape}")
    if not np.isfinite(m).all():
        raise InputError(f"{name} has missing or infinite values")
    return m
