r"""σ- and β-convergence of a region-year panel.

σ-convergence: the dispersion falls over time. Per year, the coefficient of variation
:math:`CV_t = \sigma_t / \mu_t` and the standard deviation of logs
:math:`\sigma_t(\ln y)` (population s.d., ``ddof=0``, unless told).

β-convergence (Barro & Sala-i-Martin 1992): with growth over an interval of
:math:`\tau` years :math:`g_{it} = \ln y_{i,t+\tau} - \ln y_{it}`,

.. math::

    g_{it} = \alpha + \beta \ln y_{it} + \gamma' X_{it} + [\mu_i + \eta_t] + \varepsilon_{it}

*absolute* without controls :math:`X`, *conditional* with them; ``model="pooled"`` is
pooled OLS, ``model="fe"`` adds region and year fixed effects (two-way FE, least-squares
dummy variables). Standard errors are cluster-robust by region, the sandwich
:math:`c\,(X'X)^{-1}\big(\sum_g X_g'u_g u_g'X_g\big)(X'X)^{-1}` with the small-sample
factor :math:`c = \frac{G}{G-1}\frac{N-1}{N-K}` and normal p-values and intervals
(statsmodels' ``cov_type="cluster"`` defaults; computed here in NumPy, tested equal to
statsmodels). β < 0 means convergence, with

.. math::

    \text{speed } \lambda = -\ln(1 + \beta)/\tau, \qquad
    \text{half-life} = \ln 2 / \lambda .

Reference: Barro, R. J., Sala-i-Martin, X. (1992). Convergence. *Journal of Political
Economy* 100(2), 223–251.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.ingest.checks import (
    GroupSpec,
    drop_missing,
    group_labels,
    group_order,
    require_columns,
    require_positive,
)

__all__ = ["ALL_REGIONS", "beta_convergence", "sigma_convergence"]

ALL_REGIONS = "全国 all"
"""Label of the row computed on all regions when results are given per group."""


def sigma_convergence(
    data: pd.DataFrame,
    *,
    value: str = "value",
    by: str = "year",
    ddof: int = 0,
    groups: GroupSpec | None = None,
) -> pd.DataFrame:
    """Per year: ``n, mean, sd, cv, sd_log`` (logs need positive values).

    With ``groups`` (a grouping name or mapping region → group) the rows are repeated for
    all regions (``group`` = "全国 all") and for every group (分区域 σ 收敛).
    """
    if groups is not None:
        return _per_group(sigma_convergence, data, groups, value=value, by=by, ddof=ddof)
    require_columns(data, ["region", by, value], what="sigma_convergence")
    frame = drop_missing(data, ["region", by, value], what="sigma_convergence")
    y = frame[value].to_numpy(dtype=float)
    require_positive(y, frame["region"], what="the s.d. of logs", strict=True)
    frame = frame.assign(_log=np.log(y))
    rows = []
    for key, part in frame.groupby(by):
        v = part[value].to_numpy(dtype=float)
        sd = float(np.std(v, ddof=ddof)) if len(v) > ddof else np.nan
        rows.append(
            {
                by: key,
                "n": len(v),
                "mean": float(v.mean()),
                "sd": sd,
                "cv": sd / float(v.mean()),
                "sd_log": float(np.std(part["_log"], ddof=ddof)) if len(v) > ddof else np.nan,
            }
        )
    return pd.DataFrame(rows)


def beta_convergence(
    data: pd.DataFrame,
    *,
    value: str = "value",
    controls: Sequence[str] = (),
    model: Literal["pooled", "fe"] = "pooled",
    interval: int = 1,
    groups: GroupSpec | None = None,
) -> pd.DataFrame:
    """β-convergence regression; one row: ``kind, model, beta, se, t, p, ci_low,
    ci_high, speed, half_life, n_obs, n_regions, r2``.

    ``controls`` are columns of ``data`` measured at the start year (conditional β);
    empty for absolute β. ``interval`` is τ, the years between start and end. With
    ``groups`` one regression is run on all regions (``group`` = "全国 all") and one per
    group (分区域 β 收敛); a group with few regions has few clusters, so its cluster-robust
    standard error is unreliable (``n_regions`` says how many).
    """
    if groups is not None:
        return _per_group(
            beta_convergence,
            data,
            groups,
            value=value,
            controls=controls,
            model=model,
            interval=interval,
        )
    cols = ["region", "year", value, *controls]
    require_columns(data, cols, what="beta_convergence")
    if model not in ("pooled", "fe"):
        raise InputError(f"model={model!r}", hint="use 'pooled' or 'fe'")
    if interval < 1:
        raise InputError(f"interval={interval}", hint="use a whole number of years ≥ 1")
    frame = drop_missing(data, cols, what="beta_convergence")
    require_positive(
        frame[value].to_numpy(dtype=float), frame["region"], what="β-convergence", strict=True
    )
    start = frame[cols].assign(ln_y=np.log(frame[value].to_numpy(dtype=float)))
    end = start[["region", "year", "ln_y"]].assign(year=start["year"] - interval)
    panel = start.merge(end, on=["region", "year"], suffixes=("", "_end"))
    if panel["region"].nunique() < 2 or len(panel) <= 2 + len(controls):
        raise InputError(
            f"too few region-year pairs {interval} year(s) apart ({len(panel)})",
            column="year",
            hint="β-convergence needs several regions observed in consecutive years",
        )
    panel = panel.sort_values(["region", "year"]).reset_index(drop=True)
    growth = panel["ln_y_end"] - panel["ln_y"]
    design = _design(panel, controls, model)
    fit = _cluster_ols(growth.to_numpy(dtype=float), design, panel["region"])
    beta = fit["beta"]
    # speed and half-life exist only for convergence within the sensible range −1 < β < 0
    speed = -np.log1p(beta) / interval if -1 < beta < 0 else np.nan
    return pd.DataFrame(
        [
            {
                "kind": "conditional" if controls else "absolute",
                "model": model,
                "beta": beta,
                "se": fit["se"],
                "t": fit["t"],
                "p": fit["p"],
                "ci_low": fit["ci_low"],
                "ci_high": fit["ci_high"],
                "speed": speed,
                "half_life": np.log(2) / speed if not np.isnan(speed) else np.nan,
                "n_obs": len(panel),
                "n_regions": int(panel["region"].nunique()),
                "r2": fit["r2"],
            }
        ]
    )


def _per_group(
    function: Callable[..., pd.DataFrame], data: pd.DataFrame, groups: GroupSpec, **options: Any
) -> pd.DataFrame:
    require_columns(data, ["region"], what=function.__name__)
    labels = group_labels(data["region"], groups)
    parts = [function(data, **options).assign(group=ALL_REGIONS)]
    order = group_order(groups, labels)
    for name in order:
        part = data[(labels == name).to_numpy()]
        if part["region"].nunique() >= 2:
            parts.append(function(part, **options).assign(group=name))
    out = pd.concat(parts, ignore_index=True)
    return out[["group", *[c for c in out.columns if c != "group"]]]


def _design(panel: pd.DataFrame, controls: Sequence[str], model: str) -> pd.DataFrame:
    design = panel[["ln_y", *controls]].astype(float)
    if model == "fe":
        dummies = pd.get_dummies(
            panel[["region", "year"]].astype(str), drop_first=True, dtype=float
        )
        design = pd.concat([design, dummies], axis=1)
    design.insert(0, "const", 1.0)
    return design


def _cluster_ols(y: np.ndarray, design: pd.DataFrame, clusters: pd.Series) -> dict[str, float]:
    """OLS of ``y`` on ``design``; the ``ln_y`` coefficient with cluster-robust inference."""
    from scipy.special import ndtr, ndtri

    x = design.to_numpy(dtype=float)
    n = len(y)
    pinv = np.linalg.pinv(x)
    params = pinv @ y
    resid = y - x @ params
    rank = int(np.linalg.matrix_rank(x))
    codes, uniques = pd.factorize(clusters)
    groups = len(uniques)
    scores = np.zeros((groups, x.shape[1]))
    np.add.at(scores, codes, x * resid[:, None])
    bread = pinv @ pinv.T  # (X'X)⁻¹
    factor = groups / (groups - 1) * (n - 1) / (n - rank)
    cov = factor * bread @ (scores.T @ scores) @ bread
    k = list(design.columns).index("ln_y")
    beta, se = float(params[k]), float(np.sqrt(cov[k, k]))
    half_width = float(ndtri(0.975)) * se
    centred = y - y.mean()
    return {
        "beta": beta,
        "se": se,
        "t": beta / se,
        "p": float(2 * ndtr(-abs(beta / se))),
        "ci_low": beta - half_width,
        "ci_high": beta + half_width,
        "r2": float(1 - resid @ resid / (centred @ centred)),
    }
