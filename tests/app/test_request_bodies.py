"""Request bodies: over the size limit without a Content-Length (chunked) is a 413 on every
route and content type (issue 17 #13: it was a 400 "error parsing the body" on /jobs and with a
non-JSON content type), and a body that stops arriving is a 408, not an open connection."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def _chunks(total: int, size: int = 16_384) -> Iterator[bytes]:
    """A JSON-looking body sent in pieces, with no Content-Length (chunked encoding)."""
    yield b'{"kind": "gmm", "name": "x", "dataset": "pinwheel", "params": {"pad": "'
    for _ in range(total // size):
        yield b"a" * size
    yield b'"}}'


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
@pytest.mark.parametrize("path", ["/jobs", "/sample", "/log-likelihood"])
def test_chunked_bodies_over_the_body_limit_are_413_not_400(
    client: TestClient, settings: Settings, path: str, content_type: str | None
) -> None:
    headers = {"Authorization": f"Bearer {client.app.state.api_key}"}  # type: ignore[attr-defined]
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(path, content=_chunks(2 * settings.max_body_bytes), headers=headers)
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["field"] == "body" and error["rule"] == "max_body_bytes"


Receive = Callable[[], Awaitable[dict[str, Any]]]


def _answer(app: FastAPI, receive: Receive) -> tuple[MutableMapping[str, Any], bytes]:
    """The app's response start message and body for a POST /sample whose body ``receive``
    hands over."""
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def serve() -> None:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": "/sample", "raw_path": b"/sample", "query_string": b"",
            "headers": [(b"content-type", b"application/json"), (b"host", b"test")],
            "client": ("127.0.0.1", 1), "server": ("test", 80), "root_path": "",
        }
        async with app.router.lifespan_context(app), asyncio.timeout(120):  # a hang guard
            await app(scope, receive, send)

    asyncio.run(serve())
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_a_body_that_stops_arriving_is_a_408(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"body_read_timeout_s": 0.05}))
    pieces = [{"type": "http.request", "body": b'{"model": "tiny-', "more_body": True}]

    async def receive() -> dict[str, Any]:
        if pieces:
            return pieces.pop()
        await asyncio.Event().wait()  # the client sends nothing more
        raise AssertionError("unreachable")

    start, body = _answer(app, receive)
    assert start["status"] == 408
    assert b"body_read_timeout_s" in body


def test_a_body_that_trickles_past_the_whole_body_deadline_is_a_408_closing_the_connection(
    settings: Settings,
) -> None:
    # QA F5: a byte every few seconds never stalls, and held the connection for ever
    app = create_app(settings.model_copy(
        update={"body_read_timeout_s": 30.0, "body_timeout_s": 0.2}
    ))

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0.01)
        return {"type": "http.request", "body": b" ", "more_body": True}

    start, body = _answer(app, receive)
    assert start["status"] == 408
    assert b"body_timeout_s" in body
    assert (b"connection", b"close") in start["headers"]
