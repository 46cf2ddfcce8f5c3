"""Sparse presence and row blocks give exactly the numbers of one dense block."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nqpf.industry._blocks as blocks
from nqpf.errors import InputError
from nqpf.industry.complexity import complexity
from nqpf.industry.relatedness import density, proximity


def _presence(seed: int, n: int = 120, k: int = 30, share: float = 0.25) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # nested-ish: region capability × industry ease, plus noise
    capability = rng.uniform(0, 1, n)[:, None]
    ease = rng.uniform(0, 1, k)[None, :]
    m = capability * ease + rng.normal(0, 0.1, (n, k)) > np.quantile(capability * ease, 1 - share)
    m[:, 0] = True  # every region has something
    return pd.DataFrame(
        m.astype(np.int64),
        index=[f"r{i:03d}" for i in range(n)],
        columns=[f"p{j:02d}" for j in range(k)],
    )


def _assert_same(a: object, b: object) -> None:
    for name in ("eci", "pci", "coi"):
        pd.testing.assert_series_equal(getattr(a, name), getattr(b, name), rtol=1e-10)
    for name in ("cog", "density", "proximity"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), rtol=1e-10)
    assert a.eigenvalues == pytest.approx(b.eigenvalues, rel=1e-12)  # type: ignore[attr-defined]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), step=st.integers(1, 50))
def test_row_blocks_and_sparse_input_equal_one_dense_block(seed: int, step: int) -> None:
    m = _presence(seed)
    dense = complexity(m)
    original = blocks.BLOCK_ELEMENTS
    try:
        blocks.BLOCK_ELEMENTS = step * m.shape[1]  # `step` rows per block
        blocked = complexity(m)
        sparse_input = complexity(m.astype(pd.SparseDtype("int64", 0)))
    finally:
        blocks.BLOCK_ELEMENTS = original
    _assert_same(blocked, dense)
    _assert_same(sparse_input, dense)


def test_relatedness_from_sparse_input_and_binary_check() -> None:
    m = _presence(7)
    s = m.astype(pd.SparseDtype("int64", 0))
    pd.testing.assert_frame_equal(proximity(s), proximity(m))
    pd.testing.assert_frame_equal(density(s, proximity(m)), density(m, proximity(m)))
    # the dense reference written out: φ = MᵀM / max(k_p, k_p'), ω = M φᵀ / Σφ
    x = m.to_numpy(dtype=float)
    co = x.T @ x
    ubi = np.diag(co)
    larger = np.maximum(ubi[:, None], ubi[None, :])
    phi = np.divide(co, larger, out=np.zeros_like(co), where=larger > 0)
    np.fill_diagonal(phi, 1.0)
    np.testing.assert_allclose(proximity(m).to_numpy(), phi, rtol=1e-14)
    np.testing.assert_allclose(
        density(m, proximity(m)).to_numpy(),
        x @ (phi / phi.sum(axis=1, keepdims=True)).T,
        rtol=1e-13,
    )
    bad = m.astype(float)
    bad.iloc[3, 4] = 0.5
    with pytest.raises(InputError, match="binary"):
        complexity(bad)
    with pytest.raises(InputError, match="binary"):
        complexity(bad.astype(pd.SparseDtype("float64", 0.0)))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_partial_eigensolver_equals_the_full_one(seed: int) -> None:
    """ARPACK's three leading eigenpairs give the numbers of the full eigendecomposition."""
    import nqpf.industry.complexity as cx

    m = _presence(seed, n=400, k=60)
    original = cx.PARTIAL_EIGEN_MIN
    try:
        cx.PARTIAL_EIGEN_MIN = 10**9
        full = complexity(m)
        cx.PARTIAL_EIGEN_MIN = 1
        partial = complexity(m)
    finally:
        cx.PARTIAL_EIGEN_MIN = original
    _, lam2, lam3 = full.eigenvalues
    assume((lam2 - lam3) / lam2 > 0.01)  # a unique second eigenvector
    for name in ("eci", "pci", "coi"):
        pd.testing.assert_series_equal(getattr(partial, name), getattr(full, name), atol=1e-9)
    pd.testing.assert_frame_equal(partial.cog, full.cog, atol=1e-9)
    assert partial.eigenvalues == pytest.approx(full.eigenvalues, abs=1e-12)
    assert partial.converged and full.converged
