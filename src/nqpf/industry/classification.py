"""Industry classification by stage (因业分类施策): traditional / emerging / future, key fields, policy levers.

The authored industry typing (``nqpf/indicators/industry_typing.yaml``, read by
:func:`nqpf.indicators.definitions.industry_typing_document`) maps every industry of the packaged
classifications to its GB/T 4754-2017 section, a type (传统产业 / 战略性新兴产业 / 未来产业),
the categories of 《战略性新兴产业分类(2018)》 it belongs to or contains, the
未来产业 directions of the 2024 MIIT et al. 《关于推动未来产业创新发展的实施意见》 it leads
into, and the article's key fields, each with a reason; and it lists the article's policy
levers (改造升级, 培育壮大, 前瞻布局, 场景应用示范 …) for each type and stage. Every industry
is also marked tradable (sold to other regions) or not (local services: public
administration, education, health, retail, real estate …; Porter 2003, *Regional Studies*
37:549; Delgado, Porter & Stern 2016, *J. Econ. Geogr.* 16:1), with a reason; a
non-tradable industry gets the ``nontradable`` levers, which promise no industrial policy.

Stage of an industry in a region: ``established`` (RCA ≥ 1), ``nascent`` (0 < RCA < 1),
``absent`` (RCA = 0).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from nqpf.errors import InputError
from nqpf.indicators.definitions import industry_typing_document

__all__ = ["STAGES", "industry_types", "lever", "load_typing", "stage_of"]

Stage = Literal["established", "nascent", "absent"]
STAGES: tuple[Stage, ...] = ("established", "nascent", "absent")
_TYPES = ("traditional", "emerging", "future")
_SECTIONS = {chr(c) for c in range(ord("A"), ord("T") + 1)}


def load_typing(path: str | Path | None = None) -> dict[str, Any]:
    """The typing document (the packaged one, or a user's file of the same layout), checked."""
    return _load(None if path is None else str(path))


@cache
def _load(path: str | None) -> dict[str, Any]:
    doc, name = industry_typing_document(path)
    if not isinstance(doc, dict) or "industries" not in doc or "levers" not in doc:
        raise InputError("a typing file needs 'industries' and 'levers'", file=name)
    categories = set(doc.get("emerging_categories", {}))
    directions = set(doc.get("future_directions", {}))
    fields = set(doc.get("key_fields", []))
    for classification, entries in doc["industries"].items():
        for code, entry in entries.items():
            where = f"{classification}/{code}"
            problems = []
            if entry.get("type") not in _TYPES:
                problems.append(f"type {entry.get('type')!r} is not one of {', '.join(_TYPES)}")
            if entry.get("section") is not None and entry["section"] not in _SECTIONS:
                problems.append(f"section {entry['section']!r} is not a GB/T 4754 letter")
            problems += [
                f"unknown emerging category {c}"
                for c in entry.get("emerging", [])
                if c not in categories
            ]
            problems += [
                f"unknown future direction {d}"
                for d in entry.get("future", [])
                if d not in directions
            ]
            problems += [
                f"unknown key field {k}" for k in entry.get("key_fields", []) if k not in fields
            ]
            if not entry.get("reason"):
                problems.append("no reason given")
            if not isinstance(entry.get("tradable"), bool):
                problems.append("tradable must be true or false")
            if not entry.get("tradable_reason"):
                problems.append("no tradable_reason given")
            if problems:
                raise InputError(f"industry {where}: {'; '.join(problems)}", file=name)
    for kind in (*_TYPES, "nontradable"):
        for stage in STAGES:
            if stage not in doc["levers"].get(kind, {}):
                raise InputError(f"no lever for type {kind!r} at stage {stage!r}", file=name)
    return dict(doc)


def industry_types(classification: str, *, path: str | Path | None = None) -> pd.DataFrame:
    """One row per industry of ``classification``: section, type, categories, directions, reason.

    >>> t = industry_types("listed")
    >>> t.loc["半导体", ["type", "key_fields"]].tolist()
    ['emerging', '集成电路']
    """
    doc = load_typing(path)
    entries = doc["industries"].get(classification)
    if entries is None:
        known = ", ".join(doc["industries"])
        raise InputError(
            f"no typing for classification {classification!r}",
            hint=f"typed classifications: {known}; pass your own typing file for others",
        )
    categories = doc["emerging_categories"]
    rows = []
    for code, entry in entries.items():
        rows.append(
            {
                "industry": str(code),
                "section": entry.get("section"),
                "type": entry["type"],
                "type_zh": doc["types"][entry["type"]]["zh"],
                "emerging": "、".join(categories[c]["zh"] for c in entry.get("emerging", [])),
                "future": "、".join(entry.get("future", [])),
                "key_fields": "、".join(entry.get("key_fields", [])),
                "reason": entry["reason"],
                "tradable": bool(entry["tradable"]),
                "tradable_reason": entry["tradable_reason"],
            }
        )
    return pd.DataFrame(rows).set_index("industry")


def stage_of(rca_value: float) -> Stage:
    """Life-cycle stage of an industry in a region from its RCA."""
    if rca_value >= 1.0:
        return "established"
    return "nascent" if rca_value > 0 else "absent"


def lever(
    kind: str, stage: Stage, *, tradable: bool = True, path: str | Path | None = None
) -> tuple[str, str]:
    """The article's policy lever (zh, en) for an industry type at a stage; a non-tradable
    industry gets the ``nontradable`` levers whatever its type.

    >>> lever("future", "absent")[0].startswith("前瞻布局")
    True
    >>> "自主可控" in lever("traditional", "nascent", tradable=False)[0]
    False
    """
    doc = load_typing(path)
    if not tradable:
        kind = "nontradable"
    try:
        entry = doc["levers"][kind][stage]
    except KeyError:
        raise InputError(f"no lever for type {kind!r} at stage {stage!r}") from None
    return str(entry["zh"]), str(entry["en"])
