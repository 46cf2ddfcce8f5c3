"""Tables of the data sets users import through the portal (``POST /api/v1/data/import``).

``data_imports`` holds one row per upload: its label, the original file's type and
header, counts, warnings and who imported it. ``data_import_values`` holds its long table
(region, year, indicator, value, unit and the row of the file each value came from), the
same columns :func:`nqpf.ingest.read_table` returns. An import is never changed after it is
stored; deleting it removes its values (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nqpf.db.base import Base

__all__ = ["DataImport", "DataImportValue"]


class DataImport(Base):
    """An uploaded data set (its values are :class:`DataImportValue` rows)."""

    __tablename__ = "data_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(8))
    header_json: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer)
    warnings_json: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DataImportValue(Base):
    """One value of an import."""

    __tablename__ = "data_import_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("data_imports.id", ondelete="CASCADE"), index=True
    )
    region: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(200))
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(50))
    source_row: Mapped[int] = mapped_column(Integer)
