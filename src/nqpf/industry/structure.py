"""Industrial-structure comparison (产业结构比较): similarity, specialisation, peers.

With shares s_ik = X_ik / Σ_k X_ik of industry k in region i:

* structural similarity coefficient (产业结构相似系数, UNIDO 1979), the cosine of the
  share vectors: S_ij = Σ_k s_ik s_jk / √(Σ_k s_ik² · Σ_k s_jk²) ∈ [0, 1];
* Krugman dissimilarity between two regions (Krugman 1991, *Geography and Trade*):
  K_ij = Σ_k |s_ik − s_jk| ∈ [0, 2];
* Krugman specialisation index of a region against the rest of the country:
  K_i = Σ_k |s_ik − s̄_(−i)k|, with s̄_(−i) the shares of all other regions pooled.

:func:`peers` needs one region's row of S and K only: O(n·k) time and memory (a
matrix-vector product and one row of absolute differences), not the n × n × k array of all
pairs (2,943 census counties: 2.8 GB before). The full matrices use
:func:`scipy.spatial.distance.cdist` (n × n memory).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.results import ResultMixin

__all__ = [
    "SimilarityResult",
    "krugman_dissimilarity",
    "krugman_specialisation",
    "peers",
    "shares",
    "similarity",
]


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
    from scipy.spatial.distance import cdist

    s = shares(values).to_numpy()
    return pd.DataFrame(cdist(s, s, "cityblock"), index=values.index, columns=values.index)


def krugman_specialisation(values: pd.DataFrame) -> pd.Series:
    """Each region's Krugman specialisation index against the rest of the country."""
    x = values.to_numpy(dtype=float)
    rest = x.sum(axis=0, keepdims=True) - x
    s = x / x.sum(axis=1, keepdims=True)
    s_rest = rest / rest.sum(axis=1, keepdims=True)
    return pd.Series(np.abs(s - s_rest).sum(axis=1), index=values.index, name="krugman")


def peers(values: pd.DataFrame, region: str, *, n: int = 5) -> pd.DataFrame:
    """The ``n`` regions whose structure is most similar to ``region``'s (by S_ij, ties by
    the smaller K_ij).

    >>> t = pd.DataFrame({"a": [1.0, 2.0, 0.0], "b": [1.0, 2.0, 1.0]}, index=list("xyz"))
    >>> peers(t, "x", n=2).round(4).to_dict("index")
    {'y': {'similarity': 1.0, 'krugman': 0.0}, 'z': {'similarity': 0.7071, 'krugman': 1.0}}
    """
    if region not in values.index:
        raise InputError(f"region {region!r} is not in the matrix")
    s = shares(values).to_numpy()
    i = int(values.index.get_indexer(pd.Index([region]))[0])
    unit = s / np.linalg.norm(s, axis=1, keepdims=True)
    out = pd.DataFrame(
        {"similarity": unit @ unit[i], "krugman": np.abs(s - s[i]).sum(axis=1)},
        index=values.index,
    ).drop(region)
    out = out.sort_values(["similarity", "krugman"], ascending=[False, True])
    out.index.name = "region"
    return out.head(n)


@dataclass
class SimilarityResult(ResultMixin):
    """Structural peers of one region (``nqpf similar``), on the result protocol.

    Tables: ``peers`` (region, region_name, similarity, krugman) and ``specialisation``
    (the region's Krugman specialisation index, the median over all regions of the matrix
    and their number).
    """

    kind: ClassVar[str] = "similarity"
    main_table: ClassVar[str | None] = "peers"

    region: str
    region_label: str
    peers: pd.DataFrame
    specialisation: float
    specialisation_median: float
    n_regions: int
    spec: dict[str, Any]
    spec_hash: str
    provenance: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        row = {
            "region": self.region,
            "region_name": self.region_label,
            "krugman_specialisation": self.specialisation,
            "median_all_regions": self.specialisation_median,
            "n_regions": self.n_regions,
        }
        return {"peers": self.peers, "specialisation": pd.DataFrame([row])}
