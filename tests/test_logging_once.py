"""Each log line is written once, in the chosen format, by a server started as users start it
(``genserve serve``); one request writes exactly one access-log line."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

import httpx
import pytest

from tests.conftest import LiveServer

SERVE = [sys.executable, "-m", "app.cli", "serve"]


def lines_with(server: LiveServer, token: str, settle_s: float = 5.0) -> list[str]:
    """The server's log lines that contain ``token``, once the log has them."""
    deadline = time.monotonic() + settle_s
    found: list[str] = []
    while time.monotonic() < deadline:
        found = [line for line in server.log_path.read_text().splitlines() if token in line]
        if found:
            time.sleep(0.3)  # a second copy, if any, is written right after the first
            return [line for line in server.log_path.read_text().splitlines() if token in line]
        time.sleep(0.1)
    return found


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_one_request_writes_one_access_line_in_the_chosen_format(
    start_server: Callable[..., LiveServer], fmt: str
) -> None:
    server = start_server(SERVE, GENSERVE_LOG_FORMAT=fmt)
    try:
        ids = [f"count-{fmt}-{i}" for i in range(5)]
        for request_id in ids:
            answer = httpx.post(
                f"{server.url}/sample", json={"model": "pinwheel-gmm", "n": 1},
                headers={"X-Request-ID": request_id}, timeout=30,
            )
            assert answer.status_code == 200
        for request_id in ids:
            lines = lines_with(server, request_id)
            assert len(lines) == 1, lines
            if fmt == "json":
                entry = json.loads(lines[0])
                assert entry["logger"] == "genserve.access" and entry["status"] == 200
            else:
                assert "genserve.access POST /sample 200" in lines[0]
                assert not lines[0].lstrip().startswith("{")
        startup = lines_with(server, "model(s) from")  # genserve's own startup line
        assert len(startup) == 1, startup
        uvicorn_lines = lines_with(server, "Uvicorn running on")
        assert len(uvicorn_lines) == 1, uvicorn_lines
    finally:
        server.stop()


def test_the_embedded_workers_lines_are_written_once_too(
    start_server: Callable[..., LiveServer],
) -> None:
    """The worker is a process of its own with its own logging set-up (it once added a plain
    text handler beside the JSON one, so each of its lines came out twice)."""
    server = start_server(SERVE, GENSERVE_LOG_FORMAT="json", GENSERVE_EMBEDDED_WORKER="true")
    try:
        lines = lines_with(server, "consuming queue", settle_s=30.0)
        assert len(lines) == 1, lines
        assert json.loads(lines[0])["logger"] == "genserve.worker"
    finally:
        server.stop()
