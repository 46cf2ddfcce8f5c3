"""Industry typing, opportunity ranking, structure comparison and the CLI commands."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import InputError, NQPFWarning
from nqpf.industry.advantage import presence, rca
from nqpf.industry.classification import STAGES, industry_types, lever, load_typing, stage_of
from nqpf.industry.complexity import complexity
from nqpf.industry.matrix import to_wide
from nqpf.industry.opportunities import (
    STRATEGIES,
    expected_rca,
    national_growth,
    opportunities,
    score_table,
    swot,
)
from nqpf.industry.structure import (
    krugman_dissimilarity,
    krugman_specialisation,
    peers,
    similarity,
)
from nqpf.services.matrices import census_matrix, listed_matrix
from tests.conftest import run_nqpf as run


@pytest.fixture(scope="module")
def listed() -> tuple[pd.DataFrame, pd.DataFrame]:
    long = listed_matrix((2020, 2025))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NQPFWarning)
        return long, to_wide(long)


# ---------------------------------------------------------------- typing


def test_every_packaged_industry_is_typed_with_a_reason() -> None:
    from nqpf.data import load_census_industry, load_enterprises

    listed_names = set(load_enterprises()["industry"].dropna())
    sections = set(load_census_industry(2020, level="national")["section"])
    typed_listed = industry_types("listed")
    typed_sections = industry_types("gbt4754_section")
    assert listed_names == set(typed_listed.index)
    assert sections == set(typed_sections.index)
    for table in (typed_listed, typed_sections):
        assert table["type"].isin(["traditional", "emerging", "future"]).all()
        assert table["reason"].str.len().gt(1).all()
    # the article's key fields are all placed somewhere
    fields = set("、".join(typed_listed["key_fields"]).split("、")) - {""}
    assert fields == set(load_typing()["key_fields"])


def test_typing_spot_checks_against_the_2018_classification() -> None:
    t = industry_types("listed")
    assert t.at["半导体", "type"] == "emerging" and "新一代信息技术" in t.at["半导体", "emerging"]
    assert t.at["机床制造", "key_fields"] == "工业母机"
    assert t.at["生物制药", "future"] == "未来健康"
    assert t.at["煤炭开采", "type"] == "traditional" and t.at["煤炭开采", "section"] == "B"
    assert industry_types("gbt4754_section").at["I", "type"] == "emerging"


def test_levers_cover_every_type_and_stage_and_quote_the_article() -> None:
    for kind in ("traditional", "emerging", "future"):
        for stage in STAGES:
            zh, en = lever(kind, stage)
            assert zh and en
    assert lever("traditional", "established")[0].startswith("改造升级")
    assert lever("emerging", "nascent")[0].startswith("培育壮大")
    assert "场景" in lever("emerging", "absent")[0]
    assert [stage_of(v) for v in (0.0, 0.4, 1.0, 3.0)] == [
        "absent",
        "nascent",
        "established",
        "established",
    ]


def test_a_bad_typing_file_names_the_industry(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[1] / "src/nqpf/indicators/industry_typing.yaml").read_text(
        encoding="utf-8"
    )
    bad = tmp_path / "typing.yaml"
    bad.write_text(
        doc.replace("半导体: {section: C, type: emerging", "半导体: {section: C, type: hot"),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="listed/半导体") as info:
        load_typing(bad)
    assert info.value.file == "typing.yaml"
    with pytest.raises(InputError, match="no typing"):
        industry_types("nace")


# ---------------------------------------------------------------- opportunities


def test_national_growth_is_compound_annual_growth() -> None:
    long = pd.DataFrame(
        {
            "industry": ["a", "a", "b", "b"],
            "year": [2020, 2025, 2020, 2025],
            "value": [100.0, 200.0, 50.0, 50.0],
            "region": "x",
        }
    )
    g = national_growth(long)
    assert g["a"] == pytest.approx(2 ** (1 / 5) - 1) and g["b"] == 0
    with pytest.raises(InputError):
        national_growth(long[long["year"] == 2020])


def test_expected_rca_is_the_pooled_ols_fit() -> None:
    rng = np.random.default_rng(1)
    r = pd.DataFrame(rng.uniform(0, 3, (20, 6)))
    d = pd.DataFrame(rng.uniform(0, 1, (20, 6)))
    b, a = np.polyfit(d.to_numpy().ravel(), r.to_numpy().ravel(), 1)
    assert expected_rca(r, d).to_numpy() == pytest.approx(np.maximum(a + b * d.to_numpy(), 0))


def test_opportunities_rank_candidates_with_stated_scores(
    listed: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    long, wide = listed
    types = industry_types("listed")
    growth = national_growth(long)
    out = opportunities(wide, "340000", growth=growth, types=types, region_label="安徽")
    m = presence(rca(wide))
    tradable = types["tradable"].reindex(m.columns)
    assert set(out.index) == set(m.columns[(m.loc["340000"] == 0) & tradable])
    assert "银行" not in out.index and "百货" not in out.index
    everything = opportunities(wide, "340000", types=types, include_nontradable=True)
    assert set(everything.index) == set(m.columns[m.loc["340000"] == 0])
    assert out["rank"].tolist() == list(range(1, len(out) + 1))
    assert out["score"].is_monotonic_decreasing
    # the score is the stated sum: the standardised density (no model here) plus the
    # weighted percentiles of PCI, COG, growth and type score among the candidate cells of
    # all 31 provinces, written out by hand (pandas' average-rank percentiles)
    cx = complexity(m)
    cand = (m == 0) & tradable.to_numpy()[None, :]
    cells = cand.stack()
    cells = cells[cells].index

    def z(table: pd.DataFrame) -> pd.Series:
        v = table.stack().reindex(cells)
        return ((v - v.mean()) / v.std(ddof=0)).xs("340000", level=0).reindex(out.index)

    def q(table: pd.DataFrame) -> pd.Series:
        v = table.stack(future_stack=True).reindex(cells)
        known = v.dropna()
        pct = (known.rank(method="average") - 1) / (len(known) - 1)
        return pct.reindex(v.index).fillna(0.5).xs("340000", level=0).reindex(out.index)

    def per_industry(values: pd.Series) -> pd.DataFrame:
        return pd.DataFrame([values.reindex(m.columns)] * len(m), index=m.index)

    type_score = (
        types["type"].reindex(m.columns).map({"future": 1.0, "emerging": 0.75, "traditional": 0.25})
    )
    w = STRATEGIES["balanced"]
    # ln 1.1 / 4: the most attractive candidate on all four gains odds × 1.1
    each = np.log(1.1) / 4
    assert w == pytest.approx(
        {"feasibility": 1.0, "pci": each, "cog": each, "growth": each, "type": each}
    )
    manual = (
        z(cx.density)
        + each * q(per_industry(cx.pci))
        + each * q(cx.cog)
        + each * q(per_industry(growth))
        + each * q(per_industry(type_score))
    )
    assert out["score"].to_numpy() == pytest.approx(manual.to_numpy())
    assert out["feasibility"].to_numpy() == pytest.approx(z(cx.density).to_numpy())
    assert out["pci"].to_numpy() == pytest.approx(cx.pci[out.index].to_numpy())
    assert out["density"].to_numpy() == pytest.approx(
        cx.density.loc["340000", out.index].to_numpy()
    )
    top = out.iloc[0]
    assert str(top.name) in top["reason_zh"] and "安徽" in top["reason_zh"]
    assert top["lever_zh"] in top["reason_zh"] and "Lever" in top["reason_en"]
    assert out["stage"].isin(["nascent", "absent"]).all()


def test_presets_add_stated_log_odds_to_the_model() -> None:
    # two regions × three industries, five candidate cells; entry probabilities given
    p = pd.DataFrame([[0.5, 0.1, 0.8], [0.2, 0.9, np.nan]], index=["x", "y"], columns=list("abc"))
    cand = pd.DataFrame([[True, True, True], [True, True, False]], index=p.index, columns=p.columns)
    pci = pd.Series({"a": 1.0, "b": -1.0, "c": 0.0})
    cog = pd.DataFrame(0.0, index=p.index, columns=p.columns)
    kinds = pd.Series({"a": "future", "b": "traditional", "c": "traditional"})
    common = {"pci": pci, "cog": cog, "growth": None, "kinds": kinds}
    low = score_table(p, cand, weights=STRATEGIES["low_hanging"], **common)  # type: ignore[arg-type]
    logit = np.log(p / (1 - p))
    assert low["score"].loc["x"].to_numpy() == pytest.approx(logit.loc["x"].to_numpy())
    assert low["score"].at["y", "a"] == pytest.approx(np.log(0.25))
    assert np.isnan(low["score"].at["y", "c"])
    far = score_table(p, cand, weights=STRATEGIES["long_jump"], **common)  # type: ignore[arg-type]
    # PCI over the five candidate cells: a, b, c, a, b = 1, −1, 0, 1, −1 → ranks 4.5, 1.5,
    # 3, 4.5, 1.5 → percentiles (rank − 1)/4: a 0.875, b 0.125, c 0.5; type score 1, .25,
    # .25, 1, .25 → ranks 4.5, 2, 2, 4.5, 2 → a 0.875, b and c 0.25; COG constant and growth
    # missing add nothing. long_jump: ln 4 / 4 per component (odds × 4 at most in all)
    each = np.log(4.0) / 4
    assert far["attractiveness"].at["x", "a"] == pytest.approx(each * (0.875 + 0.875))
    assert far["attractiveness"].at["y", "b"] == pytest.approx(each * (0.125 + 0.25))
    assert far["score"].at["x", "a"] == pytest.approx(each * 1.75)  # logit 0.5 = 0
    assert (far["score"] - far["feasibility"] - far["attractiveness"]).abs().max().max() < 1e-12
    with pytest.raises(InputError, match="all weights are zero"):
        score_table(p, cand, weights=dict.fromkeys(STRATEGIES["balanced"], 0.0), **common)  # type: ignore[arg-type]


def test_strategy_presets_and_overrides_change_the_weighting(
    listed: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    _, wide = listed
    low = opportunities(wide, "340000", strategy="low_hanging")
    far = opportunities(wide, "340000", strategy="long_jump")

    def corr(frame: pd.DataFrame, col: str) -> float:
        return float(frame["score"].corr(frame[col], method="spearman"))

    assert corr(low, "density") > corr(far, "density")
    assert corr(far, "pci") > corr(low, "pci")
    only_density = opportunities(
        wide, "340000", weights={"pci": 0, "cog": 0, "growth": 0, "type": 0}
    )
    assert only_density["density"].is_monotonic_decreasing
    with pytest.raises(InputError, match="unknown strategy"):
        opportunities(wide, "340000", strategy="moonshot")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown weight"):
        opportunities(wide, "340000", weights={"beauty": 1.0})
    with pytest.raises(InputError, match="not in the matrix"):
        opportunities(wide, "999999")


def test_swot_quadrants_follow_rca_and_expected_rca(
    listed: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    _, wide = listed
    s = swot(wide, "340000")
    strong, supported = s["rca"] >= 1, s["expected_rca"] >= 1
    assert (s.loc[strong & supported, "quadrant"] == "strength").all()
    assert (s.loc[strong & ~supported, "quadrant"] == "threat").all()
    assert (s.loc[~strong & supported, "quadrant"] == "opportunity").all()
    assert (s.loc[~strong & ~supported, "quadrant"] == "weakness").all()


# ---------------------------------------------------------------- structure


def test_similarity_and_krugman_reference() -> None:
    t = pd.DataFrame(
        {"a": [1.0, 2.0, 0.0, 3.0], "b": [1.0, 2.0, 4.0, 1.0], "c": [2.0, 4.0, 0.0, 0.0]},
        index=list("wxyz"),
    )
    s = t.div(t.sum(axis=1), axis=0).to_numpy()
    sim, kru = similarity(t).to_numpy(), krugman_dissimilarity(t).to_numpy()
    for i in range(4):
        for j in range(4):
            cos = s[i] @ s[j] / np.sqrt((s[i] @ s[i]) * (s[j] @ s[j]))
            assert sim[i, j] == pytest.approx(cos)
            assert kru[i, j] == pytest.approx(np.abs(s[i] - s[j]).sum())
    assert sim[0, 1] == pytest.approx(1.0) and kru[0, 1] == pytest.approx(0.0)
    spec = krugman_specialisation(t)
    rest = t.drop(index="y").sum()
    assert spec["y"] == pytest.approx(np.abs(s[2] - (rest / rest.sum()).to_numpy()).sum())
    p = peers(t, "w", n=2)
    assert list(p.index) == ["x", "z"] or p["similarity"].is_monotonic_decreasing
    assert p.index[0] == "x"


def test_disjoint_structures_are_maximally_dissimilar() -> None:
    t = pd.DataFrame({"a": [5.0, 0.0], "b": [0.0, 3.0]}, index=["x", "y"])
    assert similarity(t).at["x", "y"] == 0
    assert krugman_dissimilarity(t).at["x", "y"] == pytest.approx(2.0)


# ---------------------------------------------------------------- CLI


def test_cli_opportunities_for_a_province_writes_offline_html_and_xlsx(tmp_path: Path) -> None:
    result = run("opportunities", "安徽", "--top", "5", "--out", str(tmp_path / "o"), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "安徽 机会产业" in result.stdout and "理由 Reason 1" in result.stdout
    assert result.stdout.index("现有优势产业") < result.stdout.index("机会产业")
    shown_first = result.stdout.split("机会产业")[0]
    assert "半导体" in shown_first and "环境保护（本地服务" in shown_first
    assert "31" in result.stdout  # the small-matrix diagnostic speaks
    page = (tmp_path / "o" / "opportunities_340000.html").read_text(encoding="utf-8")
    assert "<script src=" not in page and "plotly" in page.lower()
    sheets = pd.read_excel(tmp_path / "o" / "opportunities_340000.xlsx", sheet_name=None)
    assert {"strengths", "opportunities", "swot", "diagnostic", "typing"} <= set(sheets)
    assert len(sheets["typing"]) == 110


def test_cli_opportunities_for_a_county_and_similar(tmp_path: Path) -> None:
    county = run("opportunities", "肥西县", "--matrix", "census2020", "--top", "3", home=tmp_path)
    assert county.returncode == 0, county.stderr
    assert "肥西县" in county.stdout
    peers_out = run("similar", "安徽", home=tmp_path)
    assert peers_out.returncode == 0, peers_out.stderr
    assert "江苏省" in peers_out.stdout and "Krugman" in peers_out.stdout


def test_cli_user_file_and_bad_input(tmp_path: Path) -> None:
    rows = [
        f"{r},{s},2020,{v}"
        for r, values in {
            "甲": (50, 5, 1, 9),
            "乙": (10, 40, 3, 2),
            "丙": (5, 5, 30, 8),
            "丁": (20, 20, 20, 20),
            "戊": (1, 30, 2, 40),
        }.items()
        for s, v in zip("CIMF", values, strict=True)
    ]
    path = tmp_path / "mine.csv"
    path.write_text("region,industry,year,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    ok = run("opportunities", "甲", "--matrix", str(path), home=tmp_path)
    assert ok.returncode == 0, ok.stderr
    missing = run("opportunities", "己", "--matrix", str(path), home=tmp_path)
    assert missing.returncode == 2 and "mine.csv" in missing.stderr
    unknown = run("opportunities", "安徽", "--matrix", "nowhere", home=tmp_path)
    assert unknown.returncode == 2 and "unknown matrix" in unknown.stderr


def test_census_growth_spans_the_two_censuses() -> None:
    both = pd.concat([census_matrix(y, level="province") for y in (2010, 2020)])
    g = national_growth(both)
    totals = both.groupby(["industry", "year"])["value"].sum().unstack()
    assert g["I"] == pytest.approx((totals.at["I", 2020] / totals.at["I", 2010]) ** 0.1 - 1)


def test_input_output_relatedness_replaces_co_location(tmp_path: Path) -> None:
    from nqpf.industry.relatedness import density
    from nqpf.services.matrices import io_relatedness

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NQPFWarning)
        wide = to_wide(census_matrix(2020, level="prefecture"))
    phi = io_relatedness().loc[wide.columns, wide.columns]
    out = opportunities(wide, "340100", proximity_table=phi)
    m = presence(rca(wide))
    expected = density(m, phi).loc["340100", out.index]
    assert out["density"].to_numpy() == pytest.approx(expected.to_numpy())
    co_location = opportunities(wide, "340100")
    assert not np.allclose(co_location.loc[out.index, "density"], out["density"])
    cli = run("opportunities", "安徽", "--relatedness", "io", home=tmp_path)
    assert cli.returncode == 2 and "GB/T 4754" in cli.stderr
