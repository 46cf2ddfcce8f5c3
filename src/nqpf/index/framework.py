"""Assessment frameworks: indicators → sub-pillars → pillars → index, authored in YAML.

Packaged frameworks live in ``nqpf/indicators/frameworks/`` (``ndrc``, the default, after the
six pillars of the NDRC article; ``three-elements``, 新质劳动者 / 新质劳动资料 / 新质劳动对象).
A user's framework is a YAML file or a dict of the same shape::

    id: mine
    years: [2018, 2023]          # optional default year range
    pillars:
      - id: tech
        name_zh: 科技创新
        weight: 0.5              # optional; fixes this level's weights (siblings sum to 1)
        subpillars:              # or `indicators:` directly (one sub-pillar ``<pillar id>:all``)
          - id: tech_input
            ahp: [[1, 3], [0.3333, 1]]   # optional AHP pairwise matrix of this node's children
            indicators:
              - id: rd_intensity
                direction: "+"   # defaults to the catalog's direction
                weight: 1.0

An indicator may carry ``scope: year`` (or ``panel``) to normalise it within each year
whatever the assessment's scope: the rule for a series with breaks between years, such as a
change of price base, where only values of the same year are comparable.

A ratio indicator may carry a **denominator floor**, below which its value is treated as
missing (then imputed and flagged) because a tiny base makes the ratio meaningless::

    - id: basic_research_share
      floor: {denominator: rd_internal_total, share_of_median: 0.05}   # or  min: 50000

``denominator`` defaults to the id the catalog formula divides by; ``min`` is in the
denominator's unit, ``share_of_median`` a share of that year's median over the assessed
regions (:mod:`nqpf.index.floors`).

Weights at any level may be fixed (``weight:`` on every sibling: expert weights) or derived by
AHP from a Saaty pairwise-comparison matrix given on the parent as ``ahp:`` — a list of rows
in the order the children are listed, or ``{matrix: [...], max_cr: 0.1}``. The top level takes
``ahp:`` beside ``pillars:``; a pillar that lists its indicators directly applies its ``ahp:`` to
them. The weights are the principal eigenvector; the consistency ratio CR = CI/RI (Saaty 1980)
must not exceed ``max_cr`` (0.1). The consistency statistics are kept in ``Framework.ahp``.
Unweighted levels are weighted by the assessment's method (see :func:`nqpf.assess`).

>>> fw = load_framework("ndrc")
>>> fw.pillar_ids[:2]
['tech', 'industry']
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nqpf.errors import InputError
from nqpf.indicators import indicator_specs, subnational_specs
from nqpf.indicators.definitions import framework_document
from nqpf.indicators.schema import validate_framework
from nqpf.ingest.checks import require_unit_sum

__all__ = [
    "FRAMEWORKS",
    "SUBNATIONAL_FRAMEWORKS",
    "Floor",
    "Framework",
    "Node",
    "formula_denominator",
    "load_framework",
]

FRAMEWORKS: tuple[str, ...] = ("ndrc", "three-elements")
#: Packaged frameworks of the prefecture and county levels, over the sub-national catalog
#: (``subnational.yaml``) instead of the provincial one.
SUBNATIONAL_FRAMEWORKS: tuple[str, ...] = ("city", "county")

#: Id suffix of the single sub-pillar of a pillar that lists its indicators directly.
IMPLICIT_SUFFIX = ":all"

#: Options a framework may set in ``defaults:`` (applied when the caller leaves them unset).
#: ``max_missing_unit`` (a share in [0, 1)) drops units with more missing values before
#: imputation, e.g. the 地区/盟/自治州 that the prefecture GDP panel lacks.
DEFAULT_KEYS: tuple[str, ...] = ("upper", "outliers", "impute", "max_missing_unit")


@dataclass(frozen=True)
class Floor:
    """Denominator floor of a ratio indicator: values whose denominator is below ``min`` (in
    the denominator's unit) or below ``share_of_median`` × the year's median are missing."""

    denominator: str
    min: float | None = None
    share_of_median: float | None = None

    def to_dict(self) -> dict[str, Any]:
        rule = (
            {"min": self.min} if self.min is not None else {"share_of_median": self.share_of_median}
        )
        return {"denominator": self.denominator, **rule}

    def describe(self) -> str:
        """``rd_internal_total < 5% of the year's median`` or ``rd_internal_total < 50000``."""
        if self.min is not None:
            return f"{self.denominator} < {self.min:g}"
        return f"{self.denominator} < {self.share_of_median:.0%} of the year's median"


@dataclass(frozen=True)
class Node:
    """One element of the hierarchy (pillar, sub-pillar or indicator)."""

    id: str
    name_zh: str
    name_en: str
    weight: float | None = None
    direction: int = 1
    #: Normalisation scope of this indicator when it must differ from the assessment's
    #: (``"year"`` for a series with breaks, e.g. a change of price base); ``None`` = as set.
    scope: str | None = None
    rationale: str = ""
    source: str = ""
    children: tuple[Node, ...] = field(default_factory=tuple)
    #: Denominator floor of a ratio indicator (module docstring); ``None`` = no floor.
    floor: Floor | None = None


@dataclass(frozen=True)
class Framework:
    """A validated framework: the index's pillars, their sub-pillars and indicators."""

    id: str
    name_zh: str
    name_en: str
    reference: str
    years: tuple[int, int] | None
    pillars: tuple[Node, ...]
    #: AHP consistency of each node whose children are AHP-weighted: node id →
    #: {"lambda_max", "ci", "ri", "cr"}; the index itself is ``"index"``.
    ahp: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: Construction options the framework is designed for (``defaults:`` in the YAML; keys in
    #: :data:`DEFAULT_KEYS`); options given to :func:`nqpf.assess` take precedence.
    defaults: Mapping[str, str] = field(default_factory=dict)

    @property
    def pillar_ids(self) -> list[str]:
        return [p.id for p in self.pillars]

    @property
    def indicators(self) -> list[Node]:
        """Indicator nodes in framework order."""
        return [ind for p in self.pillars for s in p.children for ind in s.children]

    @property
    def indicator_ids(self) -> list[str]:
        return [ind.id for ind in self.indicators]

    @property
    def directions(self) -> dict[str, int]:
        return {ind.id: ind.direction for ind in self.indicators}

    @property
    def scope_overrides(self) -> dict[str, str]:
        """Indicators whose normalisation scope is fixed by the framework: id → scope."""
        return {ind.id: ind.scope for ind in self.indicators if ind.scope is not None}

    @property
    def floors(self) -> dict[str, Floor]:
        """Indicators with a denominator floor: id → :class:`Floor`."""
        return {ind.id: ind.floor for ind in self.indicators if ind.floor is not None}

    @property
    def pillar_of(self) -> dict[str, str]:
        return {ind.id: p.id for p in self.pillars for s in p.children for ind in s.children}

    @property
    def subpillar_of(self) -> dict[str, str]:
        return {ind.id: s.id for p in self.pillars for s in p.children for ind in s.children}

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (YAML shape) of the framework; round-trips through :func:`load_framework`."""

        def node(n: Node, level: str) -> dict[str, Any]:
            out: dict[str, Any] = {"id": n.id, "name_zh": n.name_zh, "name_en": n.name_en}
            if n.weight is not None:
                out["weight"] = n.weight
            if level == "indicator":
                out["direction"] = "+" if n.direction > 0 else "-"
                if n.scope is not None:
                    out["scope"] = n.scope
                if n.floor is not None:
                    out["floor"] = n.floor.to_dict()
                out["rationale"] = n.rationale
                out["source"] = n.source
            elif level == "pillar":
                out["subpillars"] = [node(c, "subpillar") for c in n.children]
            else:
                out["indicators"] = [node(c, "indicator") for c in n.children]
            return out

        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "reference": self.reference,
            "years": list(self.years) if self.years else None,
            **({"defaults": dict(self.defaults)} if self.defaults else {}),
            "pillars": [node(p, "pillar") for p in self.pillars],
        }


def load_framework(
    framework: str | Path | Mapping[str, Any] | Framework = "ndrc",
    *,
    known: Collection[str] | None = None,
) -> Framework:
    """Load and validate a framework given by packaged name, YAML path or dict.

    Parameters
    ----------
    framework:
        ``"ndrc"`` / ``"three-elements"``, a path to a YAML file, a dict of the same shape, or an
        already loaded :class:`Framework`.
    known:
        Indicator ids that exist (the columns of the data). Default: the packaged catalog.
        Indicators outside the catalog must state their ``direction``.

    Raises
    ------
    InputError
        Unknown framework name, unknown indicator (with close ids suggested), an indicator used
        twice, a context indicator (direction 0) without an explicit direction, or fixed weights
        that are negative or do not sum to 1 among siblings.
    """
    if isinstance(framework, Framework):
        return framework
    source = "framework"
    if isinstance(framework, Mapping):
        raw: Any = dict(framework)
    else:
        raw, source = framework_document(framework, FRAMEWORKS + SUBNATIONAL_FRAMEWORKS)
    raw = validate_framework(raw, source)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("pillars"), list):
        raise InputError(
            "a framework needs a list `pillars`",
            file=source,
            hint="see docs/assess.md for the framework schema",
        )
    catalog = indicator_specs()
    if str(framework) in SUBNATIONAL_FRAMEWORKS:
        catalog = subnational_specs()
    known_ids = set(catalog) | set(known or ())
    seen: set[str] = set()
    ahp: dict[str, dict[str, float]] = {}
    pillars = tuple(_pillar(p, source, catalog, known_ids, seen, ahp) for p in raw["pillars"])
    if not pillars:
        raise InputError("the framework has no pillars", file=source)
    pillars = _apply_ahp(raw, "index", pillars, source, ahp)
    _check_weights([p.weight for p in pillars], "pillars", source)
    nodes = [n.id for p in pillars for n in (p, *p.children)]
    clash = sorted({n for n in nodes if nodes.count(n) > 1} | (set(nodes) & seen))
    if clash:
        raise InputError(
            f"id {clash[0]!r} is used twice in the framework",
            file=source,
            column=clash[0],
            hint="pillars, sub-pillars and indicators need distinct ids",
        )
    years_raw = raw.get("years")
    years = None
    if years_raw:
        if not isinstance(years_raw, list) or len(years_raw) != 2:
            raise InputError("`years` must be [first, last]", file=source, column="years")
        years = (int(years_raw[0]), int(years_raw[1]))
    return Framework(
        defaults=_defaults(raw.get("defaults"), source),
        id=str(raw.get("id", "custom")),
        name_zh=str(raw.get("name_zh", raw.get("id", "自定义框架"))),
        name_en=str(raw.get("name_en", raw.get("id", "custom framework"))),
        reference=str(raw.get("reference", "")),
        years=years,
        pillars=pillars,
        ahp=ahp,
    )


def _defaults(raw: Any, source: str) -> dict[str, str]:
    """The framework's default construction options (values checked where they are used)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError("`defaults` must be a mapping", file=source, column="defaults")
    unknown = sorted(set(map(str, raw)) - set(DEFAULT_KEYS))
    if unknown:
        raise InputError(
            f"unknown default option {unknown[0]!r}",
            file=source,
            column="defaults",
            hint=f"use {', '.join(DEFAULT_KEYS)}",
        )
    return {str(k): str(v) for k, v in raw.items()}


def _label(raw: Mapping[str, Any], key: str, source: str) -> str:
    node_id = raw.get("id")
    if not isinstance(node_id, str) or not node_id:
        raise InputError(f"every {key} needs an `id`", file=source, column=key)
    return node_id


def _pillar(
    raw: Any,
    source: str,
    catalog: Mapping[str, Any],
    known: set[str],
    seen: set[str],
    ahp: dict[str, dict[str, float]],
) -> Node:
    if not isinstance(raw, Mapping):
        raise InputError("a pillar must be a mapping with `id`", file=source, column="pillars")
    pid = _label(raw, "pillar", source)
    if "subpillars" in raw:
        subs_raw = raw["subpillars"]
    elif "indicators" in raw:
        subs_raw = [
            {
                "id": f"{pid}{IMPLICIT_SUFFIX}",
                "name_zh": raw.get("name_zh", pid),
                "name_en": raw.get("name_en", pid),
                "indicators": raw["indicators"],
                **({"ahp": raw["ahp"]} if "ahp" in raw else {}),
            }
        ]
    else:
        raise InputError(
            f"pillar {pid!r} has neither `subpillars` nor `indicators`", file=source, column=pid
        )
    subs = []
    for s in subs_raw:
        sid = _label(s, "sub-pillar", source)
        inds = tuple(_indicator(i, source, catalog, known, seen) for i in s.get("indicators", []))
        if not inds:
            raise InputError(f"sub-pillar {sid!r} has no indicators", file=source, column=sid)
        inds = _apply_ahp(s, sid, inds, source, ahp)
        _check_weights([i.weight for i in inds], f"indicators of {sid!r}", source)
        subs.append(
            Node(
                sid,
                str(s.get("name_zh", sid)),
                str(s.get("name_en", sid)),
                _weight(s, source),
                children=inds,
            )
        )
    if "subpillars" in raw:
        subs = list(_apply_ahp(raw, pid, tuple(subs), source, ahp))
    _check_weights([s.weight for s in subs], f"sub-pillars of {pid!r}", source)
    return Node(
        pid,
        str(raw.get("name_zh", pid)),
        str(raw.get("name_en", pid)),
        _weight(raw, source),
        children=tuple(subs),
    )


def _indicator(
    raw: Any, source: str, catalog: Mapping[str, Any], known: set[str], seen: set[str]
) -> Node:
    if isinstance(raw, str):
        raw = {"id": raw}
    iid = _label(raw, "indicator", source)
    if iid not in known:
        close = difflib.get_close_matches(iid, sorted(known), n=3, cutoff=0.6)
        raise InputError(
            f"unknown indicator {iid!r} in the framework",
            file=source,
            column=iid,
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + "see `nqpf data list` for the catalog, or add the indicator to your data",
        )
    if iid in seen:
        raise InputError(
            f"indicator {iid!r} appears twice in the framework",
            file=source,
            column=iid,
            hint="use each indicator in one sub-pillar only",
        )
    seen.add(iid)
    spec = catalog.get(iid)
    direction_raw = raw.get("direction", spec.direction if spec is not None else None)
    if direction_raw not in ("+", "-", 1, -1):
        raise InputError(
            f'indicator {iid!r} needs `direction: "+"` (benefit) or `"-"` (cost)',
            file=source,
            column=iid,
            hint="context indicators (direction 0 in the catalog) are not scored unless you "
            "give a direction",
        )
    scope = raw.get("scope")
    if scope not in (None, "panel", "year"):
        raise InputError(
            f"indicator {iid!r}: scope {scope!r} is neither 'panel' nor 'year'",
            file=source,
            column=iid,
            hint="leave `scope` out to use the assessment's scope",
        )
    spec_name = (spec.name_zh, spec.name_en) if spec is not None else (iid, iid)
    floor = _floor(raw.get("floor"), iid, spec, source)
    return Node(
        iid,
        str(raw.get("name_zh", spec_name[0])),
        str(raw.get("name_en", spec_name[1])),
        _weight(raw, source),
        direction=1 if direction_raw in ("+", 1) else -1,
        scope=scope,
        rationale=str(raw.get("rationale", "")),
        source=str(raw.get("source", "")),
        floor=floor,
    )


_DENOMINATOR = re.compile(r"/\s*([a-z_][a-z0-9_]*)")


def formula_denominator(formula: str | None) -> str | None:
    """The id a catalog formula divides by first (``a / b * k`` → ``b``), or None."""
    found = _DENOMINATOR.search(formula or "")
    return found.group(1) if found else None


def _floor(raw: Any, iid: str, spec: Any, source: str) -> Floor | None:
    """The indicator's denominator floor (shape checked by the schema)."""
    if raw is None:
        return None
    den = raw.get("denominator") or formula_denominator(getattr(spec, "formula", None))
    if den is None:
        raise InputError(
            f"the floor of indicator {iid!r} needs a `denominator`",
            file=source,
            column=iid,
            hint="name the indicator it divides by, e.g. floor: {denominator: population, "
            "share_of_median: 0.05}",
        )
    if den == iid:
        raise InputError(
            f"indicator {iid!r} cannot be its own floor's denominator", file=source, column=iid
        )
    share = raw.get("share_of_median")
    low = raw.get("min")
    return Floor(
        str(den),
        min=float(low) if low is not None else None,
        share_of_median=float(share) if share is not None else None,
    )


def _apply_ahp(
    raw: Mapping[str, Any],
    node_id: str,
    children: tuple[Node, ...],
    source: str,
    ahp: dict[str, dict[str, float]],
) -> tuple[Node, ...]:
    """Weights of ``children`` from the parent's AHP matrix ``raw["ahp"]``, if there is one."""
    spec = raw.get("ahp")
    if spec is None:
        return children
    import pandas as pd

    from nqpf.index.weights import ahp_weights

    matrix, max_cr = (
        (spec.get("matrix"), spec.get("max_cr", 0.1)) if isinstance(spec, Mapping) else (spec, 0.1)
    )
    labels = [c.id for c in children]
    if any(c.weight is not None for c in children):
        raise InputError(
            f"{node_id!r} has both an AHP matrix and fixed weights on its children",
            file=source,
            column=node_id,
            hint="give either `ahp:` on the parent or `weight:` on the children",
        )
    try:
        frame = pd.DataFrame(matrix, index=labels, columns=labels, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"the AHP matrix of {node_id!r} must be {len(labels)} × {len(labels)} numbers, "
            f"rows and columns in the order {', '.join(labels)}",
            file=source,
            column=node_id,
        ) from None
    try:
        result = ahp_weights(frame, max_cr=float(max_cr))
    except InputError as exc:
        raise InputError(
            f"AHP matrix of {node_id!r}: {exc.message}",
            file=source,
            column=node_id,
            hint=exc.hint,
        ) from None
    ahp[node_id] = {
        "lambda_max": result.lambda_max,
        "ci": result.ci,
        "ri": result.ri,
        "cr": result.cr,
    }
    return tuple(replace(c, weight=float(result.weights[c.id])) for c in children)


def _weight(raw: Mapping[str, Any], source: str) -> float | None:
    w = raw.get("weight")
    if w is None:
        return None
    try:
        value = float(w)
    except (TypeError, ValueError):
        raise InputError(
            f"weight {w!r} is not a number", file=source, column=raw.get("id")
        ) from None
    if value < 0:
        raise InputError(
            f"negative weight {value}",
            file=source,
            column=raw.get("id"),
            hint="weights must be non-negative",
        )
    return value


def _check_weights(weights: list[float | None], what: str, source: str) -> None:
    given = [w for w in weights if w is not None]
    if not given:
        return
    if len(given) != len(weights):
        raise InputError(
            f"weights given for some but not all {what}",
            file=source,
            hint="give a weight to every sibling or to none",
        )
    require_unit_sum(sum(given), what=f"weights of the {what}", file=source)
