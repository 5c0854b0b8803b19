"""A job's finished states are defined once on the server; the client and the page each keep one
copy, held equal here."""

from __future__ import annotations

import re
from pathlib import Path

from app.jobs.records import JOB_STATUSES, TERMINAL
from app.jobs.schemas import JobSummary
from genserve_client._types import FINISHED_STATUSES

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"


def test_the_finished_states_are_job_states() -> None:
    assert TERMINAL < set(JOB_STATUSES)
    assert set(JOB_STATUSES) - TERMINAL == {"queued", "running"}


def test_the_api_schema_lists_the_states_from_the_records() -> None:
    schema = JobSummary.model_json_schema()
    assert tuple(schema["properties"]["status"]["enum"]) == JOB_STATUSES


def test_the_python_client_finishes_on_the_same_states() -> None:
    assert FINISHED_STATUSES == TERMINAL


def test_the_page_finishes_on_the_same_states() -> None:
    script = (STATIC / "train.js").read_text()
    found = re.search(r"const TERMINAL = new Set\(\[([^\]]*)\]\)", script)
    assert found is not None
    assert set(re.findall(r'"(\w+)"', found.group(1))) == TERMINAL
