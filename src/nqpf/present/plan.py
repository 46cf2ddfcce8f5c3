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


_REVEALED_TITLE = "防止一哄而上：实际进入与结构趋同 Revealed herding and structural convergence"


def write_plan_result(result: PlanResult, out_dir: str | Path) -> list[Path]:
    """Write ``<kind>.xlsx`` and ``<kind>.html`` into ``out_dir``; returns both paths."""
    out = Path(out_dir)
    xlsx = write_xlsx(result, out / f"{result.kind}.xlsx")
    page = atomic_write_text(out / f"{result.kind}.html", _page(result))
    return [xlsx, page]


def _page(result: PlanResult) -> str:
    revealed = result.kind == "herding" and result.spec.get("view") == "revealed"
    title = _REVEALED_TITLE if revealed else _TITLES.get(result.kind, result.kind)
    figures = [f for f in (_figure(result), _convergence(result)) if f is not None]
    parts = [notes_html([*result.notes, *result.warnings])]
    if figures:
        parts.append(figures_html(figures))
    for name, table in result.tables().items():
        parts.append(f"<h2>{html.escape(name)}</h2>")
        parts.append(
            table.head(500).to_html(
                index=False, escape=True, na_rep="", float_format=lambda v: f"{v:.4g}"
            )
        )
    parts.append(f"<p>spec_hash {html.escape(result.spec_hash)}</p>")
    return html_page(title, "\n".join(parts))


def _convergence(result: PlanResult) -> tuple[str, Any] | None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    path = result.tables().get("convergence")
    if path is None or path.empty:
        return None
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(x=path["year"], y=path["krugman_mean"], name="Krugman 差异度 (mean)"),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(x=path["year"], y=path["similarity_mean"], name="相似系数 similarity (mean)"),
        secondary_y=True,
    )
    return "产业结构趋同 Structural convergence", fig


def _figure(result: PlanResult) -> tuple[str, Any] | None:
    import plotly.graph_objects as go

    main = result.to_frame()
    if result.kind == "herding" and not main.empty:
        fig = go.Figure(go.Bar(x=main["name"], y=main["herding_index"]))
        fig.update_layout(yaxis_title="herding index", yaxis_range=[0, 1])
        return "扎堆度 Herding index by field", fig
    if result.kind == "targets" and not main.empty:
        if "statement" in main.columns:  # national statements: the latest one
            main = main[main["statement"] == main["statement"].iloc[0]]
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
