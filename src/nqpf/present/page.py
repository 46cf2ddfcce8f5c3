"""The one HTML page shell and the one chart helper of every NQPF page.

Pages are self-contained and work offline: plotly.js is embedded once, in the first figure
(:func:`figures_html`), and pages with a map add :data:`nqpf.maps.OFFLINE_GEO_ASSETS` to the
head. Every piece of text that comes from data or from the user is escaped here
(:func:`html_page` escapes the title and heading, :func:`notes_html` each note).

>>> page = html_page("区域 <b>", "<p>x</p>")
>>> "<title>区域 &lt;b&gt;</title>" in page and "<p>x</p>" in page
True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["figures_html", "html_page", "notes_html"]

_STYLE = "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}</style>"


def html_page(title: str, body: str, *, heading: str | None = None, head: str = "") -> str:
    """A complete page: ``title`` in the tab, ``heading`` (default the title) as ``<h1>``,
    ``body`` (HTML, already safe) under it; ``head`` adds trusted markup to ``<head>``."""
    shown = title if heading is None else heading
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>{_STYLE}{head}</head><body>"
        f"<h1>{html.escape(shown)}</h1>\n{body}\n</body></html>"
    )


def figures_html(figures: Sequence[tuple[str | None, Any]]) -> str:
    """Plotly figures as HTML, each under an ``<h2>`` of its title when it has one; plotly.js
    is embedded in the first figure only (the page needs it once)."""
    parts = []
    for k, (title, fig) in enumerate(figures):
        body = fig.to_html(full_html=False, include_plotlyjs=k == 0)
        parts.append(body if title is None else f"<h2>{html.escape(title)}</h2>\n{body}")
    return "\n".join(parts)


def notes_html(notes: Iterable[str]) -> str:
    """A bulleted list of notes (escaped); empty when there are none."""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"<ul>{items}</ul>" if items else ""
