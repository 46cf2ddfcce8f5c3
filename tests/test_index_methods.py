"""Published values and peer libraries for the index methods (normalise, weight, aggregate).

Sources of the numbers are named next to each test. Peers are called on the same matrix as a
second check: pymcdm 1.4 (``pymcdm.weights``, ``pymcdm.methods.TOPSIS``) and pyrepo-mcda 0.1
(``pyrepo_mcda.weighting_methods``, ``pyrepo_mcda.mcda_methods.TOPSIS``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.index import (
    aggregate,
    ahp_weights,
    combine_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    expert_weights,
    normalize,
    pca_weights,
)
from nqpf.index.weights import compute_weights


def frame(matrix: list[list[float]] | np.ndarray) -> pd.DataFrame:
    """A decision matrix as a wide frame with columns c1…cm."""
    array = np.asarray(matrix, dtype=float)
    return pd.DataFrame(array, columns=[f"c{j + 1}" for j in range(array.shape[1])])


def directions_of(types: list[int]) -> dict[str, int]:
    return {f"c{j + 1}": t for j, t in enumerate(types)}


# --- entropy (熵权法) -------------------------------------------------------------------------

# Elsayed, Dawood & Karthikeyan (2017), Int. J. Eng. Trends Technol. 46(2), 60-66; the reference
# of pymcdm's test/test_weights.py::TestEntropyWeights. The matrix has no zero, so pymcdm's zero
# convention (entropy 0 for a column holding a zero) and our "0log0" coincide here.
ELSAYED = [
    [7, 312, 1891, 6613, 163],
    [72, 88, 728, 941804, 1078],
    [10, 252, 2594, 3466, 117471],
    [10, 145, 980, 2371, 86329],
    [65, 54, 350, 501, 29897],
    [29, 48, 380, 912, 34051],
    [7, 476, 3300, 78470, 2212],
    [70, 87, 650, 733, 819000],
    [4, 86, 591, 3015, 103],
    [12, 79, 579, 3240, 96098],
    [21, 45, 261, 1253, 453],
    [1, 72, 530, 4333, 0.104800],
]


def test_entropy_elsayed_published_and_pymcdm() -> None:
    from pymcdm.weights import entropy_weights as pymcdm_entropy

    w = entropy_weights(frame(ELSAYED))
    assert w.round(6).tolist() == [0.104991, 0.069124, 0.071373, 0.449937, 0.304575]
    np.testing.assert_allclose(w, pymcdm_entropy(np.array(ELSAYED)), rtol=1e-12)


# pyrepo-mcda tests/test_weighting_methods.py::Test_Entropy: pyrepo computes p = x/Σx and skips
# p = 0 terms, i.e. the 0·ln 0 = 0 convention (our default). Sources: Xu (2004) EJOR 156(2);
# Zavadskas & Podvezko (2016) IJITDM 15(2); Ersoy (2021) LogForum 17(3); Lee & Chang (2018)
# RSER 92. pyrepo entropy ignores the criteria types (weights are of the raw matrix).
PYREPO_ENTROPY = [
    (
        [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]],
        [0.4630, 0.3992, 0.1378, 0.0000],
        4,
    ),
    (
        [[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]],
        [0.1146, 0.1981, 0.4185, 0.2689],
        4,
    ),
    (
        [
            [256, 8, 41, 1.6, 1.77, 7347.16],
            [256, 8, 32, 1.0, 1.8, 6919.99],
            [256, 8, 53, 1.6, 1.9, 8400],
            [256, 8, 41, 1.0, 1.75, 6808.9],
            [512, 8, 35, 1.6, 1.7, 8479.99],
            [256, 4, 35, 1.6, 1.7, 7499.99],
        ],
        [0.405, 0.221, 0.134, 0.199, 0.007, 0.034],
        3,
    ),
    (
        [
            [4550, 30, 6.74, 20, 15, 5, 85, 150, 0.87, 4.76],
            [3005, 60.86, 2.4, 35, 27, 4, 26, 200, 0.17, 4.51],
            [2040, 14.85, 1.7, 90, 25, 5, 26, 500, 0.27, 4.19],
            [3370, 99.4, 3.25, 25.3, 54, 3, 45, 222, 0.21, 3.78],
            [3920, 112.6, 4.93, 11.4, 71.7, 2, 50, 100, 0.25, 4.11],
        ],
        [0.026, 0.154, 0.089, 0.199, 0.115, 0.04, 0.08, 0.123, 0.172, 0.002],
        3,
    ),
]


@pytest.mark.parametrize(("matrix", "published", "digits"), PYREPO_ENTROPY)
def test_entropy_pyrepo_published_and_library(
    matrix: list[list[float]], published: list[float], digits: int
) -> None:
    from pyrepo_mcda.weighting_methods import entropy_weighting

    w = entropy_weights(frame(matrix))
    assert w.round(digits).tolist() == published
    np.testing.assert_allclose(w, entropy_weighting(np.array(matrix, dtype=float)), atol=1e-12)


def test_entropy_zero_convention_matches_pyrepo_not_pymcdm() -> None:
    """With a zero in a column, "0log0" equals pyrepo-mcda; pymcdm 1.4 refuses zeros."""
    from pymcdm.weights import entropy_weights as pymcdm_entropy
    from pyrepo_mcda.weighting_methods import entropy_weighting

    m = np.array([[0.0, 2.0], [0.5, 3.0], [1.0, 4.0], [0.25, 1.0]])
    w = entropy_weights(frame(m), zero="0log0")
    np.testing.assert_allclose(w, entropy_weighting(m), atol=1e-12)
    with pytest.raises(ValueError, match="positive"):
        pymcdm_entropy(m)


def test_entropy_shift_is_the_translation_by_epsilon() -> None:
    m = np.array([[0.0, 0.2], [0.5, 1.0], [1.0, 0.0], [0.25, 0.7]])
    eps = 1e-5
    # reference: p = (x + ε)/Σ(x + ε), e = −Σ p ln p / ln n, w ∝ 1 − e
    shifted = m + eps
    p = shifted / shifted.sum(axis=0)
    d = 1 + (p * np.log(p)).sum(axis=0) / np.log(m.shape[0])
    w = entropy_weights(frame(m), zero="shift", shift=eps)
    np.testing.assert_allclose(w, d / d.sum(), rtol=1e-12)
    # the shift changes the weights only slightly against 0·ln 0 = 0
    np.testing.assert_allclose(w, entropy_weights(frame(m)), atol=1e-3)
    assert np.abs(w - entropy_weights(frame(m))).max() > 1e-7


# --- CRITIC ------------------------------------------------------------------------------------

# Tuş & Aytaç Adalı (2019), Opsearch 56(2), 528-538; the reference of pymcdm's TestCRITICWeights
# and pyrepo-mcda's Test_CRITIC. Both libraries min-max normalise every column as a benefit
# criterion before CRITIC; we do the same through normalize(…, "minmax").
TUS_ADALI = [
    [5000, 3, 3, 4, 3, 2],
    [680, 5, 3, 2, 2, 1],
    [2000, 3, 2, 3, 4, 3],
    [600, 4, 3, 1, 2, 2],
    [800, 2, 4, 3, 3, 4],
]


def test_critic_tus_adali_published_and_peers() -> None:
    from pymcdm.weights import critic_weights as pymcdm_critic
    from pyrepo_mcda.weighting_methods import critic_weighting

    w = critic_weights(normalize(frame(TUS_ADALI), "minmax"))
    assert w.round(3).tolist() == [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]
    m = np.array(TUS_ADALI, dtype=float)
    np.testing.assert_allclose(w, pymcdm_critic(m), rtol=1e-10)
    np.testing.assert_allclose(w, critic_weighting(m), rtol=1e-10)


def test_critic_matches_reference_formula() -> None:
    rng = np.random.default_rng(7)
    m = rng.uniform(size=(30, 5))
    sigma = m.std(axis=0, ddof=0)
    r = np.corrcoef(m.T)
    c = sigma * (1 - r).sum(axis=0)
    np.testing.assert_allclose(critic_weights(frame(m)), c / c.sum(), rtol=1e-12)


# --- TOPSIS ------------------------------------------------------------------------------------


def test_topsis_opricovic_tzeng_published_and_pymcdm() -> None:
    """Opricovic & Tzeng (2004) EJOR 156(2), the example of pymcdm's TestTOPSIS.

    pymcdm's TOPSIS min-max normalises (cost: (max − x)/(max − min)) then takes the ideal as the
    column maximum of the weighted matrix: our normalize("minmax") + aggregate("topsis").
    """
    from pymcdm.methods import TOPSIS

    m = np.array([[1, 2, 5], [3000, 3750, 4500]], dtype=float).T
    n = normalize(frame(m), "minmax", directions={"c1": -1})
    w = pd.Series({"c1": 0.5, "c2": 0.5})
    score = aggregate(n, w, "topsis")
    assert score.round(3).tolist() == [0.500, 0.617, 0.500]
    np.testing.assert_allclose(score, TOPSIS()(m, w.to_numpy(), np.array([-1, 1])), rtol=1e-12)


def test_topsis_ersoy_vector_normalisation_published_and_pyrepo() -> None:
    """Ersoy (2021) LogForum 17(3), pyrepo-mcda's Test_TOPSIS with vector normalisation.

    pyrepo's vector normalisation is x/‖x‖ for benefit and 1 − x/‖x‖ for cost; we build that
    matrix here (it is not one of our normalisations) and aggregate it with our TOPSIS.
    """
    from pyrepo_mcda import distance_metrics, normalizations
    from pyrepo_mcda.mcda_methods import TOPSIS

    m = np.array(
        [
            [256, 8, 41, 1.6, 1.77, 7347.16],
            [256, 8, 32, 1.0, 1.8, 6919.99],
            [256, 8, 53, 1.6, 1.9, 8400],
            [256, 8, 41, 1.0, 1.75, 6808.9],
            [512, 8, 35, 1.6, 1.7, 8479.99],
            [256, 4, 35, 1.6, 1.7, 7499.99],
        ]
    )
    types = np.array([1, 1, 1, 1, -1, -1])
    norm = m / np.sqrt((m**2).sum(axis=0))
    norm[:, types == -1] = 1 - norm[:, types == -1]
    weights = np.array([0.405, 0.221, 0.134, 0.199, 0.007, 0.034])
    score = aggregate(frame(norm), pd.Series(weights, index=frame(norm).columns), "topsis")
    published = [0.308, 0.254, 0.327, 0.263, 0.857, 0.192]
    assert score.round(2).tolist() == list(np.round(published, 2))
    peer = TOPSIS(normalizations.vector_normalization, distance_metrics.euclidean)(
        m, weights, types
    )
    np.testing.assert_allclose(score, peer, rtol=1e-12)


def test_topsis_matches_reference_formula_on_random_matrix() -> None:
    rng = np.random.default_rng(11)
    n = rng.uniform(size=(25, 4))
    w = np.array([0.1, 0.2, 0.3, 0.4])
    v = n * w
    d_plus = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    score = aggregate(frame(n), pd.Series(w, index=frame(n).columns), "topsis")
    np.testing.assert_allclose(score, d_minus / (d_plus + d_minus), rtol=1e-12)


# --- AHP ---------------------------------------------------------------------------------------

# Saaty (1990), "How to make a decision: the analytic hierarchy process", EJOR 48, 9-26: the
# house-buying example (criteria: size, transportation, neighbourhood, age, yard, modern
# facilities, general condition, financing). Published: weights .173 .054 .188 .018 .031 .036
# .167 .333, λ_max = 9.669, CI = 0.238, CR = 0.169 (> 0.1: Saaty notes it is inconsistent).
SAATY_HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
HOUSE_CRITERIA = [
    "size",
    "transport",
    "neighbourhood",
    "age",
    "yard",
    "modern",
    "condition",
    "finance",
]


def house_matrix() -> pd.DataFrame:
    return pd.DataFrame(SAATY_HOUSE, index=HOUSE_CRITERIA, columns=HOUSE_CRITERIA)


def test_ahp_saaty_1990_house_published_values() -> None:
    from nqpf.errors import InputError

    result = ahp_weights(house_matrix(), max_cr=0.2)
    assert result.weights.round(3).tolist() == [
        0.173,
        0.054,
        0.188,
        0.018,
        0.031,
        0.036,
        0.167,
        0.333,
    ]
    assert list(result.weights.index) == HOUSE_CRITERIA
    assert round(result.lambda_max, 3) == 9.669
    assert round(result.ci, 3) == 0.238
    assert round(result.cr, 3) == 0.169
    assert result.ri == 1.41
    with pytest.raises(InputError, match=r"CR = 0\.169"):
        ahp_weights(house_matrix())


def test_ahp_consistency_index_matches_pymcdm() -> None:
    """pymcdm's AHP.get_cr() is CI / RI with Tummala & Ling's RI (1.3952 for n = 8)."""
    from pymcdm.weights.subjective import AHP

    peer = AHP(matrix=np.array(SAATY_HOUSE))
    result = ahp_weights(house_matrix(), max_cr=1.0)
    assert result.ci == pytest.approx(peer.get_cr() * AHP.RI_M[7], rel=1e-10)


def test_ahp_consistent_matrix_recovers_its_weights() -> None:
    w = np.array([0.5, 0.3, 0.15, 0.05])
    labels = list("abcd")
    a = pd.DataFrame(np.outer(w, 1 / w), index=labels, columns=labels)
    result = ahp_weights(a)
    np.testing.assert_allclose(result.weights, w, rtol=1e-10)
    assert result.lambda_max == pytest.approx(4.0, abs=1e-10)
    assert result.cr == pytest.approx(0.0, abs=1e-10)


# --- PCA, equal, expert, combinations -------------------------------------------------------


def test_pca_weights_reference_implementation() -> None:
    rng = np.random.default_rng(3)
    factor = rng.normal(size=200)
    m = np.column_stack(
        [factor + 0.3 * rng.normal(size=200), factor + rng.normal(size=200), rng.normal(size=200)]
    )
    # reference via the SVD of the standardised matrix (an independent route to the eigenpairs)
    z = (m - m.mean(axis=0)) / m.std(axis=0, ddof=1)
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    lam = s**2 / (len(z) - 1)
    k = int(np.searchsorted(np.cumsum(lam) / lam.sum(), 0.85) + 1)
    score = (np.abs(vt[:k].T) * np.sqrt(lam[:k])) @ (lam[:k] / lam[:k].sum())
    np.testing.assert_allclose(pca_weights(frame(m)), score / score.sum(), rtol=1e-8)
    np.testing.assert_allclose(pca_weights(frame(m), min_variance=1.0).sum(), 1.0, rtol=1e-12)


def test_equal_and_expert_weights() -> None:
    x = frame(np.ones((3, 4)))
    assert equal_weights(x).tolist() == [0.25] * 4
    w = expert_weights({"c1": 0.1, "c2": 0.2, "c3": 0.3, "c4": 0.4}, x.columns)
    assert w.tolist() == [0.1, 0.2, 0.3, 0.4]
    assert list(w.index) == ["c1", "c2", "c3", "c4"]


def test_compute_weights_dispatch() -> None:
    x = frame(np.random.default_rng(1).uniform(size=(10, 3)))
    pd.testing.assert_series_equal(compute_weights(x, "entropy"), entropy_weights(x))
    pd.testing.assert_series_equal(
        compute_weights(x, "entropy", zero="shift", shift=0.01),
        entropy_weights(x, zero="shift", shift=0.01),
    )
    pd.testing.assert_series_equal(compute_weights(x, "critic"), critic_weights(x))
    pd.testing.assert_series_equal(compute_weights(x, "pca"), pca_weights(x))
    pd.testing.assert_series_equal(compute_weights(x, "equal"), equal_weights(x))


def test_combine_mean_and_geometric() -> None:
    a = pd.Series([0.2, 0.3, 0.5], index=list("xyz"))
    b = pd.Series([0.4, 0.4, 0.2], index=list("xyz"))
    np.testing.assert_allclose(combine_weights([a, b], "mean"), [0.3, 0.35, 0.35])
    g = np.sqrt(a * b)
    np.testing.assert_allclose(combine_weights([a, b], "geometric"), g / g.sum())
    # a second vector in another index order is aligned by label
    np.testing.assert_allclose(combine_weights([a, b[::-1]], "mean"), [0.3, 0.35, 0.35])


def test_combine_game_theory_normal_equations() -> None:
    """α solves Σ_k α_k (w_l·w_k) = w_l·w_l; the result is Σ α*_k w_k with α* = |α|/Σ|α|."""
    a = np.array([0.1, 0.2, 0.3, 0.4])
    b = np.array([0.4, 0.3, 0.2, 0.1])
    c = np.array([0.25, 0.25, 0.4, 0.1])
    W = np.column_stack([a, b, c])
    alpha = np.linalg.solve(W.T @ W, (W * W).sum(axis=0))
    alpha = np.abs(alpha) / np.abs(alpha).sum()
    series = [pd.Series(v, index=list("pqrs")) for v in (a, b, c)]
    np.testing.assert_allclose(combine_weights(series, "game"), W @ alpha, rtol=1e-10)
    # two vectors: the closed form of the 2×2 system
    g11, g12, g22 = a @ a, a @ b, b @ b
    det = g11 * g22 - g12 * g12
    a1, a2 = (g22 * g11 - g12 * g22) / det, (g11 * g22 - g12 * g11) / det
    expected = (abs(a1) * a + abs(a2) * b) / (abs(a1) + abs(a2))
    np.testing.assert_allclose(combine_weights(series[:2], "game"), expected, rtol=1e-10)
    # identical vectors combine to themselves
    np.testing.assert_allclose(combine_weights([series[0], series[0]], "game"), a, rtol=1e-10)


# --- normalisation and linear/geometric aggregation identities ------------------------------

# OECD/JRC (2008) Handbook on Constructing Composite Indicators, Appendix, Table A.2: raw data of
# the Technology Achievement Index for the 23 case-study countries (telephones and electricity
# already in log10, as published). The Handbook's rankings (Table 23) could not be reproduced
# from this table with plain min-max (they follow the UNDP TAI's goalposts and caps, which the
# Handbook does not fully specify), so this checks the min-max/linear identity on the real data.
TAI_COUNTRIES = [
    "Finland", "United States", "Sweden", "Japan", "Korea", "Netherlands", "United Kingdom",
    "Canada", "Australia", "Singapore", "Germany", "Norway", "Ireland", "Belgium",
    "New Zealand", "Austria", "France", "Israel", "Spain", "Italy", "Czech Republic",
    "Hungary", "Slovenia",
]  # fmt: skip
TAI = pd.DataFrame(
    {
        "patents": [187, 289, 271, 994, 779, 189, 82, 31, 75, 8, 235, 103, 106, 72, 103, 165, 205, 74, 42, 13, 28, 26, 105],
        "royalties": [125.6, 130, 156.6, 64.6, 9.8, 151.2, 134, 38.6, 18.2, 25.5, 36.8, 20.2, 110.3, 73.9, 13, 14.8, 33.6, 43.6, 8.6, 9.8, 4.2, 6.2, 4],
        "internet": [200.2, 179.1, 125.8, 49, 4.8, 136, 57.4, 108, 125.9, 72.3, 41.2, 193.6, 48.6, 58.9, 146.7, 84.2, 36.4, 43.2, 21, 30.4, 25, 21.6, 20.3],
        "exports": [50.7, 66.2, 59.7, 80.8, 66.7, 50.9, 61.9, 48.7, 16.2, 74.9, 64.2, 19, 53.6, 47.6, 15.4, 50.3, 58.9, 45, 53.4, 51, 51.7, 63.5, 49.5],
        "telephones": [3.08, 3.00, 3.10, 3.00, 2.97, 3.02, 3.02, 2.94, 2.94, 2.95, 2.94, 3.12, 2.97, 2.91, 2.86, 2.99, 2.97, 2.96, 2.86, 3.00, 2.75, 2.73, 2.84],
        "electricity": [4.15, 4.07, 4.14, 3.86, 3.65, 3.77, 3.73, 4.18, 3.94, 3.83, 3.75, 4.39, 3.68, 3.86, 3.91, 3.79, 3.80, 3.74, 3.62, 3.65, 3.68, 3.46, 3.71],
        "schooling": [10, 12, 11.4, 9.5, 10.8, 9.4, 9.4, 11.6, 10.9, 7.1, 10.2, 11.9, 9.4, 9.3, 11.7, 8.4, 7.9, 9.6, 7.3, 7.2, 9.5, 9.1, 7.1],
        "university": [27.4, 13.9, 15.3, 10, 23.2, 9.5, 14.9, 14.2, 25.3, 24.2, 14.4, 11.2, 12.3, 13.6, 13.1, 13.6, 12.6, 11, 15.6, 13, 8.2, 7.7, 10.6],
    },
    index=pd.Index(TAI_COUNTRIES, name="region"),
    dtype=float,
)  # fmt: skip
# Handbook Table 22: AHP weights of the eight TAI indicators (as printed, rounded to 0.01).
TAI_AHP_WEIGHTS = [0.09, 0.10, 0.07, 0.21, 0.05, 0.06, 0.18, 0.25]


def test_tai_minmax_linear_identity() -> None:
    x = TAI
    rescaled = (x - x.min()) / (x.max() - x.min())
    n = normalize(x, "minmax")
    pd.testing.assert_frame_equal(n, rescaled)
    # four dimensions × two indicators with equal weights = 1/8 each
    pd.testing.assert_series_equal(
        aggregate(n, equal_weights(n), "linear"), rescaled.mean(axis=1), check_names=False
    )
    w = pd.Series(TAI_AHP_WEIGHTS, index=x.columns) / sum(TAI_AHP_WEIGHTS)
    np.testing.assert_allclose(aggregate(n, w, "linear"), rescaled.to_numpy() @ w.to_numpy())
    # the best performers of the Handbook's tables (Finland first under EW, FA, BAP, AHP)
    assert aggregate(n, equal_weights(n), "linear").idxmax() == "Finland"
    assert aggregate(n, w, "linear").idxmax() == "Finland"


# Handbook Table 15 (p. 87): normalisations of "mean years of schooling" (TAI data, Table A.2).
# Columns used: rank (high value = top), z-score, min-max, ratio to the mean country, ratio to
# the best (maximum), percentile (100 · rank / 23). Published to 2 (percentile 1) decimals.
T15_RANK = [15, 23, 19, 12, 17, 9, 9, 20, 18, 1, 16, 22, 9, 8, 21, 6, 5, 14, 4, 3, 12, 7, 1]
T15_Z = [0.26, 1.52, 1.14, -0.06, 0.76, -0.12, -0.12, 1.27, 0.83, -1.58, 0.38, 1.46, -0.12, -0.19, 1.33, -0.76, -1.08, 0.00, -1.46, -1.52, -0.06, -0.31, -1.58]  # fmt: skip
T15_MINMAX = [0.59, 1.00, 0.88, 0.49, 0.76, 0.47, 0.47, 0.92, 0.78, 0.00, 0.63, 0.98, 0.47, 0.45, 0.94, 0.27, 0.16, 0.51, 0.04, 0.02, 0.49, 0.41, 0.00]  # fmt: skip
T15_TO_MEAN = [1.04, 1.25, 1.19, 0.99, 1.13, 0.98, 0.98, 1.21, 1.14, 0.74, 1.06, 1.24, 0.98, 0.97, 1.22, 0.88, 0.82, 1.00, 0.76, 0.75, 0.99, 0.95, 0.74]  # fmt: skip
T15_TO_BEST = [0.83, 1.00, 0.95, 0.79, 0.90, 0.78, 0.78, 0.97, 0.91, 0.59, 0.85, 0.99, 0.78, 0.78, 0.98, 0.70, 0.66, 0.80, 0.61, 0.60, 0.79, 0.76, 0.59]  # fmt: skip
T15_PERCENTILE = [65.2, 100, 82.6, 52.2, 73.9, 39.1, 39.1, 87.0, 78.3, 4.3, 69.6, 95.7, 39.1, 34.8, 91.3, 26.1, 21.7, 60.9, 17.4, 13.0, 52.2, 30.4, 4.3]  # fmt: skip


def test_handbook_table15_normalisations_of_schooling() -> None:
    school = TAI[["schooling"]]
    n = len(school)
    z = normalize(school, "zscore")["schooling"]  # the Handbook's z-scores use ddof = 1
    assert z.round(2).tolist() == T15_Z
    assert normalize(school, "minmax")["schooling"].round(2).tolist() == T15_MINMAX
    assert normalize(school, "max")["schooling"].round(2).tolist() == T15_TO_BEST
    # distance to the average country, capped at the target as our "target" method does
    target = normalize(school, "target", targets={"schooling": float(school.mean().iloc[0])})
    assert target["schooling"].round(2).tolist() == [min(v, 1.0) for v in T15_TO_MEAN]
    # our percentile rank is (r − 1)/(n − 1) with competition ties; the Handbook prints r and r/n
    rank = normalize(school, "rank")["schooling"] * (n - 1) + 1
    assert rank.round(9).astype(int).tolist() == T15_RANK
    assert (100 * rank / n).round(1).tolist() == T15_PERCENTILE


def test_tai_ahp_matrix_as_printed_is_not_reciprocal() -> None:
    """Handbook Table 20 prints royalties:schooling = 2 *and* schooling:royalties = 2."""
    from nqpf.errors import InputError

    names = list(TAI.columns)
    third, fifth, quarter, half = 1 / 3, 1 / 5, 1 / 4, 1 / 2
    table20 = pd.DataFrame(
        [
            [1, 2, 3, 2, 5, 5, 1, 3],
            [half, 1, 2, half, 4, 4, 2, 3],
            [third, half, 1, quarter, 2, 2, fifth, half],
            [half, 2, 4, 1, 4, 4, half, 3],
            [fifth, quarter, half, quarter, 1, 1, fifth, half],
            [fifth, quarter, half, quarter, 1, 1, fifth, half],
            [1, 2, 5, 2, 5, 5, 1, 4],
            [third, third, 2, third, 2, 2, quarter, 1],
        ],
        index=names,
        columns=names,
    )
    with pytest.raises(
        InputError, match=r"a\[royalties, schooling\] = 2 but a\[schooling, royalties\] = 2"
    ):
        ahp_weights(table20)
    repaired = table20.copy()
    repaired.loc["schooling", "royalties"] = half
    result = ahp_weights(repaired)
    assert result.cr < 0.1
    assert result.weights.sum() == pytest.approx(1.0)


def panel(values: dict[str, list[float]], regions: list[str], years: list[int]) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([regions, years], names=["region", "year"])
    return pd.DataFrame(values, index=index)


def test_normalize_methods_by_hand() -> None:
    x = pd.DataFrame({"b": [2.0, 4.0, 8.0, 4.0], "c": [1.0, 2.0, 4.0, 8.0]})
    d = {"c": -1}
    mm = normalize(x, "minmax", directions=d)
    np.testing.assert_allclose(mm["b"], [0, 1 / 3, 1, 1 / 3])
    np.testing.assert_allclose(mm["c"], [1, 6 / 7, 4 / 7, 0])
    z = normalize(x, "zscore", directions=d)
    np.testing.assert_allclose(z["b"], (x["b"] - x["b"].mean()) / x["b"].std(ddof=1))
    np.testing.assert_allclose(z["c"], -(x["c"] - x["c"].mean()) / x["c"].std(ddof=1))
    mx = normalize(x, "max", directions=d)
    np.testing.assert_allclose(mx["b"], [0.25, 0.5, 1, 0.5])
    np.testing.assert_allclose(mx["c"], [1, 0.5, 0.25, 0.125])
    rk = normalize(x, "rank", directions=d)
    np.testing.assert_allclose(rk["b"], [0, 1 / 3, 1, 1 / 3])  # ties share the lowest rank
    np.testing.assert_allclose(rk["c"], [1, 2 / 3, 1 / 3, 0])
    tg = normalize(x, "target", directions=d, targets={"b": 4.0, "c": 2.0})
    np.testing.assert_allclose(tg["b"], [0.5, 1, 1, 1])
    np.testing.assert_allclose(tg["c"], [1, 1, 0.5, 0.25])


def test_normalize_keeps_missing_and_scope_year() -> None:
    x = panel({"v": [1.0, 3.0, np.nan, 5.0, 2.0, 9.0]}, ["r1", "r2", "r3"], [2020, 2021])
    by_year = normalize(x, "minmax", scope="year")
    # 2020: r1=1, r2=np.nan, r3=2 → 0, nan, 1;  2021: r1=3, r2=5, r3=9 → 0, 1/3, 1
    np.testing.assert_allclose(by_year["v"].to_numpy(), [0, 0, np.nan, 1 / 3, 1, 1], equal_nan=True)
    pooled = normalize(x, "minmax", scope="panel")
    np.testing.assert_allclose(
        pooled["v"].to_numpy(), [0, 0.25, np.nan, 0.5, 0.125, 1], equal_nan=True
    )
    assert by_year.index.equals(x.index)


def test_linear_and_geometric_aggregation_by_hand() -> None:
    n = pd.DataFrame({"a": [0.25, 1.0, 0.0], "b": [1.0, 0.25, 0.5]})
    w = pd.Series({"a": 0.5, "b": 0.5})
    np.testing.assert_allclose(aggregate(n, w, "linear"), [0.625, 0.625, 0.25])
    np.testing.assert_allclose(aggregate(n, w, "geometric"), [0.5, 0.5, 0.0])
    # an indicator with weight 0 is ignored by the geometric mean even where it is 0
    w0 = pd.Series({"a": 0.0, "b": 1.0})
    np.testing.assert_allclose(aggregate(n, w0, "geometric"), [1.0, 0.25, 0.5])


def test_topsis_ideal_scope_year_uses_each_years_ideal() -> None:
    n = panel({"a": [0.0, 0.5, 1.0, 0.2], "b": [1.0, 0.5, 0.0, 0.4]}, ["r1", "r2"], [2020, 2021])
    w = pd.Series({"a": 0.5, "b": 0.5})
    by_year = aggregate(n, w, "topsis", ideal_scope="year")
    for year in (2020, 2021):
        part = n.xs(year, level="year", drop_level=False)
        pd.testing.assert_series_equal(by_year.loc[part.index], aggregate(part, w, "topsis"))
    assert not np.allclose(by_year, aggregate(n, w, "topsis", ideal_scope="panel"))
