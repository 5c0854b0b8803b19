"""A direct path for well-formed requests to the inference routes, beside FastAPI's own.

FastAPI's per-request machinery (routing, dependency resolution, the request and exception
middleware) is a large share of what one process spends on an inference request. Measured on
``/sample`` (n = 16, 64 concurrent clients, 2 cores; ``bench/serving.py``'s load generator):
1,170-1,390 requests/s through FastAPI, 1,650-1,700 with the same work called directly inside
genserve's own middleware, 1,800-1,940 with no middleware at all.

This middleware serves a ``POST`` to an inference route whose ``application/json`` body parses
and validates against the route's request model by awaiting the route's own endpoint with the
app's service, and sends what it returns. Everything else goes to FastAPI unchanged, the body
replayed: other methods and paths, other content types, bodies that do not parse or validate,
and all requests while ``GENSERVE_PROTECT_INFERENCE`` is on. So every validation error is
FastAPI's, the OpenAPI schema is the routers', and the routers stay the one place that says what
a route does. Errors the endpoint raises go to the app's exception handlers, as under FastAPI.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, get_type_hints

from fastapi import FastAPI
from fastapi.params import Depends
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.routing import loads_body

__all__ = ["InferenceFastPath"]

_Endpoint = Callable[[BaseModel, Any], Awaitable[Response]]


class _Route:
    def __init__(self, route: APIRoute, access: Depends) -> None:
        parameters = list(inspect.signature(route.endpoint).parameters)
        if route.dependencies != [access] or len(parameters) != 2:
            raise TypeError(
                f"{route.path}: the fast path calls endpoints (request model, service) whose only "
                f"other dependency is inference access; update app/fast_path.py with the route"
            )
        self.route = route
        self.endpoint: _Endpoint = route.endpoint
        self.model: type[BaseModel] = get_type_hints(route.endpoint)[parameters[0]]


class InferenceFastPath:
    """``app.add_middleware(InferenceFastPath, routes=..., access=...)``, inside genserve's own
    middleware (request ids, metrics and logs stay as they are)."""

    def __init__(self, app: ASGIApp, routes: Iterable[BaseRoute], access: Depends) -> None:
        self.app = app
        self.routes = {
            route.path: _Route(route, access)
            for route in routes
            if isinstance(route, APIRoute) and "POST" in (route.methods or ())
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        app: FastAPI = scope["app"]
        if app.state.settings.protect_inference:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client left before its body arrived: nobody to answer
            return
        request = _parse(body, route.model)
        if request is None:  # FastAPI answers with its own error
            await self.app(scope, _replay(body, receive), send)
            return
        scope["route"] = route.route  # the metrics' and access log's route template
        try:
            response = await route.endpoint(request, app.state.inference)
        except Exception as exc:
            handler = _exception_handler(app, exc)
            if handler is None:
                raise
            outcome = handler(Request(scope, receive), exc)
            response = await outcome if inspect.isawaitable(outcome) else outcome
        await response(scope, receive, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type = value.split(b";", 1)[0].strip().lower()
            return media_type == b"application/json"
    return False


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _parse(body: bytes, model: type[BaseModel]) -> BaseModel | None:
    """The validated request, or None where FastAPI should answer (parsed as the routes parse)."""
    try:
        return model.model_validate(loads_body(body))
    except (ValueError, ValidationError, RecursionError):
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _exception_handler(app: FastAPI, exc: Exception) -> Callable[..., Any] | None:
    """The app's handler for ``exc``, as Starlette's exception middleware finds it (the catch-all
    ``Exception`` handler excepted: that one belongs to the server-error middleware)."""
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        handler = app.exception_handlers.get(cls)
        if handler is not None:
            return handler
    return None
