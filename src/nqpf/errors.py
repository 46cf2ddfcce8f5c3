"""Errors that NQPF raises on bad input.

Every error says *where* the problem is (file, row, column, value) and *what to do*.
The CLI prints them without a traceback and exits with status 2; the REST API maps
them to HTTP 4xx. Anything else escaping NQPF is a bug.
"""

from __future__ import annotations

__all__ = [
    "DataImportWarning",
    "InputError",
    "NQPFError",
    "NQPFWarning",
    "NotFoundError",
    "RegionIsGroupError",
    "UnknownRegionError",
    "UnsupportedFileError",
]


class NQPFError(Exception):
    """Base class of all errors NQPF raises on purpose."""


class NQPFWarning(UserWarning):
    """Base class of NQPF's warnings: something was dropped, flagged or assumed."""


class DataImportWarning(NQPFWarning):
    """Rows dropped or changed on import (regional subtotals, …); the message says which."""


class InputError(NQPFError, ValueError):
    """Bad input data or options, located as precisely as possible.

    Parameters
    ----------
    message:
        What is wrong, in one sentence.
    file, row, column:
        Where it is. ``row`` is the 1-based line/row number as a spreadsheet program shows it.
    hint:
        What the user should do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        if self.hint:
            text += f" — {self.hint}"
        return text


class UnknownRegionError(InputError, KeyError):
    """A region name or code that the registry cannot resolve; carries suggestions."""

    def __init__(self, name: object, suggestions: list[str], **where: object) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = (
            f"did you mean {', '.join(suggestions)}?"
            if suggestions
            else "use a province name (北京 / 北京市 / Beijing) or a GB/T 2260 code (110000)"
        )
        super().__init__(f"unknown region {name!r}", hint=hint, **where)  # type: ignore[arg-type]

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self._render()


class NotFoundError(InputError, KeyError):
    """A stored thing (a board post, an imported data set …) asked for by an id that does
    not exist (HTTP 404 in the API)."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self._render()


class UnsupportedFileError(InputError):
    """A file of a type NQPF does not read, or whose content is not what its name says
    (HTTP 415 in the API)."""


class RegionIsGroupError(InputError, KeyError):
    """A regional subtotal (东部地区 …) given where a single province is expected."""

    def __init__(self, name: object, group: str, **where: object) -> None:
        self.name = name
        self.group = group
        super().__init__(
            f"{name!r} is the regional subtotal {group!r}, not a province",
            hint="drop subtotal rows or use nqpf.regions.members(group) for its provinces",
            **where,  # type: ignore[arg-type]
        )

    def __str__(self) -> str:
        return self._render()
