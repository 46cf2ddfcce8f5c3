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
    # Alembic's env.py runs migrations when imported, so only Alembic may import it.
    if not m.name.startswith("nqpf.cli") and m.name != "nqpf.db.migrations.env"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
