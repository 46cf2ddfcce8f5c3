"""The data service behind ``nqpf data show``: one indicator's values for a selection, the
provinces ranked best first by the indicator's direction, the national row and the sources
of the values shown; and the data sets users upload to the portal (:func:`import_upload`,
read and checked by :func:`nqpf.ingest.readers.read_upload` exactly as ``nqpf data import``
reads a file, stored in the database by :mod:`nqpf.db.imports_repo`)."""

from __future__ import annotations

import warnings as _warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from nqpf.data import load_panel, sources
from nqpf.errors import InputError, UnknownRegionError
from nqpf.indicators import IndicatorSpec, indicator
from nqpf.regions import NATIONAL_CODE, region_name

__all__ = [
    "IndicatorView",
    "data_imports",
    "import_summary",
    "import_upload",
    "imported_set",
    "indicator_view",
    "rank_best_first",
    "sources_by_dataset",
]


def sources_by_dataset() -> pd.DataFrame:
    """One row per packaged dataset: dataset, publisher, repository, commit, licence,
    citation and ``size`` (its number of series, i.e. source ids)."""
    return (
        sources()
        .groupby(
            ["dataset", "publisher", "repository", "commit", "licence", "citation"], as_index=False
        )
        .size()
    )


def import_summary(added: pd.DataFrame) -> pd.DataFrame:
    """Per indicator of an import: values, regions, first and last year."""
    return added.groupby("indicator").agg(
        values=("value", "size"),
        regions=("region", "nunique"),
        first=("year", "min"),
        last=("year", "max"),
    )


def import_upload(
    raw: bytes,
    *,
    file_name: str,
    name: str,
    author_id: int | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """Read, check and store an uploaded table (CSV in UTF-8 or GBK, .xlsx or Parquet; the
    layouts of ``nqpf data import``). Returns the summary ``{id, name, rows, columns,
    regions, years, indicators, warnings}``: ``rows`` the values stored (empty cells are
    not), ``columns`` the file's header, ``regions`` the region codes, ``warnings`` what
    the reader dropped (regional subtotals …). Bad content raises :class:`InputError`
    naming file, row and column; a file of another type
    :class:`~nqpf.errors.UnsupportedFileError`."""
    from nqpf.db import connect
    from nqpf.db.imports_repo import add_import
    from nqpf.ingest.readers import read_upload

    label = " ".join(name.split())
    if not label or len(label) > 200:
        raise InputError("name: give the data set a label of 1–200 characters", column="name")
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        try:
            upload = read_upload(raw, file_name=file_name)
        except UnknownRegionError as error:  # a bad cell of the file, not a missing resource
            raise InputError(
                error.message, file=error.file, row=error.row, column=error.column, hint=error.hint
            ) from None
    frame, header = upload.frame, upload.header
    kept = frame.dropna(subset=["value"])
    if kept.empty:
        raise InputError(
            "nothing to import: the file has no values", file=str(frame["source_file"].iloc[0])
        )
    notes = [str(w.message) for w in caught if issubclass(w.category, Warning)]
    import_id = add_import(
        connect(url),
        kept,
        name=label,
        file_type=upload.kind,
        header=header,
        warnings=notes,
        author_id=author_id,
    )
    return {
        "id": import_id,
        "name": label,
        "rows": len(kept),
        "columns": header,
        "regions": sorted(kept["region"].astype(str).unique()),
        "years": sorted(int(y) for y in kept["year"].unique()),
        "indicators": sorted(kept["indicator"].astype(str).unique()),
        "warnings": notes,
    }


def data_imports(url: str | None = None) -> pd.DataFrame:
    """The imported data sets, newest first (id, name, file type, rows, regions, years,
    indicators, created_at)."""
    from nqpf.db import connect
    from nqpf.db.imports_repo import list_imports

    return list_imports(connect(url))


def imported_set(import_id: int, url: str | None = None) -> tuple[str, pd.DataFrame]:
    """The label (``#id name``) and long table (region, year, indicator, value, unit,
    source_row) of an import."""
    from nqpf.db import connect
    from nqpf.db.imports_repo import get_import, import_values

    engine = connect(url)
    label = f"#{import_id} {get_import(engine, import_id)['name']}"
    return label, import_values(engine, import_id)


def rank_best_first(values: pd.DataFrame, direction: str) -> pd.DataFrame:
    """``values`` sorted best first (highest for a ``+`` indicator, lowest for ``−``) with a
    1-based ``rank`` column in front (stable: ties keep their order)."""
    ordered = values.sort_values("value", ascending=direction == "-").reset_index(drop=True)
    ordered.insert(0, "rank", range(1, len(ordered) + 1))
    return ordered


@dataclass(frozen=True)
class IndicatorView:
    """An indicator's values for a selection (see :func:`indicator_view`)."""

    spec: IndicatorSpec
    panel: pd.DataFrame
    names: dict[str, str]
    years: list[int]
    ranked: pd.DataFrame
    nation: pd.DataFrame
    sources: pd.DataFrame


def indicator_view(
    indicator_id: str,
    *,
    regions: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    national: bool = True,
    lang: Literal["zh", "en"] = "zh",
) -> IndicatorView:
    """Values of ``indicator_id``; ``ranked`` holds the regions (not the nation) of the
    latest — and, when one year is selected, only — year ranked best first."""
    spec = _spec(indicator_id)
    panel = load_panel([spec.id], years=years, regions=regions, include_national=national)
    if panel.empty:
        raise InputError(
            f"no values of {spec.id!r} for the selection",
            hint="`nqpf data list` shows the years each indicator covers",
        )
    names = {code: region_name(code, lang=lang) for code in panel["region"].unique()}
    is_nation = panel["region"] == NATIONAL_CODE
    found = sources()
    used = found[found["source_id"].isin(panel["source_id"].unique())]
    return IndicatorView(
        spec=spec,
        panel=panel,
        names=names,
        years=sorted(int(y) for y in panel["year"].unique()),
        ranked=rank_best_first(panel[~is_nation], spec.direction),
        nation=panel[is_nation],
        sources=used.drop_duplicates("source_id").set_index("source_id"),
    )


def _spec(indicator_id: str) -> IndicatorSpec:
    """The catalog entry of ``indicator_id``, or the metadata of an indicator imported into
    the workspace (which `nqpf data list` shows too)."""
    from nqpf.ingest.workspace import Workspace

    try:
        return indicator(indicator_id)
    except InputError:
        user = Workspace.default().catalog()
        row = user[user["id"] == indicator_id]
        if row.empty:
            raise
        r = row.iloc[0]
        return IndicatorSpec(
            id=str(r["id"]),
            name_zh=str(r["name_zh"]),
            name_en=str(r["name_zh"]),
            unit="" if r["unit"] is None or r["unit"] != r["unit"] else str(r["unit"]),
            direction=str(r["direction"]),  # type: ignore[arg-type]
            pillar="workspace",
            minimum=None,
        )
