"""NQPF's home folder: ``$NQPF_HOME`` or ``~/.nqpf``.

It holds the workspace (:mod:`nqpf.ingest.workspace`), the default SQLite database
(:mod:`nqpf.db.engine`) and caches such as the chart font (:mod:`nqpf.present.charts`).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["nqpf_home"]


def nqpf_home() -> Path:
    """``$NQPF_HOME`` or ``~/.nqpf``, read on every call (tests and users may change it)."""
    home = os.environ.get("NQPF_HOME")
    return Path(home) if home else Path.home() / ".nqpf"
