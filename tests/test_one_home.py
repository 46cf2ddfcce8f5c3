"""One concept, one home (issue 10): the national code, the input checks, the "weights sum
to 1" check and the region-name fallback are each defined in one module."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pandas as pd
import pytest

import nqpf
from nqpf.diagnose import coupling_coordination
from nqpf.errors import InputError
from nqpf.ingest import checks
from nqpf.regions import NATIONAL_CODE, region_label

SRC = Path(nqpf.__file__).parent


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text("utf-8"))) for p in sorted(SRC.rglob("*.py"))]


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring nodes of a module, its classes and functions."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def test_the_national_code_is_written_once() -> None:
    found = []
    for path, tree in _modules():
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and NATIONAL_CODE in node.value
                and id(node) not in docs
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert [f.split(":")[0] for f in found] == ["regions.py"], found


def test_the_input_checks_are_defined_once() -> None:
    names = {n for n in checks.__all__ if n[0].islower()}
    defined = {
        (node.name, str(path.relative_to(SRC)))
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name in names
    }
    assert {where for _, where in defined} == {"ingest/checks.py"}, defined
    for old in ("nqpf.index._checks", "nqpf.disparity._input"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(old)


def test_unit_sum_is_one_check_with_one_tolerance() -> None:
    checks.require_unit_sum(1 + 0.5 * checks.SUM_TOLERANCE)
    with pytest.raises(InputError, match=r"sum to 1\.1, not 1"):
        checks.require_unit_sum(1.1)
    scores = pd.DataFrame({"region": ["p"], "tech": [0.4], "industry": [0.6]})
    with pytest.raises(InputError, match=r"alpha .* sum to 0\.9, not 1"):
        coupling_coordination(scores, ["tech", "industry"], alpha={"tech": 0.5, "industry": 0.4})
    ok = coupling_coordination(scores, ["tech", "industry"], alpha={"tech": 0.5, "industry": 0.5})
    assert ok["T"].iloc[0] == pytest.approx(0.5)


def test_region_label_is_the_one_fallback() -> None:
    assert region_label("340000") == "安徽"
    assert region_label("340000", lang="en") == "Anhui"
    assert region_label(NATIONAL_CODE) == "全国"
    assert region_label("340123") is None  # a county: the caller keeps its own label
    assert region_label("my-region") is None
