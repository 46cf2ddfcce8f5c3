"""The result protocol every NQPF analysis follows (floor 1, beside the analyses).

An analysis (assessment, disparity, diagnosis, opportunities, similarity, …) returns an
object with

* ``kind``: what analysis made it (``"assessment"``, ``"disparity"`` …);
* ``spec``: every option of the run, validated once, JSON-serialisable;
* ``spec_hash``: 12 hex digits of SHA-256 over the data and the spec (same inputs, same hash;
  the services floor caches results by it);
* ``provenance``: a DataFrame naming the data sources and vintages behind the numbers;
* ``warnings``: sentences a reader must see beside the numbers;
* ``tables()``: named tables (pandas DataFrames) in report order, the main table first,
  with the intermediate tables a reader needs to check the numbers;
* ``to_frame()``: the main table; ``to_json()``: the whole result as one JSON document.

The JSON document (schema ``nqpf.result``, version :data:`SCHEMA_VERSION`, described by
:data:`JSON_SCHEMA`)::

    {"schema": "nqpf.result", "schema_version": 1, "kind": "assessment",
     "spec": {...}, "spec_hash": "0123456789ab", "warnings": ["..."],
     "provenance": {"columns": [...], "rows": [[...], ...]},
     "tables": {"scores": {"columns": [...], "rows": [[...], ...]}, ...}}

Tables are written column names plus rows (a named, non-default index becomes leading
columns); missing values and ±inf (JSON has neither) are ``null``; floats keep all
17 significant digits, so :func:`frame_from_json` gives back the same numbers.

>>> import pandas as pd
>>> doc = table_json(pd.DataFrame({"region": ["340000"], "index": [0.25]}))
>>> doc
{'columns': ['region', 'index'], 'rows': [['340000', 0.25]]}
>>> frame_from_json(doc)["index"].iloc[0]
np.float64(0.25)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

if TYPE_CHECKING:  # numpy and pandas are imported where used: `nqpf serve` starts without them
    import pandas as pd

__all__ = [
    "JSON_SCHEMA",
    "SCHEMA_VERSION",
    "Result",
    "ResultMixin",
    "TablesResult",
    "frame_from_json",
    "hash_spec",
    "result_json",
    "table_json",
    "tables_result",
    "update_hash",
]

#: Version of the JSON document of :func:`result_json`; raised when a field changes meaning.
SCHEMA_VERSION = 1

_TABLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["columns", "rows"],
    "additionalProperties": False,
    "properties": {
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "array"}},
    },
}

#: JSON Schema (draft 2020-12) of the document :func:`result_json` writes.
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://nqpf.example/schema/result-1.json",
    "title": "NQPF analysis result",
    "type": "object",
    "required": [
        "schema",
        "schema_version",
        "kind",
        "spec",
        "spec_hash",
        "warnings",
        "provenance",
        "tables",
    ],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "nqpf.result"},
        "schema_version": {"const": SCHEMA_VERSION},
        "kind": {"type": "string", "minLength": 1},
        "spec": {"type": "object"},
        "spec_hash": {"type": "string", "pattern": "^[0-9a-f]{12}$"},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "provenance": _TABLE_SCHEMA,
        "tables": {"type": "object", "additionalProperties": _TABLE_SCHEMA},
    },
}


@runtime_checkable
class Result(Protocol):
    """What every analysis result provides (see the module docstring)."""

    @property
    def kind(self) -> str: ...

    @property
    def spec(self) -> Mapping[str, Any]: ...

    @property
    def spec_hash(self) -> str: ...

    @property
    def provenance(self) -> pd.DataFrame: ...

    @property
    def warnings(self) -> list[str]: ...

    def tables(self) -> dict[str, pd.DataFrame]: ...

    def to_frame(self) -> pd.DataFrame: ...

    def to_json(self) -> str: ...


class ResultMixin:
    """``to_frame()`` and ``to_json()`` for a class that has the other members of
    :class:`Result`; ``main_table`` names the table ``to_frame()`` returns (default: the
    first of ``tables()``)."""

    main_table: ClassVar[str | None] = None

    def to_frame(self: Result) -> pd.DataFrame:
        tables = self.tables()
        name = type(self).main_table if isinstance(self, ResultMixin) else None
        return tables[name] if name is not None else next(iter(tables.values()))

    def to_json(self: Result) -> str:
        return result_json(self)


@dataclass
class TablesResult(ResultMixin):
    """A result that is a set of named tables (a directory search, a list of documents, a
    chain's definition …): the protocol's members, nothing else."""

    kind: str
    spec: Mapping[str, Any]
    spec_hash: str
    provenance: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    named: dict[str, pd.DataFrame] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return dict(self.named)


def tables_result(
    kind: str,
    spec: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    *,
    provenance: pd.DataFrame | None = None,
    warnings: list[str] | None = None,
) -> TablesResult:
    """A :class:`TablesResult` whose ``spec_hash`` covers ``kind``, ``spec`` and the tables
    themselves (so a changed table, e.g. a new board post, changes the hash)."""
    import pandas as pd

    return TablesResult(
        kind=kind,
        spec=dict(spec),
        spec_hash=hash_spec({"kind": kind, **spec}, *tables.values()),
        provenance=provenance if provenance is not None else pd.DataFrame({"source": []}),
        warnings=list(warnings or []),
        named=dict(tables),
    )


def _plain(value: Any) -> Any:
    """A JSON value for one cell or spec entry (NaN/NA → None, numpy → Python)."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None  # JSON has no NaN or ±inf
    if isinstance(value, pd.Timestamp | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_plain(v) for v in items]
    if isinstance(value, str):
        return value
    return str(value)


def table_json(frame: pd.DataFrame) -> dict[str, Any]:
    """``{"columns": [...], "rows": [[...], ...]}`` of a DataFrame (a named or non-default
    index becomes leading columns)."""
    import pandas as pd

    if not isinstance(frame.index, pd.RangeIndex) or any(n is not None for n in frame.index.names):
        frame = frame.reset_index()
    return {
        "columns": [str(c) for c in frame.columns],
        "rows": [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }


def frame_from_json(table: Mapping[str, Any]) -> pd.DataFrame:
    """The DataFrame of one table of a result document (inverse of :func:`table_json`)."""
    import pandas as pd

    return pd.DataFrame(table["rows"], columns=list(table["columns"]))


def result_json(result: Result, *, indent: int | None = None) -> str:
    """The JSON document of ``result`` (schema ``nqpf.result``, :data:`SCHEMA_VERSION`)."""
    doc = {
        "schema": "nqpf.result",
        "schema_version": SCHEMA_VERSION,
        "kind": result.kind,
        "spec": _plain(dict(result.spec)),
        "spec_hash": result.spec_hash,
        "warnings": [str(w) for w in result.warnings],
        "provenance": table_json(result.provenance),
        "tables": {name: table_json(t) for name, t in result.tables().items()},
    }
    return json.dumps(doc, ensure_ascii=False, indent=indent, allow_nan=False)


def hash_spec(spec: Mapping[str, Any], *frames: pd.DataFrame) -> str:
    """12 hex digits of SHA-256 over ``frames`` (:func:`update_hash`) and ``spec``
    (canonical JSON): the same data and options give the same hash."""
    h = hashlib.sha256()
    for frame in frames:
        update_hash(h, frame)
    h.update(json.dumps(_plain(dict(spec)), sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()[:12]


def update_hash(h: Any, frame: pd.DataFrame) -> None:
    """Feed ``frame`` to the hash ``h``: its row and column labels as text, then each column,
    numbers as their raw float64 bytes (NaN and −0.0 made canonical: every bit of a value
    counts, and no CSV is rendered), other columns as text."""
    import numpy as np
    import pandas as pd

    for labels in (frame.index, frame.columns):
        h.update("\x1f".join(map(str, labels)).encode())
        h.update(b"\x1e")
    numeric = all(pd.api.types.is_numeric_dtype(t) for t in frame.dtypes)
    if numeric:
        values = frame.to_numpy(dtype=np.float64) + 0.0  # −0.0 + 0.0 = +0.0
        values[np.isnan(values)] = np.nan
        h.update(np.ascontiguousarray(values).tobytes())
        return
    for _, column in frame.items():
        if pd.api.types.is_numeric_dtype(column.dtype):
            values = column.to_numpy(dtype=np.float64) + 0.0
            values[np.isnan(values)] = np.nan
            h.update(values.tobytes())
        else:
            h.update("\x1f".join(map(str, column.tolist())).encode())
        h.update(b"\x1e")
