"""Policy library core (资讯): extraction from Chinese policy text, industry fields, and the
jieba segmentation used for full-text search. Pure functions; storage is :mod:`nqpf.db`,
orchestration :mod:`nqpf.services.policy`."""
