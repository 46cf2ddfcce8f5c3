"""Chain map outputs: an offline HTML page (the chain drawn upstream → downstream as an SVG,
segments coloured by status, then the partner and candidate tables) and an xlsx workbook.

Every user-visible string is HTML-escaped; the page has no script and loads nothing.
"""

from __future__ import annotations

import html
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from nqpf.services.chains import ChainMapResult

__all__ = ["chain_map_html", "safe_cells", "write_chain_map"]

STATUS_COLOURS = {"strong": "#1b7837", "weak": "#e08214", "missing": "#b2182b"}
STATUS_LABELS = {"strong": "强链 strong", "weak": "弱链 weak", "missing": "缺链 missing"}

_BOX_W, _BOX_H, _GAP_X, _GAP_Y, _PAD = 210, 78, 70, 26, 16


def chain_map_html(result: ChainMapResult) -> str:
    """The chain map as one self-contained HTML page."""
    e = html.escape
    chain = result.chain
    title = f"{result.region_name} · {chain.name_zh}产业链图谱 ({chain.name_en} chain map)"
    year = getattr(result, "year", None)
    if year is not None:  # a map from firm records (nqpf.services.chain_micro)
        title += f" · {year}-12-31"
        if getattr(result, "synthetic", False):
            title += " · 合成数据 synthetic records, not real firms"
    word = result.firm_word
    legend = " ".join(
        f'<span class="chip" style="background:{c}">{e(STATUS_LABELS[s])}</span>'
        for s, c in STATUS_COLOURS.items()
    )
    opts = result.options
    rule = (
        f"强链：区位熵 ≥ {opts.strong_lq:g} 且{word} ≥ {opts.min_firms} 家"
        + ("，或有该环节龙头企业" if opts.anchors_make_strong and year is None else "")
        + f"；弱链：有企业但未达标准；缺链：没有{word}。"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        "<style>body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:24px;color:#222}"
        "table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #ccc;"
        "padding:4px 8px;font-size:13px;text-align:left}th{background:#f3f3f3}"
        ".chip{color:#fff;padding:2px 8px;border-radius:10px;margin-right:6px;font-size:12px}"
        ".note{color:#555;font-size:13px}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{legend}</p>",
        f'<p class="note">{e(rule)}</p>',
        _svg(result),
        "<h2>环节状态 Segments</h2>",
        _table(
            result.segments,
            {
                "name_zh": "环节",
                "status_zh": "状态",
                "firms": word,
                "lq": "区位熵",
                "rank": "全国排名",
                "national_firms": "全国企业",
                "reason_zh": "说明",
            },
        ),
        "<h2>补链合作伙伴 Partner regions for the gaps</h2>",
        _table(
            result.partners.assign(segment_name=result.partners["segment"].map(_names(result))),
            {
                "segment_name": "环节",
                "rank": "排序",
                "partner_name": "地区",
                "score": "得分",
                "reason_zh": "理由",
            },
        )
        if not result.partners.empty
        else "<p>没有弱链或缺链，或没有地区在这些环节是强链。</p>",
        "<h2>候选企业 Candidate firms (补链招商)</h2>",
        _table(
            result.candidates.assign(segment_name=result.candidates["segment"].map(_names(result))),
            _candidate_columns(result.candidates),
        )
        if not result.candidates.empty
        else "<p>无。</p>",
        "<h2>投入产出检验 Input-output check of each step</h2>",
        _table(
            result.flows,
            {
                "upstream": "上游",
                "downstream": "下游",
                "flow": "流量类型",
                "coefficient": "投入系数",
                "real": "可见",
                "note": "说明",
            },
        ),
        '<p class="note">'
        + e("来源 Sources: " + "; ".join(result.provenance["source"].astype(str)))
        + f" · spec {e(result.spec_hash)}</p>",
        "".join(f'<p class="note">注意 {e(w)}</p>' for w in result.warnings),
        "</body></html>",
    ]
    return "\n".join(parts)


def _candidate_columns(candidates: pd.DataFrame) -> dict[str, str]:
    """Listed companies, or firm records (id, GB/T 4754 class, registration, capital)."""
    if "registered" in candidates.columns:
        return {
            "segment_name": "环节",
            "region_name": "地区",
            "code": "统一社会信用代码/编号",
            "name": "企业",
            "industry": "行业代码",
            "registered": "成立日期",
            "capital": "注册资本（万元）",
        }
    return {
        "segment_name": "环节",
        "region_name": "地区",
        "code": "代码",
        "name": "企业",
        "industry": "行业",
        "board": "板块",
        "ownership": "类型",
        "list_date": "上市日期",
    }


def write_chain_map(result: ChainMapResult, out: Path) -> tuple[Path, Path]:
    """Write ``chain_<id>_<region>.html`` and ``.xlsx`` into ``out`` atomically."""
    from nqpf.outputs import atomic_write_excel, atomic_write_text

    stem = f"chain_{result.chain.id}_{result.region}"
    page = atomic_write_text(out / f"{stem}.html", chain_map_html(result))
    notes = pd.DataFrame(
        {"来源与注意 sources and notes": [*result.provenance["source"], *result.warnings]}
    )
    book = atomic_write_excel(
        out / f"{stem}.xlsx", _safe_sheets({**result.tables(), "notes": notes})
    )
    return page, book


def _names(result: ChainMapResult) -> dict[str, str]:
    return {s.id: s.name_zh for s in result.chain.segments}


def _svg(result: ChainMapResult) -> str:
    e = html.escape
    levels = result.chain.levels()
    by_level: dict[int, list[str]] = {}
    for seg in result.chain.segments:
        by_level.setdefault(levels[seg.id], []).append(seg.id)
    pos = {}
    for level, ids in by_level.items():
        for k, sid in enumerate(ids):
            pos[sid] = (_PAD + level * (_BOX_W + _GAP_X), _PAD + k * (_BOX_H + _GAP_Y))
    width = _PAD * 2 + (max(by_level) + 1) * (_BOX_W + _GAP_X) - _GAP_X
    height = _PAD * 2 + max(len(v) for v in by_level.values()) * (_BOX_H + _GAP_Y) - _GAP_Y
    rows: dict[Hashable, dict[Hashable, Any]] = result.segments.set_index("segment").to_dict(
        "index"
    )
    items = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{e(result.chain.name_zh)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>',
    ]
    for u, v in result.chain.edges():
        (x1, y1), (x2, y2) = pos[u], pos[v]
        items.append(
            f'<line x1="{x1 + _BOX_W}" y1="{y1 + _BOX_H / 2}" x2="{x2}" y2="{y2 + _BOX_H / 2}" '
            'stroke="#666" stroke-width="1.5" marker-end="url(#arrow)"/>'
        )
    for seg in result.chain.segments:
        x, y = pos[seg.id]
        row = rows[seg.id]
        colour = STATUS_COLOURS[str(row["status"])]
        name = seg.name_zh.split("（")[0]
        items.append(
            f'<g class="segment" data-segment="{e(seg.id)}" data-status="{e(str(row["status"]))}">'
            f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="8" fill="{colour}"/>'
            f'<text x="{x + 10}" y="{y + 24}" fill="#fff" font-size="15" font-weight="bold">{e(name)}</text>'
            f'<text x="{x + 10}" y="{y + 46}" fill="#fff" font-size="12">{e(STATUS_LABELS[str(row["status"])])}</text>'
            f'<text x="{x + 10}" y="{y + 66}" fill="#fff" font-size="12">'
            f"{int(row['firms'])} 家 · 区位熵 {float(row['lq']):.2f}</text></g>"
        )
    items.append("</svg>")
    return "".join(items)


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(label)}</th>" for label in columns.values())
    body = []
    for row in frame[list(columns)].to_dict("records"):
        cells = []
        for key in columns:
            value = row[key]
            text = f"{value:.3f}" if isinstance(value, float) else str(value)
            cells.append(f"<td>{e(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _safe_sheets(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: safe_cells(frame) for name, frame in tables.items()}


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would read as a formula (starting =, +, -, @) get a single
    quote prepended, so they stay text."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v
            )
    return safe
