"""Writing an assessment's files at county-level n (target: ``write_assessment`` ≤ 5 s at
3,000 units × 5 years × 20 indicators).

Run: python benchmarks/outputs.py [--units 3000] [--repeats 3] [--threads 1]

Part 1 times the whole ``write_assessment`` (scores.csv, assessment.xlsx, .html, .docx and the
Parquet files of the tables too large for a sheet), wall and CPU (user + sys).

Part 2 compares the streamed workbook writer with the strongest fair baseline, pandas' own
``DataFrame.to_excel`` (openpyxl engine), on the largest sheets a workbook keeps (scores and
contributions cut to ``SHEET_MAX_CELLS`` cells each), interleaved A/B after a warm-up; the
script reads both workbooks back and checks that every sheet holds the same values before it
prints the ratio. (Writing the whole tables into the workbook, as before, took 125 s at this
size.)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from _harness import interleaved, machine, report, summary  # first: pins the BLAS threads

# isort: split
import numpy as np
import pandas as pd

from nqpf.outputs import SHEET_MAX_CELLS, atomic_write_excel
from nqpf.present.assessment import write_assessment
from nqpf.services.assessment import assess


def _panel(units: int, years: int = 5, m: int = 20) -> tuple[pd.DataFrame, dict[str, object]]:
    rng = np.random.default_rng(0)
    idx = pd.MultiIndex.from_product(
        [[f"U{k:04d}" for k in range(units)], range(2019, 2019 + years), range(m)],
        names=["region", "year", "j"],
    )
    data = idx.to_frame(index=False)
    data["indicator"] = "x" + data["j"].astype(str)
    level = rng.lognormal(size=(units, 1, m))
    trend = 1 + 0.05 * np.arange(years)[None, :, None]
    data["value"] = (level * trend * rng.uniform(0.9, 1.1, size=(units, years, m))).ravel()
    fw = {
        "pillars": [
            {
                "id": f"p{p}",
                "subpillars": [
                    {
                        "id": f"s{p}{s}",
                        "indicators": [
                            {"id": f"x{p * 4 + s * 2 + k}", "direction": "+"} for k in range(2)
                        ],
                    }
                    for s in range(2)
                ],
            }
            for p in range(5)
        ]
    }
    return data.drop(columns="j"), fw


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    print(machine(), "\n")
    data, fw = _panel(args.units)
    a = assess(data, framework=fw)
    with tempfile.TemporaryDirectory() as tmp:
        write_assessment(a, Path(tmp) / "warm")  # imports (plotly, docx), fonts
        walls, cpus = [], []
        for k in range(args.repeats):
            start, cpu = time.perf_counter(), _cpu()
            write_assessment(a, Path(tmp) / f"run{k}")
            walls.append(time.perf_counter() - start)
            cpus.append(_cpu() - cpu)
        files = sorted(p.name for p in (Path(tmp) / "run0").iterdir())
        print(f"write_assessment, {args.units:,} units × 5 years × 20 indicators:")
        print(f"  wall {summary(walls)}  CPU {summary(cpus)}")
        print(f"  files: {', '.join(files)}")

        # the largest sheets a workbook keeps (up to SHEET_MAX_CELLS cells each)
        scores, contributions = a.scores, a.contributions
        sheets = {
            "scores": scores.head(SHEET_MAX_CELLS // scores.shape[1]),
            "contributions": contributions.head(SHEET_MAX_CELLS // contributions.shape[1]),
        }

        def ours() -> None:
            atomic_write_excel(Path(tmp) / "ours.xlsx", sheets)

        def pandas_to_excel() -> None:
            with pd.ExcelWriter(Path(tmp) / "pandas.xlsx", engine="openpyxl") as xl:
                for name, frame in sheets.items():
                    frame.to_excel(xl, sheet_name=name, index=False)

        a_times, b_times = interleaved(ours, pandas_to_excel, repeats=args.repeats)
        mine = pd.read_excel(Path(tmp) / "ours.xlsx", sheet_name=None)
        theirs = pd.read_excel(Path(tmp) / "pandas.xlsx", sheet_name=None)
        for name in sheets:
            pd.testing.assert_frame_equal(mine[name], theirs[name])
        cells = sum(f.size for f in sheets.values())
        ratio = report(
            f"the workbook's sheets ({cells:,} cells), streamed writer vs pandas to_excel",
            a_times,
            b_times,
            "pandas",
        )
    verdict = "meets" if statistics.median(walls) <= 5.0 else "MISSES"
    print(
        f"summary: load {os.getloadavg()[0]:.1f}; write_assessment {args.units:,} units "
        f"{statistics.median(walls):.2f} s wall / {statistics.median(cpus):.2f} s CPU "
        f"(target ≤ 5 s: {verdict}); workbook writer {ratio:.1f}× pandas to_excel"
    )


if __name__ == "__main__":
    main()
