"""Industrial-structure comparison (产业结构比较): similarity, specialisation, peers.

With shares s_ik = X_ik / Σ_k X_ik of industry k in region i:

* structural similarity coefficient (产业结构相似系数, UNIDO 1979), the cosine of the
  share vectors: S_ij = Σ_k s_ik s_jk / √(Σ_k s_ik² · Σ_k s_jk²) ∈ [0, 1];
* Krugman dissimilarity between two regions (Krugman 1991, *Geography and Trade*):
  K_ij = Σ_k |s_ik − s_jk| ∈ [0, 2];
* Krugman specialisation index of a region against the rest of the country:
  K_i = Σ_k |s_ik − s̄_(−i)k|, with s̄_(−i) the shares of all other regions pooled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = ["krugman_dissimilarity", "krugman_specialisation", "peers", "shares", "similarity"]


def shares(values: pd.DataFrame) -> pd.DataFrame:
    """Industry shares of each region's total (rows sum to 1)."""
    totals = values.sum(axis=1)
    if (totals <= 0).any():
        raise InputError(
            f"region(s) with a zero total: {', '.join(map(str, totals.index[totals <= 0][:5]))}",
            hint="drop them first (nqpf.industry.matrix.drop_empty)",
        )
    return values.div(totals, axis=0)


def similarity(values: pd.DataFrame) -> pd.DataFrame:
    """Region × region structural similarity coefficient (cosine of shares).

    >>> t = pd.DataFrame({"a": [1.0, 2.0, 0.0], "b": [1.0, 2.0, 1.0]}, index=list("xyz"))
    >>> similarity(t).round(4).loc["x"].tolist()
    [1.0, 1.0, 0.7071]
    """
    s = shares(values).to_numpy()
    unit = s / np.linalg.norm(s, axis=1, keepdims=True)
    return pd.DataFrame(unit @ unit.T, index=values.index, columns=values.index)


def krugman_dissimilarity(values: pd.DataFrame) -> pd.DataFrame:
    """Region × region Krugman index Σ_k |s_ik − s_jk| (0 identical, 2 disjoint)."""
    s = shares(values).to_numpy()
    out = np.abs(s[:, None, :] - s[None, :, :]).sum(axis=2)
    return pd.DataFrame(out, index=values.index, columns=values.index)


def krugman_specialisation(values: pd.DataFrame) -> pd.Series:
    """Each region's Krugman specialisation index against the rest of the country."""
    x = values.to_numpy(dtype=float)
    rest = x.sum(axis=0, keepdims=True) - x
    s = x / x.sum(axis=1, keepdims=True)
    s_rest = rest / rest.sum(axis=1, keepdims=True)
    return pd.Series(np.abs(s - s_rest).sum(axis=1), index=values.index, name="krugman")


def peers(values: pd.DataFrame, region: str, *, n: int = 5) -> pd.DataFrame:
    """The ``n`` regions whose structure is most similar to ``region``'s (by S_ij)."""
    if region not in values.index:
        raise InputError(f"region {region!r} is not in the matrix")
    sim = similarity(values)[region].drop(region)
    kru = krugman_dissimilarity(values)[region].drop(region)
    out = pd.DataFrame({"similarity": sim, "krugman": kru}).sort_values(
        ["similarity", "krugman"], ascending=[False, True]
    )
    out.index.name = "region"
    return out.head(n)
