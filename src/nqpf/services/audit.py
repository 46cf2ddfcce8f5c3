"""The audit service: run an assessment and its statistical coherence audit
(:mod:`nqpf.index.audit`), with the denominators of the ratio indicators (small-base check) and
the packaged published rankings (validation)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from nqpf.index.assessment import Assessment
from nqpf.index.audit import COLLINEAR, SMALL_BASE_SHARE, AuditResult, audit_assessment

if TYPE_CHECKING:
    from nqpf.services.assessment import AssessmentSpec

__all__ = ["audit", "audit_of", "ratio_denominators", "reference_rankings"]

_DENOMINATOR = re.compile(r"/\s*([a-z_][a-z0-9_]*)")


def ratio_denominators() -> dict[str, str]:
    """Catalog indicator → the id its formula divides by first (``a / b * k`` → ``b``)."""
    from nqpf.indicators import indicator_specs

    out = {}
    for ind, spec in indicator_specs().items():
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


def audit_of(
    a: Assessment,
    *,
    validate: bool = True,
    collinear: float = COLLINEAR,
    small_base_share: float = SMALL_BASE_SHARE,
) -> AuditResult:
    """Audit an assessment: denominators from the packaged panel (or the user's data when it
    holds them), the packaged published rankings when the regions are provinces."""
    from nqpf.data import load_panel
    from nqpf.regions import province_codes

    ratio_of = {k: v for k, v in ratio_denominators().items() if k in a.framework.indicator_ids}
    years = sorted({int(y) for y in a.scores["year"].unique()})
    regions = set(a.scores["region"].astype(str))
    dens = sorted(set(ratio_of.values()))
    own = a.data[a.data["indicator"].isin(dens)]
    long = own if not own.empty else load_panel(dens, years=years) if dens else own
    long = long[long["region"].astype(str).isin(regions)]
    denominators = (
        long.pivot_table(index=["region", "year"], columns="indicator", values="value")
        if not long.empty
        else None
    )
    reference = None
    if validate and regions <= set(province_codes()):
        reference = reference_rankings()
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
