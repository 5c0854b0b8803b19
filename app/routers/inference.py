"""The inference routes, one per entry of the operation table (``app.operations``).

Each route validates its request schema and hands it, with its operation, to the service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.responses import Response

from app.auth import InferenceAccess
from app.deps import ServiceDep
from app.inference import InferenceService
from app.operations import TABLE, Operation
from app.routing import FastJSONRoute

router = APIRouter(
    tags=["inference"], dependencies=[InferenceAccess], route_class=FastJSONRoute
)

_BINARY: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/x-npy": {}, "image/png": {}}},
}


def endpoint(operation: Operation[Any, Any, Any]) -> Callable[..., Awaitable[Response]]:
    """The route function of ``operation``: its request schema and the service, nothing else
    (the fast path, ``app.fast_path``, calls it the same way)."""

    async def perform(request: BaseModel, service: InferenceService) -> Response:
        return await service.perform(operation, request)

    perform.__name__ = perform.__qualname__ = operation.name
    perform.__doc__ = operation.description
    # FastAPI reads the parameters' types from the annotations: the operation's own schema
    perform.__annotations__ = {
        "request": operation.request, "service": ServiceDep, "return": Response,
    }
    return perform


for _operation in TABLE:
    router.add_api_route(
        _operation.path, endpoint(_operation), methods=["POST"], name=_operation.name,
        response_model=_operation.response, summary=_operation.summary,
        responses=_BINARY if _operation.binary else None,
    )
