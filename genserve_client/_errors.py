"""Errors the client raises.

    GenserveError          any failure talking to the server
    ├── APIError           the server answered 4xx/5xx; carries status, message, field, rule
    └── JobFailed          a job ended failed or cancelled (``train``, ``wait_for_job``)
"""

from __future__ import annotations

from typing import Any

__all__ = ["APIError", "GenserveError", "JobFailed"]


class GenserveError(Exception):
    """Base class of the client's errors."""


class APIError(GenserveError):
    """An error answer: ``message``, ``field`` and ``rule`` come from the API's error JSON."""

    def __init__(
        self, status_code: int, message: str, *, field: str | None = None,
        rule: str | None = None, body: Any = None,
    ) -> None:
        super().__init__(f"HTTP {status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.field = field
        self.rule = rule
        self.body = body


class JobFailed(GenserveError):
    """A training job that ended without publishing a model; ``job`` is its last state."""

    def __init__(self, job: Any) -> None:
        detail = f": {job.error}" if getattr(job, "error", None) else ""
        super().__init__(f"job {job.id} ended {job.status}{detail}")
        self.job = job
