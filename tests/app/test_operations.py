"""The operation table (app/operations.py) is the one place an operation is declared: its route,
its OpenAPI entry, its metrics label and its fast path all come from it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.fast_path import InferenceFastPath
from app.operations import TABLE, Operation
from app.routers.inference import router

NAMES = [operation.name for operation in TABLE]


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def test_the_app_serves_the_inference_router(client: TestClient) -> None:
    included = [getattr(r, "original_router", None) for r in client.app.routes]  # type: ignore[attr-defined]
    assert router in included


@pytest.mark.parametrize("operation", TABLE, ids=NAMES)
def test_every_operation_has_a_post_route_with_its_schemas(
    operation: Operation[Any, Any, Any],
) -> None:
    routes = {r.path: r for r in router.routes if isinstance(r, APIRoute)}
    route = routes[operation.path]
    assert route.methods == {"POST"}
    assert route.name == operation.name
    assert route.response_model is operation.response
    assert route.body_field is not None
    assert route.body_field.field_info.annotation is operation.request


@pytest.mark.parametrize("operation", TABLE, ids=NAMES)
def test_every_operation_is_in_the_openapi_document(
    document: dict[str, Any], operation: Operation[Any, Any, Any]
) -> None:
    post = document["paths"][operation.path]["post"]
    request = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer = post["responses"]["200"]["content"]
    assert request == f"#/components/schemas/{operation.request.__name__}"
    assert answer["application/json"]["schema"]["$ref"].endswith("/" + operation.response.__name__)
    assert ("application/x-npy" in answer) is operation.binary
    assert post.get("description") == operation.description
    assert post["tags"] == ["inference"]


def test_the_document_has_no_inference_route_beyond_the_table(document: dict[str, Any]) -> None:
    tagged = {path for path, item in document["paths"].items()
              if "inference" in item.get("post", {}).get("tags", [])}
    assert tagged == {operation.path for operation in TABLE}


@pytest.mark.parametrize("operation", TABLE, ids=NAMES)
def test_every_operation_is_counted_under_its_route_and_the_model_its_body_names(
    client: TestClient, operation: Operation[Any, Any, Any]
) -> None:
    # valid or not, the request is labelled with its route template and its body's model
    client.post(operation.path, json={"model": "tiny-gmm"})
    metrics = client.get("/metrics").text
    assert f'genserve_requests_total{{endpoint="{operation.path}",method="POST",model="tiny-gmm"' \
        in metrics


@pytest.mark.parametrize("operation", TABLE, ids=NAMES)
def test_every_operation_has_a_fast_path(operation: Operation[Any, Any, Any]) -> None:
    from app.auth import InferenceAccess

    fast = InferenceFastPath(lambda scope, receive, send: None, router.routes, InferenceAccess)  # type: ignore[arg-type,return-value]
    assert fast.routes[operation.path].model is operation.request


def test_a_route_with_a_dependency_beyond_the_access_rule_stops_the_fast_path() -> None:
    """The fast path applies only the access rule: a route that needs more must not be on it."""
    from fastapi import APIRouter, Depends

    from app.auth import InferenceAccess
    from app.routers.inference import endpoint

    async def extra() -> None:
        """A rule a future route might add."""

    operation = TABLE[0]
    router = APIRouter(dependencies=[InferenceAccess, Depends(extra)])
    router.add_api_route(operation.path, endpoint(operation), methods=["POST"])
    with pytest.raises(TypeError, match="other dependencies"):
        InferenceFastPath(lambda scope, receive, send: None, router.routes, InferenceAccess)  # type: ignore[arg-type,return-value]
