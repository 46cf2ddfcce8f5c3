"""Statistical coherence audit of a composite index (统计一致性审计), after the JRC/COIN practice.

All statistics are computed on the **normalised** indicators (higher = better), pooled over every
region-year of the assessment (a panel of N units × T years gives N·T points), unless stated.

* **Correlations** of each indicator with its sub-pillar, pillar and the index, of each
  sub-pillar with its pillar and the index, of each pillar with the index; Pearson and Spearman.
  Flags: ``negative`` (r < 0), ``weak`` (0 ≤ r < 0.3), ``constant`` (no variance: no
  correlation, and no division by zero). Collinear pairs: two indicators with |Pearson r| > 0.92.
* **Cronbach's alpha** per pillar (Cronbach 1951), k indicators x_1..x_k::

      α = k/(k−1) · (1 − Σ_i s²(x_i) / s²(Σ_i x_i))          (sample variances, ddof 1)

  and a **PCA** of the pillar's indicators (correlation matrix, eigenvalues λ_1 ≥ … ≥ λ_k from the
  SVD of the standardised matrix): share of the first component λ_1/k and the number of
  eigenvalues > 1 (Kaiser). A coherent pillar has α ≥ 0.7 and one dominant component.
* **Effective importance**, the correlation ratio (first-order sensitivity index) of indicator i
  on the index y (Paruolo, Saisana & Saltelli 2013, *J. R. Stat. Soc. A* 176(3), 609–634)::

      S_i = V[E(y | x_i)] / V(y)

  E(y | x_i) is estimated with a smoother, as in the paper: a least-squares cubic B-spline with
  interior knots at quantiles of x_i (SciPy ``make_lsq_spline``); with few distinct values of x_i,
  the mean of y at each value (exact). For y = Σ w_j x_j with independent x_j,
  S_i = w_i² σ_i² / Σ_j w_j² σ_j² (tested). S_i / Σ_j S_j is compared with the nominal weight.
* **Rank shift** of each region-year between the index and the plain (equal-weight arithmetic)
  mean of its normalised indicators, both ranked within the year.
* **Rank volatility** per region: standard deviation of its yearly ranks, its largest rank change
  between consecutive years and the indicators whose contribution ``w_j · N_j`` changed most then
  (the index change splits exactly into these under linear aggregation).
* **Distribution** of each raw (imputed) indicator: skewness, kurtosis and whether the JRC rule
  (:mod:`nqpf.index.outliers`) flags it.
* **Small bases**: region-years where the denominator of a ratio indicator is below a share
  (default 5 %) of that year's median denominator, where one unit can take an extreme ratio;
  ``status`` says whether a framework floor removed the value (``floored``), the ratio has no
  value anyway (``no value``) or it enters the index (``kept``, reported in the findings).
* **Floored values**: the cells a framework's denominator floor (:mod:`nqpf.index.floors`)
  set missing before imputation, with the denominator and the floor.
* **Validation**: Spearman correlation, per year, of the index or a pillar with an independent
  published ranking (e.g. 中国区域创新能力评价报告 综合效用值).

References: OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, steps 4 and 10;
Saisana, Saltelli & Tarantola (2005) *J. R. Stat. Soc. A* 168, 307–323; Cronbach (1951)
*Psychometrika* 16, 297–334.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.index.floors import FLOORED_COLUMNS
from nqpf.index.framework import Framework
from nqpf.results import ResultMixin

if TYPE_CHECKING:
    from nqpf.index.assessment import Assessment

__all__ = [
    "COLLINEAR",
    "RELIABLE",
    "SMALL_BASE_SHARE",
    "WEAK",
    "AuditResult",
    "audit_assessment",
    "collinear_pairs",
    "correlation_ratio",
    "cronbach_alpha",
    "distribution",
    "effective_importance",
    "level_correlations",
    "pca_summary",
    "rank_shift",
    "rank_volatility",
    "reliability",
    "small_bases",
    "spearman",
    "validate_against",
]

#: A correlation below this (and ≥ 0) is flagged weak (JRC audits use 0.3).
WEAK = 0.3
#: |r| above this marks two indicators as collinear (JRC audits use 0.92).
COLLINEAR = 0.92
#: Columns of the validation table.
VALIDATION_COLUMNS = ("measure", "column", "year", "n", "spearman", "p_value", "top_overlap")
#: A denominator below this share of the year's median denominator is a small base.
SMALL_BASE_SHARE = 0.05
#: Cronbach's alpha below this marks a pillar as not internally consistent (Nunnally's 0.7).
RELIABLE = 0.7
#: Effective importance share over nominal weight outside this band is reported (a factor 3).
IMPORTANCE_BAND = (1 / 3, 3.0)
#: Largest number of interior knots of the spline smoother of E(y | x_i).
MAX_KNOTS = 8


# ---------------------------------------------------------------------- correlations
def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean of their positions), 1-based."""
    order = np.argsort(x)
    sorted_x = x[order]
    first = np.r_[True, sorted_x[1:] != sorted_x[:-1]]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    counts = np.diff(np.r_[starts, x.size])
    mean_rank = starts + (counts + 1) / 2.0
    out = np.empty(x.size)
    out[order] = mean_rank[group]
    return out


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's ρ (Pearson r of average ranks) and its two-sided p-value from
    t = ρ·√((n−2)/(1−ρ²)) on n − 2 degrees of freedom, as ``scipy.stats.spearmanr`` (tested
    equal); without importing ``scipy.stats``, whose import costs more than the audit."""
    from scipy.special import stdtr

    n = x.size
    rho = float(np.corrcoef(_ranks(x), _ranks(y))[0, 1])
    if n < 3 or np.isnan(rho):
        return rho, float("nan")
    if abs(rho) >= 1.0:
        return rho, 0.0
    t = rho * np.sqrt((n - 2) / (1.0 - rho * rho))
    return rho, float(2.0 * stdtr(n - 2, -abs(t)))


def _corr(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan")
    pearson = float(np.corrcoef(x, y)[0, 1])
    return pearson, spearman(x, y)[0]


def _flag(r: float) -> str:
    if np.isnan(r):
        return "constant"
    if r < 0:
        return "negative"
    if r < WEAK:
        return "weak"
    return ""


def level_correlations(
    norm: pd.DataFrame,
    subpillars: pd.DataFrame,
    pillars: pd.DataFrame,
    index: pd.Series,
    framework: Framework,
) -> pd.DataFrame:
    """Long table: item, item_level, against, against_level, pearson, spearman, flag (flag from
    the Pearson r; ``constant`` where either side has no variance)."""
    index = index.reindex(norm.index)
    subpillars = subpillars.reindex(norm.index)
    pillars = pillars.reindex(norm.index)
    rows: list[dict[str, Any]] = []
    ranks: dict[tuple[str, str], np.ndarray] = {}

    def ranked(level: str, name: str, values: np.ndarray) -> np.ndarray:
        if (level, name) not in ranks:
            ranks[(level, name)] = _ranks(values)
        return ranks[(level, name)]

    def add(item: str, level: str, x: pd.Series, against: str, a_level: str, y: pd.Series) -> None:
        xv, yv = x.to_numpy(float), y.to_numpy(float)
        complete = not (np.isnan(xv).any() or np.isnan(yv).any())
        if complete and xv.size >= 3 and np.ptp(xv) > 0 and np.ptp(yv) > 0:
            # no gaps: each series is ranked once, not once per pair (same ρ as _corr)
            p = float(np.corrcoef(xv, yv)[0, 1])
            rx, ry = ranked(level, item, xv), ranked(a_level, against, yv)
            s = float(np.corrcoef(rx, ry)[0, 1])
        else:
            p, s = _corr(xv, yv)
        rows.append(
            {
                "item": item,
                "item_level": level,
                "against": against,
                "against_level": a_level,
                "pearson": p,
                "spearman": s,
                "flag": _flag(p),
            }
        )

    for p in framework.pillars:
        for s in p.children:
            for i in s.children:
                x = norm[i.id]
                if not s.id.endswith(":all"):
                    add(i.id, "indicator", x, s.id, "subpillar", subpillars[s.id])
                add(i.id, "indicator", x, p.id, "pillar", pillars[p.id])
                add(i.id, "indicator", x, "index", "index", index)
            if not s.id.endswith(":all"):
                add(s.id, "subpillar", subpillars[s.id], p.id, "pillar", pillars[p.id])
                add(s.id, "subpillar", subpillars[s.id], "index", "index", index)
        add(p.id, "pillar", pillars[p.id], "index", "index", index)
    return pd.DataFrame(rows)


def collinear_pairs(
    norm: pd.DataFrame, framework: Framework, *, threshold: float = COLLINEAR
) -> pd.DataFrame:
    """Indicator pairs with |Pearson r| > ``threshold``: a, b, pillar_a, pillar_b, pearson."""
    if not 0 < threshold < 1:
        raise InputError(
            f"collinearity threshold {threshold} is outside (0, 1)",
            column="collinear",
            hint="e.g. 0.92",
        )
    corr = norm.corr(method="pearson").to_numpy()
    cols = list(norm.columns)
    rows = [
        {
            "a": cols[i],
            "b": cols[j],
            "pillar_a": framework.pillar_of[cols[i]],
            "pillar_b": framework.pillar_of[cols[j]],
            "pearson": float(corr[i, j]),
        }
        for i in range(len(cols))
        for j in range(i + 1, len(cols))
        if abs(corr[i, j]) > threshold
    ]
    return pd.DataFrame(rows, columns=["a", "b", "pillar_a", "pillar_b", "pearson"])


# ---------------------------------------------------------------------- reliability
def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of the columns of ``items`` (rows with a missing value dropped); NaN for
    fewer than two items or a constant total."""
    data = items.dropna().to_numpy(float)
    k = data.shape[1]
    if k < 2 or data.shape[0] < 2:
        return float("nan")
    total = data.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - data.var(axis=0, ddof=1).sum() / total))


def pca_summary(items: pd.DataFrame) -> tuple[np.ndarray, float, int]:
    """Eigenvalues of the correlation matrix of ``items`` (descending), the first one's share
    λ_1/k and the number of eigenvalues > 1; constant columns are left out."""
    data = items.dropna().to_numpy(float)
    keep = data.std(axis=0, ddof=1) > 0 if data.shape[0] > 1 else np.zeros(data.shape[1], bool)
    data = data[:, keep]
    k = data.shape[1]
    if k == 0:
        return np.array([]), float("nan"), 0
    z = (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)
    singular = np.linalg.svd(z, compute_uv=False)
    eig = np.sort(singular**2 / (z.shape[0] - 1))[::-1]
    return eig, float(eig[0] / k), int(np.sum(eig > 1.0))


def reliability(norm: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Per pillar: n_indicators, cronbach_alpha, pca_first_share, n_eigen_gt1, eigenvalues,
    constant (indicators with no variance, left out of the PCA)."""
    rows = []
    for p in framework.pillars:
        ids = [i.id for s in p.children for i in s.children]
        items = norm[ids]
        eig, share, n_gt1 = pca_summary(items)
        constant = [c for c in ids if items[c].nunique(dropna=True) <= 1]
        rows.append(
            {
                "pillar": p.id,
                "n_indicators": len(ids),
                "cronbach_alpha": cronbach_alpha(items.drop(columns=constant)),
                "pca_first_share": share,
                "n_eigen_gt1": n_gt1,
                "eigenvalues": ", ".join(f"{v:.3f}" for v in eig),
                "constant": ", ".join(constant),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- importance
def correlation_ratio(x: np.ndarray, y: np.ndarray, *, knots: int = MAX_KNOTS) -> float:
    """S = V[E(y | x)] / V(y), E(y | x) by a cubic regression spline (or exact conditional
    means when x takes few values); NaN when x or y is constant."""
    from scipy.interpolate import make_lsq_spline

    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    vy = y.var()
    if x.size < 3 or vy == 0 or np.ptp(x) == 0:
        return float("nan")
    values, inverse = np.unique(x, return_inverse=True)
    # about 20 points per spline piece; no interior knot (a cubic) below 20 points
    n_knots = min(knots, x.size // 20)
    if values.size <= n_knots + 4:
        means = np.bincount(inverse, weights=y) / np.bincount(inverse)
        return float(means[inverse].var() / vy)
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    inner = np.unique(np.quantile(values, np.linspace(0, 1, n_knots + 2)[1:-1]))
    t = np.concatenate([[xs[0]] * 4, inner, [xs[-1]] * 4])
    try:
        spline = make_lsq_spline(xs, ys, t, k=3)
    except (ValueError, np.linalg.LinAlgError):
        spline = make_lsq_spline(xs, ys, np.concatenate([[xs[0]] * 4, [xs[-1]] * 4]), k=3)
    return float(spline(xs).var() / vy)


def effective_importance(
    norm: pd.DataFrame, index: pd.Series, weights: pd.Series, *, knots: int = MAX_KNOTS
) -> pd.DataFrame:
    """Per indicator: nominal weight, S_i, S_i/ΣS (``importance_share``) and its ratio to the
    nominal weight (``ratio``; < 1: the indicator matters less than its weight says)."""
    y = index.reindex(norm.index).to_numpy(float)
    s = pd.Series(
        {c: correlation_ratio(norm[c].to_numpy(float), y, knots=knots) for c in norm.columns}
    )
    total = s.sum(skipna=True)
    share = s / total if total > 0 else s * np.nan
    w = weights.reindex(norm.columns).astype(float)
    return pd.DataFrame(
        {
            "indicator": list(norm.columns),
            "weight": w.to_numpy(),
            "S_i": s.to_numpy(),
            "importance_share": share.to_numpy(),
            "ratio": (share / w.where(w > 0)).to_numpy(),
        }
    )


# ---------------------------------------------------------------------- ranks
def _rank_in_year(values: pd.Series) -> pd.Series:
    years = values.index.get_level_values("year")
    return values.groupby(years).rank(ascending=False, method="min")


def rank_shift(norm: pd.DataFrame, index: pd.Series) -> pd.DataFrame:
    """region, year, rank (index), rank_plain_mean (equal-weight mean of the normalised
    indicators), shift = rank_plain_mean − rank."""
    idx = index.reindex(norm.index)
    plain = norm.mean(axis=1)
    out = pd.DataFrame(
        {"rank": _rank_in_year(idx), "rank_plain_mean": _rank_in_year(plain)}
    ).astype(int)
    out["shift"] = out["rank_plain_mean"] - out["rank"]
    return out.reset_index()


def rank_volatility(
    norm: pd.DataFrame, index: pd.Series, weights: pd.Series, *, drivers: int = 3
) -> pd.DataFrame:
    """Per region: years, rank_sd, max_change (signed, largest |Δ rank| between consecutive
    years), from_year, to_year and the ``drivers`` indicators whose w_j·N_j changed most then."""
    idx = index.reindex(norm.index)
    ranks = _rank_in_year(idx).to_numpy(float)
    years = norm.index.get_level_values("year").to_numpy()
    contrib = norm.mul(weights.reindex(norm.columns), axis=1).to_numpy(float)
    cols = np.asarray(norm.columns, dtype=object)
    groups = pd.Series(np.arange(len(norm))).groupby(norm.index.get_level_values("region"))
    rows = []
    for region, members in groups.indices.items():
        pos = np.asarray(members)[np.argsort(years[members], kind="stable")]
        r = ranks[pos]
        row: dict[str, Any] = {
            "region": region,
            "years": len(r),
            "rank_sd": float(r.std()) if len(r) > 1 else 0.0,
            "max_change": 0,
            "from_year": pd.NA,
            "to_year": pd.NA,
            "drivers": "",
        }
        if len(r) > 1:
            d = np.diff(r)
            k = int(np.argmax(np.abs(d)))
            change = contrib[pos[k + 1]] - contrib[pos[k]]
            top = np.argsort(-np.abs(change), kind="stable")[:drivers]
            row.update(
                max_change=int(d[k]),
                from_year=int(years[pos[k]]),
                to_year=int(years[pos[k + 1]]),
                drivers="; ".join(f"{cols[j]} {change[j]:+.4f}" for j in top),
            )
        rows.append(row)
    return pd.DataFrame(rows).sort_values("rank_sd", ascending=False, ignore_index=True)


# ---------------------------------------------------------------------- data checks
def distribution(
    raw: pd.DataFrame, *, skew_threshold: float = 2.0, kurtosis_threshold: float = 3.5
) -> pd.DataFrame:
    """Per raw indicator (pooled): n, min, max, skewness, kurtosis, fails_jrc (the outlier rule
    of :mod:`nqpf.index.outliers`), constant."""
    from nqpf.index.outliers import kurtosis, skewness

    rows = []
    for c in raw.columns:
        x = raw[c].to_numpy(float)
        g1, g2 = skewness(x), kurtosis(x)
        rows.append(
            {
                "indicator": str(c),
                "n": int(np.sum(~np.isnan(x))),
                "min": float(np.nanmin(x)) if np.any(~np.isnan(x)) else np.nan,
                "max": float(np.nanmax(x)) if np.any(~np.isnan(x)) else np.nan,
                "skewness": g1,
                "kurtosis": g2,
                "fails_jrc": bool(abs(g1) >= skew_threshold and g2 >= kurtosis_threshold),
                "constant": bool(np.nanmax(x) == np.nanmin(x)) if np.any(~np.isnan(x)) else True,
            }
        )
    return pd.DataFrame(rows)


def small_bases(
    denominators: pd.DataFrame,
    ratio_of: Mapping[str, str],
    *,
    share: float = SMALL_BASE_SHARE,
) -> pd.DataFrame:
    """Region-years whose denominator is below ``share`` × the year's median denominator.

    ``denominators`` is wide (rows region-year, one column per denominator id); ``ratio_of``
    maps each ratio indicator to its denominator id. Returns indicator, denominator, region,
    year, value, year_median, share_of_median.
    """
    if not 0 < share < 1:
        raise InputError(
            f"small-base share {share} is outside (0, 1)", column="share", hint="e.g. 0.05"
        )
    rows = []
    years = denominators.index.get_level_values("year")
    for indicator, den in ratio_of.items():
        if den not in denominators.columns:
            continue
        col = denominators[den]
        median = col.groupby(years).transform("median")
        small = (col < share * median).to_numpy()
        for key, value, med in zip(
            col.index[small], col.to_numpy(float)[small], median.to_numpy(float)[small], strict=True
        ):
            rows.append(
                {
                    "indicator": indicator,
                    "denominator": den,
                    "region": key[0],
                    "year": int(key[1]),
                    "value": float(value),
                    "year_median": float(med),
                    "share_of_median": float(value / med),
                }
            )
    cols = ["indicator", "denominator", "region", "year", "value", "year_median", "share_of_median"]
    return pd.DataFrame(rows, columns=cols)


def validate_against(
    scores: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    columns: Sequence[str] = ("index",),
) -> pd.DataFrame:
    """Spearman ρ per year between ``scores`` (region, year, columns…) and a published
    ``reference`` (region, year, value, source[, measure]): measure, column, year, n, spearman,
    p_value, top_overlap. Years or regions missing on either side are skipped.

    A published list of the top n only (n below the number of regions scored that year) gives
    ρ over those n, a restricted range, and ``top_overlap``: the share of them that are in our
    own top n of that year (NaN for a full list). A reference with a boolean ``complete``
    column that is true says it is a full series that merely lacks some regions (e.g. a
    researcher's panel), not a top-n list: no ``top_overlap`` then."""
    need = {"region", "year", "value"}
    if not need <= set(reference.columns):
        raise InputError(
            f"the reference lacks column(s) {', '.join(sorted(need - set(reference.columns)))}",
            hint="give region, year, value (and source, measure)",
        )
    ref = reference.copy()
    if "measure" not in ref.columns:
        ref["measure"] = "reference"
    rows = []
    cols = list(columns)
    by_year = {
        int(str(y)): f.set_index("region")[cols] for y, f in scores.groupby("year", sort=False)
    }
    for key, g in ref.groupby(["measure", "year"]):
        measure, year = str(key[0]), int(str(key[1]))
        if year not in by_year:
            continue
        ours = by_year[year]
        both = ours.join(g.set_index("region")["value"], how="inner")
        ranks = ours.rank(ascending=False, method="min")
        for col in cols:
            pair = both[[col, "value"]].dropna()
            if len(pair) < 3:
                continue
            rho, p_value = spearman(
                pair[col].to_numpy(dtype=float), pair["value"].to_numpy(dtype=float)
            )
            overlap = float("nan")
            complete = "complete" in g.columns and bool(g["complete"].all())
            if not complete and len(g) < ours[col].notna().sum():
                overlap = float((ranks.loc[pair.index, col] <= len(g)).mean())
            rows.append(
                {
                    "measure": measure,
                    "column": col,
                    "year": int(year),
                    "n": len(pair),
                    "spearman": rho,
                    "p_value": p_value,
                    "top_overlap": overlap,
                }
            )
    return pd.DataFrame(rows, columns=[*VALIDATION_COLUMNS])


# ---------------------------------------------------------------------- the audit of an assessment
class AuditResult(ResultMixin):
    """The audit of one assessment, on the result protocol (:mod:`nqpf.results`)."""

    kind = "audit"
    main_table = "correlations"

    def __init__(
        self,
        *,
        spec: Mapping[str, Any],
        provenance: pd.DataFrame,
        tables: Mapping[str, pd.DataFrame],
        warnings: Sequence[str],
        correlation_matrix: pd.DataFrame,
        spec_hash: str,
    ) -> None:
        self._spec = dict(spec)
        self._provenance = provenance
        self._tables = dict(tables)
        self._warnings = list(warnings)
        self.correlation_matrix = correlation_matrix
        self._spec_hash = spec_hash

    @property
    def spec(self) -> dict[str, Any]:
        return dict(self._spec)

    @property
    def spec_hash(self) -> str:
        return self._spec_hash

    @property
    def provenance(self) -> pd.DataFrame:
        return self._provenance.copy()

    @property
    def warnings(self) -> list[str]:
        return list(self._warnings)

    def tables(self) -> dict[str, pd.DataFrame]:
        """correlations, collinear, reliability, importance, rank_shift, volatility,
        distribution, outliers, imputed, small_bases, floored, validation,
        correlation_matrix."""
        return {k: v.copy() for k, v in self._tables.items()}


def audit_assessment(
    a: Assessment,
    *,
    denominators: pd.DataFrame | None = None,
    ratio_of: Mapping[str, str] | None = None,
    reference: pd.DataFrame | None = None,
    collinear: float = COLLINEAR,
    small_base_share: float = SMALL_BASE_SHARE,
) -> AuditResult:
    """Audit an assessment (module docstring). ``denominators`` (wide, region-year × id) and
    ``ratio_of`` (indicator → denominator id) enable the small-base check; ``reference``
    (region, year, value, measure, source) the validation against published rankings."""
    from nqpf.results import hash_spec

    fw = a.framework
    norm = a.normalized
    index = a.built.index
    names = a.region_names
    correlations = level_correlations(norm, a.built.subpillars, a.built.pillars, index, fw)
    pairs = collinear_pairs(norm, fw, threshold=collinear)
    rel = reliability(norm, fw)
    importance = effective_importance(norm, index, a.indicator_weights)
    shift = rank_shift(norm, index)
    shift.insert(1, "region_name", shift["region"].map(names))
    volatility = rank_volatility(norm, index, a.indicator_weights)
    volatility.insert(1, "region_name", volatility["region"].map(names))
    raw = a.data.pivot_table(index=["region", "year"], columns="indicator", values="value")
    dist = distribution(raw.reindex(columns=fw.indicator_ids))
    imputed = a.imputed.sum().rename("n_imputed").rename_axis("indicator").reset_index()
    small = pd.DataFrame(
        columns=["indicator", "denominator", "region", "year", "value", "year_median"]
    )
    if denominators is not None and ratio_of:
        wanted = {k: v for k, v in ratio_of.items() if k in fw.indicator_ids}
        small = small_bases(denominators, wanted, share=small_base_share)
        small.insert(3, "region_name", small["region"].map(names))
    floored = pd.DataFrame(a.options.get("floored") or [], columns=FLOORED_COLUMNS)
    floored.insert(3, "region_name", floored["region"].map(names))
    small["status"] = _small_base_status(small, floored, raw)
    validation = pd.DataFrame(columns=[*VALIDATION_COLUMNS])
    if reference is not None and not reference.empty:
        validation = validate_against(a.scores, reference, columns=("index", *fw.pillar_ids))
    tables = {
        "correlations": correlations,
        "collinear": pairs,
        "reliability": rel,
        "importance": importance,
        "rank_shift": shift,
        "volatility": volatility,
        "distribution": dist,
        "outliers": a.outliers.table if a.outliers is not None else pd.DataFrame(),
        "imputed": imputed,
        "small_bases": small,
        "floored": floored,
        "validation": validation,
    }
    matrix = norm.corr(method="pearson")
    spec = {
        "assessment_spec_hash": a.spec_hash,
        "framework": fw.id,
        "collinear": collinear,
        "weak": WEAK,
        "small_base_share": small_base_share,
        "reference": sorted(set(reference["measure"])) if reference is not None else [],
    }
    provenance = a.provenance
    if reference is not None and "source" in reference.columns:
        refs = reference.drop_duplicates("measure")[["measure", "source"]]
        provenance = pd.concat(
            [provenance, refs.rename(columns={"measure": "indicator", "source": "source_ids"})],
            ignore_index=True,
        )
    return AuditResult(
        spec=spec,
        provenance=provenance,
        tables={**tables, "correlation_matrix": matrix.rename_axis("indicator").reset_index()},
        warnings=_sentences(tables, fw, names),
        correlation_matrix=matrix,
        spec_hash=hash_spec(spec, norm),
    )


def _small_base_status(small: pd.DataFrame, floored: pd.DataFrame, raw: pd.DataFrame) -> list[str]:
    """Per small base: ``floored`` (the framework's floor set it missing), ``no value`` (the
    ratio has no raw value anyway) or ``kept`` (the ratio enters the index: a reviewer's
    concern)."""
    done = set(
        zip(
            floored["indicator"].astype(str),
            floored["region"].astype(str),
            floored["year"].astype(int),
            strict=True,
        )
    )
    present = raw.notna()
    out = []
    for ind, region, year in zip(
        small["indicator"].astype(str),
        small["region"].astype(str),
        small["year"].astype(int),
        strict=True,
    ):
        key = (region, int(year))
        if (ind, *key) in done:
            out.append("floored")
        elif ind not in raw.columns or key not in raw.index or not bool(present.at[key, ind]):
            out.append("no value")
        else:
            out.append("kept")
    return out


def _sentences(
    tables: Mapping[str, pd.DataFrame], fw: Framework, names: Mapping[str, str]
) -> list[str]:
    """What a reviewer must see: flagged correlations with the own pillar, collinear pairs,
    incoherent pillars, indicators whose importance is far from their weight, small bases,
    validation figures."""
    out: list[str] = []
    corr = tables["correlations"]
    own = corr[(corr["item_level"] == "indicator") & (corr["against_level"] == "pillar")]
    for r in own[own["flag"] != ""].itertuples():
        out.append(
            f"指标 {r.item} 与所属维度 {r.against} 相关 {r.flag} "
            f"(indicator {r.item} vs its pillar {r.against}: Pearson r = {r.pearson:.2f})"
        )
    for r in tables["collinear"].itertuples():
        out.append(f"共线 collinear: {r.a} ~ {r.b} (r = {r.pearson:.3f})")
    for rel in tables["reliability"].to_dict("records"):
        alpha = float(rel["cronbach_alpha"])
        if int(rel["n_indicators"]) >= 2 and alpha < RELIABLE:
            out.append(
                f"维度 {rel['pillar']} 内部一致性偏低 (pillar {rel['pillar']}: Cronbach's α = "
                f"{alpha:.2f} < {RELIABLE}; first component {float(rel['pca_first_share']):.0%})"
            )
    for imp in tables["importance"].to_dict("records"):
        ratio, weight = float(imp["ratio"]), float(imp["weight"])
        if (
            weight > 0
            and not np.isnan(ratio)
            and not IMPORTANCE_BAND[0] <= ratio <= IMPORTANCE_BAND[1]
        ):
            out.append(
                f"指标 {imp['indicator']} 有效重要性 {float(imp['importance_share']):.1%} "
                f"与名义权重 {weight:.1%} 相差悬殊 (effective importance S_i/ΣS vs nominal weight)"
            )
    small = tables["small_bases"]
    small = small[small["status"] == "kept"]
    for (ind, region), g in small.groupby(["indicator", "region"]):
        out.append(
            f"小分母 small base: {ind} of {names.get(str(region), region)} in {len(g)} year(s), "
            f"denominator {g['share_of_median'].max():.1%} of the median or less"
        )
    for (ind, region), g in tables["floored"].groupby(["indicator", "region"]):
        out.append(
            f"小分母下限 floored: {ind} of {names.get(str(region), region)} in {len(g)} year(s) "
            f"set missing and imputed (denominator {g['denominator'].iloc[0]} below its floor)"
        )
    val = tables["validation"]
    for rec in val[val["column"].isin(["index", "tech", "digital"])].to_dict("records"):
        overlap = float(rec["top_overlap"])
        top = "" if np.isnan(overlap) else f", {overlap:.0%} of its top {rec['n']} in ours"
        out.append(
            f"验证 validation: {rec['column']} vs {rec['measure']} {rec['year']}: "
            f"Spearman ρ = {float(rec['spearman']):.3f}{top}"
        )
    return out
