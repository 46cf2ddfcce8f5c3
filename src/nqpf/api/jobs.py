"""Background jobs for long work (an assessment with ``uncertainty`` N): a bounded queue.

``POST /api/v1/jobs/assess`` makes a job and answers ``202`` at once with its id;
``GET /api/v1/jobs/{id}`` reports its status (queued → running → done | failed) and progress
(``done`` of ``total`` model runs, from the service's progress callback);
``GET /api/v1/jobs/{id}/result`` answers the result document once it is done.

The work runs in a pool of :data:`WORKERS` threads (NumPy releases the GIL in the heavy
parts; the event loop keeps answering). At most :data:`MAX_ACTIVE` jobs wait or run at once;
one more is refused with 429. A request for the same options as a job that is waiting,
running or done returns that job instead of starting another. Finished results stay in
memory while the server runs (nothing is dropped: a job's result is never lost before the
process ends); they do not survive a restart.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from nqpf.api.cache import spec_key
from nqpf.errors import NQPFError
from nqpf.results import Result

__all__ = ["MAX_ACTIVE", "WORKERS", "Job", "JobQueue", "QueueFullError"]

#: Threads that run jobs.
WORKERS = 1
#: Jobs waiting or running at once (more are refused with 429).
MAX_ACTIVE = 8

Status = Literal["queued", "running", "done", "failed"]
Progress = Callable[[int, int], None]


class QueueFullError(NQPFError):
    """Too many jobs waiting or running (HTTP 429)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Job:
    """One piece of background work and what became of it."""

    id: str
    kind: str
    spec: Mapping[str, Any]
    status: Status = "queued"
    done: int = 0
    total: int = 0
    spec_hash: str | None = None
    error: str | None = None
    result: bytes | None = field(default=None, repr=False)
    created_at: dt.datetime = field(default_factory=_now)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    def summary(self) -> dict[str, Any]:
        """The job's state as JSON (without the result document)."""
        stamp = {
            name: None if value is None else value.isoformat()
            for name, value in (
                ("created_at", self.created_at),
                ("started_at", self.started_at),
                ("finished_at", self.finished_at),
            )
        }
        fraction = 1.0 if self.status == "done" else (self.done / self.total if self.total else 0.0)
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": {"done": self.done, "total": self.total, "fraction": fraction},
            "spec": dict(self.spec),
            "spec_hash": self.spec_hash,
            "error": self.error,
            "result_url": f"/api/v1/jobs/{self.id}/result" if self.status == "done" else None,
            **stamp,
        }


class JobQueue:
    """Jobs run by a bounded thread pool; finished jobs kept for the life of the process."""

    def __init__(self, workers: int = WORKERS, max_active: int = MAX_ACTIVE) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nqpf-job")
        self._max_active = max_active
        self._jobs: dict[str, Job] = {}
        self._by_spec: dict[str, str] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        kind: str,
        spec: Mapping[str, Any],
        run: Callable[[Progress], Result],
        encode: Callable[[Result], bytes],
    ) -> Job:
        """Queue ``run(progress)`` (or return the job already made for the same spec)."""
        key = spec_key({"kind": kind, **spec})
        with self._lock:
            known = self._by_spec.get(key)
            if known is not None and self._jobs[known].status != "failed":
                return self._jobs[known]
            active = sum(j.status in ("queued", "running") for j in self._jobs.values())
            if active >= self._max_active:
                raise QueueFullError(
                    f"{active} jobs are waiting or running, the most this server takes — "
                    "try again when one has finished"
                )
            job = Job(id=uuid.uuid4().hex, kind=kind, spec=dict(spec))
            self._jobs[job.id] = job
            self._by_spec[key] = job.id
        self._pool.submit(self._work, job, run, encode)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """Every job, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.created_at, reverse=True)

    def wait_idle(self, timeout: float | None = None) -> None:
        """Block until no job is waiting or running (tests; a clean shutdown)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while any(j.status in ("queued", "running") for j in self.jobs()):
            if deadline is not None and time.monotonic() > deadline:
                return
            time.sleep(0.05)

    def shutdown(self) -> None:
        """Stop taking jobs; cancel the waiting ones (the running one finishes)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _work(
        self, job: Job, run: Callable[[Progress], Result], encode: Callable[[Result], bytes]
    ) -> None:
        job.status, job.started_at = "running", _now()

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            result = run(progress)
            body = encode(result)
        except NQPFError as error:
            job.error, job.status = str(error), "failed"
        except Exception as error:  # a bug must fail the job, not the worker thread
            job.error = f"internal error: {type(error).__name__}: {error}"
            job.status = "failed"
        else:
            job.result, job.spec_hash, job.status = body, result.spec_hash, "done"
        job.finished_at = _now()
