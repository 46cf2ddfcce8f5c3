"""Planning services (全国一盘棋): herding detection, national layout, target tracking, on
the packaged data (listed-company industries by province; the indicator panel) and the
declared priorities (packaged ``nqpf/policy/declared_priorities.csv`` or the user's CSV).

>>> result = herding()
>>> result.to_frame().columns[:4].tolist()
['field', 'name', 'declared', 'without_base']
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.plan.herding import declared_herding, region_base
from nqpf.plan.layout import plan_layout
from nqpf.plan.report import PlanResult, make_result
from nqpf.plan.revealed import convergence_path, entry_waves, revealed_herding
from nqpf.plan.targets import Direction, Model, against_statement, track_panel
from nqpf.policy.fields import load_fields, map_fields

if TYPE_CHECKING:
    from nqpf.services.micro import MicroResult

__all__ = [
    "fit_tables",
    "herding",
    "layout",
    "load_declared",
    "national_targets",
    "revealed",
    "targets",
]

Fit = Literal["density", "rca"]
View = Literal["declared", "revealed"]
Source = Literal["listed", "census", "micro"]
CensusLevel = Literal["province", "prefecture", "county"]
_DECLARED = Path(__file__).resolve().parents[1] / "policy" / "declared_priorities.csv"
_LISTED_YEARS = (2020, 2025)


@cache
def fit_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """RCA and relatedness density of the 31 provinces × listed-company industries
    (firms listed by the end of 2025, the opportunities engine's default matrix)."""
    from nqpf.industry.advantage import presence, rca
    from nqpf.industry.complexity import complexity
    from nqpf.industry.matrix import to_wide
    from nqpf.services.matrices import listed_matrix

    wide = to_wide(listed_matrix(_LISTED_YEARS))
    table = rca(wide)
    cx = complexity(presence(table))
    return table, cx.density


def _provenance() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "source": "Tushare stock_basic (A-share listed firms) by province and industry",
                "use": "RCA, relatedness density (fit)",
            },
            {
                "source": "nqpf/policy/declared_priorities.csv (curated from public pages)",
                "use": "declared priorities",
            },
            {
                "source": "nqpf/indicators/policy_fields.yaml (field → listed industries)",
                "use": "field mapping",
            },
        ]
    )


def load_declared(path: str | Path | None = None) -> pd.DataFrame:
    """Declared priorities: ``region, field, industry`` (+ the CSV's source columns).

    A user's CSV needs columns ``region`` (name or code) and ``industry`` (a field name or
    alias, e.g. 低空经济); ``source`` and others are kept. Unknown regions or industries
    are one error listing every bad row."""
    from nqpf.regions import normalize_region

    file = Path(path) if path is not None else _DECLARED
    try:
        frame = pd.read_csv(file, dtype=str, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read the declared priorities: {exc}", file=file.name) from None
    for column in ("region", "industry"):
        if column not in frame.columns:
            raise InputError(
                f"missing column {column!r}",
                file=file.name,
                hint="columns: region, industry, source",
            )
    codes = []
    for number, name in enumerate(frame["region"], start=2):
        try:
            codes.append(normalize_region(str(name)))
        except InputError as exc:
            raise InputError(str(exc), file=file.name, row=number, column="region") from None
    frame["region"] = codes
    frame["field"] = map_fields(frame["industry"].astype(str), file=file.name)
    return frame


def _fields() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    fields = load_fields()
    return dict(zip(fields["field"], fields["industries"], strict=True)), dict(
        zip(fields["field"], fields["zh"], strict=True)
    )


def herding(
    *,
    view: View = "declared",
    declared: str | Path | None = None,
    density_quantile: float = 0.5,
    source: Source = "listed",
    start: int | None = None,
    end: int | None = None,
    level: CensusLevel | None = None,
    density_min: float | None = None,
    micro: str | Path | None = None,
    depth: str = "2",
) -> PlanResult:
    """Herding index per field (``declared``: the declared priorities against each region's
    fit, :mod:`nqpf.plan.herding`) or per industry (``revealed``: entries over time and
    structural convergence, :mod:`nqpf.plan.revealed`)."""
    if view == "revealed":
        return revealed(
            source=source,
            start=start,
            end=end,
            level=level,
            density_quantile=density_quantile,
            density_min=density_min,
            micro=micro,
            depth=depth,
        )
    if view != "declared":
        raise InputError(f"unknown view {view!r}", hint="declared or revealed")
    rca_table, density = fit_tables()
    mapping, names = _fields()
    base = region_base(rca_table, density, mapping, density_quantile=density_quantile)
    decl = load_declared(declared)
    table, infeasible = declared_herding(decl, base, regions=len(rca_table), labels=names)
    covered = decl["region"].nunique()
    warnings = []
    if covered < len(rca_table):
        warnings.append(
            f"declared priorities cover {covered} of {len(rca_table)} provinces; the index counts "
            "only declarations that are in the data (load more with --declared FILE)"
        )
    spec = {
        "view": view,
        "declared": str(declared or "packaged"),
        "density_quantile": density_quantile,
    }
    return make_result(
        "herding",
        spec,
        {
            "herding": table,
            "declared_infeasible": infeasible,
            "declared": decl,
            "base": base.reset_index(),
        },
        provenance=_provenance(),
        warnings=warnings,
        data=(decl,),
    )


_LISTED_RANGE = (2000, 2025)


def _wide_quietly(matrix: pd.DataFrame, year: int, notes: list[str]) -> pd.DataFrame:
    import warnings as _warnings

    from nqpf.industry.matrix import to_wide

    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        wide = to_wide(matrix, year)
    notes.extend(f"{year}: {w.message}" for w in caught)
    return wide


def _census_panels(level: CensusLevel, notes: list[str]) -> dict[int, pd.DataFrame]:
    """Census employment by section, 2010 recoded to the 2020 division codes
    (:func:`nqpf.regions.code_2020`; units without a 2020 code dropped, merged ones summed)."""
    from nqpf.regions import code_2020, division_changes
    from nqpf.services.matrices import census_matrix

    m10 = census_matrix(2010, level=level)
    m20 = census_matrix(2020, level=level)
    if level != "province":
        # code_2020 is the identity for a code that the 2020 census has and the change
        # table does not list; ask it only about the others
        changes = division_changes()
        changed = set(changes.loc[changes["code_2010"] != changes["code_2020"], "code_2010"])
        kept = set(m20["region"])
        codes = {
            c: code_2020(c, strict=False) if c in changed or c not in kept else c
            for c in m10["region"].unique()
        }
        lost = sorted(c for c, new in codes.items() if new is None)
        if lost:
            notes.append(
                f"{len(lost)} {level} unit(s) of 2010 have no 2020 code and are left out: "
                + ", ".join(lost[:10])
                + (" …" if len(lost) > 10 else "")
            )
        m10 = m10.assign(region=m10["region"].map(codes)).dropna(subset=["region"])
    return {2010: _wide_quietly(m10, 2010, notes), 2020: _wide_quietly(m20, 2020, notes)}


def _common(panels: dict[int, pd.DataFrame]) -> dict[int, pd.DataFrame]:
    regions = None
    industries = None
    for wide in panels.values():
        regions = wide.index if regions is None else regions.intersection(wide.index)
        industries = wide.columns if industries is None else industries.intersection(wide.columns)
    assert regions is not None and industries is not None
    out = {y: w.loc[regions, industries] for y, w in panels.items()}
    # a region or industry may be left with a zero total on the common support
    keep_r = regions[np.all([o.sum(axis=1).to_numpy() > 0 for o in out.values()], axis=0)]
    keep_k = industries[np.all([o.sum(axis=0).to_numpy() > 0 for o in out.values()], axis=0)]
    return {y: o.loc[keep_r, keep_k] for y, o in out.items()}


def revealed(
    *,
    source: Source = "listed",
    start: int | None = None,
    end: int | None = None,
    level: CensusLevel | None = None,
    density_quantile: float = 0.5,
    density_min: float | None = None,
    micro: str | Path | None = None,
    depth: str = "2",
) -> PlanResult:
    """Revealed herding: entries (RCA crossing 1) between ``start`` and ``end``, how many
    lacked relatedness at the start, and structural convergence (Krugman, similarity).

    ``listed``: provinces × listed-company industries, stocks of firms listed by 31 Dec of
    each year (default window 2015 → 2025, the convergence path every year between, and
    the years in which provinces got their first listed firm of an industry).
    ``census``: census employment by section, 2010 → 2020, at ``level`` (default county).
    ``micro``: the user's firm records (``micro``: a DuckDB store made by ``nqpf micro import``
    or a Parquet file/folder with the store's columns), stocks of firms on 31 Dec by region
    (``level``, default province) × GB/T 4754 industry cut to ``depth`` (default 2 digits),
    every year from ``start`` to ``end`` (default the last 10 years with records), and the
    years in which regions got their first firm of an industry
    (:mod:`nqpf.services.micro`).
    """
    from nqpf.industry.advantage import presence, rca
    from nqpf.industry.relatedness import density, proximity

    if source not in ("listed", "census", "micro"):
        raise InputError(f"unknown source {source!r}", hint="listed, census or micro")
    if (micro is None) != (source != "micro"):
        raise InputError(
            "--micro names the records of the micro source", hint="--source micro --micro STORE"
        )
    if level is None:
        level = "province" if source == "micro" else "county"
    if level not in ("province", "prefecture", "county"):
        raise InputError(f"unknown level {level!r}", hint="province, prefecture or county")
    notes: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    if source == "listed":
        first, last = _LISTED_RANGE
        t0 = 2015 if start is None else int(start)
        t1 = 2025 if end is None else int(end)
        if not first <= t0 < t1 <= last:
            raise InputError(
                f"listing-year window {t0}–{t1} is not inside {first}–{last} with start < end",
                hint="e.g. --start 2015 --end 2025",
            )
        from nqpf.services.matrices import listed_matrix

        years = list(range(t0, t1 + 1))
        matrix = listed_matrix(years)
        panels = _common({y: _wide_quietly(matrix, y, notes) for y in years})
        unit = "listed companies (stock by 31 Dec)"
    elif source == "micro":
        micro_result = _micro_firms(str(micro), level=level, depth=depth, start=start, end=end)
        from nqpf.services.micro import first_years, year_panels

        t0, t1 = int(micro_result.spec["start"]), int(micro_result.spec["end"])
        if t0 >= t1:
            raise InputError(
                f"the records span one year ({t0}); entries need a window", hint="--start, --end"
            )
        panels = _common(year_panels(micro_result))
        notes.extend(micro_result.warnings)
        unit = (
            f"firms (stock on 31 Dec) from {micro_result.provenance['source'].iloc[0]}, "
            f"{level} × GB/T 4754 depth {depth}"
        )
    else:
        if (start, end) not in ((None, None), (2010, 2020)):
            raise InputError("the census window is 2010 → 2020", hint="leave --start/--end out")
        t0, t1 = 2010, 2020
        panels = _common(_census_panels(level, notes))
        unit = f"census employment by section ({level})"
    v0, v1 = panels[t0], panels[t1]
    rca0, rca1 = rca(v0), rca(v1)
    present0 = presence(rca0)
    dens0 = density(present0, proximity(present0))
    labels = {str(k): str(k) for k in v0.columns}
    if source == "census":
        from nqpf.data import load_census_industry

        names = load_census_industry(2020, level="province").drop_duplicates("section")
        labels.update(zip(names["section"], names["section_name"], strict=True))
    window = f"{t0}–{t1}"
    table, entries = revealed_herding(
        rca0,
        rca1,
        dens0,
        values_start=v0,
        values_end=v1,
        density_quantile=density_quantile,
        density_min=density_min,
        labels=labels,
        window=window,
    )
    path = convergence_path(panels)
    tables["herding"] = table
    tables["entries"] = entries
    tables["convergence"] = path
    if source == "micro":
        firsts = first_years(micro_result)
        firsts = firsts[firsts["region"].isin(v0.index) & firsts["industry"].isin(v0.columns)]
        tables["waves"] = entry_waves(firsts, regions=len(v0))
    if source == "listed":
        from nqpf.data import load_enterprises

        firms = load_enterprises().dropna(subset=["province", "industry", "list_date"])
        firms = firms.assign(year=pd.to_datetime(firms["list_date"]).dt.year)
        firsts = (
            firms.groupby(["province", "industry"])["year"].min().rename("year").reset_index()
        ).rename(columns={"province": "region"})
        firsts = firsts[(firsts["year"] > t0) & (firsts["year"] <= t1)]
        tables["waves"] = entry_waves(firsts, regions=len(v0))
    k_change = path["krugman_mean"].iloc[-1] - path["krugman_mean"].iloc[0]
    s_change = path["similarity_mean"].iloc[-1] - path["similarity_mean"].iloc[0]
    trend = (
        "converged (趋同)"
        if k_change < 0 and s_change > 0
        else ("diverged (分化)" if k_change > 0 and s_change < 0 else "mixed (指标不一致)")
    )
    rule = (
        f"relatedness density < {density_min}"
        if density_min is not None
        else f"relatedness density below the {density_quantile:.0%} percentile of regions"
    )
    notes = [
        f"{len(v0)} regions × {v0.shape[1]} industries, {unit}, window {window}; entry = RCA "
        f"crossing 1; an entry lacks relatedness when its {rule} at {t0}",
        f"structure {trend}: mean Krugman dissimilarity {path['krugman_mean'].iloc[0]:.4f} → "
        f"{path['krugman_mean'].iloc[-1]:.4f}, mean similarity coefficient "
        f"{path['similarity_mean'].iloc[0]:.4f} → {path['similarity_mean'].iloc[-1]:.4f}",
        *notes,
    ]
    spec = {
        "view": "revealed",
        "source": source,
        "start": t0,
        "end": t1,
        "level": level if source != "listed" else None,
        "micro": str(micro) if micro is not None else None,
        "depth": depth if source == "micro" else None,
        "density_quantile": density_quantile,
        "density_min": density_min,
    }
    described = {
        "listed": "Tushare stock_basic (A-share listed firms): province, industry, list_date",
        "census": "census long-form sample 2010, 2020: employment by GB/T 4754 section",
        "micro": f"firm records ({unit})",
    }
    provenance = pd.DataFrame(
        [{"source": described[source], "use": "entries (RCA), relatedness density, structure"}]
    )
    return make_result("herding", spec, tables, provenance=provenance, notes=notes, data=(v0, v1))


def layout(
    *,
    k: int = 5,
    hubs_min: int = 1,
    hubs_max: int | None = 6,
    per_group: int | None = None,
    fit: Fit = "density",
    lock_rca: float | None = None,
    declared: str | Path | None = None,
) -> PlanResult:
    """The optimal national division of labour over listed-company industries (MILP), its
    shadow costs and its difference from the declared priorities (field level)."""
    from nqpf.regions import group_of, region_name

    rca_table, density = fit_tables()
    if fit not in ("density", "rca"):
        raise InputError(f"unknown fit {fit!r}", hint="density or rca")
    scores = density if fit == "density" else rca_table
    locked: list[tuple[str, str]] = []
    if lock_rca is not None:
        stacked = rca_table.stack()
        locked = [(str(r), str(j)) for r, j in stacked.index[stacked.to_numpy() >= lock_rca]]
    groups = {r: group_of(str(r)) for r in scores.index} if per_group is not None else None
    result = plan_layout(
        scores,
        k=k,
        hubs_min=hubs_min,
        hubs_max=hubs_max,
        groups=groups,
        max_per_group=per_group,
        locked=locked,
    )
    pairs = result.pairs()
    pairs.insert(1, "region_name", [region_name(r) for r in pairs["region"]])
    hubs = (
        pd.DataFrame(
            {
                "hubs": result.assignment.sum(axis=0),
                "shadow_cost_hubs_min": result.hub_min_duals,
                "shadow_cost_hubs_max": result.hub_max_duals,
            }
        )
        .rename_axis("industry")
        .reset_index()
    )
    regions = (
        pd.DataFrame(
            {"priorities": result.assignment.sum(axis=1), "shadow_cost_k": result.region_duals}
        )
        .rename_axis("region")
        .reset_index()
    )
    regions.insert(1, "region_name", [region_name(r) for r in regions["region"]])
    comparison = _compare_declared(result.assignment, declared)
    notes = [
        f"objective (total fit) {result.objective:.4f}; solved by {result.solver}",
        "shadow costs are duals of the LP relaxation"
        + (
            " (exact here: the relaxation's optimum is integral)"
            if result.duals_exact
            else " (indicative: limits are not integers)"
        ),
    ]
    spec = {
        "k": k,
        "hubs_min": hubs_min,
        "hubs_max": hubs_max,
        "per_group": per_group,
        "fit": fit,
        "lock_rca": lock_rca,
        "declared": str(declared or "packaged"),
    }
    return make_result(
        "layout",
        spec,
        {"layout": pairs, "regions": regions, "industries": hubs, "vs_declared": comparison},
        provenance=_provenance(),
        notes=notes,
        data=(scores,),
    )


def _compare_declared(assignment: pd.DataFrame, declared: str | Path | None) -> pd.DataFrame:
    """Field level: declared and recommended (重合), declared only (重复建设 risk),
    recommended only (missed 特色产业), for the regions that declared anything."""
    decl = load_declared(declared)
    mapping, names = _fields()
    rows = []
    for region in sorted(decl["region"].unique()):
        mine = set(decl.loc[decl["region"] == region, "field"])
        chosen = (
            set(assignment.columns[assignment.loc[region] > 0])
            if region in assignment.index
            else set()
        )
        recommended = {f for f, inds in mapping.items() if chosen & set(inds)}
        for f in sorted(mine | recommended):
            status = (
                "both"
                if f in mine and f in recommended
                else "declared_only"
                if f in mine
                else "recommended_only"
            )
            rows.append({"region": region, "field": f, "name": names.get(f, f), "status": status})
    return pd.DataFrame(rows, columns=["region", "field", "name", "status"])


def targets(
    indicator: str,
    *,
    target: float,
    by: int,
    regions: list[str] | None = None,
    direction: Direction | None = None,
    model: Model = "log_linear",
    alpha: float = 0.1,
    since: int | None = None,
) -> PlanResult:
    """Every province's (or the given regions') trajectory of ``indicator`` against
    ``target`` in year ``by``: required growth vs CAGR, projection, probability, status."""
    from nqpf.data import load_panel
    from nqpf.indicators import indicator as spec_of

    spec = spec_of(indicator)
    panel = load_panel([spec.id], regions=regions, include_national=True)
    if since is not None:
        panel = panel[panel["year"] >= since]
    if panel.empty:
        raise InputError(f"no values of {spec.id!r} for the selection")
    way: Direction = direction or ("-" if spec.direction == "-" else "+")
    table = track_panel(
        panel[["region", "year", "value"]], target, by, direction=way, model=model, alpha=alpha
    )
    names = panel.drop_duplicates("region").set_index("region")["region_name"]
    table.insert(1, "region_name", table["region"].map(names))
    options = {
        "indicator": spec.id,
        "target": target,
        "by": by,
        "regions": regions,
        "direction": way,
        "model": model,
        "alpha": alpha,
        "since": since,
    }
    return make_result(
        "targets",
        options,
        {"targets": table.sort_values("probability", ascending=False, ignore_index=True)},
        provenance=pd.DataFrame({"source_id": sorted(panel["source_id"].unique())}),
        notes=[
            f"{spec.name_zh} ({spec.unit}); projection {model}, {int((1 - alpha) * 100)}% prediction interval"
        ],
        data=(panel,),
    )


def library_statements(indicator: str, *, url: str | None = None) -> pd.DataFrame:
    """National targets and paths of ``indicator`` stated in the policy library: targets
    (``kind`` target with a year) and paths (``from_to`` with both years), one row each with
    the phrase and the document."""
    from nqpf.indicators import indicator as spec_of
    from nqpf.services.policy import PolicyLibrary

    spec = spec_of(indicator)
    lib = PolicyLibrary(url)
    items = lib.items()
    items = items[(items["indicator"] == spec.id) & (items["document_level"] == "national")]
    is_target = (items["kind"] == "target") & items["year"].notna() & items["value"].notna()
    is_path = items["comparison"].fillna("").str.startswith("from_to") & items[
        ["value", "year", "base_value", "base_year"]
    ].notna().all(axis=1)
    chosen = items[is_target | is_path].assign(
        statement_kind=lambda f: np.where(
            (f["kind"] == "target") & f["year"].notna(), "target", "path"
        )
    )
    chosen = chosen[chosen["unit"].fillna(spec.unit) == spec.unit]
    out = pd.DataFrame(
        {
            "statement": [
                f"{d}:{a}" for d, a in zip(chosen["document_id"], chosen["start"], strict=True)
            ],
            "kind": chosen["statement_kind"],
            "value": chosen["value"].astype(float),
            "year": chosen["year"].astype(int),
            "base_value": chosen["base_value"].astype(float),
            "base_year": chosen["base_year"].astype("Int64"),
            "unit": chosen["unit"],
            "phrase": chosen["phrase"],
            "document_id": chosen["document_id"].astype(int),
            "document_title": chosen["document_title"],
            "document_year": chosen["document_year"].astype(int),
        }
    )
    return out.sort_values(
        ["document_year", "statement"], ascending=[False, True], ignore_index=True
    )


def national_targets(
    indicator: str,
    *,
    url: str | None = None,
    regions: list[str] | None = None,
    direction: Direction | None = None,
    model: Model = "log_linear",
    alpha: float = 0.1,
) -> PlanResult:
    """Every province against each national target or path of ``indicator`` stated in the
    policy library (:func:`nqpf.plan.targets.against_statement`): required growth vs CAGR
    and status per province and statement."""
    from nqpf.data import load_panel
    from nqpf.indicators import indicator as spec_of

    spec = spec_of(indicator)
    statements = library_statements(spec.id, url=url)
    if statements.empty:
        raise InputError(
            f"the policy library states no national target or path of {spec.id!r}",
            hint="give one with --target and --by, or add a document (nqpf policy add)",
        )
    panel = load_panel([spec.id], regions=regions, include_national=True)
    if panel.empty:
        raise InputError(f"no values of {spec.id!r} for the selection")
    way: Direction = direction or ("-" if spec.direction == "-" else "+")
    names = panel.drop_duplicates("region").set_index("region")["region_name"]
    frames = []
    records: list[dict[str, Any]] = statements.to_dict("records")  # type: ignore[assignment]
    for st in records:
        table = against_statement(
            panel[["region", "year", "value"]],
            kind=st["kind"],
            value=float(st["value"]),
            year=int(st["year"]),
            base_value=None if pd.isna(st["base_value"]) else float(st["base_value"]),
            base_year=None if pd.isna(st["base_year"]) else int(st["base_year"]),
            document_year=int(st["document_year"]),
            direction=way,
            model=model,
            alpha=alpha,
        )
        table.insert(0, "statement", st["statement"])
        table.insert(1, "phrase", st["phrase"])
        table.insert(2, "target", float(st["value"]))
        table.insert(3, "target_year", int(st["year"]))
        table.insert(5, "region_name", table["region"].map(names))
        frames.append(table)
    main = pd.concat(frames, ignore_index=True)
    counts = main.groupby(["statement", "status"]).size().unstack(fill_value=0)
    notes = [
        f"{spec.name_zh} ({spec.unit}): {len(statements)} national statement(s) from the policy "
        "library; a target ahead is projected, a past one is checked ex post from the year "
        "before its document, a path sets the national pace (see nqpf.plan.targets)",
        *(
            f"{st['phrase']} ({st['document_title']}): "
            + ", ".join(f"{k} {int(v)}" for k, v in counts.loc[st["statement"]].items() if v)
            for st in records
        ),
    ]
    options = {
        "indicator": spec.id,
        "national": True,
        "regions": regions,
        "direction": way,
        "model": model,
        "alpha": alpha,
    }
    return make_result(
        "targets",
        options,
        {"targets": main, "statements": statements},
        provenance=pd.DataFrame(
            {"source_id": [*sorted(panel["source_id"].unique()), "policy library"]}
        ),
        notes=notes,
        data=(panel, statements),
    )


def _micro_firms(
    records: str, *, level: CensusLevel, depth: str, start: int | None, end: int | None
) -> MicroResult:
    """The firm aggregation behind ``--source micro``: a ``.duckdb`` store or Parquet."""
    from nqpf.services.micro import AggregateSpec, aggregate

    where = {"store": records} if records.endswith(".duckdb") else {"parquet": records}
    return aggregate(
        AggregateSpec(level=level, depth=depth, start=start, end=end, **where)  # type: ignore[arg-type]
    )
