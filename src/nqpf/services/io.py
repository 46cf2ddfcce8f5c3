"""Input-output analysis on the packaged national tables (2017, 2018, 2020).

:func:`load_io` turns a packaged tidy table into an :class:`~nqpf.chain.io.IOTable`;
:func:`io_linkages` runs :func:`nqpf.chain.io.linkages` on it; :func:`compare_years`
puts several years on one classification through the concordance in
``nqpf/chain/io_concordance.yaml`` (153 sectors of 2018/2020 → 149 of 2017) and reports
how each sector's linkages moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, ClassVar, Literal

import pandas as pd
import yaml

from nqpf.chain.io import ForwardMethod, IOTable, aggregate, linkages
from nqpf.errors import InputError
from nqpf.results import ResultMixin, hash_spec

__all__ = [
    "IOCompareResult",
    "IOLinkagesResult",
    "compare_years",
    "concordance_153_to_149",
    "io_linkages",
    "io_provenance",
    "load_io",
]

Year = Literal[2017, 2018, 2020]
Sectors = Literal[42, 149, 153]
FlowScope = Literal["total", "domestic"]

#: Sector count of each packaged detailed table.
DETAILED = {2017: 149, 2018: 153, 2020: 153}


@lru_cache(maxsize=8)
def load_io(
    year: int = 2020, n_sectors: int | None = None, *, flows: FlowScope = "total"
) -> IOTable:
    """The national table of ``year`` (``n_sectors``: 42, or the detailed 149/153 default).

    ``flows="domestic"`` uses only domestically produced intermediate inputs — available for
    the non-competitive 42-sector tables only (the detailed tables are competitive-import).
    """
    from nqpf.data import io_sectors, load_io_table

    if year not in DETAILED:
        raise InputError(f"no input-output table for {year}", hint="use 2017, 2018 or 2020")
    n = DETAILED[year] if n_sectors is None else n_sectors
    if flows not in ("total", "domestic"):
        raise InputError(f"unknown flow scope {flows!r}", hint="total or domestic")
    tidy = load_io_table(year, n)  # type: ignore[arg-type]
    if flows == "domestic":
        if n != 42:
            raise InputError(
                f"the {year} {n}-sector table is competitive-import: it has no domestic flows",
                hint="use --sectors 42 for domestic flows",
            )
        tidy = tidy[tidy["row_origin"].isin(["Domestic", "Total"])]
    wide = tidy.pivot_table(index="row_code", columns="col_code", values="value", aggfunc="sum")
    codes = sorted(c for c in wide.columns if c.isdigit())
    z = wide.loc[codes, codes].fillna(0.0)
    output = pd.Series(wide.loc[codes, "GO"] if "GO" in wide.columns else wide.loc["TI", codes])
    meta = io_sectors(f"{year}_{n}")
    names = meta[meta["kind"] == "sector"].set_index("code")["name_zh"]
    wages = pd.Series(wide.loc["VA001", codes]) if "VA001" in wide.index else None
    return IOTable.from_flows(z, output, names=names, label=f"{year}_{n}", compensation=wages)


def io_provenance(labels: list[str]) -> pd.DataFrame:
    """One row per packaged table used (``2020_153`` …): publisher, route and unit."""
    return pd.DataFrame(
        {
            "table": labels,
            "dataset": [f"中国投入产出表 China input-output table {t}" for t in labels],
            "publisher": "国家统计局 NBS",
            "via": "ionet R package (github.com/Carol-seven/ionet, GPL-3)",
            "unit": "万元",
        }
    )


@dataclass
class IOLinkagesResult(ResultMixin):
    """Linkages of one national table (result protocol :mod:`nqpf.results`, kind
    ``io_linkages``): one row per sector with ``backward``/``forward`` (Rasmussen
    normalised), ``key_type``, output and income multipliers and the hypothetical-extraction
    losses; ``table`` names the packaged table (``2020_153``)."""

    main_table: ClassVar[str | None] = "linkages"

    spec: dict[str, Any]
    table: str
    linkages: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "io_linkages"

    @property
    def spec_hash(self) -> str:
        return hash_spec(self.spec, self.linkages)

    @property
    def provenance(self) -> pd.DataFrame:
        return io_provenance([self.table])

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"linkages": self.linkages}


@dataclass
class IOCompareResult(ResultMixin):
    """Linkages of several years on the 149 sectors of 2017 (kind ``io_compare``): the long
    table of :func:`compare_years`."""

    main_table: ClassVar[str | None] = "compare"

    spec: dict[str, Any]
    compare: pd.DataFrame
    labels: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "io_compare"

    @property
    def spec_hash(self) -> str:
        return hash_spec(self.spec, self.compare)

    @property
    def provenance(self) -> pd.DataFrame:
        return io_provenance(self.labels)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"compare": self.compare}


def io_linkages(
    year: int = 2020,
    n_sectors: int | None = None,
    *,
    forward: ForwardMethod = "ghosh",
    threshold: float = 1.0,
    flows: FlowScope = "total",
) -> IOLinkagesResult:
    """Linkages, multipliers, key sectors and extraction losses of one national table."""
    table = load_io(year, n_sectors, flows=flows)
    out = linkages(table, forward=forward, threshold=threshold)
    spec = {
        "year": year,
        "sectors": table.n,
        "forward": forward,
        "threshold": threshold,
        "flows": flows,
    }
    return IOLinkagesResult(
        spec=spec, table=str(table.label), linkages=out.assign(year=year, table=table.label)
    )


@lru_cache(maxsize=1)
def concordance_153_to_149() -> pd.Series:
    """153-sector code → 2017 149-sector code (by identical names plus the stated splits)."""
    from nqpf.data import io_sectors

    spec = yaml.safe_load(
        resources.files("nqpf.chain").joinpath("io_concordance.yaml").read_text(encoding="utf-8")
    )
    old = io_sectors("2017_149")
    new = io_sectors("2018_153")
    old_code = dict(
        zip(
            old.loc[old["kind"] == "sector", "name_zh"],
            old.loc[old["kind"] == "sector", "code"],
            strict=True,
        )
    )
    mapping = {}
    for row in new[new["kind"] == "sector"].itertuples():
        split = spec["splits_153_to_149"].get(row.code)
        name = split["to"] if split else row.name_zh
        if name not in old_code:
            raise InputError(f"concordance: 153-sector {row.code} {row.name_zh} has no 2017 match")
        mapping[row.code] = old_code[name]
    return pd.Series(mapping, name="code_149")


def compare_years(
    years: tuple[int, ...] = (2017, 2018, 2020),
    *,
    forward: ForwardMethod = "ghosh",
) -> IOCompareResult:
    """Backward/forward linkages and output multipliers of each year on the 149 sectors of 2017.

    Result whose table ``compare`` is a long frame: ``sector``, ``name``, ``year``, ``backward``, ``forward``,
    ``output_multiplier``, ``key_type``; plus, per sector, the change from the first to the
    last year (``backward_change``, ``forward_change``).
    """
    if len(years) < 2:
        raise InputError("compare at least two years", hint="e.g. 2017 2020")
    from nqpf.data import io_sectors

    meta = io_sectors("2017_149")
    names = meta[meta["kind"] == "sector"].set_index("code")["name_zh"]
    frames = []
    labels = []
    for year in years:
        table = load_io(year)
        labels.append(str(table.label))
        if table.n != 149:
            table = aggregate(table, concordance_153_to_149(), names=names)
        part = linkages(table, forward=forward)
        frames.append(part.assign(year=year))
    long = pd.concat(frames, ignore_index=True)
    first, last = min(years), max(years)
    wide = long.pivot(index="sector", columns="year", values=["backward", "forward"])
    change = pd.DataFrame(
        {
            "backward_change": wide[("backward", last)] - wide[("backward", first)],
            "forward_change": wide[("forward", last)] - wide[("forward", first)],
        }
    )
    cols = ["sector", "name", "year", "backward", "forward", "output_multiplier", "key_type"]
    return IOCompareResult(
        spec={"years": list(years), "forward": forward},
        compare=long[cols].merge(change, left_on="sector", right_index=True),
        labels=labels,
    )
