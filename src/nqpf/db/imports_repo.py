"""Store, list and read the data sets imported through the portal (:mod:`nqpf.db.imports`).

An import and all its values are written in one transaction (a failed write leaves
nothing); values are inserted in batches of :data:`BATCH` rows with SQLAlchemy's
executemany.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, insert, select

from nqpf.db.engine import session_scope
from nqpf.db.imports import DataImport, DataImportValue
from nqpf.errors import NotFoundError

__all__ = ["BATCH", "VALUE_COLUMNS", "add_import", "get_import", "import_values", "list_imports"]

#: Rows per INSERT batch.
BATCH = 5_000

#: Columns of an import's long table.
VALUE_COLUMNS = ["region", "year", "indicator", "value", "unit", "source_row"]

#: Columns of :func:`list_imports` (newest first).
LIST_COLUMNS = ["id", "name", "file_type", "rows", "regions", "years", "indicators", "created_at"]


def add_import(
    engine: Engine,
    frame: pd.DataFrame,
    *,
    name: str,
    file_type: str,
    header: Sequence[str],
    warnings: Sequence[str],
    author_id: int | None,
) -> int:
    """Store a validated long table (columns :data:`VALUE_COLUMNS`) as a new import."""
    records = [
        {
            "region": str(r),
            "year": int(y),
            "indicator": str(i),
            "value": None if v is None or not np.isfinite(v) else float(v),
            "unit": None if u is None or (isinstance(u, float) and np.isnan(u)) else str(u),
            "source_row": int(n),
        }
        for r, y, i, v, u, n in frame[VALUE_COLUMNS].itertuples(index=False, name=None)
    ]
    with session_scope(engine) as session:
        row = DataImport(
            name=name,
            file_type=file_type,
            header_json=json.dumps(list(header), ensure_ascii=False),
            rows=len(records),
            warnings_json=json.dumps(list(warnings), ensure_ascii=False),
            author_id=author_id,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        import_id = int(row.id)
        for start in range(0, len(records), BATCH):
            batch = [{**r, "import_id": import_id} for r in records[start : start + BATCH]]
            session.execute(insert(DataImportValue), batch)
    return import_id


def get_import(engine: Engine, import_id: int) -> dict[str, object]:
    """An import's description: id, name, file_type, header, rows, warnings, created_at."""
    with session_scope(engine) as session:
        row = session.get(DataImport, import_id)
        if row is None:
            raise NotFoundError(
                f"data set {import_id}: not found", hint="see GET /api/v1/data/imports"
            )
        return {
            "id": row.id,
            "name": row.name,
            "file_type": row.file_type,
            "header": json.loads(row.header_json),
            "rows": row.rows,
            "warnings": json.loads(row.warnings_json),
            "created_at": row.created_at,
        }


def import_values(engine: Engine, import_id: int) -> pd.DataFrame:
    """The long table of an import (columns :data:`VALUE_COLUMNS`)."""
    get_import(engine, import_id)  # not found → NotFoundError
    query = (
        select(*[getattr(DataImportValue, c) for c in VALUE_COLUMNS])
        .where(DataImportValue.import_id == import_id)
        .order_by(DataImportValue.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=VALUE_COLUMNS)
    return frame.astype({"year": "int64", "value": "float64", "source_row": "int64"})


def list_imports(engine: Engine) -> pd.DataFrame:
    """Every import, newest first: id, name, file type, rows, distinct regions, years and
    indicators, and when it was made."""
    values = DataImportValue
    counts = (
        select(
            values.import_id,
            func.count(func.distinct(values.region)).label("regions"),
            func.count(func.distinct(values.year)).label("years"),
            func.count(func.distinct(values.indicator)).label("indicators"),
        )
        .group_by(values.import_id)
        .subquery()
    )
    query = (
        select(
            DataImport.id,
            DataImport.name,
            DataImport.file_type,
            DataImport.rows,
            func.coalesce(counts.c.regions, 0),
            func.coalesce(counts.c.years, 0),
            func.coalesce(counts.c.indicators, 0),
            DataImport.created_at,
        )
        .outerjoin(counts, counts.c.import_id == DataImport.id)
        .order_by(DataImport.id.desc())
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=LIST_COLUMNS)
