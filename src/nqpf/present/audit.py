"""Writers of the statistical coherence audit: ``audit.xlsx`` (every table, provenance, spec)
and a self-contained offline ``audit.html`` (correlation heat map, effective importance against
the nominal weights, reliability, validation, and the warnings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from nqpf.index.audit import AuditResult
from nqpf.outputs import atomic_write_text
from nqpf.present.page import figures_html, html_page, notes_html
from nqpf.present.tables import write_xlsx

__all__ = ["write_audit", "write_audit_html"]


def write_audit(result: AuditResult, out_dir: str | Path, *, force: bool = False) -> list[Path]:
    """``audit.xlsx`` and ``audit.html`` in ``out_dir``, as one set (see
    :func:`nqpf.outputs.output_set`)."""
    from nqpf.outputs import output_set

    out = Path(out_dir)
    names = ("audit.xlsx", "audit.html")
    with output_set(out, kind="audit", force=force, names=names) as stage:
        write_xlsx(result, stage / names[0])
        write_audit_html(result, stage / names[1])
    return [out / name for name in names]


def _heatmap(result: AuditResult) -> tuple[str, Any]:
    import plotly.graph_objects as go

    m = result.correlation_matrix
    fig = go.Figure(
        go.Heatmap(
            z=m.to_numpy(),
            x=[str(c) for c in m.columns],
            y=[str(c) for c in m.index],
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            reversescale=True,
            text=m.round(2).to_numpy(),
            texttemplate="%{text}",
            hovertemplate="%{y} ~ %{x}: r = %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(height=220 + 28 * len(m), yaxis={"autorange": "reversed"})
    return "指标相关系数热力图 Correlation heat map (Pearson, normalised indicators)", fig


def _importance(result: AuditResult) -> tuple[str, Any]:
    import plotly.graph_objects as go

    t = result.tables()["importance"]
    fig = go.Figure(
        [
            go.Bar(name="名义权重 nominal weight", x=t["indicator"], y=t["weight"]),
            go.Bar(name="有效重要性 S_i/ΣS", x=t["indicator"], y=t["importance_share"]),
        ]
    )
    fig.update_layout(barmode="group", height=420)
    return "有效重要性与名义权重 Effective importance vs nominal weight", fig


def _table(title: str, frame: pd.DataFrame) -> str:
    import html

    body = frame.to_html(index=False, escape=True, float_format=lambda v: f"{v:.3f}", border=0)
    return f"<h2>{html.escape(title)}</h2>\n{body}"


def write_audit_html(result: AuditResult, path: str | Path) -> Path:
    """Self-contained page (plotly.js embedded once, all text escaped)."""
    tables = result.tables()
    body = (
        "<h2>提示 Findings</h2>"
        + notes_html(result.warnings)
        + figures_html([_heatmap(result), _importance(result)])
        + _table("维度一致性 Reliability (Cronbach's α, PCA)", tables["reliability"])
        + _table("外部验证 Validation (Spearman ρ per year)", tables["validation"])
        + _table("小分母 Small bases", tables["small_bases"])
        + _table("小分母下限 Floored values (set missing, then imputed)", tables["floored"])
        + _table("异常值处理 Outlier treatment", tables["outliers"])
    )
    page = html_page(
        f"NQPF 统计审计 audit {result.spec['framework']}",
        body,
        heading=f"新质生产力指数统计审计 Statistical audit — {result.spec['framework']} "
        f"(spec {result.spec_hash})",
    )
    return atomic_write_text(Path(path), page)
