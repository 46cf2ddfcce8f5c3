"""The user's workspace: imported data kept beside the packaged data.

A workspace is a folder (default ``~/.nqpf/workspace``, or ``$NQPF_HOME/workspace``) holding
the panel of imported values (region, year, indicator, value, unit, source_id, source_file,
source_row, imported_at) and the metadata of imported indicators that are not in the
catalog, as two Parquet files of one *version*: ``panel.<v>.parquet`` and
``indicators.<v>.parquet``. ``manifest.json`` names the current version.

Concurrency and faults: every read-modify-write (an import) holds an exclusive file lock
(``workspace.lock``, :mod:`filelock`), so two imports at once are serialised and neither's
values are lost. An import writes a new version's two files, then replaces
``manifest.json`` atomically (``os.replace``): readers, who take the same lock, see both
files of the old version or both of the new, never a mix, and a failed or killed import
leaves the workspace as it was. Files of old versions are removed after the swap.
Workspaces written before versions existed (``panel.parquet``, ``indicators.parquet``)
are read as they are and converted on the next import.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from nqpf.errors import InputError
from nqpf.home import nqpf_home
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


#: Seconds an import waits for another one to finish before giving up.
LOCK_TIMEOUT = 300.0


class Workspace:
    """Imported data in one folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @classmethod
    def default(cls) -> Workspace:
        return cls(nqpf_home() / "workspace")

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def panel_path(self) -> Path:
        """The current panel file."""
        return self.root / self._manifest()["panel"]

    @property
    def indicators_path(self) -> Path:
        """The current indicator-metadata file."""
        return self.root / self._manifest()["indicators"]

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the workspace's lock (not re-entrant: take it once per operation)."""
        from filelock import FileLock, Timeout

        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(self.root / "workspace.lock"), timeout=LOCK_TIMEOUT)
            with lock:
                yield
        except Timeout:
            raise InputError(
                f"the workspace {self.root} is locked by another import",
                hint="wait for it to finish and try again",
            ) from None
        except OSError as exc:
            raise InputError(
                f"cannot use the workspace {self.root}: {exc.strerror or exc}",
                hint="set NQPF_HOME to a folder you can write to",
            ) from None

    def _manifest(self) -> dict[str, str]:
        try:
            data = json.loads(self.manifest_path.read_text("utf-8"))
        except FileNotFoundError:
            return {"panel": "panel.parquet", "indicators": "indicators.parquet"}
        except (OSError, ValueError) as exc:
            raise InputError(
                f"the workspace manifest is unreadable: {exc}",
                file=str(self.manifest_path),
                hint="`nqpf data clear` empties the workspace",
            ) from None
        return {"panel": str(data["panel"]), "indicators": str(data["indicators"])}

    def panel(self) -> pd.DataFrame:
        """All imported values (empty frame if nothing was imported)."""
        if not self.root.exists():
            return _empty_panel()
        with self.locked():
            return self._read_panel()

    def _read_panel(self) -> pd.DataFrame:
        path = self.panel_path
        if not path.exists():
            return _empty_panel()
        return pd.read_parquet(path)

    def catalog(self) -> pd.DataFrame:
        """Metadata of imported indicators that the catalog does not know."""
        if not self.root.exists():
            return _empty_catalog()
        with self.locked():
            return self._read_catalog()

    def _read_catalog(self) -> pd.DataFrame:
        path = self.indicators_path
        if not path.exists():
            return _empty_catalog()
        return pd.read_parquet(path)

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
        with self.locked():
            return self._add(new, replace=replace)

    def _add(self, new: pd.DataFrame, *, replace: bool) -> pd.DataFrame:
        old = self._read_panel()
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
        self._commit(merged, indicators)
        return new[_PANEL_COLUMNS].reset_index(drop=True)

    def _commit(self, panel: pd.DataFrame, indicators: pd.DataFrame) -> None:
        """Write a new version and make it current with one atomic manifest swap; then
        remove the files of older versions. Call with the lock held."""
        version = uuid.uuid4().hex[:12]
        names = {"panel": f"panel.{version}.parquet", "indicators": f"indicators.{version}.parquet"}
        try:
            atomic_write_parquet(panel, self.root / names["panel"])
            atomic_write_parquet(indicators, self.root / names["indicators"])
            fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".tmp", dir=self.root)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(names, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.manifest_path)
        except BaseException:
            for name in names.values():
                (self.root / name).unlink(missing_ok=True)
            raise
        self._remove_stale(keep=set(names.values()))

    def _remove_stale(self, *, keep: set[str]) -> None:
        for path in self.root.iterdir():
            stale_version = path.name.startswith(("panel.", "indicators."))
            stale_temp = path.name.startswith(".") and path.suffix == ".tmp"
            if (stale_version or stale_temp) and path.name not in keep:
                path.unlink(missing_ok=True)

    def _merged_indicators(self, new: pd.DataFrame) -> pd.DataFrame:
        known = indicator_specs()
        rows = self._read_catalog().to_dict("records")
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
        if not self.root.exists():
            return
        with self.locked():
            self.manifest_path.unlink(missing_ok=True)
            self._remove_stale(keep=set())


def _empty_panel() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in _PANEL_COLUMNS})


def _empty_catalog() -> pd.DataFrame:
    return pd.DataFrame(columns=["id", "name_zh", "unit", "direction", "origin"])


def _first(frame: pd.DataFrame, column: str) -> str | None:
    if column in frame and not frame.empty:
        return str(frame[column].iloc[0])
    return None
