"""The industry space: where to draw each industry, and which links.

Industries are placed by classical multidimensional scaling of the distance 1 − φ
(Torgerson 1952) and linked by the maximum spanning tree of φ (the backbone used by
Hidalgo et al. 2007) plus every link with φ ≥ :data:`STRONG_LINK`.

Reference: Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product
space conditions the development of nations. *Science* 317(5837), 482–487.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["STRONG_LINK", "industry_space_layout"]

#: Links at least this close are drawn besides the spanning tree (a proximity of one half:
#: either industry's presence predicts the other's in half of the regions or more).
STRONG_LINK = 0.5


def industry_space_layout(
    proximity_table: pd.DataFrame,
) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """2-D coordinates (classical MDS of 1 − φ) and the edges to draw (spanning tree + strong links)."""
    phi = proximity_table.to_numpy(dtype=float)
    n = phi.shape[0]
    d2 = (1.0 - phi) ** 2
    centre = np.eye(n) - 1.0 / n
    b = -0.5 * centre @ d2 @ centre
    values, vectors = np.linalg.eigh(b)
    top = vectors[:, -2:][:, ::-1] * np.sqrt(np.maximum(values[-2:][::-1], 0.0))
    coords = pd.DataFrame(top, index=proximity_table.index, columns=["x", "y"])
    edges = set(_maximum_spanning_tree(phi))
    rows, cols = np.nonzero(np.triu(phi, k=1) >= STRONG_LINK)
    edges.update(zip(rows.tolist(), cols.tolist(), strict=True))
    return coords, sorted(edges)


def _maximum_spanning_tree(phi: np.ndarray) -> list[tuple[int, int]]:
    """Prim's algorithm on the proximity weights (n ≤ a few hundred industries)."""
    n = phi.shape[0]
    if n < 2:
        return []
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    best = phi[0].copy()
    parent = np.zeros(n, dtype=int)
    edges = []
    for _ in range(n - 1):
        candidates = np.where(in_tree, -np.inf, best)
        j = int(np.argmax(candidates))
        edges.append((min(int(parent[j]), j), max(int(parent[j]), j)))
        in_tree[j] = True
        closer = phi[j] > best
        parent[closer] = j
        best = np.maximum(best, phi[j])
    return edges
