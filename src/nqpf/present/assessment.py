"""Outputs of an assessment: ``scores.csv``, ``assessment.xlsx``, an offline ``assessment.html``
and a Word report ``assessment.docx`` (:func:`write_assessment` writes all four).

Every file is written atomically: to a temporary file in the target directory, then moved over
the target with :func:`os.replace`, so a reader never sees a half-written file.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nqpf.outputs import (
    SHEET_MAX_CELLS,
    atomic_path,
    atomic_write_csv,
    atomic_write_excel,
    atomic_write_text,
    output_set,
    spill_large,
)
from nqpf.present.page import figures_html, html_page, notes_html

if TYPE_CHECKING:
    from nqpf.index.assessment import Assessment
    from nqpf.index.uncertainty import UncertaintyResult

__all__ = [
    "HEADERS",
    "summary_sentences",
    "write_assessment",
    "write_csv",
    "write_docx",
    "write_excel",
    "write_html",
]

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
    "levels": "水平 levels",
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


def uncertainty_design(u: UncertaintyResult) -> tuple[str, str]:
    """The Sobol design in one sentence (Chinese, English): base samples, runs, the distinct
    configurations actually evaluated and how many the levels allow."""
    zh = (
        f"Sobol 设计：基础样本 N = {u.n_base:,}，共 {u.n_runs:,} 次运行，其中 "
        f"{u.n_configurations:,} 种不同构建方案各计算一次（各因素水平组合共 {u.n_possible:,} 种），"
        "其余运行复用其排名"
    )
    en = (
        f"Sobol design: N = {u.n_base:,} base samples, {u.n_runs:,} runs, "
        f"{u.n_configurations:,} distinct configurations evaluated once each (of "
        f"{u.n_possible:,} the levels allow); the other runs reuse their ranks"
    )
    return zh, en


def uncertainty_factors(u: UncertaintyResult) -> pd.DataFrame:
    """Every factor with its levels (the assessment's own first) and, where it varied, its
    Sobol indices; fixed factors have one level and no indices."""
    levels = pd.DataFrame(
        {
            "factor": list(u.levels),
            "levels": [", ".join(map(str, v)) for v in u.levels.values()],
            "n_levels": [len(v) for v in u.levels.values()],
        }
    )
    return levels.merge(u.sobol.drop(columns="n_levels"), on="factor", how="left")


def write_csv(a: Assessment, path: Path) -> Path:
    """scores.csv (UTF-8 with BOM so that Excel shows the Chinese names)."""
    frame = _scores_with_bands(a)
    return atomic_write_csv(path, frame)


def _bilingual(frame: pd.DataFrame, pillar_names: dict[str, str]) -> pd.DataFrame:
    names = {**HEADERS, **{k: f"{v} {k}" for k, v in pillar_names.items()}}
    return frame.rename(columns=lambda c: names.get(str(c), str(c)))


#: Cells above which the contributions (one row per region, year and indicator) leave the
#: workbook for ``contributions.parquet``, the sheet keeping the latest year: the provincial
#: default (31 provinces × 8 years × 23 indicators, 51,336 cells) took ≈ 1 s of the ≈ 1.3 s
#: the workbook needs (openpyxl writes ≈ 15 µs a cell).
CONTRIBUTIONS_MAX_CELLS = 20_000


def write_excel(a: Assessment, path: Path) -> Path:
    """assessment.xlsx: scores, pillars, weights, contributions, uncertainty, provenance,
    options, outliers. Tables too large for a sheet (county-level n) go to Parquet files
    beside it, their sheets holding a pointer and a summary (:func:`nqpf.outputs.spill_large`):
    scores keep the latest year's first 100 regions; contributions of more than
    :data:`CONTRIBUTIONS_MAX_CELLS` cells keep the latest year (if that fits a sheet)."""
    folder = path.parent
    names = a.pillar_names

    def sheet(
        name: str,
        frame: pd.DataFrame,
        summary: pd.DataFrame | None = None,
        max_cells: int = SHEET_MAX_CELLS,
        shown: tuple[str, str] = ("摘要", "a summary"),
    ) -> Any:
        spilled = spill_large(folder, name, frame, summary, max_cells=max_cells, shown=shown)
        if isinstance(spilled, pd.DataFrame):
            return _bilingual(spilled, names)
        return [_bilingual(f, names) for f in spilled]

    scores = _scores_with_bands(a)
    year = int(scores["year"].max())
    latest = scores[scores["year"] == year].sort_values("rank").head(100)
    contributions = a.contributions
    latest_contributions = contributions[contributions["year"] == year]
    fits = latest_contributions.size <= SHEET_MAX_CELLS
    if a.uncertainty is not None:
        u = a.uncertainty
        design = pd.DataFrame({"factor": ["", *uncertainty_design(u), *u.notes]})
        bands = sheet("rank_bands", u.ranks)
        uncertainty: list[pd.DataFrame] = [
            _bilingual(uncertainty_factors(u), names),
            design,
            *(bands if isinstance(bands, list) else [bands]),
        ]
    else:
        uncertainty = [pd.DataFrame({"factor": ["未运行 not run (use uncertainty > 0)"]})]
    options = pd.DataFrame(
        [{"option": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in a.options.items()]
        + [{"option": "spec_hash", "value": a.spec_hash}]
    )
    sheets: dict[str, Any] = {
        "scores": sheet(
            "scores", scores, latest, shown=(f"{year} 年前 100 名", f"the first 100 of {year}")
        ),
        "pillars": sheet("pillars", a.pillar_table()),
        "weights": _bilingual(a.weights, names),
        "contributions": sheet(
            "contributions",
            contributions,
            latest_contributions if fits else None,
            max_cells=CONTRIBUTIONS_MAX_CELLS,
            shown=(f"{year} 年", f"the year {year}") if fits else ("摘要", "a summary"),
        ),
        "uncertainty": uncertainty,
        "provenance": _bilingual(a.provenance, names),
        "options": _bilingual(options, names),
    }
    if a.outliers is not None:
        sheets["outliers"] = sheet("outliers", a.outliers.table)
    return atomic_write_excel(path, sheets)


def write_html(a: Assessment, path: Path) -> Path:
    """A self-contained page (plotly.js embedded, no network): ranking with rank bands, China
    choropleth of the index, pillar radar of the top regions, trends of the index."""
    from nqpf.maps import OFFLINE_GEO_ASSETS

    figures = [f for f in (_ranking(a), _choropleth(a), _radar(a), _trends(a)) if f is not None]
    latest = int(a.scores["year"].max())
    body = (
        f"<p>spec_hash <code>{a.spec_hash}</code> · "
        f"{html.escape(json.dumps(a.options, ensure_ascii=False))}</p>\n" + figures_html(figures)
    )
    if a.uncertainty is not None:
        body += _uncertainty_html(a.uncertainty)
    page = html_page(
        f"NQPF 新质生产力评价 assessment {latest}",
        body,
        heading=f"新质生产力综合评价 NQPF assessment — {a.framework.name_zh}",
        head=OFFLINE_GEO_ASSETS,
    )
    return atomic_write_text(path, page)


def _uncertainty_html(u: UncertaintyResult) -> str:
    """The Sobol design, every factor with its levels and indices, and the notes (escaped)."""
    table = uncertainty_factors(u).rename(columns=HEADERS)
    return (
        "<h2>不确定性分析 Uncertainty analysis</h2>\n"
        + "".join(f"<p>{html.escape(t)}</p>" for t in uncertainty_design(u))
        + table.to_html(index=False, na_rep="", float_format=lambda v: f"{v:.3f}", escape=True)
        + notes_html(u.notes)
    )


def _latest(a: Assessment) -> pd.DataFrame:
    scores = _scores_with_bands(a)
    latest: pd.DataFrame = scores[scores["year"] == scores["year"].max()]
    return latest.sort_values("rank")


#: Regions shown in the ranking chart and the Word ranking table when there are more (the
#: full ranking is in scores.csv), and lines in the trend chart.
REPORT_TOP = 50
TREND_TOP = 20


def _ranking(a: Assessment) -> tuple[str, dict[str, Any]]:
    latest = _latest(a)
    year = int(latest["year"].iloc[0])
    shown = (
        f"（前 {REPORT_TOP} / {len(latest):,}）top {REPORT_TOP} of {len(latest):,} "
        if len(latest) > REPORT_TOP
        else ""
    )
    latest = latest.head(REPORT_TOP)
    names = latest["region_name"].astype(str).tolist()
    if "rank_p05" in latest.columns:
        text = [
            f"{r} ({lo:.0f}–{hi:.0f})"
            for r, lo, hi in zip(
                latest["rank"], latest["rank_p05"], latest["rank_p95"], strict=True
            )
        ]
        trace: dict[str, Any] = {
            "type": "scatter",
            "x": latest["rank"].tolist(),
            "y": names,
            "mode": "markers",
            "text": text,
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": (latest["rank_p95"] - latest["rank"]).tolist(),
                "arrayminus": (latest["rank"] - latest["rank_p05"]).tolist(),
            },
            "name": "排名与5–95%区间 rank and band",
        }
        xaxis: dict[str, Any] = {
            "title": {"text": "排名 rank (5–95% band)"},
            "autorange": "reversed",
        }
    else:
        trace = {
            "type": "bar",
            "x": latest["index"].tolist(),
            "y": names,
            "orientation": "h",
            "text": latest["rank"].tolist(),
            "name": "综合指数 index",
        }
        xaxis = {"title": {"text": "综合指数 index"}}
    layout = {
        "xaxis": xaxis,
        "yaxis": {"autorange": "reversed"},
        "height": max(400, 22 * len(latest)),
        "margin": {"l": 120},
    }
    return f"{year} 排名 {shown}Ranking", {"data": [trace], "layout": layout}


def _choropleth(a: Assessment) -> tuple[str, dict[str, Any]] | None:
    from nqpf.maps import STANDARD_GEO, province_geojson, standard_china_traces

    latest = _latest(a)
    geo = province_geojson()
    codes = {f["id"] for f in geo["features"]}
    latest = latest[latest["region"].isin(codes)]
    if latest.empty:
        return None
    provinces = {
        "type": "choropleth",
        "geojson": geo,
        "locations": latest["region"].astype(str).tolist(),
        "z": latest["index"].tolist(),
        "text": latest["region_name"].astype(str).tolist(),
        "colorscale": "Viridis",
        "colorbar": {"title": {"text": "指数 index"}},
    }
    layout = {"geo": STANDARD_GEO, "height": 600, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}}
    figure = {"data": [provinces, *standard_china_traces()], "layout": layout}
    return f"{int(latest['year'].iloc[0])} 地图 Map of the index", figure


def _radar(a: Assessment) -> tuple[str, dict[str, Any]]:
    latest = _latest(a).head(5)
    labels = [a.pillar_names[p] for p in a.framework.pillar_ids]
    traces = []
    for row in latest.to_dict("records"):
        values = [float(row[p]) for p in a.framework.pillar_ids]
        traces.append(
            {
                "type": "scatterpolar",
                "r": [*values, values[0]],
                "theta": [*labels, labels[0]],
                "name": str(row["region_name"]),
                "fill": "toself",
                "opacity": 0.5,
            }
        )
    return "维度雷达图（前五）Pillar radar, top 5", {"data": traces, "layout": {"height": 550}}


def _trends(a: Assessment) -> tuple[str, dict[str, Any]]:
    scores = a.scores.sort_values(["region", "year"])
    title = "趋势 Trends of the index"
    if scores["region"].nunique() > 2 * TREND_TOP:
        top = set(_latest(a)["region"].head(TREND_TOP))
        scores = scores[scores["region"].isin(top)]
        title = f"趋势（最近一年前 {TREND_TOP} 名）Trends of the index, latest top {TREND_TOP}"
    traces = [
        {
            "type": "scatter",
            "x": g["year"].tolist(),
            "y": g["index"].tolist(),
            "mode": "lines+markers",
            "name": a.region_names.get(str(region), str(region)),
        }
        for region, g in scores.groupby("region")
    ]
    layout = {
        "height": 550,
        "xaxis": {"title": {"text": "年份 year"}},
        "yaxis": {"title": {"text": "综合指数 index"}},
    }
    return title, {"data": traces, "layout": layout}


# ---------------------------------------------------------------------- Word report
#: Plain-language descriptions of the construction options (Chinese, then English).
_OPTION_TEXT: dict[str, dict[str, str]] = {
    "normalize": {
        "minmax": "极差标准化 (min–max: (x − min) / (max − min))",
        "zscore": "Z 值标准化 (z-score: (x − mean) / sd)",
        "max": "最大值标准化 (x / max)",
        "rank": "排序标准化 (rank)",
        "target": "目标值标准化 (distance to a target)",
    },
    "scope": {
        "panel": "全面板统一标准化，各年可比 (panel: one reference over all years, "
        "comparable over time)",
        "year": "逐年标准化，仅年内可比 (year by year: comparable within a year only)",
    },
    "weights": {
        "entropy": "熵权法 (entropy)",
        "critic": "CRITIC 法 (CRITIC)",
        "equal": "等权 (equal)",
        "pca": "主成分分析法 (PCA)",
    },
    "combine": {
        "mean": "算术平均组合 (arithmetic mean)",
        "geometric": "几何平均组合 (geometric mean)",
        "game": "博弈论组合赋权 (game-theoretic combination)",
    },
    "aggregate": {
        "linear": "线性加权求和 (linear weighted sum)",
        "geometric": "几何加权 (weighted geometric mean)",
        "topsis": "TOPSIS 逼近理想解排序法 (TOPSIS)",
    },
    "impute": {
        "none": "不插补，缺失值报错 (none: missing values are an error)",
        "linear": "线性插值 (linear interpolation over years)",
        "ffill_bfill": "前值/后值填充 (forward then backward fill)",
        "group_mean": "四大区域组均值 (mean of the region's group 东中西东北)",
        "linear_extrapolate": "线性插值并线性外推 (linear interpolation and extrapolation)",
        "year_mean": "同年全体均值 (mean of the indicator in the same year)",
        "column_mean": "全面板均值 (mean of the indicator over the whole panel)",
    },
    "upper": {
        "sum": "上层权重为下层权重之和 (sum of the children's weights)",
        "equal": "上层等权 (equal weights at the upper levels)",
    },
}


def _outlier_text(a: Assessment) -> str:
    c = a.construction
    if a.outliers is None:
        return "不处理 (none)"
    done = a.outliers.table[a.outliers.table["action"] != "none"]
    treated = "、".join(
        f"{r.indicator}{'' if r.year == 'all' else f' {r.year}'}: "
        f"{'取对数 log' if r.action == 'log' else f'缩尾 {r.points} 点 winsorised {r.points}'}"
        for r in done.itertuples()
    )
    return (
        f"{c.outliers}：偏度绝对值 ≥ {c.skew_threshold:g} 且峰度 ≥ {c.kurtosis_threshold:g} 的指标"
        f"缩尾至多 {c.winsor_max} 点、仍不满足则取对数 (|skew| ≥ {c.skew_threshold:g} and "
        f"kurtosis ≥ {c.kurtosis_threshold:g}: winsorise up to {c.winsor_max} points, else log). "
        + (f"处理 treated — {treated}" if treated else "无指标需处理 (no indicator treated)")
    )


def _describe(option: str, value: str) -> str:
    texts = _OPTION_TEXT.get(option, {})
    if option == "impute" and "," in value:
        return " → ".join(texts.get(v, v) for v in value.split(","))
    return texts.get(value, value)


def _ranked_latest(a: Assessment) -> pd.DataFrame:
    """The latest year's scores (with rank bands when run), in rank order."""
    latest = _latest(a)
    return latest.sort_values(["rank", "region"]).reset_index(drop=True)


def _pillar_weights(a: Assessment) -> pd.Series:
    """Weight of each pillar in the index (the top level of the weights table)."""
    top = a.weights[a.weights["parent"] == "index"]
    return pd.Series(top["weight"].to_numpy(), index=top["child"].astype(str)).astype(float)


def summary_sentences(a: Assessment) -> list[tuple[str, str]]:
    """主要结论: 3–5 sentences (Chinese, English) generated from the assessment's numbers.

    The top three regions of the latest year with their index, their rank bands when the
    uncertainty analysis was run, the region that rose most in rank between the first and the
    latest year, and the pillar with the highest weight.
    """
    scores = a.scores
    years = sorted(int(y) for y in scores["year"].unique())
    first, last = years[0], years[-1]
    latest = _ranked_latest(a)
    top = latest.head(3)
    n_regions = int(latest["region"].nunique())
    n_ind = len(a.framework.indicator_ids)
    span = f"{first}–{last}" if first != last else f"{last}"
    out: list[tuple[str, str]] = [
        (
            f"本报告依据《{a.framework.name_zh}》的{n_ind}项指标，评价{n_regions}个地区"
            f"{span}年的新质生产力发展水平。",
            f"This report assesses new quality productive forces of {n_regions} regions in "
            f"{span} with the {n_ind} indicators of the framework {a.framework.name_en}.",
        )
    ]
    names = [str(n) for n in top["region_name"]]
    values = [f"{v:.3f}" for v in top["index"]]
    listed_zh = "、".join(f"{n}（{v}）" for n, v in zip(names, values, strict=True))
    listed_en = ", ".join(f"{n} ({v})" for n, v in zip(names, values, strict=True))
    out.append(
        (
            f"{last}年综合指数排名前{len(top)}位的地区依次为{listed_zh}。",
            f"In {last} the top {len(top)} regions by the index were {listed_en}.",
        )
    )
    if "rank_p05" in latest.columns and a.uncertainty is not None:
        bands_zh = "、".join(
            f"{r.region_name}第{r.rank_p05:.0f}–{r.rank_p95:.0f}名" for r in top.itertuples()
        )
        bands_en = ", ".join(
            f"{r.region_name} {r.rank_p05:.0f}–{r.rank_p95:.0f}" for r in top.itertuples()
        )
        runs = a.uncertainty.n_runs
        out.append(
            (
                f"在{runs}次不同构建方法的不确定性分析中，其排名的5%–95%区间为{bands_zh}。",
                f"Across {runs} runs of the uncertainty analysis their 5–95% rank bands were "
                f"{bands_en}.",
            )
        )
    if first != last:
        ranks = a.ranks()
        gain = (ranks[first] - ranks[last]).dropna()
        if not gain.empty and gain.max() > 0:
            best = gain[gain == gain.max()].sort_index().index[0]
            name = a.region_names.get(str(best), str(best))
            r0, r1, d = int(ranks.loc[best, first]), int(ranks.loc[best, last]), int(gain.max())
            out.append(
                (
                    f"{first}–{last}年排名上升最多的是{name}，由第{r0}名升至第{r1}名，上升{d}位。",
                    f"The biggest riser over {first}–{last} was {name}, from rank {r0} to "
                    f"rank {r1} (up {d} places).",
                )
            )
        else:
            out.append(
                (
                    f"{first}–{last}年没有地区的排名上升。",
                    f"No region rose in rank over {first}–{last}.",
                )
            )
    pw = _pillar_weights(a)
    heaviest = str(pw.idxmax())
    node = next(p for p in a.framework.pillars if p.id == heaviest)
    out.append(
        (
            f"权重最高的维度是{node.name_zh}，权重为{pw[heaviest]:.3f}。",
            f"The pillar with the highest weight is {node.name_en} ({pw[heaviest]:.3f}).",
        )
    )
    return out


def _table(doc: Any, header: list[str], rows: list[list[str]], numeric_from: int) -> Any:
    """A grid table with a bold header row; columns from ``numeric_from`` right-aligned."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        run = cell.paragraphs[0].add_run(text)  # "\n" becomes a line break
        run.bold = True
        run.font.size = Pt(9)
    for values in rows:
        cells = table.add_row().cells
        for k, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.paragraphs[0].add_run(text).font.size = Pt(9)
            if k >= numeric_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _source_rows(a: Assessment) -> list[list[str]]:
    """Data sources: each source id of the provenance table with its publisher and file (from
    the packaged sources registry) and the indicators it feeds."""
    from nqpf.data import sources

    registry = sources().drop_duplicates("source_id").set_index("source_id")
    feeds: dict[str, list[str]] = {}
    for row in a.provenance.itertuples():
        for sid in str(row.source_ids).split("; "):
            if sid:
                feeds.setdefault(sid, []).append(str(row.indicator))
    rows = []
    for sid, indicators in sorted(feeds.items()):
        if sid in registry.index:
            entry = registry.loc[sid]
            publisher = f"{entry['publisher']}（{entry['dataset']}）"
            file = f"{entry['file']}"
        elif sid.startswith("derived:"):
            publisher, file = "由其他指标计算 derived", sid.removeprefix("derived:").strip()
        else:
            publisher, file = "用户数据 user data", str(a.options.get("data", "—"))
        rows.append([sid, publisher, file, ", ".join(indicators)])
    return rows


def write_docx(a: Assessment, path: Path) -> Path:
    """assessment.docx: a Word report (A4 portrait, 宋体 / Times New Roman) with the summary,
    the latest year's ranking, the indicator weights, the method and the data sources."""
    import datetime

    from nqpf.present.word import a4_document

    doc = a4_document()

    years = sorted(int(y) for y in a.scores["year"].unique())
    last = years[-1]
    span = f"{years[0]}–{last}" if years[0] != last else f"{last}"
    doc.add_heading("新质生产力综合评价报告", level=0)
    doc.add_paragraph("NQPF assessment")
    meta = [
        ("评价框架 framework", f"{a.framework.name_zh}（{a.framework.name_en}）"),
        ("评价年份 years", span),
        ("规格哈希 spec_hash", a.spec_hash),
        ("生成日期 date generated", datetime.date.today().isoformat()),
    ]
    for label, value in meta:
        p = doc.add_paragraph()
        p.add_run(f"{label}：").bold = True
        p.add_run(value)

    doc.add_heading("主要结论 Summary", level=1)
    for zh, en in summary_sentences(a):
        p = doc.add_paragraph(zh)
        p.add_run().add_break()
        p.add_run(en).italic = True

    latest = _ranked_latest(a)
    pillars = a.framework.pillars
    bands = "rank_p05" in latest.columns
    doc.add_heading(f"{last}年排名 Ranking {last}", level=1)
    if len(latest) > REPORT_TOP:
        doc.add_paragraph(
            f"共 {len(latest):,} 个地区，下表列前 {REPORT_TOP} 名，全部结果见 scores.csv。"
            f"({len(latest):,} regions; the table lists the first {REPORT_TOP}, all are in "
            "scores.csv.)"
        )
        latest = latest.head(REPORT_TOP)
    header = ["排名 rank", "地区 region", "综合指数 index"]
    header += [f"{p.name_zh}\n{p.name_en}" for p in pillars]
    if bands:
        header.append("排名区间 rank band (5–95%)")
    rows = []
    for row in latest.to_dict("records"):
        cells = [str(int(row["rank"])), str(row["region_name"]), f"{row['index']:.3f}"]
        cells += [f"{row[p.id]:.3f}" for p in pillars]
        if bands:
            cells.append(f"{row['rank_p05']:.0f}–{row['rank_p95']:.0f}")
        rows.append(cells)
    _table(doc, header, rows, numeric_from=2)

    doc.add_heading("指标权重 Indicator weights", level=1)
    weights = a.indicator_weights
    prov = a.provenance.set_index("indicator")
    w_rows = [
        [
            a.pillar_names[a.pillar_of[ind]],
            str(prov.loc[ind, "name_zh"]),
            ind,
            "正向 +" if a.framework.directions[ind] > 0 else "负向 −",
            f"{float(weights[ind]):.4f}",
        ]
        for ind in a.framework.indicator_ids
    ]
    w_rows.append(["合计 total", "", "", "", f"{float(weights.sum()):.4f}"])
    _table(
        doc,
        ["维度 pillar", "指标 indicator", "代码 id", "方向 direction", "全局权重 global weight"],
        w_rows,
        numeric_from=4,
    )
    doc.add_paragraph(
        "全局权重为各层权重之积，合计为 1 (global weight: product of the weights down the "
        "hierarchy; they sum to 1)."
    )

    doc.add_heading("方法说明 Method", level=1)
    c = a.construction
    eps = (
        "熵值计算取 0·ln0 = 0，不作平移 (0·ln 0 = 0, no shift)"
        if c.entropy_shift is None
        else f"p = (x + ε) / Σ(x + ε)，ε = {c.entropy_shift:g}"
    )
    methods = "、".join(_describe("weights", m) for m in c.weights)
    method_lines = [
        ("标准化 normalisation", _describe("normalize", c.normalize)),
        ("标准化范围 scope", _describe("scope", c.scope)),
        ("赋权方法 weights", methods),
        (
            "组合方式 combination",
            _describe("combine", c.combine)
            if len(c.weights) > 1
            else "单一方法，无需组合 (one method, no combination)",
        ),
        ("熵权平移 ε entropy shift", eps if "entropy" in c.weights else "未用熵权法 (not used)"),
        ("上层权重 upper levels", _describe("upper", c.upper)),
        ("集成方法 aggregation", _describe("aggregate", c.aggregate)),
        ("缺失值插补 imputation", _describe("impute", c.impute)),
        ("异常值处理 outliers", _outlier_text(a)),
    ]
    if a.uncertainty is not None:
        u = a.uncertainty
        zh, en = uncertainty_design(u)
        varied = "；".join(
            f"{f}: {', '.join(map(str, v))}" for f, v in u.levels.items() if len(v) > 1
        )
        method_lines.append(
            (
                "不确定性分析 uncertainty",
                f"{zh}；排名区间为 5%–95% 分位。({en}; rank bands are the 5th–95th "
                f"percentiles.) 因素及水平 factors and levels — {varied}"
                + "".join(f" {n}" for n in u.notes),
            )
        )
    for label, text in method_lines:
        p = doc.add_paragraph(style="List Bullet")
        p.add_run(f"{label}：").bold = True
        p.add_run(text)

    doc.add_heading("数据来源 Data sources", level=2)
    _table(
        doc,
        ["来源 source id", "发布机构 publisher", "文件 file", "指标 indicators"],
        _source_rows(a),
        numeric_from=4,
    )

    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return path


#: The files of one assessment run.
ASSESSMENT_FILES = ("scores.csv", "assessment.xlsx", "assessment.html", "assessment.docx")


def write_assessment(a: Assessment, out_dir: str | Path, *, force: bool = False) -> list[Path]:
    """Write scores.csv, assessment.xlsx, assessment.html and assessment.docx into
    ``out_dir`` as one set: all new or, if anything fails, all old (see
    :func:`nqpf.outputs.output_set`); ``force`` writes beside files NQPF did not write.
    Returns the paths written: those four, then the tables the workbook sent to Parquet."""
    out = Path(out_dir)
    names = ASSESSMENT_FILES
    with output_set(out, kind="assess", spec_hash=a.spec_hash, force=force, names=names) as stage:
        before = {p.name for p in stage.iterdir()}
        write_csv(a, stage / names[0])
        write_excel(a, stage / names[1])
        write_html(a, stage / names[2])
        write_docx(a, stage / names[3])
        spilled = sorted({p.name for p in stage.iterdir()} - before - set(names))
    return [out / name for name in (*names, *spilled)]
