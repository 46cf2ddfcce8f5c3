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
from typing import Literal

import pandas as pd

from nqpf.errors import InputError
from nqpf.plan.herding import declared_herding, region_base
from nqpf.plan.layout import plan_layout
from nqpf.plan.report import PlanResult, make_result
from nqpf.plan.targets import Direction, Model, track_panel
from nqpf.policy.fields import load_fields, map_fields

__all__ = ["fit_tables", "herding", "layout", "load_declared", "targets"]

Fit = Literal["density", "rca"]
_DECLARED = Path(__file__).resolve().parents[1] / "policy" / "declared_priorities.csv"
_LISTED_YEARS = (2020, 2025)


@cache
def fit_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """RCA and relatedness density of the 31 provinces × listed-company industries
    (firms listed by the end of 2025, the opportunities engine's default matrix)."""
    from nqpf.industry.advantage import presence, rca
    from nqpf.industry.complexity import complexity
    from nqpf.industry.matrix import listed_matrix, to_wide

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
                "source": "nqpf/policy/fields.yaml (field → listed industries)",
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
    view: Literal["declared"] = "declared",
    declared: str | Path | None = None,
    density_quantile: float = 0.5,
) -> PlanResult:
    """Herding index per field from the declared priorities (see :mod:`nqpf.plan.herding`)."""
    if view != "declared":
        raise InputError(f"view {view!r} is not available", hint="use declared")
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
