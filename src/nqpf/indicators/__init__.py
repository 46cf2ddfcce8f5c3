"""Indicator catalog: what each indicator is, its unit, direction and pillar, and — for
derived indicators — the formula that computes it from stored ones.

The catalog is authored in ``indicators.yaml`` beside this module. Derived indicators are
never stored as numbers: :func:`evaluate_formula` computes them on demand, so every ratio
can be traced to its numerator and denominator.

Formulas are arithmetic over indicator ids: ``+ - * /``, parentheses and numeric constants,
e.g. ``gdp / population * 10000``. They are parsed with :mod:`ast`, never ``eval``'d.

>>> spec = indicator("gdp_per_capita")
>>> spec.formula
'gdp / population * 10000'
>>> sorted(formula_inputs(spec.formula))
['gdp', 'population']
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import pandas as pd

from nqpf._yaml import safe_load
from nqpf.errors import InputError

__all__ = [
    "IndicatorSpec",
    "evaluate_formula",
    "find_indicator",
    "formula_inputs",
    "indicator",
    "indicator_specs",
    "pillars",
    "subnational_specs",
]

Direction = Literal["+", "-", "0"]


@dataclass(frozen=True)
class IndicatorSpec:
    """Metadata of one indicator."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    direction: Direction
    pillar: str
    formula: str | None = None
    note: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def derived(self) -> bool:
        return self.formula is not None


@lru_cache(maxsize=1)
def _load_yaml() -> dict[str, Any]:
    text = resources.files("nqpf.indicators").joinpath("indicators.yaml").read_text("utf-8")
    data: dict[str, Any] = safe_load(text)
    return data


@lru_cache(maxsize=1)
def indicator_specs() -> dict[str, IndicatorSpec]:
    """All catalog entries by id (cached)."""
    specs: dict[str, IndicatorSpec] = {}
    for ind_id, entry in _load_yaml()["indicators"].items():
        specs[ind_id] = IndicatorSpec(
            id=ind_id,
            name_zh=entry["name_zh"],
            name_en=entry["name_en"],
            unit=str(entry["unit"]),
            direction=str(entry["direction"]),  # type: ignore[arg-type]
            pillar=entry["pillar"],
            formula=entry.get("formula"),
            note=entry.get("note"),
            aliases=tuple(entry.get("aliases", ())),
        )
    for spec in specs.values():
        if spec.formula is not None:
            unknown = formula_inputs(spec.formula) - {s.id for s in specs.values() if not s.derived}
            if unknown:
                raise InputError(
                    f"catalog formula of {spec.id!r} uses {sorted(unknown)}, "
                    "which are not stored indicators"
                )
    return specs


@lru_cache(maxsize=1)
def subnational_specs() -> dict[str, IndicatorSpec]:
    """Catalog of the prefecture and county indicators (``subnational.yaml``), by id."""
    text = resources.files("nqpf.indicators").joinpath("subnational.yaml").read_text("utf-8")
    entries: dict[str, Any] = safe_load(text)["indicators"]
    specs = {
        ind_id: IndicatorSpec(
            id=ind_id,
            name_zh=entry["name_zh"],
            name_en=entry["name_en"],
            unit=str(entry["unit"]),
            direction=str(entry["direction"]),  # type: ignore[arg-type]
            pillar=entry["pillar"],
            formula=entry.get("formula"),
            note=entry.get("note"),
        )
        for ind_id, entry in entries.items()
    }
    stored = {s.id for s in specs.values() if not s.derived}
    for spec in specs.values():
        if spec.formula is not None and formula_inputs(spec.formula) - stored:
            raise InputError(f"sub-national formula of {spec.id!r} uses unknown indicators")
    return specs


def pillars() -> pd.DataFrame:
    """The pillars of the article's framework: id, Chinese and English names."""
    rows = [{"pillar": k, **v} for k, v in _load_yaml()["pillars"].items()]
    return pd.DataFrame(rows)


def indicator(ind_id: str) -> IndicatorSpec:
    """Catalog entry of one indicator id; unknown ids raise with suggestions."""
    specs = indicator_specs()
    try:
        return specs[ind_id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(ind_id, list(specs), n=3)
        raise InputError(
            f"unknown indicator {ind_id!r}",
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + "`nqpf data list` shows the catalog",
        ) from None


def find_indicator(name: str) -> IndicatorSpec | None:
    """Catalog entry whose id, Chinese or English name or alias equals ``name``."""
    key = name.strip().lower()
    for spec in indicator_specs().values():
        names = {spec.id, spec.name_zh, spec.name_en, *spec.aliases}
        if key in {n.lower() for n in names}:
            return spec
    return None


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _parse(formula: str) -> ast.expr:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        raise InputError(f"formula {formula!r} is not valid arithmetic") from None
    for node in ast.walk(tree):
        allowed = (
            ast.Expression,
            ast.BinOp,
            ast.UnaryOp,
            ast.USub,
            ast.Name,
            ast.Load,
            ast.Constant,
            *_BINARY,
        )
        if not isinstance(node, allowed):
            raise InputError(
                f"formula {formula!r} uses {type(node).__name__}",
                hint="formulas may use indicator ids, numbers, + - * / and parentheses",
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise InputError(f"formula {formula!r} has a non-numeric constant {node.value!r}")
    return tree.body


def formula_inputs(formula: str) -> set[str]:
    """Indicator ids a formula reads."""
    return {n.id for n in ast.walk(_parse(formula)) if isinstance(n, ast.Name)}


def evaluate_formula(formula: str, columns: Mapping[str, Any]) -> Any:
    """Evaluate ``formula`` with indicator ids bound to ``columns`` (Series or arrays).

    Division by zero gives ``inf``/``NaN`` as NumPy does; missing inputs propagate as NaN.

    >>> evaluate_formula("a / b * 100", {"a": 1.0, "b": 4.0})
    25.0
    """

    def walk(node: ast.expr) -> Any:
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand)
        if isinstance(node, ast.Name):
            if node.id not in columns:
                raise InputError(f"formula {formula!r} needs {node.id!r}, which is not loaded")
            return columns[node.id]
        assert isinstance(node, ast.Constant)
        return node.value

    return walk(_parse(formula))
