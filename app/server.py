"""uvicorn's HTTP protocols with a deadline on the request head and caps on open connections,
and the options genserve runs uvicorn with.

uvicorn times out an idle keep-alive connection (``--timeout-keep-alive``, 5 s) but nothing
else: a connection that sends nothing, or half a request line and then stalls, stays open for
ever (issue 17: 64 stalled half-sent requests stayed open for more than 37 s). These protocols
close a connection whose request line and headers have not all arrived within
``GENSERVE_HEADER_TIMEOUT_S`` of it opening or of the previous response ending, however slowly
bytes trickle in. A body that stalls is the app's to time out (``GENSERVE_BODY_READ_TIMEOUT_S``,
``app.main.BodySizeLimit``: a 408), and so is a body that is not whole
``GENSERVE_BODY_TIMEOUT_S`` after its head, however steadily it trickles.

Each open connection holds a file descriptor. QA F5: 20,500 connections trickling bodies from
one machine took the process to its open-file limit (20,000), and every other request, and the
jobs' maintenance pass, failed for as long as they stayed open. So a new connection is answered
and closed at once, before anything is read from it, when its client address (an IPv6 /64)
already holds ``GENSERVE_MAX_CONNECTIONS_PER_CLIENT`` (a 429, rule
``max_connections_per_client``), or when the process already holds ``GENSERVE_MAX_CONNECTIONS``
(a 503, rule ``max_connections``; default three quarters of the soft open-file limit). Closing
at once keeps a refused connection from holding a descriptor, where uvicorn's
``--limit-concurrency`` answers its 503 only once a request head has arrived. Behind a
reverse proxy every connection comes from the proxy's address: raise the per-client cap (or set
it to 0) and cap per client at the proxy. The counts are per process (``--workers N``: each).

Run with ``uvicorn app.main:app --http app.server:HttpToolsProtocol --loop asyncio`` (or
``H11Protocol``; the loop: see :data:`LOOP`);
``genserve serve`` and the Dockerfile do.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import resource
from functools import cache
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol as _H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpToolsProtocol

from app.config import Settings
from app.errors import error_body

__all__ = [
    "ConnectionCounts", "H11Protocol", "HttpToolsProtocol", "client_key", "connection_cap",
    "uvicorn_options",
]

PROTOCOL = "app.server:HttpToolsProtocol"
LOOP: str = Settings.model_fields["event_loop"].default
"""The standard library's event loop, not uvloop (uvicorn's ``auto`` when it is installed).
uvloop writes a response with the GIL held: a 133 KB JSON answer's ``write(2)`` was 27% of the
loop's GIL time under py-spy at c = 64, and the batch runners' Python steps waited behind it
(a batch's compute p99 62-71 ms against 20-34 ms). The standard loop's ``socket.send`` releases
the GIL. Issue 18, ``bench.serving_ab`` on a shared 2-core machine, five runs of 4-6
alternating rounds: ``/sample`` c = 64 p99/p50 from 3.6-5.3 to 1.6-2.5 (lower in 21 of 23
rounds); the cost, about 5% of requests/s on cheap requests (the standard loop's own work per
request: medians 0.86-1.11x at c = 1, 8 and 64). On a quiet machine, uvloop against it
(six rounds): c = 1 1.28x requests/s, c = 8 and 64 alike, p99/p50 at c = 64 1.87 against 1.61.
``GENSERVE_EVENT_LOOP=uvloop`` takes uvloop for ``genserve serve``; the standard loop is the
default."""


@cache
def _settings() -> Settings:
    """The process's settings, read once: every connection of the process shares them."""
    return Settings()


def _header_timeout_s() -> float:
    return _settings().header_timeout_s


def connection_cap(settings: Settings) -> int | None:
    """Open connections one process may hold: ``GENSERVE_MAX_CONNECTIONS`` (0: None, no cap),
    by default three quarters of the soft open-file limit, so that the files, the database,
    Redis and the model store still get descriptors when connections reach the cap."""
    if settings.max_connections is not None:
        return settings.max_connections or None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else max(soft * 3 // 4, 1)


def client_key(host: str) -> str:
    """Whose connection this is: the address, but an IPv6 client's /64 (one host usually has a
    whole /64 to pick addresses from) and an IPv4-mapped address's IPv4 one."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # not an IP address (a name from a proxy's header): itself
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return host


class ConnectionCounts:
    """Open connections per client, capped at ``per_client`` (0: no cap). Only the event loop's
    thread calls it (all of a process's connections share one loop), so it needs no lock;
    clients with no connection left are dropped, so it stays as small as what is open."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._open: dict[str, int] = {}

    def admit(self, key: str) -> bool:
        """Count one more connection of ``key``, unless it already holds ``per_client``."""
        held = self._open.get(key, 0)
        if self.per_client and held >= self.per_client:
            return False
        self._open[key] = held + 1
        return True

    def release(self, key: str) -> None:
        """One admitted connection of ``key`` has closed."""
        held = self._open.pop(key) - 1
        if held:
            self._open[key] = held

    def held(self, key: str) -> int:
        return self._open.get(key, 0)

    def __len__(self) -> int:
        """Clients holding a connection."""
        return len(self._open)


@cache
def _counts() -> ConnectionCounts:
    return ConnectionCounts(_settings().max_connections_per_client)


@cache
def _connection_cap() -> int | None:
    return connection_cap(_settings())


@cache
def _refusal(status: str, message: str, rule: str) -> bytes:
    """A whole HTTP response that closes the connection, in the project's error shape."""
    body = json.dumps(error_body("overloaded", message, None, rule)).encode()
    head = (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nretry-after: 1\r\nconnection: close\r\n\r\n")
    return head.encode() + body


class _HeadDeadline:
    """Closes the transport unless the request head completes in time: armed when the
    connection opens and after each response, disarmed when the protocol sees a complete head
    (each protocol says when) or the connection goes. Mixed in before a uvicorn protocol."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    _head_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(_header_timeout_s(), self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]


class _ConnectionCaps:
    """Answers and closes a new connection over the per-client or the process-wide cap as soon
    as it opens, and counts the others until they close. Mixed in before :class:`_HeadDeadline`
    and a uvicorn protocol (whose ``connection_made`` sets ``client`` and adds the connection to
    ``server_state.connections``, the process's open connections)."""

    transport: asyncio.Transport
    client: tuple[str, int] | None
    server_state: Any
    _counted: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        refusal = self._over_cap()
        if refusal is not None:
            self.transport.write(refusal)  # best effort: sent before the client's request is read
            self.transport.close()

    def _over_cap(self) -> bytes | None:
        """The answer refusing this connection, or None when it is within both caps."""
        counts = _counts()
        if self.client is not None:  # None: a Unix socket, one client (a proxy)
            key = client_key(self.client[0])
            if not counts.admit(key):
                return _refusal(
                    "429 Too Many Requests",
                    f"this client already holds {counts.per_client} open connections "
                    "(GENSERVE_MAX_CONNECTIONS_PER_CLIENT): reuse them (keep-alive) or close "
                    "some", "max_connections_per_client",
                )
            self._counted = key
        cap = _connection_cap()
        if cap is not None and len(self.server_state.connections) > cap:
            return _refusal(
                "503 Service Unavailable",
                f"the server holds its limit of {cap} open connections "
                "(GENSERVE_MAX_CONNECTIONS): try again shortly", "max_connections",
            )
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._counted is not None:
            _counts().release(self._counted)
            self._counted = None
        super().connection_lost(exc)  # type: ignore[misc]


class HttpToolsProtocol(_ConnectionCaps, _HeadDeadline, _HttpToolsProtocol):
    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()


class H11Protocol(_ConnectionCaps, _HeadDeadline, _H11Protocol):
    _timed_cycle: Any = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and self.cycle is not self._timed_cycle:  # a new request head
            self._timed_cycle = self.cycle
            self._disarm()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What ``genserve serve`` passes to ``uvicorn.run``: the timed protocol, idle keep-alive
    connections closed after ``GENSERVE_KEEP_ALIVE_TIMEOUT_S``, and the standard library's
    event loop (:data:`LOOP`). The connection caps are the protocol's own (it reads the
    settings), not uvicorn's ``limit_concurrency``: so the Dockerfile's bare ``uvicorn
    --http app.server:HttpToolsProtocol`` gets them too, and a refused connection is closed
    before it is read instead of holding its descriptor until its head arrives."""
    return {"http": PROTOCOL, "timeout_keep_alive": settings.keep_alive_timeout_s,
            "loop": settings.event_loop}
