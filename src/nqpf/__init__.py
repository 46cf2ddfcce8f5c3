"""NQPF — decision support for 因地制宜发展新质生产力 (developing new quality productive forces
according to local conditions).

The Python API returns pandas DataFrames. Names are imported lazily so that ``import nqpf``
and the ``nqpf`` command start fast.

>>> import nqpf
>>> nqpf.normalize_region("内蒙")
'150000'
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_panel": "nqpf.data",
    "catalog": "nqpf.data",
    "sources": "nqpf.data",
    "load_alternatives": "nqpf.data",
    "load_census_industry": "nqpf.data",
    "load_divisions": "nqpf.data",
    "load_enterprises": "nqpf.data",
    "load_io_table": "nqpf.data",
    "article_figures": "nqpf.data",
    "assess": "nqpf.services.assessment",
    "comparison_with_national": "nqpf.services.assessment",
    "write_assessment": "nqpf.present.assessment",
    "Assessment": "nqpf.index.assessment",
    "normalize_region": "nqpf.regions",
    "find_division": "nqpf.regions",
    "division_name": "nqpf.regions",
    "region_name": "nqpf.regions",
    "provinces": "nqpf.regions",
    "read_nbs": "nqpf.ingest",
    "read_long": "nqpf.ingest",
    "read_wide": "nqpf.ingest",
    "read_table": "nqpf.ingest",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nqpf' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
