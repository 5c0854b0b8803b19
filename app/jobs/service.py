"""What the ``/jobs`` routes call: submit, look up, list, cancel, follow. Never trains."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, NamedTuple, TypeVar

import anyio
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.config import Settings
from app.dataset_store import DatasetNotFound, DatasetStore
from app.errors import InvalidInput, ServiceError, clip
from app.jobs import records
from app.jobs.params import check_fit, resolve_warm_start, validate_params
from app.jobs.queue import JobQueue
from app.jobs.schemas import JobDetail, JobList, JobRequest, JobSummary
from app.jobs.tasks import STALE_AFTER_S, TRAINING, model_store, remove_ended_checkpoints
from app.jobs.worker import local_process_dead

__all__ = ["JobConflict", "JobNotFound", "JobService", "QueueUnavailable"]

T = TypeVar("T")

logger = logging.getLogger("genserve.jobs")

EVENTS_POLL_S = 0.25
CLOSING_WAIT_S = 2.0
"""How long a stream whose server is stopping waits for the job's worker to requeue it."""


class JobNotFound(ServiceError):
    status_code = 404
    error_type = "job_not_found"


class JobConflict(ServiceError):
    status_code = 409
    error_type = "conflict"


class TooManyJobs(ServiceError):
    status_code = 429
    error_type = "too_many_jobs"
    # When a place frees depends on jobs nobody can time; 10 s keeps polling clients polite.
    headers = {"Retry-After": "10"}


class JobsUnavailable(ServiceError):
    """The job store could not be opened at start (read-only or full data folder, say)."""

    status_code = 503
    error_type = "jobs_unavailable"


def require_job_store(value: T | None, request: Request) -> T:
    """``value`` (the job service or dataset store), or a 503 saying why the store is closed."""
    if value is None:
        raise JobsUnavailable(
            "jobs and datasets are unavailable: " + request.app.state.jobs_unavailable,
            field=None, rule="job_store",
        )
    return value


class QueueUnavailable(ServiceError):
    status_code = 503
    error_type = "queue_unavailable"


def _elapsed(job: records.JobRecord) -> float | None:
    started = records.as_utc(job.started_at)
    if started is None:
        return None
    end = records.as_utc(job.finished_at) or records.utcnow()
    return round((end - started).total_seconds(), 3)


def summary(job: records.JobRecord) -> JobSummary:
    return JobSummary.model_validate({
        "id": job.id, "kind": job.kind, "name": job.name,
        "dataset": {"name": job.dataset_name, "sha256": job.dataset_sha256},
        "status": job.status, "progress": job.progress, "cancel_requested": job.cancel_requested,
        "created_at": records.as_utc(job.created_at),
        "started_at": records.as_utc(job.started_at),
        "finished_at": records.as_utc(job.finished_at), "elapsed_s": _elapsed(job),
        "error": job.error, "result": job.result,
        "last_metrics": _last_training_entry(job.history),
    })


def _last_training_entry(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest epoch or iteration: not the evaluation's entry nor a requeue note."""
    return next((entry for entry in reversed(history)
                 if entry.get("phase", TRAINING) == TRAINING), None)


def detail(job: records.JobRecord) -> JobDetail:
    return JobDetail.model_validate({
        **summary(job).model_dump(), "config": job.config, "metrics": job.history,
        "worker": job.worker, "attempts": job.attempts,
    })


class JobService:
    def __init__(
        self, settings: Settings, engine: Engine, queue: JobQueue, store: DatasetStore
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.queue = queue
        self.store = store

    def submit(self, request: JobRequest) -> records.JobRecord:
        """Check everything a worker would trip on, record the job (within the backlog limits,
        counted atomically with the insert), then queue its id."""
        params = validate_params(request.kind, request.params)
        try:
            info = self.store.info(request.dataset)
        except DatasetNotFound as exc:
            raise InvalidInput(exc.message, field="dataset", rule="exists") from exc
        warm_start = None
        if request.init_from is not None:
            params, warm_start = resolve_warm_start(
                params, request.params, info, model_store(self.settings),
                request.init_from.model, request.init_from.version,
            )
        check_fit(params, request.name, info, model_store(self.settings))
        config = {
            "kind": request.kind, "name": request.name,
            "dataset": {"name": info.name, "sha256": info.sha256, "shape": info.shape,
                        "n": info.n, "levels": info.levels},
            **params.as_config(),
            "init_from": warm_start,
            "promote": request.promote,
        }
        try:
            job = records.create_job(
                self.engine, job_id=uuid.uuid4().hex, kind=request.kind, name=request.name,
                dataset_name=info.name, dataset_sha256=info.sha256, config=config,
                max_queued=self.settings.max_queued_jobs,
                max_active=self.settings.max_active_jobs,
            )
        except records.BacklogFull as full:  # one key cannot flood the queue
            raise TooManyJobs(
                f"{full} (GENSERVE_{full.rule.upper()}): wait for one to finish or cancel one",
                field=None, rule=full.rule,
            ) from None
        try:
            self.queue.enqueue(job.id)
        except Exception as exc:
            logger.exception("could not queue job %s", job.id)
            records.fail_job(self.engine, job.id, f"the task queue is unavailable: {exc}")
            raise QueueUnavailable(
                "the task queue is unavailable; the job was recorded as failed, try again",
                field=None, rule="queue",
            ) from exc
        logger.info("job %s queued: %s %r on %r", job.id, job.kind, job.name, job.dataset_name)
        return job

    def get(self, job_id: str) -> records.JobRecord:
        job = records.get_job(self.engine, job_id) if len(job_id) <= 32 else None
        if job is None:
            raise JobNotFound(f"no job with id {clip(job_id)!r}", field="id", rule="exists")
        return job

    def page(
        self, *, limit: int, offset: int, cursor: int | None, status: str | None
    ) -> JobList:
        jobs = records.list_jobs(
            self.engine, limit=limit + 1, offset=offset, before=cursor, status=status
        )
        page = jobs[:limit]
        return JobList(
            jobs=[summary(j) for j in page], limit=limit, offset=offset,
            next_cursor=page[-1].seq if len(jobs) > limit and page else None,
        )

    def cancel(self, job_id: str) -> records.JobRecord:
        before = self.get(job_id)
        if before.status in records.TERMINAL:
            raise JobConflict(
                f"job {job_id} already ended ({before.status}); nothing to cancel",
                field="id", rule="not_ended",
            )
        job = records.cancel_job(self.engine, job_id)
        assert job is not None
        return job

    def recover(self) -> list[str]:
        """Fail running jobs whose worker died; run at start and now and then."""
        failed = records.fail_abandoned(
            self.engine, stale_after_s=STALE_AFTER_S, is_dead=local_process_dead
        )
        if failed:
            logger.warning("failed %d job(s) whose worker had stopped: %s", len(failed), failed)
        swept = remove_ended_checkpoints(self.engine, self.settings.data_dir)
        if swept:
            logger.warning("removed %d checkpoint folder(s) of ended jobs", len(swept))
        return failed

    async def events(
        self, job_id: str, is_disconnected: Any, stopping: anyio.Event | None = None
    ) -> AsyncIterator[dict[str, str]]:
        """SSE events from the record (any process may be training it): ``progress`` per
        epoch or iteration and again each time the final evaluation moves (its ``phase`` says
        which), ``requeued`` when a stopping worker gave the job back (its ``message`` says
        where it resumes), ``status`` on each change, the last one once the job has ended.
        Steps are numbered across attempts, so a requeued job's stream goes on from there.

        ``stopping`` (an ``anyio.Event``) is set when this server shuts down: the stream waits
        up to ``CLOSING_WAIT_S`` for a running job's worker to give it back (its ``requeued``
        and ``status`` events), then ends with a ``closing`` event saying why, so a client can
        tell a server that stopped from a job that ended."""
        status: str | None = None
        sent = _Sent(0, -1.0)
        closing_at: float | None = None
        while True:
            job = await run_in_threadpool(self.get, job_id)
            for entry in _unsent(job.history, sent):
                if entry.get("phase") == "requeued":
                    yield {"event": "requeued", "data": json.dumps({"id": job.id, **entry})}
                    continue
                payload = {"id": job.id, "progress": job.progress, **entry}
                yield {"event": "progress", "data": json.dumps(payload)}
            if job.history:
                last = job.history[-1]
                sent = _Sent(int(last.get("step", 0)), float(last.get("progress", 0.0)))
            if job.status != status:
                status = job.status
                payload = summary(job).model_dump(mode="json")
                yield {"event": "status", "data": json.dumps(payload)}
            if job.status in records.TERMINAL or await is_disconnected():
                return
            if stopping is not None and stopping.is_set():
                now = time.monotonic()
                closing_at = now + CLOSING_WAIT_S if closing_at is None else closing_at
                if job.status != "running" or now >= closing_at:
                    yield _closing(job)
                    return
            await asyncio.sleep(EVENTS_POLL_S)


def _closing(job: records.JobRecord) -> dict[str, str]:
    """The last event of a stream whose server is stopping, the job still queued or running."""
    then = ("it resumes when a worker starts again" if job.status == "queued" else
            "a worker that stops gracefully gives it back to the queue")
    payload = {
        **summary(job).model_dump(mode="json"),
        "message": f"the server is stopping and ends this stream; the job is {job.status}: "
                   f"{then}. Reconnect to follow it.",
    }
    return {"event": "closing", "data": json.dumps(payload)}


class _Sent(NamedTuple):
    """How far a stream has sent a job's history: the last entry's step and progress."""

    step: int
    progress: float


def _unsent(history: list[dict[str, Any]], sent: _Sent) -> list[dict[str, Any]]:
    """Entries after ``sent.step`` (found by step, so a history trimmed to its last entries
    still streams), or else the last entry again when it moved in place (the evaluation)."""
    new = [entry for entry in history if int(entry.get("step", 0)) > sent.step]
    if new or not history:
        return new
    last = history[-1]
    if int(last.get("step", 0)) == sent.step and float(last.get("progress", 0.0)) > sent.progress:
        return [last]
    return []
