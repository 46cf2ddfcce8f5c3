"""Region × industry presence held sparse, and products over it in row blocks.

A presence table of 40,000 regions × 4,000 industries is 1.3 GB as float64 and the
dense pipeline held several such copies at once. Here the binary matrix M is kept as a
SciPy CSR array (one byte of data and four of index per present cell) and every product
that must be dense (the industry × industry co-occurrence, region × industry density and
COG) is computed over blocks of rows that are densified one at a time, so the working
memory beyond the outputs is a few blocks of :data:`BLOCK_ELEMENTS` numbers. The products
still run through BLAS: at the densities of real presence matrices (10–30 %) a dense block
product is faster than a sparse one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from nqpf.errors import InputError

#: Numbers per densified block of rows (4 M float64 = 32 MB).
BLOCK_ELEMENTS = 4_000_000


def binary_csr(presence_table: pd.DataFrame) -> sparse.csr_array:
    """The 0/1 presence table as CSR (int8 data); raises unless every cell is 0 or 1.

    Accepts a dense DataFrame or one with pandas sparse columns (``pd.SparseDtype``)."""
    if len(presence_table.columns) and all(
        isinstance(dt, pd.SparseDtype) for dt in presence_table.dtypes
    ):
        accessor: Any = presence_table.sparse
        coo = accessor.to_coo()
        fills = {dt.fill_value for dt in presence_table.dtypes}
        if not np.isin(coo.data, (0.0, 1.0)).all() or not all(f == 0 for f in fills):
            raise InputError("complexity needs a binary presence table (0/1)")
        out = sparse.csr_array(coo, dtype=np.int8)
        out.eliminate_zeros()
        return out
    values = presence_table.to_numpy()
    parts = []
    for block in row_blocks(*values.shape):
        part = values[block]
        if not ((part == 0) | (part == 1)).all():
            raise InputError("complexity needs a binary presence table (0/1)")
        parts.append(sparse.csr_array(part.astype(np.int8)))
    if not parts:
        return sparse.csr_array(values.shape, dtype=np.int8)
    return sparse.csr_array(sparse.vstack(parts, format="csr"))


def row_blocks(n_rows: int, n_cols: int) -> Iterator[slice]:
    """Consecutive row slices of at most :data:`BLOCK_ELEMENTS` cells."""
    step = max(1, BLOCK_ELEMENTS // max(n_cols, 1))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


def dense_rows(m: sparse.csr_array, block: slice) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Rows ``block`` of ``m`` as a dense float64 array."""
    out: np.ndarray[Any, np.dtype[np.float64]] = m[block].toarray().astype(np.float64)
    return out


def gram(
    m: sparse.csr_array, *row_weights: np.ndarray | None
) -> list[np.ndarray[Any, np.dtype[np.float64]]]:
    """:math:`M^\top \\operatorname{diag}(w) M` (industry × industry) for each of
    ``row_weights`` (``None``: w = 1), in one pass over blocks of rows."""
    n_rows, n_cols = m.shape
    out = [np.zeros((n_cols, n_cols)) for _ in row_weights]
    for block in row_blocks(n_rows, n_cols):
        part = dense_rows(m, block)
        for total, weights in zip(out, row_weights, strict=True):
            total += (part if weights is None else part * weights[block, None]).T @ part
    return out
