"""A Spark session for the microdata aggregation, and the relations it reads.

``master`` is any Spark master URL: ``local[*]`` (this machine, the default),
``spark://host:7077`` (a standalone cluster; several hosts for HA: ``spark://h1:7077,h2:7077``),
``yarn`` (the cluster of ``HADOOP_CONF_DIR``), ``k8s://https://…``. A standalone master is
probed first (TCP, :data:`PROBE_SECONDS`) so that an unreachable one is a one-line error
instead of Spark's minute of retries. Spark needs a Java runtime (``java`` on ``PATH`` or
``JAVA_HOME``; Debian: ``openjdk-17-jre-headless``) and the ``pyspark`` package
(``pip install "nqpf[spark]"``).

The records come from a Parquet path Spark can read (a local folder, ``hdfs://…``,
``s3a://…``; the layout of the store's tables, as written by ``nqpf micro export`` or
``nqpf micro synth``) or from a table of the session's catalog (a Hive table
``db.firms`` with the same columns, on a cluster whose ``spark-defaults.conf`` sets
``spark.sql.catalogImplementation hive``, as Hive-enabled clusters do).
"""

from __future__ import annotations

import os
import shutil
import socket
import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from nqpf.errors import InputError

__all__ = ["PROBE_SECONDS", "register_parquet", "register_table", "spark_session"]

#: How long the TCP probe of a standalone master waits.
PROBE_SECONDS = 5.0
_COLUMNS = {
    "firms": ("region", "section", "industry", "registered", "exited", "capital"),
    "patents": ("region", "ipc", "filed"),
}


def _probe(master: str) -> None:
    """Raise a one-line error when no host of a ``spark://`` master URL accepts TCP."""
    hosts = master.removeprefix("spark://").split(",")
    errors = []
    for host in hosts:
        parts = urlsplit(f"//{host}")
        try:
            port = parts.port or 7077
        except ValueError:
            raise InputError(
                f"bad Spark master URL {master!r}", hint="e.g. spark://host:7077"
            ) from None
        if not parts.hostname:
            raise InputError(f"bad Spark master URL {master!r}", hint="e.g. spark://host:7077")
        try:
            with socket.create_connection((parts.hostname, port), timeout=PROBE_SECONDS):
                return
        except OSError as exc:
            errors.append(f"{parts.hostname}:{port} ({exc.strerror or type(exc).__name__})")
    raise InputError(
        f"cannot reach the Spark master {master}: {'; '.join(errors)}",
        hint="check the URL and that the master is running, or use --spark-master local[*]",
    )


def spark_session(master: str = "local[*]", *, conf: Mapping[str, str] | None = None) -> Any:
    """A Spark session on ``master`` (see the module docstring), with its UI off, Arrow
    transfers on and the settings ``conf``; errors in starting it are one line. An active
    session in this process is reused (Spark allows one)."""
    if not master or any(c.isspace() for c in master):
        raise InputError(
            f"bad Spark master URL {master!r}", hint="e.g. local[*] or spark://host:7077"
        )
    if master.startswith("spark://"):
        _probe(master)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError(
            "the Spark engine needs pyspark", hint='pip install "nqpf[spark]"'
        ) from None
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise InputError(
            "Spark needs a Java runtime and none was found",
            hint="install one (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME",
        )
    builder = (
        SparkSession.builder.master(master)
        .appName("nqpf micro")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        # one machine: few shuffle partitions, and the driver on the loopback interface
        builder = (
            builder.config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.host", "127.0.0.1")
            # the driver is the executor too, and receives the result table (default 1g)
            .config("spark.driver.memory", "4g")
            .config("spark.driver.maxResultSize", "2g")
        )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        with warnings.catch_warnings():
            # pyspark warns that it does not yet fully support pandas 3; the aggregation
            # hands over plain numbers and strings, which it converts correctly
            warnings.simplefilter("ignore", FutureWarning)
            session = builder.getOrCreate()
    except Exception as exc:  # Py4J and JVM start-up errors: report them on one line
        first = " ".join(str(exc).split("\n")[0].split())[:300]
        raise InputError(f"cannot start Spark on {master}: {first}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _check(frame: Any, kind: str, where: str) -> None:
    missing = [c for c in _COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise InputError(
            f"{where} lacks the column(s) {', '.join(missing)} of the {kind} records",
            hint="write it with nqpf micro export, or name the columns as the store does",
        )


def register_parquet(spark: Any, kind: str, path: str) -> None:
    """Make the Parquet records at ``path`` the view ``kind`` (``firms``/``patents``)."""
    try:
        frame = spark.read.parquet(path)
    except Exception as exc:
        first = " ".join(str(exc).split("\n")[0].split())[:300]
        raise InputError(f"Spark cannot read {path}: {first}") from None
    _check(frame, kind, path)
    frame.createOrReplaceTempView(kind)


def register_table(spark: Any, kind: str, table: str) -> None:
    """Make the catalog (Hive) table ``table`` the view ``kind``."""
    try:
        frame = spark.table(table)
    except Exception as exc:
        first = " ".join(str(exc).split("\n")[0].split())[:300]
        raise InputError(f"no table {table!r} in the Spark catalog: {first}") from None
    _check(frame, kind, table)
    frame.createOrReplaceTempView(kind)
