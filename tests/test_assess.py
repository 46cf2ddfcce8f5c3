"""The assessment engine: frameworks, hierarchy, identities, spec hash, outputs and the CLI."""

from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.data import load_panel
from nqpf.errors import InputError
from nqpf.index.assessment import Assessment
from nqpf.index.construct import drop_indicator
from nqpf.index.framework import FRAMEWORKS, load_framework
from nqpf.indicators import indicator_specs
from nqpf.present.assessment import write_assessment
from nqpf.regions import province_codes
from nqpf.services.assessment import assess, comparison_with_national
from tests.conftest import run_nqpf

PROVINCES = province_codes()


def synthetic_long(
    n_regions: int = 8, years: tuple[int, ...] = (2020, 2021, 2022), n_ind: int = 4, seed: int = 0
) -> pd.DataFrame:
    """A long panel of positive random values for indicators i0, i1, … over provinces."""
    rng = np.random.default_rng(seed)
    rows = [
        {"region": r, "year": y, "indicator": f"i{j}", "value": float(rng.uniform(1, 100))}
        for r in PROVINCES[:n_regions]
        for y in years
        for j in range(n_ind)
    ]
    return pd.DataFrame(rows)


def two_pillar_framework(n_ind: int = 4, weights: bool = False) -> dict[str, Any]:
    half = n_ind // 2
    return {
        "id": "toy",
        "pillars": [
            {
                "id": "a",
                "name_zh": "甲",
                "weight": 0.3 if weights else None,
                "indicators": [{"id": f"i{j}", "direction": "+"} for j in range(half)],
            },
            {
                "id": "b",
                "name_zh": "乙",
                "weight": 0.7 if weights else None,
                "subpillars": [
                    {"id": "b1", "indicators": [{"id": f"i{half}", "direction": "-"}]},
                    {
                        "id": "b2",
                        "indicators": [
                            {"id": f"i{j}", "direction": "+"} for j in range(half + 1, n_ind)
                        ],
                    },
                ],
            },
        ],
    }


@lru_cache(maxsize=1)
def default_assessment() -> Assessment:
    return assess(weights=["entropy", "critic"], entropy_shift=1e-5)


# ------------------------------------------------------------------ frameworks
@pytest.mark.parametrize("name", FRAMEWORKS)
def test_packaged_frameworks_use_catalog_indicators_with_a_direction(name: str) -> None:
    fw = load_framework(name)
    specs = indicator_specs()
    assert fw.indicator_ids and set(fw.indicator_ids) <= set(specs)
    for node in fw.indicators:
        assert node.direction in (1, -1)
        assert node.rationale, f"{node.id} lacks a rationale"
        catalog_dir = {"+": 1, "-": -1}[specs[node.id].direction]
        assert node.direction == catalog_dir, node.id
    assert fw.years == {"ndrc": (2016, 2023), "three-elements": (2018, 2023)}[name]


def test_ndrc_pillars_are_the_articles_six() -> None:
    fw = load_framework("ndrc")
    assert [p.name_zh for p in fw.pillars] == [
        "科技创新",
        "产业创新与现代化产业体系",
        "数智化",
        "绿色转型",
        "人才",
        "开放与体制",
    ]


def test_unknown_indicator_names_it_and_suggests_close_ids() -> None:
    bad = {"pillars": [{"id": "t", "indicators": ["rd_intensty"]}]}
    with pytest.raises(InputError, match="rd_intensty") as err:
        load_framework(bad)
    assert "rd_intensity" in str(err.value)


def test_framework_weights_must_sum_to_one_and_names_must_exist() -> None:
    fw = two_pillar_framework(weights=True)
    fw["pillars"][1]["weight"] = 0.8
    with pytest.raises(InputError, match=r"sum to 1\.1"):
        load_framework(fw, known={"i0", "i1", "i2", "i3"})
    with pytest.raises(InputError, match=r"unknown framework 'ndcr'.*did you mean ndrc"):
        load_framework("ndcr")
    with pytest.raises(InputError, match="direction"):
        load_framework({"pillars": [{"id": "c", "indicators": ["gdp"]}]})


def test_framework_round_trips_through_dict() -> None:
    fw = load_framework("ndrc")
    assert load_framework(fw.to_dict()) == fw


def test_drop_indicator_rescales_fixed_weights() -> None:
    fw = load_framework(two_pillar_framework(weights=True), known={"i0", "i1", "i2", "i3"})
    dropped = drop_indicator(fw, "i2")
    assert "i2" not in dropped.indicator_ids
    assert [p.weight for p in dropped.pillars] == pytest.approx([0.3, 0.7])
    both_a = drop_indicator(drop_indicator(fw, "i0"), "i1")
    assert both_a.pillar_ids == ["b"] and both_a.pillars[0].weight == pytest.approx(1.0)


# ------------------------------------------------------------------ hierarchy and identities
@settings(max_examples=12, deadline=None)
@given(
    n_ind=st.integers(3, 7),
    method=st.sampled_from(["equal", "entropy", "critic"]),
    upper=st.sampled_from(["sum", "equal"]),
    fixed=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_weights_sum_to_one_at_every_level(
    n_ind: int, method: str, upper: str, fixed: bool, seed: int
) -> None:
    a = assess(
        synthetic_long(n_ind=n_ind, seed=seed),
        framework=two_pillar_framework(n_ind, weights=fixed),
        weights=method,
        upper=upper,
    )  # type: ignore[arg-type]
    w = a.weights
    assert (w["weight"] >= 0).all()
    sums = w.groupby("parent")["weight"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-12)
    assert a.indicator_weights.sum() == pytest.approx(1.0)
    # global weight = product of local weights down the hierarchy
    local = dict(zip(w["child"], w["weight"], strict=True))
    parent = dict(zip(w["child"], w["parent"], strict=True))
    for ind, g in a.indicator_weights.items():
        prod, node = 1.0, str(ind)
        while node != "index":
            prod *= local[node]
            node = parent[node]
        assert g == pytest.approx(prod)
    if fixed:
        top = w[w["parent"] == "index"].set_index("child")["weight"]
        assert top.to_dict() == pytest.approx({"a": 0.3, "b": 0.7})


def reference_papers_index(long: pd.DataFrame, directions: dict[str, int]) -> pd.Series:
    """The flat index of NQPF papers written out: panel min-max, entropy with
    p = (x + ε)/Σ(x + ε), ε = 1e-5, e_j = −Σ p ln p / ln n, w_j = (1 − e_j)/Σ(1 − e_j),
    index = Σ_j w_j x'_ij."""
    wide = long.pivot(index=["region", "year"], columns="indicator", values="value")
    norm = wide.copy()
    for col in wide:
        lo, hi = wide[col].min(), wide[col].max()
        norm[col] = (
            (wide[col] - lo) / (hi - lo) if directions[col] > 0 else (hi - wide[col]) / (hi - lo)
        )
    p = (norm + 1e-5) / (norm + 1e-5).sum()
    e = -(p * np.log(p)).sum() / np.log(len(norm))
    w = (1 - e) / (1 - e).sum()
    return (norm * w).sum(axis=1)


def test_linear_hierarchical_index_equals_the_papers_flat_index() -> None:
    long = synthetic_long(n_regions=10, n_ind=5, seed=3)
    fw = two_pillar_framework(5)
    a = assess(long, framework=fw, weights="entropy", entropy_shift=1e-5)
    fw_loaded = load_framework(fw, known=set(long["indicator"]))
    expected = reference_papers_index(long, fw_loaded.directions)
    got = a.built.index.sort_index()
    np.testing.assert_allclose(got.to_numpy(), expected.sort_index().to_numpy(), rtol=1e-9)
    # contributions sum to the index under linear aggregation
    total = a.contributions.groupby(["region", "year"])["contribution"].sum().sort_index()
    np.testing.assert_allclose(total.to_numpy(), got.to_numpy(), rtol=1e-12)


def test_scores_ranks_changes_and_cagr() -> None:
    a = assess(
        synthetic_long(n_regions=6, years=(2019, 2020, 2021, 2022)),
        framework=two_pillar_framework(),
        weights="equal",
    )
    s = a.scores
    assert list(s.columns) == ["region", "region_name", "year", "index", "rank", "a", "b"]
    for _, g in s.groupby("year"):
        assert sorted(g["rank"]) == list(range(1, 7))
        assert g.sort_values("rank")["index"].is_monotonic_decreasing
    ch = a.changes()
    one = s[s["region"] == PROVINCES[0]].set_index("year")["index"]
    got = ch[ch["region"] == PROVINCES[0]].set_index("year")["index_change"]
    assert got[2021] == pytest.approx(one[2021] - one[2020])
    cagr = a.cagr().set_index("region").loc[PROVINCES[0], "cagr"]
    if one[2019] > 0:
        assert cagr == pytest.approx((one[2022] / one[2019]) ** (1 / 3) - 1)


def test_missing_value_is_an_error_naming_the_indicator_until_imputed() -> None:
    long = synthetic_long(n_regions=5, years=(2019, 2020, 2021))
    gap = (long["indicator"] == "i1") & (long["year"] == 2020) & (long["region"] == PROVINCES[2])
    long = long[~gap]
    with pytest.raises(InputError, match=r"'i1'.*impute"):
        assess(long, framework=two_pillar_framework(), weights="equal")
    a = assess(long, framework=two_pillar_framework(), weights="equal", impute="linear")
    assert a.imputed.loc[(PROVINCES[2], 2020), "i1"]
    assert int(a.imputed.to_numpy().sum()) == 1
    flagged = a.contributions[a.contributions["imputed"]]
    assert flagged[["region", "year", "indicator"]].values.tolist() == [[PROVINCES[2], 2020, "i1"]]


# ------------------------------------------------------------------ spec hash and data
def test_spec_hash_is_stable_and_sensitive_to_options_and_data() -> None:
    long = synthetic_long()
    fw = two_pillar_framework()
    base = assess(long, framework=fw).spec_hash
    assert re.fullmatch(r"[0-9a-f]{12}", base)
    assert assess(long.sample(frac=1, random_state=1), framework=fw).spec_hash == base
    assert assess(long, framework=fw, weights="critic").spec_hash != base
    assert assess(long, framework=fw, normalize="rank").spec_hash != base
    changed = long.copy()
    changed.loc[0, "value"] += 1
    assert assess(changed, framework=fw).spec_hash != base


def test_spec_hash_reads_every_bit_of_the_values_and_labels() -> None:
    from nqpf.index.construct import Construction, spec_hash

    fw = load_framework(two_pillar_framework(), known={"i0", "i1", "i2", "i3"})
    construction = Construction()
    wide = pd.DataFrame(
        {"b": [1.0, np.nan, 0.0], "a": [0.5, 2.0, 3.0]},
        index=pd.MultiIndex.from_tuples([("r1", 2020), ("r2", 2020), ("r3", 2020)]),
    )
    base = spec_hash(wide, fw, construction)
    # row and column order do not matter; labels and every bit of a value do
    assert spec_hash(wide.iloc[::-1, ::-1], fw, construction) == base
    nudged = wide.copy()
    nudged.iloc[0, 1] = np.nextafter(0.5, 1.0)  # identical to 12 significant digits
    assert spec_hash(nudged, fw, construction) != base
    renamed = wide.rename(index={"r3": "r4"})
    assert spec_hash(renamed, fw, construction) != base
    signed = wide.copy()
    signed.iloc[2, 0] = -0.0
    assert spec_hash(signed, fw, construction) == base
    filled = wide.copy()
    filled.iloc[1, 0] = 0.0
    assert spec_hash(filled, fw, construction) != base


def test_user_csv_path_gives_the_same_result_as_the_dataframe(tmp_path: Path) -> None:
    long = synthetic_long()
    path = tmp_path / "mine.csv"
    long.to_csv(path, index=False)
    fw_path = tmp_path / "fw.yaml"
    fw_path.write_text(yaml.safe_dump(two_pillar_framework(), allow_unicode=True), "utf-8")
    from_df = assess(long, framework=two_pillar_framework())
    from_file = assess(path, framework=fw_path)
    pd.testing.assert_frame_equal(from_df.scores, from_file.scores)


def test_packaged_default_assessment() -> None:
    import nqpf

    assert nqpf.assess is assess and nqpf.Assessment is Assessment
    a = default_assessment()
    s = a.scores
    assert sorted(s["year"].unique()) == list(range(2016, 2024))
    assert set(s["region"]) == set(PROVINCES)
    assert s["index"].between(0, 1).all()
    assert set(a.pillar_names) == set(a.framework.pillar_ids)
    assert "derived: rd_basic / gdp / 100" in " ".join(a.provenance["source_ids"])
    cmp = comparison_with_national(a)
    rd = cmp[(cmp["indicator"] == "rd_intensity") & (cmp["year"] == 2020)].iloc[0]
    # the article: 研发投入强度 2.41% in 2020 (NDRC 2025); the packaged national row is the
    # yearbook's 2.40 (published before the article's revision)
    assert rd["article"] == pytest.approx(2.41)
    national = load_panel(["rd_intensity"], years=[2020], include_national=True)
    assert rd["national"] == national.loc[national["region"] == "100000", "value"].item()
    assert rd["province_min"] <= rd["province_median"] <= rd["province_max"]


# ------------------------------------------------------------------ outputs
def test_outputs_are_written_and_readable(tmp_path: Path) -> None:
    a = assess(synthetic_long(), framework=two_pillar_framework(), uncertainty=4)
    paths = write_assessment(a, tmp_path / "out")
    assert [p.name for p in paths] == [
        "scores.csv",
        "assessment.xlsx",
        "assessment.html",
        "assessment.docx",
    ]
    csv = pd.read_csv(paths[0], encoding="utf-8-sig", dtype={"region": str})
    assert list(csv.columns[:7]) == ["region", "region_name", "year", "index", "rank", "a", "b"]
    assert set(csv["region"]) == set(PROVINCES[:8])
    assert {"rank_p05", "rank_p95", "median_rank"} <= set(csv.columns)
    wb = openpyxl.load_workbook(paths[1], read_only=True)
    assert wb.sheetnames == [
        "scores",
        "pillars",
        "weights",
        "contributions",
        "uncertainty",
        "provenance",
        "options",
    ]
    header = [c.value for c in next(wb["scores"].iter_rows(max_row=1))]
    assert header[:5] == [
        "地区代码 region",
        "地区 region name",
        "年份 year",
        "综合指数 index",
        "排名 rank",
    ]
    page = paths[2].read_text("utf-8")
    assert not re.search(r"<script[^>]+src=[\"']https?://", page)
    assert "Plotly" in page and a.spec_hash in page
    assert not list((tmp_path / "out").glob(".*")), "temporary files left behind"


# ------------------------------------------------------------------ CLI
def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return run_nqpf("assess", *args, home=home)


def test_cli_assess_prints_ranked_table_and_writes_outputs(tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = run_cli(
        "--year",
        "2022-2023",
        "--weights",
        "entropy,critic",
        "--entropy-shift",
        "1e-5",
        "--out",
        str(out),
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    ranks = re.findall(r"│\s+(\d+) │ (\S+)\s+│\s+([\d.]+) │", result.stdout)
    assert [int(r[0]) for r in ranks][:3] == [1, 2, 3]
    assert len(ranks) == 31
    assert {p.name for p in out.iterdir()} == {
        "scores.csv",
        "assessment.xlsx",
        "assessment.html",
        "assessment.docx",
        "nqpf-manifest.json",
    }


def test_cli_exit_2_on_unknown_framework_indicator(tmp_path: Path) -> None:
    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump({"pillars": [{"id": "t", "indicators": ["rd_intensty"]}]}))
    result = run_cli("--framework", str(fw), "--out", str(tmp_path / "o"), home=tmp_path)
    assert result.returncode == 2
    assert "rd_intensty" in result.stderr and "rd_intensity" in result.stderr


def test_cli_exit_2_on_constant_indicator(tmp_path: Path) -> None:
    long = synthetic_long()
    long.loc[long["indicator"] == "i0", "value"] = 5.0
    data = tmp_path / "d.csv"
    long.to_csv(data, index=False)
    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(two_pillar_framework()), "utf-8")
    result = run_cli(
        "--data",
        str(data),
        "--framework",
        str(fw),
        "--weights",
        "entropy",
        "--out",
        str(tmp_path / "o"),
        home=tmp_path,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "i0" in result.stderr


# ------------------------------------------------------------------ properties
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), method=st.sampled_from(["entropy", "critic", "equal"]))
def test_reordering_rows_changes_nothing(seed: int, method: str) -> None:
    long = synthetic_long(seed=seed)
    fw = two_pillar_framework()
    base = assess(long, framework=fw, weights=method).scores
    shuffled = assess(long.sample(frac=1, random_state=seed), framework=fw, weights=method)
    pd.testing.assert_frame_equal(shuffled.scores, base)


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    row=st.integers(0, 23),
    factor=st.floats(1.0, 3.0),
    scope=st.sampled_from(["panel", "year"]),
)
def test_improving_a_benefit_indicator_never_lowers_the_linear_score(
    seed: int, row: int, factor: float, scope: str
) -> None:
    long = synthetic_long(seed=seed)
    fw = two_pillar_framework()
    target = long[long["indicator"] == "i0"].index[row]
    better = long.copy()
    better.loc[target, "value"] *= factor
    key = (better.loc[target, "region"], better.loc[target, "year"])
    before = assess(long, framework=fw, weights="equal", scope=scope).built.index[key]
    after = assess(better, framework=fw, weights="equal", scope=scope).built.index[key]
    assert after >= before - 1e-12


def test_year_scope_isolates_years_and_panel_scope_does_not() -> None:
    long = synthetic_long(years=(2020, 2021))
    fw = two_pillar_framework()
    extreme = long.copy()
    hit = (extreme["year"] == 2020) & (extreme["indicator"] == "i0")
    extreme.loc[hit & (extreme["region"] == PROVINCES[0]), "value"] = 1e4
    for scope, unchanged in (("year", True), ("panel", False)):
        a = assess(long, framework=fw, weights="equal", scope=scope).scores
        b = assess(extreme, framework=fw, weights="equal", scope=scope).scores
        same = np.allclose(
            a[a["year"] == 2021].sort_values("region")["index"],
            b[b["year"] == 2021].sort_values("region")["index"],
        )
        assert same is unchanged, scope


def test_three_elements_framework_runs_on_the_packaged_panel() -> None:
    a = assess(framework="three-elements", years=[2023])
    assert list(a.scores.columns[5:]) == ["labourers", "means", "objects"]
    assert a.pillar_names["labourers"] == "新质劳动者"
    assert len(a.scores) == 31


def test_region_selection_accepts_names_and_codes() -> None:
    a = assess(years=[2023], regions=["北京", "上海市", "440000"])
    assert set(a.scores["region"]) == {"110000", "310000", "440000"}
    mine = assess(synthetic_long(), framework=two_pillar_framework(), regions=PROVINCES[:3])
    assert set(mine.scores["region"]) == set(PROVINCES[:3])


def test_unknown_upper_rule_is_an_error() -> None:
    with pytest.raises(InputError, match="upper-level"):
        assess(synthetic_long(), framework=two_pillar_framework(), upper="median")  # type: ignore[arg-type]


@pytest.mark.parametrize(("aggregate", "normalize"), [("linear", "minmax"), ("geometric", "max")])
def test_contributions_sum_to_the_index_under_additive_decompositions(
    aggregate: str, normalize: str
) -> None:
    a = assess(
        synthetic_long(), framework=two_pillar_framework(), aggregate=aggregate, normalize=normalize
    )
    parts = a.contributions.groupby(["region", "year"])[["contribution", "share"]].sum()
    index = a.scores.set_index(["region", "year"])["index"].reindex(parts.index)
    np.testing.assert_allclose(parts["contribution"], index, atol=1e-12)
    np.testing.assert_allclose(parts["share"], 1.0, atol=1e-12)
    if aggregate == "geometric":  # share_j = w_j ln N_j / ln I, checked for one cell
        row = a.contributions.iloc[0]
        i = index.loc[(row["region"], row["year"])]
        assert row["share"] == pytest.approx(row["weight"] * np.log(row["normalized"]) / np.log(i))


def test_topsis_contributions_are_not_additive_and_left_empty() -> None:
    a = assess(synthetic_long(), framework=two_pillar_framework(), aggregate="topsis")
    assert a.contributions[["contribution", "share"]].isna().all().all()
    assert a.contributions["normalized"].notna().all()


def test_packaged_indicator_without_values_in_the_years_is_left_out_with_a_message() -> None:
    """CO2 (CEADs) ends in 2022: assessing 2023 alone leaves it out, says so, and gives its
    weight to its sibling (SO2 intensity), instead of failing."""
    a = assess(years=[2023])
    assert "co2_apparent_intensity" not in a.framework.indicator_ids
    assert "so2_intensity" in a.framework.indicator_ids
    assert any("co2_apparent_intensity has no packaged value in 2023" in w for w in a.warnings)
    assert "co2_apparent_intensity" in assess(years=[2022]).framework.indicator_ids
