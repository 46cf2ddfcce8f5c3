r"""Theil T and L, the generalised entropy index GE(α), their decomposition, and the CV.

With values :math:`y_i \ge 0` (:math:`> 0` for α ≤ 0), population shares
:math:`p_i = w_i / W` (:math:`1/n` without weights) and mean :math:`\mu = \sum_i p_i y_i`:

.. math::

    GE(\alpha) &= \frac{1}{\alpha(\alpha - 1)} \sum_i p_i
                  \left[\left(\frac{y_i}{\mu}\right)^\alpha - 1\right],
                  \quad \alpha \ne 0, 1 \\
    T = GE(1) &= \sum_i p_i \frac{y_i}{\mu} \ln\frac{y_i}{\mu} \quad\text{(Theil T)}, \qquad
    L = GE(0) = \sum_i p_i \ln\frac{\mu}{y_i} \quad\text{(Theil L, mean log deviation)}

For groups :math:`g` with population share :math:`v_g`, value share :math:`s_g` and mean
:math:`\mu_g`, GE(α) decomposes exactly (Shorrocks 1980):

.. math::

    GE(\alpha) = \underbrace{\sum_g v_g^{1-\alpha} s_g^{\alpha}\, GE_g(\alpha)}_{\text{within}}
               + \underbrace{GE(\alpha)\big|_{y_i \to \mu_{g(i)}}}_{\text{between}}

so T's within part weights groups by value share and L's by population share.
GE(2) equals half the squared coefficient of variation (population s.d., ``ddof=0``).

References: Theil, H. (1967). *Economics and Information Theory*. Shorrocks, A. F. (1980).
The class of additively decomposable inequality measures. *Econometrica* 48(3), 613–625.
Unweighted T and its decomposition equal PySAL ``inequality.theil.Theil``/``TheilD``.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"region": list("abcd"), "year": 2020, "value": [1.0, 1.0, 2.0, 2.0]})
>>> res = ge_index(data, alpha=0, groups={"a": "x", "b": "x", "c": "y", "d": "y"})
>>> round(float(res.summary["between"].iloc[0]), 6) == round(float(res.summary["index"].iloc[0]), 6)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.ingest.checks import (
    GroupSpec,
    drop_missing,
    group_labels,
    require_columns,
    require_positive,
)

__all__ = ["GEResult", "coefficient_of_variation", "ge_index", "theil_l", "theil_t"]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class GEResult:
    """GE(α) per year and its decomposition.

    ``summary``: ``year, n, alpha, index`` and, with groups, ``within, between,
    share_within, share_between``. ``groups``: ``year, group, n, pop_share, value_share,
    mean, index, contribution`` (contribution = the group's term of the within part).
    """

    summary: pd.DataFrame
    groups: pd.DataFrame


def ge_index(
    data: pd.DataFrame,
    *,
    alpha: float = 1.0,
    groups: GroupSpec | None = None,
    value: str = "value",
    weight: str | None = None,
    by: str | None = "year",
) -> GEResult:
    """Generalised entropy index GE(α) per year, decomposed by ``groups`` if given.

    ``alpha=1`` is Theil T, ``alpha=0`` Theil L. Values must be positive for α ≤ 0 (a log
    or negative power of 0 is infinite) and non-negative for α > 0, where a zero value
    contributes its limit (:math:`0 \\ln 0 = 0` in T); offending regions are named.
    """
    cols = ["region", value] + ([weight] if weight else []) + ([by] if by else [])
    require_columns(data, cols, what="ge_index")
    frame = drop_missing(data, cols, what="ge_index")
    y_all = frame[value].to_numpy(dtype=float)
    require_positive(y_all, frame["region"], what=f"GE({alpha:g})", strict=alpha <= 0)
    if weight:
        require_positive(
            frame[weight].to_numpy(dtype=float), frame["region"], what="weight", strict=True
        )
    labels = group_labels(frame["region"], groups) if groups is not None else None
    rows: list[dict[str, Any]] = []
    group_rows: list[dict[str, Any]] = []
    keys = sorted(frame[by].unique()) if by else [None]
    for key in keys:
        sel = (frame[by] == key).to_numpy() if by else np.ones(len(frame), bool)
        y = y_all[sel]
        w = frame.loc[sel, weight].to_numpy(dtype=float) if weight else np.ones(len(y))
        if not y.sum() > 0:
            raise InputError(f"all values are 0 in {by} {key}", column=value)
        label = {by: key} if by else {}
        total = _ge(y, w, alpha)
        row: dict[str, Any] = {**label, "n": len(y), "alpha": alpha, "index": total}
        if labels is not None:
            g = labels.to_numpy()[sel]
            big_w, mu = w.sum(), (w * y).sum() / w.sum()
            means = np.empty(len(y))
            within = 0.0
            for name in sorted(set(g)):
                m = g == name
                v_g = w[m].sum() / big_w  # population share
                mu_g = (w[m] * y[m]).sum() / w[m].sum()
                s_g = v_g * mu_g / mu  # value share
                ge_g = _ge(y[m], w[m], alpha)
                contribution = v_g ** (1 - alpha) * s_g**alpha * ge_g
                within += contribution
                means[m] = mu_g
                group_rows.append(
                    {
                        **label,
                        "group": name,
                        "n": int(m.sum()),
                        "pop_share": v_g,
                        "value_share": s_g,
                        "mean": mu_g,
                        "index": ge_g,
                        "contribution": contribution,
                    }
                )
            between = _ge(means, w, alpha)
            row.update(
                within=within,
                between=between,
                share_within=within / total if total > 0 else np.nan,
                share_between=between / total if total > 0 else np.nan,
            )
        rows.append(row)
    return GEResult(summary=pd.DataFrame(rows), groups=pd.DataFrame(group_rows))


def theil_t(data: pd.DataFrame, **options: Any) -> GEResult:
    """Theil T = GE(1); options as :func:`ge_index`."""
    return ge_index(data, alpha=1.0, **options)


def theil_l(data: pd.DataFrame, **options: Any) -> GEResult:
    """Theil L (mean log deviation) = GE(0); options as :func:`ge_index`."""
    return ge_index(data, alpha=0.0, **options)


def coefficient_of_variation(
    data: pd.DataFrame,
    *,
    value: str = "value",
    weight: str | None = None,
    by: str | None = "year",
    ddof: int = 0,
) -> pd.DataFrame:
    r"""Coefficient of variation :math:`CV = \sigma / \mu` per year.

    :math:`\sigma^2 = \sum_i p_i (y_i - \mu)^2 \cdot n/(n - \text{ddof})` with population
    shares :math:`p_i` (weighted CV, Williamson 1965, with ``weight``). ``ddof=0`` (default)
    is the population s.d., for which GE(2) = CV²/2; ``ddof=1`` the sample s.d.

    Returns ``year, n, mean, sd, cv``.
    """
    cols = ["region", value] + ([weight] if weight else []) + ([by] if by else [])
    require_columns(data, cols, what="coefficient_of_variation")
    if ddof not in (0, 1):
        raise InputError(f"ddof={ddof}", hint="use ddof=0 (population) or 1 (sample)")
    frame = drop_missing(data, cols, what="coefficient_of_variation")
    rows = []
    for key, part in frame.groupby(by) if by else [(None, frame)]:
        y = part[value].to_numpy(dtype=float)
        w = part[weight].to_numpy(dtype=float) if weight else np.ones(len(y))
        p = w / w.sum()
        mu = float((p * y).sum())
        n = len(y)
        var = float((p * (y - mu) ** 2).sum()) * n / (n - ddof) if n > ddof else np.nan
        sd = float(np.sqrt(var))
        rows.append({**({by: key} if by else {}), "n": n, "mean": mu, "sd": sd, "cv": sd / mu})
    return pd.DataFrame(rows)


def _ge(y: FloatArray, w: FloatArray, alpha: float) -> float:
    from scipy.special import xlogy

    if np.all(y == y[0]):
        return 0.0  # no inequality among equal values, also for a group of zeros
    p = w / w.sum()
    ratio = y / (p * y).sum()
    if alpha == 1:
        return float((p * xlogy(ratio, ratio)).sum())  # xlogy(0, 0) = 0, the limit
    if alpha == 0:
        return float(-(p * np.log(ratio)).sum())
    return float(((p * ratio**alpha).sum() - 1) / (alpha * (alpha - 1)))
