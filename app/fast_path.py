"""A direct path for well-formed requests to the inference routes, beside FastAPI's own.

FastAPI's per-request machinery (routing, dependency resolution, the request and exception
middleware) is a large share of what one process spends on an inference request. Measured on
``/sample`` (n = 16, 64 concurrent clients, 2 cores; ``bench/serving.py``'s load generator):
1,170-1,390 requests/s through FastAPI, 1,650-1,700 with the same work called directly inside
genserve's own middleware, 1,800-1,940 with no middleware at all.

This middleware serves a ``POST`` to an inference route whose ``application/json`` body parses
and validates against its operation's request schema (``app.operations``) by awaiting the route's
own endpoint with the app's service, and sends what it returns. Everything else goes to FastAPI
unchanged, the body replayed: other methods and paths, other content types, bodies that do not
parse or validate, and all requests while the routes' access rule (``app.auth.InferenceAccess``)
asks for a key. So every validation error is FastAPI's, the OpenAPI schema is the routers', and
the routers stay the one place that says what a route does. It takes from the same places as the
routes: the operation table, the access rule (``inference_is_open``; a route with any other
dependency stops the app from starting), the service (``app.deps.service_of``), and for errors
the app's exception handlers, applied by Starlette's own ``ExceptionMiddleware``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.params import Depends
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.admission import current_client
from app.auth import inference_is_open
from app.deps import service_of
from app.operations import TABLE, Operation
from app.routing import DuplicateKey, loads_body

__all__ = ["InferenceFastPath"]


class _Route:
    def __init__(self, operation: Operation[Any, Any, Any], route: APIRoute, access: Depends):
        if route.dependencies != [access]:
            raise TypeError(
                f"{route.path}: the fast path applies the inference access rule only; a route "
                "with other dependencies must not be served by it (update app/fast_path.py)"
            )
        self.route = route
        self.model: type[BaseModel] = operation.request
        self.endpoint = route.endpoint


class InferenceFastPath:
    """``app.add_middleware(InferenceFastPath, routes=..., access=...)``, inside genserve's own
    middleware (request ids, metrics and logs stay as they are): ``routes`` are the inference
    router's, one per operation of ``operations`` (the table, by default)."""

    def __init__(
        self, app: ASGIApp, routes: Iterable[BaseRoute], access: Depends,
        operations: Iterable[Operation[Any, Any, Any]] = TABLE,
    ) -> None:
        self.app = app
        posts = {
            route.path: route for route in routes
            if isinstance(route, APIRoute) and "POST" in (route.methods or ())
        }
        self.routes = {op.path: _Route(op, posts[op.path], access) for op in operations}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        app: FastAPI = scope["app"]
        if not inference_is_open(app.state):
            await self.app(scope, receive, send)
            return
        early = service_of(app.state).admission.early_refusal(current_client(), _length(scope))
        if early is not None:  # a client back before its Retry-After: its body is not read
            await _answer_error(app, early, scope, receive, send)
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
            response = await route.endpoint(request, service_of(app.state))
        except Exception as exc:
            await _answer_error(app, exc, scope, receive, send)
            return
        await response(scope, receive, send)


async def _answer_error(
    app: FastAPI, exc: Exception, scope: Scope, receive: Receive, send: Send
) -> None:
    """``exc`` answered by the app's exception handlers, applied by Starlette's own
    ``ExceptionMiddleware`` as FastAPI builds it (the catch-all ``Exception`` handler excepted:
    that one belongs to the server-error middleware, here ``app.observability``'s)."""

    async def raising(scope: Scope, receive: Receive, send: Send) -> None:
        raise exc

    handlers = {key: handler for key, handler in app.exception_handlers.items()
                if key not in (500, Exception)}
    await ExceptionMiddleware(raising, handlers=handlers)(scope, receive, send)


def _length(scope: Scope) -> int | None:
    """The body's declared length, or None (chunked, or a header that is not a number)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


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
    except (ValueError, ValidationError, RecursionError, DuplicateKey):
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
