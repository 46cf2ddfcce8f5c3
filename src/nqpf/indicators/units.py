"""Unit conversion between the scale variants that Chinese statistics publish.

Only conversions within one family (money in 元, persons, mass, money in USD) are known;
anything else is refused rather than guessed.

>>> conversion_factor("万元", "亿元")
0.0001
>>> conversion_factor("t", "百万吨")
1e-06
"""

from __future__ import annotations

from nqpf.errors import InputError

__all__ = ["conversion_factor"]

_FAMILIES: tuple[dict[str, float], ...] = (
    {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8, "万亿元": 1e12},
    {"美元": 1.0, "千美元": 1e3, "万美元": 1e4, "百万美元": 1e6, "亿美元": 1e8},
    {"人": 1.0, "万人": 1e4, "亿人": 1e8},
    {"吨": 1.0, "t": 1.0, "万吨": 1e4, "百万吨": 1e6, "mt": 1e6, "亿吨": 1e8},
    {
        "吨标准煤": 1.0,
        "tce": 1.0,
        "万吨标准煤": 1e4,
        "万吨标煤": 1e4,
        "万tce": 1e4,
        "亿吨标准煤": 1e8,
    },
    {"件": 1.0, "万件": 1e4},
    {"个": 1.0, "家": 1.0, "万个": 1e4, "万家": 1e4},
    {"公里": 1.0, "km": 1.0, "万公里": 1e4},
    {"%": 1.0, "百分比": 1.0},
)


def _norm(unit: str) -> str:
    return unit.strip().lower().replace(" ", "")


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Factor ``f`` with ``value_in_to_unit = value_in_from_unit * f``."""
    a, b = _norm(from_unit), _norm(to_unit)
    if a == b:
        return 1.0
    for family in _FAMILIES:
        if a in family and b in family:
            return family[a] / family[b]
    raise InputError(
        f"cannot convert {from_unit!r} to {to_unit!r}",
        hint="give the values in the catalog unit, or import them as a new indicator",
    )
