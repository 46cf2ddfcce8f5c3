"""Consoles shared by the commands (created on first use).

Rich markup, emoji codes and highlighting are off, so user text (file names, labels,
messages) prints literally — ``[/x]`` or ``[link=…]`` in a region name is text, not markup —
and control characters (escape sequences) are removed from every string rendered. Styles
are given explicitly with :func:`styled`.

Long work reports progress through :func:`progress`: a rich bar on a terminal, and a plain
line per tenth of the work on stderr otherwise (logs, pipes, CI), so a two-minute run is
never silent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from rich.console import Console
from rich.text import Text

from nqpf.outputs import clean_text


class SafeConsole(Console):
    """A console that never interprets text: no markup, no emoji, no control characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(clean_text(text, keep_newlines=True), **kwargs)


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line from plain parts and ``(text, style)`` parts, control characters removed."""
    return Text.assemble(
        *(
            (clean_text(p[0], keep_newlines=True), p[1])
            if isinstance(p, tuple)
            else clean_text(p, keep_newlines=True)
            for p in parts
        )
    )


@lru_cache(maxsize=1)
def stdout() -> Console:
    return SafeConsole()


@lru_cache(maxsize=1)
def stderr() -> Console:
    return SafeConsole(stderr=True)


#: A progress callback: ``report(done, total)``.
Report = Callable[[int, int], None]


@contextmanager
def progress(label: str, *, visible: bool = True) -> Iterator[Report]:
    """A ``report(done, total)`` callback drawing ``label``'s progress on stderr.

    On a terminal a transient rich bar; elsewhere one plain line each time another tenth of
    ``total`` is done (``label: 30% (307/1024)``). Nothing is shown when ``visible`` is false.
    """
    console = stderr()
    if not visible:
        yield lambda done, total: None
    elif console.is_terminal:
        from rich.progress import Progress

        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(label, total=None)
            yield lambda done, total: bar.update(task, completed=done, total=total)
    else:
        shown = [-1]

        def report(done: int, total: int) -> None:
            if total <= 0:
                return
            tenth = min(10, done * 10 // total)
            if tenth > shown[0]:
                shown[0] = tenth
                console.print(f"{label}: {tenth * 10}% ({done}/{total})", soft_wrap=True)

        yield report
