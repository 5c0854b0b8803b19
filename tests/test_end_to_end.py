"""The real server: uvicorn in a subprocess on a free port, serving the shipped weights."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import httpx
import numpy as np
import pytest

if TYPE_CHECKING:
    from conftest import LiveServer

SHIPPED = [
    "digits-vae", "digits-gmm", "pinwheel-gmm", "mnist-vae", "mnist-gmm", "mnist-cvae",
    "digits-cgmm",
]


@pytest.fixture(scope="module")
def server(start_server: Callable[..., LiveServer]) -> str:
    return start_server(GENSERVE_EMBEDDED_WORKER="false").url


@pytest.fixture(scope="module")
def http(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


def test_every_shipped_model_is_listed(http: httpx.Client) -> None:
    names = {m["name"] for m in http.get("/models").json()["models"]}
    assert set(SHIPPED) <= names
    assert http.get("/ready").json()["failed"] == {}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_endpoint_answers_for_a_shipped_model(http: httpx.Client, name: str) -> None:
    info = http.get(f"/models/{name}").json()
    assert np.isfinite(info["metrics"]["test_log_likelihood"])
    samples = http.post("/sample", json={"model": name, "n": 4, "seed": 0}).json()["samples"]
    inputs = np.asarray(samples).reshape(4, -1).tolist()
    for path, extra in [
        ("/encode", {}),
        ("/reconstruct", {}),
        ("/log-likelihood", {"importance_samples": 20}),
    ]:
        response = http.post(path, json={"model": name, "inputs": inputs, **extra})
        assert response.status_code == 200, (path, response.text)
    response = http.post("/interpolate", json={"model": name, "inputs": inputs[:2], "steps": 6})
    assert response.status_code == 200
    assert len(response.json()["path"]) == 6
    log_px = http.post("/log-likelihood", json={"model": name, "inputs": inputs}).json()
    assert np.isfinite(log_px["log_likelihood"]).all()


def test_sample_grid_for_an_image_model(http: httpx.Client) -> None:
    response = http.post("/sample", json={"model": "digits-vae", "n": 16, "format": "grid"})
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")


def test_bad_request_on_the_real_server_is_a_4xx(http: httpx.Client) -> None:
    response = http.post("/encode", json={"model": "digits-gmm", "inputs": [[0.5] * 10]})
    assert response.status_code == 422
    assert response.json()["error"]["rule"] == "shape"


def test_the_latent_gmm_prior_samples_reproducibly(http: httpx.Client) -> None:
    request = {"model": "mnist-vae", "n": 4, "seed": 7, "prior": "gmm"}
    first, second = (http.post("/sample", json=request).json() for _ in range(2))
    assert first["samples"] == second["samples"]
    normal = http.post("/sample", json={**request, "prior": "normal"}).json()
    assert normal["samples"] != first["samples"]
    assert http.get("/models/mnist-vae").json()["priors"] == ["normal", "gmm"]


def test_the_mnist_vae_card_adds_up_its_training_and_scores(http: httpx.Client) -> None:
    card = http.get("/models/mnist-vae").json()["config"]
    metrics, training = card["metrics"], card["training"]
    assert metrics["importance_samples"] >= 1000 and 0 < metrics["test_log_likelihood_stderr"] < 1
    assert card["data"]["preprocessing"]["binarize"] == "dynamic"
    chain, source = [], training
    while source:  # each warm start records its source's epochs and objective
        chain.append((source["epochs"], source["objective"]))
        source = source.get("warm_start")
    assert sum(epochs for epochs, _ in chain) > 300 and chain[-1][1] == "elbo"
    scores = metrics["sample_scores"]
    assert scores["gmm"]["frechet_distance"] < scores["normal"]["frechet_distance"]
