"""Issue 17 #2: the queued-jobs limit could be raced (60 concurrent submits gave 36-37 accepted
against a limit of 20). The backlog is now counted in the transaction that inserts the job,
under a lock, so 100 concurrent submissions never pass it: on SQLite, and on PostgreSQL when one
runs on 127.0.0.1:5432 (database ``test``, a schema of the test's own, dropped afterwards)."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from jobkit import AUTH, TINY_GMM, make_settings
from sqlalchemy import Engine, create_engine

from app.jobs import records
from app.jobs.db import create_schema, make_engine
from app.main import create_app

SUBMISSIONS = 100
LIMIT = 20
POSTGRES = ("127.0.0.1", 5432)


def _postgres_url() -> str | None:
    try:
        with socket.create_connection(POSTGRES, timeout=1):
            pass
    except OSError:
        return None
    import psycopg

    for user in ("postgres", "root"):
        try:
            with psycopg.connect(f"postgresql://{user}@127.0.0.1:5432/test", connect_timeout=3):
                return f"postgresql://{user}@127.0.0.1:5432/test"
        except psycopg.OperationalError:
            continue
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty job store on SQLite (as the service makes it) or on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        sqlite = make_engine(make_settings(tmp_path))
        create_schema(sqlite)
        yield sqlite
        sqlite.dispose()
        return
    admin = _postgres_url()
    if admin is None:
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 (database 'test')")
    import psycopg

    schema = f"gs_race_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = admin.replace("postgresql://", "postgresql+psycopg://")
    postgres = create_engine(
        f"{url}?options=-csearch_path%3D{schema}", pool_size=20, max_overflow=20
    )
    try:
        create_schema(postgres)
        yield postgres
    finally:
        postgres.dispose()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _submit(engine: Engine, i: int) -> bool:
    try:
        records.create_job(
            engine, job_id=uuid.uuid4().hex, kind="gmm", name=f"race-{i}", dataset_name="x",
            dataset_sha256="0" * 64, config={}, max_queued=LIMIT, max_active=10 * LIMIT,
        )
    except records.BacklogFull as full:
        assert full.rule == "max_queued_jobs" and full.count == LIMIT
        return False
    return True


def test_concurrent_submissions_never_exceed_the_queued_limit(engine: Engine) -> None:
    with ThreadPoolExecutor(32) as pool:
        accepted = list(pool.map(lambda i: _submit(engine, i), range(SUBMISSIONS)))
    assert sum(accepted) == LIMIT
    assert records.count_by_status(engine) == {"queued": LIMIT}


def test_running_jobs_count_against_the_active_limit(engine: Engine) -> None:
    for i in range(3):
        assert _submit(engine, i)
        job = records.list_jobs(engine, limit=1)[0]
        assert records.claim_job(engine, job.id, "worker-1")
    with pytest.raises(records.BacklogFull) as refused:
        records.create_job(
            engine, job_id=uuid.uuid4().hex, kind="gmm", name="one-more", dataset_name="x",
            dataset_sha256="0" * 64, config={}, max_queued=LIMIT, max_active=3,
        )
    assert refused.value.rule == "max_active_jobs" and refused.value.count == 3


def test_a_hundred_concurrent_posts_to_jobs_get_the_limit_and_429s(
    tmp_path: Path, weights_dir: Path
) -> None:
    settings = make_settings(
        tmp_path, weights_dir, embedded_worker=False, max_queued_jobs=LIMIT
    )
    job = {"kind": "gmm", "name": "race-gmm", "dataset": "pinwheel", "params": TINY_GMM}
    app = create_app(settings)

    async def flood() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return list(await asyncio.gather(
                    *(client.post("/jobs", json=job, headers=AUTH) for _ in range(SUBMISSIONS))
                ))

    responses = asyncio.run(flood())
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [202] * LIMIT + [429] * (SUBMISSIONS - LIMIT)
    refused = [r.json()["error"]["rule"] for r in responses if r.status_code == 429]
    assert set(refused) == {"max_queued_jobs"}
