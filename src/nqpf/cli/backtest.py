"""``nqpf backtest opportunities``: how often opportunities ranked like ours came true."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._output import Col, FormatOption, emit, messages, num, show_table

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
    out: Annotated[
        Path | None, typer.Option(help="write backtest_*.xlsx and .json (all tables) here")
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """回测机会产业 Did regions enter the industries the ranking put first? AUC, AP, precision@k."""
    import time

    from nqpf.services.opportunities import backtest

    started = time.perf_counter()
    result = backtest(
        data,
        level=level,  # type: ignore[arg-type]
        t0=t0,
        t1=t1,
        strategy=strategy,  # type: ignore[arg-type]
        threshold=threshold,
        include_nontradable=include_nontradable,
    )
    elapsed = time.perf_counter() - started
    s = result.summary
    console = messages(fmt)
    console.print(
        f"回测 Backtest {result.title}: {s['regions']} 个地区 regions × "
        f"{s['industries']} 个产业 industries; 候选 candidates {s['candidates_scored']}, "
        f"进入 entries {s['entries_scored']}, 退出 exits {s['exits']} "
        f"({'含本地服务业 all industries' if include_nontradable else '仅可贸易 tradable only'}); "
        f"{elapsed:.1f} s",
        highlight=False,
    )
    if fmt != "table":
        emit(fmt, result.metrics.reset_index(names="score"), result=result)
    else:
        heads = {
            "auc": "ROC AUC",
            "auc_fold": "折内 AUC within folds",
            "ap": "AP",
            "p@3": "P@3",
            "p@5": "P@5",
        }
        metric = [
            Col(c, head, num(".3f"), numeric=True)
            for c, head in heads.items()
            if c in result.metrics.columns
        ]
        show_table(
            result.metrics.reset_index(names="score"),
            [Col("score", "得分 score", lambda n: _LABELS.get(str(n), str(n))), *metric],
            title="各得分的预测力 How well each score predicted entries",
        )
        show_table(
            result.versus_rca.reset_index(),
            [
                Col("score", "得分 score", lambda n: _LABELS.get(str(n), str(n))),
                Col("d_auc", "ΔAUC", num("+.3f"), numeric=True),
                Col("se_auc", "SE", num(".3f"), numeric=True),
                Col("d_ap", "ΔAP", num("+.3f"), numeric=True),
                Col("se_ap", "SE", num(".3f"), numeric=True),
                Col("verdict_auc", "AUC 结论 verdict (±1.96 SE)"),
            ],
            title="与 RCA 近失基准之差 Against RCA alone (SE: bootstrap over provinces)",
        )
        show_table(
            result.deciles.reset_index(names="decile"),
            [
                Col("decile", "十分位 decile", numeric=True),
                Col("cells", "候选 cells", num(".0f"), numeric=True),
                Col("entries", "进入 entries", num(".0f"), numeric=True),
                Col("hit_rate", "命中率 hit rate", num(".1%"), numeric=True),
            ],
            title=f"{strategy} 得分十分位命中率 hit rate by score decile",
        )
    for note in result.warnings:
        console.print(f"注 Note: {note}", style="dim")
    if out is not None:
        from nqpf.present.tables import write_json, write_xlsx

        slug = "_".join(str(result.spec[k]) for k in ("data", "t0", "t1"))
        stem = f"backtest_{Path(slug).stem}_{result.spec_hash}"
        paths = [write_xlsx(result, out / f"{stem}.xlsx"), write_json(result, out / f"{stem}.json")]
        console.print(f"已写出 Wrote {paths[0]} and {paths[1]}", highlight=False)
