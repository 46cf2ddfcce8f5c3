"""Firm- and patent-level microdata (微观数据) on the data floor.

* :mod:`nqpf.micro.codes` — GB/T 4754-2011/2017 industry codes and their concordance,
  region codes and addresses through the registry, IPC codes;
* :mod:`nqpf.micro.store` — the embedded DuckDB store and the checked import of CSV/Parquet;
* :mod:`nqpf.micro.aggregate` — region × industry × year counts, capital, entries and
  exits as one SQL text that DuckDB and Spark both run;
* :mod:`nqpf.micro.spark` — a Spark session by master URL and the relations it reads;
* :mod:`nqpf.micro.synth` — synthetic records calibrated to the census (合成数据).

The services (:mod:`nqpf.services.micro`) and ``nqpf micro …`` use them; nothing here is
imported when ``nqpf`` starts.
"""
