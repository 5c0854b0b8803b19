"""Training jobs: submit, list, inspect, follow (server-sent events), cancel (API key only);
and ``GET /kinds``, the model kinds a job may train (public: the page builds its form from it)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from app.auth import RequireAPIKey
from app.jobs.records import JobStatus
from app.jobs.schemas import JOB_EXAMPLES, JobDetail, JobList, JobRequest, JobSummary
from app.jobs.service import CLOSING_WAIT_S, JobService, detail, require_job_store, summary
from app.routing import FastJSONRoute
from models.kinds import kinds

router = APIRouter(
    prefix="/jobs", tags=["jobs"], dependencies=[RequireAPIKey], route_class=FastJSONRoute
)
MAX_POSITION = 2**31 - 1
"""Largest offset and cursor: past any real count of jobs, within every database's integers."""


def _jobs(request: Request) -> JobService:
    service: JobService | None = request.app.state.jobs
    return require_job_store(service, request)


JobsDep = Annotated[JobService, Depends(_jobs)]

kinds_router = APIRouter(tags=["jobs"], route_class=FastJSONRoute)


class KindInfo(BaseModel):
    kind: str = Field(description="What POST /jobs takes as kind, and config.json records.")
    title: str
    description: str
    capabilities: list[str] = Field(description="The operations its models answer.")
    supports_warm_start: bool = Field(description="Whether a job may give init_from.")
    hyperparameters: dict[str, Any] = Field(description="JSON schema of its hyper-parameters.")
    options: dict[str, Any] = Field(description="JSON schema of its training options.")
    example: dict[str, Any] = Field(description="A quick job's dataset and params.")


class KindList(BaseModel):
    kinds: list[KindInfo]


@kinds_router.get("/kinds", response_model=KindList)
def list_kinds() -> KindList:
    """Every installed model kind (entry-point group ``genserve.models``), with the JSON
    schemas of a job's params: its hyper-parameters and its training options side by side."""
    return KindList(kinds=[KindInfo(**kind.describe()) for kind in kinds().values()])


@router.post("", status_code=202, response_model=JobSummary)
def submit_job(
    body: Annotated[JobRequest, Body(openapi_examples={  # a choice of examples in /docs
        f"{example['kind']} on {example['dataset']}": {"value": example}
        for example in JOB_EXAMPLES
    })],
    jobs: JobsDep,
) -> JobSummary:
    """Queue a training job; ``GET /jobs/{id}`` or ``/jobs/{id}/events`` follows it."""
    return summary(jobs.submit(body))


@router.get("", response_model=JobList)
def list_jobs(
    jobs: JobsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_POSITION)] = 0,
    cursor: Annotated[
        int | None, Query(ge=1, le=MAX_POSITION, description="next_cursor of a page")
    ] = None,
    status: JobStatus | None = None,
) -> JobList:
    """Newest first."""
    return jobs.page(limit=limit, offset=offset, cursor=cursor, status=status)


@router.get("/{job_id}", response_model=JobDetail)
def get_job(job_id: str, jobs: JobsDep) -> JobDetail:
    return detail(jobs.get(job_id))


@router.get("/{job_id}/events", response_class=EventSourceResponse)
async def job_events(job_id: str, request: Request, jobs: JobsDep) -> EventSourceResponse:
    """``progress`` after each epoch or EM iteration, ``requeued`` when a stopping worker
    gives the job back, ``status`` on each change; the stream ends after the status event of a
    finished job, or with a ``closing`` event when this server shuts down."""
    await run_in_threadpool(jobs.get, job_id)  # 404 before the stream starts
    stopping = anyio.Event()  # set on shutdown: the stream ends with a ``closing`` event
    return EventSourceResponse(
        jobs.events(job_id, request.is_disconnected, stopping), ping=15,
        shutdown_event=stopping, shutdown_grace_period=CLOSING_WAIT_S + 1.0,
    )


@router.delete("/{job_id}", status_code=202, response_model=JobSummary)
def cancel_job(job_id: str, jobs: JobsDep) -> JobSummary:
    """Queued: cancelled at once. Running: stops at its next epoch or EM iteration."""
    return summary(jobs.cancel(job_id))
