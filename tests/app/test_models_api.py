"""Listing models, describing one, and the health probes."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_models_lists_each_model_once_at_its_latest_version(client: TestClient) -> None:
    body = client.get("/models").json()
    by_name = {m["name"]: m for m in body["models"]}
    assert set(by_name) == {"tiny-vae", "tiny-gmm"}
    assert by_name["tiny-vae"]["version"] == 2 and by_name["tiny-vae"]["versions"] == [1, 2]
    assert body["default"] == "tiny-vae" and by_name["tiny-vae"]["default"] is True


def test_model_summary_has_the_contract_fields(client: TestClient) -> None:
    gmm = next(m for m in client.get("/models").json()["models"] if m["name"] == "tiny-gmm")
    assert gmm["kind"] == "gmm" and gmm["data_shape"] == [2]
    assert set(gmm["capabilities"]) == {
        "sample", "encode", "reconstruct", "log_likelihood", "interpolate"
    }
    assert gmm["formats"] == ["array", "npy", "base64"]


def test_model_detail_adds_the_config(client: TestClient) -> None:
    body = client.get("/models/tiny-gmm").json()
    assert body["config"]["hyperparameters"]["n_components"] == 3
    assert body["config"]["data"]["dataset"] == "pinwheel"


def test_model_detail_of_an_old_version(client: TestClient) -> None:
    assert client.get("/models/tiny-vae", params={"version": 1}).json()["version"] == 1


def test_unknown_model_is_404_naming_the_field(client: TestClient) -> None:
    response = client.get("/models/missing")
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "model"


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["ready"] is True and ready["device"] == "cpu" and ready["failed"] == {}


def test_docs_schema_has_examples_for_the_operations(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ["/sample", "/encode", "/reconstruct", "/log-likelihood", "/interpolate"]:
        assert path in schema["paths"]
    assert "examples" in schema["components"]["schemas"]["SampleRequest"]
