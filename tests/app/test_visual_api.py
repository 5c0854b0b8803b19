"""The page's read-only views: mixture components, 2-D density grids, reference distributions."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

from app import visuals
from app.config import Settings
from app.main import create_app
from app.registry import LoadedModel
from models import load_model
from tests.conftest import REPO_ROOT


def test_components_are_the_mixtures_parameters(client: TestClient) -> None:
    body = client.get("/models/tiny-gmm/components").json()
    model = client.app.state.registry.get("tiny-gmm").model  # type: ignore[attr-defined]
    weights, means, covariances = (np.asarray(body[k]) for k in ("weights", "means", "covariances"))
    assert body["n_components"] == 3 and body["covariance_type"] == "full"
    assert weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(means, model.means.numpy(), rtol=1e-12)
    np.testing.assert_allclose(covariances, model.covariances().numpy(), rtol=1e-10)
    assert np.all(np.linalg.eigvalsh(covariances) > 0)


def test_components_of_a_vae_are_refused_naming_the_rule(client: TestClient) -> None:
    response = client.get("/models/tiny-vae/components")
    assert response.status_code == 400
    assert response.json()["error"]["rule"] == "kind"


def test_density_grid_is_the_models_log_density(client: TestClient) -> None:
    body = client.get(
        "/models/tiny-gmm/density",
        params={"resolution": 5, "x_min": -2, "x_max": 2, "y_min": -1, "y_max": 3},
    ).json()
    assert body["x"] == pytest.approx(np.linspace(-2, 2, 5))
    assert body["y"] == pytest.approx(np.linspace(-1, 3, 5))
    grid = np.asarray(body["log_density"])
    model = client.app.state.registry.get("tiny-gmm").model  # type: ignore[attr-defined]
    at = torch.tensor([[body["x"][4], body["y"][1]]])
    assert grid[1, 4] == pytest.approx(float(model.log_likelihood(at)["log_likelihood"][0]),
                                       rel=1e-5)


def test_density_bounds_default_to_where_the_samples_fall(client: TestClient) -> None:
    body = client.get("/models/tiny-gmm/density", params={"resolution": 8}).json()
    assert np.isfinite(body["log_density"]).all()
    assert body["x"][0] < body["x"][-1] and body["y"][0] < body["y"][-1]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"x_min": 0}, 422),  # some bounds but not all
        ({"x_min": 1, "x_max": 0, "y_min": 0, "y_max": 1}, 422),
        ({"resolution": 1000}, 422),
    ],
)
def test_bad_density_requests_are_4xx(client: TestClient, params: dict[str, float],
                                      status: int) -> None:
    response = client.get("/models/tiny-gmm/density", params=params)
    assert response.status_code == status
    assert response.json()["error"]["message"]


def test_density_of_an_image_model_is_refused(client: TestClient) -> None:
    response = client.get("/models/tiny-vae/density")
    assert response.status_code == 400
    assert response.json()["error"]["rule"] == "two_dimensional"


def test_reference_falls_back_to_samples_when_the_data_cannot_be_rebuilt(
    client: TestClient,
) -> None:
    body = client.get("/models/tiny-vae/reference", params={"importance_samples": 10}).json()
    assert body["source"] == "model samples" and body["n"] == visuals.REFERENCE_SAMPLES
    histogram = body["log_likelihood"]["histogram"]
    assert sum(histogram["counts"]) == body["n"]
    assert len(histogram["edges"]) == len(histogram["counts"]) + 1
    latent = body["latent"]
    assert latent["method"] == "identity" and len(latent["points"][0]) == 2


def _shipped(name: str) -> LoadedModel:
    path = REPO_ROOT / "weights" / name / "1"
    return LoadedModel(name, 1, load_model(path), path)


def test_reference_rebuilds_the_recorded_test_split_exactly() -> None:
    """For an exact GMM, the mean over the rebuilt split is the recorded held-out figure."""
    loaded = _shipped("pinwheel-gmm")
    body = visuals.reference(loaded, importance_samples=1)
    assert body["source"] == "test split"
    assert body["n"] == loaded.model.data.split["n_test"]
    assert body["log_likelihood"]["mean"] == pytest.approx(
        loaded.model.metrics["test_log_likelihood"], abs=1e-4
    )


def test_reference_of_a_vae_projects_latents_and_keeps_labels() -> None:
    loaded = _shipped("digits-vae")
    body = visuals.reference(loaded, importance_samples=2)
    latent = body["latent"]
    assert latent["method"] == "pca" and np.asarray(latent["projection"]).shape == (2, 8)
    labels = np.asarray(latent["labels"])
    assert len(labels) == len(latent["points"]) and set(labels.tolist()) == set(range(10))


def test_references_are_cached_per_model_version_and_k() -> None:
    cache = visuals.ReferenceCache(capacity=1)
    loaded = _shipped("pinwheel-gmm")
    computed: list[int] = []

    def ask(k: int) -> dict[str, Any]:
        async def compute() -> dict[str, Any]:
            computed.append(k)
            return cache.put(cache.key(loaded, k), visuals.reference(loaded, k))

        return asyncio.run(cache.get(cache.key(loaded, k), compute))

    first = ask(1)
    assert ask(1) is first and computed == [1]
    ask(2)
    assert ask(1) is not first and computed == [1, 2, 1]  # evicted by capacity


def test_the_views_are_closed_when_inference_is(settings: Settings) -> None:
    closed = settings.model_copy(update={"protect_inference": True, "api_key": "views-key"})
    with TestClient(create_app(closed)) as client:
        assert client.get("/models/tiny-gmm/components").status_code == 401
        authorised = {"Authorization": "Bearer views-key"}
        assert client.get("/models/tiny-gmm/components", headers=authorised).status_code == 200
