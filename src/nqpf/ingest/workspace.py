"""The user's workspace: imported data kept beside the packaged data.

A workspace is a folder (default ``~/.nqpf/workspace``, or ``$NQPF_HOME/workspace``) with
``panel.parquet`` (region, year, indicator, value, unit, source_id, source_file,
source_row, imported_at) and ``indicators.parquet`` (metadata of indicators that are not in
the catalog). Every write goes to a temporary file in the same folder that then replaces
the old file (``os.replace`` is atomic on one file system), so a failed import leaves the
workspace as it was.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from nqpf.errors import InputError
from nqpf.indicators import indicator_specs

__all__ = ["Workspace", "atomic_write_parquet"]

_PANEL_COLUMNS = [
    "region",
    "year",
    "indicator",
    "value",
    "unit",
    "source_id",
    "source_file",
    "source_row",
    "imported_at",
]


def atomic_write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` so that readers see the old file or the new one, never a
    partial one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Workspace:
    """Imported data in one folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @classmethod
    def default(cls) -> Workspace:
        home = os.environ.get("NQPF_HOME")
        base = Path(home) if home else Path.home() / ".nqpf"
        return cls(base / "workspace")

    @property
    def panel_path(self) -> Path:
        return self.root / "panel.parquet"

    @property
    def indicators_path(self) -> Path:
        return self.root / "indicators.parquet"

    def panel(self) -> pd.DataFrame:
        """All imported values (empty frame if nothing was imported)."""
        if not self.panel_path.exists():
            return pd.DataFrame({c: pd.Series(dtype="object") for c in _PANEL_COLUMNS})
        return pd.read_parquet(self.panel_path)

    def catalog(self) -> pd.DataFrame:
        """Metadata of imported indicators that the catalog does not know."""
        if not self.indicators_path.exists():
            return pd.DataFrame(columns=["id", "name_zh", "unit", "direction", "origin"])
        return pd.read_parquet(self.indicators_path)

    def units(self) -> dict[str, str]:
        cat = self.catalog()
        return dict(zip(cat["id"], cat["unit"].fillna(""), strict=True))

    def add(self, frame: pd.DataFrame, *, replace: bool = False) -> pd.DataFrame:
        """Add values read by an importer; returns what was added.

        Values for a region, year and indicator that the workspace already holds are an
        error unless ``replace`` (then the new values win). Nothing is written unless
        everything is valid.
        """
        if frame.empty:
            raise InputError(
                "nothing to import: the file has no values", file=_first(frame, "source_file")
            )
        new = frame.dropna(subset=["value"]).copy()
        new["source_id"] = "workspace:" + new["source_file"].astype(str)
        new["imported_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        old = self.panel()
        keys = ["region", "year", "indicator"]
        if not old.empty:
            clash = new.merge(old[[*keys, "source_file"]], on=keys, suffixes=("", "_old"))
            if not clash.empty and not replace:
                first = clash.iloc[0]
                raise InputError(
                    f"{len(clash)} value(s) are already in the workspace, e.g. {first['region']} "
                    f"{first['year']} {first['indicator']} from {first['source_file_old']}",
                    file=str(first["source_file"]),
                    hint="pass replace=True (CLI: --replace) to overwrite them",
                )
            old = old.merge(new[keys], on=keys, how="left", indicator=True)
            old = old[old["_merge"] == "left_only"].drop(columns="_merge")
        merged = (
            pd.concat([old, new[_PANEL_COLUMNS]], ignore_index=True)
            if not old.empty
            else new[_PANEL_COLUMNS].reset_index(drop=True)
        )
        merged = merged.sort_values(keys, ignore_index=True)
        indicators = self._merged_indicators(new)
        atomic_write_parquet(merged, self.panel_path)
        atomic_write_parquet(indicators, self.indicators_path)
        return new[_PANEL_COLUMNS].reset_index(drop=True)

    def _merged_indicators(self, new: pd.DataFrame) -> pd.DataFrame:
        known = indicator_specs()
        rows = self.catalog().to_dict("records")
        have = {r["id"] for r in rows}
        for ind, unit in new.groupby("indicator")["unit"].first().items():
            if ind in known or ind in have:
                continue
            rows.append(
                {"id": ind, "name_zh": ind, "unit": unit, "direction": "+", "origin": "workspace"}
            )
        return pd.DataFrame(rows, columns=["id", "name_zh", "unit", "direction", "origin"])

    def clear(self) -> None:
        """Remove all imported data."""
        for path in (self.panel_path, self.indicators_path):
            path.unlink(missing_ok=True)


def _first(frame: pd.DataFrame, column: str) -> str | None:
    if column in frame and not frame.empty:
        return str(frame[column].iloc[0])
    return None
