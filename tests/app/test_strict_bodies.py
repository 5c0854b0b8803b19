"""Request bodies are strict JSON with strict numbers, on the fast path and through FastAPI
alike (issue 17, "also seen"): no NaN or Infinity literals, no "0.5" or true for a number, and
null named as null."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

ROW = [0.5] * 64
JSON = {"content-type": "application/json"}


def error_of(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["field"] and error["rule"] and error["message"]
    return error


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"n": True}, "n"), ({"n": "3"}, "n"), ({"n": 2.0}, "n"),
        ({"temperature": "0.5"}, "temperature"), ({"temperature": True}, "temperature"),
        ({"seed": False}, "seed"), ({"version": "1"}, "version"),
    ],
)
def test_strings_and_bools_are_not_numbers(client: TestClient, body: dict[str, Any], field: str
                                           ) -> None:
    error = error_of(client.post("/sample", json={"model": "tiny-vae", **body}))
    assert error["field"] == field
    assert error["rule"] in ("int_type", "float_type")


@pytest.mark.parametrize(
    ("value", "got"), [("0.5", "a string"), (True, "a boolean"), (None, "null"), ([1], "an array")]
)
def test_inputs_hold_numbers_only_and_say_what_else_they_found(
    client: TestClient, value: Any, got: str
) -> None:
    row: list[Any] = [*ROW[:10], value, *ROW[11:]]
    error = error_of(client.post("/encode", json={"model": "tiny-vae", "inputs": [ROW, row]}))
    assert error["field"] == "inputs[1][10]"
    assert got in error["message"]


def test_null_in_inputs_is_reported_as_null_not_nan(client: TestClient) -> None:
    error = error_of(client.post("/encode", json={"inputs": [[None] * 64]}))
    assert "null" in error["message"] and "NaN" not in error["message"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/sample", '{"n": 2, "temperature": %s}'),  # the fast path's route
        ("/encode", '{"inputs": [[%s' + ", 0.5" * 63 + "]]}"),
        ("/log-likelihood", '{"inputs": [[0.5' + ", 0.5" * 62 + ", %s]]}"),
    ],
)
def test_no_nan_or_infinity_in_any_inference_body(
    client: TestClient, path: str, template: str, literal: str
) -> None:
    error = error_of(client.post(path, content=template % literal, headers=JSON))
    assert (error["field"], error["rule"]) == ("body", "json_invalid")
    assert "invalid JSON at character" in error["message"]


def test_finite_numbers_still_pass(client: TestClient) -> None:
    response = client.post("/sample", content=b'{"n": 2, "temperature": 1e0, "seed": 3}',
                           headers=JSON)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/sample", "[" * 5000 + "]" * 5000),
        ("/encode", '{"inputs": ' + "[" * 5000 + "]" * 5000 + "}"),
        ("/jobs", '{"kind": "gmm", "params": ' + "{\"a\": " * 5000 + "1" + "}" * 5001),
        ("/models/tiny-vae/aliases/best", '{"version": ' + "[" * 5000 + "]" * 5000 + "}"),
    ],
)
def test_json_nested_too_deeply_is_invalid_json_like_any_other(
    client: TestClient, path: str, body: str
) -> None:
    method = "PUT" if "aliases" in path else "POST"
    response = client.request(method, path, content=body,
                              headers={**JSON, "X-API-Key": "test-key"})
    error = error_of(response)
    assert (error["field"], error["rule"]) == ("body", "json_invalid")
    assert "nest more than 1024 deep" in error["message"]


def test_json_nested_within_the_limit_reaches_validation(client: TestClient) -> None:
    body = '{"model": "tiny-vae", "n": ' + "[" * 1000 + "]" * 1000 + "}"
    error = error_of(client.post("/sample", content=body, headers=JSON))
    assert error["field"] == "n" and error["rule"] != "json_invalid"


ROW_TEXT = "[" + ", ".join(["0.5"] * 64) + "]"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/jobs", '{"kind": "gmm", "kind": "vae", "name": "twice", "dataset": "pinwheel"}'),
        ("/jobs", '{"kind": "gmm", "name": "twice", "dataset": "pinwheel", '
                  '"params": {"n_components": 2, "n_components": 3}}'),
        ("/sample", '{"n": 2, "n": 3}'),  # the fast path's route
        ("/encode", '{"model": "tiny-vae", "inputs": [' + ROW_TEXT + '], "model": "tiny-gmm"}'),
    ],
)
def test_a_key_repeated_in_an_object_is_refused(client: TestClient, path: str, body: str
                                                ) -> None:
    headers = {**JSON, "X-API-Key": "test-key"}
    error = error_of(client.post(path, content=body, headers=headers))
    assert (error["field"], error["rule"]) == ("body", "duplicate_key")
    assert "appears twice" in error["message"]


def test_colons_inside_strings_are_not_taken_for_repeated_keys(client: TestClient) -> None:
    body = '{"model": "tiny-vae", "n": 2, "version": "a:b:c"}'
    error = error_of(client.post("/sample", content=body, headers=JSON))
    assert error["field"] == "version" and error["rule"] != "duplicate_key"
