"""The API side of jobs, started and stopped with the app: records, queue, worker, reloads.

``jobs_runtime`` sets ``app.state.jobs`` and ``app.state.datasets``, fails jobs left running by
a dead worker, starts the embedded worker (``GENSERVE_EMBEDDED_WORKER``, on by default) and a
maintenance loop that rescans the weights folder every ``GENSERVE_RELOAD_INTERVAL_S`` (so every
API process serves versions that any worker published) and fails abandoned jobs now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.dataset_store import DatasetStore
from app.jobs.db import create_schema, make_engine
from app.jobs.queue import JobQueue
from app.jobs.service import JobService
from app.jobs.worker import LocalWorker
from app.registry import ModelRegistry

__all__ = ["jobs_runtime"]

logger = logging.getLogger("genserve.jobs")

RECOVER_EVERY_S = 15.0


async def _maintain(
    registry: ModelRegistry, jobs: JobService, worker: LocalWorker | None, interval: float
) -> None:
    last_recovery = time.monotonic()
    while True:
        await asyncio.sleep(interval)
        try:
            added = await run_in_threadpool(registry.refresh)
            if added:
                logger.info("loaded new model version(s): %s", ", ".join(added))
            if worker is not None and not worker.is_alive():  # killed (out of memory, say)
                logger.error("the embedded worker died: failing its job and starting another")
                await run_in_threadpool(jobs.recover)
                worker.start()
            if time.monotonic() - last_recovery >= RECOVER_EVERY_S:
                last_recovery = time.monotonic()
                await run_in_threadpool(jobs.recover)
        except Exception:  # keep polling: a passing database or disk error must not end it
            logger.exception("maintenance pass failed")


def _first_api_process(app: FastAPI, settings: Settings) -> bool:
    """Whether this process holds the data folder's embedded-worker lock.

    Several API processes on one data folder (``uvicorn --workers N``, ``WEB_CONCURRENCY``) run
    one embedded worker between them, not one each. The lock is the OS's, so it goes with the
    process that held it, however that process ends.
    """
    path = settings.data_dir / "embedded-worker.lock"
    try:
        handle = open(path, "a")  # noqa: SIM115 - held open for the process's lifetime
    except OSError as exc:
        logger.warning("no embedded-worker lock at %s (%s): starting one anyway", path, exc)
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        logger.info("another API process on %s runs the embedded worker", settings.data_dir)
        return False
    app.state.embedded_worker_lock = handle
    return True


@contextlib.asynccontextmanager
async def jobs_runtime(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    app.state.jobs = app.state.datasets = None
    try:
        engine = make_engine(settings)
        await run_in_threadpool(create_schema, engine)
        queue = JobQueue(settings)
    except Exception as exc:  # a read-only or full data folder, an unreachable database
        app.state.jobs_unavailable = f"{type(exc).__name__}: {exc}"
        app.state.registry.failed["jobs"] = app.state.jobs_unavailable
        logger.error("jobs and datasets are unavailable (inference still serves): %s", exc)
        yield
        return
    store = DatasetStore(engine, settings.data_dir)
    jobs = JobService(settings, engine, queue, store)
    app.state.jobs = jobs
    app.state.datasets = store
    await run_in_threadpool(jobs.recover)
    worker = None
    if settings.embedded_worker and _first_api_process(app, settings):
        worker = LocalWorker(settings)
        worker.start()
    app.state.local_worker = worker
    maintenance = asyncio.create_task(
        _maintain(app.state.registry, jobs, worker, settings.reload_interval_s)
    )
    try:
        yield
    finally:
        maintenance.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await maintenance
        if worker is not None:
            await run_in_threadpool(worker.stop)
            lock = getattr(app.state, "embedded_worker_lock", None)
            if lock is not None:
                lock.close()  # lets the next process start one
        queue.close()
        engine.dispose()
