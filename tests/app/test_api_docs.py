"""The API's documentation: offline docs pages, and job ``params`` typed per kind in OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import DOCS_ASSETS, REDOC_JS, create_app
from models.kinds import kinds

API_KEY = "docs-test-key"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, weights_dir: Path) -> Iterator[TestClient]:
    settings = Settings(
        weights_dir=weights_dir, data_dir=tmp_path_factory.mktemp("docs-data"), device="cpu",
        api_key=API_KEY, embedded_worker=False,  # jobs stay queued: nothing trains here
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def resolved(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """A component schema, validating against the rest of the spec's components."""
    return {**spec["components"]["schemas"][name], "components": spec["components"]}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_their_scripts_from_this_server(
    client: TestClient, page: str
) -> None:
    html = client.get(page).text
    assert "cdn." not in html and "https://" not in html, html
    scripts = [part.split('"')[0] for part in html.split('src="')[1:]]
    assert scripts and all(src.startswith((DOCS_ASSETS, REDOC_JS)) for src in scripts), scripts
    for src in scripts:
        asset = client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 100_000, src
        assert b"cdn.redoc.ly" not in asset.content  # nothing a page would fetch from a CDN


def test_the_job_request_is_a_union_tagged_by_kind(spec: dict[str, Any]) -> None:
    schema = spec["components"]["schemas"]["JobRequest"]
    assert schema["discriminator"]["propertyName"] == "kind"
    assert set(schema["discriminator"]["mapping"]) == set(kinds())
    body = spec["paths"]["/jobs"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/JobRequest"}


@pytest.mark.parametrize("kind", sorted(kinds()))
def test_each_kinds_params_list_every_field_of_its_parts(spec: dict[str, Any], kind: str) -> None:
    variant = spec["components"]["schemas"][f"{kind.upper()}JobRequest"]
    assert variant["properties"]["kind"]["const"] == kind
    params_ref = variant["properties"]["params"]["$ref"].rsplit("/", 1)[-1]
    params = spec["components"]["schemas"][params_ref]
    expected = {name for part in kinds()[kind].parts for name in part.model_fields}
    assert set(params["properties"]) == expected
    assert params["additionalProperties"] is False and not params.get("required")


def test_the_schema_refuses_a_parameter_of_the_other_kind(spec: dict[str, Any]) -> None:
    schema = resolved(spec, "JobRequest")
    body = {"kind": "gmm", "name": "x", "dataset": "pinwheel", "params": {"latent_dim": 2}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, schema)
    jsonschema.validate({**body, "kind": "vae"}, schema)


def test_every_example_fits_the_schema_and_is_accepted(
    client: TestClient, spec: dict[str, Any]
) -> None:
    examples = spec["components"]["schemas"]["JobRequest"]["examples"]
    body = spec["paths"]["/jobs"]["post"]["requestBody"]["content"]["application/json"]
    named = [example["value"] for example in body["examples"].values()]  # /docs' choice
    assert {example["kind"] for example in examples} == set(kinds())
    assert {example["kind"] for example in named} == set(kinds())
    examples = [*examples, *named]
    seen: list[dict[str, Any]] = []
    for example in examples:
        jsonschema.validate(example, resolved(spec, "JobRequest"))
        response = client.post(
            "/jobs", json={**example, "name": f"{example['name']}-{len(seen)}"},
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
        seen.append(example)
        assert response.status_code == 202, response.text
