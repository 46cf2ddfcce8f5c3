"""Snapshot the outputs of ``nqpf assess``, ``disparity``, ``diagnose``, ``opportunities`` and
``similar`` on the packaged data, and compare two snapshots value by value.

Used to show that a refactoring leaves results unchanged::

    python scripts/compare_outputs.py snapshot /tmp/before      # on the old commit
    python scripts/compare_outputs.py snapshot /tmp/after       # on the new commit
    python scripts/compare_outputs.py compare /tmp/before /tmp/after

What is compared: every CSV byte for byte; every sheet of every XLSX cell by cell (numbers
to 1e-12 relative, text exactly); the terminal output of each command exactly (and its stderr when it fails). HTML and DOCX
files embed random plotly element ids and the date, so only their presence is compared.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

RUNS: dict[str, list[str]] = {
    "assess": ["assess", "--out", "{out}"],
    "assess_topsis": ["assess", "--aggregate", "topsis", "--weights", "entropy,critic", "--out", "{out}"],
    "assess_zscore": [
        "assess", "--normalize", "zscore", "--scope", "year", "--weights", "critic,equal",
        "--combine", "game", "--entropy-shift", "1e-5", "--upper", "sum", "--outliers", "winsor",
        "--impute", "linear,ffill_bfill,column_mean", "--out", "{out}",
    ],
    "assess_rank_geometric": [
        "assess", "--normalize", "rank", "--aggregate", "geometric", "--outliers", "none",
        "--year", "2020-2023", "--weights", "critic", "--out", "{out}",
    ],
    "assess_bad_option": ["assess", "--normalize", "ratio", "--out", "{out}"],
    "audit": ["audit", "--out", "{out}"],
    "disparity": ["disparity", "--out", "{out}"],
    "disparity_gdp": ["disparity", "--measure", "gdp_per_capita", "--weight", "population", "--out", "{out}"],
    "diagnose": ["diagnose", "安徽", "--out", "{out}"],
    "opportunities": ["opportunities", "安徽", "--out", "{out}"],
    "opportunities_county": ["opportunities", "肥西县", "--matrix", "census2020", "--out", "{out}"],
    "similar": ["similar", "安徽"],
    "similar_county": ["similar", "肥西县", "--matrix", "census2020"],
}


def snapshot(root: Path) -> None:
    for name, args in RUNS.items():
        out = root / name
        out.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-c", "from nqpf.cli import main; main()", *(a.format(out=out) for a in args)]
        env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        (out / "stdout.txt").write_text(done.stdout.replace(str(out), "<out>"), encoding="utf-8")
        (out / "returncode.txt").write_text(str(done.returncode), encoding="utf-8")
        if done.returncode != 0:  # the error message (a successful run's stderr has progress bars)
            (out / "stderr.txt").write_text(done.stderr.replace(str(out), "<out>"), encoding="utf-8")
        print(f"{name}: exit {done.returncode}")


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b or (pd.isna(a) and pd.isna(b))  # type: ignore[arg-type]


def compare(before: Path, after: Path) -> int:
    problems = 0
    for old in sorted(before.rglob("*")):
        if old.is_dir():
            continue
        rel = old.relative_to(before)
        new = after / rel
        if not new.exists():
            print(f"MISSING {rel}")
            problems += 1
            continue
        if old.suffix in (".csv", ".txt"):
            if old.read_bytes() != new.read_bytes():
                print(f"DIFFERS {rel}")
                problems += 1
        elif old.suffix == ".xlsx":
            a = pd.read_excel(old, sheet_name=None, header=None)
            b = pd.read_excel(new, sheet_name=None, header=None)
            if list(a) != list(b):
                print(f"DIFFERS {rel}: sheets {list(a)} vs {list(b)}")
                problems += 1
                continue
            for sheet in a:
                x, y = a[sheet], b[sheet]
                if x.shape != y.shape:
                    print(f"DIFFERS {rel}[{sheet}]: shape {x.shape} vs {y.shape}")
                    problems += 1
                    continue
                bad = [
                    (i, j)
                    for i in range(x.shape[0])
                    for j in range(x.shape[1])
                    if not _same(x.iat[i, j], y.iat[i, j])
                ]
                if bad:
                    print(f"DIFFERS {rel}[{sheet}]: {len(bad)} cells, first {bad[0]}")
                    problems += 1
        print(f"checked {rel}")
    print("SAME" if problems == 0 else f"{problems} DIFFERENCES")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        snapshot(Path(sys.argv[2]))
    else:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
