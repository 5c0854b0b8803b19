"""Jobs on the embedded queue: a real Huey consumer in a spawned worker process, SQLite state."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from jobkit import (
    AUTH,
    LONG_VAE,
    TINY_GMM,
    TINY_VAE,
    progress_events,
    published,
    stream_events,
    submit,
    wait_for,
    wait_until_served,
)

from app.config import Settings


def upload(client: TestClient, filename: str, content: bytes, name: str) -> dict[str, Any]:
    response = client.post(
        "/datasets", files={"file": (filename, content)}, data={"name": name}, headers=AUTH
    )
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def test_gmm_job_succeeds_and_its_version_answers_sample_at_once(
    job_client: TestClient, job_settings: Settings
) -> None:
    job = submit(job_client, "gmm", "pinwheel-job", "pinwheel", **TINY_GMM)
    assert job["status"] == "queued"
    done = wait_for(job_client, job["id"])
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"] == 1.0
    assert done["result"]["model"] == "pinwheel-job" and done["result"]["version"] == 1
    assert np.isfinite(done["result"]["metrics"]["test_log_likelihood"])
    steps = done["metrics"]
    assert steps and all({"train_log_likelihood", "train_loss", "elapsed_s"} <= set(s)
                         for s in steps)
    assert done["config"]["dataset"]["name"] == "pinwheel"
    assert len(done["config"]["dataset"]["sha256"]) == 64
    sample = job_client.post("/sample", json={"model": "pinwheel-job", "n": 3, "seed": 1})
    assert sample.status_code == 200, sample.text
    assert sample.json()["version"] == 1
    assert job_client.get("/models/pinwheel-job").json()["versions"] == [1]
    assert published(job_settings.model_store_dir, "pinwheel-job") == ["1"]


def test_vae_job_succeeds_with_metrics_per_epoch(job_client: TestClient) -> None:
    job = submit(job_client, "vae", "digits-job", "digits", **TINY_VAE)
    done = wait_for(job_client, job["id"])
    assert done["status"] == "succeeded", done["error"]
    *epochs, evaluation = done["metrics"]
    assert [e["epoch"] for e in epochs] == [1, 2] and {e["phase"] for e in epochs} == {"training"}
    assert evaluation["phase"] == "evaluating" and evaluation["step"] == 3
    assert all(np.isfinite([e["train_loss"], e["test_elbo"], e["elapsed_s"]]).all()
               for e in epochs)
    metrics = done["result"]["metrics"]
    assert {"test_log_likelihood", "test_elbo", "test_bits_per_dim"} <= set(metrics)
    version = done["result"]["version"]
    sample = job_client.post("/sample", json={"model": "digits-job", "n": 2, "seed": 0})
    assert sample.status_code == 200 and sample.json()["version"] == version
    config = job_client.get("/models/digits-job").json()["config"]
    assert config["training"]["job"]["id"] == job["id"]
    assert config["training"]["job"]["dataset"]["name"] == "digits"


def test_a_warm_started_job_trains_from_the_pinned_source_version(
    job_client: TestClient,
) -> None:
    response = job_client.post("/jobs", headers=AUTH, json={
        "kind": "vae", "name": "tuned", "dataset": "digits", "init_from": {"model": "tiny-vae"},
        "params": {"epochs": 1, "objective": "iwae", "train_k": 3, "eval_importance_samples": 5},
    })
    assert response.status_code == 202, response.text
    done = wait_for(job_client, response.json()["id"])
    assert done["status"] == "succeeded", done["error"]
    assert done["config"]["init_from"] == {"model": "tiny-vae", "version": 2}  # latest, pinned
    config = job_client.get("/models/tuned").json()["config"]
    assert config["hyperparameters"]["hidden_sizes"] == [16]  # the source's, not the default
    assert config["training"]["warm_start"]["dataset"] == "test-images"


def test_second_job_publishes_the_next_version(job_client: TestClient) -> None:
    first = wait_for(
        job_client, submit(job_client, "gmm", "twice", "two-moons", **TINY_GMM)["id"]
    )
    second = wait_for(
        job_client, submit(job_client, "gmm", "twice", "two-moons", **TINY_GMM)["id"]
    )
    assert (first["result"]["version"], second["result"]["version"]) == (1, 2)
    wait_until_served(job_client, "twice", 2)  # the newest promoted version becomes stable


def test_job_on_an_uploaded_dataset_records_its_hash(job_client: TestClient) -> None:
    rng = np.random.default_rng(0)
    points = np.concatenate([rng.normal(-2, 0.3, (60, 2)), rng.normal(2, 0.3, (60, 2))])
    csv = "x,y\n" + "\n".join(f"{a},{b}" for a, b in points)
    info = upload(job_client, "blobs.csv", csv.encode(), "blobs")
    done = wait_for(
        job_client, submit(job_client, "gmm", "blobs-gmm", "blobs", n_components=2)["id"]
    )
    assert done["status"] == "succeeded", done["error"]
    assert done["dataset"] == {"name": "blobs", "sha256": info["sha256"]}
    config = job_client.get("/models/blobs-gmm").json()["config"]
    assert config["training"]["job"]["dataset"]["sha256"] == info["sha256"]
    assert config["data"]["shape"] == [2]


def test_events_stream_progress_then_a_final_status(job_client: TestClient) -> None:
    job = submit(job_client, "gmm", "streamed", "pinwheel", n_components=3, max_iter=30, tol=0)
    events = stream_events(job_client, job["id"])
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "status" and events[-1][1]["status"] == "succeeded"
    assert "progress" in kinds
    progress = progress_events(events)
    assert [p["step"] for p in progress] == list(range(1, len(progress) + 1))
    assert progress[-1]["iteration"] == 30


def test_cancel_a_running_job_publishes_nothing(
    job_client: TestClient, job_settings: Settings
) -> None:
    job = submit(job_client, "vae", "cancelled-vae", "digits", **LONG_VAE)
    wait_for(job_client, job["id"], until=lambda j: j["status"] == "running" and j["metrics"])
    response = job_client.delete(f"/jobs/{job['id']}", headers=AUTH)
    assert response.status_code == 202
    assert response.json()["cancel_requested"] is True
    done = wait_for(job_client, job["id"])
    assert done["status"] == "cancelled"
    assert done["result"] is None and 0 < done["progress"] < 1
    assert published(job_settings.model_store_dir, "cancelled-vae") == []
    again = job_client.delete(f"/jobs/{job['id']}", headers=AUTH)
    assert again.status_code == 409 and again.json()["error"]["rule"] == "not_ended"


def test_cancel_a_queued_job_ends_it_at_once_and_it_never_runs(job_client: TestClient) -> None:
    blocker = submit(job_client, "vae", "blocker", "digits", **LONG_VAE)
    wait_for(job_client, blocker["id"], {"running"})
    queued = submit(job_client, "gmm", "never-run", "pinwheel", **TINY_GMM)
    response = job_client.delete(f"/jobs/{queued['id']}", headers=AUTH)
    assert response.status_code == 202 and response.json()["status"] == "cancelled"
    job_client.delete(f"/jobs/{blocker['id']}", headers=AUTH)
    wait_for(job_client, blocker["id"], {"cancelled"})
    # the worker takes the cancelled job's message next; its claim must not match
    after = submit(job_client, "gmm", "after", "pinwheel", **TINY_GMM)
    follow = wait_for(job_client, after["id"])
    assert follow["status"] == "succeeded"
    never = job_client.get(f"/jobs/{queued['id']}", headers=AUTH).json()
    assert never["status"] == "cancelled" and never["started_at"] is None
    assert never["attempts"] == 0
    assert job_client.get("/models/never-run").status_code == 404


def test_training_that_raises_ends_failed_with_its_message(
    job_client: TestClient, job_settings: Settings
) -> None:
    flat = np.ones((40, 2))
    buffer = io.BytesIO()
    np.save(buffer, flat)
    upload(job_client, "flat.npy", buffer.getvalue(), "flat")
    job = submit(job_client, "gmm", "degenerate", "flat", n_components=2, reg_covar=0.0)
    done = wait_for(job_client, job["id"])
    assert done["status"] == "failed"
    assert done["error"].startswith("InvalidModelInput: ")
    assert "increase reg_covar" in done["error"]
    assert published(job_settings.model_store_dir, "degenerate") == []


def test_jobs_are_listed_newest_first_in_pages(job_client: TestClient) -> None:
    everything = job_client.get("/jobs", params={"limit": 200}, headers=AUTH).json()["jobs"]
    created = [j["created_at"] for j in everything]
    assert created == sorted(created, reverse=True) and len(everything) >= 4
    first = job_client.get("/jobs", params={"limit": 2}, headers=AUTH).json()
    second = job_client.get(
        "/jobs", params={"limit": 2, "cursor": first["next_cursor"]}, headers=AUTH
    ).json()
    by_offset = job_client.get("/jobs", params={"limit": 2, "offset": 2}, headers=AUTH).json()
    ids = [j["id"] for j in everything]
    assert [j["id"] for j in first["jobs"]] == ids[:2]
    assert [j["id"] for j in second["jobs"]] == ids[2:4]
    assert [j["id"] for j in by_offset["jobs"]] == ids[2:4]
    succeeded = job_client.get("/jobs", params={"status": "succeeded"}, headers=AUTH).json()
    assert {j["status"] for j in succeeded["jobs"]} == {"succeeded"}


def test_no_staging_folders_are_left_anywhere(job_settings: Settings) -> None:
    leftovers = [p for p in Path(job_settings.model_store_dir).rglob(".staging-*")]
    leftovers += list((job_settings.data_dir / "datasets").glob(".upload-*"))
    assert leftovers == []
