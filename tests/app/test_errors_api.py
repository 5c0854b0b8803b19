"""Bad input gets a 4xx JSON error that names the field and the rule; never a 500."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

ROW = [0.5] * 64


def assert_error(response, status: int, field: str | None, rule: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field, error
    assert error["rule"] == rule, error
    assert error["message"]


@pytest.mark.parametrize(
    ("path", "request_body", "status", "field", "rule"),
    [
        ("/encode", {"inputs": [[0.5] * 63]}, 422, "inputs", "shape"),
        ("/encode", {"inputs": [[2.0] * 64]}, 422, "inputs[0]", "value_range"),
        ("/reconstruct", {"inputs": [ROW, [0.1] * 10]}, 422, "inputs", "rectangular_numeric_array"),
        ("/encode", {"model": "nope", "inputs": [ROW]}, 404, "model", "exists"),
        ("/encode", {"version": 99, "inputs": [ROW]}, 404, "version", "exists"),
        ("/encode", {"model": "../etc", "inputs": [ROW]}, 422, "model", "string_pattern_mismatch"),
        ("/sample", {"n": 65}, 422, "n", "max_samples"),
        ("/sample", {"n": 0}, 422, "n", "greater_than_equal"),
        ("/sample", {"temperature": -1}, 422, "temperature", "greater_than_equal"),
        ("/interpolate", {"inputs": [ROW, ROW], "steps": 17}, 422,
         "steps", "max_interpolation_steps"),
        ("/log-likelihood", {"inputs": [ROW], "importance_samples": 501}, 422,
         "importance_samples", "max_importance_samples"),
        ("/encode", {"inputs": [ROW] * 33}, 422, "inputs", "max_request_examples"),
        ("/encode", {"images": ["%%%"]}, 422, "images[0]", "base64"),
        ("/encode", {"images": [base64.b64encode(b"hello").decode()]}, 422, "images[0]", "png"),
        ("/encode", {}, 422, "inputs", "one_of_inputs_images"),
        ("/encode", {"inputs": [ROW], "images": []}, 422, "images", "one_of_inputs_images"),
        ("/interpolate", {}, 422, "inputs", "one_of_inputs_images"),
        ("/interpolate", {"inputs": [ROW, ROW], "images": ["aGVsbG8="] * 2}, 422, "images",
         "one_of_inputs_images"),
        ("/interpolate", {"inputs": [ROW]}, 422, "inputs", "two_rows"),
        ("/interpolate", {"inputs": [ROW] * 3}, 422, "inputs", "two_rows"),
        ("/interpolate", {"images": ["aGVsbG8="]}, 422, "images", "two_rows"),
        ("/sample", {"n": 2, "colour": "red"}, 422, "colour", "extra_forbidden"),
        ("/sample", {"model": "tiny-gmm", "format": "png"}, 400, "format", "supported_formats"),
        ("/sample", {"model": "tiny-vae", "prior": "gmm"}, 400, "prior", "priors"),
        ("/interpolate", {"model": "tiny-gmm", "inputs": [[0, 0], [1, 1]], "method": "slerp"},
         400, "method", "interpolation_methods"),
        ("/encode", {"model": "tiny-gmm", "images": ["aGVsbG8="]}, 422, "images[0]", "image_model"),
    ],
)
def test_bad_requests_name_the_field_and_rule(
    client: TestClient, path: str, request_body: dict, status: int, field: str, rule: str
) -> None:
    assert_error(client.post(path, json=request_body), status, field, rule)


def test_nan_literals_in_inputs_are_invalid_json(client: TestClient) -> None:
    body = '{"inputs": [[' + ", ".join(["NaN"] * 64) + "]]}"
    response = client.post("/encode", content=body, headers={"content-type": "application/json"})
    assert_error(response, 422, "body", "json_invalid")
    assert "NaN is not a JSON number" in response.json()["error"]["message"]


def test_interpolation_needs_exactly_two_examples(client: TestClient) -> None:
    response = client.post("/interpolate", json={"inputs": [ROW, ROW, ROW]})
    assert response.status_code == 422
    assert "exactly two" in response.json()["error"]["message"]


def test_body_over_the_limit_gets_413(client: TestClient) -> None:
    response = client.post("/encode", json={"inputs": [ROW] * 3000})
    assert_error(response, 413, "body", "max_body_bytes")


def test_malformed_json_is_a_422(client: TestClient) -> None:
    response = client.post("/sample", content=b"{", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "validation_error"


def test_unknown_path_has_the_same_error_shape(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "http_error"


def test_work_past_the_request_timeout_is_a_408_and_the_service_goes_on(
    settings: Settings,
) -> None:
    hurried = settings.model_copy(update={"request_timeout_s": 1e-6})
    with TestClient(create_app(hurried)) as client:
        request = {"inputs": [ROW] * 32, "importance_samples": 500}
        assert_error(client.post("/log-likelihood", json=request), 408, None, "request_timeout")
    with TestClient(create_app(settings)) as client:
        assert client.post("/log-likelihood", json=request).status_code == 200
