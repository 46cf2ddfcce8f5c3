"""Charts of the opportunity analysis: industry space, feasibility × attractiveness, SWOT.

The industry space places industries by classical multidimensional scaling of the distance
1 − φ (Torgerson 1952) and draws the maximum spanning tree of φ (the backbone used by
Hidalgo et al. 2007) plus every link with φ ≥ :data:`STRONG_LINK`. The page embeds
plotly.js, so it works offline.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

__all__ = ["industry_space_layout", "opportunity_page"]

#: Links at least this close are drawn besides the spanning tree (a proximity of one half:
#: either industry's presence predicts the other's in half of the regions or more).
STRONG_LINK = 0.5


def industry_space_layout(
    proximity_table: pd.DataFrame,
) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """2-D coordinates (classical MDS of 1 − φ) and the edges to draw (spanning tree + strong links)."""
    phi = proximity_table.to_numpy(dtype=float)
    n = phi.shape[0]
    d2 = (1.0 - phi) ** 2
    centre = np.eye(n) - 1.0 / n
    b = -0.5 * centre @ d2 @ centre
    values, vectors = np.linalg.eigh(b)
    top = vectors[:, -2:][:, ::-1] * np.sqrt(np.maximum(values[-2:][::-1], 0.0))
    coords = pd.DataFrame(top, index=proximity_table.index, columns=["x", "y"])
    edges = set(_maximum_spanning_tree(phi))
    rows, cols = np.nonzero(np.triu(phi, k=1) >= STRONG_LINK)
    edges.update(zip(rows.tolist(), cols.tolist(), strict=True))
    return coords, sorted(edges)


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
                "size": 8 + 20 * ranking["score"],
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
        xaxis_title="可行性 feasibility（关联密度百分位）",
        yaxis_title="吸引力 attractiveness",
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

    parts = [
        space.to_html(include_plotlyjs=True, full_html=False),
        scatter.to_html(include_plotlyjs=False, full_html=False),
        swot.to_html(include_plotlyjs=False, full_html=False),
    ]
    note_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return (
        "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body style='font-family:sans-serif'>"
        f"<h1>{html.escape(title)}</h1><ul>{note_html}</ul>{''.join(parts)}</body></html>"
    )


_QUADRANT_ZH = {
    "strength": "优势 strength",
    "threat": "隐忧 threat",
    "opportunity": "机会 opportunity",
    "weakness": "弱项 weakness",
}


def _maximum_spanning_tree(phi: np.ndarray) -> list[tuple[int, int]]:
    """Prim's algorithm on the proximity weights (n ≤ a few hundred industries)."""
    n = phi.shape[0]
    if n < 2:
        return []
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    best = phi[0].copy()
    parent = np.zeros(n, dtype=int)
    edges = []
    for _ in range(n - 1):
        candidates = np.where(in_tree, -np.inf, best)
        j = int(np.argmax(candidates))
        edges.append((min(int(parent[j]), j), max(int(parent[j]), j)))
        in_tree[j] = True
        closer = phi[j] > best
        parent[closer] = j
        best = np.maximum(best, phi[j])
    return edges
