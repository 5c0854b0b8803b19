"""The command line's side of jobs: submit to a server, follow with a progress bar, report.

Used by ``genserve train ... --server URL``: training runs on the server's workers and the new
version is published there; this only talks HTTP (``Authorization: Bearer <key>``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import httpx
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

__all__ = ["JobFailed", "follow", "submit_and_follow"]

TERMINAL = {"succeeded", "failed", "cancelled"}


class JobFailed(RuntimeError):
    """The job ended failed or cancelled, or the server refused it."""


def _raise_for_error(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        error = response.json()["error"]
        detail = f"{error['message']} (field {error['field']}, rule {error['rule']})"
    except (ValueError, KeyError, TypeError):
        detail = response.text[:500]
    raise JobFailed(f"server answered {response.status_code}: {detail}")


def _events(client: httpx.Client, job_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Server-sent events of one job as (event, data) pairs."""
    with client.stream("GET", f"/jobs/{job_id}/events", timeout=None) as response:
        _raise_for_error(response)
        event = "message"
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                yield event, json.loads(line.split(":", 1)[1])
            elif not line:
                event = "message"


def _describe(step: dict[str, Any]) -> str:
    if "epoch" in step:
        return f"epoch {step['epoch']} loss {step['train_loss']:.3f} ELBO {step['test_elbo']:.3f}"
    return (f"restart {step.get('restart', 0)} iter {step.get('iteration')} "
            f"loglik {step.get('train_log_likelihood', float('nan')):.4f}")


def outcome(job: dict[str, Any]) -> str:
    """A job's state in words: a succeeded job that was not promoted does not read as live."""
    result = job.get("result") or {}
    if job.get("status") == "succeeded" and result.get("promoted") is False:
        return f"stored as version {result.get('version')}, NOT promoted (see gate.reasons)"
    return str(job.get("status"))


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


def follow(client: httpx.Client, job_id: str, *, stream: TextIO = sys.stderr) -> dict[str, Any]:
    """Show a progress bar until the job ends; returns its final record. The bar is drawn
    when something changes, and its last state once, when it closes."""
    with tqdm(total=100, unit="%", desc=f"job {job_id[:8]}", file=stream,
              bar_format="{l_bar}{bar}| {n:.0f}/{total}% [{elapsed}] {postfix}") as bar, \
            _warnings_only_above(bar):
        ended = False
        try:
            for event, data in _events(client, job_id):
                if event == "progress":
                    bar.n = round(100 * float(data.get("progress", 0.0)))
                    bar.set_postfix_str(_describe(data), refresh=False)
                    bar.refresh()
                elif event == "status":
                    ended = data["status"] in TERMINAL
                    bar.set_postfix_str(outcome(data), refresh=not ended)
                    if ended:
                        break
        except httpx.TransportError:
            pass  # the stream broke (a proxy timeout, say): poll until the job ends
        while True:
            response = client.get(f"/jobs/{job_id}")
            _raise_for_error(response)
            job: dict[str, Any] = response.json()
            done = job["status"] in TERMINAL
            if round(100 * job["progress"]) != bar.n or done and not ended:
                bar.n = round(100 * job["progress"])
                bar.set_postfix_str(job["status"], refresh=not done)  # closing draws the last
            if done:
                return job
            time.sleep(1.0)


def submit_and_follow(
    server: str, api_key: str | None, body: dict[str, Any], *, stream: TextIO = sys.stderr
) -> dict[str, Any]:
    """POST /jobs, follow it to the end; returns the job; raises JobFailed unless it succeeded."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    with httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=30) as client:
        response = client.post("/jobs", json=body)
        _raise_for_error(response)
        job_id = response.json()["id"]
        print(f"submitted job {job_id} to {server}", file=stream)
        job = follow(client, job_id, stream=stream)
    if job["status"] != "succeeded":
        raise JobFailed(f"job {job_id} {job['status']}: {job.get('error')}")
    return job
