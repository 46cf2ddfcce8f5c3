"""The packaged dataset reproduces official figures, and its tables are internally consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nqpf
from nqpf.data import (
    article_figures,
    catalog,
    io_sectors,
    load_alternatives,
    load_census_industry,
    load_divisions,
    load_enterprises,
    load_io_table,
    load_panel,
    sources,
)
from nqpf.errors import InputError
from nqpf.indicators import formula_inputs, indicator_specs
from nqpf.regions import province_codes


def _value(indicator: str, region: str, year: int) -> float:
    panel = load_panel([indicator], years=[year], regions=[region], include_national=True)
    assert len(panel) == 1, panel
    return float(panel["value"].iloc[0])


# 2023年全国科技经费投入统计公报 (NBS, MOST, MOF, 2024-10-02), 附表2: R&D intensity 2023.
COMMUNIQUE_2023 = {
    "北京": 6.73,
    "上海": 4.34,
    "天津": 3.58,
    "广东": 3.54,
    "江苏": 3.29,
    "浙江": 3.20,
    "安徽": 2.69,
    "西藏": 0.30,
    "全国": 2.65,
}
# 2024年全国科技经费投入统计公报 (2025-09-29), text: the seven provinces above the national
# average, and the six with R&D spending over 200 billion yuan.
COMMUNIQUE_2024_INTENSITY = {
    "北京": 6.58,
    "上海": 4.35,
    "广东": 3.60,
    "天津": 3.44,
    "江苏": 3.36,
    "浙江": 3.22,
    "安徽": 2.76,
    "全国": 2.69,
}
COMMUNIQUE_2024_RD = {
    "广东": 5099.6,
    "江苏": 4597.5,
    "北京": 3278.4,
    "浙江": 2901.4,
    "山东": 2597.3,
    "上海": 2343.7,
    "全国": 36326.8,
}


@pytest.mark.parametrize(("region", "value"), COMMUNIQUE_2023.items())
def test_rd_intensity_2023_as_in_the_communique(region: str, value: float) -> None:
    assert _value("rd_intensity", region, 2023) == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize(("region", "value"), COMMUNIQUE_2024_INTENSITY.items())
def test_rd_intensity_2024_as_in_the_communique(region: str, value: float) -> None:
    assert _value("rd_intensity", region, 2024) == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize(("region", "value"), COMMUNIQUE_2024_RD.items())
def test_rd_expenditure_2024_as_in_the_communique(region: str, value: float) -> None:
    assert _value("rd_expenditure", region, 2024) == pytest.approx(value, abs=1e-9)


def test_revised_2023_intensity_is_kept_as_an_alternative() -> None:
    alt = load_alternatives("rd_intensity")
    beijing = alt[(alt["region"] == "110000") & (alt["year"] == 2023)]
    row = beijing[beijing["source_id"].str.contains("revised")]
    # 2024 communiqué 附表2, 修订后2023年R&D经费投入强度: 北京 6.22
    assert row["value"].tolist() == [6.22]


def test_gdp_is_the_revised_series_with_first_release_traceable() -> None:
    # 广东 2022: 132547.1 after the 5th economic census revision, 129118.6 as first released.
    assert _value("gdp", "广东", 2022) == pytest.approx(132547.1)
    alt = load_alternatives("gdp")
    first = alt[(alt["region"] == "440000") & (alt["year"] == 2022)]
    assert 129118.6 in set(first["value"].round(1))
    # 天津's first releases of 2011-2018 were revised down by a third after its data audit.
    assert _value("gdp", "天津", 2011) == pytest.approx(8240.8)
    src = sources().set_index("source_id")
    assert (
        "5th economic census"
        in src.loc[
            load_panel(["gdp"], regions=["天津"], years=[2011])["source_id"].iloc[0], "vintage"
        ]
    )


def test_article_figures_are_consistent_with_the_panel() -> None:
    figures = article_figures().set_index("id")
    assert figures.loc["rd_intensity_2024", "value"] == _value("rd_intensity", "全国", 2024)
    # basic research share 2020: 6.01% in the article, rd_basic / rd_internal_total here
    assert _value("basic_research_share", "全国", 2020) == pytest.approx(
        figures.loc["basic_research_share_2020", "value"], abs=0.005
    )
    # 2.41% (article, revised with 2021's communiqué) vs 2.40% first released for 2020
    assert _value("rd_intensity", "全国", 2020) == pytest.approx(
        figures.loc["rd_intensity_2020", "value"] - 0.01, abs=1e-9
    )
    assert figures["quote"].str.len().gt(3).all()


def test_every_stored_value_has_provenance() -> None:
    panel = load_panel(source="packaged", include_national=True)
    src = sources()
    assert set(panel["source_id"]) <= set(src["source_id"])
    needed = [
        "dataset",
        "publisher",
        "repository",
        "commit",
        "file",
        "table",
        "item",
        "unit_published",
        "factor",
        "vintage",
        "licence",
        "citation",
    ]
    assert src[needed].notna().all().all()
    assert (src["commit"].str.len() == 40).all()


def test_panel_shape_and_keys() -> None:
    panel = load_panel(source="packaged")
    assert not panel.duplicated(["region", "year", "indicator"]).any()
    assert set(panel["region"]) == set(province_codes())
    assert panel["year"].between(2010, 2024).all()
    assert panel["value"].notna().all()
    for ind in ("gdp", "population", "rd_expenditure", "rd_intensity"):
        assert set(panel.loc[panel["indicator"] == ind, "region"]) == set(province_codes())


def test_catalog_covers_the_panel_and_required_ids() -> None:
    cat = catalog()
    stored = set(load_panel(source="packaged")["indicator"])
    assert stored <= set(cat["id"])
    assert {"gdp", "population", "rd_expenditure", "rd_intensity"} <= set(cat["id"])
    assert cat.loc[cat["id"] == "rd_intensity", "unit"].item() == "%"
    assert set(cat["direction"]) <= {"+", "-", "0"}
    assert cat.loc[cat["formula"].isna(), "first_year"].notna().all()


def test_derived_indicator_equals_its_formula() -> None:
    panel = load_panel(["gdp", "population", "gdp_per_capita"], years=[2023])
    wide = panel.pivot_table(index="region", columns="indicator", values="value")
    np.testing.assert_allclose(wide["gdp_per_capita"], wide["gdp"] / wide["population"] * 1e4)
    beijing = panel[(panel["region"] == "110000") & (panel["indicator"] == "gdp_per_capita")]
    assert beijing["source_id"].item() == "derived: gdp / population * 10000"


def test_every_derived_formula_evaluates() -> None:
    for spec in indicator_specs().values():
        if spec.formula:
            frame = load_panel([spec.id])
            assert not frame.empty, spec.id
            assert np.isfinite(frame["value"]).all(), spec.id
            assert formula_inputs(spec.formula) <= set(indicator_specs())


def test_unknown_indicator_suggests() -> None:
    with pytest.raises(InputError, match="rd_intensity"):
        load_panel(["rd_intensty"])


# --------------------------------------------------------------------------- census


def test_census_sections_sum_to_totals_and_national_figures() -> None:
    # 2020: provinces add up to the national row in every section.
    prov = load_census_industry(2020).groupby("section")["value"].sum()
    nation = load_census_industry(2020, level="national").set_index("section")["value"]
    pd.testing.assert_series_equal(prov.sort_index(), nation.sort_index(), check_names=False)
    assert nation.sum() == pytest.approx(65.6e6, rel=0.001)
    # 2010: 71.5 M employed in the long-form sample; the three columns whose headers are
    # scrambled in the source hold 交通运输 2.54 M, 信息传输 0.44 M, 批发零售 6.66 M.
    sec10 = load_census_industry(2010).groupby("section")["value"].sum()
    assert sec10.sum() == pytest.approx(71.5e6, rel=0.001)
    assert sec10["G"] == pytest.approx(2.54e6, rel=0.002)
    assert sec10["I"] == pytest.approx(0.44e6, rel=0.002)
    assert sec10["F"] == pytest.approx(6.66e6, rel=0.002)


def test_census_levels_nest() -> None:
    for year in (2010, 2020):
        county = load_census_industry(year, level="county")
        prov = load_census_industry(year, level="province").groupby("code")["value"].sum()
        by_prov = county.assign(p=county["code"].str[:2] + "0000").groupby("p")["value"].sum()
        share = (by_prov / prov).dropna()
        # counties sum to 85-100% of the province (some units have no code in the source)
        assert share.between(0.8, 1.0 + 1e-9).all(), share[~share.between(0.8, 1.0 + 1e-9)]
        assert len(county["code"].unique()) > 2800
        divisions = load_divisions(year)
        assert set(county["code"]) <= set(divisions["code"])


# --------------------------------------------------------------------------- enterprises


def test_enterprises() -> None:
    firms = load_enterprises()
    assert len(firms) == 5524 and firms["code"].is_unique
    assert set(firms["board"]) == {"主板", "创业板", "科创板", "北交所"}
    shenzhen = firms[firms["area_as_published"] == "深圳"]
    assert (shenzhen["province"] == "440000").all() and (shenzhen["city"] == "440300").all()
    guangdong = firms[firms["province"] == "440000"]
    assert len(guangdong) == len(shenzhen) + (firms["area_as_published"] == "广东").sum()
    assert firms["province"].isna().sum() == 5
    assert firms["industry"].nunique() == 110


# --------------------------------------------------------------------------- input-output


@pytest.mark.parametrize(("year", "n"), [(2017, 149), (2018, 153), (2020, 153)])
def test_io_table_accounting_identities(year: int, n: int) -> None:
    table = load_io_table(year, n)
    wide = table.pivot_table(index="row_code", columns="col_code", values="value", aggfunc="sum")
    sectors = [c for c in wide.columns if c.isdigit()]
    assert len(sectors) == n
    z = wide.loc[sectors, sectors]
    # row identity: intermediate use is the sum of the row's intermediate cells
    np.testing.assert_allclose(z.sum(axis=1), wide.loc[sectors, "TIU"], rtol=1e-6)
    # column identity: total input = intermediate inputs + value added
    np.testing.assert_allclose(
        z.sum(axis=0) + wide.loc["TVA", sectors], wide.loc["TI", sectors], rtol=1e-6
    )
    # total input equals gross output sector by sector
    np.testing.assert_allclose(wide.loc["TI", sectors], wide.loc[sectors, "GO"], rtol=1e-5)
    names = io_sectors(f"{year}_{n}")
    assert len(names[(names["kind"] == "sector")]) == n


def test_io_42_sector_tables_split_imports() -> None:
    table = load_io_table(2020, 42)
    assert set(table["row_origin"]) == {"Domestic", "Imports", "Total"}
    with pytest.raises(InputError, match="available"):
        load_io_table(2019, 42)  # type: ignore[arg-type]


def test_public_api_is_lazy_and_complete() -> None:
    for name in nqpf.__all__:
        assert callable(getattr(nqpf, name)), name
    with pytest.raises(AttributeError):
        nqpf.no_such_thing  # noqa: B018
