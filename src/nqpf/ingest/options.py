"""Validation of options given by users (command line, API, services), done once at the edge.

Every check raises :class:`~nqpf.errors.InputError` with the option's name, the allowed
values and what to do — never lets a bad value reach the analysis, where it would show up
as an empty table, a silent default or an 80 GiB allocation.

* Years lie in :data:`YEAR_RANGE` (1949–2100, the span of PRC statistics and of any
  plausible plan); a range ``2018-2023`` must not run backwards.
* Counts (``--uncertainty``, ``--bootstrap``, ``--top``) lie in stated ranges.
* Work whose memory can be estimated beforehand (Sobol runs, bootstrap replicates) is
  refused before allocation when the estimate exceeds :data:`MEMORY_BUDGET`.

>>> parse_years(["2018-2020", "2023"])
[2018, 2019, 2020, 2023]
>>> check_choice("en", ("zh", "en"), option="--lang")
'en'
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from typing import TypeVar

from nqpf.errors import InputError

__all__ = [
    "MEMORY_BUDGET",
    "YEAR_RANGE",
    "bootstrap_bytes",
    "check_choice",
    "check_memory",
    "check_range",
    "check_years",
    "parse_years",
    "uncertainty_bytes",
]

#: Years any option or file may name.
YEAR_RANGE = (1949, 2100)
#: Largest working memory NQPF allocates for one analysis, in bytes (default 4 GiB; the
#: environment variable ``NQPF_MAX_MEMORY_GB`` changes it).
MEMORY_BUDGET = int(float(os.environ.get("NQPF_MAX_MEMORY_GB", "4")) * 1024**3)

T = TypeVar("T")


def check_range(
    value: float, *, option: str, low: float | None = None, high: float | None = None
) -> float:
    """``value`` if it is finite and within [low, high]; else a one-line error."""
    if not math.isfinite(value):
        raise InputError(
            f"{option} {value} is not a finite number",
        )
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "" if low is None else _num(low)
        hi = "" if high is None else _num(high)
        allowed = f"{lo} to {hi}" if lo and hi else (f"at least {lo}" if lo else f"at most {hi}")
        raise InputError(f"{option} {_num(value)} is out of range", hint=f"use {allowed}")
    return value


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def check_choice(value: T, choices: Sequence[T], *, option: str) -> T:
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise InputError(
            f"{option} {value!r} is not one of {', '.join(map(str, choices))}",
        )
    return value


def check_years(years: Iterable[int], *, option: str = "--year") -> list[int]:
    """Years as a list, each within :data:`YEAR_RANGE`."""
    out = [int(y) for y in years]
    for year in out:
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise InputError(
                f"{option} {year} is outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}",
                hint="`nqpf data list` shows the years each indicator covers",
            )
    return out


def parse_years(values: Sequence[str] | None, *, option: str = "--year") -> list[int] | None:
    """Years from ``2023``, ``2018-2023`` (or ``2018–2023``, ``2018..2023``) strings."""
    if not values:
        return None
    years: list[int] = []
    for value in values:
        text = value.strip().replace("–", "-").replace("..", "-")
        first, sep, last = text.partition("-")
        try:
            lo, hi = (int(first), int(last)) if sep else (int(text), int(text))
        except ValueError:
            raise InputError(
                f"not a year or range: {value!r}",
                hint="e.g. --year 2023 or --year 2018-2023",
            ) from None
        check_years([lo, hi], option=option)
        if lo > hi:
            raise InputError(
                f"the year range {value!r} runs backwards",
                hint=f"write it first year first: {option} {hi}-{lo}",
            )
        years += range(lo, hi + 1)
    return sorted(set(years))


def check_memory(needed: float, *, what: str, hint: str) -> None:
    """Refuse work whose estimated memory exceeds :data:`MEMORY_BUDGET`."""
    if needed > MEMORY_BUDGET:
        raise InputError(
            f"{what} would need about {needed / 1024**3:,.1f} GiB of memory, more than the "
            f"{MEMORY_BUDGET / 1024**3:g} GiB allowed",
            hint=hint + " (or raise NQPF_MAX_MEMORY_GB)",
        )


def uncertainty_bytes(n: int, *, factors: int, units: int) -> float:
    """Memory of a Sobol uncertainty analysis with base sample ``n`` (rounded up to a power
    of two): N·(D+2) runs of D factors (sample, level codes, their unique rows: about
    four float64 copies) plus one int32 rank per distinct configuration and region-year
    (at most one configuration per run)."""
    n_base = 1 << max(0, math.ceil(math.log2(max(n, 1))))
    runs = n_base * (factors + 2)
    return runs * factors * 8 * 4 + runs * units * 4


def bootstrap_bytes(replicates: int, *, regions: int) -> float:
    """Memory of Dagum bootstrap replicates (one year at a time): the resampled indices,
    values and weights (B × n each) and the pairwise differences the Gini needs
    (B × n × n), float64, with one temporary copy."""
    return replicates * (3 * regions + regions * regions) * 8 * 2
