"""Job and dataset records in SQL, and every state change a job goes through.

    queued ──claim──▶ running ──▶ succeeded | failed | cancelled
      │                  │ (worker stops gracefully) ──▶ queued again
      └──cancel──▶ cancelled

Each change is one conditional ``UPDATE ... WHERE status = ...``, so two processes never both
move a job: a worker runs a job only after its claim (``queued -> running``) matched a row, which
is what makes a job run exactly once however often its message is delivered.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.jobs.db import Base

__all__ = [
    "JOB_STATUSES",
    "TERMINAL",
    "BacklogFull",
    "DatasetRecord",
    "JobRecord",
    "JobStatus",
    "add_dataset",
    "cancel_job",
    "claim_job",
    "create_job",
    "fail_abandoned",
    "fail_job",
    "finish_job",
    "get_dataset",
    "get_job",
    "heartbeat",
    "list_datasets",
    "list_jobs",
    "report_progress",
    "requeue_job",
    "utcnow",
    "worker_identity",
]

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
"""A job's states, defined here once: the API's schemas, the /jobs filter and the metrics take
them from here (genserve_client and the page keep one copy each, checked by a test)."""
JOB_STATUSES: tuple[str, ...] = get_args(JobStatus)
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
"""The finished states: a job in one of them never changes again."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class JobRecord(Base):
    __tablename__ = "genserve_jobs"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(64))
    dataset_name: Mapped[str] = mapped_column(String(64))
    dataset_sha256: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(128), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DatasetRecord(Base):
    __tablename__ = "genserve_datasets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    shape: Mapped[list[int]] = mapped_column(JSON)
    n: Mapped[int] = mapped_column(Integer)
    levels: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dtype: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    upload_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def _update(engine: Engine, statement: Any) -> bool:
    """Run one conditional UPDATE; True when it matched a row."""
    with _session(engine) as session, session.begin():
        return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


# -- jobs ----------------------------------------------------------------------------------------
class BacklogFull(Exception):
    """``create_job`` refused: ``count`` jobs are already ``state``, the limit is ``limit``."""

    def __init__(self, state: str, count: int, limit: int, rule: str) -> None:
        super().__init__(f"{count} jobs are already {state}; the limit is {limit}")
        self.state, self.count, self.limit, self.rule = state, count, limit, rule


def _lock_submissions(session: Session) -> None:
    """Serialise job submissions until the transaction ends, so that counting the backlog and
    inserting the new job are one step (issue 17 #2: 60 concurrent submits got 36-37 past a
    limit of 20). SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock before the count
    (other writers wait on the busy timeout). PostgreSQL: a transaction-scoped advisory lock
    per schema; readers and the workers' updates do not wait for it."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        connection.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.genserve_jobs'))"
        )
    else:  # any other server: lock the table for the transaction
        connection.exec_driver_sql("LOCK TABLE genserve_jobs IN EXCLUSIVE MODE")


def create_job(
    engine: Engine, *, job_id: str, kind: str, name: str, dataset_name: str,
    dataset_sha256: str, config: dict[str, Any], max_queued: int | None = None,
    max_active: int | None = None,
) -> JobRecord:
    """Insert a queued job; with limits, only while fewer than ``max_queued`` jobs are queued
    and fewer than ``max_active`` queued or running, checked atomically (``BacklogFull``)."""
    record = JobRecord(
        id=job_id, kind=kind, name=name, dataset_name=dataset_name,
        dataset_sha256=dataset_sha256, config=config, status="queued", progress=0.0,
        history=[], cancel_requested=False, attempts=0, created_at=utcnow(),
    )
    with _session(engine) as session, session.begin():
        if max_queued is not None or max_active is not None:
            _lock_submissions(session)
            counts = {
                str(status): int(count) for status, count in session.execute(
                    select(JobRecord.status, func.count())
                    .where(JobRecord.status.in_(("queued", "running")))
                    .group_by(JobRecord.status)
                )
            }
            queued, running = counts.get("queued", 0), counts.get("running", 0)
            for value, limit, rule, state in (
                (queued, max_queued, "max_queued_jobs", "queued"),
                (queued + running, max_active, "max_active_jobs", "active"),
            ):
                if limit is not None and value >= limit:
                    raise BacklogFull(state, value, limit, rule)
        session.add(record)
    return record


def get_job(engine: Engine, job_id: str) -> JobRecord | None:
    with _session(engine) as session:
        return session.scalars(select(JobRecord).where(JobRecord.id == job_id)).one_or_none()


def count_by_status(engine: Engine) -> dict[str, int]:
    query = select(JobRecord.status, func.count()).group_by(JobRecord.status)
    with _session(engine) as session:
        return {status: int(count) for status, count in session.execute(query)}


def list_jobs(
    engine: Engine, *, limit: int, offset: int = 0, before: int | None = None,
    status: str | None = None,
) -> list[JobRecord]:
    """Newest first. ``before`` is a cursor: the ``seq`` of the last job of the previous page."""
    query = select(JobRecord).order_by(JobRecord.seq.desc()).limit(limit).offset(offset)
    if before is not None:
        query = query.where(JobRecord.seq < before)
    if status is not None:
        query = query.where(JobRecord.status == status)
    with _session(engine) as session:
        return list(session.scalars(query))


def claim_job(engine: Engine, job_id: str, worker: str) -> bool:
    """``queued -> running`` for exactly one worker; False when another got it or it ended."""
    now = utcnow()
    return _update(
        engine,
        update(JobRecord)
        .where(JobRecord.id == job_id, JobRecord.status == "queued")
        .values(
            status="running", worker=worker, started_at=now, heartbeat_at=now,
            attempts=JobRecord.attempts + 1,
        ),  # progress and history stay as requeue_job left them: the checkpoint's, or none
    )


def _owned(job_id: str, worker: str) -> Sequence[Any]:
    return (JobRecord.id == job_id, JobRecord.status == "running", JobRecord.worker == worker)


def report_progress(
    engine: Engine, job_id: str, worker: str, progress: float, history: list[dict[str, Any]]
) -> bool | None:
    """Store progress; returns whether a cancel was requested, or None when the job is not ours."""
    with _session(engine) as session, session.begin():
        matched = session.execute(
            update(JobRecord)
            .where(*_owned(job_id, worker))
            .values(progress=progress, history=history, heartbeat_at=utcnow())
        ).rowcount  # type: ignore[attr-defined]
        if not matched:
            return None
        cancel = session.scalar(select(JobRecord.cancel_requested).where(JobRecord.id == job_id))
        return bool(cancel)


def heartbeat(engine: Engine, job_id: str, worker: str) -> bool:
    return _update(
        engine, update(JobRecord).where(*_owned(job_id, worker)).values(heartbeat_at=utcnow())
    )


def finish_job(
    engine: Engine, job_id: str, worker: str, status: JobStatus, *,
    result: dict[str, Any] | None = None, error: str | None = None,
    history: list[dict[str, Any]] | None = None,
) -> bool:
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "error": error}
    if status == "succeeded":
        values["progress"] = 1.0
    if result is not None:
        values["result"] = result
    if history is not None:
        values["history"] = history
    return _update(engine, update(JobRecord).where(*_owned(job_id, worker)).values(**values))


def requeue_job(
    engine: Engine, job_id: str, worker: str, history: list[dict[str, Any]] | None = None,
    progress: float = 0.0,
) -> bool:
    """A worker that stops gracefully gives its job back; the next worker resumes it from its
    checkpoint, or starts it afresh. ``history`` and ``progress`` are what the job keeps while
    queued, and the next attempt goes on from: the history up to the checkpoint and its
    progress, with notes saying why and where it resumes (0 and the notes alone without a
    checkpoint)."""
    return _update(
        engine,
        update(JobRecord)
        .where(*_owned(job_id, worker))
        .values(status="queued", worker=None, progress=progress, history=history or [],
                heartbeat_at=None),
    )


def fail_job(engine: Engine, job_id: str, error: str) -> bool:
    """Fail a job that never started (its message could not be queued)."""
    return _update(
        engine,
        update(JobRecord)
        .where(JobRecord.id == job_id, JobRecord.status == "queued")
        .values(status="failed", error=error, finished_at=utcnow()),
    )


def cancel_job(engine: Engine, job_id: str) -> JobRecord | None:
    """Queued: cancelled at once. Running: flagged; the worker stops at its next step."""
    _update(
        engine,
        update(JobRecord)
        .where(JobRecord.id == job_id, JobRecord.status == "queued")
        .values(status="cancelled", finished_at=utcnow(), cancel_requested=True),
    )
    _update(
        engine,
        update(JobRecord)
        .where(JobRecord.id == job_id, JobRecord.status == "running")
        .values(cancel_requested=True),
    )
    return get_job(engine, job_id)


def fail_abandoned(
    engine: Engine, *, stale_after_s: float, is_dead: Callable[[str], bool]
) -> list[str]:
    """Fail running jobs whose worker is gone: a dead local process, or no heartbeat lately."""
    now = utcnow()
    cutoff = now - timedelta(seconds=stale_after_s)
    with _session(engine) as session:
        running = list(session.scalars(select(JobRecord).where(JobRecord.status == "running")))
    failed: list[str] = []
    for job in running:
        beat = as_utc(job.heartbeat_at)
        dead = job.worker is not None and is_dead(job.worker)
        if not dead and beat is not None and beat >= cutoff:
            continue
        reason = (
            f"the worker {job.worker} running this job has stopped"
            if dead
            else f"no heartbeat from worker {job.worker} for over {stale_after_s:.0f} s"
        )
        condition = [JobRecord.id == job.id, JobRecord.status == "running"]
        if not dead and beat is not None:  # the worker may have beaten since we read it
            condition.append(JobRecord.heartbeat_at < cutoff)
        if _update(
            engine,
            update(JobRecord)
            .where(*condition)
            .values(status="failed", finished_at=now, error=f"{reason}; submit the job again"),
        ):
            failed.append(job.id)
    return failed


# -- datasets ------------------------------------------------------------------------------------
def add_dataset(engine: Engine, record: DatasetRecord) -> None:
    """Insert; raises ``sqlalchemy.exc.IntegrityError`` when the name is taken."""
    with _session(engine) as session, session.begin():
        session.add(record)


def get_dataset(engine: Engine, name: str) -> DatasetRecord | None:
    with _session(engine) as session:
        return session.get(DatasetRecord, name)


def list_datasets(engine: Engine) -> list[DatasetRecord]:
    with _session(engine) as session:
        return list(session.scalars(select(DatasetRecord).order_by(DatasetRecord.name)))
