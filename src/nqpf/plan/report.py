"""The result object of the planning analyses (herding, layout, targets): named tables,
spec, provenance and warnings, following :mod:`nqpf.results`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nqpf.results import TablesResult, hash_spec

__all__ = ["PlanResult", "make_result"]


@dataclass
class PlanResult(TablesResult):
    """A planning result; ``tables()`` in report order, the main table first."""

    notes: list[str] = field(default_factory=list)


def make_result(
    kind: str,
    spec: Mapping[str, Any],
    tables: dict[str, pd.DataFrame],
    *,
    provenance: pd.DataFrame,
    warnings: list[str] | None = None,
    notes: list[str] | None = None,
    data: tuple[pd.DataFrame, ...] = (),
) -> PlanResult:
    """A :class:`PlanResult` whose ``spec_hash`` covers ``data`` and ``spec``."""
    return PlanResult(
        kind=kind,
        spec=dict(spec),
        spec_hash=hash_spec(spec, *data),
        provenance=provenance,
        warnings=list(warnings or []),
        named=tables,
        notes=list(notes or []),
    )
