"""Bad input to the index methods: every error names the indicator and says what to do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.index import (
    aggregate,
    ahp_weights,
    combine_weights,
    compute_weights,
    critic_weights,
    entropy_weights,
    expert_weights,
    impute,
    normalize,
    pca_weights,
)


def panel() -> pd.DataFrame:
    index = pd.MultiIndex.from_product([["11", "12", "13"], [2020, 2021]], names=["region", "year"])
    return pd.DataFrame(
        {"rd": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "co2": [3.0, 1.0, 4.0, 1.0, 5.0, 9.0]}, index=index
    )


def raises(
    call: object, *args: object, column: str | None = None, match: str | None = None, **kw: object
) -> InputError:
    with pytest.raises(InputError, match=match) as info:
        call(*args, **kw)  # type: ignore[operator]
    assert info.value.hint, "every error says what to do"
    if column is not None:
        assert info.value.column == column
    return info.value


@pytest.mark.parametrize("weigh", [entropy_weights, critic_weights, pca_weights])
def test_constant_indicator_under_objective_weights(weigh: object) -> None:
    x = panel().assign(flat=2.0)
    raises(weigh, x, column="flat", match="constant")


def test_constant_indicator_under_minmax_and_zscore() -> None:
    x = panel().assign(flat=2.0)
    raises(normalize, x, "minmax", column="flat", match="constant")
    raises(normalize, x, "zscore", column="flat", match="constant")


def test_constant_within_a_year_only_fails_under_year_scope() -> None:
    x = panel()
    x.loc[(slice(None), 2021), "rd"] = 7.0
    normalize(x, "minmax", scope="panel")
    error = raises(normalize, x, "minmax", scope="year", column="rd", match="year 2021")
    assert "constant" in str(error)


def test_indicator_missing_for_every_region_in_a_year() -> None:
    x = panel()
    x.loc[(slice(None), 2020), "co2"] = np.nan
    raises(normalize, x, "minmax", scope="year", column="co2", match="every region in year 2020")
    x["rd"] = np.nan
    raises(normalize, x, "minmax", column="rd", match="every region")


def test_missing_value_under_weights_and_aggregation_names_region_year() -> None:
    x = normalize(panel(), "minmax")
    x.iloc[3, 1] = np.nan
    raises(entropy_weights, x, column="co2", match="region=12, year=2021")
    raises(aggregate, x, pd.Series({"rd": 0.5, "co2": 0.5}), column="co2", match="missing")


def test_negative_values() -> None:
    x = normalize(panel(), "zscore")
    w = pd.Series({"rd": 0.5, "co2": 0.5})
    raises(aggregate, x, w, "geometric", column="rd", match="negative")
    raises(entropy_weights, x, column="rd", match="negative")
    raises(normalize, panel() - 2, "max", column="rd", match="negative")


def test_entropy_all_zero_column_and_bad_options() -> None:
    x = pd.DataFrame({"a": [0.0, 0.0, 0.0], "b": [1.0, 2.0, 3.0]})
    raises(entropy_weights, x, column="a", match="constant")
    raises(entropy_weights, panel(), zero="ln", match="zero convention")
    raises(entropy_weights, panel(), zero="shift", shift=-1.0, match="shift")


def test_weights_that_do_not_fit_the_matrix() -> None:
    n = normalize(panel(), "minmax")
    raises(aggregate, n, pd.Series({"rd": 0.5, "co2": 0.6}), match="sum to 1.1")
    raises(aggregate, n, pd.Series({"rd": 1.0}), column="co2", match="no weight")
    raises(aggregate, n, pd.Series({"rd": 0.5, "co2": 0.25, "gdp": 0.25}), column="gdp")
    raises(aggregate, n, pd.Series({"rd": 1.5, "co2": -0.5}), column="co2", match="non-negative")
    raises(aggregate, n, {"rd": 0.5, "co2": 0.5}, match="Series")


def test_expert_weights_validation() -> None:
    cols = ["rd", "co2"]
    raises(expert_weights, {"rd": 0.5, "co2": 0.6}, cols, match="sum to 1.1")
    raises(expert_weights, {"rd": 1.0}, cols, column="co2", match="no weight")
    raises(expert_weights, {"rd": 0.5, "co2": 0.5, "gdp": 0.0}, cols, column="gdp", match="unknown")
    raises(expert_weights, {"rd": 1.2, "co2": -0.2}, cols, column="co2", match="non-negative")


def test_ahp_not_reciprocal_not_square_not_positive_too_large() -> None:
    labels = ["a", "b", "c"]
    a = pd.DataFrame([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]], index=labels, columns=labels)
    ahp_weights(a)
    broken = a.copy()
    broken.loc["c", "b"] = 1 / 3
    raises(ahp_weights, broken, match="not reciprocal")
    raises(ahp_weights, a.iloc[:, :2], match="square")
    raises(ahp_weights, a.loc[labels, ["c", "b", "a"]], match="same labels")
    negative = a.copy()
    negative.loc["a", "a"] = -1.0
    raises(ahp_weights, negative, match="positive")
    big = [f"k{i}" for i in range(11)]
    raises(ahp_weights, pd.DataFrame(np.ones((11, 11)), index=big, columns=big), match="n ≤ 10")


def test_unknown_options() -> None:
    x = panel()
    raises(normalize, x, "softmax", match="unknown normalisation")
    raises(normalize, x, scope="decade", match="scope")
    raises(normalize, x, directions={"gdp": 1}, column="gdp")
    raises(normalize, x, directions={"rd": 2}, column="rd", match="direction")
    raises(normalize, x, "target", targets={"rd": 5.0}, column="co2", match="target")
    raises(normalize, x, "target", targets={"rd": 5.0, "co2": 0.0}, column="co2", match="positive")
    raises(normalize, x.reset_index(drop=True), scope="year", match="year")
    raises(compute_weights, x, "ahp", match="unknown weighting")
    raises(aggregate, x, pd.Series({"rd": 0.5, "co2": 0.5}), "median", match="unknown aggregation")
    raises(combine_weights, [pd.Series({"rd": 1.0})], "median", match="unknown combination")
    raises(combine_weights, [], match="no weight vectors")
    raises(
        combine_weights,
        [pd.Series({"rd": 1.0}), pd.Series({"co2": 1.0})],
        match="same indicators",
    )
    raises(impute, x, "mice", match="unknown imputation")


def test_non_numeric_and_malformed_frames() -> None:
    raises(normalize, panel().assign(name="x"), column="name", match="not numeric")
    raises(normalize, [[1.0, 2.0]], match="DataFrame")
    raises(entropy_weights, panel().iloc[:1], match="at least two rows")


def test_cost_indicator_at_zero_under_ratio_to_maximum() -> None:
    x = panel().assign(co2=[0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    raises(normalize, x, "max", directions={"co2": -1}, column="co2", match="cost")


def test_imputation_needs_a_region_year_index_and_groups() -> None:
    x = panel()
    raises(impute, x.reset_index(drop=True), "linear", match="'region' and 'year'")
    raises(impute, x, "group_mean", match="needs groups")
    raises(impute, x, "group_mean", groups={"11": "e", "12": "e"}, match="'13' has no group")
    raises(impute, pd.concat([x, x.iloc[:1]]), "linear", match="duplicate")
    text_years = x.rename(index=str, level="year")
    raises(impute, text_years, "linear", match="must be numeric")


def test_topsis_with_every_weighted_indicator_constant() -> None:
    n = pd.DataFrame({"a": [0.5, 0.5], "b": [0.0, 1.0]})
    raises(aggregate, n, pd.Series({"a": 1.0, "b": 0.0}), "topsis", match="TOPSIS is undefined")
