"""The served OpenAPI document is valid OpenAPI 3.1, and says the rules the server enforces."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import OpenAPIV31SpecValidator

from app.config import Settings
from app.main import create_app
from models.storage import NAME_PATTERN

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    settings = Settings(
        weights_dir=REPO_ROOT / "weights", data_dir=tmp_path_factory.mktemp("data"),
        device="cpu", api_key="k", embedded_worker=False,
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/openapi.json")
        assert response.status_code == 200
        yield response.json()


def _parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    parameters = document["paths"][path]["get"]["parameters"]
    found: dict[str, Any] = next(p for p in parameters if p["name"] == name)
    return found


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of ``anyOf: [X, null]``."""
    branches = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    assert len(branches) == 1
    return branches[0]


def test_the_served_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    errors = [e.message for e in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_the_validator_catches_a_draft_4_tuple(document: dict[str, Any]) -> None:
    """The check above could fail: `items` as an array is what 3.1 forbids."""
    import copy

    broken = copy.deepcopy(document)
    value_range = broken["components"]["schemas"]["ModelSummary"]["properties"]["value_range"]
    pair = _nullable(value_range)
    pair["items"] = pair.pop("prefixItems")
    assert list(OpenAPIV31SpecValidator(broken).iter_errors()) != []


def test_value_range_is_a_pair_of_numbers(document: dict[str, Any]) -> None:
    value_range = document["components"]["schemas"]["ModelDetail"]["properties"]["value_range"]
    pair = _nullable(value_range)
    assert pair["prefixItems"] == [{"type": "number"}, {"type": "number"}]
    assert pair["minItems"] == pair["maxItems"] == 2


@pytest.mark.parametrize("view", ["components", "density", "reference"])
def test_the_views_declare_the_model_name_rule(document: dict[str, Any], view: str) -> None:
    name = _parameter(document, f"/models/{{name}}/{view}", "name")
    assert name["schema"]["pattern"] == NAME_PATTERN


@pytest.mark.parametrize("bound", ["x_min", "x_max", "y_min", "y_max"])
def test_density_bounds_declare_their_range(document: dict[str, Any], bound: str) -> None:
    parameter = _parameter(document, "/models/{name}/density", bound)
    schema = _nullable(parameter["schema"])
    assert schema["minimum"] == -1e9 and schema["maximum"] == 1e9
    assert "all four" in parameter["description"]


def test_an_upload_declares_the_name_rule(document: dict[str, Any]) -> None:
    body = document["components"]["schemas"]["Body_upload_dataset_datasets_post"]
    assert _nullable(body["properties"]["name"])["pattern"] == NAME_PATTERN
    assert ".npy" in body["properties"]["file"]["description"]
    assert "409" in document["paths"]["/datasets"]["post"]["responses"]


def test_a_bound_past_its_range_is_refused_naming_it(tmp_path: Path) -> None:
    settings = Settings(
        weights_dir=REPO_ROOT / "weights", data_dir=tmp_path, device="cpu", api_key="k",
        embedded_worker=False,
    )
    with TestClient(create_app(settings)) as client:
        bounds = {"x_min": -1e308, "x_max": 1, "y_min": -1, "y_max": 1}
        response = client.get("/models/pinwheel-gmm/density", params=bounds)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "query.x_min"
