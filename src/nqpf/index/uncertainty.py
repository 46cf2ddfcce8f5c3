"""Uncertainty and sensitivity analysis of the ranks over the construction choices.

Each construction choice is a discrete *factor* with a list of levels (the assessment's own
choice first). A factor u ∈ [0, 1) maps to level ``⌊u · L⌋`` of its L levels. Factors:

==============  ==========================================================================
normalize       minmax, max (ratio to maximum), rank
weights         entropy, critic, entropy+critic (combined as in the assessment), equal
aggregate       linear, geometric, topsis
entropy_shift   0·ln 0 = 0, or ε = 1e-5 (only changes results where entropy is used)
exclude         none, or leave one indicator out (its siblings' weights rescale)
impute          only when the data have gaps: the chosen chain, or linear → ffill_bfill →
                group_mean / year_mean → column_mean, or ffill_bfill → column_mean
==============  ==========================================================================

Design: Saltelli's scheme on a scrambled Sobol sequence (SALib ``sample.sobol``, without
second-order terms), N base samples (rounded up to a power of two) → N·(D + 2) runs for D factors
with more than one level. Many runs share the same discrete configuration; each distinct
configuration is computed once and its ranks reused.

Outputs:

* per region-year: the nominal rank, the median rank and the 5–95 % rank band over all runs;
* first-order (S1) and total (ST) Sobol indices (Saltelli 2010 / Jansen estimators as in SALib
  ``analyze.sobol``) of each factor for the scalar output
  ``Y = mean over region-years of |rank − nominal rank|`` (the mean absolute rank shift, as in
  Saisana, Saltelli & Tarantola 2005, J. R. Stat. Soc. A 168, 307–323).

References: Saltelli et al. (2010), Comput. Phys. Commun. 181, 259–270; OECD/JRC (2008)
*Handbook on Constructing Composite Indicators*, step 7.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.index.construct import Construction, composite_index, drop_indicator, prepare
from nqpf.index.framework import Framework

__all__ = ["FACTORS", "UncertaintyResult", "default_levels", "run_uncertainty"]

FACTORS: tuple[str, ...] = (
    "normalize",
    "weights",
    "aggregate",
    "entropy_shift",
    "exclude",
    "impute",
)

#: Shift ε of the entropy weights used as the alternative level (the papers' value).
PAPERS_ENTROPY_SHIFT = 1e-5

#: Upper bound of values held per chunk when taking rank quantiles (memory ≈ 8 bytes each).
_CHUNK_VALUES = 20_000_000


@dataclass
class UncertaintyResult:
    """Rank bands per region-year and Sobol indices per construction factor."""

    ranks: pd.DataFrame
    sobol: pd.DataFrame
    levels: dict[str, list[Any]]
    n_runs: int
    n_configurations: int
    output: str = "mean absolute rank shift"


def default_levels(
    construction: Construction, framework: Framework, *, has_gaps: bool, has_groups: bool
) -> dict[str, list[Any]]:
    """Levels of every factor, the assessment's own choice first.

    Under z-score normalisation the normalised values are negative for below-average
    regions, where entropy weights and geometric aggregation are undefined; the alternatives
    are then only the methods defined for any real values (CRITIC and equal weights; linear
    and TOPSIS aggregation), and the ε shift of entropy does not vary.
    """

    def first(nominal: Any, others: Sequence[Any]) -> list[Any]:
        return [nominal, *[o for o in others if o != nominal]]

    signed = construction.normalize == "zscore"
    weights_alts: list[tuple[str, ...]] = (
        [("critic",), ("equal",)]
        if signed
        else [("entropy",), ("critic",), ("entropy", "critic"), ("equal",)]
    )
    aggregates = ["linear", "topsis"] if signed else ["linear", "geometric", "topsis"]
    shifts = [] if signed else [None, PAPERS_ENTROPY_SHIFT]
    # each alternative ends in a step that fills every remaining gap
    imputes = [
        *(["linear,ffill_bfill,group_mean,column_mean"] if has_groups else []),
        "linear,ffill_bfill,year_mean,column_mean",
        "ffill_bfill,column_mean",
    ]
    return {
        "normalize": first(construction.normalize, ["minmax", "max", "rank"]),
        "weights": first(construction.weights, weights_alts),
        "aggregate": first(construction.aggregate, aggregates),
        "entropy_shift": first(construction.entropy_shift, shifts),
        "exclude": [None, *framework.indicator_ids],
        "impute": first(construction.impute, imputes) if has_gaps else [construction.impute],
    }


def run_uncertainty(
    wide: pd.DataFrame,
    framework: Framework,
    construction: Construction,
    nominal: pd.DataFrame,
    *,
    n: int,
    seed: int = 20250101,
    levels: Mapping[str, Sequence[Any]] | None = None,
    groups: Mapping[str, str] | None = None,
    targets: Mapping[str, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UncertaintyResult:
    """Sobol uncertainty analysis of the ranks (see module docstring).

    Parameters
    ----------
    wide, framework, construction:
        The raw wide data and the nominal construction of the assessment.
    nominal:
        The assessment's scores (region, year, rank).
    n:
        Base sample size (rounded up to a power of two).
    levels:
        Override the levels of some factors (``{"aggregate": ["linear"]}`` fixes a factor).
    progress:
        ``progress(done, total)`` called as distinct configurations are computed.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if n < 1:
        raise InputError(f"uncertainty sample size {n} < 1", column="uncertainty")
    all_levels = default_levels(
        construction,
        framework,
        has_gaps=bool(wide.isna().to_numpy().any()),
        has_groups=groups is not None,
    )
    for name, values in (levels or {}).items():
        if name not in all_levels:
            raise InputError(
                f"unknown uncertainty factor {name!r}",
                column=name,
                hint=f"factors: {', '.join(FACTORS)}",
            )
        if not values:
            raise InputError(f"factor {name!r} has no levels", column=name)
        all_levels[name] = list(values)
    varying = [f for f in FACTORS if len(all_levels[f]) > 1]

    keys = pd.MultiIndex.from_frame(nominal[["region", "year"]].astype({"region": str}))
    nominal_rank = nominal["rank"].to_numpy(dtype=np.int32)
    years = nominal["year"].to_numpy()

    n_base = 1 << max(0, math.ceil(math.log2(n)))
    if varying:
        problem = {
            "num_vars": len(varying),
            "names": varying,
            "bounds": [[0.0, 1.0]] * len(varying),
        }
        u = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
        codes = np.column_stack(
            [
                np.minimum((u[:, k] * len(all_levels[f])).astype(int), len(all_levels[f]) - 1)
                for k, f in enumerate(varying)
            ]
        )
    else:
        problem = {}
        codes = np.zeros((1, 0), dtype=int)
    distinct, config_of_run = np.unique(codes, axis=0, return_inverse=True)
    config_of_run = config_of_run.ravel()

    engine = _Engine(wide, framework, construction, groups, targets)
    ranks = np.empty((len(distinct), len(keys)), dtype=np.int32)
    for c, row in enumerate(distinct):
        choice = {f: all_levels[f][0] for f in FACTORS}
        choice.update({f: all_levels[f][int(code)] for f, code in zip(varying, row, strict=True)})
        ranks[c] = _year_ranks(engine.aligned(choice, keys), years)
        if progress is not None:
            progress(c + 1, len(distinct))

    shift = np.abs(ranks - nominal_rank).mean(axis=1)
    y = shift[config_of_run]
    q05, q50, q95 = _rank_quantiles(ranks, config_of_run)
    table = nominal[["region", "year", "rank"]].copy()
    if "region_name" in nominal.columns:
        table.insert(1, "region_name", nominal["region_name"])
    table["median_rank"] = q50
    table["rank_p05"] = q05
    table["rank_p95"] = q95

    rows = []
    if varying and float(np.var(y)) > 0:
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        for k, f in enumerate(varying):
            rows.append(
                {
                    "factor": f,
                    "n_levels": len(all_levels[f]),
                    "S1": float(si["S1"][k]),
                    "S1_conf": float(si["S1_conf"][k]),
                    "ST": float(si["ST"][k]),
                    "ST_conf": float(si["ST_conf"][k]),
                }
            )
    else:
        rows = [
            {
                "factor": f,
                "n_levels": len(all_levels[f]),
                "S1": 0.0,
                "S1_conf": 0.0,
                "ST": 0.0,
                "ST_conf": 0.0,
            }
            for f in varying
        ]
    return UncertaintyResult(
        ranks=table.reset_index(drop=True),
        sobol=pd.DataFrame(rows, columns=["factor", "n_levels", "S1", "S1_conf", "ST", "ST_conf"]),
        levels={f: [_show(v) for v in all_levels[f]] for f in FACTORS},
        n_runs=len(config_of_run),
        n_configurations=len(distinct),
    )


class _Engine:
    """Computes the index of one configuration, caching imputed and normalised matrices."""

    def __init__(
        self,
        wide: pd.DataFrame,
        framework: Framework,
        construction: Construction,
        groups: Mapping[str, str] | None,
        targets: Mapping[str, float] | None,
    ) -> None:
        self.wide = wide
        self.framework = framework
        self.construction = construction
        self.groups = groups
        self.targets = targets
        self._prepared: dict[tuple[str, str], pd.DataFrame] = {}
        self._frameworks: dict[str | None, Framework] = {}
        self._positions: tuple[pd.Index, np.ndarray[Any, Any]] | None = None

    def aligned(self, choice: Mapping[str, Any], keys: pd.Index) -> np.ndarray[Any, Any]:
        """The index of ``choice`` as floats in the order of ``keys`` (NaN where absent).

        Every configuration indexes the same region-years, so the positions of ``keys``
        are found once and reused (a MultiIndex reindex per configuration cost more than
        the index itself)."""
        series = self.index(choice)
        cached = self._positions
        if cached is None or not (cached[0] is series.index or cached[0].equals(series.index)):
            cached = (series.index, series.index.get_indexer(keys))
            self._positions = cached
        positions = cached[1]
        values = series.to_numpy(dtype=float)
        out: np.ndarray[Any, Any] = np.where(positions >= 0, values[positions], np.nan)
        return out

    def index(self, choice: Mapping[str, Any]) -> pd.Series:
        c = replace(
            self.construction,
            normalize=choice["normalize"],
            weights=tuple(choice["weights"]),
            aggregate=choice["aggregate"],
            entropy_shift=choice["entropy_shift"],
            impute=choice["impute"],
        )
        key = (c.impute, c.normalize)
        if key not in self._prepared:
            _, _, norm = prepare(
                self.wide, self.framework, c, groups=self.groups, targets=self.targets
            )
            self._prepared[key] = norm
        norm = self._prepared[key]
        excluded = choice["exclude"]
        if excluded not in self._frameworks:
            self._frameworks[excluded] = (
                self.framework if excluded is None else drop_indicator(self.framework, excluded)
            )
        return composite_index(norm, self._frameworks[excluded], c)


def _year_ranks(values: np.ndarray[Any, Any], years: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Ranks within each year, 1 = highest, ties get the smallest rank (pandas method="min"),
    from one sort by (year, −value): a run of equal values takes the rank of its first."""
    order = np.lexsort((-values, years))
    v, y = values[order], years[order]
    new_year = np.ones(len(v), dtype=bool)
    new_year[1:] = y[1:] != y[:-1]
    new_value = new_year.copy()
    new_value[1:] |= v[1:] != v[:-1]
    position = np.arange(len(v))
    year_start = np.maximum.accumulate(np.where(new_year, position, 0))
    run_start = np.maximum.accumulate(np.where(new_value, position, 0))
    ranks = np.empty(len(v), dtype=np.int32)
    ranks[order] = run_start - year_start + 1
    return ranks


def _rank_quantiles(
    ranks: np.ndarray[Any, Any], config_of_run: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """5 %, 50 % and 95 % quantiles over runs of each column's rank (linear interpolation)."""
    n_rows = ranks.shape[1]
    chunk = max(1, _CHUNK_VALUES // max(1, len(config_of_run)))
    out = np.empty((3, n_rows))
    for start in range(0, n_rows, chunk):
        block = ranks[:, start : start + chunk][config_of_run]
        out[:, start : start + chunk] = np.quantile(block, [0.05, 0.5, 0.95], axis=0)
    return out[0], out[1], out[2]


def _show(value: Any) -> Any:
    if isinstance(value, tuple):
        return "+".join(value)
    return "none" if value is None else value
