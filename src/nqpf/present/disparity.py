"""Outputs of the disparity and diagnosis analyses: ``disparity.xlsx`` (every table),
``disparity.html`` (offline figures) and ``diagnosis.xlsx``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from nqpf.diagnose.diagnosis import Diagnosis
from nqpf.disparity.report import DisparityReport
from nqpf.outputs import atomic_write_excel, atomic_write_text, output_set
from nqpf.present.page import figures_html, html_page

__all__ = ["write_diagnosis", "write_disparity"]


def write_disparity(
    report: DisparityReport, out_dir: str | Path, *, force: bool = False
) -> list[Path]:
    """Write ``disparity.xlsx`` (every table) and ``disparity.html`` (offline figures) as one
    set (see :func:`nqpf.outputs.output_set`)."""
    out = Path(out_dir)
    names = ("disparity.xlsx", "disparity.html")
    with output_set(out, kind="disparity", force=force, names=names) as stage:
        atomic_write_excel(stage / names[0], report.tables())
        atomic_write_text(stage / names[1], _html(report))
    return [out / name for name in names]


def _figures(report: DisparityReport) -> list[dict[str, Any]]:
    """The page's figures as plotly figure dicts (see :func:`nqpf.present.page.figure_div`):
    the year × value density surface, group means, the overall Gini and the decomposition
    shares."""
    surface = report.kde.surface
    kde = {
        "data": [
            {
                "type": "surface",
                "x": surface.columns.to_numpy(dtype=float).tolist(),
                "y": surface.index.to_numpy().tolist(),
                "z": surface.to_numpy(dtype=float).tolist(),
                "colorscale": "Viridis",
            }
        ],
        "layout": {
            "title": {"text": "核密度动态 Kernel density by year"},
            "scene": {
                "xaxis": {"title": {"text": report.label}},
                "yaxis": {"title": {"text": "年份 year"}},
                "zaxis": {"title": {"text": "密度"}},
            },
            "height": 600,
        },
    }
    trends = report.group_trends
    years = trends["year"].tolist()
    trend = {
        "data": [
            {"type": "scatter", "x": years, "y": trends[c].tolist(), "name": str(c)}
            for c in trends.columns[1:]
        ],
        "layout": {
            "title": {"text": "分区域均值 Group means"},
            "yaxis": {"title": {"text": report.label}},
        },
    }
    s = report.dagum.summary
    gini = {
        "data": [{"type": "scatter", "x": s["year"].tolist(), "y": s["G"].tolist(), "name": "G"}],
        "layout": {"title": {"text": "总体基尼系数 Overall Dagum Gini G"}},
    }
    share = {
        "data": [
            {"type": "bar", "x": s["year"].tolist(), "y": (100 * s[col]).tolist(), "name": name}
            for col, name in (
                ("share_w", "区域内 within G_w"),
                ("share_nb", "区域间 net between G_nb"),
                ("share_t", "超变密度 transvariation G_t"),
            )
        ],
        "layout": {
            "barmode": "stack",
            "title": {"text": "Dagum 基尼系数分解贡献率 Decomposition shares (%)"},
        },
    }
    return [kde, trend, gini, share, *_spatial_figures(report)]


def _spatial_figures(report: DisparityReport) -> list[dict[str, Any]]:
    """Global Moran's I by year and the LISA clusters by year, when the report has them."""
    out: list[dict[str, Any]] = []
    if report.moran is not None:
        m = report.moran
        out.append(
            {
                "data": [
                    {
                        "type": "scatter",
                        "mode": "lines+markers",
                        "x": m["year"].tolist(),
                        "y": m["I"].tolist(),
                        "text": [
                            f"n = {n}, p_sim = {p:.3f}"
                            for n, p in zip(m["n"], m["p_sim"], strict=True)
                        ],
                        "name": "I",
                    }
                ],
                "layout": {"title": {"text": "全局莫兰指数 Global Moran's I (queen contiguity)"}},
            }
        )
    if report.lisa is not None:
        counts = report.lisa.groupby(["year", "cluster"]).size().unstack(fill_value=0)
        out.append(
            {
                "data": [
                    {"type": "bar", "x": counts.index.tolist(), "y": counts[c].tolist(), "name": c}
                    for c in ("HH", "LL", "HL", "LH")
                    if c in counts.columns
                ],
                "layout": {
                    "barmode": "stack",
                    "title": {"text": "局部莫兰 LISA clusters (p_sim < 0.05): units per cluster"},
                },
            }
        )
    return out


def _html(report: DisparityReport) -> str:
    s = report.dagum.summary
    table = s.round(4).to_html(index=False, border=0)
    notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in report.notes)
    body = f"<p>分组 grouping: {html.escape(report.grouping)}</p>{notes}{table}\n" + figures_html(
        [(None, f) for f in _figures(report)]
    )
    return html_page(
        f"区域差异 Disparities — {report.label}",
        body,
        heading=f"区域差异与动态演进 Regional disparities: {report.label}",
    )


def write_diagnosis(diagnosis: Diagnosis, out_dir: str | Path, *, force: bool = False) -> Path:
    """Write ``diagnosis.xlsx``: obstacles, pillar obstacles, coupling, trajectory (one set
    per region in the folder, see :func:`nqpf.outputs.output_set`)."""
    out = Path(out_dir)
    name = "diagnosis.xlsx"
    kind = f"diagnose:{diagnosis.region}"
    with output_set(out, kind=kind, force=force, names=[name]) as stage:
        atomic_write_excel(stage / name, diagnosis.tables())
    return out / name
