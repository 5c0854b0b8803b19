"""The service learns what a model can do from its declarations only: a model kind that declares
fewer abilities than the VAE and GMM gets clear 4xx refusals for the rest, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import models
from app.config import Settings
from app.main import create_app
from models import DataSpec
from models.storage import publish_model
from tests.app.toy_model import Toy, ToyHyperparameters

POINT = [[0.5, -0.5]]


@pytest.fixture
def toy_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setitem(models.MODEL_KINDS, "toy", Toy)
    weights = tmp_path / "weights"
    publish_model(Toy(ToyHyperparameters(), DataSpec(shape=(2,), dataset="toy")), weights, "toy")
    settings = Settings(
        weights_dir=weights, data_dir=tmp_path / "data", device="cpu", embedded_worker=False,
        default_model="toy",
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _refusal(response: Any) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["field"], error["rule"]


def test_a_declared_operation_is_served(toy_client: TestClient) -> None:
    response = toy_client.post("/sample", json={"model": "toy", "n": 3, "seed": 0})
    assert response.status_code == 200
    assert len(response.json()["samples"]) == 3


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/encode", {"inputs": POINT}),
        ("/reconstruct", {"inputs": POINT}),
        ("/log-likelihood", {"inputs": POINT}),
        ("/interpolate", {"inputs": POINT * 2}),
    ],
)
def test_an_undeclared_operation_is_refused_naming_the_capabilities(
    toy_client: TestClient, path: str, body: dict[str, Any]
) -> None:
    response = toy_client.post(path, json={"model": "toy", **body})
    assert _refusal(response) == (400, "model", "capabilities")
    assert "does not support" in response.json()["error"]["message"]


def test_an_undeclared_prior_is_refused_naming_the_priors(toy_client: TestClient) -> None:
    response = toy_client.post("/sample", json={"model": "toy", "prior": "gmm"})
    assert _refusal(response) == (400, "prior", "priors")


@pytest.mark.parametrize(
    ("view", "rule"),
    [("components", "kind"), ("density", "capabilities"),
     ("reference?importance_samples=100", "capabilities")],
)
def test_an_undeclared_page_view_is_refused(
    toy_client: TestClient, view: str, rule: str
) -> None:
    response = toy_client.get(f"/models/toy/{view}")
    assert _refusal(response) == (400, "name", rule)


def test_a_model_that_declares_an_operation_without_its_method_is_refused_at_class_creation(
) -> None:
    with pytest.raises(TypeError, match="declares 'encode' but has no encode"):
        type("Forgetful", (Toy,), {"capabilities": frozenset({"sample", "encode"})})
