"""Fuzzing the inputs users hand to NQPF (issue 15): data files and framework YAML.

The property: every input ends in a correct result — finite numbers, clean names — or one
:class:`~nqpf.errors.InputError` on one line (the CLI prints it and exits 2). Any other
exception, a non-finite value or a control character in a result is a bug. The fast suite
runs a modest number of examples; ``-m slow`` runs many more.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqpf.errors import InputError
from nqpf.index.framework import Framework, load_framework
from nqpf.ingest.readers import read_table

from .test_reliability import cli

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SLOW = settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

REGIONS = ["北京", "天津市", "Hebei", "440000", "东部地区", "全国", "火星", "深圳", ""]
INDICATORS = ["gdp", "population", "rd_intensity", "专利", "my_ind", "=1+1", "a\x1bb", ""]
NUMBERS = [
    "1",
    "-5",
    "1,234.5",
    "12,34",
    "1,2,3",
    "1_000",
    "inf",
    "-Infinity",
    "1e999",
    "nan",
    "…",
    "—",
    "0x10",
    "１２",
    "1.2.3",
    " 7 ",
    "=SUM(A1)",
    "1e-320",
]
YEARS = ["2023", "2023年", "2023.0", "1800", "99999", "x", ""]

cells = st.one_of(
    st.sampled_from(NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=12),
)


@st.composite
def long_tables(draw: st.DrawFn) -> bytes:
    """A long table (region, year, indicator, value), sometimes malformed, as file bytes."""
    header = draw(
        st.sampled_from(
            [
                "region,year,indicator,value",
                "地区,年份,指标,数值",
                "region,year,value",
                "region,year,indicator,value,unit",
            ]
        )
    )
    width = header.count(",") + 1
    rows = [header]
    for _ in range(draw(st.integers(0, 6))):
        row = [
            draw(st.sampled_from(REGIONS)),
            draw(st.sampled_from(YEARS)),
            draw(st.sampled_from(INDICATORS)),
            draw(cells),
            draw(st.sampled_from(["亿元", "万元", "%", "件", ""])),
        ][:width]
        if draw(st.booleans()):
            row = [f'"{c.replace(chr(34), chr(34) * 2)}"' for c in row]
        rows.append(",".join(row))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = sep.join(rows) + sep
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    raw = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:  # occasionally corrupt bytes
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + draw(st.binary(max_size=8)) + raw[cut:]
    return raw


def assert_clean_result_or_one_line_error(path: Path) -> None:
    try:
        frame = read_table(path)
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message and message.strip(), repr(message)
        return
    values = frame["value"].to_numpy(dtype=float)
    assert np.isfinite(values[~np.isnan(values)]).all()
    for column in ("region", "indicator"):
        assert not any(CONTROL.search(str(v)) for v in frame[column])
    assert frame["year"].between(1949, 2100).all()


@FAST
@given(raw=long_tables())
def test_fuzzed_data_files(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(raw)
    assert_clean_result_or_one_line_error(path)


@pytest.mark.slow
@SLOW
@given(raw=long_tables())
def test_fuzzed_data_files_many(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(raw)
    assert_clean_result_or_one_line_error(path)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=long_tables())
def test_fuzzed_imports_through_the_cli(
    tmp_path: Path, raw: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """`nqpf data import`: exit 0, or exit 2 with one line on stderr."""
    path = tmp_path / "fuzz.csv"
    path.write_bytes(raw)
    code, out, err = cli(capsys, "data", "import", str(path), "--replace")
    if code == 0:
        assert "imported" in out
    else:
        assert code == 2, err
        lines = [line for line in err.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("错误 Error:")]
        assert len(errors) == 1 and "Traceback" not in err, err
    assert "\x1b" not in out + err


# ---------------------------------------------------------------------------- frameworks

IDS = st.one_of(
    st.sampled_from(
        ["rd_intensity", "patents_granted", "gdp_per_capita", "hightech_revenue", "gdp"]
    ),
    st.sampled_from(["index", "year", "../x", "", " t", "a/b", "t\x00"]),
    st.text(max_size=8),
    st.integers(),
)
WEIGHTS = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["abc", "0.5", [], {}]),
)
LABELS = st.one_of(st.text(max_size=20), st.integers(), st.none(), st.lists(st.text(), max_size=2))


def _indicator() -> st.SearchStrategy[Any]:
    return st.one_of(
        IDS,
        st.fixed_dictionaries(
            {"id": IDS},
            optional={
                "weight": WEIGHTS,
                "direction": st.sampled_from(["+", "-", 0, "x", None]),
                "scope": st.sampled_from(["panel", "year", "decade", 1]),
                "name_zh": LABELS,
            },
        ),
    )


def _pillar() -> st.SearchStrategy[Any]:
    children = st.lists(_indicator(), min_size=0, max_size=3)
    return st.one_of(
        st.fixed_dictionaries(
            {"id": IDS, "indicators": children},
            optional={"weight": WEIGHTS, "name_zh": LABELS, "ahp": st.just([[1, 3], [1 / 3, 1]])},
        ),
        st.fixed_dictionaries(
            {
                "id": IDS,
                "subpillars": st.lists(
                    st.fixed_dictionaries(
                        {"id": IDS, "indicators": children}, optional={"weight": WEIGHTS}
                    ),
                    max_size=2,
                ),
            }
        ),
        st.text(max_size=5),
        st.integers(),
    )


frameworks = st.fixed_dictionaries(
    {"pillars": st.one_of(st.lists(_pillar(), max_size=3), st.text(max_size=5))},
    optional={
        "id": LABELS,
        "name_zh": LABELS,
        "years": st.one_of(
            st.lists(st.integers(-(10**10), 10**10), max_size=3),
            st.tuples(st.integers(1940, 2110), st.integers(1940, 2110)).map(list),
            st.text(max_size=4),
        ),
    },
)


def assert_framework_or_one_line_error(path: Path) -> None:
    try:
        fw = load_framework(path)
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message and message.strip(), repr(message)
        return
    assert isinstance(fw, Framework)
    for node in fw.indicators:
        assert math.isfinite(node.weight) if node.weight is not None else True
        assert not CONTROL.search(node.name_zh + node.name_en)
    if fw.years is not None:
        assert 1949 <= fw.years[0] <= fw.years[1] <= 2100


@FAST
@given(data=frameworks)
def test_fuzzed_framework_yaml(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert_framework_or_one_line_error(path)


@FAST
@given(text=st.text(max_size=200))
def test_fuzzed_framework_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fw.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    assert_framework_or_one_line_error(path)


@pytest.mark.slow
@SLOW
@given(data=frameworks)
def test_fuzzed_framework_yaml_many(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert_framework_or_one_line_error(path)
