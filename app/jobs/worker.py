"""Worker processes: ``genserve worker`` on its own, or the one the API starts beside itself.

A worker is a Huey consumer with thread workers in a process of its own. Stopping it (SIGTERM,
as ``docker stop`` sends, or Ctrl-C) is graceful: a job in progress stops at its next step and
goes back to the queue, then the process exits. A worker killed outright leaves its job
``running`` with a stale heartbeat; the next API start or maintenance pass fails it.

The embedded worker is started with the ``spawn`` method (forking a process that has loaded
torch is unsafe), at a lower CPU priority so inference stays responsive while a model trains,
and it exits by itself if the API process that started it dies.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from typing import Any

from huey.consumer import Consumer

from app.config import Settings
from app.observability import configure_logging
from models.storage import remove_abandoned_staging

__all__ = ["LocalWorker", "local_process_dead", "run_worker"]

logger = logging.getLogger("genserve.worker")

SHUTDOWN_TIMEOUT_S = 30.0
EMBEDDED_NICENESS = 10


def local_process_dead(worker: str) -> bool:
    """True when ``host:pid`` names a process on this host that no longer exists."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class _Consumer(Consumer):  # type: ignore[misc]
    """Every stop is graceful, and tells running jobs to give themselves back first."""

    def __init__(self, *args: Any, stopping: threading.Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stopping = stopping

    def stop(self, graceful: bool = False) -> None:
        self._stopping.set()
        super().stop(graceful=True)


def run_worker(settings: Settings, *, workers: int = 1) -> None:
    """Consume the queue until SIGTERM or SIGINT. Blocks; run it in its own process."""
    from app.jobs import records, tasks
    from app.jobs.queue import JobQueue
    from app.jobs.tasks import STALE_AFTER_S

    context = tasks.configure(settings)
    queue = JobQueue(settings)
    context.requeue = queue.enqueue
    failed = records.fail_abandoned(
        context.engine, stale_after_s=STALE_AFTER_S, is_dead=local_process_dead
    )
    if failed:
        logger.warning("failed %d job(s) whose worker had died: %s", len(failed), failed)
    tasks.remove_ended_checkpoints(context.engine, settings.data_dir)
    swept = remove_abandoned_staging(settings.model_store_dir)
    if swept:
        logger.warning("removed %d staging folder(s) a dead publisher left: %s",
                       len(swept), [str(path) for path in swept])
    consumer = _Consumer(
        queue.huey, workers=workers, worker_type="thread", periodic=False,
        initial_delay=0.05, backoff=1.5, max_delay=1.0, graceful_signal="TERM",
        shutdown_timeout=SHUTDOWN_TIMEOUT_S, check_worker_health=True,
        stopping=context.stopping,
    )
    logger.info("worker %s consuming queue %r (%s)", context.identity, settings.queue_name,
                "redis" if settings.queue_url else "sqlite")
    consumer.run()
    context.engine.dispose()


def _exit_with_parent(parent: int) -> None:
    """Poll the parent's pid; when the API dies without stopping us, stop gracefully."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def _embedded_main(settings: Settings, parent: int) -> None:
    configure_logging(settings.log_level, settings.log_format)  # one handler: each line once
    try:
        os.nice(EMBEDDED_NICENESS)
    except OSError:
        pass
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    run_worker(settings, workers=1)


class LocalWorker:
    """The embedded worker: one child process consuming the local queue."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._process: Any = None

    def start(self) -> None:
        spawn = multiprocessing.get_context("spawn")
        self._process = spawn.Process(
            target=_embedded_main, args=(self.settings, os.getpid()), name="genserve-worker",
            daemon=True,
        )
        self._process.start()
        logger.info("embedded worker started (pid %s)", self._process.pid)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else int(self._process.pid)

    def is_alive(self) -> bool:
        return self._process is not None and bool(self._process.is_alive())

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT_S + 10) -> None:
        """SIGTERM (graceful: a running job is queued again), then SIGKILL after ``timeout``."""
        process = self._process
        if process is None:
            return
        if process.is_alive():
            process.terminate()
            process.join(timeout)
        if process.is_alive():
            logger.warning("embedded worker did not stop in %.0f s: killing it", timeout)
            process.kill()
            process.join(5)
        self._process = None
