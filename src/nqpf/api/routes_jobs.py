"""Routes of the background jobs (:mod:`nqpf.api.jobs`): start an assessment with its
uncertainty analysis, poll its progress, fetch its result document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from nqpf.api._respond import RESULT_RESPONSES, encode
from nqpf.api.jobs import JobQueue, Progress
from nqpf.methods import AggregateMethod, NormalizeMethod, Scope
from nqpf.results import Result

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

#: Largest Sobol base sample N a job may ask for (Saltelli's usual range is 256–4096).
MAX_UNCERTAINTY = 4096

JobId = Annotated[str, Path(pattern="^[0-9a-f]{32}$", description="the id POST returned")]


class AssessJob(BaseModel):
    """The options of an assessment (as ``GET /api/v1/assess``) plus its uncertainty run."""

    model_config = ConfigDict(extra="forbid")

    framework: Literal["ndrc", "three-elements"] = "ndrc"
    normalize: NormalizeMethod = "minmax"
    scope: Scope = "panel"
    weights: Literal["entropy", "critic", "equal", "pca", "entropy,critic"] = "entropy"
    aggregate: AggregateMethod = "linear"
    year: list[Annotated[int, Field(ge=1949, le=2100)]] | None = Field(default=None, max_length=100)
    uncertainty: int = Field(
        default=256, ge=0, le=MAX_UNCERTAINTY, description="Sobol base sample N (0 = none)"
    )
    seed: int = Field(default=20250101, ge=0, le=2**32 - 1)


def _queue(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.jobs
    return queue


def _encode(result: Result) -> bytes:
    return encode(result).body


@router.post("/assess", status_code=202)
def start_assessment(body: AssessJob, request: Request) -> dict[str, Any]:
    """Start an assessment with ``uncertainty`` N in the background; answers the job
    (poll ``GET /api/v1/jobs/{id}``). The same options return the same job."""
    from nqpf.services.assessment import AssessmentSpec

    years = sorted(set(body.year)) if body.year else None
    options = body.model_dump() | {"year": years}
    spec = AssessmentSpec.of(
        framework=body.framework,
        normalize=body.normalize,
        scope=body.scope,
        weights=body.weights,
        aggregate=body.aggregate,
        years=years,
        uncertainty=body.uncertainty,
        seed=body.seed,
    )

    def run(progress: Progress) -> Result:
        from nqpf.services.assessment import assess_spec

        return assess_spec(spec, progress=progress)

    return _queue(request).submit("assessment", options, run, _encode).summary()


@router.get("")
def jobs(request: Request) -> list[dict[str, Any]]:
    """Every job of this server process, newest first."""
    return [job.summary() for job in _queue(request).jobs()]


@router.get("/{job_id}")
def job(job_id: JobId, request: Request) -> dict[str, Any]:
    """A job's status and progress (``done`` of ``total`` runs)."""
    found = _queue(request).get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id} on this server (jobs end with the process)")
    return found.summary()


@router.get("/{job_id}/result", responses=RESULT_RESPONSES)
def job_result(job_id: JobId, request: Request) -> Response:
    """The result document of a finished job (409 while it waits or runs)."""
    found = _queue(request).get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id} on this server (jobs end with the process)")
    if found.status == "failed":
        raise HTTPException(422, f"the job failed: {found.error}")
    if found.result is None:
        raise HTTPException(409, f"the job is {found.status}: poll /api/v1/jobs/{job_id}")
    return Response(
        found.result, media_type="application/json", headers={"ETag": f'"{found.spec_hash}"'}
    )
