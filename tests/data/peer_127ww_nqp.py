"""Make ``peer_127ww_nqp.csv``: the raw inputs and published scores of a peer NQPF study.

Source: github.com/127ww/nqp-spatial-development (MIT, commit e699fc87c189caa3264c74d38664cc726d4a8eb8),
``data/raw/面板原始数据_合并版v2.xlsx`` (raw panel, 31 provinces × 2011–2023) and
``data/面板数据_最终测度得分结果.csv`` (column ``新质生产力_组合得分``, the published NQPF score).
The CSV keeps only the columns the score is computed from, unchanged, plus the published score
(``score``). Run ``python tests/data/peer_127ww_nqp.py`` from the repository root with
``../shared/data/raw`` beside it to remake it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

RAW = (
    Path(__file__).resolve().parents[2].parent
    / "shared/data/raw/127ww+nqp-spatial-development/data"
)
OUT = Path(__file__).with_suffix(".csv")

#: Columns of the raw xlsx the score uses (per-capita ones as published; two totals the study
#: divides by population itself).
COLUMNS = [
    "省份",
    "年份",
    "每万人R&D人员（人年/万人）",
    "人均R&D经费（万元/万人）",
    "每万人专利授权数（件/万人）",
    "人均电商销售额（亿元/万人）",
    "人均软件产品收入（亿元/万人）",
    "技术市场成交额（万元）",
    "电信业务总量（亿元）",
    "数字普惠金融总指数",
    "总人口（万人）",
]


def main() -> None:
    raw = pd.read_excel(RAW / "raw/面板原始数据_合并版v2.xlsx")[COLUMNS]
    scores = pd.read_csv(RAW / "面板数据_最终测度得分结果.csv", encoding="utf-8-sig")
    score = scores.set_index(["省份", "年份"])["新质生产力_组合得分"].rename("score")
    out = raw.join(score, on=["省份", "年份"])
    out.to_csv(OUT, index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
