"""The task queue: Huey on SQLite in the data folder, or on Redis when scaled out.

The same code serves both: ``GENSERVE_QUEUE_URL=redis://host:6379/0`` picks ``RedisHuey``
(many workers on many machines); unset, ``SqliteHuey`` keeps its queue in
``<data_dir>/queue.sqlite3``, which outlives a restart, so queued jobs run when the service
starts again. A message carries only a job id, as JSON: workers never unpickle queue data.
"""

from __future__ import annotations

import json
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.registry import Message
from huey.serializer import Serializer

from app.config import Settings

__all__ = ["JSONSerializer", "JobQueue", "TRAIN_TASK", "make_huey"]

TRAIN_TASK = "genserve.train"
QUEUE_FILE = "queue.sqlite3"


class JSONSerializer(Serializer):
    """Huey messages as JSON instead of pickle, so a queue entry can never run code."""

    def _serialize(self, data: Any) -> bytes:
        fields = data._asdict()
        fields["args"] = list(fields["args"] or ())
        if fields.get("eta") is not None or fields.get("expires_resolved") is not None:
            raise ValueError("genserve queues no scheduled or expiring tasks")
        return json.dumps(fields).encode()

    def _deserialize(self, data: bytes) -> Any:
        fields = json.loads(data)
        unknown = set(fields) - set(Message._fields)
        if unknown:
            raise ValueError(f"unexpected fields in a queue message: {sorted(unknown)}")
        fields["args"] = tuple(fields.get("args") or ())
        return Message(**fields)


def make_huey(settings: Settings) -> Huey:
    name = settings.queue_name
    serializer = JSONSerializer()
    if settings.queue_url:
        if not settings.queue_url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                f"GENSERVE_QUEUE_URL={settings.queue_url!r}: expected redis://host:port/db"
            )
        return RedisHuey(
            name, url=settings.queue_url, results=False, serializer=serializer,
            blocking=True, read_timeout=1,
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        name, filename=str(settings.data_dir / QUEUE_FILE), results=False,
        serializer=serializer, timeout=30,
    )


class JobQueue:
    """The Huey instance with genserve's one task registered on it."""

    def __init__(self, settings: Settings) -> None:
        from app.jobs.tasks import run_job

        self.huey = make_huey(settings)
        self.train: TaskWrapper = self.huey.task(name=TRAIN_TASK, retries=0)(run_job)

    def enqueue(self, job_id: str) -> None:
        self.train(job_id)

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def close(self) -> None:
        """Release the storage connection (an open SQLite file keeps its folder busy)."""
        close = getattr(self.huey.storage, "close", None)
        if close is not None:
            close()
