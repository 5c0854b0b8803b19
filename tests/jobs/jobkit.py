"""Helpers for the jobs tests: settings on temporary folders, submit, wait, inspect."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.config import Settings

API_KEY = "jobs-test-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
TERMINAL = {"succeeded", "failed", "cancelled"}

TINY_GMM = {"n_components": 3, "max_iter": 20, "n_init": 1}
TINY_VAE = {
    "latent_dim": 2, "hidden_sizes": [16], "epochs": 2, "batch_size": 256,
    "eval_importance_samples": 5,
}
LONG_VAE = {**TINY_VAE, "epochs": 5000}
"""Long enough to still be running when a test cancels it or stops its worker."""


def make_settings(root: Path, source_weights: Path | None = None, **overrides: Any) -> Settings:
    """Settings on ``root/weights`` (a copy of ``source_weights``) and ``root/data``."""
    weights = root / "weights"
    if source_weights is not None and not weights.exists():
        shutil.copytree(source_weights, weights)
    values: dict[str, Any] = {
        "weights_dir": weights, "data_dir": root / "data", "device": "cpu",
        "api_key": API_KEY, "torch_threads": 1, "reload_interval_s": 0.5,
        "log_format": "text", "max_upload_bytes": 64 * 1024, "max_body_bytes": 200_000,
        "max_image_pixels": 4096, **overrides,
    }
    return Settings(**values)


def wait_for(
    client: Any, job_id: str, statuses: set[str] | None = None, *, timeout: float = 120.0,
    until: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[str, Any]:
    """Poll ``GET /jobs/{id}`` until its status is in ``statuses`` (or ``until`` holds)."""
    statuses = statuses or TERMINAL
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/jobs/{job_id}", headers=AUTH).json()
        if (until(job) if until else job["status"] in statuses):
            return job
        if job["status"] in TERMINAL and job["status"] not in statuses:
            raise AssertionError(f"job ended {job['status']}: {job.get('error')}")
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")
        time.sleep(0.1)


def wait_until_served(client: Any, model: str, version: int, *, timeout: float = 30.0) -> None:
    """Poll ``/sample`` without a version until ``version`` answers: a new version of a loaded
    model is picked up by the registry's watcher thread, a fraction of a second after it is
    published (``timeout`` bounds a hang; it is no performance target)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.post("/sample", json={"model": model, "n": 1})
        if answer.status_code == 200 and answer.json()["version"] == version:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{model} still answers {answer.text[:200]} after {timeout} s")
        time.sleep(0.05)


def submit(
    client: Any, kind: str, name: str, dataset: str, *, promote: str = "always", **params: Any
) -> dict[str, Any]:
    """Queue a job. Tiny test jobs rarely beat a baseline, so by default they skip the training
    gate (``promote: always``) and serve unversioned; the gate's tests pass ``promote``."""
    response = client.post(
        "/jobs", json={"kind": kind, "name": name, "dataset": dataset, "params": params,
                       "promote": promote},
        headers=AUTH,
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def published(store: Path, name: str) -> list[str]:
    """Every entry of ``<model store>/<name>/``: versions and any leftover staging folder (the
    aliases file and the locks aside)."""
    folder = store / name
    if not folder.is_dir():
        return []
    aside = {".aliases.lock", ".publish.lock", "aliases.json"}
    return sorted(p.name for p in folder.iterdir() if p.name not in aside)


Event = tuple[str, dict[str, Any]]
"""One server-sent event of ``/jobs/{id}/events``: its name and its data."""


def stream_events(
    client: Any, job_id: str, *, cancel_when: Callable[[list[Event]], bool] | None = None
) -> list[Event]:
    """Every SSE event of a job until it ends; ``DELETE`` it once ``cancel_when`` holds."""
    events: list[Event] = []
    cancelled = False
    with client.stream("GET", f"/jobs/{job_id}/events", headers=AUTH) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and name:
                events.append((name, json.loads(line.split(":", 1)[1])))
                if cancel_when is not None and not cancelled and cancel_when(events):
                    assert client.delete(f"/jobs/{job_id}", headers=AUTH).status_code == 202
                    cancelled = True
    return events


def progress_events(events: list[Event], phase: str | None = None) -> list[dict[str, Any]]:
    """The data of the ``progress`` events (of one ``phase``: training or evaluating)."""
    return [data for name, data in events
            if name == "progress" and (phase is None or data["phase"] == phase)]
