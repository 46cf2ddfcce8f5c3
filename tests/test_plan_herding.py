"""Herding: constructed scenarios with known answers, the packaged declared priorities, the
services and the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.plan.herding import declared_herding, region_base
from tests.conftest import run_nqpf

REGIONS = [f"r{i}" for i in range(10)]


def _base() -> pd.DataFrame:
    # field A: nobody has an advantage, relatedness density rises with the region number;
    # field B: regions r0–r4 have an advantage (RCA 2).
    rca = pd.DataFrame({"a": [0.0] * 10, "b": [2.0] * 5 + [0.0] * 5}, index=REGIONS)
    density = pd.DataFrame(
        {"a": np.linspace(0, 0.9, 10), "b": np.linspace(0.9, 0, 10)}, index=REGIONS
    )
    return region_base(rca, density, {"A": ("a",), "B": ("b",)}, density_quantile=0.95)


def test_everyone_without_fit_is_maximal_herding() -> None:
    declared = pd.DataFrame({"region": REGIONS, "field": "A"})
    table, infeasible = declared_herding(declared, _base(), regions=10)
    row = table.set_index("field").loc["A"]
    # only r9 reaches the 95th density percentile: 9 of 10 declare A without a base
    assert (row["declared"], row["without_base"], row["hubs_today"]) == (10, 9, 0)
    assert row["herding_index"] == pytest.approx(0.9)
    assert row["crowding"] == 10
    assert sorted(infeasible["region"]) == REGIONS[:9]
    assert "10 of 10 regions target A; 9 of them lack a base" in row["explanation_en"]


def test_targets_matching_endowments_are_no_herding() -> None:
    declared = pd.DataFrame({"region": REGIONS[:5], "field": "B"})
    table, infeasible = declared_herding(declared, _base(), regions=10)
    row = table.set_index("field").loc["B"]
    assert (row["declared"], row["without_base"], row["hubs_today"], row["herding_index"]) == (
        5,
        0,
        5,
        0.0,
    )
    assert infeasible.empty


def test_duplicates_count_once_and_unknown_pairs_fail() -> None:
    declared = pd.DataFrame({"region": ["r0", "r0"], "field": ["A", "A"]})
    table, _ = declared_herding(declared, _base(), regions=10)
    assert table.set_index("field").loc["A", "declared"] == 1
    with pytest.raises(InputError, match="no base for declared pair"):
        declared_herding(pd.DataFrame({"region": ["zz"], "field": ["A"]}), _base(), regions=10)


def test_packaged_declared_priorities_are_sourced_and_mapped() -> None:
    from nqpf.services.plan import load_declared

    declared = load_declared()
    assert declared["source_url"].str.startswith("http").all()
    assert declared["phrase"].notna().all() and declared["document"].notna().all()
    for row in declared.itertuples():
        assert row.industry in row.phrase
    anhui = set(declared.loc[declared["region"] == "340000", "field"])
    assert {"low_altitude", "quantum", "humanoid_robots", "new_energy_vehicles"} <= anhui


def test_user_declared_csv_errors(tmp_path: Path) -> None:
    from nqpf.services.plan import load_declared

    bad = tmp_path / "declared.csv"
    bad.write_text("region,industry,source\n安徽,低空经济,x\n安徽,区块链,y\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"declared.csv.*row 3: '区块链'"):
        load_declared(bad)
    bad.write_text("region,industry\n火星,低空经济\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2.*unknown region"):
        load_declared(bad)


def test_herding_service_on_user_declarations(tmp_path: Path) -> None:
    from nqpf.services.plan import herding

    every = tmp_path / "all.csv"
    names = [
        "北京",
        "天津",
        "河北",
        "山西",
        "内蒙古",
        "辽宁",
        "吉林",
        "黑龙江",
        "上海",
        "江苏",
        "浙江",
        "安徽",
        "福建",
        "江西",
        "山东",
        "河南",
        "湖北",
        "湖南",
        "广东",
        "广西",
        "海南",
        "重庆",
        "四川",
        "贵州",
        "云南",
        "西藏",
        "陕西",
        "甘肃",
        "青海",
        "宁夏",
        "新疆",
    ]
    every.write_text(
        "region,industry\n" + "".join(f"{n},低空经济\n" for n in names), encoding="utf-8"
    )
    result = herding(declared=every)
    row = result.to_frame().set_index("field").loc["low_altitude"]
    assert row["declared"] == 31
    base = result.tables()["base"]
    lacking = base[(base["field"] == "low_altitude") & ~base["base"]]
    assert row["without_base"] == len(lacking)
    assert row["herding_index"] == pytest.approx(len(lacking) / 31)
    assert result.warnings == []


def test_cli_herding_plan_targets(tmp_path: Path) -> None:
    out = tmp_path / "out"
    herd = run_nqpf("herding", "--out", str(out), home=tmp_path)
    assert herd.returncode == 0, herd.stderr
    assert (out / "herding.xlsx").exists() and (out / "herding.html").exists()
    bad = run_nqpf("plan", "--k", "1", home=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "need at least 110 hub places" in bad.stderr.replace("\n", " ")
    past = run_nqpf("targets", "rd_intensity", "--target", "3", "--by", "2020", home=tmp_path)
    assert past.returncode == 2 and "not after the latest data year" in past.stderr.replace(
        "\n", " "
    )
