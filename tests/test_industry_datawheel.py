"""RCA reproduces published values from Datawheel's ``economic-complexity`` test suite.

Reference: Datawheel/py-economic-complexity, ``tests/test_rca.py`` (commit
11e89e43a3b96506f43f040b7f41b1644a906377) asserts ``describe().round(6)`` of the RCA of HS
sections 1 and 9, computed from ``tests/fixture_exports.csv`` (OEC export data, commit
764f32ac3d3ef2fadefefc2435fcf79fc6190376) pivoted as exporters × sections with
``aggfunc="sum"``. Only that derived pivot is stored here, in long form, in
``tests/data/datawheel_oec_export_sections.csv``; cells with no recorded trade are omitted.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.industry.advantage import rca

DATA = Path(__file__).parent / "data" / "datawheel_oec_export_sections.csv"

# Published describe().round(6) statistics, copied from Datawheel's tests/test_rca.py.
PUBLISHED = {
    1: {
        "count": 226,
        "mean": 3.484895,
        "std": 8.261088,
        "min": 0.0,
        "25%": 0.129100,
        "50%": 0.718371,
        "75%": 2.165564,
        "max": 47.724923,
    },
    9: {
        "count": 226,
        "mean": 1.959028,
        "std": 6.469812,
        "min": 0.0,
        "25%": 0.040933,
        "50%": 0.267903,
        "75%": 1.264129,
        "max": 75.963223,
    },
}


def _pivot() -> pd.DataFrame:
    long = pd.read_csv(DATA, comment="#")
    return pd.pivot_table(
        long, values="trade_value", index="region", columns="section", aggfunc="sum"
    )


def test_fixture_shape_and_missing_cells() -> None:
    wide = _pivot()
    assert wide.shape == (226, 21)
    # Some exporters record no trade in a section: NaN after the pivot.
    assert int(wide[1].isna().sum()) == 6
    assert int(wide[9].isna().sum()) == 4
    assert int(wide.isna().sum().sum()) == 112


def test_missing_cells_are_refused_without_fill() -> None:
    with pytest.raises(InputError):
        rca(_pivot())


@pytest.mark.parametrize("section", sorted(PUBLISHED))
def test_rca_matches_datawheel_published_describe(section: int) -> None:
    # Datawheel's convention: no recorded trade counts as zero exports. Their published
    # count is 226 (every exporter, not 226 minus the NaN cells) and their min is 0, which
    # is only reproduced by filling the pivot's NaN cells with 0 before the RCA.
    table = rca(_pivot().fillna(0.0))
    stats = table[section].describe().round(6)
    for key, expected in PUBLISHED[section].items():
        assert stats[key] == expected, (section, key, stats[key], expected)
