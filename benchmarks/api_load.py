"""Loopback load test of `nqpf serve`: time-to-ready, then 50 concurrent clients on cached
endpoints and the overview page, against a bare-server floor.

Run: python benchmarks/api_load.py [--clients 50] [--seconds 10] [--rounds 2] [--threads 1]
     [--client wrk|httpx]

Targets (2 cores, quiet machine): p95 < 200 ms on cached endpoints under 50 concurrent
clients; `nqpf serve` answers /api/v1/health < 3 s after it is started.

1. Time-to-ready: `nqpf serve` in a fresh process on a fresh SQLite database (migrations
   included), polled on /api/v1/health every 20 ms; wall time and the server's CPU time at
   that moment, interleaved with the floor: the imports any FastAPI + SQLAlchemy + Alembic
   service pays before its own code (`python -c "import fastapi, sqlalchemy, alembic,
   uvicorn"`), 3 repeats. The server imports neither NumPy nor pandas before its first
   analysis request.
2. Load: one `nqpf serve` (one worker), every endpoint requested once to fill the cache,
   then `--clients` concurrent connections for `--seconds`, each request the next endpoint
   of the list, with ``Accept-Encoding: gzip`` as browsers send it. The load generator is
   **wrk** (C, one thread, an event loop over the connections: it costs a fraction of a
   core, so the server has the rest of the machine). It is not installed by this script:
   on Debian/Ubuntu ``apt-get install wrk``; without it the script says so and falls back
   to Python httpx clients (``--client httpx``), which take about as much CPU as the server
   and so inflate every latency, ours and the floor's alike. Latency percentiles come from
   wrk's own histogram; errors are non-2xx answers plus socket errors.
   The floor is a bare uvicorn + Starlette app answering the same bytes (and the same gzip
   bytes, made once at start with the same level) from a dict: what any Python web server
   pays for these answers. Both servers run the same uvicorn (uvloop and httptools when
   installed). Rounds are interleaved (nqpf, floor, nqpf, floor …); the ratio is floor p95
   / nqpf p95. The machine's load average is printed: on a busy machine both figures rise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
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
    import gzip, json, os
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    with open(os.environ["FLOOR_BODIES"], encoding="utf-8") as f:
        BODIES = {
            path: (bytes.fromhex(body), gzip.compress(bytes.fromhex(body), 6, mtime=0), kind)
            for path, body, kind in json.load(f)
        }

    async def answer(request):
        body, packed, kind = BODIES[request.url.path]
        if "gzip" in request.headers.get("accept-encoding", "") and len(packed) < len(body):
            return Response(packed, media_type=kind, headers={"content-encoding": "gzip"})
        return Response(body, media_type=kind)

    app = Starlette(routes=[Route(path, answer) for path in BODIES])
    """
)

#: wrk's script: each request the next endpoint, gzip accepted; at the end one JSON line
#: with the latency percentiles (µs), the request count and the errors.
WRK_SCRIPT = textwrap.dedent(
    """
    local paths = {PATHS}
    local i = 0
    request = function()
      i = i + 1
      return wrk.format("GET", paths[(i % #paths) + 1], {["Accept-Encoding"] = "gzip"})
    end
    done = function(summary, latency, requests)
      local e = summary.errors
      io.write(string.format(
        '{"p50": %d, "p95": %d, "p99": %d, "requests": %d, "errors": %d}\\n',
        latency:percentile(50), latency:percentile(95), latency:percentile(99),
        summary.requests, e.connect + e.read + e.write + e.timeout + e.status))
    end
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


#: What a FastAPI + SQLAlchemy + Alembic service imports before its own code.
FLOOR_IMPORTS = "import fastapi, sqlalchemy, alembic, uvicorn"


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> float:
    """Seconds until ``url`` answers 200, polled every 20 ms with the standard library's
    ``http.client`` (an httpx client per attempt builds an SSL context each time and took a
    share of the two cores from the server it was timing)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=1)
        try:
            connection.request("GET", parts.path)
            if connection.getresponse().status == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        finally:
            connection.close()
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
        subprocess.run([sys.executable, "-c", FLOOR_IMPORTS], check=True)
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


def _wrk(base: str, clients: int, seconds: float, script: Path) -> dict[str, float]:
    """One wrk run (one thread, ``clients`` connections): p50/p95/p99 in seconds,
    requests and errors."""
    cmd = ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s"]
    cmd += ["-s", str(script), base]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("{"))
    found = json.loads(line)
    return {k: v / 1e6 if k.startswith("p") else v for k, v in found.items()}


def _wrk_script(folder: Path) -> Path:
    paths = ", ".join(json.dumps(urllib.parse.quote(p, safe="/?=&")) for p in ENDPOINTS)
    script = folder / "cycle.lua"
    script.write_text(WRK_SCRIPT.replace("{PATHS}", "{" + paths + "}"), encoding="utf-8")
    return script


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
    parser.add_argument("--seconds", type=float, default=10, help="length of a wrk round")
    parser.add_argument("--requests", type=int, default=20, help="per client (httpx only)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ready-repeats", type=int, default=3)
    parser.add_argument("--client", choices=("wrk", "httpx"), default="wrk")
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    print(machine())
    client = args.client
    if client == "wrk" and shutil.which("wrk") is None:
        print(
            "wrk not found (Debian/Ubuntu: apt-get install wrk); falling back to Python httpx "
            "clients, which compete with the server for the CPU"
        )
        client = "httpx"
    print(f"load generator: {client}; load average at start {os.getloadavg()[0]:.1f}")

    walls, cpus, floors = time_to_ready(args.ready_repeats)
    print("time-to-ready of `nqpf serve` (fresh process and database, /api/v1/health answers)")
    print(f"  nqpf serve  wall {summary(walls)}; CPU {summary(cpus)}")
    print(f"  floor       wall {summary(floors)}  (python -c '{FLOOR_IMPORTS}')")

    runs: dict[str, list[dict[str, float]]] = {"nqpf": [], "floor": []}
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
            lua = _wrk_script(home)
            for _ in range(args.rounds + 1):  # the first round of each warms up, untimed
                for name, url in (("nqpf", base), ("floor", floor_base)):
                    if client == "wrk":
                        runs[name].append(_wrk(url, args.clients, args.seconds, lua))
                    else:
                        runs[name].append(_httpx_round(url, args.clients, args.requests))
        finally:
            _stop(proc)
            if floor_proc is not None:
                _stop(floor_proc)

    ours, floor = runs["nqpf"][1:], runs["floor"][1:]
    print(
        f"load: {args.clients} concurrent connections, {args.rounds} interleaved rounds of "
        f"{args.seconds:g} s (wrk) each after a warm-up round; one server process each, "
        "loopback, gzip accepted"
    )
    print(f"  {'server':<30} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'requests':>9} errors")
    for name, rounds in (("nqpf serve", ours), ("floor: bare Starlette", floor)):
        for r in rounds:
            print(
                f"  {name:<30} {r['p50'] * 1e3:8.1f} {r['p95'] * 1e3:8.1f} {r['p99'] * 1e3:8.1f} "
                f"{int(r['requests']):9d} {int(r['errors'])}"
            )
    p50 = statistics.median(r["p50"] for r in ours) * 1e3
    p95 = statistics.median(r["p95"] for r in ours) * 1e3
    f95 = statistics.median(r["p95"] for r in floor) * 1e3
    errors = int(sum(r["errors"] for r in ours))
    total = int(sum(r["requests"] for r in ours))
    ready = statistics.median(walls)
    verdict_p95 = "meets" if p95 < P95_TARGET_MS else "misses"
    verdict_ready = "meets" if ready < READY_TARGET_S else "misses"
    print(
        f"summary ({client}): load {os.getloadavg()[0]:.1f}; cached p50 {p50:.0f} ms, p95 "
        f"{p95:.0f} ms ({verdict_p95} < {P95_TARGET_MS:.0f} ms; floor p95 {f95:.0f} ms, ratio "
        f"{f95 / p95:.2f}×), errors {errors} of {total}; serve ready {ready:.2f} s wall, "
        f"{statistics.median(cpus):.2f} s CPU ({verdict_ready} < {READY_TARGET_S:.0f} s)"
    )


def _httpx_round(base: str, clients: int, requests: int) -> dict[str, float]:
    """The fallback round: Python httpx clients (they share the CPU with the server)."""
    lat, errors = asyncio.run(_load(base, clients, requests))
    values = [v for vs in lat.values() for v in vs]
    return {
        "p50": _percentile(values, 0.5),
        "p95": _percentile(values, 0.95),
        "p99": _percentile(values, 0.99),
        "requests": len(values),
        "errors": errors,
    }


if __name__ == "__main__":
    main()
