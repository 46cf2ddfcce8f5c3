"""Outputs of an assessment: ``scores.csv``, ``assessment.xlsx`` and an offline ``assessment.html``.

Every file is written atomically: to a temporary file in the target directory, then moved over
the target with :func:`os.replace`, so a reader never sees a half-written file.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nqpf.outputs import atomic_path, atomic_write_csv, atomic_write_text

if TYPE_CHECKING:
    from nqpf.index.assessment import Assessment

__all__ = ["HEADERS", "write_csv", "write_excel", "write_html"]

#: Bilingual column headers of the Excel workbook (Chinese first, English after).
HEADERS: dict[str, str] = {
    "region": "地区代码 region",
    "region_name": "地区 region name",
    "year": "年份 year",
    "index": "综合指数 index",
    "rank": "排名 rank",
    "median_rank": "排名中位数 median rank",
    "rank_p05": "排名5%分位 rank p05",
    "rank_p95": "排名95%分位 rank p95",
    "level": "层级 level",
    "parent": "上级 parent",
    "child": "下级 child",
    "weight": "权重 weight",
    "global_weight": "全局权重 global weight",
    "indicator": "指标 indicator",
    "pillar": "维度 pillar",
    "normalized": "标准化值 normalized",
    "contribution": "贡献 contribution",
    "share": "贡献占比 share",
    "imputed": "插补 imputed",
    "name_zh": "名称 name (zh)",
    "name_en": "名称 name (en)",
    "direction": "方向 direction",
    "first_year": "起始年 first year",
    "last_year": "终止年 last year",
    "n_values": "观测数 values",
    "source_ids": "数据来源 source ids",
    "rationale": "选取理由 rationale",
    "framework_source": "框架来源 framework source",
    "factor": "因素 factor",
    "n_levels": "水平数 levels",
    "S1": "一阶指数 S1",
    "S1_conf": "S1 置信区间 conf",
    "ST": "总效应指数 ST",
    "ST_conf": "ST 置信区间 conf",
    "option": "选项 option",
    "value": "取值 value",
}


def _scores_with_bands(a: Assessment) -> pd.DataFrame:
    scores = a.scores
    if a.uncertainty is not None:
        bands = a.uncertainty.ranks[["region", "year", "median_rank", "rank_p05", "rank_p95"]]
        scores = scores.merge(bands, on=["region", "year"], how="left")
    return scores


def write_csv(a: Assessment, path: Path) -> Path:
    """scores.csv (UTF-8 with BOM so that Excel shows the Chinese names)."""
    frame = _scores_with_bands(a)
    return atomic_write_csv(path, frame)


def _bilingual(frame: pd.DataFrame, pillar_names: dict[str, str]) -> pd.DataFrame:
    names = {**HEADERS, **{k: f"{v} {k}" for k, v in pillar_names.items()}}
    return frame.rename(columns=lambda c: names.get(str(c), str(c)))


def write_excel(a: Assessment, path: Path) -> Path:
    """assessment.xlsx: scores, pillars, weights, contributions, uncertainty, provenance,
    options."""
    pillars = a.subpillar_scores.merge(a.built.pillars.reset_index(), on=["region", "year"])
    pillars.insert(1, "region_name", pillars["region"].map(a.region_names))
    if a.uncertainty is not None:
        sobol = a.uncertainty.sobol
        bands = a.uncertainty.ranks
    else:
        sobol = pd.DataFrame({"factor": ["未运行 not run (use uncertainty > 0)"]})
        bands = pd.DataFrame()
    options = pd.DataFrame(
        [{"option": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in a.options.items()]
        + [{"option": "spec_hash", "value": a.spec_hash}]
    )
    sheets = {
        "scores": _scores_with_bands(a),
        "pillars": pillars,
        "weights": a.weights,
        "contributions": a.contributions,
        "uncertainty": sobol,
        "provenance": a.provenance,
        "options": options,
    }

    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            _bilingual(frame, a.pillar_names).to_excel(xl, sheet_name=name, index=False)
            if name == "uncertainty" and not bands.empty:
                _bilingual(bands, a.pillar_names).to_excel(
                    xl, sheet_name=name, index=False, startrow=len(frame) + 3
                )
    return path


def write_html(a: Assessment, path: Path) -> Path:
    """A self-contained page (plotly.js embedded, no network): ranking with rank bands, China
    choropleth of the index, pillar radar of the top regions, trends of the index."""
    from nqpf.maps import OFFLINE_GEO_ASSETS

    figures = [_ranking(a), _choropleth(a), _radar(a), _trends(a)]
    parts = []
    for k, (title, fig) in enumerate(f for f in figures if f is not None):
        body = fig.to_html(full_html=False, include_plotlyjs=k == 0)
        parts.append(f"<h2>{html.escape(title)}</h2>\n{body}")
    latest = int(a.scores["year"].max())
    page = (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        f"<title>NQPF 新质生产力评价 assessment {latest}</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}</style>"
        f"{OFFLINE_GEO_ASSETS}</head><body>"
        f"<h1>新质生产力综合评价 NQPF assessment — {html.escape(a.framework.name_zh)}</h1>"
        f"<p>spec_hash <code>{a.spec_hash}</code> · "
        f"{html.escape(json.dumps(a.options, ensure_ascii=False))}</p>"
        + "\n".join(parts)
        + "</body></html>"
    )

    return atomic_write_text(path, page)


def _latest(a: Assessment) -> pd.DataFrame:
    scores = _scores_with_bands(a)
    latest: pd.DataFrame = scores[scores["year"] == scores["year"].max()]
    return latest.sort_values("rank")


def _ranking(a: Assessment) -> tuple[str, Any]:
    import plotly.graph_objects as go

    latest = _latest(a)
    year = int(latest["year"].iloc[0])
    if "rank_p05" in latest.columns:
        text = [
            f"{r} ({lo:.0f}–{hi:.0f})"
            for r, lo, hi in zip(
                latest["rank"], latest["rank_p05"], latest["rank_p95"], strict=True
            )
        ]
        fig = go.Figure(
            go.Scatter(
                x=latest["rank"],
                y=latest["region_name"],
                mode="markers",
                text=text,
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": latest["rank_p95"] - latest["rank"],
                    "arrayminus": latest["rank"] - latest["rank_p05"],
                },
                name="排名与5–95%区间 rank and band",
            )
        )
        fig.update_xaxes(title="排名 rank (5–95% band)", autorange="reversed")
    else:
        fig = go.Figure(
            go.Bar(
                x=latest["index"],
                y=latest["region_name"],
                orientation="h",
                text=latest["rank"],
                name="综合指数 index",
            )
        )
        fig.update_xaxes(title="综合指数 index")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=max(400, 22 * len(latest)), margin={"l": 120})
    return f"{year} 排名 Ranking", fig


def _choropleth(a: Assessment) -> tuple[str, Any] | None:
    import plotly.graph_objects as go

    from nqpf.maps import add_standard_china_layers, province_geojson

    latest = _latest(a)
    geo = province_geojson()
    codes = {f["id"] for f in geo["features"]}
    latest = latest[latest["region"].isin(codes)]
    if latest.empty:
        return None
    fig = go.Figure(
        go.Choropleth(
            geojson=geo,
            locations=latest["region"],
            z=latest["index"],
            text=latest["region_name"],
            colorscale="Viridis",
            colorbar={"title": "指数 index"},
        )
    )
    add_standard_china_layers(fig)
    fig.update_layout(height=600, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return f"{int(latest['year'].iloc[0])} 地图 Map of the index", fig


def _radar(a: Assessment) -> tuple[str, Any]:
    import plotly.graph_objects as go

    latest = _latest(a).head(5)
    labels = [a.pillar_names[p] for p in a.framework.pillar_ids]
    fig = go.Figure()
    for row in latest.to_dict("records"):
        values = [row[p] for p in a.framework.pillar_ids]
        fig.add_trace(
            go.Scatterpolar(
                r=[*values, values[0]],
                theta=[*labels, labels[0]],
                name=str(row["region_name"]),
                fill="toself",
                opacity=0.5,
            )
        )
    fig.update_layout(height=550)
    return "维度雷达图（前五）Pillar radar, top 5", fig


def _trends(a: Assessment) -> tuple[str, Any]:
    import plotly.graph_objects as go

    scores = a.scores.sort_values(["region", "year"])
    fig = go.Figure()
    for region, g in scores.groupby("region"):
        fig.add_trace(
            go.Scatter(
                x=g["year"],
                y=g["index"],
                mode="lines+markers",
                name=a.region_names.get(str(region), str(region)),
            )
        )
    fig.update_layout(height=550, xaxis_title="年份 year", yaxis_title="综合指数 index")
    return "趋势 Trends of the index", fig
