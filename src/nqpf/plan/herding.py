r"""Herding detection (防止一哄而上、重复建设): which industries too many regions target
without the base for them.

**Declared view.** For each industry field f, from the regions' declared priorities D (a
set of (region, field) pairs) and each region's base B_rf (True when the region already
has a revealed comparative advantage in one of the field's industries, max RCA ≥ 1, or
its relatedness density to them is at least the ``density_quantile`` of all regions):

* n_f          = |{r : (r, f) ∈ D}|            regions declaring f;
* u_f          = |{r : (r, f) ∈ D, ¬B_rf}|      of them without a base (declared but infeasible);
* h_f          = |{r : max RCA_rf ≥ 1}|         regions that are hubs of f today;
* crowding_f   = n_f / max(h_f, 1)              declarations per existing hub;
* **herding index** H_f = u_f / N (N regions):  the share of all regions that target f
  without a base. H = 1 when every region targets f and none has a base for it; H = 0 when
  every declaration matches an endowment, however many there are.

Components and a one-sentence explanation (Chinese and English) come with every index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = ["declared_herding", "region_base"]


def region_base(
    rca: pd.DataFrame,
    density: pd.DataFrame,
    field_industries: dict[str, tuple[str, ...]],
    *,
    density_quantile: float = 0.5,
) -> pd.DataFrame:
    """Per region and field: ``max_rca``, ``density`` (mean over the field's industries),
    its percentile among regions, ``hub`` (max RCA ≥ 1) and ``base`` (hub or density
    percentile ≥ ``density_quantile``). Index (region, field)."""
    if not 0 <= density_quantile <= 1:
        raise InputError(f"density_quantile {density_quantile} must be in [0, 1]")
    frames = []
    for field, industries in field_industries.items():
        cols = [c for c in industries if c in rca.columns]
        if not cols:
            continue
        part = pd.DataFrame(
            {
                "max_rca": rca[cols].max(axis=1),
                "density": density[cols].mean(axis=1),
            }
        )
        part["density_pct"] = part["density"].rank(pct=True)
        part["hub"] = part["max_rca"] >= 1.0
        part["base"] = part["hub"] | (part["density_pct"] >= density_quantile)
        part["field"] = field
        frames.append(part.rename_axis("region").reset_index())
    if not frames:
        raise InputError("no field has an industry in the fit tables")
    return pd.concat(frames, ignore_index=True).set_index(["region", "field"])


def declared_herding(
    declared: pd.DataFrame,
    base: pd.DataFrame,
    *,
    regions: int,
    labels: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The herding index per field and the declared-but-infeasible pairs.

    ``declared``: columns ``region, field`` (duplicates count once); ``base``: from
    :func:`region_base`; ``regions``: N, the number of regions in the comparison.
    """
    if regions <= 0:
        raise InputError("the number of regions must be positive")
    pairs = declared[["region", "field"]].drop_duplicates()
    missing = pairs.set_index(["region", "field"]).index.difference(base.index)
    if len(missing):
        region, field = missing[0]
        raise InputError(
            f"no base for declared pair ({region}, {field})",
            hint="the region or the field is not in the fit tables",
        )
    joined = pairs.join(base, on=["region", "field"])
    names = labels or {}
    rows = []
    hubs = base.groupby(level="field")["hub"].sum()
    for field in hubs.index:
        mine = joined[joined["field"] == field]
        n = len(mine)
        unfounded = int((~mine["base"]).sum())
        h = int(hubs[field])
        index = unfounded / regions
        label = names.get(field, field)
        rows.append(
            {
                "field": field,
                "name": label,
                "declared": n,
                "without_base": unfounded,
                "hubs_today": h,
                "crowding": n / max(h, 1),
                "herding_index": index,
                "explanation_zh": (
                    f"{regions}个地区中有{n}个将{label}列为重点，其中{unfounded}个缺乏产业基础"
                    f"（无比较优势、关联密度低于多数地区）；目前有{h}个地区已具备比较优势。"
                ),
                "explanation_en": (
                    f"{n} of {regions} regions target {label}; {unfounded} of them lack a base "
                    f"(no comparative advantage, relatedness density below most regions); "
                    f"{h} regions have a comparative advantage today."
                ),
            }
        )
    table = pd.DataFrame(rows).sort_values(
        ["herding_index", "declared"], ascending=False, ignore_index=True
    )
    infeasible = joined[~joined["base"]].reset_index(drop=True)
    infeasible = infeasible[["region", "field", "max_rca", "density", "density_pct"]]
    return table, infeasible.assign(
        density_pct=infeasible["density_pct"].astype(float).round(3) if len(infeasible) else np.nan
    )
