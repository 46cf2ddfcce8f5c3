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
* with the table of an ``earlier`` period (t0 − Δ, the same gap as t0 → t1), the momentum of
  the cell: ``rca_trend`` — ln(RCA_cp(t0) + ε) − ln(RCA_cp(t0 − Δ) + ε), how fast the region
  was already approaching the threshold (Hausmann, Stock & Yıldırım 2022, *Research Policy*
  51:104143, forecast RCA from its own past values besides relatedness), and
  ``industry_growth`` — ln(1 + X_·p(t0)) − ln(1 + X_·p(t0 − Δ)), the industry's national
  growth up to t0 (industries in a wave of growth are entered everywhere);
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
  :data:`MINIMAL_FEATURES` (and the momentum features where there is an earlier period).

Numeric features are standardised with the training cells' mean and standard deviation;
larger training sets are subsampled (entries kept, up to half the cap; non-entries
sampled; intercept corrected). Penalised maximum likelihood pulls the coefficients towards
a prior, the near-miss model fitted on the same cells (:func:`near_miss_fit`), by λ/2 ·
||β − β_prior||² (:func:`penalised_logit`; λ = :data:`PENALTY` for the full model, chosen
among :data:`CHOICES` by inner cross-validation — pooled AUC + AP — when the entries are
few). The choice
includes the RCA baseline itself (``near_miss``: odds ∝ RCA + ε, :data:`BASELINE_SLOPE`),
and with fewer than :data:`FIT_EVENTS_PER_PARAMETER` training entries per slope nothing
else is fitted, so where the data cannot show more the model ranks exactly as RCA_t0.
:func:`out_of_sample` fits on blocks of regions and predicts the held-out
block (by province where codes are GB/T 2260 adcodes), so no region's outcome is used to
score it, and puts the folds on a common level (:func:`common_level`).

The feature list and λ were chosen on 21 development provinces (5-fold province-block
cross-validation inside them) and then evaluated once on 10 provinces held out from that
choice (:data:`HELD_OUT_PROVINCES`); the momentum features and the inner criterion were
chosen later on all provinces of the listed-company backtest (three windows), and checked
on the held-out provinces afterwards; see docs/opportunities.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.industry.advantage import continuous_presence, diversity, presence, rca, ubiquity
from nqpf.industry.relatedness import density, proximity

__all__ = [
    "BASE_FEATURES",
    "HELD_OUT_PROVINCES",
    "MOMENTUM_FEATURES",
    "SPECS",
    "FeasibilityModel",
    "Spec",
    "cell_features",
    "feature_names",
    "fit_feasibility",
    "momentum_features",
    "near_miss_fit",
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
#: Features of an earlier period's table (``earlier`` of :func:`cell_features`); where the
#: features have them, the ``minimal`` specification adds them to :data:`MINIMAL_FEATURES`.
MOMENTUM_FEATURES = ("rca_trend", "industry_growth")
#: The nested specifications, simplest first: ``near_miss`` (ln RCA alone, a monotone
#: transform of the RCA-only baseline), ``minimal`` (:data:`MINIMAL_FEATURES` and, with an
#: earlier period, :data:`MOMENTUM_FEATURES`; no industry terms) and ``full`` (every
#: feature, industry terms by :data:`EVENTS_PER_PARAMETER`).
Spec = Literal["near_miss", "minimal", "full"]
SPECS: tuple[Spec, ...] = ("near_miss", "minimal", "full")
#: Training entries below which :func:`select_and_fit` chooses the specification by inner
#: cross-validation on the training blocks (above it the full model is used: with
#: ≈ 1,200 training entries the census county model beats RCA alone by 0.08 AUC, and the
#: inner fits would multiply the cost of the 2,800 × 1,300 backtest).
SELECT_BELOW = 500
#: The Newton-CG solver stops when no gradient component of the penalised log-likelihood
#: exceeds SOLVER_GTOL per training cell (scikit-learn's Newton-CG stops at 1e-4 per cell).
SOLVER_GTOL = 1e-7
#: Decimals the cross-fitted log-odds are rounded to (:func:`common_level`).
LEVEL_DECIMALS = 9
#: ε in ln(RCA + ε): an RCA of 0 (no activity) sits at ln 0.01 ≈ −4.6, below every
#: positive RCA that the census sample resolves (one worker in a 10,000-worker county
#: in an industry of national share 1 % has RCA 0.01).
RCA_FLOOR = 0.01
#: The prior the coefficients are shrunk towards is the RCA-only fit of the training cells:
#: log-odds of entry = a + b · ln(RCA + ε), a and b by maximum likelihood
#: (:func:`near_miss_fit`), so every fitted model is pulled towards the baseline it must beat
#: rather than towards a slope fixed in advance (before 2026-12-02 noon: b = 1). The slope
#: is floored at MIN_PRIOR_SLOPE so that the prior stays increasing in RCA and ranks exactly
#: as RCA_t0 even where the training entries show no pull of the threshold. Every other
#: coefficient, and every industry term, is shrunk towards 0.
MIN_PRIOR_SLOPE = 0.1
#: The slope of the ``near_miss`` specification, the model a fold falls back on when it
#: cannot show more than RCA: entry odds ∝ RCA + ε. Fixed, not fitted, so that every fold
#: that falls back gives the same log-odds up to the common level, and the pooled
#: ranking over folds is exactly RCA's (per-fold fitted slopes would rank one fold's
#: near-misses against another's with different slopes: census provinces 0.712 against
#: RCA's 0.764).
BASELINE_SLOPE = 1.0
#: Training entries per fitted parameter below which no model departs from the baseline: the
#: smallest departure (``minimal``, three slopes, five with the momentum features) needs
#: FIT_EVENTS_PER_PARAMETER × 3 (× 5) entries,
#: the classic ten events per variable of logistic regression (Peduzzi et al. 1996, *J.
#: Clin. Epidemiol.* 49:1373). With fewer (the census provinces: ≈ 17 training entries per
#: fold) the model is the ``near_miss`` baseline, which ranks exactly as RCA_t0.
FIT_EVENTS_PER_PARAMETER = 10
#: L2 penalty λ/2 · ||β − β_prior||² of the full model with ≥ :data:`SELECT_BELOW` training
#: entries (λ = 1/C of scikit-learn: C = 3 was chosen among 0.1, 0.3, 1 and 3 on the
#: development provinces).
PENALTY = 1.0 / 3.0
#: The (specification, λ) pairs :func:`select_and_fit` chooses among, in order of
#: preference on a tie: the RCA baseline (``near_miss``, :data:`BASELINE_SLOPE`), then the
#: minimal and the full model from the strongest pull towards the prior to the weakest.
CHOICES: tuple[tuple[Spec, float], ...] = (
    ("near_miss", np.inf),
    ("minimal", 30.0),
    ("minimal", 3.0),
    ("minimal", PENALTY),
    ("full", 30.0),
    ("full", 3.0),
    ("full", PENALTY),
)
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


def feature_names(groups: pd.DataFrame | None = None, *, momentum: bool = False) -> tuple[str, ...]:
    """The model's numeric features for region ``groups`` with these columns (levels), and
    with an earlier period's table (``momentum``)."""
    levels = [] if groups is None else [str(c) for c in groups.columns]
    extra = [f"{g}_{kind}" for g in levels for kind in ("share", "log_rca")]
    return (*BASE_FEATURES, *extra, *(MOMENTUM_FEATURES if momentum else ()))


def cell_features(
    values: pd.DataFrame,
    *,
    threshold: float = 1.0,
    proximity_table: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    earlier: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Model features of every region × industry cell (long, index ``region, industry``).

    ``groups`` (index: the regions of ``values``; columns: levels from the finest to the
    coarsest, e.g. ``prefecture, province``; values: group keys) adds the neighbourhood
    features; ``earlier`` (the table of the same kind one period before ``values``) adds
    the momentum features :data:`MOMENTUM_FEATURES`. Also carries ``present`` (M_cp at
    this date), so candidates are ``present == 0``.
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
    if earlier is not None:
        cols |= momentum_features(values, earlier)
    index = pd.MultiIndex.from_product([table.index, table.columns], names=["region", "industry"])
    return pd.DataFrame(cols, index=index)


def momentum_features(values: pd.DataFrame, earlier: pd.DataFrame) -> dict[str, np.ndarray]:
    """``rca_trend`` = ln(RCA_cp(t0) + ε) − ln(RCA_cp(t0 − Δ) + ε) and ``industry_growth`` =
    ln(1 + X_·p(t0)) − ln(1 + X_·p(t0 − Δ)) of every cell of ``values`` (row-major), from
    ``earlier`` (t0 − Δ) on the same regions and industries: rows or columns it lacks count
    as zeros, and a region or industry with no activity then has RCA 0.

    >>> now = pd.DataFrame({"a": [2.0, 1.0], "b": [2.0, 3.0]}, index=["x", "y"])
    >>> before = pd.DataFrame({"a": [1.0, 1.0], "b": [3.0, 3.0]}, index=["x", "y"])
    >>> out = momentum_features(now, before)
    >>> np.round(out["industry_growth"], 4).tolist()
    [0.2877, -0.1542, 0.2877, -0.1542]
    """
    past = earlier.reindex(index=values.index, columns=values.columns, fill_value=0.0)
    x = past.to_numpy(dtype=float)
    if not np.isfinite(x).all() or (x < 0).any():
        raise InputError(
            "the earlier period's table has negative or non-finite values",
            hint="give counts or amounts ≥ 0 for every region and industry",
        )
    # RCA of the active part; a region or industry with no activity then has RCA 0
    active = past.loc[x.sum(axis=1) > 0, x.sum(axis=0) > 0]
    past_rca = rca(active).reindex(index=past.index, columns=past.columns, fill_value=0.0)
    now = values.to_numpy(dtype=float)
    trend = np.log(rca(values).to_numpy() + RCA_FLOOR) - np.log(past_rca.to_numpy() + RCA_FLOOR)
    growth = np.log1p(now.sum(axis=0)) - np.log1p(x.sum(axis=0))
    return {"rca_trend": trend.ravel(), "industry_growth": np.tile(growth, now.shape[0])}


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

    def relative_log_odds(self, features: pd.DataFrame) -> np.ndarray:
        """The log-odds less :meth:`constant` (what ranks cells and what the common level
        of the folds keeps): for the ``near_miss`` baseline BASELINE_SLOPE · ln(RCA + ε)
        from the raw feature, so that every fold falling back on it gives bit-identical
        values and the pooled ranking is exactly RCA's."""
        if self.spec.get("specification") == "near_miss":
            slope = float(self.spec["prior_slope"])  # type: ignore[arg-type]
            out: np.ndarray = slope * features["log_rca"].to_numpy(dtype=float)
            return out
        return self.log_odds(features) - self.intercept

    def constant(self) -> float:
        """log_odds − relative_log_odds (the same for every cell)."""
        if self.spec.get("specification") == "near_miss":
            return float(self.intercept - self.coef[0] * self.mean[0] / self.scale[0])
        return float(self.intercept)

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
    penalty: float = PENALTY,
) -> FeasibilityModel:
    """Fit the model on candidate cells (``features`` rows, the columns of
    :func:`cell_features`) and their 0/1 entry outcome; ``spec`` narrows it to one of the
    nested specifications of :data:`SPECS`, ``penalty`` is λ of the pull towards the prior
    (the RCA-only fit, :func:`near_miss_fit`; ``near_miss`` is the baseline with the fixed
    slope :data:`BASELINE_SLOPE`, whatever λ). With fewer than
    :data:`FIT_EVENTS_PER_PARAMETER` training entries per slope of ``minimal`` every
    specification is the ``near_miss`` baseline (:data:`BASELINE_SLOPE`)."""
    if spec not in SPECS:
        raise InputError(f"unknown model specification {spec!r}", hint=f"one of {', '.join(SPECS)}")
    if not penalty > 0:
        raise InputError(f"the penalty must be > 0, not {penalty!r}")
    y = np.asarray(entered, dtype=bool)
    if y.size != len(features):
        raise InputError(f"{len(features)} feature rows but {y.size} outcomes")
    if y.all() or not y.any():
        raise InputError(
            "the training cells have no entries (or only entries)",
            hint="use a longer period or a lower RCA threshold",
        )
    names = tuple(str(c) for c in features.columns if c != "present")
    minimal = (*MINIMAL_FEATURES, *(n for n in MOMENTUM_FEATURES if n in names))
    # ten entries per slope of the classic regression, and at least five per slope once the
    # momentum features join it (Vittinghoff & McCulloch 2007, under the pull of the prior)
    need = FIT_EVENTS_PER_PARAMETER * len(MINIMAL_FEATURES)
    if y.sum() < max(need, EVENTS_PER_PARAMETER * len(minimal)):
        spec = "near_miss"
    if spec == "near_miss":
        names = ("log_rca",)
    elif spec == "minimal" or y.sum() < EVENTS_PER_PARAMETER * len(names):
        # the classic entry regression (with momentum where there is an earlier period);
        # also the full model's shared part when the entries are too few for every feature
        names = minimal
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
    design = _design(part, model)
    # the prior on the standardised scale: the RCA-only fit's slope per unit of ln RCA
    slope = (
        BASELINE_SLOPE
        if spec == "near_miss"
        else near_miss_fit(part["log_rca"].to_numpy(dtype=float), y)[0]
    )
    prior = np.zeros(design.shape[1])  # type: ignore[attr-defined]
    prior[names.index("log_rca")] = slope * scale[names.index("log_rca")]
    lam = np.inf if spec == "near_miss" else float(penalty)
    coef, intercept = penalised_logit(design, y, prior, lam)
    return FeasibilityModel(
        industries=industries,
        features=names,
        slopes=slopes,
        mean=mean,
        scale=scale,
        coef=coef,
        intercept=intercept + shift,
        n_train=int(y.size),
        n_entries=int(y.sum()),
        spec={
            "specification": spec,
            "penalty": lam,
            "prior_slope": slope,
            "features": list(names),
            "slopes": list(slopes),
            "rca_floor": RCA_FLOOR,
        },
    )


def near_miss_fit(log_rca: np.ndarray, entered: np.ndarray) -> tuple[float, float]:
    """The RCA-only entry model: (b, a) of log-odds = a + b · ln(RCA + ε) by maximum
    likelihood, the slope floored at :data:`MIN_PRIOR_SLOPE` (the intercept then refitted),
    so that the model ranks exactly as RCA."""
    x = np.asarray(log_rca, dtype=float).reshape(-1, 1)
    coef, intercept = penalised_logit(x, np.asarray(entered, dtype=bool), np.zeros(1), 1e-9)
    if coef[0] >= MIN_PRIOR_SLOPE:
        return float(coef[0]), intercept
    _, intercept = penalised_logit(x, entered, np.array([MIN_PRIOR_SLOPE]), np.inf)
    return MIN_PRIOR_SLOPE, intercept


def penalised_logit(
    design: Any, y: np.ndarray, prior: np.ndarray, penalty: float
) -> tuple[np.ndarray, float]:
    """Logistic regression shrunk towards a prior: the (β, b) minimising

        Σ_i [ln(1 + e^{η_i}) − y_i η_i] + λ/2 · ||β − β₀||²,   η = Xβ + b,

    with the intercept b unpenalised (Le Cessie & van Houwelingen 1992, *Appl. Stat.*
    41:191, ridge logistic regression; towards β₀ ≠ 0 as in a Gaussian prior centred on
    β₀). With β₀ = 0 it is scikit-learn's ``LogisticRegression(C=1/λ)``; λ = ∞ keeps
    β = β₀ and fits b alone. Solved by Newton-CG (``scipy.optimize.minimize``) with the
    exact gradient and Hessian-vector products; ``design`` may be a SciPy sparse matrix.
    """
    from scipy.optimize import minimize

    t = np.asarray(y, dtype=float)
    n_coef = prior.size
    if np.isinf(penalty):
        offset = design @ prior

        def loss1(b: np.ndarray) -> tuple[float, np.ndarray]:
            eta = offset + b[0]
            p = _sigmoid(eta)
            return float(np.sum(np.logaddexp(0.0, eta) - t * eta)), np.array([np.sum(p - t)])

        def hess1(b: np.ndarray, v: np.ndarray) -> np.ndarray:
            p = _sigmoid(offset + b[0])
            return np.array([np.sum(p * (1 - p)) * v[0]])

        start = np.array([_logit(t.mean()) - float(np.mean(offset))])
        found = minimize(loss1, start, jac=True, hessp=hess1, method="Newton-CG", tol=1e-12)
        return prior.copy(), float(found.x[0])

    def split(w: np.ndarray) -> tuple[np.ndarray, float]:
        return w[:n_coef], float(w[n_coef])

    # the Hessian's weights p(1 − p) at the current point, reused by every CG step of a
    # Newton iteration (the loss at a point is always asked before its Hessian)
    weights: dict[str, np.ndarray] = {}

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        beta, b = split(w)
        eta = design @ beta + b
        p = _sigmoid(eta)
        weights["at"], weights["w"] = w.copy(), p * (1 - p)
        r = p - t
        d = beta - prior
        value = float(np.sum(np.logaddexp(0.0, eta) - t * eta) + 0.5 * penalty * d @ d)
        weights["grad"] = np.r_[design.T @ r + penalty * d, r.sum()]
        return value, weights["grad"]

    def hessp(w: np.ndarray, v: np.ndarray) -> np.ndarray:
        if not np.array_equal(weights["at"], w):
            loss(w)
        u = weights["w"] * (design @ v[:n_coef] + v[n_coef])
        out: np.ndarray = np.r_[design.T @ u + penalty * v[:n_coef], u.sum()]
        return out

    def converged(intermediate_result: Any) -> None:
        if not np.array_equal(weights["at"], intermediate_result.x):
            loss(intermediate_result.x)
        if np.abs(weights["grad"]).max() <= SOLVER_GTOL * t.size:
            raise StopIteration

    start = np.r_[prior, _logit(t.mean())]
    found = minimize(
        loss, start, jac=True, hessp=hessp, method="Newton-CG", tol=1e-12, callback=converged
    )
    return split(found.x)


def _sigmoid(eta: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.exp(-np.logaddexp(0.0, -eta))
    return out


def _logit(rate: float) -> float:
    return float(np.log(rate / (1.0 - rate)))


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
) -> tuple[FeasibilityModel, dict[str, float]]:
    """The model of the (specification, λ) pair of :data:`CHOICES` that ranks best on the
    training cells' own held-out blocks, refitted on all of them.

    With fewer than :data:`SELECT_BELOW` training entries, each pair is cross-fitted over
    the training ``blocks`` (inner ``GroupKFold``), its fold log-odds put on a common level
    (:func:`common_level`) and judged by ROC AUC + average precision of the pooled inner
    predictions (the whole ranking and its top, which is what a reader acts on; AP alone,
    on ≈ 50 inner entries, let single entries decide and mixed specifications across the
    outer folds); the best wins, ties going
    to the earlier pair (the baseline, then the stronger pull towards the prior). The
    baseline ranks exactly as RCA, so the choice falls back on the RCA-only
    baseline when the data cannot show more. Only the cells passed in are used: called on
    an outer fold's training blocks, the choice never sees its test blocks. Returns the
    model and the inner AUC + AP of each pair (empty when the full model is used without
    a choice).
    """
    from sklearn.model_selection import GroupKFold

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
    scores: dict[str, float] = {}
    for spec, penalty in CHOICES:
        z = np.full(y.size, np.nan)
        parts = []
        for train, test in splits:
            model = fit_feasibility(
                features.iloc[train], y[train], max_cells=max_cells, spec=spec, penalty=penalty
            )
            parts.append((test, model.relative_log_odds(features)))
        levels = common_level([v for _, v in parts])
        for (test, _), level in zip(parts, levels, strict=True):
            z[test] = level[test]
        scored = ~np.isnan(z)
        name = _choice_name(spec, penalty)
        scores[name] = _pooled_auc_ap(y[scored], z[scored])
    names = [_choice_name(*c) for c in CHOICES]
    valid = {k: v for k, v in scores.items() if not np.isnan(v)}
    best = max(valid, key=lambda k: (valid[k], -names.index(k))) if valid else names[-1]
    spec, penalty = CHOICES[names.index(best)]
    return (
        fit_feasibility(features, y, max_cells=max_cells, spec=spec, penalty=penalty),
        scores,
    )


def common_level(
    log_odds: list[np.ndarray], means: list[float] | None = None, centre: float | None = None
) -> list[np.ndarray]:
    """Fold models' log-odds of the same cells, each shifted to the folds' common mean.

    Each fold's model has its own intercept, set by its training blocks' entry rate; a
    test block with many entries leaves fewer in its training blocks, so its own
    predictions come out lower, and pooling the folds ranks one fold's cells against
    another's calibration (Forman & Scholz 2010, *SIGKDD Explorations* 12(1):49; Airola
    et al. 2011, *Comput. Stat. Data Anal.* 55:1828, on the pessimistic bias of pooled
    cross-validated AUC). Here every fold model scores the same cells (all candidates:
    features at t0, no outcome) and is shifted so that its mean log-odds over them is the
    mean of all the folds' means: a constant per fold that uses no test outcome, leaves
    each fold's ranking unchanged and is the same for two folds with the same model.
    ``means`` gives each fold's mean over those cells when ``log_odds`` holds only part of
    them (each fold's test cells); ``centre`` replaces the mean of the means (e.g. the mean
    of full log-odds when ``log_odds`` are relative, :meth:`FeasibilityModel.relative_log_odds`).
    """
    level = np.array([float(np.mean(z)) for z in log_odds] if means is None else means, dtype=float)
    if centre is None:
        centre = float(level.mean())
    # rounded: two folds with the same model give the same log-odds to the last digit,
    # not ties broken by rounding noise that differs from fold to fold
    return [np.round(z - m + centre, LEVEL_DECIMALS) for z, m in zip(log_odds, level, strict=True)]


def _choice_name(spec: str, penalty: float) -> str:
    return spec if np.isinf(penalty) else f"{spec} λ={penalty:g}"


def _pooled_auc_ap(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC + AP of ``score`` (NaN without both classes)."""
    from nqpf.industry.backtest import auc_and_ap

    if not 0 < y.sum() < y.size:
        return float("nan")
    return sum(auc_and_ap(y, score))


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
    (blocks assigned to folds with scikit-learn ``GroupKFold``), the folds' log-odds put
    on a common level (:func:`common_level`).

    Returns the probabilities (aligned with ``features``) and one row per fold with the
    training and test blocks, the specification and λ used and the inner AUC + AP of
    each choice when one was made.
    """
    from sklearn.model_selection import GroupKFold

    regions = features.index.get_level_values("region")
    if blocks is None:
        blocks = region_blocks(pd.Index(regions.unique()))
    # blocks as integer codes in sorted order (GroupKFold's order for the same folds),
    # looked up once per region rather than hashed once per cell
    codes, names = pd.factorize(blocks, sort=True)
    group = _region_codes(features.index, pd.Series(codes, index=blocks.index))
    n_groups = len(np.unique(group))
    if n_groups < 2:
        raise InputError("out-of-sample fitting needs regions in at least two blocks")
    y = np.asarray(entered, dtype=bool)
    z = np.full(y.size, np.nan)
    folds = []
    parts = []
    means: list[float] = []
    constants: list[float] = []
    # the cells every fold model is averaged over (common_level): all of them, or a fixed
    # sample of max_cells (drawn with SEED, no outcome) in large backtests
    reference = np.arange(y.size)
    if y.size > max_cells:
        draw = np.random.default_rng(SEED).choice(y.size, size=max_cells, replace=False)
        reference = np.sort(draw)
    splitter = GroupKFold(n_splits=min(n_folds, n_groups))
    for i, (train, test) in enumerate(splitter.split(np.zeros(y.size), y, group)):
        model, inner = select_and_fit(
            features.iloc[train], y[train], group[train], n_folds=n_folds, max_cells=max_cells
        )
        parts.append((test, model.relative_log_odds(features.iloc[test])))
        means.append(float(np.mean(model.relative_log_odds(features.iloc[reference]))))
        constants.append(model.constant())
        folds.append(
            {
                "fold": i + 1,
                "train_blocks": [names[g] for g in np.unique(group[train])],
                "test_blocks": [names[g] for g in np.unique(group[test])],
                "train_cells": int(train.size),
                "test_cells": int(test.size),
                "specification": model.spec["specification"],
                "penalty": float(model.spec["penalty"]),  # type: ignore[arg-type]
                "inner_auc_ap": "; ".join(f"{k} {v:.3f}" for k, v in inner.items()),
            }
        )
    # the centre: the mean of the fold models' full mean log-odds (the live model's scale)
    centre = float(np.mean(np.add(means, constants)))
    levels = common_level([v for _, v in parts], means, centre)
    for (test, _), level in zip(parts, levels, strict=True):
        z[test] = level
    prob = _sigmoid(z)
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
    col = _industry_columns(features.index, model.industries)
    known = col >= 0
    rows = np.flatnonzero(known)
    c = col[known]
    blocks = [sparse.csr_matrix(x)]
    slope_values = [x[:, model.features.index(s)] for s in model.slopes]
    for values in (np.ones(n), *slope_values):
        blocks.append(sparse.csr_matrix((values[known], (rows, c)), shape=(n, k)))
    return sparse.hstack(blocks, format="csr")


def _region_codes(index: pd.Index, by_region: pd.Series) -> np.ndarray:
    """``by_region`` (region → integer block code) of each row of ``index``, looked up once
    per distinct region."""
    regions: pd.Index
    if isinstance(index, pd.MultiIndex):
        level = index.names.index("region")
        regions, codes = index.levels[level], np.asarray(index.codes[level], dtype=np.int64)
    else:
        found_codes, regions = pd.factorize(index.get_level_values("region"))
        codes = np.asarray(found_codes, dtype=np.int64)
    found = by_region.reindex(regions)
    used = np.unique(codes)
    if found.iloc[used].isna().any():
        missing = regions[used][found.iloc[used].isna().to_numpy()]
        raise InputError(
            f"no block for region(s) {', '.join(map(str, missing[:5]))}",
            hint="blocks must cover every region of the matrix",
        )
    out: np.ndarray = found.fillna(-1).to_numpy(dtype=np.int64)[codes]
    return out


def _industry_columns(index: pd.Index, industries: pd.Index) -> np.ndarray:
    """Position in ``industries`` of each row's industry (−1: not among them), matched once
    per distinct industry through the MultiIndex codes rather than once per row."""
    if isinstance(index, pd.MultiIndex):
        level = index.names.index("industry")
        codes = np.asarray(index.codes[level])
        found = industries.get_indexer(index.levels[level])
        out: np.ndarray = np.where(codes >= 0, found[codes], -1)
        return out
    return np.asarray(industries.get_indexer(index.get_level_values("industry")))


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
