"""Outputs of the opportunity analysis: an offline page (industry space, feasibility ×
attractiveness, predictive SWOT) and a workbook.

The layout of the industry space is computed in :mod:`nqpf.industry.space`; the page embeds
plotly.js, so it works offline.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nqpf.industry.screen import OpportunityResult
from nqpf.industry.space import industry_space_layout
from nqpf.outputs import (
    atomic_write_excel,
    atomic_write_text,
    inside,
    output_set,
    safe_file_name,
)
from nqpf.present.page import figures_html, html_page, notes_html

__all__ = ["opportunity_page", "write_opportunities"]


def opportunity_page(
    ranking: pd.DataFrame,
    swot_table: pd.DataFrame,
    proximity_table: pd.DataFrame,
    *,
    title: str,
    notes: list[str],
) -> str:
    """A self-contained HTML page: industry space, feasibility × attractiveness, SWOT."""
    import plotly.graph_objects as go

    coords, edges = industry_space_layout(proximity_table)
    ex, ey = [], []
    for i, j in edges:
        ex += [coords["x"].iloc[i], coords["x"].iloc[j], None]
        ey += [coords["y"].iloc[i], coords["y"].iloc[j], None]
    status = swot_table["quadrant"].reindex(coords.index).fillna("weakness")
    colours = {
        "strength": "#1b7837",
        "threat": "#e08214",
        "opportunity": "#2166ac",
        "weakness": "#bbbbbb",
    }
    space = go.Figure()
    space.add_trace(
        go.Scatter(
            x=ex,
            y=ey,
            mode="lines",
            line={"color": "#dddddd", "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for quadrant, colour in colours.items():
        part = coords[status == quadrant]
        space.add_trace(
            go.Scatter(
                x=part["x"],
                y=part["y"],
                mode="markers+text",
                text=list(part.index),
                textposition="top center",
                textfont={"size": 9},
                name=_QUADRANT_ZH[quadrant],
                marker={"size": 10, "color": colour},
            )
        )
    space.update_layout(
        title="产业空间 Industry space（颜色=预测性SWOT象限）",
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=650,
    )

    scatter = go.Figure(
        go.Scatter(
            x=ranking["feasibility"],
            y=ranking["attractiveness"],
            mode="markers+text",
            text=list(ranking.index),
            textposition="top center",
            textfont={"size": 9},
            marker={
                # the score is on the log-odds scale: size by rank (first = largest)
                "size": 8 + 20 * (1.0 - ranking["score"].rank(pct=True, ascending=False)),
                "color": ranking["score"],
                "colorscale": "Viridis",
                "showscale": True,
            },
            customdata=ranking[["rank", "type"]].to_numpy(),
            hovertemplate="%{text}<br>rank %{customdata[0]} · %{customdata[1]}<extra></extra>",
        )
    )
    scatter.update_layout(
        title="可行性 × 吸引力 Feasibility × attractiveness",
        xaxis_title="可行性 feasibility（进入对数几率 log-odds of entry；无模型时为标准化关联密度）",
        yaxis_title="吸引力 attractiveness（对数几率 log-odds）",
        height=600,
    )

    swot = go.Figure()
    for quadrant, colour in colours.items():
        part = swot_table[swot_table["quadrant"] == quadrant]
        swot.add_trace(
            go.Scatter(
                x=part["expected_rca"],
                y=part["rca"],
                mode="markers",
                text=list(part.index),
                name=_QUADRANT_ZH[quadrant],
                marker={"color": colour},
            )
        )
    swot.add_hline(y=1.0, line_dash="dot")
    swot.add_vline(x=1.0, line_dash="dot")
    swot.update_layout(
        title="预测性SWOT：实际RCA vs 关联预期RCA",
        xaxis_title="expected RCA",
        yaxis_title="RCA",
        yaxis_type="log",
        height=550,
    )

    return html_page(
        title, notes_html(notes) + figures_html([(None, space), (None, scatter), (None, swot)])
    )


_QUADRANT_ZH = {
    "strength": "优势 strength",
    "threat": "隐忧 threat",
    "opportunity": "机会 opportunity",
    "weakness": "弱项 weakness",
}


def write_opportunities(out: Path, result: OpportunityResult, *, force: bool = False) -> list[Path]:
    """``opportunities_{code}.html`` and ``opportunities_{code}.xlsx`` of an
    :class:`~nqpf.industry.screen.OpportunityResult` in ``out``, as one set (see
    :func:`nqpf.outputs.output_set`). The region code may come from a user's file: it is
    made a safe file-name part and the files are checked to stay inside ``out``."""
    code, label, ranking = result.region, result.region_label, result.opportunities
    diagnostic, swot_table, types = result.diagnostic, result.swot, result.types
    notes = [
        f"{r.check}: {r.message_zh} {r.message_en}" for r in diagnostic.itertuples() if not r.ok
    ]
    notes.append(
        "可行性=可行性模型的进入对数几率（无历史期时为标准化关联密度）；吸引力=标准化 PCI、COG、"
        "全国增长、产业类型的加权和（对数几率单位）；得分=两者之和；默认只排可贸易产业"
        "（见 docs/opportunities.md）。"
    )
    page = opportunity_page(
        ranking,
        swot_table,
        result.proximity,
        title=f"{label} 机会产业 industry opportunities",
        notes=notes,
    )
    stem = f"opportunities_{safe_file_name(code)}"
    names = (f"{stem}.html", f"{stem}.xlsx")
    sheets = {
        "strengths": result.strengths,
        "opportunities": ranking,
        "swot": swot_table,
        "diagnostic": diagnostic,
    }
    if types is not None:
        sheets["typing"] = types
    with output_set(out, kind=stem, force=force, names=names) as stage:
        atomic_write_text(inside(stage, names[0]), page)
        atomic_write_excel(inside(stage, names[1]), sheets, index=lambda name: name != "diagnostic")
    return [out / name for name in names]
