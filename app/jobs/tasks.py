"""The training task, as a worker process runs it: claim, train, publish, record.

Nothing here runs in an API process. A worker calls :func:`configure` once at start; Huey then
calls :func:`run_job` with a job id for each message. Progress goes to the job's SQL record after
every epoch or EM iteration (at most a few writes a second), and the same write reads back the
cancel flag, so ``DELETE /jobs/{id}`` from any API process stops the fit at its next step.
"""

from __future__ import annotations

import logging
import math
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from sqlalchemy import Engine

from app.batching import serving_threads
from app.config import Settings
from app.dataset_store import DatasetStore
from app.gate import GateVerdict
from app.jobs import records
from app.jobs.db import create_schema, make_engine
from app.jobs.params import TrainingParams
from app.model_store import ModelStore
from models import GenerativeModel, TrainingCancelled, load_model
from models.checkpoints import checkpoint_epoch
from models.kinds import FitContext, get_kind
from models.training import check_finite

__all__ = [
    "HEARTBEAT_S",
    "STALE_AFTER_S",
    "WorkerContext",
    "configure",
    "remove_ended_checkpoints",
    "run_job",
]

logger = logging.getLogger("genserve.worker")

HEARTBEAT_S = 5.0
"""A running job's record is touched this often, also during long steps."""
STALE_AFTER_S = 60.0
"""A running job whose heartbeat is older than this has lost its worker and is failed."""
REPORT_EVERY_S = 0.25
"""Progress writes (and cancel checks) are at most this frequent; the last step always writes."""
MAX_HISTORY = 2000


class WorkerStopping(Exception):
    """The worker is shutting down: the job goes back to the queue."""


class JobLost(Exception):
    """The record is no longer this worker's (failed as abandoned, or cancelled and ended)."""


@dataclass
class WorkerContext:
    settings: Settings
    engine: Engine
    store: DatasetStore
    identity: str
    stopping: threading.Event = field(default_factory=threading.Event)
    requeue: Any = None  # callable(job_id) that puts a job's message back on the queue


_context: WorkerContext | None = None


def configure(settings: Settings) -> WorkerContext:
    """Set up this process as a worker: database, dataset store, torch threads."""
    global _context
    # One core fewer than available (or GENSERVE_TORCH_THREADS): torch's default, every core,
    # made each training step wait at its thread barrier for a core the API or other work was
    # using; on a loaded 2-core machine a digits job ran about 5x slower per CPU second.
    torch.set_num_threads(serving_threads(settings))
    engine = make_engine(settings)
    create_schema(engine)
    _context = WorkerContext(
        settings=settings, engine=engine, store=DatasetStore(engine, settings.data_dir),
        identity=records.worker_identity(),
    )
    return _context


def context() -> WorkerContext:
    if _context is None:
        raise RuntimeError("run_job runs in a worker process: call app.jobs.tasks.configure first")
    return _context


def json_safe(value: Any) -> Any:
    """NaN and infinities become None: JSON columns (PostgreSQL's above all) refuse them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


TRAINING_SHARE = 0.99
"""Share of a job's progress that training and evaluation fill; publishing and recording take
the rest, so 1.0 is reached only when the job has ended (``records.finish_job``)."""


TRAINING, EVALUATING, REQUEUED = "training", "evaluating", "requeued"
"""The ``phase`` of a history entry: one per epoch or EM iteration while training, then one
entry for the final evaluation that is updated in place (its ``progress`` and ``elapsed_s``).
A ``requeued`` entry is a note that an attempt's worker stopped. A requeued job keeps the notes
and, when it resumes from a checkpoint, the epochs up to that checkpoint; the next attempt
carries that history on and numbers its steps after it."""


class _Progress:
    """The progress callback: history, throttled writes, cancel and shutdown checks.

    Progress comes from the fit itself (each event's ``progress``: the share of the job's work
    done, counted in steps over every epoch or restart and the final evaluation), scaled by
    ``TRAINING_SHARE``; it is stored in each history entry, so every SSE event carries the
    progress of its own step, and it never goes back within an attempt (a requeued job resumes
    at its checkpoint's progress, or at 0 without one: see ``requeued``). The fit's
    ``phase: "evaluation"`` events move the last entry, an ``evaluating`` one, so the stream
    shows the evaluation too without adding points to the training curve.
    """

    def __init__(self, ctx: WorkerContext, job: records.JobRecord, params: TrainingParams):
        self.ctx, self.job_id, self.attempt = ctx, job.id, job.attempts
        self.earlier = list(job.history)
        """What earlier attempts left (``requeued``): notes, and the epochs up to the checkpoint
        this attempt resumes from."""
        self.entries: list[dict[str, Any]] = []
        self.progress = float(job.progress)  # a resumed job's starts at its checkpoint's
        self._last_write = 0.0
        self._steps = max((int(entry.get("step", 0)) for entry in self.earlier), default=0)

    @property
    def history(self) -> list[dict[str, Any]]:
        """What the record shows: what earlier attempts left, then this attempt's steps."""
        return [*self.earlier, *self.entries]

    def requeued(self, resume_epoch: int | None) -> tuple[list[dict[str, Any]], float]:
        """The history and progress a requeued job keeps while it waits for a worker.

        Resuming at ``resume_epoch`` (after its checkpoint): the notes and the epochs before
        it, and the progress of the last of them, a little less than at the stop by the epochs
        since the checkpoint, which the next attempt trains again. Without a checkpoint the job
        starts again from zero: only the notes are kept, and the progress is 0.
        """
        where = (f"resumes at epoch {resume_epoch}" if resume_epoch is not None
                 else "starts again from the beginning (checkpoint_every resumes a VAE)")
        kept = [entry for entry in self.history if entry.get("phase") == REQUEUED or (
            resume_epoch is not None and entry.get("phase") == TRAINING
            and int(entry.get("epoch", resume_epoch)) < resume_epoch
        )]
        progress = max((float(entry.get("progress", 0.0)) for entry in kept
                        if entry.get("phase") == TRAINING), default=0.0)
        self._steps += 1
        note = {"step": self._steps, "phase": REQUEUED, "attempt": self.attempt,
                "resume_epoch": resume_epoch, "progress": progress,
                "message": f"requeued: worker stopped; {where}"}
        return [*kept[-MAX_HISTORY:], note], progress

    def _advance(self, event: Mapping[str, Any]) -> None:
        share = float(event.get("progress", 0.0))
        if math.isfinite(share):
            self.progress = max(self.progress, round(TRAINING_SHARE * min(share, 1.0), 4))

    def _entry(self, event: Mapping[str, Any]) -> dict[str, Any]:
        self._steps += 1
        entry: dict[str, Any] = {"step": self._steps, "phase": TRAINING}
        if "epoch" in event:  # one epoch of a gradient fit (the VAE)
            entry.update(
                epoch=int(event["epoch"]), train_loss=float(event["train_loss"]),
                test_elbo=float(event["test_elbo"]),
            )
            for key in ("learning_rate", "validation_elbo"):  # validation: early stopping
                if key in event:
                    entry[key] = float(event[key])
            if "step" in event:
                entry.update(train_step=int(event["step"]), train_steps=int(event["steps"]))
        elif "iteration" in event:  # one iteration of one restart (EM; a closed form's one step)
            restart, iteration = int(event.get("restart", 0)), int(event["iteration"])
            log_likelihood = float(event["log_likelihood"])
            entry.update(
                restart=restart, iteration=iteration, train_log_likelihood=log_likelihood,
                train_loss=-log_likelihood,
            )
        else:  # another kind's step: its numbers as they come
            entry.update({k: float(v) for k, v in event.items()
                          if isinstance(v, int | float) and k not in ("progress", "elapsed_s")})
        entry["progress"] = self.progress
        entry["elapsed_s"] = round(float(event.get("elapsed_s", 0.0)), 4)
        return entry

    def _evaluating(self, event: Mapping[str, Any]) -> None:
        """Move the evaluation's entry (made on its first event) to this event's progress."""
        if not self.entries or self.entries[-1]["phase"] != EVALUATING:
            self._steps += 1
            self.entries.append({"step": self._steps, "phase": EVALUATING})
            del self.entries[:-MAX_HISTORY]
        self.entries[-1].update(
            progress=self.progress, elapsed_s=round(float(event.get("elapsed_s", 0.0)), 4)
        )

    def __call__(self, event: Mapping[str, Any]) -> None:
        self._advance(event)
        if event.get("phase") == "evaluation":
            self._evaluating(event)
        else:
            self.entries.append(self._entry(event))
            del self.entries[:-MAX_HISTORY]
        if self.ctx.stopping.is_set():
            raise WorkerStopping
        if time.monotonic() - self._last_write >= REPORT_EVERY_S:
            self.write()

    def write(self) -> None:
        self._last_write = time.monotonic()
        cancel = records.report_progress(
            self.ctx.engine, self.job_id, self.ctx.identity, self.progress,
            json_safe(self.history),
        )
        if cancel is None:
            raise JobLost(self.job_id)
        if cancel:
            raise TrainingCancelled(f"job {self.job_id} was cancelled")


class _Heartbeat:
    """Touches the record every HEARTBEAT_S from a thread, so long steps do not look dead."""

    def __init__(self, ctx: WorkerContext, job_id: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ctx, job_id), name=f"heartbeat-{job_id}", daemon=True
        )

    def _run(self, ctx: WorkerContext, job_id: str) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                if not records.heartbeat(ctx.engine, job_id, ctx.identity):
                    return
            except Exception:
                logger.exception("heartbeat for job %s failed", job_id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def checkpoint_dir(ctx: WorkerContext, job_id: str) -> Path:
    """Where a resumable job (a VAE with ``checkpoint_every``) keeps its state: a job queued
    again after its worker stopped resumes from there; any ending removes it."""
    return checkpoints_root(ctx.settings.data_dir) / job_id


def checkpoint_epoch_after(folder: Path) -> int | None:
    """The epoch a requeued job resumes at: the one after its last checkpoint, if any."""
    saved = checkpoint_epoch(folder)
    return None if saved is None else saved + 1


def checkpoints_root(data_dir: Path) -> Path:
    return data_dir / "checkpoints"


def remove_ended_checkpoints(engine: Engine, data_dir: Path) -> list[Path]:
    """Remove the checkpoint folders of jobs that have ended or are unknown.

    A worker removes its job's folder itself, except when it is killed (SIGKILL, out of
    memory): the job is then failed as abandoned, and this sweep, run with that recovery,
    removes what the dead worker left. Queued and running jobs keep theirs (a requeued job
    resumes from it).
    """
    root = checkpoints_root(data_dir)
    if not root.is_dir():
        return []
    removed = []
    for folder in root.iterdir():
        job = records.get_job(engine, folder.name)
        if job is None or job.status in records.TERMINAL:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _train(
    ctx: WorkerContext, job: records.JobRecord, params: TrainingParams, progress: _Progress
) -> GenerativeModel:
    dataset, info = ctx.store.load(job.dataset_name)
    if info.sha256 != job.dataset_sha256:
        raise RuntimeError(
            f"dataset {job.dataset_name!r} changed since the job was submitted (sha256 "
            f"{job.dataset_sha256[:12]}... then, {info.sha256[:12]}... now); submit it again"
        )
    from app.registry import resolve_device

    kind = get_kind(params.kind)
    checkpoints = checkpoint_dir(ctx, job.id)
    context = FitContext(
        device=resolve_device(ctx.settings.device), checkpoint_dir=checkpoints,
        warm_start=_warm_start(ctx, params.kind, job.config.get("init_from")),
    )
    return kind.fit(
        dataset, params.hyperparameters, params.options, progress=progress, context=context
    )


def _warm_start(
    ctx: WorkerContext, kind: str, source: Mapping[str, Any] | None
) -> GenerativeModel | None:
    """The pinned version a job starts from (checked when queued; it may have gone since)."""
    if source is None:
        return None
    folder = model_store(ctx.settings).version_dirs(source["model"]).get(int(source["version"]))
    if folder is None:
        raise FileNotFoundError(
            f"init_from: {source['model']} version {source['version']} is no longer in the "
            "weights folder or the model store"
        )
    model = load_model(folder)
    if model.kind != kind:
        raise TypeError(f"init_from: {source['model']} is a {model.kind}, not a {kind}")
    return model


def model_store(settings: Settings) -> ModelStore:
    """The shipped weights (read-only) and the model store that jobs publish into."""
    return ModelStore(settings.weights_dir, settings.model_store_dir)


def _publish(ctx: WorkerContext, job: records.JobRecord, model: GenerativeModel
             ) -> tuple[int, GateVerdict]:
    """Judge the model against the stable version, then store it with the verdict; only a
    promoted one becomes stable."""
    return model_store(ctx.settings).publish(
        model, job.name, job.config.get("promote", "auto"),
        ctx.settings.gate_tolerance_nats_per_dim,
    )


def run_job(job_id: str) -> None:
    """Run one job if this worker can claim it; every outcome ends in the job's record."""
    ctx = context()
    if not records.claim_job(ctx.engine, job_id, ctx.identity):
        logger.info("job %s was not queued any more (cancelled or run elsewhere): skipped", job_id)
        return
    requeued = False
    try:
        requeued = _run_claimed(ctx, job_id)
    finally:
        if not requeued:  # a job queued again resumes from its checkpoints; others drop them
            shutil.rmtree(checkpoint_dir(ctx, job_id), ignore_errors=True)


def _run_claimed(ctx: WorkerContext, job_id: str) -> bool:
    """Train, publish and record a claimed job; True when it went back to the queue."""
    job = records.get_job(ctx.engine, job_id)
    assert job is not None
    logger.info("job %s: training %s %r on %r", job_id, job.kind, job.name, job.dataset_name)
    params = TrainingParams.from_config(job.kind, job.config)
    progress = _Progress(ctx, job, params)
    with _Heartbeat(ctx, job_id):
        try:
            model = _train(ctx, job, params, progress)
            progress.write()  # the last chance to see a cancel before publishing
            check_finite(model)  # nothing non-finite is published, whatever the fit did
            model.training_info["job"] = {
                "id": job.id, "dataset": {"name": job.dataset_name, "sha256": job.dataset_sha256},
            }
            version, verdict = _publish(ctx, job, model)
        except TrainingCancelled:
            records.finish_job(
                ctx.engine, job_id, ctx.identity, "cancelled", error="cancelled on request",
                history=json_safe(progress.history),
            )
            logger.info("job %s: cancelled", job_id)
            return False
        except WorkerStopping:
            kept, at = progress.requeued(checkpoint_epoch_after(checkpoint_dir(ctx, job_id)))
            requeued = records.requeue_job(
                ctx.engine, job_id, ctx.identity, history=json_safe(kept), progress=at
            )
            if requeued and ctx.requeue is not None:
                ctx.requeue(job_id)
            logger.info("job %s: %s", job_id, kept[-1]["message"])
            return requeued
        except JobLost:
            logger.warning("job %s: record taken from this worker; result dropped", job_id)
            return False
        except Exception as exc:
            logger.exception("job %s failed", job_id)
            records.finish_job(
                ctx.engine, job_id, ctx.identity, "failed", error=f"{type(exc).__name__}: {exc}",
                history=json_safe(progress.history),
            )
            return False
    result = json_safe({
        "model": job.name, "version": version, "metrics": model.metrics,
        "training": model.training_info, "promoted": verdict.promoted, "gate": verdict.api(),
    })
    if not records.finish_job(
        ctx.engine, job_id, ctx.identity, "succeeded", result=result,
        history=json_safe(progress.history),
    ):
        logger.warning("job %s: published %s/%d but its record was taken", job_id, job.name,
                       version)
    if verdict.promoted:
        logger.info("job %s: published %s version %d, now stable", job_id, job.name, version)
    else:
        logger.warning(
            "job %s: stored %s version %d but did NOT make it stable (served only when named): "
            "%s", job_id, job.name, version, "; ".join(verdict.reasons),
        )
    return False
