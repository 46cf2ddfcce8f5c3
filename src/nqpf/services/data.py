"""The data service behind ``nqpf data show``: one indicator's values for a selection, the
provinces ranked best first by the indicator's direction, the national row and the sources
of the values shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from nqpf.data import load_panel, sources
from nqpf.errors import InputError
from nqpf.indicators import IndicatorSpec, indicator
from nqpf.regions import NATIONAL_CODE, region_name

__all__ = [
    "IndicatorView",
    "import_summary",
    "indicator_view",
    "rank_best_first",
    "sources_by_dataset",
]


def sources_by_dataset() -> pd.DataFrame:
    """One row per packaged dataset: dataset, publisher, repository, commit, licence,
    citation and ``size`` (its number of series, i.e. source ids)."""
    return sources().groupby(
        ["dataset", "publisher", "repository", "commit", "licence", "citation"], as_index=False
    ).size()


def import_summary(added: pd.DataFrame) -> pd.DataFrame:
    """Per indicator of an import: values, regions, first and last year."""
    return added.groupby("indicator").agg(
        values=("value", "size"),
        regions=("region", "nunique"),
        first=("year", "min"),
        last=("year", "max"),
    )


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
