"""The ``nqpf`` group imports a command's module only when the command runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nqpf.cli._lazy import COMMANDS, load


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_static_help_is_the_commands_own_first_paragraph(name: str) -> None:
    command = load(name)
    assert command.name == name
    assert COMMANDS[name].help == _first_paragraph(command.help or ""), (
        f"update the help of {name!r} in nqpf/cli/_lazy.py COMMANDS"
    )


def test_top_level_help_imports_no_command_module_and_no_rich() -> None:
    code = (
        "import sys\nsys.argv = ['nqpf', '--help']\nfrom nqpf.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('nqpf.cli.', 'rich', "
        "'pandas', 'numpy', 'typer.rich_utils')) and m not in ('nqpf.cli._lazy',)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "[]"
    listed = "\n".join(lines[:-1])
    for name, entry in COMMANDS.items():
        assert f"  {name} " in listed
        assert entry.help.split()[0] in listed


def test_a_command_imports_its_own_module_only() -> None:
    code = (
        "import sys\nsys.argv = ['nqpf', 'data', '--help']\nfrom nqpf.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('nqpf.cli.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = done.stdout.strip().splitlines()[-1]
    assert "'nqpf.cli.data'" in modules
    for other in ("assess", "disparity", "market", "policy", "plan"):
        assert f"'nqpf.cli.{other}'" not in modules
