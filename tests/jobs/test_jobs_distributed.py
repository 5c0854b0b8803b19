"""Scaled out: Redis queue, PostgreSQL records, separate worker and API processes.

Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (database ``test``, trust auth),
as the CI machine runs them. Each test module uses its own Huey queue name and its own
PostgreSQL schema, and removes both afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from jobkit import API_KEY, AUTH, make_settings, submit, wait_for

from app.config import Settings
from app.jobs.queue import JobQueue
from app.main import create_app
from models.storage import list_versions

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
POSTGRES = ("127.0.0.1", 5432)
QUICK_GMM = {"n_components": 2, "max_iter": 40, "tol": 0.0, "n_init": 1}


def reachable(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not (reachable(REDIS) and reachable(POSTGRES)),
    reason="needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (database 'test')",
)


def _postgres_user() -> str:
    import psycopg

    for user in ("postgres", "root"):
        try:
            with psycopg.connect(f"postgresql://{user}@127.0.0.1:5432/test", connect_timeout=3):
                return user
        except psycopg.OperationalError:
            continue
    pytest.skip("PostgreSQL is up but neither 'postgres' nor 'root' may connect to 'test'")


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL schema and Huey queue name; both removed at the end."""
    import psycopg
    import redis

    user = _postgres_user()
    tag = f"gs_test_{uuid.uuid4().hex[:10]}"
    admin = f"postgresql://{user}@127.0.0.1:5432/test"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{tag}"')
    client = redis.Redis(*REDIS)
    try:
        yield {
            "GENSERVE_DATABASE_URL":
                f"postgresql+psycopg://{user}@127.0.0.1:5432/test?options=-csearch_path%3D{tag}",
            "GENSERVE_QUEUE_URL": "redis://127.0.0.1:6379/0",
            "GENSERVE_QUEUE_NAME": tag,
        }
    finally:
        for key in client.scan_iter(match=f"*{tag}*"):
            client.delete(key)
        client.close()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{tag}" CASCADE')


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, weights_dir: Path,
           services: dict[str, str]) -> Settings:
    """One weights folder (as a shared volume would be) and the servers' settings."""
    root = tmp_path_factory.mktemp("distributed")
    return make_settings(
        root, weights_dir, embedded_worker=False, database_url=services["GENSERVE_DATABASE_URL"],
        queue_url=services["GENSERVE_QUEUE_URL"], queue_name=services["GENSERVE_QUEUE_NAME"],
    )


def environment(settings: Settings) -> dict[str, str]:
    return {
        "GENSERVE_WEIGHTS_DIR": str(settings.weights_dir),
        "GENSERVE_DATA_DIR": str(settings.data_dir),
        "GENSERVE_DATABASE_URL": str(settings.database_url),
        "GENSERVE_QUEUE_URL": str(settings.queue_url),
        "GENSERVE_QUEUE_NAME": settings.queue_name,
        "GENSERVE_API_KEY": API_KEY,
        "GENSERVE_DEVICE": "cpu",
        "GENSERVE_TORCH_THREADS": "1",
        "GENSERVE_EMBEDDED_WORKER": "false",
        "GENSERVE_LOG_FORMAT": "text",
    }


@contextmanager
def workers(settings: Settings, count: int, logs: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``genserve worker`` processes, each waited for until it consumes; stopped with SIGTERM."""
    processes: list[subprocess.Popen[bytes]] = []
    paths = [logs / f"worker-{i}.log" for i in range(count)]
    try:
        for path in paths:
            with path.open("wb") as log:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "app.cli", "worker"], cwd=REPO_ROOT,
                    env={**os.environ, **environment(settings)}, stdout=log,
                    stderr=subprocess.STDOUT,
                ))
        deadline = time.monotonic() + 90
        for process, path in zip(processes, paths, strict=True):
            while "Huey consumer started" not in path.read_text():
                assert process.poll() is None, path.read_text()
                assert time.monotonic() < deadline, path.read_text()
                time.sleep(0.1)
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_two_workers_drain_ten_jobs_each_exactly_once(
    shared: Settings, tmp_path: Path
) -> None:
    with TestClient(create_app(shared)) as api, workers(shared, 2, tmp_path) as processes:
        jobs = [submit(api, "gmm", "drained", "pinwheel", seed=i, **QUICK_GMM)
                for i in range(10)]
        queue = JobQueue(shared)
        for job in jobs:  # deliver every message twice: claims must keep it to one run
            queue.enqueue(job["id"])
        done = [wait_for(api, job["id"]) for job in jobs]
        deadline = time.monotonic() + 60
        while queue.pending() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert queue.pending() == 0
        time.sleep(0.5)  # let the last duplicate's claim attempt finish
        assert [d["status"] for d in done] == ["succeeded"] * 10
        assert [d["attempts"] for d in done] == [1] * 10
        versions = sorted(d["result"]["version"] for d in done)
        assert versions == list(range(1, 11))
        on_disk = list_versions(shared.model_store_dir / "drained")
        assert on_disk == versions
        pids = {str(p.pid) for p in processes}
        ran_on = {d["worker"].rpartition(":")[2] for d in done}
        assert ran_on == pids, (ran_on, pids)  # both workers took jobs from the one queue
        assert api.get("/models/drained").json()["versions"] == versions


def test_a_second_api_process_serves_what_the_first_ones_job_published(
    shared: Settings, tmp_path: Path, start_server: Callable[..., Any]
) -> None:
    env = environment(shared)
    servers = [start_server(**env), start_server(**env)]
    first, second = servers
    try:
        with workers(shared, 1, tmp_path), httpx.Client(headers=AUTH, timeout=30) as http:
            response = http.post(f"{first.url}/jobs", json={
                "kind": "gmm", "name": "cross-process", "dataset": "pinwheel", "promote": "always",
                "params": QUICK_GMM,
            })
            assert response.status_code == 202, response.text
            job_id = response.json()["id"]
            deadline = time.monotonic() + 120
            while (job := http.get(f"{second.url}/jobs/{job_id}").json())["status"] != "succeeded":
                assert job["status"] in {"queued", "running"}, job
                assert time.monotonic() < deadline, job
                time.sleep(0.2)
            version = job["result"]["version"]
            sample = http.post(f"{second.url}/sample", json={"model": "cross-process", "n": 2})
            assert sample.status_code == 200, sample.text
            assert sample.json()["version"] == version
            listed = http.get(f"{second.url}/jobs").json()["jobs"]
            assert job_id in {j["id"] for j in listed}
    finally:
        for server in servers:
            server.stop()  # before this module drops their schema
