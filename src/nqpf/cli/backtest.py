"""``nqpf backtest opportunities``: how often opportunities ranked like ours came true."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nqpf.cli._console import stdout

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="回测 Backtests of the rankings on past data.", no_args_is_help=True)

DATA_HELP = "census (普查 2010→2020) | listed (上市公司, by listing date) | a CSV/XLSX long file"

_LABELS = {
    "density": "关联密度 density ω(t0)",
    "rca": "RCA(t0) 近失 near-miss",
    "cog": "COG(t0)",
    "feasibility": "可行性模型 feasibility model (out of sample)",
    "score_low_hanging": "得分 score low_hanging",
    "score_balanced": "得分 score balanced",
    "score_long_jump": "得分 score long_jump",
    "score_density": "得分（密度可行性）score with density feasibility",
    "ubiquity": "基准 baseline: 普遍度 ubiquity",
    "growth_t0_t1": "基准 baseline: 全国增长 national growth t0→t1 (look-ahead)",
    "random": "基准 baseline: 随机 random (expected)",
}


@app.command("opportunities")
def opportunities(
    data: Annotated[str, typer.Option(help=DATA_HELP)] = "census",
    level: Annotated[str, typer.Option(help="census: county | prefecture | province")] = "county",
    t0: Annotated[int | None, typer.Option(help="start year (listed/file; census: 2010)")] = None,
    t1: Annotated[int | None, typer.Option(help="end year (listed/file; census: 2020)")] = None,
    strategy: Annotated[str, typer.Option(help="low_hanging | balanced | long_jump")] = "balanced",
    threshold: Annotated[float, typer.Option(help="RCA threshold of presence")] = 1.0,
    include_nontradable: Annotated[
        bool, typer.Option("--include-nontradable", help="score local services too")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="write an XLSX of all tables here")] = None,
) -> None:
    """回测机会产业 Did regions enter the industries the ranking put first? AUC, AP, precision@k."""
    import time

    from rich.table import Table

    from nqpf.industry.screen import backtest_opportunities

    started = time.perf_counter()
    before, after, growth, classification, notes, unmatched = _pair(data, level, t0, t1)
    types = _types(classification)
    result = backtest_opportunities(
        before,
        after,
        strategy=strategy,  # type: ignore[arg-type]
        types=types,
        threshold=threshold,
        growth=growth,
        include_nontradable=include_nontradable,
    )
    elapsed = time.perf_counter() - started
    s = result.summary
    console = stdout()
    console.print(
        f"[bold]回测 Backtest[/] {notes['title']}: {s['regions']} 个地区 regions × "
        f"{s['industries']} 个产业 industries; 候选 candidates {s['candidates_scored']}, "
        f"进入 entries {s['entries_scored']}, 退出 exits {s['exits']} "
        f"({'含' if include_nontradable else '仅可贸易'} "
        f"{'all industries' if include_nontradable else 'tradable only'}); {elapsed:.1f} s",
        highlight=False,
    )
    table = Table(title="各得分的预测力 How well each score predicted entries", header_style="bold")
    for col in ("得分 score", "ROC AUC", "AP", "P@3", "P@5"):
        table.add_column(col)
    for name, row in result.metrics.iterrows():
        table.add_row(
            _LABELS.get(str(name), str(name)),
            f"{row['auc']:.3f}",
            f"{row['ap']:.3f}",
            f"{row['p@3']:.3f}",
            f"{row['p@5']:.3f}",
        )
    console.print(table)
    deciles = Table(
        title=f"{strategy} 得分十分位命中率 hit rate by score decile", header_style="bold"
    )
    for col in ("十分位 decile", "候选 cells", "进入 entries", "命中率 hit rate"):
        deciles.add_column(col)
    for d, row in result.deciles.iterrows():
        deciles.add_row(
            str(d), f"{row['cells']:.0f}", f"{row['entries']:.0f}", f"{row['hit_rate']:.1%}"
        )
    console.print(deciles)
    for note in notes["caveats"]:
        console.print(f"[dim]注 Note:[/] {note}", highlight=False)
    if out is not None:
        from nqpf.outputs import atomic_write_excel

        out.mkdir(parents=True, exist_ok=True)
        sheets = {
            "metrics": result.metrics,
            "deciles": result.deciles,
            "folds": result.folds.astype({"train_blocks": str, "test_blocks": str}),
        }
        if unmatched is not None:
            sheets["unmatched_divisions"] = unmatched
        path = atomic_write_excel(
            out / f"backtest_{notes['slug']}.xlsx",
            sheets,
            index=lambda name: name in ("metrics", "deciles"),
        )
        console.print(f"已写出 Wrote {path}", highlight=False)


def _pair(
    data: str, level: str, t0: int | None, t1: int | None
) -> tuple[
    pd.DataFrame,
    pd.DataFrame,
    pd.Series | None,
    str,
    dict[str, Any],
    pd.DataFrame | None,
]:
    """The two aligned tables, growth known at t0, classification, notes, unmatched units."""
    import warnings

    from nqpf.errors import InputError, NQPFWarning
    from nqpf.industry.matrix import listed_matrix, read_matrix, to_wide
    from nqpf.industry.opportunities import national_growth
    from nqpf.industry.screen import align

    if data == "census":
        from nqpf.industry.census_pair import census_pair

        if level not in ("county", "prefecture", "province"):
            raise InputError(f"unknown level {level!r}", hint="county, prefecture or province")
        if (t0, t1) not in ((None, None), (2010, 2020)):
            raise InputError("the packaged census pair is 2010 → 2020", hint="drop --t0/--t1")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NQPFWarning)
            before, after, matches = census_pair(level)  # type: ignore[arg-type]
        unmatched = matches[matches["how"].str.startswith("unmatched")]
        notes: dict[str, Any] = {
            "title": f"普查 census {level} 2010 → 2020 (GB/T 4754 门类 sections)",
            "slug": f"census_{level}",
            "caveats": [
                f"区划代码按名称匹配 codes matched through changes: "
                f"{int((matches['how'] == 'recoded').sum())} 重新编码 recoded, "
                f"{int((matches['how'] == 'renamed').sum())} 更名 renamed, "
                f"{len(unmatched)} 未匹配 unmatched (listed with --out)",
                "门类按 GB/T 4754-2002 → 2017 一一对应；社会保险由 Q 移入 S 等口径变化使少数门类不完全可比",
                "得分中不含增长分量（t0 前无更早普查）；全国增长基准用 2010→2020，属前视 look-ahead",
            ],
        }
        return *align(before, after), None, "gbt4754_section", notes, unmatched
    if data == "listed":
        y0, y1 = t0 or 2020, t1 or 2025
        if y1 <= y0:
            raise InputError(f"t1 ({y1}) must be after t0 ({y0})")
        long = listed_matrix((y0 - (y1 - y0), y0, y1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NQPFWarning)
            before, after = to_wide(long, y0), to_wide(long, y1)
        growth = national_growth(long[long["year"] < y1])
        notes = {
            "title": f"上市公司 listed companies {y0} → {y1} (按上市日期回溯 as of listing dates)",
            "slug": f"listed_{y0}_{y1}",
            "caveats": [
                "幸存者偏差 survivor bias: 只含 2026 年快照中仍在市的公司，已退市公司不在 t0 存量中",
                f"得分中的增长分量用 {y0 - (y1 - y0)}→{y0} 全国增长（t0 时已知）",
                "31 个省份样本小，AUC 波动大",
            ],
        }
        return *align(before, after), growth, "listed", notes, None
    path = Path(data)
    if not path.exists():
        raise InputError(f"unknown data {data!r}", hint=f"use {DATA_HELP}")
    long = read_matrix(path)
    years = sorted(int(y) for y in long["year"].unique())
    if len(years) < 2:
        raise InputError(
            f"{path.name} has one year only", file=path.name, hint="a backtest needs two"
        )
    y0, y1 = t0 or years[-2], t1 or years[-1]
    before, after = to_wide(long, y0), to_wide(long, y1)
    notes = {
        "title": f"{path.name} {y0} → {y1}",
        "slug": f"{path.stem}_{y0}_{y1}",
        "caveats": [],
    }
    earlier = long[long["year"] <= y0]
    prior = national_growth(earlier) if earlier["year"].nunique() > 1 else None
    return *align(before, after), prior, str(long["classification"].iloc[0]), notes, None


def _types(classification: str) -> pd.DataFrame | None:
    from nqpf.errors import InputError
    from nqpf.industry.classification import industry_types

    try:
        return industry_types(classification)
    except InputError:
        return None
