"""Restarts: queued jobs outlive the API; a job whose worker died never stays ``running``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jobkit import AUTH, LONG_VAE, TINY_GMM, make_settings, stream_events, submit, wait_for
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.jobs import records
from app.jobs.db import make_engine
from app.main import create_app
from models.checkpoints import checkpoint_epoch


@pytest.fixture
def root(tmp_path: Path, weights_dir: Path) -> Path:
    make_settings(tmp_path, weights_dir)  # copies the tiny models in
    return tmp_path


def dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    return int(finished.stdout)


def test_jobs_queued_when_the_api_stops_run_after_it_starts_again(root: Path) -> None:
    with TestClient(create_app(make_settings(root, embedded_worker=False))) as client:
        job = submit(client, "gmm", "after-restart", "pinwheel", **TINY_GMM)
        assert client.get(f"/jobs/{job['id']}", headers=AUTH).json()["status"] == "queued"
    with TestClient(create_app(make_settings(root))) as client:  # now with its worker
        done = wait_for(client, job["id"])
        assert done["status"] == "succeeded", done["error"]
        assert client.post("/sample", json={"model": "after-restart", "n": 1}).status_code == 200


def test_a_job_running_on_a_dead_local_worker_is_failed_at_start(root: Path) -> None:
    settings = make_settings(root, embedded_worker=False)
    with TestClient(create_app(settings)) as client:
        job = submit(client, "gmm", "orphan", "pinwheel", **TINY_GMM)
    engine = make_engine(settings)
    assert records.claim_job(engine, job["id"], f"{socket.gethostname()}:{dead_pid()}")
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        found = client.get(f"/jobs/{job['id']}", headers=AUTH).json()
    assert found["status"] == "failed"
    assert "has stopped" in found["error"] and "submit the job again" in found["error"]


def test_a_job_whose_remote_worker_went_silent_is_failed(root: Path) -> None:
    settings = make_settings(root, embedded_worker=False)
    with TestClient(create_app(settings)) as client:
        job = submit(client, "gmm", "silent", "pinwheel", **TINY_GMM)
    engine = make_engine(settings)
    assert records.claim_job(engine, job["id"], "another-host:4242")
    with Session(engine) as session, session.begin():
        session.execute(
            update(records.JobRecord).where(records.JobRecord.id == job["id"])
            .values(heartbeat_at=records.utcnow() - timedelta(minutes=10))
        )
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        found = client.get(f"/jobs/{job['id']}", headers=AUTH).json()
    assert found["status"] == "failed" and "no heartbeat" in found["error"]


def test_a_running_job_goes_back_to_the_queue_when_its_worker_stops(root: Path) -> None:
    settings = make_settings(root)
    checkpoints = settings.data_dir / "checkpoints"
    with TestClient(create_app(settings)) as client:
        job = submit(client, "vae", "interrupted", "digits", **LONG_VAE, checkpoint_every=1)
        wait_for(client, job["id"], until=lambda j: j["status"] == "running"
                 and len(j["metrics"]) >= 2)
    # the app's shutdown stopped its worker gracefully: the job is queued again, untouched
    with TestClient(create_app(make_settings(root, embedded_worker=False))) as client:
        requeued = client.get(f"/jobs/{job['id']}", headers=AUTH).json()
    assert requeued["status"] == "queued" and requeued["attempts"] == 1
    assert (checkpoints / job["id"]).is_dir()  # kept, to resume from
    saved = checkpoint_epoch(checkpoints / job["id"])
    assert saved is not None
    resume = saved + 1
    *kept, note = requeued["metrics"]  # the epochs up to the checkpoint, then a note
    assert [entry["epoch"] for entry in kept] == list(range(1, resume))
    assert note["phase"] == "requeued" and note["resume_epoch"] == resume
    assert note["message"] == f"requeued: worker stopped; resumes at epoch {resume}"
    # while queued, the job shows its checkpoint's progress (not 0)
    assert requeued["progress"] == note["progress"] == kept[-1]["progress"] > 0
    with TestClient(create_app(settings)) as client:
        events = stream_events(
            client, job["id"], cancel_when=lambda seen: seen[-1][0] == "progress"
            and seen[-1][1].get("epoch", 0) >= resume
        )
        again = client.get(f"/jobs/{job['id']}", headers=AUTH).json()
    assert again["status"] == "cancelled" and again["attempts"] == 2
    assert again["metrics"][:len(requeued["metrics"])] == requeued["metrics"]  # history kept
    assert ("requeued", {"id": job["id"], **note}) in events
    shown = [data["progress"] for name, data in events if name == "progress"]
    assert shown == sorted(shown)  # never back to 0, neither queued nor resumed
    assert all(data["progress"] >= note["progress"] for name, data in events if name == "status")
    first = next(data for name, data in events
                 if name == "progress" and data["step"] > note["step"])
    assert first["epoch"] == resume  # resumed from its checkpoint
    assert first["step"] == note["step"] + 1  # numbered on from the note
    assert not (root / "weights" / "interrupted").exists() or not any(
        (root / "weights" / "interrupted").iterdir()
    )
    assert not (checkpoints / job["id"]).exists()


def test_a_requeued_job_without_checkpoints_starts_again_from_zero(root: Path) -> None:
    with TestClient(create_app(make_settings(root))) as client:
        job = submit(client, "vae", "no-checkpoints", "digits", **LONG_VAE)
        wait_for(client, job["id"], until=lambda j: j["status"] == "running" and j["metrics"])
    with TestClient(create_app(make_settings(root, embedded_worker=False))) as client:
        requeued = client.get(f"/jobs/{job['id']}", headers=AUTH).json()
    [note] = requeued["metrics"]  # nothing to resume from: its epochs will be trained again
    assert note["resume_epoch"] is None and note["attempt"] == 1
    assert note["message"].startswith("requeued: worker stopped; starts again from the beginning")
    assert requeued["progress"] == note["progress"] == 0.0


def test_a_claim_keeps_the_progress_and_history_a_requeue_left(root: Path) -> None:
    settings = make_settings(root, embedded_worker=False)
    with TestClient(create_app(settings)) as client:
        job = submit(client, "gmm", "claimed-again", "pinwheel", **TINY_GMM)
    engine = make_engine(settings)
    kept = [{"step": 1, "phase": "training", "epoch": 1, "progress": 0.3},
            {"step": 2, "phase": "requeued", "resume_epoch": 2, "progress": 0.3}]
    assert records.claim_job(engine, job["id"], "host:1")
    assert records.requeue_job(engine, job["id"], "host:1", history=kept, progress=0.3)
    assert records.claim_job(engine, job["id"], "host:2")
    found = records.get_job(engine, job["id"])
    engine.dispose()
    assert found is not None and found.attempts == 2
    assert (found.progress, found.history) == (0.3, kept)


def test_a_killed_embedded_worker_fails_its_job_and_is_replaced(root: Path) -> None:
    with TestClient(create_app(make_settings(root))) as client:
        job = submit(client, "vae", "killed", "digits", **LONG_VAE)
        wait_for(client, job["id"], until=lambda j: j["status"] == "running" and j["metrics"])
        worker = client.app.state.local_worker  # type: ignore[attr-defined]
        os.kill(worker.pid, signal.SIGKILL)
        failed = wait_for(client, job["id"], {"failed"})
        assert "has stopped" in failed["error"]
        after = wait_for(client, submit(client, "gmm", "after-kill", "pinwheel", **TINY_GMM)["id"])
        assert after["status"] == "succeeded"
    assert not (root / "weights" / "killed").exists() or not any(
        (root / "weights" / "killed").iterdir()
    )
