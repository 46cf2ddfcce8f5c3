"""Moran's I and LISA at the prefecture and county levels: NQPF against esda.

On the packaged queen contiguity of the level (``contiguity_weights(level=...)``, restricted to
the units with a value) and a real panel: prefecture GDP per capita 2020 (≈ 295 units) and the
county college share 2020 (≈ 2,840 units). ``nqpf.disparity.spatial.morans_i`` and ``lisa``
(999 permutations) against ``esda.Moran`` and ``esda.Moran_Local`` (999 permutations,
``n_jobs=1``, numba compiled in the untimed warm-up) on the same libpysal ``W``, after checking
they agree (I, z and p_sim of Moran; every I_i of LISA). Timings are **CPU time** of this
process (``time.process_time``: the machine is shared, wall time follows the load),
interleaved A/B repeats. Then ``nqpf disparity --level prefecture|county`` as a user runs it
(a fresh process; the whole report, xlsx and html written): CPU and wall time.

Run: python benchmarks/spatial_levels.py [--repeats 3] [--threads 1] [--no-cli]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

from _harness import cli_command, machine, run_timed, summary  # first: BLAS threads

# isort: split
import numpy as np

CASES = {
    "prefecture": "city_gdp_per_capita",
    "county": "census_college",
}


def _cpu_interleaved(
    ours: Callable[[], Any], baseline: Callable[[], Any], repeats: int
) -> tuple[list[float], list[float]]:
    ours()
    baseline()  # warm-up: esda's numba kernels compile here
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeats):
        for fn, out in ((ours, a), (baseline, b)):
            start = time.process_time()
            fn()
            out.append(time.process_time() - start)
    return a, b


def _report(label: str, ours: list[float], baseline: list[float], name: str) -> None:
    ratio = statistics.median(baseline) / statistics.median(ours)
    print(label)
    print(f"  nqpf      {summary(ours)} CPU")
    print(f"  {name:<9} {summary(baseline)} CPU")
    print(f"  ratio     {ratio:8.1f}× (baseline median / nqpf median, {len(ours)} repeats each)")


def run_level(level: str, repeats: int) -> None:
    from esda.moran import Moran, Moran_Local

    from nqpf.disparity.spatial import lisa, morans_i
    from nqpf.services.disparity import measure_panel
    from nqpf.services.spatial import contiguity_weights

    panel, _ = measure_panel(CASES[level], years=[2020], level=level)  # type: ignore[arg-type]
    weights = contiguity_weights(level=level)  # type: ignore[arg-type]
    units = set(panel["region"])
    w = weights.subset([c for c in weights.ids if c in units])
    data = panel[panel["region"].isin(set(w.ids))]
    y = data.set_index("region").loc[w.id_order, "value"].to_numpy(dtype=float)
    wlib = w.to_libpysal()

    def ours_moran() -> Any:
        return morans_i(data, w, permutations=999, seed=0)

    def esda_moran() -> Any:
        np.random.seed(0)
        return Moran(y, wlib, permutations=999)

    def ours_lisa() -> Any:
        return lisa(data, w, permutations=999, seed=0)

    def esda_lisa() -> Any:
        return Moran_Local(y, wlib, permutations=999, n_jobs=1, seed=0)

    mine, theirs = ours_moran().iloc[0], esda_moran()
    assert abs(mine["I"] - theirs.I) < 1e-12 and abs(mine["z"] - theirs.z_norm) < 1e-9
    assert mine["p_sim"] == theirs.p_sim
    local, direct = ours_lisa(), esda_lisa()
    assert np.allclose(local["Ii"].to_numpy(), direct.Is, rtol=1e-10, atol=1e-12)
    print(f"{level}: {CASES[level]} 2020, n = {len(y)} units, {int(w.original.nnz)} links")
    _report(
        "  global Moran's I, 999 permutations",
        *_cpu_interleaved(ours_moran, esda_moran, repeats),
        "esda",
    )
    _report(
        "  LISA, 999 conditional permutations",
        *_cpu_interleaved(ours_lisa, esda_lisa, repeats),
        "esda",
    )


def run_cli(level: str, repeats: int) -> None:
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeats):
            cmd = cli_command(
                ["disparity", "--level", level, "--measure", CASES[level], "--out", out, "--force"]
            )
            wall, cpu = run_timed(cmd)
            walls.append(wall)
            cpus.append(cpu)
    print(f"nqpf disparity --level {level} --measure {CASES[level]} (every year, fresh process)")
    print(f"  CPU  {summary(cpus)}")
    print(f"  wall {summary(walls)}")


def main() -> int:
    warnings.filterwarnings("ignore", category=RuntimeWarning)  # esda's z_sim of zero-s.d. sites
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args()
    print(machine())
    for level in CASES:
        run_level(level, args.repeats)
    if not args.no_cli:
        for level in CASES:
            run_cli(level, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
