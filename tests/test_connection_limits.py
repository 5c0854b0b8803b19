"""QA F5: 20,500 connections trickling bodies from one machine took the service offline. A real
uvicorn with genserve's protocol (``app.server``), run as the Dockerfile runs it, cuts a body
that is not whole ``GENSERVE_BODY_TIMEOUT_S`` after its head (a 408), answers a client's
connection past ``GENSERVE_MAX_CONNECTIONS_PER_CLIENT`` with a 429 and the process's past
``GENSERVE_MAX_CONNECTIONS`` with a 503, and counts closed connections back down."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import UVICORN, LiveServer

HANG_GUARD_S = 60.0  # only so that a regression fails instead of hanging the suite
PER_CLIENT = 3
TOTAL = 5
ASK = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
Connect = Callable[[str], socket.socket]


@pytest.fixture(scope="module", params=["HttpToolsProtocol", "H11Protocol"])
def capped_server(
    request: pytest.FixtureRequest, start_server: Callable[..., LiveServer]
) -> LiveServer:
    command = [*UVICORN, "--http", f"app.server:{request.param}"]
    return start_server(
        command, GENSERVE_MAX_CONNECTIONS_PER_CLIENT=str(PER_CLIENT),
        GENSERVE_MAX_CONNECTIONS=str(TOTAL), GENSERVE_BODY_TIMEOUT_S="1",
        GENSERVE_BODY_READ_TIMEOUT_S="30",  # a trickle never stalls this long
        GENSERVE_HEADER_TIMEOUT_S=str(HANG_GUARD_S),  # held idle connections stay open
        GENSERVE_EMBEDDED_WORKER="false",
    )


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or resets it)."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def _ask(sock: socket.socket) -> bytes:
    sock.sendall(ASK)
    return _read_all(sock)


def _open(server: LiveServer, source: str) -> socket.socket:
    return socket.create_connection(
        ("127.0.0.1", server.port), timeout=HANG_GUARD_S, source_address=(source, 0)
    )


def _eventually_admits(server: LiveServer, source: str, count: int) -> None:
    """Wait until ``count`` connections from ``source`` at once are all served: the server has
    seen the earlier ones close."""
    deadline = time.monotonic() + HANG_GUARD_S
    while True:
        socks = [_open(server, source) for _ in range(count)]
        answers = [_ask(sock) for sock in socks]
        for sock in socks:
            sock.close()
        if all(answer.startswith(b"HTTP/1.1 200") for answer in answers):
            return
        assert time.monotonic() < deadline, answers
        time.sleep(0.05)


@pytest.fixture
def connect(capped_server: LiveServer) -> Iterator[Connect]:
    """Opens connections from a loopback address (127.0.0.x: a client of its own) and holds
    them; afterwards closes them and waits until the server has counted them down."""
    held: list[socket.socket] = []
    sources: set[str] = set()

    def open_from(source: str) -> socket.socket:
        sock = _open(capped_server, source)
        held.append(sock)
        sources.add(source)
        return sock

    yield open_from
    for sock in held:
        sock.close()
    for source in sources:
        _eventually_admits(capped_server, source, PER_CLIENT)


def test_a_trickling_body_is_cut_at_the_whole_body_deadline_with_408(
    connect: Connect,
) -> None:
    sock = connect("127.0.0.1")
    sock.sendall(b"POST /sample HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100000\r\n\r\n{")
    deadline = time.monotonic() + HANG_GUARD_S
    while not select.select([sock], [], [], 0.2)[0]:  # a byte every 0.2 s until it answers
        assert time.monotonic() < deadline
        sock.sendall(b" ")
    answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"body_timeout_s" in answer and b"GENSERVE_BODY_TIMEOUT_S" in answer


def test_a_body_sent_whole_is_served(connect: Connect) -> None:
    body = b'{"model": "pinwheel-gmm", "n": 1}'
    sock = connect("127.0.0.1")
    sock.sendall(b"POST /sample HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    assert _read_all(sock).startswith(b"HTTP/1.1 200")


def test_a_connection_past_a_clients_cap_is_answered_429_and_closed(connect: Connect) -> None:
    for _ in range(PER_CLIENT):
        connect("127.0.0.1")
    answer = _read_all(connect("127.0.0.1"))
    assert answer.startswith(b"HTTP/1.1 429"), answer[:300]
    assert b"max_connections_per_client" in answer


def test_a_clients_connections_below_its_cap_are_still_served(connect: Connect) -> None:
    held = [connect("127.0.0.1") for _ in range(PER_CLIENT)]
    _read_all(connect("127.0.0.1"))  # refused
    assert _ask(held[0]).startswith(b"HTTP/1.1 200")


def test_one_clients_cap_leaves_another_address_served(connect: Connect) -> None:
    for _ in range(PER_CLIENT):
        connect("127.0.0.1")
    assert _ask(connect("127.0.0.2")).startswith(b"HTTP/1.1 200")


def test_a_connection_past_the_process_cap_is_answered_503(connect: Connect) -> None:
    for source, count in (("127.0.0.1", PER_CLIENT), ("127.0.0.2", TOTAL - PER_CLIENT)):
        for _ in range(count):
            connect(source)
    answer = _read_all(connect("127.0.0.3"))
    assert answer.startswith(b"HTTP/1.1 503"), answer[:300]
    assert b"max_connections" in answer


def test_counts_return_to_zero_after_connections_close(
    capped_server: LiveServer, connect: Connect
) -> None:
    for _ in range(5):  # each round: the cap's worth held, one refused, all closed
        held = [_open(capped_server, "127.0.0.1") for _ in range(PER_CLIENT + 1)]
        for sock in held:
            sock.close()
    _eventually_admits(capped_server, "127.0.0.1", PER_CLIENT)  # none leaked
    for _ in range(PER_CLIENT):
        connect("127.0.0.1")
    # and refused connections were not counted down either: the cap still holds
    assert _read_all(connect("127.0.0.1")).startswith(b"HTTP/1.1 429")
