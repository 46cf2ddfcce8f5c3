"""The schema of a framework YAML, checked before :mod:`nqpf.index.framework` builds it.

A user's framework file is untrusted input. This module reads it safely and checks its
shape, so that every bad file ends in one :class:`~nqpf.errors.InputError` naming the file
and the place (``pillars[1].indicators[0].weight``), never a traceback, a hang or a huge
allocation:

* **Reading** (:func:`read_framework_yaml`): at most :data:`MAX_BYTES`; UTF-8 only (with or
  without BOM); ``yaml.safe_load`` (no ``!!python`` tags); at most :data:`MAX_ALIASES`
  aliases, and the document *as expanded* (aliases counted every time they are used) at
  most :data:`MAX_NODES` nodes and :data:`MAX_DEPTH` levels deep — a 1 KB file of nested
  anchors cannot become gigabytes of labels.
* **Shape** (:func:`validate_framework`, a pydantic model): ids are non-empty text without
  path separators or control characters and not one of the :data:`RESERVED_IDS` (column
  names of the score table, and ``index``, the top of the hierarchy); labels at most
  :data:`MAX_LABEL` characters, control characters removed; weights finite and
  non-negative; ``years`` two
  years within 1949–2100, first ≤ last; AHP matrices square lists of positive finite
  numbers; at most :data:`MAX_NODES_FRAMEWORK` pillars, sub-pillars and indicators; an
  indicator's ``floor`` has an optional ``denominator`` id and exactly one of ``min`` (> 0, in
  the denominator's unit) or ``share_of_median`` (in (0, 1)), and no other key.

Keys the schema does not know are passed through (the framework module checks them).

>>> validate_framework({"pillars": [{"id": "tech", "indicators": ["rd_intensity"]}]})["pillars"]
[{'id': 'tech', 'indicators': [{'id': 'rd_intensity'}]}]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from nqpf._yaml import safe_load
from nqpf.errors import InputError

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "RESERVED_IDS",
    "YEAR_RANGE",
    "read_framework_yaml",
    "validate_framework",
]

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest framework file read (bytes).
MAX_BYTES = 1_000_000
#: Most YAML aliases (``*name``) in one file.
MAX_ALIASES = 100
#: Most nodes of the document with every alias expanded.
MAX_NODES = 50_000
#: Deepest nesting of the document.
MAX_DEPTH = 30
#: Longest label (name, rationale, source) in characters.
MAX_LABEL = 2_000
#: Most pillars + sub-pillars + indicators.
MAX_NODES_FRAMEWORK = 2_000
#: Years a framework may name.
YEAR_RANGE = (1949, 2100)
#: Ids that would clash with the columns of the score table or the index itself.
RESERVED_IDS = frozenset(
    {"index", "region", "region_name", "year", "rank", "median_rank", "rank_p05", "rank_p95"}
)


# ---------------------------------------------------------------------------- reading


def read_framework_yaml(path: str | Path) -> Any:
    """Parse a framework file within the limits above; errors name the file."""
    from nqpf.outputs import clean_text

    path = Path(path)
    name = path.name
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            f"the framework file is {size:,} bytes, more than the {MAX_BYTES:,} allowed",
            file=name,
        )
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the framework file is not UTF-8 (bad byte at offset {exc.start})",
            file=name,
            hint="save it as UTF-8",
        ) from None
    if "\x00" in text:
        raise InputError("the framework file contains NUL bytes", file=name)
    try:
        node = yaml.compose(text, Loader=_LOADER)
        _check_expansion(node, name)
        return safe_load(text)
    except yaml.YAMLError as exc:
        reason = clean_text(" ".join(str(exc).split()))
        if "nesting depth" in reason:  # libyaml's own limit (the C loader)
            raise InputError(
                f"the framework is nested too deeply (more than {MAX_DEPTH} levels)", file=name
            ) from None
        raise InputError(f"not valid YAML: {reason}", file=name) from None
    except RecursionError:
        raise InputError(
            f"the framework is nested too deeply (more than {MAX_DEPTH} levels)", file=name
        ) from None


def _check_expansion(root: yaml.Node | None, file: str) -> None:
    """Count the nodes of the document as loading would expand it (aliases are the same
    node object met again), without expanding anything."""
    if root is None:
        return
    memo: dict[int, int] = {}
    seen_ids: set[int] = set()
    aliases = 0

    def size(node: yaml.Node, depth: int) -> int:
        nonlocal aliases
        if depth > MAX_DEPTH:
            raise InputError(
                f"the framework is nested too deeply (more than {MAX_DEPTH} levels)", file=file
            )
        key = id(node)
        if key in seen_ids:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise InputError(
                    f"the framework uses more than {MAX_ALIASES} YAML aliases", file=file
                )
        seen_ids.add(key)
        if key in memo:
            return memo[key]
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        elif isinstance(node, yaml.ScalarNode):
            total += len(node.value) // 64
        if total > MAX_NODES:
            raise InputError(
                f"the framework expands to more than {MAX_NODES:,} elements (nested YAML anchors?)",
                file=file,
                hint="write the framework out without aliases",
            )
        memo[key] = total
        return total

    size(root, 0)


# ---------------------------------------------------------------------------- shape


def _clean_label(value: Any) -> Any:
    from nqpf.outputs import clean_text

    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _check_id(value: str) -> str:
    from nqpf.outputs import clean_text

    if clean_text(value) != value or any(c in value for c in "/\\"):
        raise ValueError("an id must not contain control characters, '/' or '\\'")
    if value.strip() != value or not value:
        raise ValueError("an id must not be empty or start/end with spaces")
    if value.lower() in RESERVED_IDS:
        raise ValueError(
            f"{value!r} is reserved (a column of the score table or the index itself); "
            "choose another id"
        )
    return value


Id = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_check_id)]
Label = Annotated[str, BeforeValidator(_clean_label), Field(max_length=MAX_LABEL)]
Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=YEAR_RANGE[0], le=YEAR_RANGE[1])]


class _Node(BaseModel):
    model_config = ConfigDict(extra="allow", strict=False)


class _Ahp(_Node):
    matrix: list[list[Positive]] = Field(max_length=100)
    max_cr: Positive = 0.1

    @model_validator(mode="after")
    def _square(self) -> _Ahp:
        n = len(self.matrix)
        if any(len(row) != n for row in self.matrix):
            raise ValueError(f"the AHP matrix must be square ({n} rows of {n} numbers)")
        return self


def _ahp(value: Any) -> Any:
    return {"matrix": value} if isinstance(value, list) else value


AhpSpec = Annotated[_Ahp, BeforeValidator(_ahp)]


def _year_pair(value: Any) -> Any:
    if value is not None and (not isinstance(value, list | tuple) or len(value) != 2):
        raise ValueError("`years` must be [first, last], e.g. [2018, 2023]")
    return value


class _Floor(BaseModel):
    """A denominator floor: below it the ratio is treated as missing (then imputed)."""

    model_config = ConfigDict(extra="forbid", strict=False)

    denominator: Id | None = None
    min: Positive | None = None
    share_of_median: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> _Floor:
        if (self.min is None) == (self.share_of_median is None):
            raise ValueError(
                "a floor needs exactly one of `min` (in the denominator's unit) or "
                "`share_of_median` (a share in (0, 1) of the year's median denominator)"
            )
        return self


class _Indicator(_Node):
    """An indicator: its id alone, or a mapping (``direction`` and ``scope`` are checked by
    the framework module, whose messages name the allowed values)."""

    id: Id
    name_zh: Label | None = None
    name_en: Label | None = None
    weight: Weight | None = None
    rationale: Label | None = None
    source: Label | None = None
    floor: _Floor | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, data: Any) -> Any:
        return {"id": data} if isinstance(data, str) else data


IndicatorSpec = _Indicator


class _SubPillar(_Node):
    id: Id
    name_zh: Label | None = None
    name_en: Label | None = None
    weight: Weight | None = None
    ahp: AhpSpec | None = None
    indicators: list[IndicatorSpec] = Field(min_length=1, max_length=MAX_NODES_FRAMEWORK)


class _Pillar(_Node):
    id: Id
    name_zh: Label | None = None
    name_en: Label | None = None
    weight: Weight | None = None
    ahp: AhpSpec | None = None
    subpillars: list[_SubPillar] | None = Field(default=None, max_length=MAX_NODES_FRAMEWORK)
    indicators: list[IndicatorSpec] | None = Field(default=None, max_length=MAX_NODES_FRAMEWORK)

    @model_validator(mode="after")
    def _children(self) -> _Pillar:
        if self.subpillars is None and self.indicators is None:
            raise ValueError("a pillar needs `subpillars` or `indicators`")
        return self


class _Framework(_Node):
    id: Label | None = None
    name_zh: Label | None = None
    name_en: Label | None = None
    reference: Label | None = None
    years: Annotated[tuple[Year, Year] | None, BeforeValidator(_year_pair)] = None
    ahp: AhpSpec | None = None
    pillars: list[_Pillar] = Field(min_length=1, max_length=MAX_NODES_FRAMEWORK)

    @model_validator(mode="after")
    def _limits(self) -> _Framework:
        if self.years is not None and self.years[0] > self.years[1]:
            raise ValueError(f"`years` runs backwards: {self.years[0]} > {self.years[1]}")
        count = 0
        for p in self.pillars:
            count += 1 + len(p.indicators or [])
            for s in p.subpillars or []:
                count += 1 + len(s.indicators)
        if count > MAX_NODES_FRAMEWORK:
            raise ValueError(f"more than {MAX_NODES_FRAMEWORK} pillars, sub-pillars and indicators")
        return self


def validate_framework(raw: Any, source: str = "framework") -> dict[str, Any]:
    """Check a framework's shape; returns it with types coerced and labels cleaned.

    Raises :class:`~nqpf.errors.InputError` naming ``source`` and the first problem's
    place, e.g. ``pillars[0].indicators[1].weight: must be a finite number``.
    """
    if not isinstance(raw, Mapping):
        raise InputError(
            "a framework must be a mapping with a list `pillars`",
            file=source,
            hint="see docs/assess.md for the framework schema",
        )
    try:
        model = _Framework.model_validate(dict(raw))
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = _place(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise InputError(
            f"{where}: {message}" if where else message,
            file=source,
            hint="see docs/assess.md for the framework schema",
        ) from None
    dumped = model.model_dump(exclude_unset=True)
    if isinstance(dumped.get("years"), tuple):
        dumped["years"] = list(dumped["years"])
    return dumped


def _place(loc: tuple[int | str, ...]) -> str:
    """``("pillars", 0, "indicators", 1, "_Indicator", "weight")`` → ``pillars[0]
    .indicators[1].weight`` (pydantic's union branch names left out)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("_") or part == "str" or "[" in part or "(" in part:
            continue
        else:
            out += f".{part}" if out else part
    return out
