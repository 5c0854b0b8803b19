"""Request ids, JSON log lines, the last-resort 500, and CORS from settings."""

from __future__ import annotations

import gc
import json
import logging
import re
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.config import Settings
from app.main import create_app
from app.observability import JSONFormatter, RequestContext, is_safe_request_id

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def test_every_response_carries_a_generated_request_id(client: TestClient) -> None:
    first = client.get("/health").headers["x-request-id"]
    second = client.get("/health").headers["x-request-id"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second)
    assert first != second


def test_a_safe_incoming_request_id_is_honoured(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Request-ID": "trace-42.a:b_C"})
    assert response.headers["x-request-id"] == "trace-42.a:b_C"


@pytest.mark.parametrize("unsafe", ["has spaces", "x" * 65, "<script>", "a\\b", "é"])
def test_an_unsafe_incoming_request_id_is_replaced(client: TestClient, unsafe: str) -> None:
    response = client.get("/health", headers={"X-Request-ID": unsafe.encode("utf-8")})  # type: ignore[dict-item]
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])
    assert not is_safe_request_id(unsafe)


def test_error_responses_carry_the_request_id_too(client: TestClient) -> None:
    response = client.post("/sample", json={"n": 0}, headers={"X-Request-ID": "bad-n"})
    assert response.status_code == 422
    assert response.headers["x-request-id"] == "bad-n"


def test_the_access_log_line_is_json_with_request_id_endpoint_and_model(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="genserve.access"):
        client.post(
            "/sample", json={"model": "tiny-gmm", "n": 2}, headers={"X-Request-ID": "log-me"}
        )
    records = [r for r in caplog.records if r.name == "genserve.access"]
    line = json.loads(JSONFormatter().format(records[-1]))
    assert line["request_id"] == "log-me"
    assert line["level"] == "info" and line["logger"] == "genserve.access"
    assert line["endpoint"] == "/sample" and line["model"] == "tiny-gmm"
    assert line["status"] == 200 and line["duration_ms"] >= 0


def test_the_json_formatter_keeps_extras_and_the_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info(),
            extra={"job_id": "j1"},
        )
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "failed here" and line["job_id"] == "j1"
    assert "ValueError: boom" in line["exception"]


def _broken(request: Request) -> PlainTextResponse:
    raise RuntimeError("secret internals")


def test_an_unhandled_error_is_a_generic_500_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Starlette(routes=[Route("/broken", _broken)], middleware=[Middleware(RequestContext)])
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken", headers={"X-Request-ID": "oops-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "oops-1"
    assert response.json()["error"]["message"] == "internal server error"
    assert "secret" not in response.text
    assert any("secret internals" in (r.exc_text or "") or r.exc_info for r in caplog.records)


@pytest.fixture(scope="module")
def cors_client(settings: Settings) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"cors_origins": ["https://allowed.example"]})
    with TestClient(create_app(configured)) as client:
        yield client


def test_a_configured_origin_gets_cors_headers(cors_client: TestClient) -> None:
    response = cors_client.get("/models", headers={"Origin": "https://allowed.example"})
    assert response.headers["access-control-allow-origin"] == "https://allowed.example"
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
    preflight = cors_client.options(
        "/sample",
        headers={"Origin": "https://allowed.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://allowed.example"


def test_another_origin_gets_no_cors_headers(cors_client: TestClient) -> None:
    response = cors_client.get("/models", headers={"Origin": "https://other.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = cors_client.options(
        "/sample",
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_without_configured_origins_no_cors_headers_are_sent(client: TestClient) -> None:
    response = client.get("/models", headers={"Origin": "https://allowed.example"})
    assert "access-control-allow-origin" not in response.headers


def test_what_startup_built_is_frozen_out_of_full_collections(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    assert gc.get_freeze_count() > 10_000  # modules, models, routes: never garbage
