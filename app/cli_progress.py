"""The command line's progress bar for a job on a server, drawn from ``genserve_client``.

``genserve train ... --server URL`` submits through the client and follows here: one HTTP
client for the CLI, the tests and users' scripts (the client's SSE parsing, errors, polling).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from genserve_client import Client, Job

__all__ = ["follow_job", "outcome"]


def outcome(job: Job) -> str:
    """A job's state in words: a succeeded job that was not promoted does not read as live."""
    if job.status == "succeeded" and job.promoted is False:
        version = (job.result or {}).get("version")
        return f"stored as version {version}, NOT promoted (see gate.reasons)"
    return job.status


def _describe(step: dict[str, Any]) -> str:
    from app.cli import _describe_step

    return " ".join(_describe_step(step).split())


@contextmanager
def _warnings_only_above(bar: tqdm) -> Iterator[None]:  # type: ignore[type-arg]
    """While the bar draws, library logs (httpx's INFO line per request) stay below WARNING,
    and what does get through is written above the bar instead of through it."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.WARNING))
    try:
        with logging_redirect_tqdm(tqdm_class=type(bar)):
            yield
    finally:
        root.setLevel(level)


def follow_job(client: Client, job_id: str, *, stream: TextIO = sys.stderr) -> Job:
    """Show a progress bar until the job ends; returns its final state. The bar is drawn when
    something changes, and its last state once, when it closes."""
    with tqdm(total=100, unit="%", desc=f"job {job_id[:8]}", file=stream,
              bar_format="{l_bar}{bar}| {n:.0f}/{total}% [{elapsed}] {postfix}") as bar, \
            _warnings_only_above(bar):
        seen = 0

        def update(job: Job) -> None:
            nonlocal seen
            percent = round(100 * job.progress)
            steps = job.metrics[seen:]
            seen = len(job.metrics)
            if job.finished:
                bar.n = percent
                bar.set_postfix_str(outcome(job), refresh=False)  # closing draws it, once
            elif steps or percent != bar.n:
                bar.n = percent
                if steps:
                    bar.set_postfix_str(_describe(steps[-1]), refresh=False)
                bar.refresh()

        return client.wait_for_job(job_id, on_progress=update)
