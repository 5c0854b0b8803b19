"""Well-formed inference requests skip FastAPI's router and are answered as FastAPI answers them;
everything else goes through FastAPI (app/fast_path.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRouter
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

ROW = [0.25] * 64
# FastAPI reads "+json" media types as JSON; the fast path takes only application/json.
THROUGH_FASTAPI = {"content-type": "application/vnd.genserve+json"}


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests that reached FastAPI's router."""
    paths: list[str] = []
    original = APIRouter.__call__

    async def counting(self: APIRouter, scope: Any, receive: Any, send: Any) -> None:
        paths.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(APIRouter, "__call__", counting)
    return paths


def test_a_well_formed_request_is_answered_without_fastapis_router(
    client: TestClient, routed: list[str]
) -> None:
    response = client.post("/sample", json={"model": "tiny-vae", "n": 2, "seed": 1})
    assert response.status_code == 200 and len(response.json()["samples"]) == 2
    assert routed == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"model": "tiny-vae", "n": -1}', "application/json"),  # fails validation
        ('{"model": "tiny-vae", "n": ', "application/json"),  # not JSON
        ('{"model": "tiny-vae", "n": 2}', "text/plain"),  # not declared JSON
    ],
)
def test_a_request_the_model_does_not_accept_goes_to_fastapi(
    client: TestClient, routed: list[str], body: str, content_type: str
) -> None:
    response = client.post("/sample", content=body, headers={"content-type": content_type})
    assert response.status_code == 422
    assert routed == ["/sample"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/sample", {"model": "tiny-vae", "n": 3, "seed": 7}),
        ("/sample", {"model": "tiny-gmm", "n": 2, "seed": 7, "format": "base64"}),
        ("/reconstruct", {"model": "tiny-vae", "inputs": [ROW, ROW]}),
        ("/encode", {"model": "tiny-vae", "inputs": [ROW]}),
        ("/log-likelihood", {"model": "tiny-vae", "inputs": [ROW], "importance_samples": 5,
                             "seed": 2}),
        ("/interpolate", {"model": "tiny-vae", "inputs": [ROW, ROW], "steps": 3}),
        ("/encode", {"model": "nope", "inputs": [ROW]}),  # the service's 404
        ("/sample", {"model": "tiny-vae", "n": 1000}),  # the service's limit
        ("/sample", {"model": "tiny-gmm", "n": 1, "format": "png"}),  # no PNG for points
    ],
)
def test_the_fast_path_answers_as_fastapi_does(
    client: TestClient, routed: list[str], path: str, body: dict[str, Any]
) -> None:
    fast = client.post(path, json=body)
    assert routed == []
    slow = client.post(path, json=body, headers=THROUGH_FASTAPI)
    assert routed == [path]
    assert fast.status_code == slow.status_code
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert fast.json() == slow.json()


@pytest.fixture
def protected_client(settings: Settings) -> Iterator[TestClient]:
    closed = settings.model_copy(update={"protect_inference": True, "api_key": "fast-key"})
    with TestClient(create_app(closed)) as client:
        yield client


def test_protected_inference_goes_through_fastapis_access_check(
    protected_client: TestClient, routed: list[str]
) -> None:
    body = {"model": "tiny-vae", "n": 1, "seed": 0}
    assert protected_client.post("/sample", json=body).status_code == 401
    allowed = protected_client.post("/sample", json=body,
                                    headers={"Authorization": "Bearer fast-key"})
    assert allowed.status_code == 200
    assert routed == ["/sample", "/sample"]


def test_requests_on_the_fast_path_are_counted_under_their_route(client: TestClient) -> None:
    def served() -> float:
        for line in client.get("/metrics").text.splitlines():
            if line.startswith("genserve_requests_total{") and 'endpoint="/encode"' in line \
                    and 'model="tiny-vae"' in line and 'status="200"' in line:
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = served()
    client.post("/encode", json={"model": "tiny-vae", "inputs": [ROW]})
    assert served() == before + 1
