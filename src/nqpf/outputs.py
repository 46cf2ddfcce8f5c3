"""Atomic writers for the files NQPF hands to users (HTML pages, Excel workbooks, CSV).

Each writer renders into a temporary file in the target folder and then moves it over the
target with :func:`os.replace`, which is atomic on one file system: a reader (or an analyst
who re-runs a command that fails half-way) sees the old file or the new one, never a
truncated one.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_text(folder / "page.html", "<p>区域</p>").read_text(encoding="utf-8")
'<p>区域</p>'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["atomic_path", "atomic_write_csv", "atomic_write_excel", "atomic_write_text"]

#: Permissions of written files: temporary files are created 0600, but results are meant
#: to be shared (the usual 0644 of a file a user creates).
FILE_MODE = 0o644


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on error it
    is removed and ``path`` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text atomically; returns ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def atomic_write_csv(path: Path, frame: pd.DataFrame, *, index: bool = False) -> Path:
    """Write a CSV atomically, UTF-8 with BOM so Excel on Chinese Windows opens it correctly."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=index, encoding="utf-8-sig")
    return path


def atomic_write_excel(
    path: Path,
    sheets: Mapping[str, pd.DataFrame],
    *,
    index: bool | Callable[[str], bool] = False,
) -> Path:
    """Write several DataFrames as sheets of one ``.xlsx`` workbook, atomically.

    ``index`` says whether to write each frame's index: one flag for all sheets, or a
    function of the sheet name.
    """
    import pandas as pd

    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            keep = index(name) if callable(index) else index
            frame.to_excel(writer, sheet_name=name[:31], index=keep)
    return path
