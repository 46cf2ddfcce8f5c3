"""Denominator floors of a framework (issue 9): the schema and its errors, the floored cells by
hand (absolute and median-share rules), their imputation and flags in an assessment, the audit
table, and the old tiny-base indicator of 西藏 / 青海 floored on the packaged data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.index.floors import apply_floors
from nqpf.index.framework import Floor, load_framework


def _wide() -> tuple[pd.DataFrame, pd.DataFrame]:
    idx = pd.MultiIndex.from_product([["a", "b", "c", "d"], [2020, 2021]], names=["region", "year"])
    wide = pd.DataFrame({"share": [10.0, 11, 20, 21, 30, 31, 90, 95]}, index=idx)
    # denominators: d is tiny (2 and 3 against medians 100 and 110)
    den = pd.DataFrame({"total": [100.0, 110, 100, 110, 200, 220, 2, 3]}, index=idx)
    return wide, den


def test_share_of_median_floor_by_hand() -> None:
    wide, den = _wide()
    out, table = apply_floors(wide, den, {"share": Floor("total", share_of_median=0.05)})
    # year medians of the denominator: 2020 → median(100, 100, 200, 2) = 100; 2021 → 110
    assert table[["region", "year"]].values.tolist() == [["d", 2020], ["d", 2021]]
    assert table["floor"].tolist() == [pytest.approx(5.0), pytest.approx(5.5)]
    assert table["value"].tolist() == [90.0, 95.0]
    assert table["denominator_value"].tolist() == [2.0, 3.0]
    assert np.isnan(out.loc[("d", 2020), "share"]) and np.isnan(out.loc[("d", 2021), "share"])
    assert out.drop(index="d").equals(wide.drop(index="d"))
    assert not wide.isna().any().any()  # the input is not modified


def test_absolute_floor_and_edge() -> None:
    wide, den = _wide()
    _, table = apply_floors(wide, den, {"share": Floor("total", min=100.0)})
    # strictly below: 100 stays, 2 and 3 go
    assert sorted(table["region"]) == ["d", "d"]
    _, table = apply_floors(wide, den, {"share": Floor("total", min=101.0)})
    assert sorted(zip(table["region"], table["year"], strict=True)) == [
        ("a", 2020),
        ("b", 2020),
        ("d", 2020),
        ("d", 2021),
    ]


def test_floor_removing_every_value_is_a_clear_error() -> None:
    wide, den = _wide()
    with pytest.raises(InputError, match=r"floor of 'share' \(total < 1000\) removes every value"):
        apply_floors(wide, den, {"share": Floor("total", min=1000.0)})
    with pytest.raises(InputError, match="needs its denominator 'absent'"):
        apply_floors(wide, den, {"share": Floor("absent", min=1.0)})


@pytest.mark.parametrize(
    ("floor", "message"),
    [
        ({"share_of_median": 0.05, "min": 3}, "exactly one of `min`"),
        ({}, "exactly one of `min`"),
        ({"share_of_median": 1.5}, "share_of_median"),
        ({"share_of_median": 0}, "share_of_median"),
        ({"min": -1}, "min"),
        ({"min": 1, "share": 2}, "share"),
    ],
)
def test_floor_schema_errors(floor: dict[str, float], message: str) -> None:
    fw = {"pillars": [{"id": "t", "indicators": [{"id": "basic_research_share", "floor": floor}]}]}
    with pytest.raises(InputError, match=message) as err:
        load_framework(fw)
    assert "pillars[0].indicators[0].floor" in str(err.value)


def test_floor_denominator_defaults_to_the_formula() -> None:
    fw = load_framework(
        {
            "pillars": [
                {
                    "id": "t",
                    "indicators": [
                        {"id": "basic_research_share", "floor": {"share_of_median": 0.05}},
                        "rd_intensity",
                    ],
                }
            ]
        }
    )
    assert fw.floors == {"basic_research_share": Floor("rd_internal_total", share_of_median=0.05)}
    # round trip through the YAML shape
    assert load_framework(fw.to_dict()).floors == fw.floors
    with pytest.raises(InputError, match="needs a `denominator`"):
        load_framework(
            {"pillars": [{"id": "t", "indicators": [{"id": "rd_fte", "floor": {"min": 1}}]}]}
        )


def test_floor_in_an_assessment_imputes_flags_and_audits() -> None:
    """The old tiny-base indicator: 西藏's and 青海's R&D spending is under 5 % of the median
    province's in every year 2018–2023, so their basic-research share is floored (12 cells),
    imputed from the western group's mean in the same year, flagged, and listed in the audit."""
    import nqpf
    from nqpf.services.audit import audit_of

    fw = {
        "id": "floored",
        "pillars": [
            {
                "id": "tech",
                "indicators": [
                    "rd_intensity",
                    {"id": "basic_research_share", "floor": {"share_of_median": 0.05}},
                ],
            },
        ],
    }
    a = nqpf.assess(framework=fw, years=range(2018, 2024), impute="group_mean", outliers="none")
    result = audit_of(a, validate=False)
    floored = result.tables()["floored"]
    assert set(floored["region_name"]) == {"西藏", "青海"}
    assert len(floored) == 12
    assert (floored["denominator_value"] < floored["floor"]).all()
    flags = a.imputed["basic_research_share"]
    assert flags.xs("540000", level="region").all()
    assert any("floor" in w and "basic_research_share" in w for w in a.warnings)
    assert any("floored: basic_research_share of 西藏 in 6 year(s)" in w for w in result.warnings)
    # the imputed value is the mean of the western provinces left in that year (min-max is
    # affine, so the same holds after normalisation)
    from nqpf.regions import group_of

    norm = a.normalized["basic_research_share"].xs(2020, level="year")
    west = [r for r in norm.index if group_of(r) == group_of("540000")]
    kept = [r for r in west if r not in ("540000", "630000")]
    assert norm["540000"] == pytest.approx(norm[kept].mean(), abs=1e-12)
    assert norm["630000"] == pytest.approx(norm[kept].mean(), abs=1e-12)
