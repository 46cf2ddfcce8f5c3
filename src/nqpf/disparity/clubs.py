r"""Phillips–Sul log t convergence test and convergence clubs (俱乐部收敛).

Log t test (Phillips & Sul 2007). With :math:`X_{it}` the (log, by default
HP-filtered) value of region *i* in period *t* = 1…T, the relative transition
path and its cross-sectional variance are

.. math::

    h_{it} = \frac{X_{it}}{N^{-1}\sum_i X_{it}}, \qquad
    H_t = \frac1N \sum_i (h_{it} - 1)^2 ,

and the regression

.. math::

    \log\frac{H_1}{H_t} - 2\log(\log t) = a + b\log t + u_t,
    \qquad t = [rT]+1, \dots, T

is run by OLS with a Newey–West (Bartlett kernel, HAC) standard error of *b*. The first
:math:`[rT]` periods are discarded (``trim`` = r = 0.3 by default; ``[·]`` the integer
part; at least period 1 is always discarded because :math:`\log\log 1` is undefined) —
the convention of Phillips & Sul's own code, Stata ``psecta`` and R ``ConvergenceClubs``.
:math:`\hat b = 2\hat\alpha`, the speed of convergence; the null of convergence
(:math:`\alpha \ge 0`) is rejected at 5% when :math:`t_b < -1.65` (one-sided).
:math:`\hat b \ge 2` means convergence in levels, :math:`0 \le \hat b < 2` conditional
convergence (convergence of growth rates).

Club clustering (Phillips & Sul 2007, §4; 2009, appendix B):

1. *Ordering*: regions by the last-period value of :math:`X` (``order_by="last"``), or by
   its mean over the last fraction of periods (``order_by=1/3`` e.g.), highest first;
   ties by region code, so the input row order never matters.
2. *Whole sample*: if all remaining regions pass the log t test they form one club.
3. *Core group*: the first pair of adjacent regions (1–2, else 2–3, …) whose log t
   statistic exceeds −1.65 starts a core; the core grows along the ordering while
   :math:`t_k > -1.65` and its size :math:`k^*` maximises :math:`t_k` over those *k*. No
   such pair: the remaining regions are divergent (发散).
4. *Sieve*: every other remaining region joins when the log t statistic of core + that
   region exceeds the critical value ``c`` (0 by default, conservative for small T). If
   core + all joiners fails the test, ``c`` is raised by ``c_step`` until it passes (at
   worst the core alone is the club).
5. *Recursion*: steps 2–4 on the regions not yet in a club.

Club merging (Phillips & Sul 2009, ``merge=True``): clubs *k* and *k*+1 are tested jointly
and merged when :math:`t > -1.65`; the merged club is then tested with the next; repeated
until no adjacent pair merges. The divergent regions are left as they are.

References: Phillips, P. C. B., Sul, D. (2007). Transition modeling and econometric
convergence tests. *Econometrica* 75(6), 1771–1855. Phillips, P. C. B., Sul, D. (2009).
Economic transition and growth. *Journal of Applied Econometrics* 24(7), 1153–1185.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError, NQPFWarning
from nqpf.ingest.checks import drop_missing, require_columns, require_positive

__all__ = ["CRITICAL_T", "ClubsResult", "convergence_clubs", "log_t_test"]

CRITICAL_T = -1.65
"""One-sided 5% critical value of the log t statistic."""

_MIN_POINTS = 3
"""Fewest periods in the trimmed regression (slope + intercept + 1 degree of freedom)."""

_FEW_POINTS = 10
"""Below this many regression periods a warning says the test is unreliable."""

Filter = Literal["hp", "none"]
Hac = Literal["nw", "qs"]
_Stat = Callable[[list[int]], float]


@dataclass(frozen=True)
class ClubsResult:
    """Convergence clubs.

    ``clubs``: one row per region: ``region, region_name, club, divergent, order,
    last`` (``club`` 1, 2, … from the highest; 0 = divergent; ``order`` the position in
    the ordering; ``last`` the ordering value). ``tests``: one row per club (and one for
    the divergent regions together, ``club`` 0, when there are at least two): ``club,
    n_regions, beta, se, t, converges``. ``initial_tests``: the same before merging
    (equal to ``tests`` without ``merge``).
    """

    clubs: pd.DataFrame
    tests: pd.DataFrame
    initial_tests: pd.DataFrame


def log_t_test(
    data: pd.DataFrame,
    *,
    value: str = "value",
    trim: float = 0.3,
    filter: Filter = "hp",
    hp_lambda: float = 400.0,
    log: bool = True,
    hac_lags: int | None = None,
    hac: Hac = "nw",
) -> pd.DataFrame:
    """Phillips–Sul log t test on a balanced region-year panel; one row: ``beta, se, t,
    converges, n_regions, n_periods, t_start, n_points, hac_lags``.

    ``beta`` is :math:`\\hat b` (= 2α̂, the speed of convergence), ``t`` its HAC t
    statistic; ``converges`` is ``t > -1.65``. ``filter="hp"`` takes the trend of the
    Hodrick–Prescott filter (statsmodels ``hpfilter``, smoothing ``hp_lambda``; 400 as
    Phillips & Sul for annual data) of every region's log series; ``"none"`` uses the
    logs as they are. ``log=False`` skips the logarithm (values used as they are).
    ``hac_lags`` defaults to ⌊4 (n/100)^(2/9)⌋ (Newey & West 1994), n the regression
    periods. ``hac="qs"`` uses instead the quadratic-spectral kernel with Andrews' (1991)
    AR(1) plug-in bandwidth, the long-run variance of the residuals times
    :math:`(X'X)^{-1}` (Phillips & Sul's choice; ``hac_lags`` then unused, reported 0).
    ``t_start`` is the first period (1-based) of the regression.
    """
    x, _ = _prepare(
        data, value=value, filter=filter, hp_lambda=hp_lambda, log=log, what="log_t_test"
    )
    _check_trim(trim, x.shape[1])
    _check_hac(hac)
    b, se, t, lags = _log_t(x.to_numpy(), trim, hac_lags, hac)
    periods = x.shape[1]
    start = _t_start(trim, periods)
    return pd.DataFrame(
        [
            {
                "beta": b,
                "se": se,
                "t": t,
                "converges": bool(t > CRITICAL_T),
                "n_regions": x.shape[0],
                "n_periods": periods,
                "t_start": start,
                "n_points": periods - start + 1,
                "hac_lags": lags,
            }
        ]
    )


def convergence_clubs(
    data: pd.DataFrame,
    *,
    value: str = "value",
    trim: float = 0.3,
    filter: Filter = "hp",
    hp_lambda: float = 400.0,
    log: bool = True,
    hac_lags: int | None = None,
    hac: Hac = "nw",
    order_by: Literal["last"] | float = "last",
    c: float = 0.0,
    c_step: float = 0.1,
    merge: bool = False,
) -> ClubsResult:
    """Phillips–Sul (2007) club clustering, optionally with the club merging of
    Phillips & Sul (2009); see the module documentation for the steps.

    ``order_by``: ``"last"`` orders regions by the last-period filtered value, a number
    in (0, 1] by its mean over that last fraction of periods. ``c`` is the sieve's
    critical value, ``c_step`` its increment when core + joiners fails the test.
    ``trim``, ``filter``, ``hp_lambda``, ``log``, ``hac_lags`` and ``hac`` are those of
    :func:`log_t_test`.
    """
    x, _ = _prepare(
        data, value=value, filter=filter, hp_lambda=hp_lambda, log=log, what="convergence_clubs"
    )
    _check_trim(trim, x.shape[1])
    _check_hac(hac)
    if x.shape[0] < 2:
        raise InputError("convergence clubs need at least 2 regions", column="region")
    if c_step <= 0:
        raise InputError(f"c_step={c_step}", hint="use a positive increment, e.g. 0.1")
    key = _order_values(x, order_by)
    order_frame = pd.DataFrame({"region": x.index, "last": key.to_numpy()})
    order_frame = order_frame.sort_values(
        ["last", "region"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    ordered = list(order_frame["region"])
    values = x.loc[ordered].to_numpy()

    def stat(members: list[int]) -> float:
        return _log_t(values[members], trim, hac_lags, hac)[2]

    clubs = _find_clubs(list(range(len(ordered))), stat, c, c_step)
    initial = _club_tests(clubs, values, trim, hac_lags, hac)
    if merge:
        clubs = _merge(clubs, stat)
    tests = _club_tests(clubs, values, trim, hac_lags, hac)

    label = np.zeros(len(ordered), dtype=int)
    for k, members in enumerate(clubs, start=1):
        label[members] = k
    out = order_frame.assign(
        club=label,
        divergent=label == 0,
        order=np.arange(1, len(ordered) + 1),
    )
    out.insert(1, "region_name", [_name(r) for r in out["region"]])
    out = out[["region", "region_name", "club", "divergent", "order", "last"]]
    divergent = [i for i in range(len(ordered)) if label[i] == 0]
    tests = _with_divergent(tests, divergent, values, trim, hac_lags, hac)
    initial = _with_divergent(initial, divergent, values, trim, hac_lags, hac)
    return ClubsResult(clubs=out, tests=tests, initial_tests=initial)


# ---------------------------------------------------------------------------- internals


def _prepare(
    data: pd.DataFrame, *, value: str, filter: str, hp_lambda: float, log: bool, what: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wide frame region × year of X (log, filtered) and of the raw values."""
    require_columns(data, ["region", "year", value], what=what)
    if filter not in ("hp", "none"):
        raise InputError(f"filter={filter!r}", hint="use 'hp' or 'none'")
    if hp_lambda <= 0:
        raise InputError(f"hp_lambda={hp_lambda}", hint="use a positive smoothing, e.g. 400")
    frame = drop_missing(data, ["region", "year", value], what=what)
    frame = frame.assign(region=frame["region"].astype(str))
    dup = frame.duplicated(["region", "year"], keep=False)
    if dup.any():
        names = ", ".join(sorted(set(frame.loc[dup, "region"])))
        raise InputError(
            f"{what}: region(s) {names} have more than one row per year",
            column="year",
            hint="give one value per region and year",
        )
    y = frame[value].to_numpy(dtype=float)
    if log:
        require_positive(y, frame["region"], what=f"{what} (logarithms)", strict=True)
    raw = frame.pivot(index="region", columns="year", values=value).sort_index(axis=1)
    missing = raw.isna().any(axis=1)
    if missing.any():
        names = ", ".join(sorted(raw.index[missing]))
        raise InputError(
            f"{what} needs a balanced panel; region(s) {names} lack some years",
            column="year",
            hint="give every region a value in every year, or drop those regions",
        )
    x = np.log(raw.to_numpy(dtype=float)) if log else raw.to_numpy(dtype=float)
    if filter == "hp" and x.shape[1] >= 3:
        from statsmodels.tsa.filters.hp_filter import hpfilter

        x = np.vstack([np.asarray(hpfilter(row, lamb=hp_lambda)[1], dtype=float) for row in x])
    if not (np.all(x > 0) or np.all(x < 0)):
        raise InputError(
            f"{what}: the {'log ' if log else ''}values change sign (or are 0), so the "
            "relative transition X_it / mean X_t is not defined",
            column=value,
            hint="rescale the values (e.g. ×100 so that every log is positive)",
        )
    return pd.DataFrame(x, index=raw.index, columns=raw.columns), raw


def _t_start(trim: float, periods: int) -> int:
    return max(math.floor(trim * periods), 1) + 1


def _check_trim(trim: float, periods: int) -> None:
    if not 0 <= trim < 1:
        raise InputError(f"trim={trim}", hint="use a fraction in [0, 1), 0.3 as Phillips & Sul")
    points = periods - _t_start(trim, periods) + 1
    if points < _MIN_POINTS:
        raise InputError(
            f"{periods} period(s) leave {max(points, 0)} for the log t regression after "
            f"trimming {trim}; it needs at least {_MIN_POINTS}",
            column="year",
            hint="use more years (Phillips & Sul: T ≥ 20 is comfortable) or a smaller trim",
        )
    if points < _FEW_POINTS:
        warnings.warn(
            f"the log t regression has only {points} periods ({periods} years, trim {trim}); "
            "the test and the clubs are unreliable",
            NQPFWarning,
            stacklevel=3,
        )


def _check_hac(hac: str) -> None:
    if hac not in ("nw", "qs"):
        raise InputError(f"hac={hac!r}", hint="use 'nw' (Newey–West) or 'qs' (quadratic spectral)")


def _log_t(
    x: np.ndarray, trim: float, hac_lags: int | None, hac: str = "nw"
) -> tuple[float, float, float, int]:
    """(b, se, t, lags) of the log t regression on the rows of ``x`` (regions × periods)."""
    y, design = _log_t_series(x, trim)
    if hac == "qs":
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        b = float(coef[1])
        omega = _qs_long_run_variance(y - design @ coef)
        se = math.sqrt(omega * float(np.linalg.inv(design.T @ design)[1, 1]))
        lags = 0
    else:
        import statsmodels.api as sm

        lags = hac_lags if hac_lags is not None else math.floor(4 * (len(y) / 100) ** (2 / 9))
        fit = sm.OLS(y, design).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
        b = float(fit.params[1])
        se = float(fit.bse[1])
    t = b / se if se > 0 else (math.inf if b >= 0 else -math.inf)
    return b, se, t, lags


def _qs_long_run_variance(u: np.ndarray) -> float:
    """Long-run variance of ``u``: quadratic-spectral kernel, Andrews (1991) AR(1) plug-in
    bandwidth S = 1.3221 (α̂(2) n)^(1/5), α̂(2) = 4ρ̂² / (1 − ρ̂)⁴."""
    n = len(u)
    gamma = np.array([u[j:] @ u[: n - j] / n for j in range(n)])
    denom = float(u[:-1] @ u[:-1])
    rho = float(u[:-1] @ u[1:]) / denom if denom > 0 else 0.0
    if rho == 0 or abs(rho) >= 1:
        return float(gamma[0])
    bandwidth = 1.3221 * (4 * rho**2 / (1 - rho) ** 4 * n) ** 0.2
    z = 6 * np.pi * (np.arange(1, n) / bandwidth) / 5
    kernel = 3 / z**2 * (np.sin(z) / z - np.cos(z))
    return max(float(gamma[0] + 2 * kernel @ gamma[1:]), 0.0)


def _log_t_series(x: np.ndarray, trim: float) -> tuple[np.ndarray, np.ndarray]:
    """Regressand log(H_1/H_t) − 2 log log t and design [1, log t] for t = [rT]+1 … T."""
    periods = x.shape[1]
    h = x / x.mean(axis=0)
    big_h = ((h - 1) ** 2).mean(axis=0)
    # an exactly converged group (H = 0) is floored so the logs stay finite
    big_h = np.maximum(big_h, np.finfo(float).tiny)
    t = np.arange(_t_start(trim, periods), periods + 1, dtype=float)
    y = np.log(big_h[0] / big_h[t.astype(int) - 1]) - 2 * np.log(np.log(t))
    design = np.column_stack([np.ones_like(t), np.log(t)])
    return y, design


def _order_values(x: pd.DataFrame, order_by: str | float) -> pd.Series:
    if order_by == "last":
        return x.iloc[:, -1]
    if isinstance(order_by, int | float) and 0 < order_by <= 1:
        n = max(1, math.ceil(order_by * x.shape[1]))
        return x.iloc[:, -n:].mean(axis=1)
    raise InputError(f"order_by={order_by!r}", hint="use 'last' or a fraction in (0, 1]")


def _find_clubs(remaining: list[int], stat: _Stat, c: float, c_step: float) -> list[list[int]]:
    clubs: list[list[int]] = []
    while len(remaining) >= 2:
        if stat(remaining) > CRITICAL_T:
            clubs.append(remaining)
            break
        core = _core(remaining, stat)
        if core is None:
            break
        club = _sieve(core, remaining, stat, c, c_step)
        clubs.append(club)
        remaining = [i for i in remaining if i not in club]
    return clubs


def _core(remaining: list[int], stat: _Stat) -> list[int] | None:
    for start in range(len(remaining) - 1):
        if stat(remaining[start : start + 2]) <= CRITICAL_T:
            continue
        best_k, best_t = 2, stat(remaining[start : start + 2])
        for k in range(3, len(remaining) - start + 1):
            t_k = stat(remaining[start : start + k])
            if t_k <= CRITICAL_T:
                break
            if t_k > best_t:
                best_k, best_t = k, t_k
        return remaining[start : start + best_k]
    return None


def _sieve(
    core: list[int], remaining: list[int], stat: _Stat, c: float, c_step: float
) -> list[int]:
    others = [i for i in remaining if i not in core]
    scores = {j: stat(sorted([*core, j])) for j in others}
    while True:
        joiners = [j for j in others if scores[j] > c]
        if not joiners:
            return core
        club = sorted([*core, *joiners])
        if stat(club) > CRITICAL_T:
            return club
        c += c_step


def _merge(clubs: list[list[int]], stat: _Stat) -> list[list[int]]:
    clubs = [list(c) for c in clubs]
    changed = True
    while changed and len(clubs) > 1:
        changed = False
        merged: list[list[int]] = [clubs[0]]
        for club in clubs[1:]:
            joint = sorted([*merged[-1], *club])
            if stat(joint) > CRITICAL_T:
                merged[-1] = joint
                changed = True
            else:
                merged.append(club)
        clubs = merged
    return clubs


def _club_tests(
    clubs: list[list[int]], values: np.ndarray, trim: float, hac_lags: int | None, hac: str
) -> pd.DataFrame:
    rows = []
    for k, members in enumerate(clubs, start=1):
        b, se, t, _ = _log_t(values[members], trim, hac_lags, hac)
        rows.append(
            {
                "club": k,
                "n_regions": len(members),
                "beta": b,
                "se": se,
                "t": t,
                "converges": bool(t > CRITICAL_T),
            }
        )
    return pd.DataFrame(rows, columns=["club", "n_regions", "beta", "se", "t", "converges"])


def _with_divergent(
    tests: pd.DataFrame,
    divergent: list[int],
    values: np.ndarray,
    trim: float,
    hac_lags: int | None,
    hac: str,
) -> pd.DataFrame:
    if len(divergent) < 2:
        return tests
    b, se, t, _ = _log_t(values[divergent], trim, hac_lags, hac)
    row = pd.DataFrame(
        [
            {
                "club": 0,
                "n_regions": len(divergent),
                "beta": b,
                "se": se,
                "t": t,
                "converges": bool(t > CRITICAL_T),
            }
        ]
    )
    return pd.concat([tests, row], ignore_index=True) if len(tests) else row


def _name(code: str) -> str | None:
    from nqpf.regions import region_label

    return region_label(code)
