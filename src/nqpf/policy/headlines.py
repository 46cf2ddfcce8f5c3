"""Headline indicators that policy texts state targets for (国内生产总值增长, 城镇新增就业 …)
and the words that name them; ``annual`` marks the yearly targets of the government work
reports (the table of ``nqpf policy targets``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HEADLINE_RULES", "HeadlineRule"]


@dataclass(frozen=True)
class HeadlineRule:
    """An indicator that policy texts state targets for, and the words that name it."""

    id: str
    zh: str
    en: str
    words: tuple[str, ...]
    annual: bool = True


HEADLINE_RULES: tuple[HeadlineRule, ...] = (
    HeadlineRule("gdp_growth", "国内生产总值增长", "GDP growth", ("国内生产总值增长", "经济增长")),
    HeadlineRule(
        "cpi_inflation",
        "居民消费价格涨幅",
        "CPI inflation",
        (
            "居民消费价格涨幅",
            "居民消费价格总水平涨幅",
            "居民消费价格上涨",
            "居民消费价格总水平上涨",
            "物价涨幅",
        ),
    ),
    HeadlineRule("urban_new_jobs", "城镇新增就业", "new urban jobs", ("城镇新增就业",)),
    HeadlineRule(
        "surveyed_unemployment",
        "城镇调查失业率",
        "surveyed urban unemployment rate",
        ("城镇调查失业率",),
    ),
    HeadlineRule(
        "registered_unemployment",
        "城镇登记失业率",
        "registered urban unemployment rate",
        ("城镇登记失业率",),
    ),
    HeadlineRule(
        "energy_intensity_cut",
        "单位国内生产总值能耗降低",
        "cut in energy use per unit of GDP",
        ("单位国内生产总值能耗", "单位国内生产总值能源消耗", "单位GDP能耗"),
    ),
    HeadlineRule(
        "co2_intensity_cut",
        "单位国内生产总值二氧化碳排放降低",
        "cut in CO2 per unit of GDP",
        ("单位国内生产总值二氧化碳排放",),
        annual=False,
    ),
    HeadlineRule("deficit_ratio", "赤字率", "budget deficit ratio", ("赤字率",)),
    HeadlineRule("grain_output", "粮食产量", "grain output", ("粮食产量", "粮食总产量")),
    HeadlineRule("m2_growth", "广义货币增长", "M2 growth", ("广义货币", "M2")),
    HeadlineRule(
        "trade_growth", "进出口增长", "foreign trade growth", ("进出口总额增长", "进出口增长")
    ),
    HeadlineRule(
        "investment_growth",
        "固定资产投资增长",
        "fixed-asset investment growth",
        ("固定资产投资增长", "固定资产投资"),
    ),
    HeadlineRule(
        "retail_sales_growth",
        "社会消费品零售总额增长",
        "retail sales growth",
        ("社会消费品零售总额",),
    ),
    HeadlineRule(
        "special_bonds",
        "地方政府专项债券",
        "local government special bonds",
        ("地方政府专项债券", "专项债券"),
        annual=False,
    ),
    HeadlineRule(
        "rd_intensity",
        "研发经费投入强度",
        "R&D intensity",
        (
            "研发投入强度",
            "研发经费投入强度",
            "R&D经费投入强度",
            "研究与试验发展经费支出占国内生产总值",
        ),
        annual=False,
    ),
    HeadlineRule(
        "rd_basic_total",
        "基础研究经费",
        "basic research expenditure",
        ("基础研究经费", "基础研究投入"),
        annual=False,
    ),
    HeadlineRule(
        "basic_research_share",
        "基础研究经费占研发经费比重",
        "basic research share of R&D",
        ("基础研究经费占", "基础研究投入占", "基础研究经费投入占"),
        annual=False,
    ),
    HeadlineRule(
        "sei_share",
        "战略性新兴产业增加值占GDP比重",
        "strategic emerging industries' share of GDP",
        ("战略性新兴产业增加值占",),
        annual=False,
    ),
    HeadlineRule(
        "digital_core_share",
        "数字经济核心产业增加值占GDP比重",
        "digital economy core industries' share of GDP",
        ("数字经济核心产业增加值占",),
        annual=False,
    ),
    HeadlineRule("base_stations_5g", "5G基站", "5G base stations", ("5G基站",), annual=False),
)
