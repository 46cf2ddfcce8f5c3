"""Services floor (floor 2): the only place that loads packaged or user data for an
analysis, resolves regions, runs the analysis from its options and returns its result
object (:mod:`nqpf.results`). The CLI, the API and notebooks call these.

* :mod:`nqpf.services.assessment` — :func:`nqpf.assess`;
* :mod:`nqpf.services.disparity` — disparity of a measure, diagnosis of a region;
* :mod:`nqpf.services.industry` — matrices for the industry analyses, structural peers;
* :mod:`nqpf.services.data` — an indicator's values ranked by its direction;
* :mod:`nqpf.services.io` — input-output tables, linkages and their comparison across years;
* :mod:`nqpf.services.chains` — chain definitions and a region's chain map;
* :mod:`nqpf.services.policy` — the policy library (资讯): documents, search, extraction;
* :mod:`nqpf.services.plan` — herding, national layout, target tracking.
"""
