"""The audit service: run an assessment and its statistical coherence audit
(:mod:`nqpf.index.audit`), with the denominators of the ratio indicators (small-base check) and
the packaged published rankings (validation).

Below the province the ratio indicators and their denominators are those of the sub-national
catalog (``subnational.yaml``: census shares over the census population, GDP per capita over
the resident population), and the validation is against the one published prefecture and
county series packaged, Cao & Dai's (2025) NQPF (a green-TFP residual, not a composite index:
read ρ as agreement between two concepts; docs/levels.md)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from nqpf.index.assessment import Assessment
from nqpf.index.audit import COLLINEAR, SMALL_BASE_SHARE, AuditResult, audit_assessment

if TYPE_CHECKING:
    from nqpf.data import SubnationalLevel
    from nqpf.services.assessment import AssessmentSpec

__all__ = [
    "SUBNATIONAL_REFERENCE",
    "audit",
    "audit_of",
    "ratio_denominators",
    "reference_rankings",
    "subnational_reference",
]

_DENOMINATOR = re.compile(r"/\s*([a-z_][a-z0-9_]*)")


#: The packaged published series used to validate an assessment below the province.
SUBNATIONAL_REFERENCE = "caodai_nqpf"


def ratio_denominators(level: str = "province") -> dict[str, str]:
    """Catalog indicator → the id its formula divides by first (``a / b * k`` → ``b``); the
    sub-national catalog's at ``prefecture`` or ``county``."""
    from nqpf.indicators import indicator_specs, subnational_specs

    specs = indicator_specs() if level == "province" else subnational_specs()
    out = {}
    for ind, spec in specs.items():
        found = _DENOMINATOR.search(spec.formula or "")
        if found:
            out[ind] = found.group(1)
    return out


def reference_rankings() -> pd.DataFrame:
    """The packaged published rankings as region, year (statistics year), value (− rank, so
    higher is better, as the index), measure, source."""
    from nqpf.data import published_rankings

    p = published_rankings()
    return pd.DataFrame(
        {
            "region": p["region"],
            "year": p["data_year"].astype(int),
            "value": -p["rank"].astype(float),
            "measure": p["measure"],
            "source": p["source_url"],
        }
    )


def subnational_reference(level: SubnationalLevel, years: list[int]) -> pd.DataFrame:
    """Cao & Dai's (2025) prefecture or county NQPF as a validation reference (region, year,
    value, measure, source, complete): a full series lacking some units, not a top-n list."""
    from nqpf.data import load_subnational

    ref = load_subnational(level, [SUBNATIONAL_REFERENCE], years=years)
    return pd.DataFrame(
        {
            "region": ref["region"].astype(str),
            "year": ref["year"].astype(int),
            "value": ref["value"].astype(float),
            "measure": "Cao & Dai (2025) NQPF",
            "source": ref["source_id"].astype(str),
            "complete": True,
        }
    )


def audit_of(
    a: Assessment,
    *,
    validate: bool = True,
    collinear: float = COLLINEAR,
    small_base_share: float = SMALL_BASE_SHARE,
) -> AuditResult:
    """Audit an assessment: denominators from the packaged panel of its level (or the user's
    data when it holds them); validation against the packaged published rankings when the
    regions are provinces, against Cao & Dai's series (:data:`SUBNATIONAL_REFERENCE`) at the
    prefecture and county levels."""
    from nqpf.data import load_panel, load_subnational
    from nqpf.regions import province_codes

    level = cast("SubnationalLevel", str(a.options.get("level", "province")))
    ratio_of = {
        k: v for k, v in ratio_denominators(level).items() if k in a.framework.indicator_ids
    }
    years = sorted({int(y) for y in a.scores["year"].unique()})
    regions = set(a.scores["region"].astype(str))
    dens = sorted(set(ratio_of.values()))
    own = a.data[a.data["indicator"].isin(dens)]
    if not own.empty or not dens:
        long = own
    elif level == "province":
        long = load_panel(dens, years=years)
    else:
        long = load_subnational(level, dens, years=years)
    long = long[long["region"].astype(str).isin(regions)]
    denominators = (
        long.pivot_table(index=["region", "year"], columns="indicator", values="value")
        if not long.empty
        else None
    )
    reference = None
    if validate and regions <= set(province_codes()):
        reference = reference_rankings()
    elif validate and level in ("prefecture", "county"):
        reference = subnational_reference(level, years)
    return audit_assessment(
        a,
        denominators=denominators,
        ratio_of=ratio_of,
        reference=reference,
        collinear=collinear,
        small_base_share=small_base_share,
    )


def audit(
    data: Any = None,
    *,
    spec: AssessmentSpec | None = None,
    validate: bool = True,
    collinear: float = COLLINEAR,
    small_base_share: float = SMALL_BASE_SHARE,
    **assess_options: Any,
) -> AuditResult:
    """Assess ``data`` under ``spec`` (or ``nqpf.assess`` with ``assess_options``) and audit
    the result."""
    from nqpf.services.assessment import AssessmentSpec, assess_spec

    if spec is None:
        spec = AssessmentSpec.of(**assess_options)
    elif assess_options:
        raise TypeError("give the assessment options either as spec= or as keywords, not both")
    return audit_of(
        assess_spec(spec, data),
        validate=validate,
        collinear=collinear,
        small_base_share=small_base_share,
    )
