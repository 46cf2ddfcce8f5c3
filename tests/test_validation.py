"""One validation layer (issue 15): numbers, files, framework YAML and command-line options.
Each case the issue's attack run found ends in a correct result or a one-line error naming
what to fix."""

from __future__ import annotations

import math
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.index.framework import load_framework
from nqpf.indicators.schema import MAX_ALIASES, validate_framework
from nqpf.ingest.options import (
    bootstrap_bytes,
    check_memory,
    parse_years,
    uncertainty_bytes,
)
from nqpf.ingest.readers import read_long
from nqpf.ingest.values import decode_text, parse_number

from .test_reliability import cli, one_line_error

LONG_HEADER = "region,year,indicator,value\n"


def parse(text: str) -> float:
    return parse_number(text, file="f.csv", row=3, column="value")


# ---------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5", 1234.5),
        ("12,345,678", 12345678.0),
        ("1 234", 1234.0),
        ("1\u00a0234", 1234.0),
        ("-1.5", -1.5),
        ("2e3", 2000.0),
        (".5", 0.5),
        (" 7 ", 7.0),
    ],
)
def test_numbers_read(text: str, expected: float) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["…", "-", "—", "", "NA"])
def test_missing_tokens_are_nan(text: str) -> None:
    assert math.isnan(parse(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12,34", "thousands separators must group three digits"),
        ("1,2,3", "thousands separators must group three digits"),
        ("1,234,5", "thousands separators must group three digits"),
        ("1_000", "expected a number, found '1_000'"),
        ("inf", "'inf' is not a finite number"),
        ("-inf", "'-inf' is not a finite number"),
        ("Infinity", "'Infinity' is not a finite number"),
        ("1e999", "'1e999' is not a finite number"),
        ("1.2.3", "expected a number"),
        ("0x10", "expected a number"),
    ],
)
def test_bad_numbers_are_errors_naming_the_cell(text: str, message: str) -> None:
    with pytest.raises(InputError, match=r"file f\.csv, row 3, column 'value'") as info:
        parse(text)
    assert message in str(info.value)


def test_numeric_infinity_from_a_spreadsheet_is_an_error() -> None:
    with pytest.raises(InputError, match="not a finite number"):
        parse_number(float("inf"), file="f.xlsx", row=2, column="value")


def _long(tmp_path: Path, body: str, name: str = "d.csv") -> Path:
    path = tmp_path / name
    path.write_text(LONG_HEADER + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("天津,2023,gdp,-5", "-5 is below the smallest valid value 0 of 'gdp'"),
        ("天津,2023,population,-1", "of 'population'"),
        ("天津,2023,gdp,inf", "'inf' is not a finite number"),
        ("天津,2023,gdp,Infinity", "'Infinity' is not a finite number"),
        ("天津,2023,gdp,1e999", "'1e999' is not a finite number"),
        ('天津,2023,gdp,"12,34"', "thousands separators"),
        ("天津,2023,gdp,1_000", "'1_000'"),
    ],
)
def test_bad_values_in_files_are_refused_at_import(
    tmp_path: Path, row: str, message: str
) -> None:
    path = _long(tmp_path, "北京,2023,gdp,100\n" + row + "\n")
    with pytest.raises(InputError, match="row 3") as info:
        read_long(path)
    assert message in str(info.value)


def test_negative_values_of_user_indicators_are_kept(tmp_path: Path) -> None:
    """Sign rules come from the catalog; a user's own indicator may be negative."""
    frame = read_long(_long(tmp_path, "北京,2023,my_balance,-5\n"))
    assert frame["value"].tolist() == [-5.0]


def test_assess_data_with_inf_names_the_value_not_missing(tmp_path: Path) -> None:
    from nqpf import assess

    frame = pd.DataFrame(
        {"region": ["110000"], "year": [2023], "indicator": ["gdp"], "value": [math.inf]}
    )
    with pytest.raises(InputError, match=r"not finite, e\.g\. inf for 110000 2023 gdp"):
        assess(frame, framework={"pillars": [{"id": "t", "indicators": ["gdp"]}]})


# ---------------------------------------------------------------------------- files


def test_xlsx_formula_without_saved_value_is_reported(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["region", "year", "indicator", "value"])
    sheet.append(["北京", 2023, "gdp", 1])
    sheet.append(["天津", 2023, "gdp", "=D2*2"])
    book.save(tmp_path / "f.xlsx")
    with pytest.raises(InputError, match=r"row 3: cell D3 holds the formula '=D2\*2' but no"):
        read_long(tmp_path / "f.xlsx")


def test_bare_carriage_returns_split_rows(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(b"region,year,indicator,value\r\xe5\x8c\x97\xe4\xba\xac,2023,gdp,1\r")
    assert read_long(path)["value"].tolist() == [1.0]


def test_newline_inside_a_quoted_field_is_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes('region,year,indicator,value\n北京,2023,"g\rdp",1\n'.encode())
    assert read_long(path)["indicator"].tolist() == ["gdp"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.xlsx", b"PK\x03\x04 not really a zip", "not a readable Excel workbook"),
        ("fake.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "not a readable Excel"),
        ("text.xls", b"region,year\n", "not a readable Excel workbook"),
    ],
    ids=["zip-header", "ole-header", "text"],
)
def test_files_posing_as_excel(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_long(tmp_path / name)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as z:
        z.writestr("hello.txt", "x")
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        read_long(tmp_path / "z.xlsx")


CSV = "地区,年份,指标,数值\n北京,2023,gdp,100\n天津,2023,gdp,90\n"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (CSV.encode("utf-16-le"), "NUL bytes"),
        (b"region,year\x00,indicator,value\n", "NUL bytes"),
        (
            CSV.replace("地区", "地區").replace("指标", "指標").replace("数值", "數值").encode("big5"),
            "Big5",
        ),
        (CSV.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"), "double-encoded"),
    ],
    ids=["utf16-no-bom", "nul", "big5", "double-encoded"],
)
def test_misleading_encodings_are_named(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_text(raw, file="x.csv")


def test_gb18030_and_utf8_still_read() -> None:
    assert decode_text(CSV.encode("gb18030"), file="x.csv") == CSV
    assert decode_text(b"\xef\xbb\xbf" + CSV.encode(), file="x.csv") == CSV


def test_control_characters_are_removed_from_imported_names(tmp_path: Path) -> None:
    path = _long(tmp_path, "北京,2023,my\x1b[31mind\x07,1\n")
    assert read_long(path)["indicator"].tolist() == ["my[31mind"]


# ---------------------------------------------------------------------------- frameworks


def _fw(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "fw.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


GOOD = "pillars:\n  - id: tech\n    indicators: [rd_intensity, patents_granted]\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("名称: 框架\n" + GOOD, None),
        (("name_zh: 框架\n" + GOOD).encode("gbk"), "not UTF-8"),
        ("x: " + "[" * 3000 + "]" * 3000 + "\n" + GOOD, "nested too deeply"),
        ("pillars: tech\n", "pillars: Input should be a valid list"),
        ("pillars: [1]\n", "pillars[0]: Input should be a valid dictionary"),
        ("pillars:\n  - id: [a]\n    indicators: [gdp]\n", "pillars[0].id"),
        (GOOD.replace("id: tech", "id: index"), "'index' is reserved"),
        (GOOD.replace("id: tech", "id: year"), "'year' is reserved"),
        (GOOD.replace("id: tech", "id: ../x"), "must not contain"),
        (GOOD.replace("    indicators", "    weight: abc\n    indicators"), "pillars[0].weight"),
        (GOOD.replace("    indicators", "    weight: .nan\n    indicators"), "finite number"),
        ("years: [1, 999999999]\n" + GOOD, "years[0]: Input should be greater than or equal to 1949"),
        ("years: [2023, 2018]\n" + GOOD, "`years` runs backwards: 2023 > 2018"),
        ("years: [2018]\n" + GOOD, "years: `years` must be [first, last], e.g. [2018, 2023]"),
        ("years: 2018\n" + GOOD, "`years` must be [first, last]"),
        ("!!python/object/apply:os.system [echo hi]\n", "not valid YAML"),
        ("pillars: []\n", "pillars: List should have at least 1 item"),
        ("- a\n- b\n", "a framework must be a mapping"),
        (
            "ahp: [[1, 2], [0.5]]\n"
            "pillars:\n  - id: a\n    indicators: [gdp]\n  - id: b\n    indicators: [rd_intensity]\n",
            "must be square",
        ),
    ],
)
def test_framework_files(tmp_path: Path, text: str | bytes, message: str | None) -> None:
    path = _fw(tmp_path, text)
    if message is None:
        assert load_framework(path).pillar_ids == ["tech"]
        return
    with pytest.raises(InputError, match=r"file fw\.yaml") as info:
        load_framework(path)
    assert message in str(info.value)


def test_billion_laughs_is_refused_before_expansion(tmp_path: Path) -> None:
    """A 1 KB file whose nested anchors would expand into a 3.9 GB label."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k in range(1, 9):
        lines.append(f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]")
    text = "\n".join(lines) + "\nname_zh: *a8\n" + GOOD
    assert len(text) < 1200
    with pytest.raises(InputError, match=f"more than {MAX_ALIASES} YAML aliases|expands to"):
        load_framework(_fw(tmp_path, text))


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    text = "common: &c 科技\npillars:\n  - id: tech\n    name_zh: *c\n    indicators: [rd_intensity]\n"
    assert load_framework(_fw(tmp_path, text)).pillars[0].name_zh == "科技"


def test_labels_lose_control_characters() -> None:
    raw = validate_framework(
        {"name_zh": "框\x1b[2J架", "pillars": [{"id": "t", "indicators": ["gdp"]}]}
    )
    assert raw["name_zh"] == "框[2J架"


def test_framework_schema_rejects_huge_files(tmp_path: Path) -> None:
    path = _fw(tmp_path, GOOD + "# " + "x" * 1_100_000 + "\n")
    with pytest.raises(InputError, match="more than the 1,000,000 allowed"):
        load_framework(path)


# ---------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["assess", "--year", "2023-2018"], "the year range '2023-2018' runs backwards"),
        (["assess", "--year", "1800"], "--year 1800 is outside 1949–2100"),
        (["assess", "--year", "1-999999999"], "--year 1 is outside 1949–2100"),
        (["assess", "--year", "x"], "not a year or range: 'x'"),
        (["assess", "--uncertainty", "-1"], "--uncertainty -1 is out of range"),
        (["assess", "--uncertainty", "100000000"], "--uncertainty 100000000 is out of range"),
        (["assess", "--top", "-3"], "--top -3 is out of range"),
        (["assess", "--lang", "xx"], "--lang 'xx' is not one of zh, en"),
        (["assess", "--normalize", "target"], "nqpf.assess(normalize='target'"),
        (["assess", "--top", "x"], "Invalid value for '--top'"),
        (["assess", "--topp", "1"], "No such option: --topp"),
        (["disparity", "--bootstrap", "-1"], "--bootstrap -1 is out of range"),
        (["disparity", "--bootstrap", "10000000"], "--bootstrap 10000000 is out of range"),
        (["disparity", "--year", "1800"], "--year 1800 is outside"),
        (["diagnose", "安徽", "--year", "1800"], "--year 1800 is outside"),
        (["diagnose", "安徽", "--year", "2000"], "--year 2000: no obstacle degrees"),
        (["diagnose", "安徽", "--top", "0"], "--top 0 is out of range"),
        (["data", "show", "gdp", "--lang", "xx"], "--lang 'xx'"),
        (["data", "show", "gdp", "--year", "1800"], "--year 1800 is outside"),
        (["data", "list", "--lang", "fr"], "--lang 'fr'"),
        (["opportunities", "安徽", "--top", "-3"], "--top -3 is out of range"),
        (["opportunities", "安徽", "--strategy", "x"], "--strategy 'x' is not one of"),
        (["similar", "安徽", "--top", "0"], "--top 0 is out of range"),
    ],
)
def test_bad_options_are_one_line_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, *args)
    assert message in one_line_error(code, err)


def test_parse_years() -> None:
    assert parse_years(["2018-2020", "2019", "2023"]) == [2018, 2019, 2020, 2023]
    assert parse_years(["2018–2019"]) == [2018, 2019]
    assert parse_years(None) is None


def test_memory_estimates_refuse_before_allocation() -> None:
    # 2^20 base samples × 10 runs each × (8 factors …) over 31 × 6 region-years
    assert uncertainty_bytes(1 << 20, factors=8, units=186) > 4 * 1024**3
    assert uncertainty_bytes(1024, factors=8, units=186) < 100 * 1024**2
    assert bootstrap_bytes(1000, regions=31) == 1000 * (3 * 31 + 31 * 31) * 16
    with pytest.raises(InputError, match=r"would need about 8.0 GiB"):
        check_memory(8 * 1024**3, what="x", hint="less")


def test_assess_api_checks_years() -> None:
    from nqpf import assess

    with pytest.raises(InputError, match="years 1 is outside 1949–2100"):
        assess(years=[1, 2023])


def test_imported_indicator_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`data show` of an imported indicator said "unknown indicator" though `data list`
    showed it."""
    path = _long(tmp_path, "北京,2023,my_ind,5\n天津,2023,my_ind,7\n")
    code, _, err = cli(capsys, "data", "import", str(path))
    assert code == 0, err
    code, out, err = cli(capsys, "data", "show", "my_ind")
    assert code == 0, err
    assert "天津" in out and "7.00" in out


def test_help_is_still_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0 and "assess" in out
    assert sys.argv  # untouched by the helper
