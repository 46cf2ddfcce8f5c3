"""Read-only access to the packaged Parquet tables in ``nqpf/data`` (floor 0, lowest).

The bottom of the data floor: :mod:`nqpf.regions` (division names and codes) and
:mod:`nqpf.data` (the loaders users call) both read the packaged tables through this module,
so neither needs the other to find a file. The tables are built by
``scripts/build_dataset.py``; they are read once per process and cached.

>>> load_divisions(2020).set_index("code").loc["340123", "name"]
'肥西县'
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd

__all__ = ["load_divisions", "table", "table_path"]

_DIR = Path(__file__).parent / "data"


def table_path(name: str) -> Path:
    """Path of the packaged table ``name`` (``panel``, ``sources``, ``divisions`` …)."""
    return _DIR / f"{name}.parquet"


@cache
def table(name: str) -> pd.DataFrame:
    """The packaged table ``name`` (cached: callers must copy before changing it)."""
    return pd.read_parquet(table_path(name))


def load_divisions(census_year: Literal[2010, 2020] = 2020) -> pd.DataFrame:
    """Province, prefecture and county codes and names as in the census county tables."""
    frame = table("divisions")
    return frame[frame["census_year"] == census_year].reset_index(drop=True)
