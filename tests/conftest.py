"""Shared fixtures: an isolated workspace for every test, and the raw data when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_RAW = ROOT.parent / "shared" / "data" / "raw"
SHARED_SEED = ROOT.parent / "shared" / "seed" / "000_cc04db8f51b7c61a.txt"


@pytest.fixture(autouse=True)
def _isolated_workspace(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets its own NQPF_HOME, so imports never touch the user's workspace."""
    home = tmp_path_factory.mktemp("nqpf_home")
    monkeypatch.setenv("NQPF_HOME", str(home))
    return home


@pytest.fixture
def shared_raw() -> Path:
    """The raw public files the packaged data is built from (skips when absent)."""
    if not SHARED_RAW.is_dir():
        pytest.skip("../shared/data/raw is not beside the checkout")
    return SHARED_RAW
