"""Feasibility model (可行性模型): the probability that a region enters an industry.

A logistic regression, fitted on the observed entries of a past period, of

    P(M_cp(t1) = 1 | M_cp(t0) = 0) = Λ(β·x_cp),

with, for every candidate cell (region c without an advantage in industry p at t0),

* ``log_rca`` — ln(RCA_cp + ε), ε = :data:`RCA_FLOOR`: how near the region already is
  ("near-misses"; Hidalgo et al. 2007, *Science* 317:482, condition entries on RCA_t0);
* ``density`` — relatedness density ω_cp from binary presence (Hidalgo et al. 2007;
  Neffke, Henning & Boschma 2011, *Economic Geography* 87:237, on regional entry);
* ``density_continuous`` — ω_cp computed with continuous presence RCA/(1 + RCA), which
  also credits related industries just below the threshold;
* ``log_ubiquity`` — ln(1 + k_p,0): common industries are entered more (Balland et al. 2019,
  *Regional Studies* 53:1252, weigh relatedness against complexity, whose inverse is
  ubiquity);
* ``diversity`` — k_c,0, and ``log_size`` — ln Σ_p X_cp: large diverse regions enter more;
* an intercept per industry and per-industry slopes on ``log_rca`` and ``density``
  (industries differ in how often they appear and in how far a near-miss carries).

Numeric features are standardised with the training cells' mean and standard deviation;
Larger training sets are subsampled (entries kept, up to half the cap; non-entries
sampled; intercept corrected). L2-penalised maximum likelihood (scikit-learn ``LogisticRegression``, Newton-CG, C =
:data:`PENALTY_C`). :func:`out_of_sample` fits on blocks of regions and predicts the held-out
block (by province where codes are GB/T 2260 adcodes), so no region's outcome is used to
score it; features use only t0 data, which every region has at t0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.industry.advantage import continuous_presence, diversity, presence, rca, ubiquity
from nqpf.industry.relatedness import density, proximity

__all__ = [
    "NUMERIC_FEATURES",
    "FeasibilityModel",
    "cell_features",
    "fit_feasibility",
    "out_of_sample",
    "region_blocks",
]

NUMERIC_FEATURES = (
    "log_rca",
    "density",
    "density_continuous",
    "log_ubiquity",
    "diversity",
    "log_size",
)
#: ε in ln(RCA + ε): an RCA of 0 (no activity) sits at ln 0.01 ≈ −4.6, below every
#: positive RCA that the census sample resolves (one worker in a 10,000-worker county
#: in an industry of national share 1 % has RCA 0.01).
RCA_FLOOR = 0.01
#: Inverse L2 penalty (scikit-learn's C); 1 is the library default and shrinks the
#: per-industry terms of rare industries toward zero.
PENALTY_C = 1.0
#: Largest number of training cells; larger sets are subsampled (all entries kept) so that
#: a 2,800 × 1,300 matrix fits in seconds. The subsample is drawn with :data:`SEED`.
MAX_TRAIN_CELLS = 250_000
SEED = 20240501


def cell_features(
    values: pd.DataFrame,
    *,
    threshold: float = 1.0,
    proximity_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Model features of every region × industry cell (long, index ``region, industry``).

    Also carries ``present`` (M_cp at this date), so candidates are ``present == 0``.
    """
    table = rca(values)
    m = presence(table, threshold=threshold)
    phi = proximity(m) if proximity_table is None else proximity_table
    n_r, n_p = table.shape
    cols = {
        "present": m.to_numpy().ravel(),
        "log_rca": np.log(table.to_numpy().ravel() + RCA_FLOOR),
        "density": density(m, phi).to_numpy().ravel(),
        "density_continuous": _weighted_share(continuous_presence(table), phi).ravel(),
        "log_ubiquity": np.tile(np.log1p(ubiquity(m).to_numpy(dtype=float)), n_r),
        "diversity": np.repeat(diversity(m).to_numpy(dtype=float), n_p),
        "log_size": np.repeat(np.log(values.sum(axis=1).to_numpy(dtype=float)), n_p),
    }
    index = pd.MultiIndex.from_product([table.index, table.columns], names=["region", "industry"])
    return pd.DataFrame(cols, index=index)


@dataclass(frozen=True)
class FeasibilityModel:
    """A fitted feasibility model: coefficients on standardised features, per industry."""

    industries: pd.Index
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    n_train: int
    n_entries: int
    spec: dict[str, object] = field(default_factory=dict)

    def predict(self, features: pd.DataFrame) -> pd.Series:
        """Entry probability of each row of ``features`` (industries unseen get no terms)."""
        design = _design(features, self.industries, self.mean, self.scale)
        z = design @ self.coef + self.intercept
        return pd.Series(1.0 / (1.0 + np.exp(-z)), index=features.index, name="feasibility")

    def coefficients(self) -> pd.Series:
        """The shared coefficients (per standard deviation of each numeric feature)."""
        return pd.Series(self.coef[: len(NUMERIC_FEATURES)], index=list(NUMERIC_FEATURES))


def fit_feasibility(
    features: pd.DataFrame, entered: pd.Series, *, max_cells: int = MAX_TRAIN_CELLS
) -> FeasibilityModel:
    """Fit the model on candidate cells (``features`` rows) and their 0/1 entry outcome."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(entered, dtype=bool)
    if y.size != len(features):
        raise InputError(f"{len(features)} feature rows but {y.size} outcomes")
    if y.all() or not y.any():
        raise InputError(
            "the training cells have no entries (or only entries)",
            hint="use a longer period or a lower RCA threshold",
        )
    # sampling shifts the log-odds by a constant (King & Zeng 2001, *Political Analysis*
    # 9:137); the intercept is corrected back
    keep, shift = _subsample(y, max_cells)
    part, y = features.iloc[keep], y[keep]
    x = part[list(NUMERIC_FEATURES)].to_numpy(dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    industries = pd.Index(part.index.get_level_values("industry").unique())
    design = _design(part, industries, mean, scale)
    fit = LogisticRegression(C=PENALTY_C, solver="newton-cg", max_iter=500).fit(design, y)
    return FeasibilityModel(
        industries=industries,
        mean=mean,
        scale=scale,
        coef=fit.coef_[0],
        intercept=float(fit.intercept_[0] + shift),
        n_train=int(y.size),
        n_entries=int(y.sum()),
        spec={"C": PENALTY_C, "features": list(NUMERIC_FEATURES), "rca_floor": RCA_FLOOR},
    )


def region_blocks(regions: pd.Index) -> pd.Series:
    """Block of each region for out-of-sample fitting: its province for 6-digit adcodes.

    >>> region_blocks(pd.Index(["340123", "340124", "110101", "X"])).tolist()
    ['34', '34', '11', 'X']
    """
    codes = pd.Series(regions.astype(str), index=regions)
    adcode = codes.str.fullmatch(r"\d{6}")
    return codes.where(~adcode, codes.str[:2]).rename("block")


def out_of_sample(
    features: pd.DataFrame,
    entered: pd.Series,
    *,
    n_folds: int = 5,
    blocks: pd.Series | None = None,
    max_cells: int = MAX_TRAIN_CELLS,
) -> tuple[pd.Series, pd.DataFrame]:
    """Cross-fitted entry probabilities: each block of regions scored by a model fitted
    on the other blocks only (blocks assigned to folds with scikit-learn ``GroupKFold``).

    Returns the probabilities (aligned with ``features``) and one row per fold with the
    training and test blocks.
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
        model = fit_feasibility(features.iloc[train], y[train], max_cells=max_cells)
        prob[test] = model.predict(features.iloc[test]).to_numpy()
        folds.append(
            {
                "fold": i + 1,
                "train_blocks": sorted(set(group[train].tolist())),
                "test_blocks": sorted(set(group[test].tolist())),
                "train_cells": int(train.size),
                "test_cells": int(test.size),
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


def _design(
    features: pd.DataFrame, industries: pd.Index, mean: np.ndarray, scale: np.ndarray
) -> object:
    """Sparse design: standardised numeric features, then per-industry intercepts and
    slopes on ``log_rca`` and ``density`` (zero for industries not in ``industries``)."""
    from scipy import sparse

    x = (features[list(NUMERIC_FEATURES)].to_numpy(dtype=float) - mean) / scale
    n, k = len(features), len(industries)
    col = industries.get_indexer(features.index.get_level_values("industry"))
    known = col >= 0
    rows = np.flatnonzero(known)
    c = col[known]
    blocks = [sparse.csr_matrix(x)]
    for values in (np.ones(n), x[:, 0], x[:, 1]):
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
