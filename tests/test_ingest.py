"""Importers: NBS exports, long and wide tables, and every bad input the issue lists."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nqpf.data import load_panel
from nqpf.errors import DataImportWarning, InputError, UnknownRegionError
from nqpf.ingest import read_long, read_nbs, read_table, read_wide
from nqpf.ingest.values import parse_number
from nqpf.ingest.workspace import Workspace
from tests.conftest import run_nqpf as _nqpf

NBS_EXPORT = """数据库：分省年度数据
指标：地区生产总值(亿元)
时间：最近3年
地区,2024年,2023年,2022年
北京市,49843.1,47731.6,
天津市,18024.3,…,16311.3
东部地区,1,2,3
内蒙古自治区,26314.6,24627.0,23158.6
注：2023年数据为初步核算数。
数据来源：国家统计局
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_nbs_export_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "分省年度数据.csv", NBS_EXPORT, encoding)
    with pytest.warns(DataImportWarning, match="东部地区"):
        frame = read_nbs(path)
    assert set(frame["indicator"]) == {"gdp"}
    assert set(frame["region"]) == {"110000", "120000", "150000"}
    value = frame.set_index(["region", "year"])["value"]
    assert value[("110000", 2023)] == 47731.6
    assert math.isnan(value[("110000", 2022)])  # empty cell
    assert math.isnan(value[("120000", 2023)])  # "…"
    assert (frame["unit"] == "亿元").all()


def test_nbs_export_with_tab_comma_separators_and_no_indicator_line(tmp_path: Path) -> None:
    text = (
        "数据库：分省年度数据 \n时间：2011年-2025年 \n地区\t,2025年\t,2024年\t,\n"
        "北京市\t,\t,521.91\t,\n上海市\t,\t,480.75\t,\n数据来源：国家统计局"
    )
    path = write(tmp_path / "x.csv", text, "utf-8-sig")
    with pytest.raises(InputError, match="no 指标 line") as info:
        read_nbs(path)
    assert "--indicator" in str(info.value)
    frame = read_nbs(path, indicator="fiscal_st_expenditure")
    assert frame.dropna()["value"].tolist() == [521.91, 480.75]


def test_nbs_export_rows_as_indicators_for_one_region(tmp_path: Path) -> None:
    text = (
        "数据库：分省年度数据\n地区：北京市\n时间：最近2年\n指标,2024年,2023年\n"
        "地方财政一般公共预算支出(亿元),8396.49,7971.25\n"
        "地方财政科学技术支出(万元),5219100,\n"
    )
    frame = read_nbs(write(tmp_path / "bj.csv", text))
    values = frame.dropna().set_index(["indicator", "year"])["value"]
    assert values[("fiscal_expenditure", 2024)] == 8396.49
    # converted from 万元 to the catalog's 亿元
    assert values[("fiscal_st_expenditure", 2024)] == pytest.approx(521.91)


def test_long_table_csv_and_excel(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "地区": ["安徽", "安徽省", "Jiangsu"],
            "年份": [2022, "2023年", 2023],
            "指标": ["研发投入强度", "rd_intensity", "my_index"],
            "数值": ["2.56", 2.69, "1,234.5"],
        }
    )
    frame.to_csv(tmp_path / "long.csv", index=False)
    frame.to_excel(tmp_path / "long.xlsx", index=False)
    for name in ("long.csv", "long.xlsx"):
        out = read_long(tmp_path / name)
        assert out["indicator"].tolist() == ["rd_intensity", "rd_intensity", "my_index"]
        assert out["region"].tolist() == ["340000", "340000", "320000"]
        assert out["value"].tolist() == [2.56, 2.69, 1234.5]


def test_wide_tables(tmp_path: Path) -> None:
    by_year = pd.DataFrame({"地区": ["北京", "上海"], "2022": [1.0, 2.0], "2023年": [3.0, 4.0]})
    by_year.to_csv(tmp_path / "years.csv", index=False)
    with pytest.raises(InputError, match="which one"):
        read_wide(tmp_path / "years.csv")
    out = read_wide(tmp_path / "years.csv", indicator="digital_index")
    assert len(out) == 4 and set(out["year"]) == {2022, 2023}
    by_ind = pd.DataFrame(
        {"region": ["北京", "上海"], "GDP(亿元)": [1.0, 2.0], "R&D经费(万元)": [10000.0, 20000.0]}
    )
    by_ind.to_excel(tmp_path / "ind.xlsx", index=False)
    out = read_table(tmp_path / "ind.xlsx", year=2023)
    values = out.set_index(["indicator", "region"])["value"]
    assert values[("gdp", "110000")] == 1.0
    assert values[("rd_expenditure", "310000")] == pytest.approx(2.0)  # 万元 → 亿元


# --------------------------------------------------------------------------- bad input


def test_unknown_region_names_file_row_value_and_suggests(tmp_path: Path) -> None:
    text = "region,year,indicator,value\n北京,2023,gdp,1\n江苏省省,2023,gdp,2\n"
    with pytest.raises(UnknownRegionError) as info:
        read_table(write(tmp_path / "bad.csv", text))
    message = str(info.value)
    assert "bad.csv" in message and "row 3" in message and "江苏省省" in message
    assert "江苏" in message


def test_duplicated_region_year_lists_the_rows(tmp_path: Path) -> None:
    text = "region,year,indicator,value\n北京,2023,gdp,1\n北京市,2023,gdp,2\n上海,2023,gdp,3\n"
    with pytest.raises(InputError, match=r"110000 2023 gdp \(rows 2, 3\)"):
        read_table(write(tmp_path / "dup.csv", text))


@pytest.mark.parametrize("token", ["", "…", "...", "-", "--", "—", "－"])
def test_missing_tokens_read_as_missing(tmp_path: Path, token: str) -> None:
    text = f"region,year,indicator,value\n北京,2023,gdp,{token}\n"
    frame = read_table(write(tmp_path / "m.csv", text))
    assert math.isnan(frame["value"].item())


def test_non_numeric_cell_names_row_and_column(tmp_path: Path) -> None:
    text = "地区,2023年,2022年\n北京,1.5,2.0\n上海,n/a?,3\n"
    with pytest.raises(InputError) as info:
        read_wide(write(tmp_path / "w.csv", text), indicator="gdp")
    assert "row 3" in str(info.value) and "'2023年'" in str(info.value)
    assert "n/a?" in str(info.value)


def test_encoding_that_is_neither_utf8_nor_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"region,year,indicator,value\n" + b"\x81\x30\xff\xfe,2023,gdp,1\n")
    with pytest.raises(InputError, match="UTF-8 or GB18030"):
        read_table(path)


def test_empty_file_missing_header_and_bad_year(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        read_table(write(tmp_path / "empty.csv", "\n\n"))
    with pytest.raises(InputError, match="not a region column"):
        read_table(write(tmp_path / "nohead.csv", "北京,1,2\n上海,3,4\n"), indicator="gdp")
    with pytest.raises(InputError, match="expected a year"):
        read_table(
            write(tmp_path / "year.csv", "region,year,indicator,value\n北京,二〇二三,gdp,1\n")
        )
    with pytest.raises(InputError, match="lacks the column"):
        read_long(write(tmp_path / "cols.csv", "region,year,value\n北京,2023,1\n"))


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_parse_number_reads_formatted_numbers(value: float) -> None:
    for text in (f"{value:,.6f}", f" {value:.6f} ", f"{value:.6e}"):
        assert parse_number(text, file="f", row=1, column="c") == pytest.approx(
            value, rel=1e-6, abs=1e-6
        )


# --------------------------------------------------------------------------- workspace


def test_import_into_workspace_is_read_beside_packaged_data(tmp_path: Path) -> None:
    text = "region,year,indicator,value,unit\n安徽,2023,digital_index,0.61,指数\n安徽,2023,gdp,1\n"
    ws = Workspace.default()
    ws.add(read_table(write(tmp_path / "mine.csv", text)))
    panel = load_panel(["digital_index", "gdp"], regions=["安徽"], years=[2023])
    values = panel.set_index("indicator")["value"]
    assert values["digital_index"] == 0.61 and values["gdp"] == 1.0  # user value wins
    assert panel.set_index("indicator").loc["digital_index", "unit"] == "指数"
    packaged = load_panel(["gdp"], regions=["安徽"], years=[2023], source="packaged")
    assert packaged["value"].item() > 40000


def test_failed_or_clashing_import_leaves_workspace_unchanged(tmp_path: Path) -> None:
    ws = Workspace.default()
    ws.add(read_table(write(tmp_path / "a.csv", "region,year,indicator,value\n北京,2023,x,1\n")))
    before = ws.panel_path.read_bytes()
    clash = read_table(write(tmp_path / "b.csv", "region,year,indicator,value\n北京,2023,x,2\n"))
    with pytest.raises(InputError, match="already in the workspace"):
        ws.add(clash)
    assert ws.panel_path.read_bytes() == before
    ws.add(clash, replace=True)
    assert ws.panel()["value"].tolist() == [2.0]
    assert not list(ws.root.glob("*.tmp"))


def test_cli_import_bad_file_exits_2_and_changes_nothing(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", "region,year,indicator,value\n火星,2023,gdp,1\n")
    result = _nqpf("data", "import", str(bad), home=tmp_path)
    assert result.returncode == 2
    assert "火星" in result.stderr and "row 2" in result.stderr
    assert Workspace(tmp_path / "workspace").panel().empty
    good = write(tmp_path / "good.csv", NBS_EXPORT, "gb18030")
    result = _nqpf("data", "import", str(good), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "东部地区" in result.stderr  # the dropped subtotal is reported
    assert not Workspace(tmp_path / "workspace").panel().empty
