"""Reliability and output safety (issue 15): concurrent imports lose nothing, output sets are
all-new or all-old, no formula, script, path or escape sequence from input reaches a file,
a page or the terminal. Every case found by the issue's attack run is here."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.ingest.workspace import Workspace
from nqpf.outputs import (
    MANIFEST,
    atomic_write_csv,
    atomic_write_excel,
    atomic_write_text,
    clean_text,
    inside,
    output_set,
    safe_cell,
    safe_file_name,
)

from .conftest import run_nqpf

FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the ``nqpf`` entry point in this process; returns (exit code, stdout, stderr)."""
    from unittest.mock import patch

    from nqpf.cli import main

    with patch.object(sys, "argv", ["nqpf", *args]):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ---------------------------------------------------------------------------- cells


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cells_starting_with_formula_characters_are_text(tmp_path: Path, text: str) -> None:
    frame = pd.DataFrame({text: [text, 1.5], "n": [-1.0, 2.0]})
    atomic_write_csv(tmp_path / "x.csv", frame)
    back = pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig", dtype=str)
    assert back.columns[0] == "'" + clean_text(text)
    assert back.iloc[0, 0] == "'" + clean_text(text)
    assert back["n"].tolist() == ["-1.0", "2.0"]  # numbers stay numbers


def test_safe_cell_leaves_ordinary_text_and_numbers() -> None:
    assert safe_cell("安徽") == "安徽"
    assert safe_cell(-3.0) == -3.0
    assert safe_cell("a=b") == "a=b"
    assert safe_cell("\x01=1") == "'=1"


@pytest.mark.parametrize("text", FORMULAS)
def test_xlsx_never_holds_a_formula(tmp_path: Path, text: str) -> None:
    frame = pd.DataFrame({"name": [text, "x\x01y"], text: [1, 2]})
    path = atomic_write_excel(tmp_path / "x.xlsx", {"s": frame})
    sheet = openpyxl.load_workbook(path).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    first = sheet["A2"]
    assert first.value == clean_text(text) and first.data_type == "s"
    assert first.quotePrefix
    assert sheet["A3"].value == "xy"  # control character removed (openpyxl refuses it)


def test_assessment_outputs_have_no_formula_script_or_escape(tmp_path: Path) -> None:
    """A framework whose labels are attacks: every output of `assess` stays inert."""
    from nqpf import assess
    from nqpf.present.assessment import write_assessment

    evil = "=cmd|' /C calc'!A0<script>alert(1)</script>\x1b[2J"
    framework = {
        "id": "evil",
        "name_zh": evil,
        "pillars": [
            {"id": "tech", "name_zh": evil, "indicators": ["rd_intensity", "patents_granted"]},
            {"id": "industry", "name_en": evil, "indicators": ["gdp_per_capita"]},
        ],
    }
    result = assess(framework=framework, years=[2022, 2023], weights="equal")
    paths = write_assessment(result, tmp_path / "out")
    book = openpyxl.load_workbook(tmp_path / "out" / "assessment.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate)
                if isinstance(c.value, str) and c.value.startswith("="):
                    assert c.quotePrefix
    page = (tmp_path / "out" / "assessment.html").read_text("utf-8")
    assert "<script>alert(1)" not in page and "\x1b" not in page
    csv_text = (tmp_path / "out" / "scores.csv").read_text("utf-8-sig")
    assert "\x1b" not in csv_text
    assert [p.name for p in paths] == [
        "scores.csv",
        "assessment.xlsx",
        "assessment.html",
        "assessment.docx",
    ]


def test_disparity_page_escapes_the_measure_label(tmp_path: Path) -> None:
    """Stored XSS: an imported indicator named like a script went raw into <h1>."""
    from nqpf.data import load_panel
    from nqpf.disparity.report import disparity_report
    from nqpf.present.disparity import write_disparity

    gdp = load_panel(["gdp_per_capita"], years=[2021, 2022, 2023])
    label = "<script>alert(1)</script>"
    report = disparity_report(gdp[["region", "year", "value"]], label=label, spatial=False)
    write_disparity(report, tmp_path / "d")
    page = (tmp_path / "d" / "disparity.html").read_text("utf-8")
    assert label not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("label", "expected"),
    [("/../../x", "x"), ("..", "region"), ("a/b\\c", "a_b_c"), ("340000", "340000")],
)
def test_file_names_from_labels_stay_inside(tmp_path: Path, label: str, expected: str) -> None:
    name = safe_file_name(label)
    assert name == expected
    assert inside(tmp_path, f"opportunities_{name}.html").parent == tmp_path


@pytest.mark.parametrize("name", ["../x.html", "/etc/x", "a/b", "..", ""])
def test_inside_refuses_paths_leaving_the_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="would not be a file inside"):
        inside(tmp_path, name)


def test_opportunities_region_key_cannot_write_outside_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Path traversal: a region key `/../../x` in the user's matrix file."""
    rows = ["region,industry,year,value"]
    regions = ["/../../x", "r2", "r3", "r4", "r5"]
    for i, region in enumerate(regions):
        for j, industry in enumerate(["A", "B", "C", "D", "E", "F"]):
            rows.append(f"{region},{industry},2023,{1 + (i * 7 + j * 3) % 11}")
    matrix = tmp_path / "m.csv"
    matrix.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "deep" / "out"
    code, _, err = cli(
        capsys, "opportunities", "/../../x", "--matrix", str(matrix), "--out", str(out)
    )
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST,
        "opportunities_x.html",
        "opportunities_x.xlsx",
    ]
    assert not list(tmp_path.glob("x*")) and not (tmp_path / "deep" / "x.html").exists()


# ---------------------------------------------------------------------------- output sets


def _write_set(out: Path, tag: str, *, force: bool = False) -> None:
    with output_set(out, kind="test", names=["a.txt", "b.txt"], force=force) as stage:
        atomic_write_text(stage / "a.txt", tag)
        atomic_write_text(stage / "b.txt", tag)


def _contents(out: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in out.iterdir() if p.name != MANIFEST}


def test_output_set_replaces_its_own_files_and_keeps_other_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write_set(out, "old")
    with output_set(out, kind="other", names=["c.txt"]) as stage:
        atomic_write_text(stage / "c.txt", "other")
    _write_set(out, "new")
    assert _contents(out) == {"a.txt": "new", "b.txt": "new", "c.txt": "other"}
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    assert sorted(manifest["runs"]) == ["other", "test"]
    assert not [p for p in tmp_path.iterdir() if "nqpf-stage" in p.name or "nqpf-old" in p.name]


def test_writer_failing_mid_run_leaves_the_old_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write_set(out, "old")
    with pytest.raises(RuntimeError), output_set(out, kind="test") as stage:
        atomic_write_text(stage / "a.txt", "new")
        raise RuntimeError("writer died")
    assert _contents(out) == {"a.txt": "old", "b.txt": "old"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.nqpf-stage")]


def test_disk_full_is_a_one_line_error_and_leaves_the_old_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write_set(out, "old")
    with pytest.raises(InputError, match="No space left on device"), output_set(
        out, kind="test"
    ) as stage:
        atomic_write_text(stage / "a.txt", "new")
        raise OSError(28, "No space left on device")
    assert _contents(out) == {"a.txt": "old", "b.txt": "old"}


def test_assess_failing_mid_run_keeps_old_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The mixed-set case: new scores.csv/xlsx beside the old html/docx."""
    import nqpf.present.assessment as present
    from nqpf.index.assessment import Assessment

    out = tmp_path / "out"
    args = ("assess", "--framework", "three-elements", "--year", "2023", "--out", str(out))
    code, _, err = cli(capsys, *args, "--weights", "equal")
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(a: Assessment, path: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(present, "write_html", broken)
    code, _, err = cli(capsys, *args, "--weights", "entropy")
    line = one_line_error(code, err)
    assert "No space left on device" in line and str(out) in line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if "nqpf-stage" in p.name]


def test_killed_run_leaves_old_set_and_next_run_cleans_up(tmp_path: Path) -> None:
    """Kill -9 while the second of two files is being written."""
    out = tmp_path / "out"
    _write_set(out, "old")
    flag = tmp_path / "writing"
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from nqpf.outputs import atomic_write_text, output_set
        with output_set(Path({str(out)!r}), kind="test") as stage:
            atomic_write_text(stage / "a.txt", "new")
            Path({str(flag)!r}).touch()
            time.sleep(60)
            atomic_write_text(stage / "b.txt", "new")
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while not flag.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert flag.exists(), "the writer did not start"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _contents(out) == {"a.txt": "old", "b.txt": "old"}
    assert [p for p in tmp_path.iterdir() if "nqpf-stage" in p.name]  # the killed run's
    _write_set(out, "new")
    assert _contents(out) == {"a.txt": "new", "b.txt": "new"}
    assert not [p for p in tmp_path.iterdir() if "nqpf-stage" in p.name]


def test_swap_without_renameat2_recovers_a_cut_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the atomic exchange is missing, a crash between the two renames is undone by
    the next run."""
    import nqpf.outputs as outputs

    monkeypatch.setattr(outputs, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    _write_set(out, "old")
    _write_set(out, "new")
    assert _contents(out) == {"a.txt": "new", "b.txt": "new"}
    os.rename(out, tmp_path / ".out.nqpf-old-cut")  # died after the first rename
    (tmp_path / ".out.nqpf-stage-cut").mkdir()
    _write_set(out, "newer")
    assert _contents(out) == {"a.txt": "newer", "b.txt": "newer"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.nqpf-lock", "out"]


def test_folder_with_foreign_files_is_refused_unless_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"holds files NQPF did not write \(thesis.docx\)"):
        _write_set(out, "new")
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]
    _write_set(out, "new", force=True)
    assert _contents(out) == {"a.txt": "new", "b.txt": "new", "thesis.docx": "mine"}


def test_force_writes_in_place_and_keeps_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    inode = out.stat().st_ino
    _write_set(out, "one", force=True)
    _write_set(out, "two", force=True)
    assert out.stat().st_ino == inode  # the user's folder itself was not replaced
    assert _contents(out) == {"a.txt": "two", "b.txt": "two", "notes.txt": "mine"}
    assert not [p for p in tmp_path.iterdir() if "nqpf-stage" in p.name]


def test_out_dot_writes_into_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write_set(Path("."), "here")
    assert _contents(tmp_path) == {"a.txt": "here", "b.txt": "here"}
    assert Path.cwd() == tmp_path and tmp_path.is_dir()


def test_read_only_parent_stages_inside_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    out = tmp_path / "out"
    _write_set(out, "old")
    real = tempfile.mkdtemp

    def no_sibling(*args: object, **kwargs: object) -> str:
        if Path(str(kwargs["dir"])) == tmp_path:
            raise PermissionError(13, "Permission denied")
        return real(*args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(tempfile, "mkdtemp", no_sibling)
    _write_set(out, "new")
    assert _contents(out) == {"a.txt": "new", "b.txt": "new"}


def test_files_of_an_older_nqpf_run_count_as_own(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("written before manifests", encoding="utf-8")
    _write_set(out, "new")
    assert _contents(out) == {"a.txt": "new", "b.txt": "new"}


def test_out_that_is_a_file_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    code, _, err = cli(capsys, "assess", "--year", "2023", "--out", str(target))
    assert "is a file" in one_line_error(code, err)


def test_unwritable_out_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only folder (simulated: the tests may run as root, who may write anywhere)."""
    import tempfile

    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(InputError, match="Permission denied"):
        _write_set(tmp_path / "out", "x")


# ---------------------------------------------------------------------------- terminal


MARKUP = ["[/x]", "[link=http://evil.example]click[/link]", "[bold]x"]


@pytest.mark.parametrize("text", MARKUP)
@pytest.mark.parametrize(
    "command",
    [
        ["diagnose", "{}"],
        ["data", "show", "{}"],
        ["data", "import", "{}.csv"],
        ["assess", "--framework", "{}"],
        ["assess", "--year", "{}"],
        ["disparity", "--measure", "{}"],
        ["opportunities", "安徽", "--matrix", "{}"],
        ["similar", "安徽", "--matrix", "{}"],
    ],
    ids=lambda c: "-".join(c[:2]) if isinstance(c, list) else c,
)
def test_markup_in_user_text_prints_literally(
    text: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """rich.errors.MarkupError on 7 paths; `[link=…]` rendered as a link."""
    code, _, err = cli(capsys, *(part.format(text) for part in command))
    line = one_line_error(code, err).replace("//", "/")  # a path collapses "//"
    assert text.replace("//", "/") in line
    assert "\x1b]8;" not in err  # no terminal hyperlink


def test_ahp_message_names_both_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It read "a = 9 but a = 9": the [i, j] subscripts were eaten as markup."""
    fw = tmp_path / "ahp.yaml"
    fw.write_text(
        "pillars:\n  - id: tech\n    ahp: [[1, 9], [9, 1]]\n"
        "    indicators: [rd_intensity, patents_granted]\n",
        encoding="utf-8",
    )
    code, _, err = cli(capsys, "assess", "--framework", str(fw), "--out", str(tmp_path / "o"))
    line = one_line_error(code, err)
    assert "a[rd_intensity, patents_granted] = 9 but a[patents_granted, rd_intensity] = 9" in line


def test_control_characters_never_reach_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = cli(capsys, "diagnose", "北京\x1b]8;;http://x\x07\x1b[31m")
    assert "\x1b" not in out + err and "\x07" not in out + err
    one_line_error(code, err)


# ---------------------------------------------------------------------------- workspace


def _frame(indicator: str, n: int = 31) -> pd.DataFrame:
    from nqpf.regions import provinces

    codes = list(provinces()["region"])[:n]
    return pd.DataFrame(
        {
            "region": codes,
            "year": 2023,
            "indicator": indicator,
            "value": [float(i) for i in range(len(codes))],
            "unit": "件",
            "source_file": f"{indicator}.csv",
            "source_row": range(2, len(codes) + 2),
        }
    )


def _import_one(root: str, indicator: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    barrier.wait()
    Workspace(root).add(_frame(indicator))


def _concurrent_rounds(tmp_path: Path, importers: int, rounds: int) -> None:
    ctx = multiprocessing.get_context("fork")
    for r in range(rounds):
        root = tmp_path / f"ws{r}"
        barrier = ctx.Barrier(importers)
        names = [f"user_ind_{k}" for k in range(importers)]
        procs = [ctx.Process(target=_import_one, args=(str(root), n, barrier)) for n in names]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        assert [p.exitcode for p in procs] == [0] * importers
        ws = Workspace(root)
        panel = ws.panel()
        assert sorted(panel["indicator"].unique()) == sorted(names), f"round {r}"
        assert len(panel) == 31 * importers
        assert sorted(ws.catalog()["id"]) == sorted(names)  # panel and metadata agree
        leftovers = [p.name for p in root.iterdir() if p.suffix in (".tmp", ".parquet")]
        assert len(leftovers) == 2, leftovers  # one version's two files


def test_concurrent_importers_lose_nothing(tmp_path: Path) -> None:
    _concurrent_rounds(tmp_path, importers=20, rounds=2)


@pytest.mark.slow
def test_concurrent_importers_lose_nothing_20_rounds(tmp_path: Path) -> None:
    _concurrent_rounds(tmp_path, importers=20, rounds=20)


def test_concurrent_cli_imports_lose_nothing(tmp_path: Path) -> None:
    """The issue's case: two `nqpf data import` at once both exit 0; both files' data stay."""
    files = []
    for k in range(2):
        frame = _frame(f"cli_ind_{k}")
        path = tmp_path / f"f{k}.csv"
        frame[["region", "year", "indicator", "value"]].to_csv(path, index=False)
        files.append(path)
    env = {**os.environ, "NQPF_HOME": str(tmp_path / "home")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", "from nqpf.cli import main; main()", "data", "import", str(f)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for f in files
    ]
    for p in procs:
        assert p.wait(300) == 0, p.stderr.read() if p.stderr else ""
    panel = Workspace(tmp_path / "home" / "workspace").panel()
    assert sorted(panel["indicator"].unique()) == ["cli_ind_0", "cli_ind_1"]


def test_legacy_workspace_is_read_and_converted(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    old = _frame("legacy_ind")
    old["source_id"] = "workspace:legacy.csv"
    old["imported_at"] = "2025-01-01T00:00:00Z"
    old.to_parquet(root / "panel.parquet", index=False)
    pd.DataFrame(
        [{"id": "legacy_ind", "name_zh": "legacy_ind", "unit": "件", "direction": "+",
          "origin": "workspace"}]
    ).to_parquet(root / "indicators.parquet", index=False)
    ws = Workspace(root)
    assert len(ws.panel()) == 31
    ws.add(_frame("new_ind"))
    assert sorted(ws.panel()["indicator"].unique()) == ["legacy_ind", "new_ind"]
    assert not (root / "panel.parquet").exists()


def test_cli_run_helper_still_works(tmp_path: Path) -> None:
    result = run_nqpf("data", "show", "[/x]", home=tmp_path)
    assert result.returncode == 2 and "[/x]" in result.stderr
    assert "Traceback" not in result.stderr
