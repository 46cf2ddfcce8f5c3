"""Target tracking against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nqpf.errors import InputError
from nqpf.plan.targets import cagr, project, required_growth, track, track_panel


def test_required_growth_and_cagr_by_hand() -> None:
    # 100 → 121 in two years is 10 % a year
    assert required_growth(100, 121, 2) == pytest.approx(0.10)
    assert cagr(pd.Series({2018: 100.0, 2019: 104.0, 2020: 121.0})) == pytest.approx(0.10)
    # the article's R&D intensity: 2.41 % (2020) → 2.69 % (2024)
    assert cagr(pd.Series({2020: 2.41, 2024: 2.69})) == pytest.approx((2.69 / 2.41) ** 0.25 - 1)


def test_exact_exponential_series_projects_exactly() -> None:
    s = pd.Series({2020: 100.0, 2021: 110.0, 2022: 121.0, 2023: 133.1})
    proj = project(s, 2026)
    assert proj.point == pytest.approx(133.1 * 1.1**3)
    check = track(s, 170.0, 2026)
    assert check.required_growth == pytest.approx((170 / 133.1) ** (1 / 3) - 1)
    assert check.status == "on track" and check.probability == pytest.approx(1.0)


def test_linear_prediction_interval_by_hand() -> None:
    years = np.array([2015, 2016, 2017, 2018, 2019, 2020], dtype=float)
    values = np.array([1.0, 1.3, 1.4, 1.9, 2.0, 2.4])
    s = pd.Series(values, index=years.astype(int))
    proj = project(s, 2023, model="linear", alpha=0.1)
    # OLS by hand
    tbar = years.mean()
    sxx = ((years - tbar) ** 2).sum()
    b = ((years - tbar) * (values - values.mean())).sum() / sxx
    a = values.mean() - b * tbar
    resid = values - (a + b * years)
    s2 = (resid**2).sum() / (len(years) - 2)
    point = a + b * 2023
    se = math.sqrt(s2 * (1 + 1 / len(years) + (2023 - tbar) ** 2 / sxx))
    q = stats.t.ppf(0.95, len(years) - 2)
    assert proj.point == pytest.approx(point)
    assert (proj.lower, proj.upper) == (
        pytest.approx(point - q * se),
        pytest.approx(point + q * se),
    )
    check = track(s, 3.0, 2023, model="linear")
    assert check.probability == pytest.approx(1 - stats.t.cdf((3.0 - point) / se, 4))
    lower_is_better = track(s, 3.0, 2023, model="linear", direction="-")
    assert lower_is_better.probability == pytest.approx(1 - check.probability)


def test_statuses() -> None:
    s = pd.Series({2020: 2.0, 2021: 2.1, 2022: 2.2, 2023: 2.3})
    assert track(s, 2.2, 2025).status == "achieved"
    assert track(s, 5.0, 2025).status == "off track"
    assert track(s, 2.4, 2025).status == "on track"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": 3.0, "year": 2022}, "not after the latest data year 2023"),
        ({"target": -1.0, "year": 2026}, "positive values"),
    ],
)
def test_bad_targets(kwargs: dict[str, float], message: str) -> None:
    s = pd.Series({2020: 2.0, 2021: 2.1, 2022: 2.2, 2023: 2.3})
    with pytest.raises(InputError, match=message):
        track(s, kwargs["target"], int(kwargs["year"]))


def test_non_positive_cagr_is_an_error() -> None:
    with pytest.raises(InputError, match="positive values"):
        cagr(pd.Series({2020: 0.0, 2021: 1.0}))


def test_track_panel_rows() -> None:
    panel = pd.DataFrame(
        {
            "region": ["a"] * 3 + ["b"] * 3,
            "year": [2020, 2021, 2022] * 2,
            "value": [1, 1.1, 1.21, 2, 2, 2.0001],
        }
    )
    table = track_panel(panel, 1.5, 2025)
    assert table["region"].tolist() == ["a", "b"]
    assert table.loc[0, "historical_cagr"] == pytest.approx(0.1)
    assert table.loc[1, "status"] == "achieved"
