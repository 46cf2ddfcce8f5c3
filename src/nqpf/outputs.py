"""Writing the files NQPF hands to users: atomically, as one set, and safe to open.

Atomic files
    Each writer renders into a temporary file in the target folder and then moves it over
    the target with :func:`os.replace`, which is atomic on one file system: a reader sees
    the old file or the new one, never a truncated one.

Output sets (:func:`output_set`)
    The files of one run (``scores.csv``, ``assessment.xlsx``, … of ``nqpf assess``) are
    written into a temporary sibling folder ``.<out>.nqpf-stage-*`` and swapped in as a
    whole (Linux: one ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames with recovery
    on the next run), so a run that fails or is killed leaves the old set or the new set,
    never a mix. Files of other NQPF runs in the folder are carried over; the folder's
    ``nqpf-manifest.json`` lists the files and ``spec_hash`` of each kind of run. A folder
    holding files NQPF did not write is refused unless ``force``; then (and when ``out`` is
    the working folder, or its parent is read-only) the folder is not swapped: the staged
    files replace their namesakes one by one, each atomically, and the user's files stay.

Cell safety (OWASP "CSV injection")
    Text cells that start with ``= + - @``, a tab or a carriage return would be read as
    formulas by Excel/LibreOffice: in CSV they get a leading ``'``; in xlsx every cell is
    written as text (never a formula) and such cells get Excel's quote prefix. Control
    characters (C0/C1, bidi overrides) are removed from text. Every CSV/xlsx writer of NQPF
    goes through :func:`atomic_write_csv` or :func:`atomic_write_excel`.

Large tables
    Workbooks are streamed (openpyxl ``write_only``). A table of more than
    :data:`SHEET_MAX_CELLS` cells goes to a Parquet file beside the workbook and its sheet
    holds a pointer and a summary (:func:`spill_large`), so writing stays fast and within
    Excel's limits at county-level n.

File names
    :func:`safe_file_name` builds a file name from a label (a region code from a user's
    file, say) and :func:`inside` checks that a path resolves inside the output folder.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_text(folder / "page.html", "<p>区域</p>").read_text(encoding="utf-8")
'<p>区域</p>'
>>> safe_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> clean_text("北京\\x1b[31m")
'北京[31m'
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nqpf.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MANIFEST",
    "atomic_path",
    "atomic_write_csv",
    "atomic_write_excel",
    "atomic_write_text",
    "clean_frame",
    "clean_text",
    "inside",
    "output_set",
    "safe_cell",
    "safe_file_name",
    "safe_frame",
    "spill_large",
    "table_summary",
]

#: Permissions of written files: temporary files are created 0600, but results are meant
#: to be shared (the usual 0644 of a file a user creates).
FILE_MODE = 0o644
#: Permissions of a swapped-in output folder (``mkdtemp`` creates 0700).
DIR_MODE = 0o755

#: Name of the file listing the runs whose files an output folder holds.
MANIFEST = "nqpf-manifest.json"

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: C0 and C1 control characters (tab and newline kept by :func:`clean_text` on request),
#: zero-width characters and bidirectional overrides (which can disguise text).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_ALL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_FILE_NAME = re.compile(r"[^\w.\-]+")


# ---------------------------------------------------------------------------- text


def clean_text(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without control characters (escape sequences, NUL, bidi overrides).

    With ``keep_newlines`` tabs and line feeds stay (messages of several lines); otherwise
    every control character goes (names, labels, cells).
    """
    return (_CONTROLS if keep_newlines else _CONTROLS_ALL).sub("", text)


def safe_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet reads as a formula: text starting with ``= + - @``,
    tab or CR gets a leading ``'`` (OWASP); control characters are removed. Other values
    are returned unchanged."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if value.startswith(FORMULA_PREFIXES) or text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels pass
    :func:`safe_cell`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(safe_cell)
    out.columns = out.columns.map(_safe_label)
    out.index = out.index.map(_safe_label)
    return out


def _safe_label(label: Any) -> Any:
    if isinstance(label, tuple):
        return tuple(safe_cell(x) for x in label)
    return safe_cell(label)


# ---------------------------------------------------------------------------- files


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
    """Write a CSV atomically, UTF-8 with BOM so Excel on Chinese Windows opens it correctly;
    text cells pass :func:`safe_cell`."""
    with atomic_path(path) as tmp:
        safe_frame(frame).to_csv(tmp, index=index, encoding="utf-8-sig")
    return path


#: Cells above which a table leaves a workbook for a Parquet file beside it (the sheet keeps
#: a pointer and a summary, see :func:`spill_large`): a streamed workbook takes about 10 µs
#: a cell, and a sheet holds at most 1,048,576 rows.
SHEET_MAX_CELLS = 100_000


def atomic_write_excel(
    path: Path,
    sheets: Mapping[str, pd.DataFrame | Sequence[pd.DataFrame]],
    *,
    index: bool | Callable[[str], bool] = False,
) -> Path:
    """Write DataFrames as sheets of one ``.xlsx`` workbook, streamed and atomically.

    A sheet is one frame or several, written one under the other with two blank rows
    between. ``index`` says whether to write each frame's index: one flag for all sheets,
    or a function of the sheet name. The workbook is streamed (openpyxl ``write_only``: rows
    go to disk as they are written, memory stays flat); every text cell is written as text
    (never a formula), text starting with a formula character gets Excel's quote prefix,
    control characters are removed, NaN is an empty cell.
    """
    import pandas as pd
    from openpyxl import Workbook

    with atomic_path(path) as tmp:
        book = Workbook(write_only=True)
        for name, content in sheets.items():
            keep = index(name) if callable(index) else index
            sheet = book.create_sheet(clean_text(name)[:31])
            frames = [content] if isinstance(content, pd.DataFrame) else list(content)
            for k, frame in enumerate(frames):
                if k:
                    sheet.append([])
                    sheet.append([])
                for row in _rows(frame.reset_index() if keep else frame, sheet):
                    sheet.append(row)
        book.save(tmp)
    return path


def _rows(frame: pd.DataFrame, sheet: Any) -> Iterator[list[Any]]:
    """The header then the rows of ``frame`` as cell values (column by column conversion)."""
    import numpy as np

    def label(col: Any) -> str:
        return " ".join(map(str, col)) if isinstance(col, tuple) else str(col)

    yield [_text(sheet, label(c)) for c in frame.columns]
    columns: list[list[Any]] = []
    for col in range(frame.shape[1]):
        values = frame.iloc[:, col].to_numpy()
        if values.dtype.kind == "f":
            floats = values.astype(float)
            cells: list[Any] = floats.tolist()
            for i in np.flatnonzero(~np.isfinite(floats)).tolist():
                cells[i] = None
        elif values.dtype.kind in "iub":
            cells = values.tolist()
        else:
            cells = [_value(sheet, v) for v in values.tolist()]
        columns.append(cells)
    yield from (list(row) for row in zip(*columns, strict=True))


def _value(sheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        return _text(sheet, value)
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool | int | float):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        return value
    return _text(sheet, str(value))


def _text(sheet: Any, value: str) -> Any:
    """A text cell: control characters removed; one starting with a formula character is a
    cell typed as text with the quote prefix (a plain string starting with ``=`` would be
    stored as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    text = clean_text(value)
    if not text.startswith(FORMULA_PREFIXES):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def spill_large(
    folder: Path,
    name: str,
    frame: pd.DataFrame,
    summary: pd.DataFrame | None = None,
    *,
    max_cells: int = SHEET_MAX_CELLS,
    shown: tuple[str, str] = ("摘要", "a summary"),
) -> pd.DataFrame | list[pd.DataFrame]:
    """``frame`` itself when it fits a sheet (≤ ``max_cells`` cells); otherwise it is
    written atomically to ``folder/<name>.parquet`` and the sheet gets a pointer to that file
    and ``summary`` (default: :func:`table_summary`), which ``shown`` names (Chinese,
    English) in the pointer."""
    if frame.size <= max_cells:
        return frame
    import pandas as pd

    file = f"{safe_file_name(name)}.parquet"
    with atomic_path(folder / file) as tmp:
        frame.to_parquet(tmp, index=False)
    pointer = pd.DataFrame(
        {
            "note": [
                f"完整表格（{len(frame):,} 行）见同一文件夹的 {file}；此处为{shown[0]}",
                f"The full table ({len(frame):,} rows) is in {file} in the same folder "
                f"(pandas.read_parquet, DuckDB, or Excel's Power Query); below, {shown[1]}",
            ]
        }
    )
    return [pointer, table_summary(frame) if summary is None else summary]


def table_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean, minimum and maximum of every numeric column, per year (and indicator) where the
    table has those columns."""
    keys = [c for c in ("year", "indicator", "pillar") if c in frame.columns]
    numeric = [
        c
        for c in frame.columns
        if c not in keys and frame[c].dtype.kind in "fiu" and frame[c].dtype.kind != "b"
    ]
    if not keys:
        return frame[numeric].agg(["mean", "min", "max"]).T.rename_axis("column").reset_index()
    stats = frame.groupby(keys, sort=True)[numeric].agg(["mean", "min", "max"])
    stats.columns = [" ".join(map(str, pair)) for pair in stats.columns.to_list()]
    return stats.reset_index()


def clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` without control characters in text cells, column names and index
    labels (openpyxl refuses them; terminals would execute them)."""

    def clean(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(clean(v) for v in value)
        return clean_text(value) if isinstance(value, str) else value

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(clean)
    out.columns = out.columns.map(clean)
    out.index = out.index.map(clean)
    return out


# ---------------------------------------------------------------------------- names


def safe_file_name(label: str, *, fallback: str = "region") -> str:
    """A file-name part from ``label``: letters (any script), digits, ``.``, ``-``, ``_``;
    anything else (``/``, ``..``, spaces, controls) becomes ``_``.

    >>> safe_file_name("/../../x")
    'x'
    >>> safe_file_name("340000")
    '340000'
    """
    part = _FILE_NAME.sub("_", clean_text(label)).strip("._-")
    return part[:100] or fallback


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, checked to resolve inside ``folder`` (no separators, no ``..``)."""
    path = folder / name
    base = folder.resolve()
    resolved = path.resolve()
    if resolved.parent != base or name in ("", ".", "..") or Path(name).name != name:
        raise InputError(
            f"refusing to write {name!r}: it would not be a file inside {folder}",
            hint="file names are built from region codes; check the region labels of your file",
        )
    return path


# ---------------------------------------------------------------------------- sets


@contextmanager
def output_set(
    out: str | Path,
    *,
    kind: str,
    spec_hash: str = "",
    force: bool = False,
    names: Collection[str] = (),
) -> Iterator[Path]:
    """Stage the files of one run and swap them into ``out`` as a whole.

    Yields the staging folder: write every file of the run into it. When the block ends
    without error the staged folder (plus the other runs' files already in ``out``)
    replaces ``out``; on any error, or if the process dies, ``out`` is left as it was and
    the staging folder is removed (now, or by the next run into ``out``).

    Parameters
    ----------
    kind:
        What wrote the set (``"assess"``, ``"opportunities:340000"``): a re-run of the same
        kind replaces its files, files of other kinds are kept.
    spec_hash:
        Recorded in the manifest beside the file list.
    force:
        Write even if ``out`` holds files NQPF did not write (they are kept).
    names:
        File names this kind writes: such files in a folder without a manifest (written by
        an older NQPF) count as this kind's previous run rather than as foreign files.
    """
    out = Path(out)
    target = Path(os.path.abspath(out))
    try:
        if target.exists() and not target.is_dir():
            raise InputError(
                f"the output folder {out} is a file",
                hint="pass --out a folder name (it is created if missing)",
            )
        parent = target.parent
        parent.mkdir(parents=True, exist_ok=True)
        with _folder_lock(parent, target.name):
            _recover(parent, target)
            manifest = _read_manifest(target)
            runs: dict[str, Any] = dict(manifest.get("runs", {}))
            own = set(runs.get(kind, {}).get("files", ()))
            listed = {f for r in runs.values() for f in r.get("files", ())}
            present = (
                sorted(p.name for p in target.iterdir() if not p.name.startswith(_INNER_STAGE))
                if target.is_dir()
                else []
            )
            foreign = [n for n in present if n != MANIFEST and n not in listed and n not in names]
            own |= {n for n in present if n in names and n not in listed}
            if foreign and not force:
                shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
                raise InputError(
                    f"the output folder {out} holds files NQPF did not write ({shown})",
                    hint="choose a new or empty folder with --out, or pass --force to write "
                    "beside them (they are kept)",
                )
            cwd = Path.cwd().resolve()
            in_place = bool(foreign) or target.resolve() in (cwd, *cwd.parents)
            stage, in_place = _make_stage(parent, target, in_place=in_place)
            try:
                yield stage
                written = sorted(p.name for p in stage.iterdir())
                kept = [n for n in present if n not in own and n != MANIFEST and n not in written]
                final = set(kept) | set(written)
                runs[kind] = {
                    "files": written,
                    "spec_hash": spec_hash,
                    "written_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
                for other in list(runs):
                    files = [f for f in runs[other].get("files", ()) if f in final]
                    if files:
                        runs[other]["files"] = files
                    else:
                        del runs[other]
                text = json.dumps({"runs": runs}, ensure_ascii=False, indent=1, sort_keys=True)
                if in_place:
                    for name in written:
                        os.replace(stage / name, target / name)
                    for name in sorted(own - set(written)):
                        (target / name).unlink(missing_ok=True)
                    atomic_write_text(target / MANIFEST, text)
                else:
                    for name in kept:
                        _link_or_copy(target / name, stage / name)
                    atomic_write_text(stage / MANIFEST, text)
                    os.chmod(stage, DIR_MODE)
                    _swap(stage, target)
            finally:
                shutil.rmtree(stage, ignore_errors=True)
    except OSError as exc:
        raise _write_error(exc, out) from None


#: Prefix of a staging folder made inside the output folder (when its parent is read-only).
_INNER_STAGE = ".nqpf-stage-"


def _make_stage(parent: Path, target: Path, *, in_place: bool) -> tuple[Path, bool]:
    """A staging folder beside ``target``; inside it (then committed file by file) when the
    parent is not writable but ``target`` is."""
    try:
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.nqpf-stage-", dir=parent)), in_place
    except PermissionError:
        if not target.is_dir():
            raise
        return Path(tempfile.mkdtemp(prefix=_INNER_STAGE, dir=target)), True


def _write_error(exc: OSError, out: Path) -> InputError:
    reason = exc.strerror or type(exc).__name__
    return InputError(
        f"cannot write the output folder {out}: {reason}",
        hint="choose a folder you can write to with --out, and check the free disk space",
    )


@contextmanager
def _folder_lock(parent: Path, name: str) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock = FileLock(str(parent / f".{name}.nqpf-lock"), timeout=600)
    try:
        with lock:
            yield
    except Timeout:
        raise InputError(
            f"another NQPF run is writing into {parent / name}", hint="wait for it to finish"
        ) from None


def _read_manifest(out: Path) -> dict[str, Any]:
    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("runs"), dict) else {}


def _recover(parent: Path, out: Path) -> None:
    """Clean up after a run that died: restore ``out`` from its backup if the two-rename
    swap was cut between the renames, and remove stale staging folders (we hold the lock,
    so no other run is using them)."""
    backups = sorted(parent.glob(f".{_glob_escape(out.name)}.nqpf-old-*"))
    if backups and not out.exists():
        os.rename(backups[-1], out)
        backups = backups[:-1]
    inner = list(out.glob(f"{_INNER_STAGE}*")) if out.is_dir() else []
    for stale in [*backups, *parent.glob(f".{_glob_escape(out.name)}.nqpf-stage-*"), *inner]:
        shutil.rmtree(stale, ignore_errors=True)


def _glob_escape(name: str) -> str:
    """``name`` with glob metacharacters escaped."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _link_or_copy(src: Path, dst: Path) -> None:
    if src.is_dir() and not src.is_symlink():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_file)
    elif src.is_symlink():
        os.symlink(os.readlink(src), dst)
    else:
        _link_file(str(src), str(dst))


def _link_file(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _swap(stage: Path, out: Path) -> None:
    """Put ``stage`` at ``out``; afterwards ``stage`` holds the old content (if any)."""
    if not out.exists():
        os.rename(stage, out)
        return
    if _exchange(stage, out):
        return
    backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.nqpf-old-", dir=out.parent))
    backup.rmdir()
    os.rename(out, backup)
    os.rename(stage, out)
    os.rename(backup, stage)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ``renameat2`` with ``RENAME_EXCHANGE``)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    with contextlib.suppress(Exception):
        result = renameat2(
            at_fdcwd,
            os.fsencode(a.absolute()),
            at_fdcwd,
            os.fsencode(b.absolute()),
            rename_exchange,
        )
        return bool(result == 0)
    return False
