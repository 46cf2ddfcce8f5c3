"""Dagum Gini decomposition: identities, an O(n²) reference, PySAL's Gini."""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from nqpf.disparity import dagum_gini, gini_coefficient, pair_abs_diff_sum
from nqpf.errors import InputError, NQPFWarning


def _reference(y: np.ndarray, g: np.ndarray, w: np.ndarray) -> dict[str, object]:
    """Dagum (1997) written out with explicit pairwise loops over all units."""
    labels = sorted(set(g))
    n_tot = w.sum()
    mu = (w * y).sum() / n_tot
    total = sum(w[i] * w[r] * abs(y[i] - y[r]) for i in range(len(y)) for r in range(len(y)))
    out: dict[str, object] = {"G": total / (2 * n_tot**2 * mu)}
    mean = {j: (w[g == j] * y[g == j]).sum() / w[g == j].sum() for j in labels}
    wj = {j: w[g == j].sum() for j in labels}
    p = {j: wj[j] / n_tot for j in labels}
    s = {j: wj[j] * mean[j] / (n_tot * mu) for j in labels}
    gjj, gw = {}, 0.0
    for j in labels:
        yj, wj_ = y[g == j], w[g == j]
        acc = sum(
            wj_[a] * wj_[b] * abs(yj[a] - yj[b]) for a in range(len(yj)) for b in range(len(yj))
        )
        gjj[j] = acc / (2 * wj[j] ** 2 * mean[j])
        gw += gjj[j] * p[j] * s[j]
    gjh, djh, gnb, gt = {}, {}, 0.0, 0.0
    for a, j in enumerate(labels):
        for h in labels[a + 1 :]:
            yj, wj_, yh, wh_ = y[g == j], w[g == j], y[g == h], w[g == h]
            rich, poor, wr, wp = (yj, yh, wj_, wh_) if mean[j] >= mean[h] else (yh, yj, wh_, wj_)
            # d_jh and p_jh from their definitions (Dagum 1997, eqs. 6–7)
            d = sum(
                wr[x] * wp[z] * max(rich[x] - poor[z], 0)
                for x in range(len(rich))
                for z in range(len(poor))
            )
            q = sum(
                wr[x] * wp[z] * max(poor[z] - rich[x], 0)
                for x in range(len(rich))
                for z in range(len(poor))
            )
            gjh[(j, h)] = (d + q) / (wj[j] * wj[h] * (mean[j] + mean[h]))
            djh[(j, h)] = (d - q) / (d + q) if d + q > 0 else 0.0
            term = gjh[(j, h)] * (p[j] * s[h] + p[h] * s[j])
            gnb += term * djh[(j, h)]
            gt += term * (1 - djh[(j, h)])
    out.update(G_w=gw, G_nb=gnb, G_t=gt, G_jj=gjj, G_jh=gjh, D_jh=djh)
    return out


def _frame(y: np.ndarray, g: np.ndarray, w: np.ndarray | None = None) -> pd.DataFrame:
    data = {"region": [f"r{i}" for i in range(len(y))], "year": 2020, "value": y}
    if w is not None:
        data["pop"] = w
    return pd.DataFrame(data)


def _mapping(g: np.ndarray) -> dict[str, str]:
    return {f"r{i}": str(v) for i, v in enumerate(g)}


samples = st.integers(min_value=0, max_value=2**32 - 1)


@settings(max_examples=40, deadline=None)
@given(seed=samples, weighted=st.booleans())
def test_components_equal_pairwise_reference(seed: int, weighted: bool) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 30))
    y = rng.lognormal(0, 1, n)
    g = rng.integers(0, 3, n).astype(str)
    g[:3] = ["0", "1", "2"]
    w = rng.uniform(0.5, 5, n) if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NQPFWarning)
        res = dagum_gini(_frame(y, g, w), groups=_mapping(g), weight="pop" if weighted else None)
    ref = _reference(y, g, np.ones(n) if w is None else w)
    s = res.summary.iloc[0]
    for name in ("G", "G_w", "G_nb", "G_t"):
        assert s[name] == pytest.approx(ref[name], rel=1e-10, abs=1e-14)
    # the exact identity G = G_w + G_nb + G_t
    assert abs(s["G"] - (s["G_w"] + s["G_nb"] + s["G_t"])) < 1e-12
    assert s["share_w"] + s["share_nb"] + s["share_t"] == pytest.approx(1, abs=1e-12)
    for r in res.within.to_dict("records"):
        assert r["G_jj"] == pytest.approx(ref["G_jj"][r["group"]], rel=1e-10, abs=1e-14)  # type: ignore[index]
    for r in res.between.to_dict("records"):
        key = (r["group_j"], r["group_h"])
        assert r["G_jh"] == pytest.approx(ref["G_jh"][key], rel=1e-10)  # type: ignore[index]
        assert r["D_jh"] == pytest.approx(ref["D_jh"][key], rel=1e-10, abs=1e-14)  # type: ignore[index]
        assert 0 <= r["D_jh"] <= 1


@settings(max_examples=50, deadline=None)
@given(
    a=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=25),
    b=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=25),
)
def test_pair_sum_equals_double_loop(a: list[float], b: list[float]) -> None:
    expected = sum(abs(x - y) for x in a for y in b)
    assert pair_abs_diff_sum(a, b) == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_identity_to_1e12_on_large_random_panel() -> None:
    rng = np.random.default_rng(7)
    n = 2000
    frames = []
    for year in range(2010, 2013):
        f = _frame(rng.lognormal(0, 1.5, n), np.array([]))
        frames.append(f.assign(year=year))
    data = pd.concat(frames)
    mapping = {f"r{i}": f"g{i % 4}" for i in range(n)}
    res = dagum_gini(data, groups=mapping)
    gap = res.summary["G"] - res.summary[["G_w", "G_nb", "G_t"]].sum(axis=1)
    assert gap.abs().max() < 1e-12
    assert list(res.summary["year"]) == [2010, 2011, 2012]


def test_one_group_is_the_textbook_gini() -> None:
    y = np.array([3.0, 1.0, 7.0, 2.0, 9.0])
    res = dagum_gini(_frame(y, np.array([])), groups={f"r{i}": "all" for i in range(5)})
    s = res.summary.iloc[0]
    # textbook Gini: mean absolute difference over twice the mean
    textbook = np.abs(y[:, None] - y[None, :]).mean() / (2 * y.mean())
    assert s["G"] == pytest.approx(textbook, rel=1e-14)
    assert s["G_w"] == pytest.approx(textbook, rel=1e-14)
    assert s["G_nb"] == 0 and s["G_t"] == 0
    assert res.between.empty


def test_two_identical_groups_have_no_net_between_inequality() -> None:
    y = np.array([1.0, 4.0, 2.0, 8.0])
    data = _frame(np.concatenate([y, y]), np.array([]))
    mapping = {f"r{i}": ("a" if i < 4 else "b") for i in range(8)}
    res = dagum_gini(data, groups=mapping)
    s = res.summary.iloc[0]
    textbook = np.abs(y[:, None] - y[None, :]).mean() / (2 * y.mean())
    assert s["G"] == pytest.approx(textbook, rel=1e-14)
    assert s["G_nb"] == pytest.approx(0, abs=1e-15)
    assert res.within["G_jj"].tolist() == pytest.approx([textbook, textbook], rel=1e-14)
    assert res.between["G_jh"].iloc[0] == pytest.approx(textbook, rel=1e-14)
    # half the inequality within (p_j s_j = 1/4 twice), half transvariation
    assert s["share_w"] == pytest.approx(0.5) and s["share_t"] == pytest.approx(0.5)


def test_gini_equals_pysal_inequality_on_mexico() -> None:
    libpysal = pytest.importorskip("libpysal")
    from inequality.gini import Gini

    table = pd.read_csv(libpysal.examples.get_path("mexico.csv"))
    y = table["pcgdp1940"].to_numpy(dtype=float)
    # inequality's own test value (inequality/tests/test_gini.py)
    assert gini_coefficient(y) == pytest.approx(0.35372371173452849, rel=1e-12)
    assert gini_coefficient(y) == pytest.approx(Gini(y).g, rel=1e-12)
    data = pd.DataFrame({"region": table["State"], "year": 1940, "value": y})
    res = dagum_gini(
        data, groups=dict(zip(table["State"], table["hanson98"].astype(str), strict=True))
    )
    assert res.summary["G"].iloc[0] == pytest.approx(0.35372371173452849, rel=1e-12)


def test_population_weights_equal_replicated_units() -> None:
    y = np.array([1.0, 2.0, 5.0, 3.0])
    w = np.array([2.0, 1.0, 3.0, 1.0])
    g = np.array(["a", "a", "b", "b"])
    res_w = dagum_gini(_frame(y, g, w), groups=_mapping(g), weight="pop")
    rep = np.repeat(np.arange(4), w.astype(int))
    data = pd.DataFrame({"region": [f"u{k}" for k in range(len(rep))], "year": 1, "value": y[rep]})
    res_r = dagum_gini(data, groups={f"u{k}": g[i] for k, i in enumerate(rep)})
    for name in ("G", "G_w", "G_nb", "G_t"):
        assert res_w.summary[name].iloc[0] == pytest.approx(res_r.summary[name].iloc[0], rel=1e-13)


def test_bootstrap_interval_contains_the_estimate_and_is_reproducible() -> None:
    rng = np.random.default_rng(3)
    y = rng.lognormal(0, 1, 40)
    g = np.repeat(["a", "b", "c", "d"], 10)
    res = dagum_gini(_frame(y, g), groups=_mapping(g), bootstrap=300, seed=1)
    again = dagum_gini(_frame(y, g), groups=_mapping(g), bootstrap=300, seed=1)
    s = res.summary.iloc[0]
    assert s["G_low"] < s["G"] < s["G_high"]
    pd.testing.assert_frame_equal(res.summary, again.summary)
    assert {"G_jj_low", "G_jj_high"} <= set(res.within.columns)


def test_single_member_group_warns_and_has_zero_within() -> None:
    y = np.array([1.0, 2.0, 3.0, 10.0])
    g = np.array(["a", "a", "a", "b"])
    with pytest.warns(NQPFWarning, match="single member"):
        res = dagum_gini(_frame(y, g), groups=_mapping(g))
    assert res.within.set_index("group").loc["b", "G_jj"] == 0


def test_four_regions_on_provinces_and_bad_input() -> None:
    from nqpf.regions import province_codes

    codes = province_codes()
    data = pd.DataFrame({"region": codes, "year": 2022, "value": np.arange(1.0, 32.0)})
    res = dagum_gini(data)
    assert list(res.within["group"]) == ["东部", "中部", "西部", "东北"]
    assert len(res.between) == 6
    with pytest.raises(InputError, match="unknown grouping"):
        dagum_gini(data, groups="five-regions")
    neg = data.assign(value=data["value"] - 5)
    with pytest.raises(InputError, match="110000"):
        dagum_gini(neg)
    with pytest.warns(NQPFWarning, match="110000/2022"):
        dagum_gini(data.assign(value=data["value"].where(data["region"] != "110000")))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), weighted=st.booleans(), ties=st.booleans())
def test_all_years_in_one_pass_equal_each_year_alone(seed: int, weighted: bool, ties: bool) -> None:
    """The one-pass panel computation keeps years apart, including years where a group is
    absent or has one member, ties, and weights."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in (2020, 2021, 2022):
        n = int(rng.integers(3, 12))
        values = rng.integers(1, 4, n).astype(float) if ties else rng.lognormal(0, 1, n)
        groups = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
        for i in range(n):
            rows.append(
                {
                    "region": f"{groups[i]}{i}",
                    "year": year,
                    "value": values[i],
                    "pop": float(rng.integers(1, 9)) if weighted else 1.0,
                }
            )
    data = pd.DataFrame(rows)
    mapping = {r: r[0] for r in data["region"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NQPFWarning)
        panel = dagum_gini(data, groups=mapping, weight="pop")
        for year in (2020, 2021, 2022):
            part = data[data["year"] == year]
            alone = dagum_gini(part, groups=mapping, weight="pop", by=None)
            row = panel.summary.set_index("year").loc[year]
            for col in ("G", "G_w", "G_nb", "G_t"):
                assert row[col] == pytest.approx(alone.summary[col].iloc[0], rel=1e-12, abs=1e-15)
            ref = _reference(
                part["value"].to_numpy(), part["region"].str[0].to_numpy(), part["pop"].to_numpy()
            )
            assert row["G"] == pytest.approx(ref["G"], rel=1e-12)
            within = panel.within[panel.within["year"] == year].set_index("group")["G_jj"]
            assert set(within.index) == set(part["region"].str[0])
