"""bench/serving.py's load generators: wrk where installed, skipped with a note where not, and
one table of /sample under each of them."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import _wrk, serving
from bench.serving import FIXED, LITSERVE, OFF, ON, PLAIN, Cell

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8000/sample
  2 threads and 8 connections
WRK_JSON {"requests": 1000, "duration_us": 2000000, "bytes": 1330000, "status_errors": 10, \
"socket_errors": 2, "p50_us": 7500, "p99_us": 21000, "mean_us": 8000.5}
"""


def test_wrks_summary_line_becomes_the_figures_the_lean_generator_gives() -> None:
    figures = _wrk.parse(WRK_OUTPUT)
    assert figures["requests"] == 990  # answered with a 200
    assert figures["errors"] == 12
    assert figures["rps"] == pytest.approx(495.0)
    assert (figures["p50_ms"], figures["p99_ms"]) == (7.5, 21.0)
    assert figures["bytes_per_answer"] == pytest.approx(1330.0)


def test_without_wrk_its_rows_are_skipped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_wrk, "available", lambda: False)
    notes: list[str] = []
    assert serving._loadgens("lean,wrk,httpx", notes) == ("lean", "httpx")
    assert notes == [_wrk.WRK_MISSING]
    cells = serving._plan([ON, FIXED, OFF, PLAIN], "clients", ("lean", "httpx"))
    assert {c.loadgen for c in cells} == {"lean", "httpx"}


def test_an_unknown_load_generator_is_refused_by_name() -> None:
    with pytest.raises(SystemExit, match="ab"):
        serving._loadgens("lean,ab", [])


def test_every_system_meets_every_load_generator_at_every_concurrency_once() -> None:
    systems = [PLAIN, OFF, ON, FIXED, serving.TWO_PROCESSES, LITSERVE]
    cells = serving._plan(systems, "full", serving.LOADGENS)
    sample = [(c.system, c.concurrency, c.loadgen) for c in cells
              if c.operation == "sample" and c.format == "array" and c.server == ""]
    for system in (ON, FIXED, OFF, PLAIN, LITSERVE):
        for concurrency in serving.CONCURRENCY:
            for loadgen in serving.LOADGENS:
                expected = 0 if loadgen == serving.POOLED and concurrency <= 8 else 1
                assert sample.count((system, concurrency, loadgen)) == expected


def test_pooled_httpx_clients_are_measured_where_they_differ_from_one_client() -> None:
    cells = serving._plan([ON, PLAIN], "clients", serving.LOADGENS)
    pooled = {c.concurrency for c in cells if c.loadgen == serving.POOLED}
    assert pooled == {64}


def test_the_clients_table_gives_the_ratios_per_concurrency_and_load_generator() -> None:
    def cell(system: str, rps: float, p50: float, p99: float) -> Cell:
        c = Cell("sample", system, 64, "array", loadgen="wrk")
        c.runs.append({"requests": rps, "errors": 0, "seconds": 1.0, "rps": rps,
                       "p50_ms": p50, "p99_ms": p99})
        return c

    cells = [cell(ON, 900, 60, 120), cell(FIXED, 800, 70, 200), cell(OFF, 600, 100, 150),
             cell(PLAIN, 300, 200, 400), cell(LITSERVE, 45, 1000, 1500)]
    headers, rows = serving._clients_table(cells, ("wrk",))
    (row,) = rows
    named = dict(zip(headers, row, strict=True))
    assert named["c"] == 64 and named["load generator"] == "wrk"
    assert named["genserve / plain"] == pytest.approx(3.0)
    assert named["genserve / LitServe"] == pytest.approx(20.0)
    assert named["genserve p99 / p50"] == pytest.approx(2.0)
    assert named["genserve (1 process)"] == "900 (60 / 120 ms)"


@pytest.fixture
def echo_server() -> Iterator[str]:
    """A local HTTP/1.1 server that answers each POST with its body."""

    class Echo(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = 200 if self.headers["Content-Type"] == "application/json" else 415
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadingHTTPServer(("127.0.0.1", port), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/sample"
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(not _wrk.available(), reason="wrk is not installed")
def test_wrk_posts_the_body_file_as_json(echo_server: str, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"model": "mnist-vae", "n": 16}')
    figures = _wrk.run(echo_server, body, concurrency=2, duration=1, warmup=0)
    assert figures["requests"] > 0 and figures["errors"] == 0  # a 415 if not sent as JSON
    assert figures["bytes_per_answer"] > len(body.read_bytes())  # the echoed body and a head


def test_a_round_without_answers_leaves_the_latency_of_the_others() -> None:
    rounds = [
        {"requests": 0, "errors": 0, "seconds": 1.5, "rps": 0.0, "p50_ms": float("nan"),
         "p99_ms": float("nan")},
        {"requests": 30, "errors": 0, "seconds": 1.5, "rps": 20.0, "p50_ms": 40.0,
         "p99_ms": 90.0},
    ]
    median = serving._median_run(rounds)
    assert (median["p50_ms"], median["p99_ms"], median["requests"]) == (40.0, 90.0, 30)
