"""The assessment's options as one typed spec: ``Literal`` choices, validated once, shared by
``nqpf.assess``, the audit service, the command line (one option block) and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest

from nqpf.cli import _assessment_options as cli_options
from nqpf.errors import InputError
from nqpf.index.aggregate import AGGREGATE_METHODS, AggregateMethod
from nqpf.index.construct import CHOICES, Construction, check_option
from nqpf.index.framework import load_framework
from nqpf.index.impute import IMPUTE_METHODS, ImputeMethod
from nqpf.index.normalize import NORMALIZE_METHODS, SCOPES, NormalizeMethod, Scope
from nqpf.index.outliers import OUTLIER_METHODS
from nqpf.index.weights import COMBINE_METHODS, WEIGHT_METHODS, CombineMethod, WeightMethod
from nqpf.services.assessment import AssessmentSpec, assess, assess_spec
from tests.conftest import run_nqpf as run


def test_choice_tuples_are_the_literal_types() -> None:
    assert NORMALIZE_METHODS == get_args(NormalizeMethod) == (
        "minmax", "zscore", "max", "rank", "target",
    )
    assert SCOPES == get_args(Scope) == ("panel", "year")
    assert WEIGHT_METHODS == get_args(WeightMethod) == ("equal", "entropy", "critic", "pca")
    assert COMBINE_METHODS == get_args(CombineMethod) == ("mean", "geometric", "game")
    assert AGGREGATE_METHODS == get_args(AggregateMethod) == ("linear", "geometric", "topsis")
    assert "group_mean" in IMPUTE_METHODS and get_args(ImputeMethod) == IMPUTE_METHODS
    assert CHOICES["outliers"][1] == OUTLIER_METHODS


def test_spec_fields_are_typed_with_the_literals() -> None:
    hints = get_type_hints(AssessmentSpec)
    assert hints["normalize"] == NormalizeMethod
    assert hints["scope"] == Scope
    assert hints["weights"] == tuple[WeightMethod, ...]
    assert hints["aggregate"] == AggregateMethod
    assert get_type_hints(Construction)["combine"] == CombineMethod


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("normalize", "ratio", "unknown normalisation method 'ratio'"),
        ("scope", "decade", "unknown scope 'decade'"),
        ("weights", "entropy,ahp", "unknown weighting method 'ahp'"),
        ("combine", "median", "unknown combination 'median'"),
        ("aggregate", "median", "unknown aggregation method 'median'"),
        ("upper", "max", "unknown upper-level weighting 'max'"),
        ("outliers", "trim", "unknown outlier treatment 'trim'"),
        ("impute", "linear,spline", "unknown imputation method 'spline'"),
    ],
)
def test_a_bad_choice_is_refused_when_the_spec_is_made(option: str, value: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as info:
        AssessmentSpec.of(**{option: value})
    assert info.value.column == option
    # the core's own construction refuses it too (the same check)
    if option not in ("impute", "weights"):
        with pytest.raises(InputError, match=words):
            check_option(option, value)


def test_a_bad_choice_is_refused_before_any_data_is_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown aggregation method"):
        assess(tmp_path / "no-such-file.csv", aggregate="median")


def test_loose_values_become_typed_tuples() -> None:
    spec = AssessmentSpec.of(
        weights=" entropy, critic ", impute=["linear", "column_mean"], years=range(2020, 2023)
    )
    assert spec.weights == ("entropy", "critic")
    assert spec.impute == ("linear", "column_mean")
    assert spec.years == (2020, 2021, 2022)
    with pytest.raises(InputError, match="no weighting method"):
        AssessmentSpec.of(weights=" , ")
    with pytest.raises(InputError, match="outside 1949"):
        AssessmentSpec.of(years=[1900])
    with pytest.raises(TypeError, match="normalise"):
        AssessmentSpec.of(normalise="minmax")
    with pytest.raises(InputError, match="needs a target value"):
        AssessmentSpec.of(normalize="target")


def test_framework_defaults_fill_the_unset_steps() -> None:
    ndrc = load_framework("ndrc")
    c = AssessmentSpec().construction(ndrc)
    assert (c.impute, c.upper, c.outliers) == ("linear,ffill_bfill,group_mean", "equal", "jrc")
    c = AssessmentSpec.of(impute="none", upper="sum", outliers="none").construction(ndrc)
    assert (c.impute, c.upper, c.outliers) == ("none", "sum", "none")


def test_keywords_and_spec_give_the_same_cached_result() -> None:
    options: dict[str, Any] = {"weights": "entropy,critic", "aggregate": "topsis", "years": [2022, 2023]}
    a = assess(**options)
    b = assess_spec(AssessmentSpec.of(**options))
    assert a is b
    assert a.spec["weights"] == ["entropy", "critic"] and a.spec["aggregate"] == "topsis"


def test_cli_help_names_every_choice() -> None:
    """The help texts are written out (no pandas at ``nqpf --help``); they must not drift."""

    def help_of(alias: Any) -> str:
        return str(alias.__metadata__[0].help)

    assert all(m in help_of(cli_options.Normalize) for m in NORMALIZE_METHODS)
    assert all(m in help_of(cli_options.Scope) for m in SCOPES)
    assert all(m in help_of(cli_options.Weights) for m in WEIGHT_METHODS)
    assert all(m in help_of(cli_options.Combine) for m in COMBINE_METHODS)
    assert all(m in help_of(cli_options.Aggregate) for m in AGGREGATE_METHODS)
    assert all(m in help_of(cli_options.Impute) for m in IMPUTE_METHODS)
    assert all(m in help_of(cli_options.Outliers) for m in OUTLIER_METHODS)


def test_assess_and_audit_share_one_option_block(tmp_path: Path) -> None:
    from nqpf.cli.assess import assess as assess_command
    from nqpf.cli.audit import audit as audit_command

    block = {
        k: v
        for k, v in get_type_hints(audit_command, include_extras=True).items()
        if k not in ("collinear", "return")
    }
    hints = get_type_hints(assess_command, include_extras=True)
    assert all(hints[k] == v for k, v in block.items())
    assert {"normalize", "scope", "entropy_shift", "max_missing_unit", "winsor_max"} <= set(block)
    result = run("audit", "--scope", "decade", "--out", str(tmp_path), home=tmp_path)
    assert result.returncode == 2
    assert "unknown scope 'decade'" in result.stderr and "Traceback" not in result.stderr
