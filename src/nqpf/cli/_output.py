"""One ``--format table|csv|json`` for every command that prints a table, and tables that fit.

* ``table`` (default): a rich table sized to the terminal (``$COLUMNS`` when set, else the
  terminal's width, 80 in a pipe). A number is never cut: a numeric column is as wide as its
  widest number. Text wraps (a word longer than its column folds onto the next line), so a
  name is never shortened to ``…``. When even the narrowest layout is too wide, the columns a
  command marks as droppable go first (highest ``drop`` first) and a note names them and how
  to see them (``--format csv``, or a wider terminal).
* ``csv``: the command's main table, every column at full precision, UTF-8, on stdout.
* ``json``: the result's :meth:`~nqpf.results.Result.to_json` document (schema
  ``nqpf.result``) where the command has a result object, otherwise
  ``{"tables": {name: {"columns": [...], "rows": [[...], ...]}}}`` in the same table layout.

In csv and json mode nothing else reaches stdout: notes, progress and "wrote …" lines go to
stderr (:func:`messages`), so ``nqpf assess --format csv > scores.csv`` is a clean file. No
markup, colour or control characters are written in those modes.

Nothing heavy is imported here at module import (``nqpf --help`` stays fast): pandas and rich
are imported by the functions that draw.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.text import Text

    from nqpf.results import Result

__all__ = [
    "OUTPUT_DIR",
    "Col",
    "Format",
    "FormatOption",
    "emit",
    "frame_columns",
    "messages",
    "num",
    "show_table",
]

Format = Literal["table", "csv", "json"]

#: The one default output folder of every command that writes files (ignored by git).
OUTPUT_DIR = Path("nqpf-output")

#: The shared ``--format`` option; every command that prints a table takes it as ``fmt``.
FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        help="输出格式 Output: table (fits the terminal) | csv (main table, full precision) | "
        "json (the whole result), csv/json clean on stdout",
    ),
]

#: A cell formatter: the raw value → the text shown (``str`` or a styled rich ``Text``).
Formatter = Callable[[Any], "str | Text"]


def num(spec: str, *, blank: str = "") -> Formatter:
    """A formatter of numbers by a format spec (``".3f"``, ``".1%"``, ``",.0f"``); missing
    values (None, NaN) show as ``blank``."""

    def fmt(value: Any) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return blank
        try:
            return format(value, spec)
        except (TypeError, ValueError):
            return str(value)

    return fmt


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


@dataclass(frozen=True)
class Col:
    """A column of a terminal table.

    ``key`` names the frame's column (or any key of the row mapping given to ``cell``),
    ``header`` is shown, ``cell`` formats the raw value. ``numeric`` columns are right-aligned
    and never narrower than their widest cell; text columns wrap. ``drop`` > 0 marks a column
    that may be left out when the terminal is too narrow (the highest goes first); 0 = always
    shown.
    """

    key: str
    header: str
    cell: Formatter = _text
    numeric: bool = False
    drop: int = 0
    row: bool = False  # cell() gets the whole row (a mapping), not one value


def frame_columns(
    frame: pd.DataFrame,
    cell: Callable[[Any, str], str | Text] | None = None,
    *,
    keep: int = 1,
) -> list[Col]:
    """Columns of ``frame`` as they are: numeric columns right-aligned; ``cell(value,
    column)`` formats a value (default ``str``); past the first ``keep`` columns, the last
    column is the first to drop on a narrow terminal."""
    import pandas as pd

    def formatter(column: str) -> Formatter:
        if cell is None:
            return _text
        return lambda value: cell(value, column)

    return [
        Col(
            str(c),
            str(c),
            formatter(str(c)),
            numeric=bool(pd.api.types.is_numeric_dtype(frame[c])),
            drop=0 if j < keep else j,
        )
        for j, c in enumerate(frame.columns)
    ]


def messages(fmt: Format) -> Console:
    """Where a command prints lines beside its table: stdout for ``table``, stderr for csv and
    json (so stdout carries only the data)."""
    from nqpf.cli._console import stderr, stdout

    return stdout() if fmt == "table" else stderr()


def _write_stdout(text: str) -> None:
    """``text`` on stdout as UTF-8, whatever the locale's encoding."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def emit(
    fmt: Format,
    tables: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    *,
    result: Result | None = None,
) -> None:
    """Write the machine-readable form: csv (the first table, or the result's main table),
    json (the result's document, or the tables in its table layout)."""
    import json

    from nqpf.results import table_json

    if tables is None:
        if result is None:
            raise ValueError("emit() needs tables or a result")
        named: Mapping[str, pd.DataFrame] = {"main": result.to_frame()}
    elif isinstance(tables, Mapping):
        named = tables
    else:
        named = {"main": tables}
    if fmt == "csv":
        frame = next(iter(named.values()))
        _write_stdout(frame.to_csv(index=_keeps_index(frame), lineterminator="\n"))
    elif fmt == "json":
        if result is not None:
            text = result.to_json()
        else:
            doc = {"tables": {name: table_json(frame) for name, frame in named.items()}}
            text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
        _write_stdout(text + "\n")
    else:
        raise ValueError(f"emit() writes csv or json, not {fmt!r}")


def _keeps_index(frame: pd.DataFrame) -> bool:
    """A named (or multi-level) index is data; a default RangeIndex is not."""
    return any(name is not None for name in frame.index.names)


def terminal_width(console: Console) -> int:
    """``$COLUMNS`` when set (read on every call), else the console's width."""
    env = os.environ.get("COLUMNS", "")
    return int(env) if env.isdigit() and int(env) > 0 else console.width


_MIN_TEXT = 6  # a text column is not squeezed below this many cells while others can drop
_MAX_COMFORT = 16  # a column holding one longer word may fold it rather than drop others
_MAX_HEADER = 12  # a header word longer than this folds rather than widening its column


def _word_width(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(w) for w in text.split()), default=0)


def _line_width(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.split("\n")), default=0)


def show_table(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]],
    columns: Sequence[Col],
    *,
    title: str | None = None,
    row_styles: Sequence[str | None] | None = None,
    console: Console | None = None,
) -> list[str]:
    """Print ``frame`` as a table that fits the terminal; returns the headers dropped."""
    from rich.table import Table
    from rich.text import Text

    from nqpf.cli._console import stdout

    console = console or stdout()
    import pandas as pd

    rows: Sequence[Mapping[Any, Any]] = (
        frame.to_dict("records") if isinstance(frame, pd.DataFrame) else frame
    )
    cells: list[list[str | Text]] = [
        [c.cell(row) if c.row else c.cell(row[c.key]) for c in columns] for row in rows
    ]

    def plain(value: str | Text) -> str:
        return value.plain if isinstance(value, Text) else value

    # per column: natural (no wrapping), comfortable (no word folded), minimum (squeezed)
    natural, comfortable, minimum = [], [], []
    for j, col in enumerate(columns):
        texts = [plain(r[j]) for r in cells]
        widest = max((_line_width(t) for t in texts), default=0)
        header_word = min(_word_width(col.header), _MAX_HEADER)
        if col.numeric:
            need = max(widest, header_word, 1)
            natural.append(max(need, _line_width(col.header)))
            comfortable.append(need)
            minimum.append(need)
        else:
            natural.append(max(widest, _line_width(col.header), 1))
            words = max([_word_width(t) for t in texts] + [header_word, 1])
            comfortable.append(min(words, natural[-1], _MAX_COMFORT))
            minimum.append(min(words, max(_MIN_TEXT, header_word)))
    width = terminal_width(console)
    keep = list(range(len(columns)))

    def frame_width(indices: list[int], widths: Sequence[int] | Mapping[int, int]) -> int:
        return sum(widths[i] + 3 for i in indices) + 1

    droppable = sorted((c.drop, j) for j, c in enumerate(columns) if c.drop > 0)
    while frame_width(keep, comfortable) > width and droppable:
        keep.remove(droppable.pop()[1])
    dropped = [columns[j].header.replace("\n", " ") for j in range(len(columns)) if j not in keep]
    widths = {j: natural[j] for j in keep}
    if frame_width(keep, natural) > width:
        widths = {j: minimum[j] for j in keep}
        spare = width - frame_width(keep, minimum)
        # whole words first (cheapest columns first), then whole cells: text in proportion
        # to what each lacks, then the headers of numbers
        for j in sorted(keep, key=lambda i: comfortable[i] - widths[i]):
            step = max(0, min(spare, comfortable[j] - widths[j]))
            widths[j] += step
            spare -= step
        for numeric in (False, True):
            lack = {
                j: natural[j] - widths[j]
                for j in keep
                if columns[j].numeric == numeric and natural[j] > widths[j]
            }
            total = sum(lack.values())
            if total and spare:
                share = {j: min(d, spare * d // total) for j, d in lack.items()}
                for j, step in share.items():
                    widths[j] += step
                spare -= sum(share.values())
                for j in sorted(lack, key=lambda i: natural[i] - widths[i], reverse=True):
                    step = max(0, min(spare, natural[j] - widths[j], 1))
                    widths[j] += step
                    spare -= step
    table = Table(title=title, header_style="bold")
    for j in keep:
        col = columns[j]
        table.add_column(
            col.header,
            justify="right" if col.numeric else "left",
            width=widths[j],
            overflow="fold",
            no_wrap=False,
        )
    for i, row_cells in enumerate(cells):
        style = row_styles[i] if row_styles is not None else None
        table.add_row(*(row_cells[j] for j in keep), style=style)
    # the console draws at the width laid out here ($COLUMNS may differ from the width it
    # found when created); wider only when even the narrowest layout is, so that a number
    # is never squeezed (the terminal then wraps the line rather than rich cutting it)
    console.width = max(width, frame_width(keep, widths))
    console.print(table)
    console.width = width
    if dropped:
        console.print(
            f"未显示的列 columns not shown (terminal {width} wide): {', '.join(dropped)} — "
            "用 --format csv 或更宽的终端查看 see them with --format csv or a wider terminal",
            style="dim",
            soft_wrap=True,
        )
    return dropped
