r"""Coupling coordination degree (耦合协调度) of two or more subsystems.

For subsystem scores :math:`U_1, \dots, U_n \in [0, 1]` (e.g. the 科技创新 ``tech`` and
产业创新 ``industry`` pillars, the article's 科技创新和产业创新深度融合):

.. math::

    C = \left[\frac{\prod_i U_i}{\left(\frac{1}{n}\sum_i U_i\right)^n}\right]^{1/n}
      = \frac{\text{geometric mean}}{\text{arithmetic mean}} \in [0, 1], \qquad
    T = \sum_i \alpha_i U_i, \qquad D = \sqrt{C \cdot T}

with :math:`\sum_i \alpha_i = 1` (equal by default). For n = 2 this is the classic
:math:`C = 2\sqrt{U_1 U_2}/(U_1 + U_2)`. This is the normative form of 王淑佳, 孔伟, 任亮,
治丹丹, 戴彬婷 (2021) 国内耦合协调度模型的误区及修正, 自然资源学报 36(3): 793–810. A
common wrong version for n = 3 divides by the pairwise sums,
:math:`C = 3\{U_1 U_2 U_3 / [(U_1 + U_2)(U_1 + U_3)(U_2 + U_3)]\}^{1/3}`, which reaches
1.5 for equal scores; another drops the factor n of
:math:`C = n[\prod U_i/(\sum U_i)^n]^{1/n}` and never exceeds 1/n. Neither is used here
(see also 刘春林 (2017) 耦合度计算的常见错误分析, 江苏师范大学学报(自然科学版)).

When every :math:`U_i = 0`, C is 0/0 and left missing; T and D are 0.

Classification of D in ten equal steps of 0.1 (廖重斌 1999, 热带地理 19(2): 171–177):
极度失调, 严重失调, 中度失调, 轻度失调, 濒临失调, 勉强协调, 初级协调, 中级协调,
良好协调, 优质协调 (D = 1 is 优质协调).

Examples
--------
>>> import pandas as pd
>>> scores = pd.DataFrame({"region": ["340000"], "year": [2022], "tech": [0.4], "industry": [0.6]})
>>> row = coupling_coordination(scores, ["tech", "industry"]).iloc[0]
>>> round(float(row["C"]), 4), round(float(row["T"]), 4), round(float(row["D"]), 4), row["class_zh"]
(0.9798, 0.5, 0.6999, '初级协调')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.ingest.checks import require_columns, require_unit_sum

__all__ = ["COORDINATION_CLASSES", "coordination_class", "coupling_coordination"]

COORDINATION_CLASSES: tuple[tuple[str, str], ...] = (
    ("极度失调", "extreme imbalance"),
    ("严重失调", "severe imbalance"),
    ("中度失调", "moderate imbalance"),
    ("轻度失调", "mild imbalance"),
    ("濒临失调", "verging on imbalance"),
    ("勉强协调", "barely coordinated"),
    ("初级协调", "primary coordination"),
    ("中级协调", "intermediate coordination"),
    ("良好协调", "good coordination"),
    ("优质协调", "high-quality coordination"),
)
"""The ten classes of D, [0, 0.1) … [0.9, 1], as (Chinese, English)."""


def coordination_class(d: float) -> int:
    """Level 1–10 of a coordination degree D ∈ [0, 1] (level 10 includes D = 1).

    >>> coordination_class(0.0), coordination_class(0.55), coordination_class(1.0)
    (1, 6, 10)
    """
    if not 0 <= d <= 1:
        raise InputError(f"coordination degree {d} outside [0, 1]")
    return min(int(np.floor(d * 10)) + 1, 10)


def coupling_coordination(
    scores: pd.DataFrame,
    subsystems: Sequence[str],
    *,
    alpha: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """C, T, D and the coordination class for every row of ``scores``.

    Parameters
    ----------
    scores:
        Frame with one column per subsystem (values in [0, 1]) and any id columns
        (``region``, ``year``), which are kept.
    subsystems:
        Two or more column names, e.g. ``["tech", "industry"]``.
    alpha:
        Subsystem → contribution weight of T (non-negative, summing to 1); equal if None.

    Returns the input's other columns, the subsystem scores, ``C, T, D, level, class_zh,
    class_en``.
    """
    subs = list(subsystems)
    if len(subs) < 2:
        raise InputError("coupling needs at least two subsystems", hint="e.g. tech and industry")
    require_columns(scores, subs, what="coupling coordination")
    u = scores[subs].astype(float).to_numpy()
    bad = np.isnan(u) | (u < 0) | (u > 1)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        where = scores.iloc[i].get("region", i)
        raise InputError(
            f"subsystem score {u[i, j]} of {where} is missing or outside [0, 1]",
            column=subs[j],
            hint="use normalised scores in [0, 1] (e.g. pillar scores of an assessment)",
        )
    if alpha is None:
        a = np.full(len(subs), 1 / len(subs))
    else:
        a = np.array([float(alpha.get(s, np.nan)) for s in subs])
        if np.isnan(a).any() or (a < 0).any():
            raise InputError(
                f"alpha {dict(alpha)} must give every subsystem a non-negative weight, sum 1",
                hint=f"e.g. {{{', '.join(f'{s!r}: {1 / len(subs):.3g}' for s in subs)}}}",
            )
        require_unit_sum(float(a.sum()), what=f"alpha {dict(alpha)}")
    arithmetic = u.mean(axis=1)
    geometric = np.exp(np.log(np.where(u > 0, u, 1.0)).mean(axis=1)) * (u > 0).all(axis=1)
    # C = 0 when some subsystem is 0 and another is not (GM = 0); undefined when all are 0.
    # Testing GM > 0 rather than AM > 0 keeps this right when AM underflows to 0.
    c = np.where((u > 0).any(axis=1), 0.0, np.nan)
    np.divide(geometric, arithmetic, out=c, where=geometric > 0)
    # GM ≤ AM analytically; rounding of exp/log must not push C past 1
    c = np.minimum(c, 1.0)
    t = u @ a
    d = np.sqrt(np.where(np.isnan(c), 0.0, c) * t)
    out = scores.copy()
    out["C"] = c
    out["T"] = t
    out["D"] = d
    levels = [coordination_class(float(v)) for v in np.minimum(d, 1.0)]
    out["level"] = levels
    out["class_zh"] = [COORDINATION_CLASSES[k - 1][0] for k in levels]
    out["class_en"] = [COORDINATION_CLASSES[k - 1][1] for k in levels]
    return out
