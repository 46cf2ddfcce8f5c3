r"""Target tracking (合理设定目标): required growth, historical trend, projection, probability.

For a value y_0 in year t_0 and a target y* in year T > t_0:

* required annual growth   g* = (y*/y_0)^{1/(T−t_0)} − 1;
* historical CAGR          g  = (y_last/y_first)^{1/(t_last−t_first)} − 1;
* trend projection: OLS of ln y_t on t (constant growth; ``model="log_linear"``, default)
  or of y_t on t (``model="linear"``) with statsmodels; the prediction at T with its
  (1−α) *prediction* interval (for a new observation, not the mean):
  ŷ_T ± t_{α/2, n−2} · s · √(1 + 1/n + (T − t̄)² / Σ(t − t̄)²), back-transformed with exp
  for the log-linear model (a median projection);
* probability of reaching the target: P(Y_T ≥ y*) (``direction="+"``) or P(Y_T ≤ y*)
  (``"-"``, e.g. energy intensity) under the Student-t predictive distribution above;
* status: ``achieved`` (the latest value already meets the target), ``on track`` (the
  projection meets it), ``off track`` (it does not).

Growth rates need positive values (a CAGR of a series that crosses zero is undefined).

**National targets against every region** (:func:`against_statement`, 全国目标对照): a
statement from the policy library is either a *target* (value y* by year T, set in a
document of year d) or a *path* (from y_B in year B to y_Y in year Y, e.g. 研发投入强度从
2020年的2.41%提高到2024年的2.69%). For each region:

* a target with T after the region's latest data year: :func:`track` (required growth,
  CAGR, projection, probability, status);
* a target with T already in the data (ex post): start year t_s = d − 1 (the last year the
  document could know), required growth g* = (y*/y_{t_s})^{1/(T−t_s)} − 1 against the
  realised CAGR over t_s → T; status ``met`` (y_T reaches y*) or ``missed``;
* a path: the national pace g* = (y_Y/y_B)^{1/(Y−B)} − 1 against the region's own CAGR over
  B → Y; status ``on track`` (at least the national pace) or ``off track``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = [
    "Projection",
    "TargetCheck",
    "against_statement",
    "cagr",
    "project",
    "required_growth",
    "track",
    "track_panel",
]

Model = Literal["log_linear", "linear"]
Direction = Literal["+", "-"]
_MODELS = ("log_linear", "linear")


def required_growth(current: float, target: float, years: float) -> float:
    """Annual growth rate that takes ``current`` to ``target`` in ``years`` years.

    >>> round(required_growth(2.69, 3.2, 6), 6)
    0.029358
    """
    if years <= 0:
        raise InputError(
            f"the target year must be after the latest data year ({years:g} years ahead)"
        )
    if current <= 0 or target <= 0:
        raise InputError(
            f"growth rates need positive values (current {current:g}, target {target:g})"
        )
    return float((target / current) ** (1.0 / years) - 1.0)


def cagr(series: pd.Series) -> float:
    """Compound annual growth rate between the first and last year of a year-indexed series.

    >>> cagr(pd.Series({2020: 2.41, 2024: 2.69})).round(6)
    np.float64(0.02786)
    """
    s = series.dropna().sort_index()
    if len(s) < 2:
        raise InputError("a growth rate needs values in at least two years")
    if (s <= 0).any():
        raise InputError(f"growth rates need positive values (found {s.min():g} in {s.idxmin()})")
    span = float(s.index[-1] - s.index[0])
    return np.float64((s.iloc[-1] / s.iloc[0]) ** (1.0 / span) - 1.0)


@dataclass(frozen=True)
class Projection:
    year: int
    point: float
    lower: float
    upper: float
    location: float  # of the (possibly log) scale
    scale: float  # standard error of a new observation on that scale
    df: int
    model: Model


def project(
    series: pd.Series, year: int, *, model: Model = "log_linear", alpha: float = 0.1
) -> Projection:
    """Trend projection of a year-indexed series to ``year`` with a (1−α) prediction interval."""
    import statsmodels.api as sm

    if model not in _MODELS:
        raise InputError(f"unknown model {model!r}", hint=f"one of {', '.join(_MODELS)}")
    if not 0 < alpha < 1:
        raise InputError(f"alpha {alpha} must be in (0, 1)")
    s = series.dropna().sort_index()
    if len(s) < 3:
        raise InputError(f"a trend needs values in at least three years (found {len(s)})")
    y = s.to_numpy(dtype=float)
    if model == "log_linear":
        if (y <= 0).any():
            raise InputError(
                "the log-linear trend needs positive values", hint="use model='linear'"
            )
        y = np.log(y)
    t = s.index.to_numpy(dtype=float)
    fitted = sm.OLS(y, sm.add_constant(t)).fit()
    frame = fitted.get_prediction(np.array([[1.0, float(year)]])).summary_frame(alpha=alpha)
    location = float(frame["mean"].iloc[0])
    lower, upper = float(frame["obs_ci_lower"].iloc[0]), float(frame["obs_ci_upper"].iloc[0])
    # standard error of a new observation: √(se_mean² + σ̂²)
    scale = float(np.sqrt(frame["mean_se"].iloc[0] ** 2 + fitted.scale))
    back = np.exp if model == "log_linear" else (lambda v: v)
    return Projection(
        year=int(year),
        point=float(back(location)),
        lower=float(back(lower)),
        upper=float(back(upper)),
        location=location,
        scale=scale,
        df=int(fitted.df_resid),
        model=model,
    )


@dataclass(frozen=True)
class TargetCheck:
    """One region's trajectory against a target."""

    latest_year: int
    latest: float
    target: float
    target_year: int
    required_growth: float
    historical_cagr: float
    projection: Projection
    probability: float
    status: Literal["achieved", "on track", "off track"]

    def as_row(self) -> dict[str, float | int | str]:
        return {
            "latest_year": self.latest_year,
            "latest": self.latest,
            "target": self.target,
            "target_year": self.target_year,
            "required_growth": self.required_growth,
            "historical_cagr": self.historical_cagr,
            "projection": self.projection.point,
            "projection_lower": self.projection.lower,
            "projection_upper": self.projection.upper,
            "probability": self.probability,
            "status": self.status,
        }


def track(
    series: pd.Series,
    target: float,
    year: int,
    *,
    direction: Direction = "+",
    model: Model = "log_linear",
    alpha: float = 0.1,
) -> TargetCheck:
    """Check a year-indexed series against ``target`` in ``year`` (see the module docstring)."""
    from scipy import stats

    if direction not in ("+", "-"):
        raise InputError(f"direction {direction!r} must be '+' or '-'")
    s = series.dropna().sort_index()
    if s.empty:
        raise InputError("no values to track")
    latest_year, latest = int(s.index[-1]), float(s.iloc[-1])
    if year <= latest_year:
        raise InputError(
            f"the target year {year} is not after the latest data year {latest_year}",
            hint="give a future year (--by)",
        )
    needed = required_growth(latest, target, year - latest_year)
    history = float(cagr(s))
    proj = project(s, year, model=model, alpha=alpha)
    goal = np.log(target) if model == "log_linear" else target
    if proj.scale > 0:
        z = (goal - proj.location) / proj.scale
        below = float(stats.t.cdf(z, proj.df))
    else:
        below = float(proj.location < goal)
    probability = 1.0 - below if direction == "+" else below
    meets = (latest >= target) if direction == "+" else (latest <= target)
    on_track = (proj.point >= target) if direction == "+" else (proj.point <= target)
    status: Literal["achieved", "on track", "off track"] = (
        "achieved" if meets else "on track" if on_track else "off track"
    )
    return TargetCheck(
        latest_year, latest, float(target), int(year), needed, history, proj, probability, status
    )


def track_panel(
    panel: pd.DataFrame,
    target: float,
    year: int,
    *,
    direction: Direction = "+",
    model: Model = "log_linear",
    alpha: float = 0.1,
) -> pd.DataFrame:
    """:func:`track` for every region of a long ``region, year, value`` panel."""
    rows = []
    for region, part in panel.groupby("region", sort=True):
        series = part.set_index("year")["value"].astype(float)
        rows.append(
            {
                "region": region,
                **track(
                    series, target, year, direction=direction, model=model, alpha=alpha
                ).as_row(),
            }
        )
    return pd.DataFrame(rows)


def _value_at(series: pd.Series, year: int) -> float:
    return float(series.loc[year]) if year in series.index else float("nan")


def against_statement(
    panel: pd.DataFrame,
    *,
    kind: Literal["target", "path"],
    value: float,
    year: int,
    base_value: float | None = None,
    base_year: int | None = None,
    document_year: int | None = None,
    direction: Direction = "+",
    model: Model = "log_linear",
    alpha: float = 0.1,
) -> pd.DataFrame:
    """Every region of a long ``region, year, value`` panel against one national target or
    path (see the module docstring). One row per region: ``mode`` (``ahead``, ``ex post``,
    ``path``), start year and value, end year and value, ``required_growth``,
    ``historical_cagr``, ``status`` and, ahead, the projection and probability."""
    if kind not in ("target", "path"):
        raise InputError(f"unknown statement kind {kind!r}", hint="target or path")
    if direction not in ("+", "-"):
        raise InputError(f"direction {direction!r} must be '+' or '-'")
    if kind == "path":
        if base_value is None or base_year is None or not base_year < year:
            raise InputError("a path needs a base value and a base year before its end year")
        pace = required_growth(base_value, value, year - base_year)
    rows: list[dict[str, object]] = []
    for region, part in panel.groupby("region", sort=True):
        s = part.set_index("year")["value"].astype(float).dropna().sort_index()
        if s.empty:
            continue
        s.index = s.index.astype(int)
        row: dict[str, object] = {"region": region}
        if kind == "target" and year > int(s.index[-1]):
            try:
                check = track(s, value, year, direction=direction, model=model, alpha=alpha)
            except InputError:  # too short or non-positive: this region cannot be tracked
                row |= {"mode": "ahead", "start_year": int(s.index[-1]), "start": s.iloc[-1]}
                row |= {"end_year": year, "end": float("nan"), "status": "no data"}
                rows.append(row)
                continue
            row |= {"mode": "ahead", "start_year": check.latest_year, "start": check.latest}
            row |= {"end_year": year, "end": float("nan")}
            row |= {
                "required_growth": check.required_growth,
                "historical_cagr": check.historical_cagr,
                "projection": check.projection.point,
                "probability": check.probability,
                "status": check.status,
            }
        else:
            if kind == "target":
                first = (document_year - 1) if document_year is not None else int(s.index[0])
                mode = "ex post"
            else:
                assert base_year is not None
                first, mode = base_year, "path"
            start, end = _value_at(s, first), _value_at(s, year)
            row |= {"mode": mode, "start_year": first, "start": start}
            row |= {"end_year": year, "end": end}
            if np.isnan(start) or np.isnan(end) or start <= 0 or end <= 0:
                row |= {
                    "required_growth": pace if kind == "path" else float("nan"),
                    "historical_cagr": float("nan"),
                }
                row["status"] = "no data"
            else:
                realised = float(cagr(pd.Series({first: start, year: end})))
                if kind == "target":
                    needed = required_growth(start, value, year - first)
                    reached = end >= value if direction == "+" else end <= value
                    status = "met" if reached else "missed"
                else:
                    needed = pace
                    keeps = realised >= pace if direction == "+" else realised <= pace
                    status = "on track" if keeps else "off track"
                row |= {"required_growth": needed, "historical_cagr": realised, "status": status}
            row |= {"projection": float("nan"), "probability": float("nan")}
        rows.append(row)
    columns = [
        "region", "mode", "start_year", "start", "end_year", "end", "required_growth",
        "historical_cagr", "projection", "probability", "status",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
