"""The composite-index engine: normalisation, weighting, aggregation and imputation methods;
frameworks (:mod:`nqpf.index.framework`), the construction of the composite index
(:mod:`nqpf.index.construct`), its result (:mod:`nqpf.index.assessment`) and uncertainty
analysis (:mod:`nqpf.index.uncertainty`). :func:`nqpf.assess` is in
:mod:`nqpf.services.assessment`, the files it writes in :mod:`nqpf.present.assessment`.

Each method is a plain function on a wide DataFrame (index ``(region, year)``, one column per
indicator) so it can be tested against published values and reused outside :func:`nqpf.assess`.
"""

from __future__ import annotations

from nqpf.index.aggregate import AGGREGATE_METHODS, aggregate
from nqpf.index.impute import IMPUTE_METHODS, impute
from nqpf.index.normalize import NORMALIZE_METHODS, normalize
from nqpf.index.weights import (
    COMBINE_METHODS,
    WEIGHT_METHODS,
    AHPResult,
    ahp_weights,
    combine_weights,
    compute_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    expert_weights,
    pca_weights,
)

__all__ = [
    "AGGREGATE_METHODS",
    "COMBINE_METHODS",
    "IMPUTE_METHODS",
    "NORMALIZE_METHODS",
    "WEIGHT_METHODS",
    "AHPResult",
    "aggregate",
    "ahp_weights",
    "combine_weights",
    "compute_weights",
    "critic_weights",
    "entropy_weights",
    "equal_weights",
    "expert_weights",
    "impute",
    "normalize",
    "pca_weights",
]
