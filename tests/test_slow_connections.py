"""Issue 17: stalled half-sent requests never timed out (64 stayed open for more than 37 s).
A real uvicorn with genserve's protocol (``app.server``) closes a connection whose request head
does not complete in ``GENSERVE_HEADER_TIMEOUT_S``, and answers a stalled body with a 408."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from tests.conftest import UVICORN, LiveServer

HANG_GUARD_S = 60.0  # only so that a regression fails instead of hanging the suite


@pytest.fixture(scope="module", params=["HttpToolsProtocol", "H11Protocol"])
def timed_server(
    request: pytest.FixtureRequest, start_server: Callable[..., LiveServer]
) -> LiveServer:
    command = [*UVICORN, "--http", f"app.server:{request.param}"]
    return start_server(
        command, GENSERVE_HEADER_TIMEOUT_S="0.5", GENSERVE_BODY_READ_TIMEOUT_S="0.5",
        GENSERVE_EMBEDDED_WORKER="false",
    )


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=HANG_GUARD_S)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


@pytest.mark.parametrize("sent", [b"", b"POST /sample HTTP/1.1\r\nHost: x\r\nContent-Ty"])
def test_a_connection_whose_request_head_stalls_is_closed(
    timed_server: LiveServer, sent: bytes
) -> None:
    with _connect(timed_server) as sock:
        sock.sendall(sent)
        assert _read_all(sock) == b""  # closed by the server, no answer


def test_a_request_whose_body_stalls_gets_408(timed_server: LiveServer) -> None:
    with _connect(timed_server) as sock:
        sock.sendall(
            b"POST /sample HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{\"n\": 1"
        )
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"body_read_timeout_s" in answer


def test_a_complete_request_is_served_and_the_idle_connection_then_closed(
    timed_server: LiveServer,
) -> None:
    with _connect(timed_server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 200")
