"""The NQPF assessment engine: frameworks, normalisation, weighting, aggregation, imputation,
the :class:`~nqpf.index.assessment.Assessment` object and its uncertainty analysis."""
