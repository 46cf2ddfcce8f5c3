"""The one HTML page shell and the one chart helper of every NQPF page.

Pages are self-contained and work offline: plotly.js is embedded once, in the first figure
(:func:`figures_html`), and pages with a map add :data:`nqpf.maps.OFFLINE_GEO_ASSETS` to the
head. A figure is a ``plotly.graph_objects.Figure`` or a plain figure dict
(``{"data": [trace dicts], "layout": {...}}``, plotly.js's own schema): a dict is written
straight to JSON with Plotly's default template, skipping ``graph_objects``' validation and
deep copies (≈ 0.5 s for the assessment page with its map); tests validate every dict figure
with ``go.Figure``. Every piece of text that comes from data or from the user is escaped here
(:func:`html_page` escapes the title and heading, :func:`notes_html` each note).

>>> page = html_page("区域 <b>", "<p>x</p>")
>>> "<title>区域 &lt;b&gt;</title>" in page and "<p>x</p>" in page
True
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
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
    """Plotly figures (``go.Figure`` or figure dicts) as HTML, each under an ``<h2>`` of its
    title when it has one; plotly.js is embedded in the first figure only (the page needs it
    once)."""
    parts = []
    for k, (title, fig) in enumerate(figures):
        if isinstance(fig, dict):
            body = figure_div(fig, include_plotlyjs=k == 0)
        else:
            body = fig.to_html(full_html=False, include_plotlyjs=k == 0)
        parts.append(body if title is None else f"<h2>{html.escape(title)}</h2>\n{body}")
    return "\n".join(parts)


#: Characters escaped in JSON put inside ``<script>``: no ``</script>``, ``<!--`` or HTML
#: entity can appear, and the line separators that end a JavaScript line are escaped.
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: Any) -> str:
    """``value`` as a JavaScript literal safe inside ``<script>`` (NaN stays ``NaN``, which
    plotly.js draws as a gap, like ``null``).

    >>> script_json({"name": "</script><b>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return text.translate(_SCRIPT_SAFE)


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):  # NumPy arrays and scalars
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    """The plotly.js bundled with the plotly package (what ``include_plotlyjs=True`` embeds)."""
    return resources.files("plotly").joinpath("package_data", "plotly.min.js").read_text("utf-8")


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    """Plotly's default ``plotly`` template, as ``go.Figure`` would add it."""
    path = resources.files("plotly").joinpath("package_data", "templates", "plotly.json")
    template: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return template


def figure_div(fig: dict[str, Any], *, include_plotlyjs: bool) -> str:
    """A figure dict drawn by ``Plotly.newPlot`` in its own ``<div>`` (plotly.js before it
    when ``include_plotlyjs``); the layout gets Plotly's default template unless it has one."""
    layout = {"template": _template(), **fig.get("layout", {})}
    height = layout.get("height")
    size = f"height:{int(height)}px; width:100%;" if height else "height:100%; width:100%;"
    div = f"nqpf-{uuid.uuid4().hex}"
    payload = script_json({"data": fig["data"], "layout": layout})
    js = (
        '<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: "local"};</script>'
        f'<script type="text/javascript">{_plotly_js()}</script>\n'
        if include_plotlyjs
        else ""
    )
    return (
        f'{js}<div id="{div}" class="plotly-graph-div" style="{size}"></div>'
        f'<script type="text/javascript">(function () {{ var f = {payload}; '
        f'Plotly.newPlot("{div}", f.data, f.layout, {{"responsive": true}}); }})();</script>'
    )


def notes_html(notes: Iterable[str]) -> str:
    """A bulleted list of notes (escaped); empty when there are none."""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"<ul>{items}</ul>" if items else ""
