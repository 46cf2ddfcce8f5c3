"""Prefecture and county level: the goals of issue 14 measured.

1. ``cli``: ``nqpf assess --level prefecture`` (goal < 10 s) and ``--level county`` (goal
   < 30 s), run as a user runs them (a fresh process, all four output files written); CPU
   time (user + system of the child) and wall time, because the machine is shared: wall
   time depends on the load, CPU time much less.
2. ``uncertainty``: ``nqpf assess --level county --uncertainty N`` (Sobol base N) in a fresh
   process: CPU, wall and the process's peak resident memory.
3. ``dagum``: Dagum on the real county panel (college_share, 2010 and 2020, ≈2,900 units,
   the 31 provinces as groups) and on a 2,900 counties × 24 years panel (the county values
   of 2020 with lognormal year noise — the census has two years only):
   ``nqpf.disparity.dagum_gini`` against the vectorised NumPy O(n²) baseline of
   ``benchmarks/dagum.py``, interleaved, after checking they agree to 1e-9.
4. ``complexity``: RCA, presence, ECI, PCI, proximity, density, COI and COG for every year of
   a county × 4-digit industry × 10-year matrix (goal < 60 s). **The matrix is synthetic**
   (合成数据): the firm stock at 31 December of 2015–2024 of ``--firms`` firms from
   ``nqpf.micro.synth`` (calibrated to the 2020 census county × section employment, made-up
   4-digit classes, ≈ 2,900 counties × 1,360 classes), counted by county × class × year.
   NQPF (``to_wide`` → ``rca`` → ``presence`` → ``complexity``, the presence held sparse)
   against a dense NumPy reference of the same formulas (every matrix a dense float64 array:
   M̃ = U⁻¹MᵀD⁻¹M solved through its symmetric form with ``eigh``, φ = MᵀM / max(k_p, k_p'),
   ω = Mφ / Σφ, COI, COG), each run in a fresh process (interleaved: nqpf, numpy, nqpf, …)
   reporting CPU, wall and the peak resident memory of the computation (VmHWM, reset after
   the input is loaded; it includes the resident interpreter and input, stated beside it),
   after checking ECI, PCI, COI, density and COG agree to 1e-8. Growth Lab ``ecomplexity`` (pandas group-bys, a non-symmetric ``eig``) is
   measured at one year only (``--ecomplexity-years``, 0 to skip): it is far slower.

Run: python benchmarks/levels.py [--part cli,uncertainty,dagum,complexity] [--repeats 3]
     [--threads 1] [--uncertainty 256] [--firms 5000000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from _harness import cli_command, interleaved, machine, report, summary  # first: BLAS threads

# isort: split
import numpy as np
import pandas as pd

YEARS = tuple(range(2015, 2025))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cli(args: list[str]) -> tuple[float, float, float]:
    """CPU (user + system of the child), wall seconds and the child's peak RSS (MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [sys.executable, "-c", _PEAK_WRAPPER, *cli_command([*args, "--out", out])[3:]],
            check=True,
            capture_output=True,
            env={**os.environ, "NQPF_HOME": out},
        )
        peak = float(Path(out, "peak").read_text()) if Path(out, "peak").exists() else 0.0
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, peak


# runs `nqpf ARGS` in this process and writes its peak RSS (MiB) to $NQPF_HOME/peak
_PEAK_WRAPPER = (
    "import atexit, os, resource, sys\n"
    "atexit.register(lambda: open(os.path.join(os.environ['NQPF_HOME'], 'peak'), 'w').write("
    "str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))\n"
    "sys.argv = ['nqpf', *sys.argv[1:]]\n"
    "from nqpf.cli import main; main()\n"
)


def part_cli(repeats: int) -> None:
    for level, goal in (("prefecture", 10.0), ("county", 30.0)):
        runs = [cli(["assess", "--level", level, "--top", "3"]) for _ in range(repeats)]
        cpu, wall, peak = (sorted(r[i] for r in runs)[len(runs) // 2] for i in range(3))
        print(
            f"nqpf assess --level {level}: CPU {cpu:.1f} s, wall {wall:.1f} s, peak "
            f"{peak:,.0f} MiB (median of {len(runs)}; goal < {goal:.0f} s)"
        )


def part_uncertainty(n: int, repeats: int) -> None:
    args = ["assess", "--level", "county", "--uncertainty", str(n), "--top", "3"]
    runs = [cli(args) for _ in range(repeats)]
    cpu, wall, peak = (sorted(r[i] for r in runs)[len(runs) // 2] for i in range(3))
    print(
        f"nqpf assess --level county --uncertainty {n}: CPU {cpu:.1f} s, wall {wall:.1f} s, "
        f"peak {peak:,.0f} MiB (median of {len(runs)})"
    )


def part_dagum(repeats: int) -> None:
    from dagum import numpy_dagum
    from nqpf.data import load_subnational
    from nqpf.disparity import dagum_gini

    panel = load_subnational("county", ["college_share"], years=[2010, 2020])
    real = panel[["region", "year", "value"]]
    last = real[real["year"] == 2020]
    rng = np.random.default_rng(14)
    years = np.arange(2000, 2024)
    long = pd.DataFrame(
        {
            "region": np.tile(last["region"].to_numpy(), len(years)),
            "year": np.repeat(years, len(last)),
            "value": np.tile(last["value"].to_numpy(), len(years))
            * rng.lognormal(0, 0.1, len(last) * len(years)),
        }
    )
    cases = [
        ("county college_share 2010 + 2020", real),
        ("county college_share 2020 × 24 years of lognormal noise (synthetic years)", long),
    ]
    for label, frame in cases:
        groups = {c: c[:2] for c in frame["region"].unique()}
        ours = dagum_gini(frame, groups=groups).summary
        base = numpy_dagum(frame, groups)
        cols = ["G", "G_w", "G_nb", "G_t"]
        np.testing.assert_allclose(ours[cols].to_numpy(), base[cols].to_numpy(), rtol=1e-9)
        a_t, b_t = interleaved(
            lambda f=frame, g=groups: dagum_gini(f, groups=g),
            lambda f=frame, g=groups: numpy_dagum(f, g),
            repeats=repeats,
        )
        report(
            f"Dagum, {label} ({len(frame):,} unit-years, 31 province groups; G, G_w, G_nb, "
            "G_t agree to 1e-9)",
            a_t,
            b_t,
            "numpy n²",
        )


# --- complexity at county × 4-digit × 10 years -------------------------------------------


def build_matrix(firms: int, path: Path) -> dict[str, Any]:
    """Synthetic firm stock by county × class × year (31 Dec), saved as COO arrays."""
    from nqpf.micro.synth import synthetic_firms

    region_codes: dict[str, int] = {}
    industry_codes: dict[str, int] = {}
    parts: list[np.ndarray] = []
    ends = np.array([f"{y}-12-31" for y in YEARS], dtype="datetime64[D]")
    for chunk in synthetic_firms(firms, first=2000, last=YEARS[-1]):
        r = chunk["region"].map(lambda c: region_codes.setdefault(c, len(region_codes)))
        i = chunk["industry"].map(lambda c: industry_codes.setdefault(c, len(industry_codes)))
        key = r.to_numpy(np.int64) * 10_000 + i.to_numpy(np.int64)
        reg = pd.to_datetime(chunk["registered"]).to_numpy("datetime64[D]")
        ext = pd.to_datetime(chunk["exited"]).to_numpy("datetime64[D]")
        for y, end in enumerate(ends):
            alive = (reg <= end) & (np.isnat(ext) | (ext > end))
            parts.append(key[alive] * 100 + y)
    cells, counts = np.unique(np.concatenate(parts), return_counts=True)
    np.savez(
        path,
        year=np.asarray(YEARS)[cells % 100],
        region=(cells // 100) // 10_000,
        industry=(cells // 100) % 10_000,
        value=counts.astype(float),
        regions=np.array(sorted(region_codes, key=region_codes.__getitem__)),
        industries=np.array(sorted(industry_codes, key=industry_codes.__getitem__)),
    )
    return {"cells": len(cells), "regions": len(region_codes), "industries": len(industry_codes)}


def _load(path: str) -> pd.DataFrame:
    z = np.load(path)
    return pd.DataFrame(
        {
            "year": z["year"],
            "region": z["regions"][z["region"]],
            "industry": z["industries"][z["industry"]],
            "value": z["value"],
        }
    )


def run_nqpf(long: pd.DataFrame, year: int) -> dict[str, np.ndarray]:
    from nqpf.industry.advantage import presence, rca
    from nqpf.industry.complexity import complexity
    from nqpf.industry.matrix import to_wide

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # regions/classes with no firm yet are dropped
        wide = to_wide(long, year)
    r = complexity(presence(rca(wide)))
    return {
        "eci": r.eci.to_numpy(),
        "pci": r.pci.to_numpy(),
        "coi": r.coi.to_numpy(),
        "density": r.density.to_numpy(),
        "cog": r.cog.to_numpy(),
    }


def run_dense(long: pd.DataFrame, year: int) -> dict[str, np.ndarray]:
    """The same formulas with every matrix a dense float64 NumPy array."""
    part = long[long["year"] == year]
    rows, _ = pd.factorize(part["region"], sort=True)
    cols, _ = pd.factorize(part["industry"], sort=True)
    x = np.zeros((rows.max() + 1, cols.max() + 1))
    np.add.at(x, (rows, cols), part["value"].to_numpy(dtype=float))
    total = x.sum()
    m = (x / x.sum(axis=1, keepdims=True)) / (x.sum(axis=0, keepdims=True) / total) >= 1.0
    m = m.astype(float)
    kc, kp = m.sum(axis=1), m.sum(axis=0)
    r_ok, p_ok = kc > 0, kp > 0
    mm = m[np.ix_(r_ok, p_ok)]
    s = (mm.T / kc[r_ok]) @ mm / np.sqrt(np.outer(kp[p_ok], kp[p_ok]))
    _, vectors = np.linalg.eigh(s)
    k_p = vectors[:, -2] / np.sqrt(kp[p_ok])
    k_c = mm @ k_p / kc[r_ok]
    if np.corrcoef(kc[r_ok], k_c)[0, 1] < 0:
        k_p, k_c = -k_p, -k_c
    mean, sd = k_c.mean(), k_c.std()
    eci = np.full(len(kc), np.nan)
    eci[r_ok] = (k_c - mean) / sd
    pci = np.full(len(kp), np.nan)
    pci[p_ok] = (k_p - mean) / sd
    kpz = np.zeros(len(kp))
    kpz[p_ok] = k_p
    larger = np.maximum(kp[:, None], kp[None, :])
    phi = np.divide(m.T @ m, larger, out=np.zeros((len(kp), len(kp))), where=larger > 0)
    np.fill_diagonal(phi, 1.0)
    dens = np.clip(m @ (phi / phi.sum(axis=1, keepdims=True)).T, 0.0, 1.0)
    absent = 1.0 - m
    coi_raw = (dens * absent) @ kpz
    coi = (coi_raw - coi_raw.mean()) / coi_raw.std()
    cog = absent * (absent @ (phi * (kpz / phi.sum(axis=1))[:, None])) / sd
    return {"eci": eci, "pci": pci, "coi": coi, "density": dens, "cog": cog}


def run_ecomplexity(long: pd.DataFrame, year: int) -> dict[str, np.ndarray]:
    from ecomplexity import ecomplexity

    part = long[long["year"] == year]
    cols = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(part, cols, verbose=False, check_logsupermodularity=False)
    firsts = out.drop_duplicates("region").sort_values("region")
    return {"eci": firsts["eci"].to_numpy()}


def _status_mib(key: str) -> float:
    """A memory figure of this process from /proc/self/status (kB there), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/self/status")


def _reset_peak() -> float:
    """Reset the peak resident size (Linux: 5 → /proc/self/clear_refs) so that the peak read
    later is that of the computation, not of loading the input; returns the resident MiB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mib("VmRSS")


def worker(tool: str, path: str, years: int) -> None:
    long = _load(path)
    gc.collect()
    data = _reset_peak()
    run = {"nqpf": run_nqpf, "numpy": run_dense, "ecomplexity": run_ecomplexity}[tool]
    start, cpu0 = time.perf_counter(), _cpu()
    checks: dict[str, float] = {}
    for year in YEARS[-years:]:
        out = run(long, year)
        checks.update({f"{year}/{k}": float(np.nansum(np.abs(v))) for k, v in out.items()})
        if tool != "ecomplexity":
            np.save(Path(path).with_name(f"{tool}-{year}-eci.npy"), out["eci"])
            np.save(Path(path).with_name(f"{tool}-{year}-cog.npy"), out["cog"])
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu0
    peak = _status_mib("VmHWM")
    print(
        json.dumps(
            {"seconds": seconds, "cpu": cpu, "peak_mib": peak, "data_mib": data, "checks": checks}
        )
    )


def measure(tool: str, path: Path, years: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", tool, str(path), str(years)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def part_complexity(firms: int, repeats: int, ecomplexity_years: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "matrix.npz")
        start = time.perf_counter()
        shape = build_matrix(firms, path)
        print(
            f"合成数据 synthetic matrix: {firms:,} firms (nqpf.micro.synth) → stock by county × "
            f"4-digit class × year {YEARS[0]}–{YEARS[-1]}: {shape['regions']:,} counties × "
            f"{shape['industries']:,} classes × {len(YEARS)} years, {shape['cells']:,} non-zero "
            f"cells ({time.perf_counter() - start:.0f} s to build, not timed below)"
        )
        runs: dict[str, list[dict[str, Any]]] = {"nqpf": [], "numpy": []}
        for _ in range(repeats):
            for tool, out in runs.items():
                out.append(measure(tool, path, len(YEARS)))
        worst = 0.0
        for year in YEARS:
            a_eci, b_eci = (np.load(Path(tmp, f"{t}-{year}-eci.npy")) for t in runs)
            a_cog, b_cog = (np.load(Path(tmp, f"{t}-{year}-cog.npy")) for t in runs)
            np.testing.assert_allclose(a_eci, b_eci, atol=1e-8, equal_nan=True)
            np.testing.assert_allclose(a_cog, b_cog, atol=1e-8)
            worst = max(worst, float(np.nanmax(np.abs(a_eci - b_eci))))
        for key, value in runs["nqpf"][0]["checks"].items():
            theirs = runs["numpy"][0]["checks"][key]
            assert abs(value - theirs) <= 1e-8 * max(1.0, abs(value)), (key, value, theirs)
        print(
            f"  ECI, PCI, COI, density and COG of both agree (max |ΔECI| {worst:.1e}; COG to 1e-8)"
        )
        med = {}
        for tool, results in runs.items():
            walls = [float(r["seconds"]) for r in results]
            cpus = [float(r["cpu"]) for r in results]
            peak = max(float(r["peak_mib"]) for r in results)
            data = max(float(r["data_mib"]) for r in results)
            med[tool] = float(np.median(cpus))
            print(
                f"  {tool:11} wall {summary(walls)}  CPU {summary(cpus)}  peak {peak:,.0f} MiB "
                f"(resident before the first year, interpreter and input: {data:,.0f} MiB)"
            )
        print(
            f"  ratio {med['numpy'] / med['nqpf']:.1f}× by CPU (dense numpy median / nqpf "
            f"median, {repeats} repeats; goal: 10 years < 60 s)"
        )
        if ecomplexity_years:
            done = measure("ecomplexity", path, ecomplexity_years)
            mine = measure("nqpf", path, ecomplexity_years)
            for key, value in done["checks"].items():
                theirs = mine["checks"][key]
                assert abs(value - theirs) <= 1e-6 * max(1.0, abs(value)), (key, value, theirs)
            print(
                f"  ecomplexity, last {ecomplexity_years} year(s): wall {done['seconds']:.1f} s, "
                f"CPU {done['cpu']:.1f} s, peak {done['peak_mib']:,.0f} MiB (nqpf on the same: "
                f"CPU {mine['cpu']:.1f} s; same ECI)"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "MATRIX", "YEARS"))
    parser.add_argument("--part", default="cli,uncertainty,dagum,complexity")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--uncertainty", type=int, default=256)
    parser.add_argument("--firms", type=int, default=5_000_000)
    parser.add_argument("--ecomplexity-years", type=int, default=1)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    print(machine(), "(the machine is shared: wall time depends on the load)\n")
    parts = set(args.part.split(","))
    if "cli" in parts:
        part_cli(args.repeats)
    if "uncertainty" in parts:
        part_uncertainty(args.uncertainty, args.repeats)
    if "dagum" in parts:
        part_dagum(args.repeats)
    if "complexity" in parts:
        part_complexity(args.firms, args.repeats, args.ecomplexity_years)


if __name__ == "__main__":
    main()
