"""Economic complexity (经济复杂度): ECI, PCI, complexity outlook, and when to trust them.

Eigenvector method (Hidalgo & Hausmann 2009, *PNAS* 106:10570; Hausmann et al. 2014,
*The Atlas of Economic Complexity*, MIT Press). With binary presence M, diversity
D = diag(k_c,0) and ubiquity U = diag(k_p,0):

    M̃_pp' = Σ_c M_cp M_cp' / (k_c,0 k_p,0)   i.e.  M̃ = U⁻¹ Mᵀ D⁻¹ M.

The eigenvector K_p of M̃ for its second-largest eigenvalue λ₂ gives the industries'
complexity, and K_c = D⁻¹ M K (the mean K of a region's industries) the regions'. M̃ is
similar to the symmetric S = U^-½ Mᵀ D⁻¹ M U^-½, so we solve S with a symmetric
eigensolver (real eigenvalues, no n_regions² matrix) and set K = U^-½ v₂. Only the three
largest eigenpairs are needed: from :data:`PARTIAL_EIGEN_MIN` industries on they come from
the Lanczos solver of ARPACK (``scipy.sparse.linalg.eigsh``, ≈10× faster than the full
``numpy.linalg.eigh`` at 1,300 industries and O(n²) instead of O(n³) beyond), with the full
solver as the fallback should it not converge; ``tests/test_industry_sparse.py`` checks the
two give the same numbers. M is held sparse
and every region × industry product runs over blocks of rows (``_blocks``), so 40,000
regions × 4,000 industries fit in a few GB beside the dense outputs (density, COG). Sign: chosen so
that ECI correlates positively with diversity. Standardisation follows the Growth Lab
(Stata ``ecomplexity`` and its Python port), so numbers match theirs:

    ECI_c = (K_c − mean K_c) / sd K_c,     PCI_p = (K_p − mean K_c) / sd K_c

(sd with divisor n), which keeps ECI_c = mean PCI of c's industries. Complexity outlook
(Hausmann et al. 2014, ch. 4), with density ω and proximity φ (see ``relatedness``):

    COI_c  = Σ_p ω_cp (1 − M_cp) K_p, then standardised across regions;
    COG_cp = (1 − M_cp) Σ_p' φ_pp' / (Σ_p'' φ_p'p'') (1 − M_cp') K_p' / sd K_c.

Regions or industries with zero diversity or ubiquity get NaN ECI/PCI (and add nothing
to COI/COG); COI is 0 everywhere when it does not vary.

:func:`complexity_diagnostic` says when the numbers mean little: too few regions or
industries, a bipartite network in pieces (λ₂ = 1), a second eigenvalue too close to the
third (the ranking is not unique), or a matrix that is not nested — ECI presumes that
diverse regions are the ones making the rare industries (Tacchella et al. 2012; nestedness
NODF of Almeida-Neto et al. 2008, *Oikos* 117:1227).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.industry._blocks import binary_csr, dense_rows, gram, row_blocks
from nqpf.industry.relatedness import (
    _aligned,
    density_rows,
    density_weights,
    proximity_from_cooccurrence,
)

__all__ = [
    "ComplexityResult",
    "complexity",
    "complexity_diagnostic",
    "nodf",
]

#: Relative residual ‖M̃K − λ₂K‖/‖K‖ above which the eigenvector is reported as not
#: converged: a symmetric eigensolver is accurate to ~1e-13 on these sizes, so anything
#: bigger than 1e-8 means a numerical failure, not round-off.
RESIDUAL_TOLERANCE = 1e-8
#: Fewest regions for a meaningful ECI ranking: the published country rankings use 100+
#: countries; with a few dozen regions one region moves the eigenvector.
MIN_REGIONS = 50
#: Fewest industries: with fewer, ubiquity takes only a handful of values.
MIN_INDUSTRIES = 10
#: Smallest relative eigengap (λ₂ − λ₃)/λ₂ for a stable second eigenvector; near-equal
#: eigenvalues let small data changes rotate K between the two eigenvectors.
MIN_EIGENGAP = 0.05
#: Spread of K_c relative to max |K_p| below which it is round-off (all regions alike, e.g.
#: every region present in every industry): ECI would be noise divided by noise.
NO_STRUCTURE_TOLERANCE = 1e-10
#: λ₂ this close to 1 means the region–industry network falls apart in pieces.
DISCONNECTED_TOLERANCE = 1e-9
#: Industries from which the three leading eigenpairs come from ARPACK's Lanczos solver
#: instead of a full symmetric eigendecomposition (below, the full one takes milliseconds).
PARTIAL_EIGEN_MIN = 300


@dataclass(frozen=True)
class ComplexityResult:
    """ECI, PCI, COI, COG and the eigen-solution behind them."""

    eci: pd.Series
    pci: pd.Series
    coi: pd.Series
    cog: pd.DataFrame
    density: pd.DataFrame
    proximity: pd.DataFrame
    eigenvalues: tuple[float, ...]
    residual: float

    @property
    def converged(self) -> bool:
        """Whether the second eigenvector solves M̃K = λ₂K to :data:`RESIDUAL_TOLERANCE`."""
        return self.residual <= RESIDUAL_TOLERANCE


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation, 0 where a series is constant (correlation undefined)."""
    if np.std(x) == 0 or np.std(y) == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def _orientation(div: np.ndarray, kc: np.ndarray, ubi: np.ndarray, kp: np.ndarray) -> float:
    """Sign making ECI correlate positively with diversity; where that correlation is 0 or
    undefined (diversity the same everywhere), making PCI correlate negatively with
    ubiquity. Where both are 0 the eigenvector's sign is left as the solver returns it:
    the data then do not say which end of the ranking is "complex"."""
    tolerance = 1e-12
    r = _correlation(div, kc)
    if abs(r) > tolerance:
        return 1.0 if r > 0 else -1.0
    r = _correlation(ubi, kp)
    if abs(r) > tolerance:
        return 1.0 if r < 0 else -1.0
    return 1.0


def _leading_eigen(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The three largest eigenvalues of the symmetric ``s`` (descending) and the unit
    eigenvector of the second."""
    if s.shape[0] >= PARTIAL_EIGEN_MIN:
        from scipy.sparse.linalg import ArpackNoConvergence, eigsh

        # a fixed start vector keeps the result reproducible (ARPACK's default is random)
        start = np.random.default_rng(0).uniform(0.5, 1.5, s.shape[0])
        try:
            values, vectors = eigsh(s, k=3, which="LA", tol=0.0, v0=start)
        except ArpackNoConvergence:
            pass
        else:
            order = np.argsort(values)[::-1]
            return values[order], vectors[:, order[1]]
    values, vectors = np.linalg.eigh(s)
    return values[::-1][:3], vectors[:, -2]


def complexity(
    presence_table: pd.DataFrame, *, proximity_table: pd.DataFrame | None = None
) -> ComplexityResult:
    """ECI, PCI, COI and COG of a binary region × industry presence table.

    ``proximity_table`` (e.g. :func:`~nqpf.industry.relatedness.io_relatedness_from_table`) replaces
    the co-location proximity in density, COI and COG.
    """
    m_all = binary_csr(presence_table)
    div_all = np.asarray(m_all.sum(axis=1), dtype=float).ravel()
    ubi_all = np.asarray(m_all.sum(axis=0), dtype=float).ravel()
    rows, cols = div_all > 0, ubi_all > 0
    if rows.sum() < 3 or cols.sum() < 3:
        raise InputError(
            "fewer than 3 regions or industries with any advantage: no complexity ranking",
            hint="use a larger matrix or a lower presence threshold",
        )
    div, ubi = div_all[rows], ubi_all[cols]
    inv_sqrt_u = 1.0 / np.sqrt(ubi)
    # one pass over M for the co-occurrence MᵀM (proximity) and Mᵀ D⁻¹ M (eigenproblem);
    # regions without any advantage get weight 0 and add nothing to either
    inv_div = np.divide(1.0, div_all, out=np.zeros_like(div_all), where=rows)
    if proximity_table is None:
        co, m_d_m = gram(m_all, None, inv_div)
    else:
        (m_d_m,) = gram(m_all, inv_div)
    # S = U^-½ Mᵀ D⁻¹ M U^-½ over the regions and industries with any advantage
    s = m_d_m[np.ix_(cols, cols)] * inv_sqrt_u[:, None] * inv_sqrt_u[None, :]
    values, second = _leading_eigen(s)
    kp = np.zeros(m_all.shape[1])
    kp[cols] = inv_sqrt_u * second
    kc = (m_all @ kp)[rows] / div
    kp = kp[cols]
    if np.std(kc) <= NO_STRUCTURE_TOLERANCE * np.max(np.abs(kp)):
        raise InputError("every region has the same complexity: the matrix has no structure")
    sign = _orientation(div, kc, ubi, kp)
    kp, kc = sign * kp, sign * kc

    kp_full = np.full(m_all.shape[1], np.nan)
    kp_full[cols] = kp
    kc_full = np.full(m_all.shape[0], np.nan)
    kc_full[rows] = kc
    lam = float(values[1])
    kp_zero = np.nan_to_num(kp_full)
    # U⁻¹ Mᵀ D⁻¹ M K without forming M̃
    mtilde_kp = (m_all.T @ ((m_all @ kp_zero) * inv_div))[cols] / ubi
    residual = float(np.linalg.norm(mtilde_kp - lam * kp) / np.linalg.norm(kp))
    mean_c, sd_c = float(np.mean(kc)), float(np.std(kc))

    industries = presence_table.columns
    if proximity_table is None:
        phi = proximity_from_cooccurrence(co)
        phi_table = pd.DataFrame(phi, index=industries.copy(), columns=industries.copy())
    else:
        phi_table = proximity_table
        phi = _aligned(presence_table, proximity_table)
    weights_t = density_weights(phi)
    # an industry no region has an advantage in (PCI undefined) adds nothing to COI/COG
    weighted = phi * (kp_zero / phi.sum(axis=1))[:, None]
    dens = np.empty(m_all.shape)
    coi_raw = np.empty(m_all.shape[0])
    cog = np.empty(m_all.shape)
    for block in row_blocks(*m_all.shape):
        present = dense_rows(m_all, block)
        density_rows(present, weights_t, out=dens[block])
        absent = 1.0 - present
        coi_raw[block] = (dens[block] * absent) @ kp_zero
        np.multiply(absent, absent @ weighted, out=cog[block])
    cog /= sd_c
    sd_coi = float(np.std(coi_raw))
    coi = (coi_raw - coi_raw.mean()) / sd_coi if sd_coi > 0 else np.zeros_like(coi_raw)

    regions = presence_table.index
    return ComplexityResult(
        eci=pd.Series((kc_full - mean_c) / sd_c, index=regions, name="eci"),
        pci=pd.Series((kp_full - mean_c) / sd_c, index=industries, name="pci"),
        coi=pd.Series(coi, index=regions, name="coi"),
        cog=pd.DataFrame(cog, index=regions, columns=industries),
        density=pd.DataFrame(dens, index=regions, columns=industries),
        proximity=phi_table,
        eigenvalues=tuple(float(v) for v in values),
        residual=residual,
    )


def nodf(presence_table: pd.DataFrame) -> float:
    """Nestedness NODF (0–100) of a binary matrix (Almeida-Neto et al. 2008).

    For every pair of rows with different degrees, the share of the sparser row's ones
    that the fuller row also has (pairs of equal degree count 0); the same for columns;
    NODF is 100 × the mean over all row pairs and column pairs.

    >>> nodf(pd.DataFrame([[1, 1, 1], [1, 1, 0], [1, 0, 0]]))
    100.0
    """
    m = presence_table.to_numpy(dtype=float)
    total, pairs = 0.0, 0
    for x in (m, m.T):
        deg = x.sum(axis=1)
        overlap = x @ x.T
        fuller = (deg[:, None] > deg[None, :]) & (deg[None, :] > 0)
        safe = np.where(deg > 0, deg, 1.0)
        total += float(np.where(fuller, overlap / safe[None, :], 0.0).sum())
        pairs += len(deg) * (len(deg) - 1) // 2
    return 100.0 * total / pairs if pairs else float("nan")


def complexity_diagnostic(
    presence_table: pd.DataFrame, result: ComplexityResult | None = None
) -> pd.DataFrame:
    """Checks of whether ECI/PCI mean anything for this matrix, in plain language.

    Columns: ``check, value, threshold, ok, message_zh, message_en``.
    """
    result = result or complexity(presence_table)
    n_regions, n_industries = presence_table.shape
    lam1, lam2, lam3 = (list(result.eigenvalues) + [float("nan")] * 3)[:3]
    gap = (lam2 - lam3) / lam2 if lam2 > 0 else float("nan")
    div = presence_table.sum(axis=1)
    ubi = presence_table.sum(axis=0)
    mean_ubi = (presence_table * ubi).sum(axis=1) / div.where(div > 0)
    xs, ys = div[div > 0].to_numpy(dtype=float), mean_ubi.dropna().to_numpy(dtype=float)
    nested_corr = (
        float(np.corrcoef(xs, ys)[0, 1]) if np.std(xs) > 0 and np.std(ys) > 0 else float("nan")
    )
    nest = nodf(presence_table)
    rows = [
        (
            "regions",
            float(n_regions),
            float(MIN_REGIONS),
            n_regions >= MIN_REGIONS,
            f"只有{n_regions}个地区：复杂度排序易受单个地区影响，宜作参考，勿作精确排名。",
            f"only {n_regions} regions: one region can move the ranking; read ECI as indicative.",
        ),
        (
            "industries",
            float(n_industries),
            float(MIN_INDUSTRIES),
            n_industries >= MIN_INDUSTRIES,
            f"只有{n_industries}个产业：普遍度取值太少，难以区分复杂产业。",
            f"only {n_industries} industries: ubiquity takes too few values to tell complexity apart.",
        ),
        (
            "connected",
            lam2,
            1.0 - DISCONNECTED_TOLERANCE,
            lam2 < 1.0 - DISCONNECTED_TOLERANCE,
            "地区—产业网络分成互不相连的几块，ECI只是在区分这几块。",
            "the region–industry network falls apart: ECI only tells the pieces apart.",
        ),
        (
            "eigengap",
            gap,
            MIN_EIGENGAP,
            bool(gap >= MIN_EIGENGAP),
            f"第二、三特征值接近（相对差{gap:.1%}）：数据稍有变动，排序可能大变。",
            f"second and third eigenvalues are close ({gap:.1%} apart): the ranking is unstable.",
        ),
        (
            "converged",
            result.residual,
            RESIDUAL_TOLERANCE,
            result.converged,
            "特征向量未收敛：数值计算失败。",
            "the eigenvector did not converge: a numerical failure.",
        ),
        (
            "nested",
            nested_corr,
            0.0,
            nested_corr < 0,
            f"矩阵不嵌套（多样性与平均普遍度相关系数{nested_corr:.2f}≥0，NODF={nest:.0f}）："
            "多样化的地区并不专长于稀有产业，ECI更多反映“多样性”而非“复杂度”。",
            f"the matrix is not nested (corr(diversity, mean ubiquity) = {nested_corr:.2f} ≥ 0, "
            f"NODF = {nest:.0f}): diverse regions do not specialise in rare industries, so ECI "
            "reads as diversity rather than complexity.",
        ),
    ]
    frame = pd.DataFrame(
        rows, columns=["check", "value", "threshold", "ok", "message_zh", "message_en"]
    )
    frame["ok"] = frame["ok"].astype(bool)
    frame.loc[frame["ok"], ["message_zh", "message_en"]] = ["通过。", "passed."]
    frame.attrs["nodf"] = nest
    frame.attrs["largest_eigenvalue"] = lam1
    return frame
