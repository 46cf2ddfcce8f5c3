"""The opportunity services: ``nqpf opportunities`` (:func:`opportunities`, a region's
strengths and ranked opportunities with the backtest behind them) and ``nqpf backtest
opportunities`` (:func:`backtest`). Both load their data here, run the core of
:mod:`nqpf.industry.screen` and return results on the :mod:`nqpf.results` protocol.

Backtest data: ``census`` (the packaged census county/prefecture/province employment of 2010 and
2020, codes matched by :func:`nqpf.services.matrices.census_pair`), ``listed`` (the
listed-company matrix rebuilt as of t0 and t1 from listing dates) or a user's long file
with at least two years. The result follows :mod:`nqpf.results` (kind
``opportunity_backtest``).
"""

from __future__ import annotations

import warnings as _warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from nqpf.errors import InputError, NQPFWarning
from nqpf.industry.advantage import presence, rca
from nqpf.industry.classification import industry_types
from nqpf.industry.complexity import complexity, complexity_diagnostic
from nqpf.industry.matrix import to_wide
from nqpf.industry.opportunities import Strategy, national_growth, swot
from nqpf.industry.screen import (
    BacktestResult,
    OpportunityResult,
    align,
    backtest_opportunities,
    screen,
)
from nqpf.results import hash_spec
from nqpf.services._cache import cached
from nqpf.services.industry import load_matrix, region_groups
from nqpf.services.matrices import (
    census_pair,
    io_relatedness,
    known_industries,
    listed_matrix,
    read_matrix,
)

__all__ = [
    "DATA_HELP",
    "BacktestSpec",
    "OpportunitySpec",
    "backtest",
    "opportunities",
]

DATA_HELP = "census (普查 2010→2020) | listed (上市公司, by listing date) | a CSV/XLSX long file"

Level = Literal["county", "prefecture", "province"]
Relatedness = Literal["co-location", "io"]


def _check_options(strategy: str, threshold: float) -> None:
    if strategy not in get_args(Strategy):
        raise InputError(
            f"unknown strategy {strategy!r}",
            column="strategy",
            hint=f"use one of {', '.join(get_args(Strategy))}",
        )
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold < 0:
        raise InputError(f"threshold must be a number ≥ 0, not {threshold!r}", column="threshold")


@dataclass(frozen=True)
class BacktestSpec:
    """Options of ``nqpf backtest opportunities``, validated when made."""

    data: str = "census"
    level: Level = "county"
    t0: int | None = None
    t1: int | None = None
    strategy: Strategy = "balanced"
    threshold: float = 1.0
    include_nontradable: bool = False

    def __post_init__(self) -> None:
        _check_options(self.strategy, self.threshold)
        if self.level not in get_args(Level):
            raise InputError(
                f"unknown level {self.level!r}",
                column="level",
                hint="county, prefecture or province",
            )


@dataclass(frozen=True)
class OpportunitySpec:
    """Options of ``nqpf opportunities``, validated when made."""

    region: str
    matrix: str = "auto"
    strategy: Strategy = "balanced"
    within: str | None = None
    threshold: float = 1.0
    relatedness: Relatedness = "co-location"
    include_nontradable: bool = False

    def __post_init__(self) -> None:
        _check_options(self.strategy, self.threshold)
        if self.relatedness not in get_args(Relatedness):
            raise InputError(
                f"unknown relatedness {self.relatedness!r}",
                column="relatedness",
                hint="co-location or io",
            )


def opportunities(spec: OpportunitySpec) -> OpportunityResult:
    """A region's strengths, its ranked opportunities (feasibility from the model fitted on
    the matrix's previous period when there is one) and the backtest of that period;
    cached by the hash of the matrix and the options."""
    loaded = load_matrix(spec.region, spec.matrix, spec.within)
    values, code = loaded.values, loaded.code
    options = {"kind": "opportunities", **asdict(spec), "region": code, "matrix": loaded.matrix}
    key = hash_spec(options, values)

    def build() -> OpportunityResult:
        types = _types(loaded.classification)
        names = known_industries(loaded.classification) or {}
        proximity_table = None
        if spec.relatedness == "io":
            if loaded.classification != "gbt4754_section":
                raise InputError(
                    "input-output relatedness is between GB/T 4754 sections",
                    hint="use it with --matrix census2020 or census2010",
                )
            proximity_table = io_relatedness().loc[values.columns, values.columns]
        history, history_growth, earlier = _history(loaded.matrix, code)
        found = screen(
            values,
            code,
            history=history,
            strategy=spec.strategy,
            growth=loaded.growth,
            types=types,
            threshold=spec.threshold,
            region_label=loaded.label,
            industry_names=names,
            proximity_table=proximity_table,
            include_nontradable=spec.include_nontradable,
            backtest_growth=history_growth,
            groups=region_groups(values.index),
            earlier=earlier,
        )
        m = presence(rca(values), threshold=spec.threshold)
        cx = complexity(m, proximity_table=proximity_table)
        diagnostic = complexity_diagnostic(m, cx)
        notes = [
            f"{r.check}: {r.message_zh} {r.message_en}" for r in diagnostic.itertuples() if not r.ok
        ]
        if found.backtest is None:
            notes.append(
                "无历史期，可行性 = 标准化关联密度，未回测 No earlier period: feasibility is "
                "the standardised density, not backtested."
            )
        return OpportunityResult(
            region=code,
            region_label=loaded.label,
            opportunities=found.opportunities,
            strengths=found.strengths,
            swot=swot(values, code, threshold=spec.threshold, proximity_table=proximity_table),
            diagnostic=diagnostic,
            proximity=cx.proximity,
            types=types,
            backtest=found.backtest,
            spec={k: v for k, v in options.items() if k != "kind"},
            spec_hash=key,
            provenance=loaded.provenance(),
            warnings=notes,
        )

    return cached(key, build)


def _history(
    matrix: str, code: str
) -> tuple[pd.DataFrame | None, pd.Series | None, pd.DataFrame | None]:
    """The table of the previous period (for the feasibility model and the backtest), the
    national growth known at that date and the table one period before it (the model's
    momentum features): listed 2020 (growth 2015 → 2020, earlier 2015), the census 2010
    pair of the region's level (no earlier census is packaged); none for a user's file."""
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", NQPFWarning)
        if matrix == "listed":
            long = listed_matrix((2015, 2020))
            return to_wide(long, 2020), national_growth(long), to_wide(long, 2015)
        if matrix == "census2020":
            level = (
                "province"
                if code.endswith("0000")
                else "prefecture"
                if code.endswith("00")
                else "county"
            )
            before, _, _ = census_pair(level)  # type: ignore[arg-type]
            return before, None, None
    return None, None, None


def _types(classification: str) -> pd.DataFrame | None:
    try:
        return industry_types(classification)
    except InputError:
        return None


def backtest(
    data: str = "census",
    *,
    level: Level = "county",
    t0: int | None = None,
    t1: int | None = None,
    strategy: Strategy = "balanced",
    threshold: float = 1.0,
    include_nontradable: bool = False,
) -> BacktestResult:
    """Backtest of the opportunity scores on ``data`` between ``t0`` and ``t1``
    (options checked by :class:`BacktestSpec`)."""
    BacktestSpec(data, level, t0, t1, strategy, threshold, include_nontradable)
    before, after, growth, classification, meta = _periods(data, level, t0, t1)
    earlier = meta.get("earlier")
    types = _types(classification)
    a, b = align(before, after)
    result = backtest_opportunities(
        a,
        b,
        strategy=strategy,
        types=types,
        threshold=threshold,
        growth=growth,
        include_nontradable=include_nontradable,
        groups=region_groups(a.index),
        earlier=earlier,
    )
    spec = {
        "data": meta["data"],
        "level": level if data == "census" else None,
        "t0": meta["t0"],
        "t1": meta["t1"],
        "strategy": strategy,
        "threshold": threshold,
        "include_nontradable": include_nontradable,
    }
    return result.with_context(
        spec=spec,
        spec_hash=hash_spec(spec, a, b),
        provenance=pd.DataFrame(meta["provenance"], columns=["source", "table", "unit", "vintage"]),
        warnings=list(meta["caveats"]),
        unmatched=meta.get("unmatched"),
        title=str(meta["title"]),
    )


def _periods(
    data: str, level: str, t0: int | None, t1: int | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None, str, dict[str, Any]]:
    if data == "census":
        return _census(level, t0, t1)
    if data == "listed":
        return _listed(t0, t1)
    path = Path(data)
    if not path.exists():
        raise InputError(f"unknown data {data!r}", hint=f"use {DATA_HELP}")
    long = read_matrix(path)
    years = sorted(int(y) for y in long["year"].unique())
    if len(years) < 2:
        raise InputError(
            f"{path.name} has one year only", file=path.name, hint="a backtest needs two years"
        )
    y0, y1 = t0 or years[-2], t1 or years[-1]
    for year in (y0, y1):
        if year not in years:
            raise InputError(
                f"{path.name} has no year {year}",
                file=path.name,
                hint=f"years in the file: {', '.join(map(str, years))}",
            )
    known = long[long["year"] <= y0]
    prior = national_growth(known) if known["year"].nunique() > 1 else None
    before_t0 = [y for y in years if y < y0]
    meta: dict[str, Any] = {
        "data": path.name,
        "t0": y0,
        "t1": y1,
        "title": f"{path.name} {y0} → {y1}",
        "caveats": [] if prior is not None else ["得分中不含增长分量（t0 之前没有数据）"],
        # the momentum features of the model come from the latest year before t0
        "earlier": to_wide(long, before_t0[-1]) if before_t0 else None,
        "provenance": [(path.name, "user matrix", str(long["unit"].iloc[0]), f"{y0}, {y1}")],
    }
    return to_wide(long, y0), to_wide(long, y1), prior, str(long["classification"].iloc[0]), meta


def _census(
    level: str, t0: int | None, t1: int | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None, str, dict[str, Any]]:
    if (t0, t1) not in ((None, None), (2010, 2020)):
        raise InputError("the packaged census pair is 2010 → 2020", hint="drop --t0/--t1")
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", NQPFWarning)
        before, after, matches = census_pair(level)  # type: ignore[arg-type]
    unmatched = matches[matches["how"].str.startswith("unmatched")].reset_index(drop=True)
    counts = matches["how"].value_counts()
    meta: dict[str, Any] = {
        "data": "census",
        "t0": 2010,
        "t1": 2020,
        "title": f"普查 census {level} 2010 → 2020 (GB/T 4754 门类 sections)",
        "unmatched": unmatched,
        "caveats": [
            f"区划代码按名称匹配 codes matched through changes: {int(counts.get('recoded', 0))} "
            f"重新编码 recoded, {int(counts.get('renamed', 0))} 更名 renamed, "
            f"{int(counts.get('swapped', 0))} 互换 swapped, {len(unmatched)} 未匹配 unmatched "
            "(table unmatched_divisions)",
            "门类按 GB/T 4754-2002 → 2017 一一对应；社会保险由 Q 移入 S 等口径变化使少数门类不完全可比",
            "得分中不含增长分量（t0 前无更早普查）；全国增长基准用 2010→2020，属前视 look-ahead",
        ],
        "provenance": [
            (
                "NBS 第六、七次人口普查分县资料（leiii/census）",
                "各种行业人口（长表抽样）",
                "人 persons (≈10% sample)",
                "2010, 2020",
            )
        ],
    }
    return before, after, None, "gbt4754_section", meta


def _listed(
    t0: int | None, t1: int | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None, str, dict[str, Any]]:
    y0, y1 = t0 or 2020, t1 or 2025
    if y1 <= y0:
        raise InputError(f"t1 ({y1}) must be after t0 ({y0})")
    long = listed_matrix((y0 - (y1 - y0), y0, y1))
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", NQPFWarning)
        before, after = to_wide(long, y0), to_wide(long, y1)
        earlier = to_wide(long, y0 - (y1 - y0))
    growth = national_growth(long[long["year"] < y1])
    meta: dict[str, Any] = {
        "earlier": earlier,
        "data": "listed",
        "t0": y0,
        "t1": y1,
        "title": f"上市公司 listed companies {y0} → {y1} (按上市日期回溯 as of listing dates)",
        "caveats": [
            "幸存者偏差 survivor bias: 只含 2026 年快照中仍在市的公司，已退市公司不在 t0 存量中",
            f"得分中的增长分量与模型的动量特征用 {y0 - (y1 - y0)}→{y0} 数据（t0 时已知） "
            f"the score's growth and the model's momentum use {y0 - (y1 - y0)} → {y0}",
            "31 个省份样本小，AUC 波动大",
        ],
        "provenance": [
            (
                "Tushare stock_basic（上市公司名录）",
                "enterprises",
                "家 companies (stock listed by 31 Dec)",
                f"{y0}, {y1}",
            )
        ],
    }
    return before, after, growth, "listed", meta
