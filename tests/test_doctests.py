"""Run the docstring examples of every installed nqpf module (they are part of the docs)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import nqpf

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(nqpf.__path__, prefix="nqpf.")
    if not m.name.startswith("nqpf.cli")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
