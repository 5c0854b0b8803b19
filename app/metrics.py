"""Prometheus metrics: requests and latency by endpoint and model, batch sizes, jobs, models.

The metrics live in one module-level ``CollectorRegistry`` (not the global default one), so every
app built in a process shares them and tests can read them without clashes. Other modules report
through small functions rather than touching metric objects:

- ``observe_request(method, endpoint, model, status, seconds)`` — called by the request middleware
  in ``app.observability`` for every HTTP request;
- ``observe_batch(model, operation, size)`` — called by the dynamic batcher for every forward pass
  it runs (``size`` = examples coalesced into that pass);
- ``observe_refusal(model, lane, rule)`` — called by admission control (``app.admission``) for
  every request it refuses with a 429;
- ``app_registry(app)`` — gauges read at scrape time from an app's model registry, job store
  and admission budgets.

Job counts are read at scrape time from ``app.state.jobs`` when the jobs subsystem is present
(its SQL records counted by status, or any object with ``status_counts()`` and optionally
``queue_depth()``); without it those families are simply absent. With several worker
processes (``genserve serve --workers N``) the counters and histograms go through
prometheus-client's multiprocess mode: every process writes its values to files in
``PROMETHEUS_MULTIPROC_DIR`` and a scrape, whichever process answers it, adds them all up.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    multiprocess,
)
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.jobs.records import JOB_STATUSES

__all__ = [
    "CONTENT_TYPE_LATEST",
    "AppCollector",
    "JOB_STATUSES",
    "REGISTRY",
    "app_registry",
    "generate_latest",
    "observe_batch",
    "observe_refusal",
    "observe_request",
    "shared_between_processes",
]

logger = logging.getLogger("genserve.metrics")

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's own setting

disable_created_metrics()  # no ``*_created`` series: they double the output for no use here
REGISTRY = CollectorRegistry(auto_describe=True)

_LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)

REQUESTS = Counter(
    "genserve_requests",
    "HTTP requests answered, by method, route template, model and status code.",
    ["method", "endpoint", "model", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "genserve_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by route template and model.",
    ["method", "endpoint", "model"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
BATCH_SIZE = Histogram(
    "genserve_batch_size",
    "Examples per model forward pass run by the batcher, by model and operation.",
    ["model", "operation"],
    buckets=_BATCH_BUCKETS,
    registry=REGISTRY,
)


ADMISSION_REFUSED = Counter(
    "genserve_admission_refused",
    "Requests refused with 429 by admission control, by model, lane and the budget's rule.",
    ["model", "lane", "rule"],
    registry=REGISTRY,
)


def observe_refusal(model: str, lane: str, rule: str) -> None:
    ADMISSION_REFUSED.labels(model, lane, rule).inc()


def observe_request(
    method: str, endpoint: str, model: str, status: int, seconds: float
) -> None:
    """Count one answered request and its latency. ``model`` is ``""`` when none applies."""
    REQUESTS.labels(method, endpoint, model, str(status)).inc()
    LATENCY.labels(method, endpoint, model).observe(seconds)


def observe_batch(model: str, operation: str, size: int) -> None:
    """Record one batched forward pass of ``size`` examples (thread-safe, a few microseconds)."""
    BATCH_SIZE.labels(model, operation).observe(size)


class AppCollector(Collector):
    """Reads gauges from one live app at scrape time: loaded models, job counts, queue depth."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def collect(self) -> Iterable[Metric]:
        state = getattr(self._app, "state", None)
        registry = getattr(state, "registry", None)
        loaded = GaugeMetricFamily(
            "genserve_models_loaded", "Model versions loaded in this process, by model name.",
            labels=["model"],
        )
        failed = GaugeMetricFamily(
            "genserve_models_failed", "Model versions on disk that failed to load."
        )
        if registry is not None:
            for name in registry.names():
                loaded.add_metric([name], len(registry.versions(name)))
            failed.add_metric([], len(getattr(registry, "failed", {})))
        yield loaded
        yield failed
        admission = getattr(getattr(state, "inference", None), "admission", None)
        if admission is not None:
            in_flight = GaugeMetricFamily(
                "genserve_admission_in_flight_cost",
                "Cost (row passes x model parameters) admitted and not yet answered, by lane.",
                labels=["lane"],
            )
            for lane, cost in admission.in_flight().items():
                in_flight.add_metric([lane], cost)
            yield in_flight
        counts, queued = _job_figures(getattr(state, "jobs", None))
        if counts is not None:
            jobs = GaugeMetricFamily(
                "genserve_jobs", "Training jobs by status (from the job records).",
                labels=["status"],
            )
            for status in sorted(set(JOB_STATUSES) | set(counts)):
                jobs.add_metric([status], counts.get(status, 0))
            yield jobs
        if queued is not None:
            yield GaugeMetricFamily(
                "genserve_job_queue_depth", "Training jobs waiting for a worker.", value=queued
            )


def _job_figures(store: Any) -> tuple[Mapping[str, int] | None, int | None]:
    """Job counts and queue depth from the job store, tolerating its absence or failure.

    A store may offer ``status_counts()`` (and ``queue_depth()``); else, when it has the SQL
    ``engine`` of ``app.jobs``, the records are counted by status. The queue depth is the
    number of jobs recorded as ``queued`` unless the store says otherwise.
    """
    if store is None:
        return None, None
    try:
        if hasattr(store, "status_counts"):
            counts = {str(k): int(v) for k, v in store.status_counts().items()}
        elif hasattr(store, "engine"):
            counts = _count_job_records(store.engine)
        else:
            return None, None
        queued = store.queue_depth() if hasattr(store, "queue_depth") else counts.get("queued", 0)
        return counts, int(queued)
    except Exception:  # a scrape must not fail because the job database is unreachable
        logger.warning("could not read job counts for /metrics", exc_info=True)
        return None, None


def _count_job_records(engine: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from app.jobs.records import JobRecord

    with engine.connect() as connection:
        rows = connection.execute(
            select(JobRecord.status, func.count()).group_by(JobRecord.status)
        ).all()
    return {str(status): int(count) for status, count in rows}


def app_registry(app: Any) -> CollectorRegistry:
    """A registry of the gauges read from ``app`` (its models, its job store)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AppCollector(app))
    return registry


def generate_latest(app_metrics: CollectorRegistry | None = None) -> bytes:
    """The counters and histograms (of every API process in multiprocess mode), then
    ``app_metrics``' gauges when given."""
    if os.environ.get(MULTIPROCESS_DIR_ENV):
        counted = CollectorRegistry(auto_describe=False)
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    text = _generate_latest(counted)
    return text + _generate_latest(app_metrics) if app_metrics is not None else text


@contextmanager
def shared_between_processes() -> Iterator[Path]:
    """Multiprocess mode for the API processes started inside this block (they inherit it).

    Uses ``PROMETHEUS_MULTIPROC_DIR`` when set, emptied first as prometheus-client asks (values
    of an earlier run would be added in); else a temporary folder, removed at the end. Must be
    entered before the processes import prometheus-client: it reads the setting at import.
    """
    given = os.environ.get(MULTIPROCESS_DIR_ENV)
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="genserve-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROCESS_DIR_ENV] = str(folder)
    try:
        yield folder
    finally:
        if not given:
            os.environ.pop(MULTIPROCESS_DIR_ENV, None)
            shutil.rmtree(folder, ignore_errors=True)
