"""Outputs of the disparity and diagnosis analyses: ``disparity.xlsx`` (every table),
``disparity.html`` (offline figures) and ``diagnosis.xlsx``.
"""

from __future__ import annotations

import html
from pathlib import Path

from nqpf.diagnose.diagnosis import Diagnosis
from nqpf.disparity.report import DisparityReport
from nqpf.outputs import atomic_write_excel, atomic_write_text
from nqpf.present.page import figures_html, html_page

__all__ = ["write_diagnosis", "write_disparity"]


def write_disparity(report: DisparityReport, out_dir: str | Path) -> list[Path]:
    """Write ``disparity.xlsx`` (every table) and ``disparity.html`` (offline figures)."""
    out = Path(out_dir)
    xlsx = atomic_write_excel(out / "disparity.xlsx", report.tables())
    page = atomic_write_text(out / "disparity.html", _html(report))
    return [xlsx, page]


def _html(report: DisparityReport) -> str:
    import plotly.graph_objects as go

    surface = report.kde.surface
    fig_kde = go.Figure(
        go.Surface(
            x=surface.columns.to_numpy(dtype=float),
            y=surface.index.to_numpy(),
            z=surface.to_numpy(),
            colorscale="Viridis",
        )
    )
    fig_kde.update_layout(
        title="核密度动态 Kernel density by year",
        scene={"xaxis_title": report.label, "yaxis_title": "年份 year", "zaxis_title": "密度"},
        height=600,
    )
    trends = report.group_trends
    fig_trend = go.Figure(
        [go.Scatter(x=trends["year"], y=trends[c], name=str(c)) for c in trends.columns[1:]]
    )
    fig_trend.update_layout(title="分区域均值 Group means", yaxis_title=report.label)
    s = report.dagum.summary
    fig_share = go.Figure(
        [
            go.Bar(x=s["year"], y=100 * s[col], name=name)
            for col, name in (
                ("share_w", "区域内 within G_w"),
                ("share_nb", "区域间 net between G_nb"),
                ("share_t", "超变密度 transvariation G_t"),
            )
        ]
    )
    fig_share.update_layout(
        barmode="stack", title="Dagum 基尼系数分解贡献率 Decomposition shares (%)"
    )
    fig_g = go.Figure(go.Scatter(x=s["year"], y=s["G"], name="G"))
    fig_g.update_layout(title="总体基尼系数 Overall Dagum Gini G")
    table = s.round(4).to_html(index=False, border=0)
    notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in report.notes)
    body = f"<p>分组 grouping: {html.escape(report.grouping)}</p>{notes}{table}\n" + figures_html(
        [(None, f) for f in (fig_kde, fig_trend, fig_g, fig_share)]
    )
    return html_page(
        f"区域差异 Disparities — {report.label}",
        body,
        heading=f"区域差异与动态演进 Regional disparities: {report.label}",
    )


def write_diagnosis(diagnosis: Diagnosis, out_dir: str | Path) -> Path:
    """Write ``diagnosis.xlsx``: obstacles, pillar obstacles, coupling, trajectory."""
    return atomic_write_excel(Path(out_dir) / "diagnosis.xlsx", diagnosis.tables())
