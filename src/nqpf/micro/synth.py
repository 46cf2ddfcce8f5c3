"""Synthetic firm records (合成数据) calibrated to the census county × section marginals.

**The records are synthetic.** They exist to test and benchmark the microdata pipeline at
any size, never to describe a real economy; every file written here carries the Parquet
metadata key ``nqpf.synthetic`` and the store's import log records it, and every table
built from them says so.

Calibration target: the 2020 census employment by county and GB/T 4754 section (第七次
全国人口普查长表, packaged as ``census_industry``; 2,943 county-level units × 20 sections).
The ``n`` firms are apportioned to the county × section cells in proportion to census
employment by the largest-remainder (Hamilton) method, so every cell holds ⌊n·p⌋ or ⌈n·p⌉
firms, where p is the cell's share of national employment — the county × section joint
distribution, and with it both marginals, is reproduced to within one firm per cell (the
stated tolerance, checked in ``tests/test_micro.py``). Firms per cell proportional to
employment is a modelling choice (real registries have more small firms in services).

Drawn with ``numpy.random.default_rng`` from ``seed`` (the same ``n`` and ``seed`` give the
same records, in chunks of :data:`CHUNK_ROWS`):

* industry: a GB/T 4754-2017 division of the section (weights ∝ 1/rank), then one of
  14 *placeholder* 4-digit codes in it (``DDGC``, group 1–3, class 1–5; weights ∝ 1/rank) —
  real division numbers, made-up classes (≈1,360 codes, as many as the 1,380 real classes);
* registration date: year in ``first … last`` with weights ∝ 1.08^(year − first) (the
  registry's growth), day uniform;
* exit: 35 % of firms close after an exponential lifetime (mean 6 years); closures after
  31 December of ``last`` are left open;
* capital: log-normal, median 100 万元, σ = 1.2, to 0.01 万元.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = [
    "CHUNK_ROWS",
    "SYNTHETIC_NOTE",
    "census_targets",
    "synthetic_firms",
    "write_synthetic_firms",
]

CHUNK_ROWS = 1_000_000
SYNTHETIC_NOTE = (
    "合成数据 synthetic firm records from nqpf.micro.synth, calibrated to the 2020 census "
    "county × section employment; not real firms"
)
_CLASSES_PER_DIVISION = 14
_EXIT_SHARE = 0.35
_MEAN_LIFETIME_DAYS = 6 * 365.25
_GROWTH = 1.08
_CAPITAL_MEDIAN = 100.0
_CAPITAL_SIGMA = 1.2


@cache
def census_targets() -> pd.DataFrame:
    """``region, section, share``: each county × section cell's share of the 2020 census
    employment of all counties (shares sum to 1)."""
    from nqpf.data import load_census_industry

    census = load_census_industry(2020, level="county")
    cells = census.groupby(["code", "section"], as_index=False)["value"].sum()
    cells = cells[cells["value"] > 0].sort_values(["code", "section"], ignore_index=True)
    return pd.DataFrame(
        {
            "region": cells["code"].astype(str),
            "section": cells["section"].astype(str),
            "share": cells["value"] / cells["value"].sum(),
        }
    )


def apportion(n: int, shares: np.ndarray, *, seed: int) -> np.ndarray:
    """Hamilton (largest-remainder) apportionment of ``n`` to ``shares`` (ties broken at
    random from ``seed``): each count is ⌊n·p⌋ or ⌈n·p⌉ and they sum to ``n``.

    >>> apportion(10, np.array([0.56, 0.24, 0.2]), seed=0).tolist()
    [6, 2, 2]
    """
    quota = n * shares
    counts: np.ndarray = np.floor(quota).astype(np.int64)
    left = n - int(counts.sum())
    if left:
        tiebreak = np.random.default_rng(seed).random(len(shares))
        order = np.lexsort((tiebreak, -(quota - counts)))
        counts[order[:left]] += 1
    return counts


@cache
def _divisions() -> dict[str, tuple[str, ...]]:
    from nqpf.micro.codes import division_concordance

    c = division_concordance()
    out: dict[str, list[str]] = {}
    for division, section in zip(c["division_2017"], c["section_2017"], strict=True):
        out.setdefault(section, []).append(division)
    out["N"].append("79")
    return {s: tuple(sorted(d)) for s, d in out.items()}


def _zipf(k: int) -> np.ndarray:
    w = 1.0 / np.arange(1, k + 1)
    return np.asarray(w / w.sum())


def synthetic_firms(
    n: int, *, seed: int = 0, first: int = 2000, last: int = 2024
) -> Iterator[pd.DataFrame]:
    """The ``n`` synthetic firm records in chunks of at most :data:`CHUNK_ROWS` (columns
    ``id, name, region, section, industry, registered, exited, capital``; see the module
    docstring)."""
    for chunk in _chunks(n, seed=seed, first=first, last=last):
        yield chunk.to_pandas()


def _chunks(n: int, *, seed: int, first: int, last: int) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"the number of firms must be a whole number ≥ 1, not {n!r}")
    if not 1950 <= first <= last <= dt.date.today().year:
        raise InputError(f"registration years {first}–{last} must be within 1950–this year")
    targets = census_targets()
    counts = apportion(n, targets["share"].to_numpy(), seed=seed)
    bounds = np.cumsum(counts)
    regions = targets["region"].to_numpy(dtype="U6")
    sections = targets["section"].to_numpy(dtype="U1")
    codes = {
        sec: np.array(
            [f"{d}{1 + c // 5}{1 + c % 5}" for d in divs for c in range(_CLASSES_PER_DIVISION)]
        )
        for sec, divs in _divisions().items()
    }
    years = np.arange(first, last + 1)
    year_p = _GROWTH ** (years - first)
    year_p = year_p / year_p.sum()
    jan1 = np.array([f"{y}-01-01" for y in years], dtype="datetime64[D]").astype(np.int64)
    days = (
        np.array([f"{y + 1}-01-01" for y in years], dtype="datetime64[D]").astype(np.int64) - jan1
    )
    end_day = np.datetime64(f"{last}-12-31").astype(np.int64)
    for index, lo in enumerate(range(0, n, CHUNK_ROWS)):
        hi = min(n, lo + CHUNK_ROWS)
        rng = np.random.default_rng([seed, index])
        rows = np.arange(lo, hi)
        cell = np.searchsorted(bounds, rows, side="right")
        section = sections[cell]
        industry = np.empty(len(rows), dtype="U4")
        for sec in np.unique(section):
            where = np.flatnonzero(section == sec)
            divisions = len(_divisions()[str(sec)])
            division = rng.choice(divisions, size=len(where), p=_zipf(divisions))
            k = rng.choice(_CLASSES_PER_DIVISION, size=len(where), p=_zipf(_CLASSES_PER_DIVISION))
            industry[where] = codes[str(sec)][division * _CLASSES_PER_DIVISION + k]
        pick = rng.choice(len(years), size=len(rows), p=year_p)
        registered = jan1[pick] + np.floor(rng.random(len(rows)) * days[pick]).astype(np.int64)
        lifetime = np.ceil(rng.exponential(_MEAN_LIFETIME_DAYS, len(rows))).astype(np.int64)
        closes = rng.random(len(rows)) < _EXIT_SHARE
        exit_day = registered + lifetime
        capital = np.round(_CAPITAL_MEDIAN * np.exp(rng.normal(0.0, _CAPITAL_SIGMA, len(rows))), 2)
        number = pc.cast(pa.array(rows), pa.string())
        yield pa.table(
            {
                "id": pc.binary_join_element_wise("S", pc.utf8_lpad(number, 17, "0"), ""),
                "name": pc.binary_join_element_wise("合成企业", number, ""),
                "region": pa.array(regions[cell]),
                "section": pa.array(section),
                "industry": pa.array(industry),
                "registered": pa.array(registered.astype(np.int32), pa.int32()).cast(pa.date32()),
                "exited": pa.array(
                    exit_day.astype(np.int32), pa.int32(), mask=~closes | (exit_day > end_day)
                ).cast(pa.date32()),
                "capital": pa.array(capital),
            }
        )


def write_synthetic_firms(
    path: str | Path, n: int, *, seed: int = 0, first: int = 2000, last: int = 2024
) -> Path:
    """Write :func:`synthetic_firms` to one Parquet file, chunk by chunk (memory stays at
    one chunk), atomically, with the ``nqpf.synthetic`` metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from nqpf.micro.store import SYNTHETIC_KEY
    from nqpf.outputs import atomic_path

    target = Path(path)
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("name", pa.string()),
            ("region", pa.string()),
            ("section", pa.string()),
            ("industry", pa.string()),
            ("registered", pa.date32()),
            ("exited", pa.date32()),
            ("capital", pa.float64()),
        ],
        metadata={
            SYNTHETIC_KEY: SYNTHETIC_NOTE.encode(),
            b"nqpf.synthetic.spec": f"n={n} seed={seed} years={first}-{last}".encode(),
        },
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp, pq.ParquetWriter(tmp, schema) as writer:
        for chunk in _chunks(n, seed=seed, first=first, last=last):
            writer.write_table(chunk.replace_schema_metadata(schema.metadata))
    return target
