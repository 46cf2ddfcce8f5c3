"""Supply offers and purchase requests (供应 / 求购): the fields of a post and their checks.

A post is validated once, here, before anything is stored; every error names the field
and says what to do (``quantity: must be a number ≥ 0``). Limits are named constants.
Text is kept as text: it is never interpreted as markup, a formula or a path by NQPF's
writers, and control characters (terminal escapes) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from nqpf.errors import InputError

__all__ = ["KINDS", "MAX_LENGTHS", "Post", "validate_post"]

PostKind = Literal["supply", "demand"]
KINDS: tuple[str, ...] = ("supply", "demand")
_KIND_ALIASES = {"supply": "supply", "供应": "supply", "offer": "supply",
                 "demand": "demand", "求购": "demand", "request": "demand"}  # fmt: skip

#: Longest accepted text per field (characters). Long enough for real posts, short enough
#: that one post cannot fill the database or a page.
MAX_LENGTHS: Mapping[str, int] = {
    "enterprise": 200,
    "product": 200,
    "industry": 50,
    "chain": 40,
    "segment": 40,
    "unit": 20,
    "contact": 200,
    "description": 2000,
    "client_key": 100,
}
_REQUIRED = ("kind", "enterprise", "product", "region", "contact", "valid_until")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Post:
    """A validated post (region as an adcode; chain and segment ids checked by the caller
    that knows the chain definitions)."""

    kind: PostKind
    enterprise: str
    product: str
    region: str
    contact: str
    valid_until: date
    industry: str = ""
    chain: str = ""
    segment: str = ""
    quantity: float | None = None
    unit: str = ""
    description: str = ""
    client_key: str = ""


def validate_post(data: Mapping[str, Any], *, today: date) -> Post:
    """Check a post's fields; raises :class:`InputError` naming the first bad field."""
    unknown = sorted(set(data) - {*Post.__dataclass_fields__})
    if unknown:
        raise InputError(
            f"{unknown[0]}: unknown field", hint=f"fields: {', '.join(Post.__dataclass_fields__)}"
        )
    for key in _REQUIRED:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InputError(f"{key}: required", hint=f"give the post's {key}")
    kind = _KIND_ALIASES.get(str(data["kind"]).strip().lower())
    if kind is None:
        raise InputError(
            f"kind: {data['kind']!r} is not supply or demand", hint="供应/supply or 求购/demand"
        )
    texts = {}
    for key, limit in MAX_LENGTHS.items():
        raw = data.get(key, "")
        text = "" if raw is None else str(raw).strip()
        if len(text) > limit:
            raise InputError(
                f"{key}: {len(text)} characters, at most {limit} allowed", hint="shorten it"
            )
        if _CONTROL.search(text):
            raise InputError(f"{key}: contains control characters", hint="plain text only")
        texts[key] = text
    from nqpf.regions import normalize_region

    try:
        region = normalize_region(str(data["region"]))
    except InputError as error:
        raise InputError(f"region: {error}") from None
    valid_until = _date(data["valid_until"])
    if valid_until < today:
        raise InputError(f"valid_until: {valid_until} is in the past", hint="a date from today on")
    quantity = data.get("quantity")
    number: float | None = None
    if quantity not in (None, ""):
        try:
            number = float(quantity)
        except (TypeError, ValueError):
            raise InputError(f"quantity: {quantity!r} is not a number", hint="e.g. 500") from None
        if not number >= 0 or number == float("inf"):
            raise InputError(f"quantity: must be a number ≥ 0, got {quantity!r}")
    if bool(texts["segment"]) and not texts["chain"]:
        raise InputError("chain: required when a segment is given", hint="e.g. chain=nev")
    return Post(
        kind=kind,  # type: ignore[arg-type]
        enterprise=texts["enterprise"],
        product=texts["product"],
        region=region,
        contact=texts["contact"],
        valid_until=valid_until,
        industry=texts["industry"],
        chain=texts["chain"],
        segment=texts["segment"],
        quantity=number,
        unit=texts["unit"],
        description=texts["description"],
        client_key=texts["client_key"],
    )


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"valid_until: {value!r} is not a date", hint="use YYYY-MM-DD") from None
