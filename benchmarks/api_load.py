"""Loopback load test of `nqpf serve`: time-to-ready, then 50 concurrent clients on cached
endpoints and the overview page, against a bare-server floor.

Run: python benchmarks/api_load.py [--clients 50] [--requests 20] [--rounds 2] [--threads 1]

Targets (2 cores, quiet machine): p95 < 200 ms on cached endpoints under 50 concurrent
clients; `nqpf serve` answers /api/v1/health < 3 s after it is started.

1. Time-to-ready: `nqpf serve` in a fresh process on a fresh SQLite database (migrations
   included), polled on /api/v1/health every 20 ms; wall time and the server's CPU time at
   that moment, interleaved with the floor (`python -c "import numpy, pandas"`), 3 repeats.
2. Load: one `nqpf serve` (one worker), every endpoint requested once to fill the cache,
   then `--clients` asyncio clients (httpx, one connection each) send `--requests` requests
   each, cycling through the endpoints; latency of each request, errors (non-2xx, exceptions)
   counted. The floor is a bare uvicorn + Starlette app answering the same bytes from a
   dict (what any Python web server pays for these answers), run the same way; rounds are
   interleaved (nqpf, floor, nqpf, floor …). The ratio is floor p95 / nqpf p95.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _harness import machine, summary  # first: pins the BLAS threads

#: The cached endpoints and the overview page (the page, its script and the data it draws).
ENDPOINTS = (
    "/",
    "/static/app.js",
    "/api/v1/regions",
    "/api/v1/maps/china",
    "/api/v1/assess",
    "/api/v1/disparity",
    "/api/v1/diagnose/安徽",
    "/api/v1/opportunities/安徽",
    "/api/v1/similar/安徽",
    "/api/v1/chains",
    "/api/v1/chains/nev/map/安徽",
    "/api/v1/herding",
)
P95_TARGET_MS = 200.0
READY_TARGET_S = 3.0

FLOOR_APP = textwrap.dedent(
    """
    import json, os
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    with open(os.environ["FLOOR_BODIES"], encoding="utf-8") as f:
        BODIES = {path: (bytes.fromhex(body), kind) for path, body, kind in json.load(f)}

    async def answer(request):
        body, kind = BODIES[request.url.path]
        return Response(body, media_type=kind)

    app = Starlette(routes=[Route(path, answer) for path in BODIES])
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> float:
    import httpx

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - start
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def _serve(port: int, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NQPF_HOME": str(home)}
    cmd = [sys.executable, "-c", "from nqpf.cli import main; main()", "serve", "--port", str(port)]
    cmd += ["--db", f"sqlite:///{home / 'nqpf.db'}"]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def time_to_ready(repeats: int) -> tuple[list[float], list[float], list[float]]:
    """Wall and CPU seconds until /api/v1/health answers; the floor's wall seconds."""
    walls, cpus, floors = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            port = _free_port()
            proc = _serve(port, Path(tmp))
            try:
                walls.append(_wait_ready(f"http://127.0.0.1:{port}/api/v1/health", proc))
                cpus.append(_cpu_seconds(proc.pid))
            finally:
                _stop(proc)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy, pandas"], check=True)
        floors.append(time.perf_counter() - start)
    return walls, cpus, floors


async def _load(base: str, clients: int, requests: int) -> tuple[dict[str, list[float]], int]:
    import httpx

    latencies: dict[str, list[float]] = {path: [] for path in ENDPOINTS}
    errors = 0

    async def client(number: int) -> None:
        nonlocal errors
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
            for i in range(requests):
                path = ENDPOINTS[(number + i) % len(ENDPOINTS)]
                start = time.perf_counter()
                try:
                    answer = await http.get(path)
                    ok = answer.status_code == 200 and len(answer.content) > 0
                except httpx.HTTPError:
                    ok = False
                latencies[path].append(time.perf_counter() - start)
                errors += not ok

    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies, errors


def _fill(base: str) -> list[tuple[str, str, str]]:
    """Request every endpoint once (fills the cache); their bodies for the floor."""
    import httpx

    bodies = []
    for path in ENDPOINTS:
        answer = httpx.get(base + path, timeout=900)
        answer.raise_for_status()
        kind = answer.headers.get("content-type", "application/json")
        bodies.append((path, answer.content.hex(), kind))
    return bodies


def _floor(port: int, bodies_file: Path, script: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(script.parent), "floor_app:app"]
    cmd += ["--port", str(port), "--log-level", "warning"]
    env = {**os.environ, "FLOOR_BODIES": str(bodies_file)}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ready-repeats", type=int, default=3)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    print(machine())

    walls, cpus, floors = time_to_ready(args.ready_repeats)
    print("time-to-ready of `nqpf serve` (fresh process and database, /api/v1/health answers)")
    print(f"  nqpf serve  wall {summary(walls)}; CPU {summary(cpus)}")
    print(f"  floor       wall {summary(floors)}  (python -c 'import numpy, pandas')")

    import json

    ours_all: list[float] = []
    floor_all: list[float] = []
    per_path: dict[str, list[float]] = {p: [] for p in ENDPOINTS}
    errors_ours = errors_floor = 0
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        port = _free_port()
        proc = _serve(port, home)
        base = f"http://127.0.0.1:{port}"
        floor_port = _free_port()
        floor_proc = None
        try:
            _wait_ready(base + "/api/v1/health", proc)
            bodies = _fill(base)
            bodies_file = home / "bodies.json"
            bodies_file.write_text(json.dumps(bodies), encoding="utf-8")
            script = home / "floor_app.py"
            script.write_text(FLOOR_APP, encoding="utf-8")
            floor_proc = _floor(floor_port, bodies_file, script)
            floor_base = f"http://127.0.0.1:{floor_port}"
            _wait_ready(floor_base + "/", floor_proc)
            asyncio.run(_load(base, 5, 2))  # warm-up of both
            asyncio.run(_load(floor_base, 5, 2))
            for _ in range(args.rounds):
                lat, err = asyncio.run(_load(base, args.clients, args.requests))
                errors_ours += err
                for path, values in lat.items():
                    per_path[path] += values
                    ours_all += values
                lat, err = asyncio.run(_load(floor_base, args.clients, args.requests))
                errors_floor += err
                floor_all += [v for values in lat.values() for v in values]
        finally:
            _stop(proc)
            if floor_proc is not None:
                _stop(floor_proc)

    print(
        f"load: {args.clients} concurrent clients × {args.requests} requests × {args.rounds} "
        f"rounds, one server process each, loopback"
    )
    print(f"  {'endpoint':<32} {'p50 ms':>8} {'p95 ms':>8} {'n':>5}")
    for path, values in per_path.items():
        p50, p95 = _percentile(values, 0.5) * 1e3, _percentile(values, 0.95) * 1e3
        print(f"  {path:<32} {p50:8.1f} {p95:8.1f} {len(values):5d}")
    p50 = statistics.median(ours_all) * 1e3
    p95 = _percentile(ours_all, 0.95) * 1e3
    f50 = statistics.median(floor_all) * 1e3
    f95 = _percentile(floor_all, 0.95) * 1e3
    print(
        f"  {'all (nqpf serve)':<32} {p50:8.1f} {p95:8.1f} {len(ours_all):5d}  errors {errors_ours}"
    )
    print(
        f"  {'all (floor: bare Starlette)':<32} {f50:8.1f} {f95:8.1f} {len(floor_all):5d}  errors {errors_floor}"
    )
    ready = statistics.median(walls)
    verdict_p95 = "meets" if p95 < P95_TARGET_MS else "misses"
    verdict_ready = "meets" if ready < READY_TARGET_S else "misses"
    print(
        f"summary: load {os.getloadavg()[0]:.1f}; cached p50 {p50:.0f} ms, p95 {p95:.0f} ms "
        f"({verdict_p95} < {P95_TARGET_MS:.0f} ms; floor p95 {f95:.0f} ms, ratio "
        f"{f95 / p95:.2f}×), errors {errors_ours} of {len(ours_all)}; serve ready "
        f"{ready:.2f} s wall, {statistics.median(cpus):.2f} s CPU ({verdict_ready} < "
        f"{READY_TARGET_S:.0f} s)"
    )


if __name__ == "__main__":
    main()
