"""Hypothesis properties of the index methods, and the imputation methods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nqpf.index import (
    COMBINE_METHODS,
    NORMALIZE_METHODS,
    aggregate,
    combine_weights,
    compute_weights,
    entropy_weights,
    impute,
    normalize,
)

FAST = settings(max_examples=40, deadline=None)
REGIONS = ["11", "12", "13", "14", "15"]
YEARS = [2020, 2021, 2022]


def values(rows: int, cols: int) -> st.SearchStrategy[np.ndarray]:
    return arrays(float, (rows, cols), elements=st.floats(0.0, 1000.0, allow_nan=False).map(round))


def as_panel(matrix: np.ndarray) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([REGIONS, YEARS], names=["region", "year"])
    return pd.DataFrame(matrix, index=index, columns=[f"i{j}" for j in range(matrix.shape[1])])


def varied(x: pd.DataFrame, *, by_year: bool = False) -> bool:
    """Every column takes at least two values (in every year when ``by_year``)."""
    if by_year:
        return bool((x.groupby(level="year").nunique() > 1).all().all())
    return bool((x.nunique() > 1).all())


@FAST
@given(values(15, 4), st.sampled_from(["equal", "entropy", "critic", "pca"]))
def test_weights_are_non_negative_and_sum_to_one(matrix: np.ndarray, method: str) -> None:
    x = as_panel(matrix)
    assume(varied(x))
    n = normalize(x, "minmax")
    w = compute_weights(n, method)
    assert list(w.index) == list(x.columns)
    assert (w >= 0).all()
    assert w.sum() == pytest.approx(1.0, abs=1e-12)


@FAST
@given(
    st.lists(
        arrays(float, 4, elements=st.floats(0.01, 1.0, allow_nan=False)), min_size=1, max_size=4
    ),
    st.sampled_from(COMBINE_METHODS),
)
def test_combined_weights_are_non_negative_and_sum_to_one(
    vectors: list[np.ndarray], how: str
) -> None:
    series = [pd.Series(v / v.sum(), index=list("abcd")) for v in vectors]
    w = combine_weights(series, how)
    assert (w >= 0).all()
    assert w.sum() == pytest.approx(1.0, abs=1e-12)


@FAST
@given(
    values(15, 3),
    st.sampled_from(["panel", "year"]),
    st.lists(st.sampled_from([1, -1]), min_size=3, max_size=3),
)
def test_bounded_normalisations_lie_in_unit_interval(
    matrix: np.ndarray, scope: str, signs: list[int]
) -> None:
    x = as_panel(matrix + 1.0)  # strictly positive, so "max" is defined for cost indicators
    assume(varied(x, by_year=scope == "year"))
    directions = dict(zip(x.columns, signs, strict=True))
    targets = dict.fromkeys(x.columns, 500.0)
    for method in ("minmax", "max", "rank", "target"):
        n = normalize(x, method, directions=directions, scope=scope, targets=targets)
        assert ((n >= 0) & (n <= 1 + 1e-12)).all().all(), method
    mm = normalize(x, "minmax", directions=directions, scope=scope)
    groups = mm.groupby(level="year") if scope == "year" else [(None, mm)]
    for _, block in groups:  # min-max reaches both ends in every scope group
        assert np.allclose(block.min(), 0) and np.allclose(block.max(), 1)


@FAST
@given(values(15, 3), st.integers(0, 14), st.integers(0, 2), st.floats(0.0, 500.0))
def test_improving_a_benefit_indicator_never_lowers_a_linear_score(
    matrix: np.ndarray, row: int, col: int, gain: float
) -> None:
    x = as_panel(matrix)
    assume(varied(x))
    w = pd.Series([0.2, 0.3, 0.5], index=x.columns)
    before = aggregate(normalize(x, "minmax"), w, "linear")
    better = x.copy()
    better.iat[row, col] += gain
    after = aggregate(normalize(better, "minmax"), w, "linear")
    assert after.iloc[row] >= before.iloc[row] - 1e-12


@FAST
@given(
    values(15, 3),
    st.permutations(list(range(15))),
    st.sampled_from(["linear", "topsis", "geometric"]),
)
def test_reordering_or_relabelling_rows_changes_nothing_else(
    matrix: np.ndarray, order: list[int], method: str
) -> None:
    x = as_panel(matrix)
    assume(varied(x))

    def score(frame: pd.DataFrame) -> pd.Series:
        n = normalize(frame, "minmax")
        return aggregate(n, entropy_weights(n), method)

    shuffled = x.iloc[order]
    pd.testing.assert_series_equal(score(shuffled).loc[x.index], score(x), rtol=1e-9)
    # relabelling the regions changes nothing but the labels
    relabelled = x.rename(index={r: f"new{r}" for r in REGIONS}, level="region")
    np.testing.assert_allclose(score(relabelled).to_numpy(), score(x).to_numpy(), rtol=1e-12)


@FAST
@given(values(15, 3), st.floats(1.0, 5000.0))
def test_year_scope_isolates_years_panel_scope_does_not(matrix: np.ndarray, bump: float) -> None:
    x = as_panel(matrix)
    assume(varied(x, by_year=True))
    changed = x.copy()
    in_2022 = changed.index.get_level_values("year") == 2022
    changed.loc[in_2022, "i0"] += bump + changed["i0"].max()  # 2022 holds a new panel maximum
    w = pd.Series([0.2, 0.3, 0.5], index=x.columns)
    keep = ~in_2022
    for method in ("linear", "topsis"):
        before = aggregate(normalize(x, "minmax", scope="year"), w, method, ideal_scope="year")
        after = aggregate(normalize(changed, "minmax", scope="year"), w, method, ideal_scope="year")
        pd.testing.assert_series_equal(before[keep], after[keep], rtol=1e-12)
    before = normalize(x, "minmax", scope="panel")
    after = normalize(changed, "minmax", scope="panel")
    assert not np.allclose(before.loc[keep, "i0"], after.loc[keep, "i0"])


@FAST
@given(values(15, 3), st.sampled_from(NORMALIZE_METHODS))
def test_normalize_preserves_shape_and_labels(matrix: np.ndarray, method: str) -> None:
    x = as_panel(matrix + 1.0)
    assume(varied(x))
    n = normalize(x, method, targets=dict.fromkeys(x.columns, 100.0))
    assert n.index.equals(x.index) and n.columns.equals(x.columns)


@FAST
@given(values(15, 3))
def test_scores_lie_in_the_range_of_the_method(matrix: np.ndarray) -> None:
    x = as_panel(matrix)
    assume(varied(x))
    n = normalize(x, "minmax")
    w = entropy_weights(n)
    for method in ("linear", "geometric", "topsis"):
        s = aggregate(n, w, method)
        assert ((s >= -1e-12) & (s <= 1 + 1e-12)).all(), method


# --- imputation -------------------------------------------------------------------------------


def small_panel() -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples(
        [
            ("a", 2018),
            ("a", 2019),
            ("a", 2021),
            ("a", 2022),
            ("b", 2018),
            ("b", 2019),
            ("b", 2021),
            ("b", 2022),
        ],
        names=["region", "year"],
    )
    return pd.DataFrame({"v": [1.0, np.nan, 7.0, np.nan, np.nan, 4.0, np.nan, 10.0]}, index=index)


def test_impute_none_flags_nothing() -> None:
    x = small_panel()
    filled, flags = impute(x, "none")
    pd.testing.assert_frame_equal(filled, x)
    assert not flags.to_numpy().any()


def test_impute_linear_uses_years_and_fills_only_inside() -> None:
    filled, flags = impute(small_panel(), "linear")
    # a: 2018=1, 2021=7 → 2019 = 1 + 6·(1/3) = 3; 2022 is trailing → stays missing
    # b: 2019=4, 2022=10 → 2021 = 4 + 6·(2/3) = 8; 2018 is leading → stays missing
    np.testing.assert_allclose(
        filled["v"].to_numpy(), [1, 3, 7, np.nan, np.nan, 4, 8, 10], equal_nan=True
    )
    assert flags["v"].tolist() == [False, True, False, False, False, False, True, False]


def test_impute_linear_sorts_years_within_region() -> None:
    x = small_panel().iloc[[2, 0, 1, 3, 7, 6, 5, 4]]
    filled, _ = impute(x, "linear")
    expected, _ = impute(small_panel(), "linear")
    pd.testing.assert_frame_equal(filled.loc[expected.index], expected)


def test_impute_ffill_bfill() -> None:
    filled, flags = impute(small_panel(), "ffill_bfill")
    assert filled["v"].tolist() == [1, 1, 7, 7, 4, 4, 4, 10]
    assert flags["v"].tolist() == [False, True, False, True, True, False, True, False]


def test_impute_group_mean() -> None:
    index = pd.MultiIndex.from_product(
        [["a", "b", "c", "d"], [2020, 2021]], names=["region", "year"]
    )
    x = pd.DataFrame({"v": [1.0, 2.0, 3.0, np.nan, np.nan, 6.0, 8.0, np.nan]}, index=index)
    groups = {"a": "east", "b": "east", "c": "west", "d": "west"}
    filled, flags = impute(x, "group_mean", groups=groups)
    # b-2021: mean of east 2021 = a's 2.0; c-2020: west 2020 = d's 8.0; d-2021: c's 6.0
    assert filled["v"].tolist() == [1, 2, 3, 2, 8, 6, 8, 6]
    assert flags["v"].tolist() == [False, False, False, True, True, False, False, True]


@FAST
@given(
    arrays(float, (15, 2), elements=st.one_of(st.just(np.nan), st.floats(0, 100))),
    st.sampled_from(["linear", "ffill_bfill", "group_mean"]),
)
def test_impute_flags_exactly_the_filled_cells(matrix: np.ndarray, method: str) -> None:
    x = as_panel(matrix)
    groups = dict(zip(REGIONS, ["e", "e", "w", "w", "w"], strict=True))
    filled, flags = impute(x, method, groups=groups)
    observed = x.notna()
    pd.testing.assert_frame_equal(filled[observed], x[observed])
    assert flags.equals(x.isna() & filled.notna())
