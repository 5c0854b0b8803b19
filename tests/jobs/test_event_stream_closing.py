"""A job's event stream on a server that is shutting down ends with a ``closing`` event, after
the ``requeued`` and ``status`` events of a worker that gave the job back in time."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from jobkit import TINY_GMM, submit

from app.jobs import records, service
from app.jobs.service import JobService

pytestmark = pytest.mark.job_settings(embedded_worker=False)


async def never_disconnected() -> bool:
    return False


def follow(jobs: JobService, job_id: str, *, on_status: Any = None) -> list[tuple[str, Any]]:
    """The stream's events when the server is already stopping; ``on_status(status)`` runs
    after each ``status`` event (a worker giving the job back, say)."""
    async def run() -> list[tuple[str, Any]]:
        stopping = anyio.Event()
        stopping.set()
        seen: list[tuple[str, Any]] = []
        async for event in jobs.events(job_id, never_disconnected, stopping):
            data = json.loads(event["data"])
            seen.append((event["event"], data))
            if event["event"] == "status" and on_status is not None:
                on_status(data["status"])
        return seen

    return asyncio.run(run())


@pytest.fixture
def jobs(job_client: TestClient) -> JobService:
    service_: JobService = job_client.app.state.jobs  # type: ignore[attr-defined]
    return service_


def test_a_queued_jobs_stream_ends_with_a_closing_event(
    job_client: TestClient, jobs: JobService
) -> None:
    job = submit(job_client, "gmm", "closing-queued", "pinwheel", **TINY_GMM)
    events = follow(jobs, job["id"])
    assert [name for name, _ in events] == ["status", "closing"]
    assert events[-1][1]["status"] == "queued"
    assert "server is stopping" in events[-1][1]["message"]


def test_the_stream_waits_for_the_worker_to_requeue_the_job_then_closes(
    job_client: TestClient, jobs: JobService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CLOSING_WAIT_S", 600.0)  # it ends on the requeue, not on time
    job = submit(job_client, "gmm", "closing-running", "pinwheel", **TINY_GMM)
    assert records.claim_job(jobs.engine, job["id"], "host:1")
    note = {"step": 1, "phase": "requeued", "resume_epoch": None, "progress": 0.0,
            "message": "requeued: worker stopped; starts again from the beginning"}

    def give_back(status: str) -> None:
        if status == "running":
            assert records.requeue_job(jobs.engine, job["id"], "host:1", history=[note])

    events = follow(jobs, job["id"], on_status=give_back)
    assert [name for name, _ in events] == ["status", "requeued", "status", "closing"]
    assert [data["status"] for name, data in events if name != "requeued"] == [
        "running", "queued", "queued"]


def test_a_job_still_running_when_the_wait_ends_is_said_to_be_running(
    job_client: TestClient, jobs: JobService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CLOSING_WAIT_S", 0.0)
    job = submit(job_client, "gmm", "closing-late", "pinwheel", **TINY_GMM)
    assert records.claim_job(jobs.engine, job["id"], "host:1")
    events = follow(jobs, job["id"])
    assert [name for name, _ in events] == ["status", "closing"]
    assert events[-1][1]["status"] == "running"
    assert "gives it back to the queue" in events[-1][1]["message"]
