"""uvicorn's HTTP protocols with a deadline on the request head, and the options genserve runs
uvicorn with.

uvicorn times out an idle keep-alive connection (``--timeout-keep-alive``, 5 s) but nothing
else: a connection that sends nothing, or half a request line and then stalls, stays open for
ever (issue 17: 64 stalled half-sent requests stayed open for more than 37 s). These protocols
close a connection whose request line and headers have not all arrived within
``GENSERVE_HEADER_TIMEOUT_S`` of it opening or of the previous response ending, however slowly
bytes trickle in. A body that stalls is the app's to time out (``GENSERVE_BODY_READ_TIMEOUT_S``,
``app.main.BodySizeLimit``: a 408).

Run with ``uvicorn app.main:app --http app.server:HttpToolsProtocol`` (or ``H11Protocol``);
``genserve serve`` and the Dockerfile do.
"""

from __future__ import annotations

import asyncio
import os
from functools import cache
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol as _H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpToolsProtocol

from app.config import Settings

__all__ = ["H11Protocol", "HttpToolsProtocol", "uvicorn_options"]

PROTOCOL = "app.server:HttpToolsProtocol"
LOOP = "auto"
"""uvloop where installed (uvicorn's ``auto``), with large writes made by :class:`_GilFreeWrites`.
"""
LARGE_WRITE = 16 * 1024
"""Bytes from which a write goes to the socket without the GIL (see :class:`_GilFreeWrites`)."""


class _GilFreeWrites:
    """A uvloop transport whose large writes release the GIL.

    uvloop writes with the GIL held: a 133 KB JSON answer's ``write(2)`` was 27% of the loop's
    GIL time under py-spy at c = 64, and the batch runners' Python steps waited behind it (a
    batch's compute p99 62-71 ms against 20-34 ms on the standard loop, whose ``socket.send``
    releases the GIL but costs more per request elsewhere). Here a write of ``LARGE_WRITE``
    bytes or more, while nothing is queued before it, goes straight to the socket with
    ``os.write`` (which releases the GIL); what does not fit, and every error, goes to the
    transport's own ``write``, which queues or reports it as before. Everything else is the
    transport's.
    """

    __slots__ = ("_transport", "_fd")

    def __init__(self, transport: asyncio.Transport, fd: int) -> None:
        self._transport = transport
        self._fd = fd

    def write(self, data: bytes) -> None:
        transport = self._transport
        if len(data) >= LARGE_WRITE and transport.get_write_buffer_size() == 0 \
                and not transport.is_closing():
            try:
                sent = os.write(self._fd, data)
            except OSError:  # full (EAGAIN) or broken: the transport's write takes it from here
                sent = 0
            if sent == len(data):
                return
            data = data[sent:]
        transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def _gil_free_writes(transport: asyncio.Transport) -> asyncio.Transport:
    """``transport`` wrapped in :class:`_GilFreeWrites` where it is uvloop's over a plain
    socket (the standard loop's already write without the GIL; TLS must go through the
    transport)."""
    if not type(transport).__module__.startswith("uvloop") \
            or transport.get_extra_info("sslcontext") is not None:
        return transport
    sock = transport.get_extra_info("socket")
    if sock is None:
        return transport
    return _GilFreeWrites(transport, sock.fileno())  # type: ignore[return-value]


@cache
def _header_timeout_s() -> float:
    return Settings().header_timeout_s


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
        self.transport = _gil_free_writes(self.transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]


class HttpToolsProtocol(_HeadDeadline, _HttpToolsProtocol):
    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()


class H11Protocol(_HeadDeadline, _H11Protocol):
    _timed_cycle: Any = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and self.cycle is not self._timed_cycle:  # a new request head
            self._timed_cycle = self.cycle
            self._disarm()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What ``genserve serve`` passes to ``uvicorn.run``: the timed protocol, idle keep-alive
    connections closed after ``GENSERVE_KEEP_ALIVE_TIMEOUT_S``, and the loop (:data:`LOOP`)."""
    return {"http": PROTOCOL, "timeout_keep_alive": settings.keep_alive_timeout_s,
            "loop": LOOP}
