"""The option vocabularies of the index engine, importable without NumPy or pandas.

The interfaces declare their parameters with these ``Literal`` types (FastAPI turns them into
the OpenAPI enums and the 422 answers), so ``nqpf serve`` can start without loading the
numerical stack; :mod:`nqpf.index.normalize` and :mod:`nqpf.index.aggregate` re-export them
beside the methods they name, which are documented there.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "AGGREGATE_METHODS",
    "NORMALIZE_METHODS",
    "SCOPES",
    "AggregateMethod",
    "NormalizeMethod",
    "Scope",
]

NormalizeMethod = Literal["minmax", "zscore", "max", "rank", "target"]
NORMALIZE_METHODS: tuple[str, ...] = get_args(NormalizeMethod)
#: ``panel``: one reference (min/max, mean/sd …) over all years; ``year``: one per year.
Scope = Literal["panel", "year"]
SCOPES: tuple[str, ...] = get_args(Scope)

AggregateMethod = Literal["linear", "geometric", "topsis"]
AGGREGATE_METHODS: tuple[str, ...] = get_args(AggregateMethod)
