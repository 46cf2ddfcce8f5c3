"""The floors of docs/architecture.md hold: the import-linter contracts of pyproject.toml are
kept, and they do catch an upward import and an import circle."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _lint(source_root: Path, config_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache"],
        capture_output=True,
        text=True,
        cwd=config_dir,
        env={"PYTHONPATH": str(source_root), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_import_contracts_are_kept() -> None:
    run = _lint(ROOT / "src", ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 2 kept, 0 broken." in run.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("index/normalize.py", "import nqpf.services.assessment", "floors"),
        ("regions.py", "import nqpf.data", "no import circles"),
        ("present/page.py", "import nqpf.cli", "floors"),
        # the loading half moved up to services: core must not reach back for it
        ("disparity/spatial.py", "import nqpf.services.spatial", "floors"),
        # the one home of the input checks is floor 0: it may not lean on core
        ("ingest/checks.py", "import nqpf.index.construct", "floors"),
    ],
)
def test_contracts_catch_upward_imports_and_circles(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    shutil.copytree(
        ROOT / "src" / "nqpf",
        tmp_path / "nqpf",
        ignore=shutil.ignore_patterns("*.parquet", "__pycache__", "*.txt"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "nqpf" / module
    # a lazy import inside a function counts as much as one at the top
    target.write_text(
        target.read_text(encoding="utf-8") + f"\n\ndef _added() -> None:\n    {line}\n",
        encoding="utf-8",
    )
    run = _lint(tmp_path, tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(rf"^{broken}[^\n]* BROKEN$", run.stdout, flags=re.MULTILINE), run.stdout


#: The core floor (docs/architecture.md): pure analytics that read no file.
CORE = ("index", "disparity", "diagnose", "industry", "chain", "plan", "policy", "market")

#: Calls that open or read a file (builtins, pathlib, importlib.resources, pandas, yaml).
_FILE_IO = re.compile(
    r"(?<![\w.])open\(|\.read_text\(|\.read_bytes\(|\.write_text\(|\.write_bytes\("
    r"|resources\.files\(|\bpd\.read_\w+\(|\.to_(?:csv|excel|parquet|pickle|feather|hdf)\("
    r"|\byaml\.safe_load\(|\bsafe_load\("
    r"|\.iterdir\(|\.glob\("
)


def test_core_modules_do_no_file_io() -> None:
    """Core modules get data and definitions from floor 0 loaders (``nqpf.data``,
    ``nqpf.indicators.definitions``) or from their callers; none opens a file itself."""
    found = []
    for package in CORE:
        for path in sorted((ROOT / "src" / "nqpf" / package).rglob("*.py")):
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if _FILE_IO.search(code) and not code.lstrip().startswith((">>>", "...")):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_file_io_check_sees_a_read() -> None:
    for line in (
        'text = Path(p).read_text("utf-8")',
        "with open(p) as f:",
        "yaml.safe_load(s)",
        "pd.read_csv(p)",
        "frame.to_parquet(p)",
    ):
        assert _FILE_IO.search(line), line
    for line in ("reopen(x)", "frame.to_numpy()", "pd.to_numeric(v)", "spec.open_ended"):
        assert not _FILE_IO.search(line), line
