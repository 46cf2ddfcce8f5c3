"""Emerging and future industry fields (新兴产业、未来产业领域) that policy documents name.

The packaged ``policy_fields.yaml`` (read by
:func:`nqpf.indicators.definitions.policy_fields_document`) lists each field with the words documents use for it,
its type (``emerging`` 战略性新兴产业 / ``future`` 未来产业), its category of
《战略性新兴产业分类(2018)》 or its direction of the 2024 future-industry guideline, and the
listed-company industries (the opportunities engine's classification) whose firms make it.

:func:`map_field` resolves a declared phrase ("智能网联新能源汽车", "人工智能+") to a field:
an exact name or alias first, then the longest name or alias the phrase contains; phrases
that map to nothing are listed back with the closest names as suggestions.

>>> map_field("智能网联新能源汽车")
'new_energy_vehicles'
>>> map_field("培育壮大低空经济")
'low_altitude'
"""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any

import pandas as pd

from nqpf.errors import InputError
from nqpf.indicators.definitions import policy_fields_document

__all__ = ["field_aliases", "load_fields", "map_field", "map_fields", "suggest_fields"]


def _doc() -> dict[str, Any]:
    return policy_fields_document()


def load_fields() -> pd.DataFrame:
    """One row per field: ``field, zh, en, type, category, direction, aliases, industries``."""
    rows = []
    for field, entry in _doc()["fields"].items():
        rows.append(
            {
                "field": field,
                "zh": entry["zh"],
                "en": entry["en"],
                "type": entry["type"],
                "category": entry.get("category"),
                "direction": entry.get("direction"),
                "aliases": tuple(entry.get("aliases", [])),
                "industries": tuple(entry["industries"]),
            }
        )
    return pd.DataFrame(rows)


@cache
def field_aliases() -> dict[str, str]:
    """Every name and alias (lower-cased) → field id."""
    names: dict[str, str] = {}
    for field, entry in _doc()["fields"].items():
        for word in (entry["zh"], *entry.get("aliases", [])):
            names[str(word).lower()] = field
    return names


def map_field(phrase: str) -> str | None:
    """The field a declared phrase names, or None."""
    text = phrase.strip().lower()
    names = field_aliases()
    if text in names:
        return names[text]
    contained = [w for w in names if w in text]
    if not contained:
        return None
    return names[max(contained, key=lambda w: (len(w), w))]


def suggest_fields(phrase: str, n: int = 3) -> list[str]:
    """Closest field names for a phrase that maps to nothing."""
    names = {str(e["zh"]): f for f, e in _doc()["fields"].items()}
    return difflib.get_close_matches(phrase, list(names), n=n, cutoff=0.2)


def map_fields(phrases: pd.Series, *, file: str | None = None) -> pd.Series:
    """Field ids of declared phrases; raises InputError listing every phrase that maps to
    nothing, with suggestions (the row numbers count the header as row 1)."""
    mapped = phrases.map(lambda p: map_field(str(p)))
    missing = mapped.isna()
    if missing.any():
        lines = [
            f"row {int(i) + 2}: {phrases[i]!r} (did you mean {', '.join(suggest_fields(str(phrases[i]))) or '—'}?)"
            for i in phrases.index[missing]
        ]
        raise InputError(
            f"{int(missing.sum())} declared industr(ies) map to no field: {'; '.join(lines)}",
            file=file,
            column="industry",
            hint="use a field name or alias of nqpf.policy.fields.load_fields()",
        )
    return mapped
