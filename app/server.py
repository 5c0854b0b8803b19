"""uvicorn's HTTP protocols with a deadline on the request head, and the options genserve runs
uvicorn with.

uvicorn times out an idle keep-alive connection (``--timeout-keep-alive``, 5 s) but nothing
else: a connection that sends nothing, or half a request line and then stalls, stays open for
ever (issue 17: 64 stalled half-sent requests stayed open for more than 37 s). These protocols
close a connection whose request line and headers have not all arrived within
``GENSERVE_HEADER_TIMEOUT_S`` of it opening or of the previous response ending, however slowly
bytes trickle in. A body that stalls is the app's to time out (``GENSERVE_BODY_READ_TIMEOUT_S``,
``app.main.BodySizeLimit``: a 408).

Run with ``uvicorn app.main:app --http app.server:HttpToolsProtocol --loop asyncio`` (or
``H11Protocol``; the loop: see :data:`LOOP`);
``genserve serve`` and the Dockerfile do.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol as _H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpToolsProtocol

from app.config import Settings

__all__ = ["H11Protocol", "HttpToolsProtocol", "uvicorn_options"]

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
``GENSERVE_EVENT_LOOP=uvloop`` takes uvloop for ``genserve serve``; this is the default."""


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
    connections closed after ``GENSERVE_KEEP_ALIVE_TIMEOUT_S``, and the standard library's
    event loop (:data:`LOOP`)."""
    return {"http": PROTOCOL, "timeout_keep_alive": settings.keep_alive_timeout_s,
            "loop": settings.event_loop}
