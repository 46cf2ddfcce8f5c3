"""Outputs of the planning results (herding, layout, targets): ``<kind>.xlsx`` (every table,
provenance, spec) and ``<kind>.html`` (offline page: notes, warnings, a chart, the tables)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from nqpf.outputs import atomic_write_text
from nqpf.plan.report import PlanResult
from nqpf.present.page import figures_html, html_page, notes_html
from nqpf.present.tables import write_xlsx

__all__ = ["write_plan_result"]

_TITLES = {
    "herding": "防止一哄而上：重点产业扎堆度 Herding of declared priorities",
    "layout": "全国一盘棋：重点产业布局优化 National layout of priority industries",
    "targets": "目标跟踪 Target tracking",
}


def write_plan_result(result: PlanResult, out_dir: str | Path) -> list[Path]:
    """Write ``<kind>.xlsx`` and ``<kind>.html`` into ``out_dir``; returns both paths."""
    out = Path(out_dir)
    xlsx = write_xlsx(result, out / f"{result.kind}.xlsx")
    page = atomic_write_text(out / f"{result.kind}.html", _page(result))
    return [xlsx, page]


def _page(result: PlanResult) -> str:
    title = _TITLES.get(result.kind, result.kind)
    figure = _figure(result)
    parts = [notes_html([*result.notes, *result.warnings])]
    if figure is not None:
        parts.append(figures_html([figure]))
    for name, table in result.tables().items():
        parts.append(f"<h2>{html.escape(name)}</h2>")
        parts.append(
            table.head(500).to_html(
                index=False, escape=True, na_rep="", float_format=lambda v: f"{v:.4g}"
            )
        )
    parts.append(f"<p>spec_hash {html.escape(result.spec_hash)}</p>")
    return html_page(title, "\n".join(parts))


def _figure(result: PlanResult) -> tuple[str, Any] | None:
    import plotly.graph_objects as go

    main = result.to_frame()
    if result.kind == "herding" and not main.empty:
        fig = go.Figure(go.Bar(x=main["name"], y=main["herding_index"]))
        fig.update_layout(yaxis_title="herding index", yaxis_range=[0, 1])
        return "扎堆度 Herding index by field", fig
    if result.kind == "targets" and not main.empty:
        fig = go.Figure(
            [
                go.Bar(
                    x=main["region_name"],
                    y=main["required_growth"] * 100,
                    name="所需增速 required %",
                ),
                go.Bar(
                    x=main["region_name"], y=main["historical_cagr"] * 100, name="历史增速 CAGR %"
                ),
            ]
        )
        return "所需增速与历史增速 Required growth vs CAGR", fig
    if result.kind == "layout" and not main.empty:
        counts = main.groupby("industry").size().sort_values(ascending=False).head(40)
        fig = go.Figure(go.Bar(x=counts.index.astype(str), y=counts.to_numpy()))
        fig.update_layout(yaxis_title="hub regions")
        return "各产业布局地区数 Hub regions per industry", fig
    return None
