"""Relatedness (产业关联): proximity, relatedness density and distance.

Proximity (Hidalgo et al. 2007, *Science* 317:482) is the minimum of the two conditional
probabilities that a region has an advantage in one industry given it has one in the other:

    φ_pp' = Σ_c M_cp M_cp' / max(k_p,0, k_p',0)  = min(P(p | p'), P(p' | p))

(φ_pp = 1 by definition, also for an industry no region has an advantage in, whose
off-diagonal proximities are 0.) Relatedness density of region c around industry p is the
proximity-weighted share of p's neighbours that c already has:

    ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp'   ∈ [0, 1],     distance d_cp = 1 − ω_cp.

With ``knn = k`` only the k industries closest to p enter both sums. The Growth Lab
``ecomplexity`` package (0.5) computes the k-NN numerator as the plain count of neighbours
present, dropping the proximity weights (its weighted term is computed and unused), so its
k-NN "density" can exceed 1; ours keeps the weights.

:func:`io_relatedness_from_table` gives an alternative proximity between GB/T 4754 sections from
the national input-output table: the largest of the input and output shares linking two
sections (Neffke & Henning 2013, *SMJ* 34:297, use the same idea between industries).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.industry._blocks import binary_csr, dense_rows, gram, row_blocks

__all__ = [
    "density",
    "density_rows",
    "density_weights",
    "distance",
    "io_relatedness_from_table",
    "proximity",
    "proximity_from_cooccurrence",
]

# 2020 153-sector table codes → GB/T 4754-2017 sections (ranges of the published order).
_IO153_SECTIONS = (
    ("A", 1, 5), ("B", 6, 11), ("C", 12, 99), ("D", 100, 102), ("E", 103, 108),
    ("F", 109, 110), ("G", 111, 122), ("H", 123, 124), ("I", 125, 129), ("J", 130, 132),
    ("K", 133, 133), ("L", 134, 135), ("M", 136, 138), ("N", 139, 141), ("O", 142, 143),
    ("P", 144, 144), ("Q", 145, 146), ("R", 147, 151), ("S", 152, 153),
)  # fmt: skip


def proximity(presence_table: pd.DataFrame) -> pd.DataFrame:
    """Industry × industry proximity φ from a binary presence table (symmetric, unit diagonal).

    >>> m = pd.DataFrame({"a": [1, 1, 0], "b": [1, 0, 0], "c": [0, 0, 1]})
    >>> proximity(m).to_numpy().tolist()
    [[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    (co,) = gram(binary_csr(presence_table), None)
    cols = presence_table.columns
    return pd.DataFrame(proximity_from_cooccurrence(co), index=cols.copy(), columns=cols.copy())


def proximity_from_cooccurrence(co: np.ndarray) -> np.ndarray:
    """φ from the co-occurrence counts MᵀM (ubiquities on the diagonal)."""
    ubiq = np.diag(co).copy()
    larger = np.maximum(ubiq[:, None], ubiq[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.where(larger > 0, co / np.where(larger > 0, larger, 1.0), 0.0)
    np.fill_diagonal(phi, 1.0)
    return phi


def density(
    presence_table: pd.DataFrame, proximity_table: pd.DataFrame, *, knn: int | None = None
) -> pd.DataFrame:
    """Relatedness density ω_cp (region × industry), optionally over the k nearest industries.

    The neighbours of p are the k industries of highest proximity to p, p itself included
    (φ_pp = 1); ties are broken by column order.
    """
    phi = _aligned(presence_table, proximity_table)
    m = binary_csr(presence_table)
    if knn is not None:
        n = phi.shape[0]
        if not 1 <= knn <= n:
            raise InputError(f"knn must be between 1 and {n}, got {knn}")
        order = np.argsort(-phi, axis=1, kind="stable")[:, :knn]
        mask = np.zeros_like(phi, dtype=bool)
        np.put_along_axis(mask, order, True, axis=1)
        phi = np.where(mask, phi, 0.0)
    weights_t = density_weights(phi)
    out = np.empty(m.shape)
    for block in row_blocks(*m.shape):
        density_rows(dense_rows(m, block), weights_t, out=out[block])
    return pd.DataFrame(out, index=presence_table.index, columns=presence_table.columns)


def density_weights(phi: np.ndarray) -> np.ndarray:
    """(φ_pp' / Σ_p'' φ_pp'')ᵀ: the matrix that turns presence rows into densities."""
    weights: np.ndarray = (phi / phi.sum(axis=1, keepdims=True)).T
    return weights


def density_rows(rows: np.ndarray, weights_t: np.ndarray, *, out: np.ndarray) -> np.ndarray:
    """ω of a dense block of presence rows, written into ``out``."""
    # a weighted mean of 0/1 values; clipping removes the last-bit rounding above 1
    result: np.ndarray = np.clip(rows @ weights_t, 0.0, 1.0, out=out)
    return result


def distance(
    presence_table: pd.DataFrame, proximity_table: pd.DataFrame, *, knn: int | None = None
) -> pd.DataFrame:
    """Distance d_cp = 1 − ω_cp: how far region c's capabilities are from industry p."""
    return 1.0 - density(presence_table, proximity_table, knn=knn)


def io_relatedness_from_table(table: pd.DataFrame) -> pd.DataFrame:
    """Section × section relatedness from the national 153-sector input-output table
    (``row_code, col_code, value`` of the 2020 table; loaded by
    :func:`nqpf.services.matrices.io_relatedness`).

    With Z_ij the intermediate flow from section i to section j (own-section flows
    excluded), input share a_ij = Z_ij / Σ_k Z_kj and output share b_ij = Z_ij / Σ_k Z_ik;
    r_ij = max(a_ij, a_ji, b_ij, b_ji), r_ii = 1. Section T (international organisations)
    has no input-output row and is related to nothing.
    """
    section_of = {
        f"{code:03d}": letter for letter, lo, hi in _IO153_SECTIONS for code in range(lo, hi + 1)
    }
    flows = table[table["row_code"].isin(section_of) & table["col_code"].isin(section_of)]
    pivot = flows.assign(
        i=flows["row_code"].map(section_of), j=flows["col_code"].map(section_of)
    ).pivot_table(index="i", columns="j", values="value", aggfunc="sum", fill_value=0.0)
    letters = [chr(c) for c in range(ord("A"), ord("T") + 1)]
    z = pivot.reindex(index=letters, columns=letters, fill_value=0.0).to_numpy(
        dtype=float, copy=True
    )
    np.fill_diagonal(z, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        inputs = np.nan_to_num(z / z.sum(axis=0, keepdims=True))
        outputs = np.nan_to_num(z / z.sum(axis=1, keepdims=True))
    r = np.maximum.reduce([inputs, inputs.T, outputs, outputs.T])
    np.fill_diagonal(r, 1.0)
    return pd.DataFrame(r, index=letters, columns=letters)


def _aligned(presence_table: pd.DataFrame, proximity_table: pd.DataFrame) -> np.ndarray:
    cols = presence_table.columns
    missing = [c for c in cols if c not in proximity_table.index]
    if missing:
        raise InputError(
            f"no proximity for industr(ies) {', '.join(map(str, missing[:5]))}",
            hint="the proximity table must cover every industry of the matrix",
        )
    phi = proximity_table.loc[cols, cols].to_numpy(dtype=float)
    if np.isnan(phi).any() or (phi < 0).any():
        raise InputError("proximities must be non-negative numbers")
    return phi
