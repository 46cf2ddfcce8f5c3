"""Feasibility model (可行性模型): the probability that a region enters an industry.

A logistic regression, fitted on the observed entries of a past period, of

    P(M_cp(t1) = 1 | M_cp(t0) = 0) = Λ(β·x_cp),

with, for every candidate cell (region c without an advantage in industry p at t0), only
t0 information:

* ``log_rca`` — ln(RCA_cp + ε), ε = :data:`RCA_FLOOR`: how near the region already is
  ("near-misses"; Hidalgo et al. 2007, *Science* 317:482, condition entries on RCA_t0);
  ``rca_sq`` (its square: the pull of the threshold is not linear in ln RCA) and
  ``rca_x_expected`` (its product with ``log_expected``: a near-miss of a small expected
  count crosses the threshold by chance more often, the sampling noise of a 10 % census
  sample);
* ``density`` — relatedness density ω_cp from binary presence (Hidalgo et al. 2007;
  Neffke, Henning & Boschma 2011, *Economic Geography* 87:237, on regional entry), with
  proximities from t0;
* ``density_continuous`` — ω_cp computed with continuous presence RCA/(1 + RCA), which
  also credits related industries just below the threshold;
* ``log_ubiquity`` — ln(1 + k_p,0): common industries are entered more (Balland et al. 2019,
  *Regional Studies* 53:1252, weigh relatedness against complexity, whose inverse is
  ubiquity);
* ``diversity`` — k_c,0, and ``log_size`` — ln Σ_p X_cp: large diverse regions enter more;
* ``log_count`` — ln(1 + X_cp), and ``log_expected`` — ln(X_c· X_·p / X··), the value the
  cell would have at RCA = 1 (how large an entry must be);
* with region ``groups`` (e.g. prefecture and province of a county), for each level g:
  ``{g}_share`` — the share of the *other* regions of the same group with M_p = 1
  (leave-one-out; a group with no other region takes the next coarser level's share, the
  coarsest the national share), the presence of the industry among neighbours (Bahar,
  Hausmann & Hidalgo 2014, *J. Int. Econ.* 92:111: countries enter the products their
  neighbours export), and ``{g}_log_rca`` — ln(RCA + ε) of the group's total in p, the
  advantage of the surrounding region (Boschma, Minondo & Navarro 2013, *Economic
  Geography* 89:29, on relatedness within and across regions);
* an intercept per industry and per-industry slopes on the features of
  :data:`SLOPE_FEATURES` and the group features (industries differ in how often they
  appear and in how far a near-miss carries), when the training entries suffice
  (:data:`EVENTS_PER_PARAMETER`); with fewer than that per shared feature, only
  :data:`MINIMAL_FEATURES`.

Numeric features are standardised with the training cells' mean and standard deviation;
larger training sets are subsampled (entries kept, up to half the cap; non-entries
sampled; intercept corrected). L2-penalised maximum likelihood (scikit-learn
``LogisticRegression``, Newton-CG, C = :data:`PENALTY_C`). :func:`out_of_sample` fits on
blocks of regions and predicts the held-out block (by province where codes are GB/T 2260
adcodes), so no region's outcome is used to score it.

The feature list and C were chosen on 21 development provinces (5-fold province-block
cross-validation inside them) and then evaluated once on 10 provinces held out from that
choice (:data:`HELD_OUT_PROVINCES`); see docs/opportunities.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.industry.advantage import continuous_presence, diversity, presence, rca, ubiquity
from nqpf.industry.relatedness import density, proximity

__all__ = [
    "BASE_FEATURES",
    "HELD_OUT_PROVINCES",
    "SPECS",
    "FeasibilityModel",
    "Spec",
    "cell_features",
    "feature_names",
    "fit_feasibility",
    "out_of_sample",
    "region_blocks",
    "select_and_fit",
]

#: Features every matrix has (the group features are added when groups are given).
BASE_FEATURES = (
    "log_rca",
    "density",
    "density_continuous",
    "log_ubiquity",
    "diversity",
    "log_size",
    "log_count",
    "log_expected",
    "rca_sq",
    "rca_x_expected",
)
#: Features whose slope also varies by industry (besides the industry's own intercept);
#: the group features join them. ``log_ubiquity`` is constant within an industry and the
#: two interaction terms are shared.
SLOPE_FEATURES = (
    "log_rca",
    "density",
    "density_continuous",
    "diversity",
    "log_size",
    "log_count",
    "log_expected",
)
#: The features kept when the training entries are too few for all of them (fewer than
#: :data:`EVENTS_PER_PARAMETER` per feature): nearness, relatedness and ubiquity, the
#: regressors of the classic entry regressions (Hidalgo et al. 2007; Neffke et al. 2011).
MINIMAL_FEATURES = ("log_rca", "density", "log_ubiquity")
#: The nested specifications, simplest first: ``near_miss`` (ln RCA alone, a monotone
#: transform of the RCA-only baseline), ``minimal`` (:data:`MINIMAL_FEATURES`, no industry
#: terms) and ``full`` (every feature, industry terms by :data:`EVENTS_PER_PARAMETER`).
Spec = Literal["near_miss", "minimal", "full"]
SPECS: tuple[Spec, ...] = ("near_miss", "minimal", "full")
SPEC_FEATURES: dict[str, tuple[str, ...]] = {
    "near_miss": ("log_rca",),
    "minimal": MINIMAL_FEATURES,
}
#: Training entries below which :func:`select_and_fit` chooses the specification by inner
#: cross-validation on the training blocks (above it the full model is used: with
#: ≈ 1,200 training entries the census county model beats RCA alone by 0.08 AUC, and the
#: inner fits would multiply the cost of the 2,800 × 1,300 backtest).
SELECT_BELOW = 500
#: ε in ln(RCA + ε): an RCA of 0 (no activity) sits at ln 0.01 ≈ −4.6, below every
#: positive RCA that the census sample resolves (one worker in a 10,000-worker county
#: in an industry of national share 1 % has RCA 0.01).
RCA_FLOOR = 0.01
#: Inverse L2 penalty (scikit-learn's C), chosen among 0.1, 0.3, 1 and 3 on the
#: development provinces.
PENALTY_C = 3.0
#: Largest number of training cells; larger sets are subsampled (all entries kept) so that
#: a 2,800 × 1,300 matrix fits in seconds. The subsample is drawn with :data:`SEED`.
MAX_TRAIN_CELLS = 100_000
SEED = 20240501
#: Training entries needed per parameter before the industry terms enter the model. Ten
#: "events per variable" is the classic rule of logistic regression (Peduzzi et al. 1996,
#: *J. Clin. Epidemiol.* 49:1373); five suffices in most settings (Vittinghoff & McCulloch
#: 2007, *Am. J. Epidemiol.* 165:710), more so under an L2 penalty. Per-industry slopes need
#: 5 × (shared + industries × (1 + slopes)) entries, per-industry intercepts 5 × (shared +
#: industries); with fewer (the 110 industries and ≈ 70 training entries of the
#: listed-company backtest) the model keeps the shared coefficients only.
EVENTS_PER_PARAMETER = 5
#: The ten provinces (GB/T 2260 two-digit codes) kept out of the choice of features and C
#: (drawn with ``numpy.random.default_rng(17)`` from the 31): 天津 河北 内蒙古 吉林 浙江
#: 安徽 河南 湖北 广西 重庆.
HELD_OUT_PROVINCES = ("12", "13", "15", "22", "33", "34", "41", "42", "45", "50")


def feature_names(groups: pd.DataFrame | None = None) -> tuple[str, ...]:
    """The model's numeric features for region ``groups`` with these columns (levels)."""
    levels = [] if groups is None else [str(c) for c in groups.columns]
    extra = [f"{g}_{kind}" for g in levels for kind in ("share", "log_rca")]
    return (*BASE_FEATURES, *extra)


def cell_features(
    values: pd.DataFrame,
    *,
    threshold: float = 1.0,
    proximity_table: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Model features of every region × industry cell (long, index ``region, industry``).

    ``groups`` (index: the regions of ``values``; columns: levels from the finest to the
    coarsest, e.g. ``prefecture, province``; values: group keys) adds the neighbourhood
    features. Also carries ``present`` (M_cp at this date), so candidates are
    ``present == 0``.
    """
    table = rca(values)
    m = presence(table, threshold=threshold)
    phi = proximity(m) if proximity_table is None else proximity_table
    n_r, n_p = table.shape
    x = values.to_numpy(dtype=float)
    log_rca = np.log(table.to_numpy() + RCA_FLOOR)
    expected = np.log(np.outer(x.sum(axis=1), x.sum(axis=0)) / x.sum())
    cols = {
        "present": m.to_numpy().ravel(),
        "log_rca": log_rca.ravel(),
        "density": density(m, phi).to_numpy().ravel(),
        "density_continuous": _weighted_share(continuous_presence(table), phi).ravel(),
        "log_ubiquity": np.tile(np.log1p(ubiquity(m).to_numpy(dtype=float)), n_r),
        "diversity": np.repeat(diversity(m).to_numpy(dtype=float), n_p),
        "log_size": np.repeat(np.log(x.sum(axis=1)), n_p),
        "log_count": np.log1p(x).ravel(),
        "log_expected": expected.ravel(),
        "rca_sq": (log_rca**2).ravel(),
        "rca_x_expected": (log_rca * expected).ravel(),
    }
    if groups is not None:
        cols |= _group_features(values, m.to_numpy(dtype=float), groups)
    index = pd.MultiIndex.from_product([table.index, table.columns], names=["region", "industry"])
    return pd.DataFrame(cols, index=index)


def _group_features(
    values: pd.DataFrame, m: np.ndarray, groups: pd.DataFrame
) -> dict[str, np.ndarray]:
    """``{level}_share`` (leave-one-out presence among the group's other regions, falling
    back to the next coarser level, then the nation) and ``{level}_log_rca``."""
    missing = values.index.difference(groups.index)
    if len(missing):
        raise InputError(
            f"no group for region(s) {', '.join(map(str, missing[:5]))}",
            hint="groups must cover every region of the matrix",
        )
    keys = groups.reindex(values.index)
    n = m.shape[0]
    # the coarsest fallback: the share of all other regions
    fallback = (m.sum(axis=0, keepdims=True) - m) / max(n - 1, 1)
    shares: dict[str, np.ndarray] = {}
    out: dict[str, np.ndarray] = {}
    for level in reversed([str(c) for c in keys.columns]):
        codes, _ = pd.factorize(keys[level].astype(str), sort=True)
        size = np.bincount(codes)
        totals = np.zeros((size.size, m.shape[1]))
        np.add.at(totals, codes, m)
        others = (size[codes] - 1)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (totals[codes] - m) / others
        fallback = np.where(others > 0, share, fallback)
        shares[level] = fallback
        summed = np.zeros((size.size, m.shape[1]))
        np.add.at(summed, codes, values.to_numpy(dtype=float))
        level_rca = rca(pd.DataFrame(summed)).to_numpy()
        out[f"{level}_log_rca"] = np.log(level_rca[codes] + RCA_FLOOR).ravel()
    for level in [str(c) for c in keys.columns]:
        out[f"{level}_share"] = shares[level].ravel()
    return {k: out[k] for k in feature_names(groups)[len(BASE_FEATURES) :]}


@dataclass(frozen=True)
class FeasibilityModel:
    """A fitted feasibility model: coefficients on standardised features, per industry."""

    industries: pd.Index
    features: tuple[str, ...]
    slopes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    n_train: int
    n_entries: int
    spec: dict[str, object] = field(default_factory=dict)

    def predict(self, features: pd.DataFrame) -> pd.Series:
        """Entry probability of each row of ``features`` (industries unseen get no terms)."""
        z = self.log_odds(features)
        return pd.Series(1.0 / (1.0 + np.exp(-z)), index=features.index, name="feasibility")

    def log_odds(self, features: pd.DataFrame) -> np.ndarray:
        """β·x of each row of ``features`` (the linear predictor)."""
        design = _design(features, self)
        out: np.ndarray = design @ self.coef + self.intercept
        return out

    def coefficients(self) -> pd.Series:
        """The shared coefficients (log-odds per standard deviation of each feature)."""
        return pd.Series(self.coef[: len(self.features)], index=list(self.features))

    def industry_terms(self) -> pd.DataFrame:
        """Per industry: its intercept and the slopes it adds to the shared ones (log-odds
        per standard deviation), one row per industry."""
        k = len(self.industries)
        start = len(self.features)
        table = {"intercept": self.coef[start : start + k]}
        for i, name in enumerate(self.slopes):
            lo = start + (i + 1) * k
            table[name] = self.coef[lo : lo + k]
        return pd.DataFrame(table, index=self.industries)


def fit_feasibility(
    features: pd.DataFrame,
    entered: pd.Series | np.ndarray,
    *,
    max_cells: int = MAX_TRAIN_CELLS,
    spec: Spec = "full",
) -> FeasibilityModel:
    """Fit the model on candidate cells (``features`` rows, the columns of
    :func:`cell_features`) and their 0/1 entry outcome; ``spec`` narrows it to one of the
    nested specifications of :data:`SPECS`."""
    if spec not in SPECS:
        raise InputError(f"unknown model specification {spec!r}", hint=f"one of {', '.join(SPECS)}")
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(entered, dtype=bool)
    if y.size != len(features):
        raise InputError(f"{len(features)} feature rows but {y.size} outcomes")
    if y.all() or not y.any():
        raise InputError(
            "the training cells have no entries (or only entries)",
            hint="use a longer period or a lower RCA threshold",
        )
    names = tuple(str(c) for c in features.columns if c != "present")
    if spec != "full":
        names = SPEC_FEATURES[spec]
    elif y.sum() < EVENTS_PER_PARAMETER * len(names):
        # too few entries for every shared feature: the classic entry regression
        names = tuple(n for n in MINIMAL_FEATURES if n in names)
    grouped = tuple(n for n in names if n not in BASE_FEATURES)
    # sampling shifts the log-odds by a constant (King & Zeng 2001, *Political Analysis*
    # 9:137); the intercept is corrected back
    keep, shift = _subsample(y, max_cells)
    part, y = features.iloc[keep], y[keep]
    x = part[list(names)].to_numpy(dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    industries = pd.Index(part.index.get_level_values("industry").unique())
    slopes: tuple[str, ...] = (*SLOPE_FEATURES, *grouped)
    # industry terms only with enough entries per parameter (EVENTS_PER_PARAMETER)
    k = len(industries)
    if spec != "full":
        slopes = ()
        industries = pd.Index([], dtype=industries.dtype)
    elif y.sum() < EVENTS_PER_PARAMETER * (len(names) + k * (1 + len(slopes))):
        slopes = ()
        if y.sum() < EVENTS_PER_PARAMETER * (len(names) + k):
            industries = pd.Index([], dtype=industries.dtype)
    model = FeasibilityModel(
        industries, names, slopes, mean, scale, np.zeros(0), 0.0, int(y.size), int(y.sum())
    )
    fit = LogisticRegression(C=PENALTY_C, solver="newton-cg", max_iter=1000).fit(
        _design(part, model), y
    )
    return FeasibilityModel(
        industries=industries,
        features=names,
        slopes=slopes,
        mean=mean,
        scale=scale,
        coef=fit.coef_[0],
        intercept=float(fit.intercept_[0] + shift),
        n_train=int(y.size),
        n_entries=int(y.sum()),
        spec={
            "specification": spec,
            "C": PENALTY_C,
            "features": list(names),
            "slopes": list(slopes),
            "rca_floor": RCA_FLOOR,
        },
    )


def region_blocks(regions: pd.Index) -> pd.Series:
    """Block of each region for out-of-sample fitting: its province for 6-digit adcodes.

    >>> region_blocks(pd.Index(["340123", "340124", "110101", "X"])).tolist()
    ['34', '34', '11', 'X']
    """
    codes = pd.Series(regions.astype(str), index=regions)
    adcode = codes.str.fullmatch(r"\d{6}")
    return codes.where(~adcode, codes.str[:2]).rename("block")


def select_and_fit(
    features: pd.DataFrame,
    entered: pd.Series | np.ndarray,
    blocks: np.ndarray,
    *,
    n_folds: int = 5,
    max_cells: int = MAX_TRAIN_CELLS,
) -> tuple[FeasibilityModel, dict[Spec, float]]:
    """The model of the specification (:data:`SPECS`) that ranks best on the training
    cells' own held-out blocks, refitted on all of them.

    With fewer than :data:`SELECT_BELOW` training entries, each specification is
    cross-fitted over the training ``blocks`` (inner ``GroupKFold``) and judged by its
    within-fold AUC (:func:`~nqpf.industry.backtest.fold_auc`); the best wins, ties going
    to the simpler. The near-miss specification is a monotone transform of RCA, so the
    choice falls back on the RCA-only baseline when the data cannot show more. Only the
    cells passed in are used: called on an outer fold's training blocks, the choice never
    sees its test blocks. Returns the model and the inner AUC of each specification
    (empty when the full model is used without a choice).
    """
    from sklearn.model_selection import GroupKFold

    from nqpf.industry.backtest import fold_auc

    y = np.asarray(entered, dtype=bool)
    n_blocks = len(pd.unique(blocks))
    if y.sum() >= SELECT_BELOW or n_blocks < 2:
        return fit_feasibility(features, y, max_cells=max_cells), {}
    splitter = GroupKFold(n_splits=min(n_folds, n_blocks))
    splits = [
        (train, test)
        for train, test in splitter.split(np.zeros(y.size), y, blocks)
        if 0 < y[train].sum() < train.size
    ]
    scores: dict[Spec, float] = {}
    for spec in SPECS:
        z = np.full(y.size, np.nan)
        fold = np.full(y.size, -1)
        for i, (train, test) in enumerate(splits):
            model = fit_feasibility(features.iloc[train], y[train], max_cells=max_cells, spec=spec)
            z[test] = model.log_odds(features.iloc[test])
            fold[test] = i
        scored = fold >= 0
        scores[spec] = fold_auc(y[scored], z[scored], fold[scored])
    valid = {k: v for k, v in scores.items() if not np.isnan(v)}
    best: Spec = max(valid, key=lambda k: valid[k]) if valid else "full"
    return fit_feasibility(features, y, max_cells=max_cells, spec=best), scores


def out_of_sample(
    features: pd.DataFrame,
    entered: pd.Series | np.ndarray,
    *,
    n_folds: int = 5,
    blocks: pd.Series | None = None,
    max_cells: int = MAX_TRAIN_CELLS,
) -> tuple[pd.Series, pd.DataFrame]:
    """Cross-fitted entry probabilities: each block of regions scored by a model fitted
    (and, with few entries, chosen by :func:`select_and_fit`) on the other blocks only
    (blocks assigned to folds with scikit-learn ``GroupKFold``).

    Returns the probabilities (aligned with ``features``) and one row per fold with the
    training and test blocks, the specification used and the inner AUC of each
    specification when one was chosen.
    """
    from sklearn.model_selection import GroupKFold

    regions = features.index.get_level_values("region")
    if blocks is None:
        blocks = region_blocks(pd.Index(regions.unique()))
    group = blocks.reindex(regions).to_numpy()
    n_groups = len(pd.unique(group))
    if n_groups < 2:
        raise InputError("out-of-sample fitting needs regions in at least two blocks")
    y = np.asarray(entered, dtype=bool)
    prob = np.full(y.size, np.nan)
    folds = []
    splitter = GroupKFold(n_splits=min(n_folds, n_groups))
    for i, (train, test) in enumerate(splitter.split(np.zeros(y.size), y, group)):
        model, inner = select_and_fit(
            features.iloc[train], y[train], group[train], n_folds=n_folds, max_cells=max_cells
        )
        prob[test] = model.predict(features.iloc[test]).to_numpy()
        folds.append(
            {
                "fold": i + 1,
                "train_blocks": sorted(set(group[train].tolist())),
                "test_blocks": sorted(set(group[test].tolist())),
                "train_cells": int(train.size),
                "test_cells": int(test.size),
                "specification": model.spec["specification"],
                "inner_auc": "; ".join(f"{k} {v:.3f}" for k, v in inner.items()),
            }
        )
    return pd.Series(prob, index=features.index, name="feasibility"), pd.DataFrame(folds)


def _weighted_share(presence_values: pd.DataFrame, proximity_table: pd.DataFrame) -> np.ndarray:
    """ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp' for a continuous M (``relatedness.density``
    takes binary presence only)."""
    cols = presence_values.columns
    phi = proximity_table.loc[cols, cols].to_numpy(dtype=float)
    weights = phi / phi.sum(axis=1, keepdims=True)
    out: np.ndarray = presence_values.to_numpy(dtype=float) @ weights.T
    return out


def _design(features: pd.DataFrame, model: FeasibilityModel) -> object:
    """Sparse design: standardised numeric features, then per-industry intercepts and
    per-industry slopes on ``model.slopes`` (zero for industries the model has not seen)."""
    from scipy import sparse

    missing = [f for f in model.features if f not in features.columns]
    if missing:
        raise InputError(
            f"the model needs feature(s) {', '.join(missing)}",
            hint="compute the features with the same region groups as the fit",
        )
    x = (features[list(model.features)].to_numpy(dtype=float) - model.mean) / model.scale
    n, k = len(features), len(model.industries)
    col = model.industries.get_indexer(features.index.get_level_values("industry"))
    known = col >= 0
    rows = np.flatnonzero(known)
    c = col[known]
    blocks = [sparse.csr_matrix(x)]
    slope_values = [x[:, model.features.index(s)] for s in model.slopes]
    for values in (np.ones(n), *slope_values):
        blocks.append(sparse.csr_matrix((values[known], (rows, c)), shape=(n, k)))
    return sparse.hstack(blocks, format="csr")


def _subsample(y: np.ndarray, max_cells: int) -> tuple[np.ndarray, float]:
    """Rows to fit on and the log-odds shift ln(r₀/r₁) that sampling rates r₁ (entries) and
    r₀ (non-entries) add to the intercept. Entries are all kept unless they alone would
    fill more than half of ``max_cells``."""
    if y.size <= max_cells:
        return np.arange(y.size), 0.0
    rng = np.random.default_rng(SEED)
    pos = np.flatnonzero(y)
    neg = np.flatnonzero(~y)
    n_pos = min(pos.size, max(max_cells // 2, max_cells - neg.size))
    n_neg = min(neg.size, max_cells - n_pos)
    chosen = np.r_[
        rng.choice(pos, size=n_pos, replace=False), rng.choice(neg, size=n_neg, replace=False)
    ]
    shift = float(np.log((n_neg / neg.size) / (n_pos / pos.size)))
    return np.sort(chosen), shift
