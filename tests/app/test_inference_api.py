"""The five operations answer for both model kinds, in every format the model offers."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

ROWS = np.random.default_rng(0).random((3, 64)).round(4).tolist()
POINTS = [[0.5, 1.0], [-1.0, 0.2], [2.0, -1.5]]


def test_sample_returns_n_examples_in_the_data_shape(client: TestClient) -> None:
    body = client.post("/sample", json={"model": "tiny-vae", "n": 5, "seed": 3}).json()
    assert body["shape"] == [5, 8, 8]
    assert np.asarray(body["samples"]).shape == (5, 8, 8)
    assert body["seed"] == 3 and body["version"] == 2


def test_sample_with_the_same_seed_is_reproducible(client: TestClient) -> None:
    first = client.post("/sample", json={"model": "tiny-gmm", "n": 4, "seed": 11}).json()
    second = client.post("/sample", json={"model": "tiny-gmm", "n": 4, "seed": 11}).json()
    other = client.post("/sample", json={"model": "tiny-gmm", "n": 4, "seed": 12}).json()
    assert first["samples"] == second["samples"]
    assert first["samples"] != other["samples"]


def test_sample_without_seed_reports_the_seed_it_used(client: TestClient) -> None:
    body = client.post("/sample", json={"model": "tiny-gmm", "n": 2}).json()
    again = client.post("/sample", json={"model": "tiny-gmm", "n": 2, "seed": body["seed"]})
    assert again.json()["samples"] == body["samples"]


def test_sample_as_png_grid_is_an_image(client: TestClient) -> None:
    response = client.post("/sample", json={"n": 4, "format": "grid", "seed": 0})
    assert response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as grid:
        assert grid.size == (2 * 9 + 1, 2 * 9 + 1)


def test_sample_as_npy_matches_the_json_array(client: TestClient) -> None:
    as_json = client.post("/sample", json={"n": 3, "seed": 5}).json()["samples"]
    response = client.post("/sample", json={"n": 3, "seed": 5, "format": "npy"})
    array = np.load(io.BytesIO(response.content), allow_pickle=False)
    np.testing.assert_allclose(array, np.asarray(as_json), rtol=1e-6)


def test_sample_as_png_gives_one_image_per_sample(client: TestClient) -> None:
    body = client.post("/sample", json={"n": 3, "seed": 5, "format": "png"}).json()
    assert len(body["images"]) == 3 and "samples" not in body
    with Image.open(io.BytesIO(base64.b64decode(body["images"][0]))) as image:
        assert image.size == (8, 8)


def test_default_model_serves_when_none_is_named(client: TestClient) -> None:
    assert client.post("/sample", json={"n": 1}).json()["model"] == "tiny-vae"


def test_an_older_version_can_be_asked_for(client: TestClient) -> None:
    old = client.post("/sample", json={"model": "tiny-vae", "version": 1, "n": 2, "seed": 0})
    new = client.post("/sample", json={"model": "tiny-vae", "n": 2, "seed": 0})
    assert old.json()["version"] == 1
    assert old.json()["samples"] != new.json()["samples"]


def test_vae_encoding_is_the_posterior_mean_and_log_variance(client: TestClient) -> None:
    encoding = client.post("/encode", json={"model": "tiny-vae", "inputs": ROWS}).json()["encoding"]
    assert np.asarray(encoding["mean"]).shape == (3, 2)
    assert np.asarray(encoding["log_var"]).shape == (3, 2)


def test_gmm_encoding_gives_responsibilities_that_sum_to_one(client: TestClient) -> None:
    response = client.post("/encode", json={"model": "tiny-gmm", "inputs": POINTS})
    encoding = response.json()["encoding"]
    np.testing.assert_allclose(np.asarray(encoding["responsibilities"]).sum(axis=1), 1.0, atol=1e-5)
    assert np.asarray(encoding["component"]).shape == (3,)


def test_reconstruct_keeps_the_batch_shape(client: TestClient) -> None:
    body = client.post("/reconstruct", json={"model": "tiny-vae", "inputs": ROWS}).json()
    assert np.asarray(body["reconstructions"]).shape == (3, 8, 8)


def test_reconstruct_accepts_png_and_answers_png(client: TestClient) -> None:
    image = client.post("/sample", json={"n": 1, "seed": 0, "format": "png"}).json()["images"]
    body = client.post("/reconstruct", json={"images": image, "format": "png"}).json()
    assert len(body["images"]) == 1


def test_png_and_array_inputs_give_the_same_encoding(client: TestClient) -> None:
    pixels = (np.asarray(ROWS[0]).reshape(8, 8) * 255).round().astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG")
    image = base64.b64encode(buffer.getvalue()).decode()
    as_array = (pixels.astype(np.float64) / 255).reshape(1, 64).tolist()
    from_png = client.post("/encode", json={"images": [image]}).json()["encoding"]["mean"]
    from_array = client.post("/encode", json={"inputs": as_array}).json()["encoding"]["mean"]
    np.testing.assert_allclose(from_png, from_array, atol=1e-6)


def test_gmm_log_likelihood_is_exact_and_in_bits_per_dim(client: TestClient) -> None:
    body = client.post("/log-likelihood", json={"model": "tiny-gmm", "inputs": POINTS}).json()
    log_px = np.asarray(body["log_likelihood"])
    assert body["estimator"] == "exact" and body["elbo"] is None
    np.testing.assert_allclose(body["bits_per_dim"], -log_px / (2 * np.log(2)), rtol=1e-6)


def test_vae_log_likelihood_reports_the_bound_and_the_elbo(client: TestClient) -> None:
    request = {"model": "tiny-vae", "inputs": ROWS, "importance_samples": 50, "seed": 0}
    body = client.post("/log-likelihood", json=request).json()
    assert len(body["log_likelihood"]) == 3 and len(body["elbo"]) == 3
    assert np.mean(body["elbo"]) <= np.mean(body["log_likelihood"]) + 1e-4
    assert "k=50" in body["estimator"]


@pytest.mark.parametrize("method", ["linear", "slerp"])
def test_vae_interpolation_has_the_requested_steps(client: TestClient, method: str) -> None:
    request = {"model": "tiny-vae", "inputs": ROWS[:2], "steps": 5, "method": method}
    body = client.post("/interpolate", json=request).json()
    assert np.asarray(body["path"]).shape == (5, 8, 8)
    assert body["t"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert np.asarray(body["details"]["latents"]).shape == (5, 2)


def test_gmm_interpolation_carries_the_density_along_the_path(client: TestClient) -> None:
    request = {"model": "tiny-gmm", "inputs": POINTS[:2], "steps": 4}
    body = client.post("/interpolate", json=request).json()
    np.testing.assert_allclose(body["path"][0], POINTS[0], atol=1e-6)
    np.testing.assert_allclose(body["path"][-1], POINTS[1], atol=1e-6)
    assert len(body["details"]["log_likelihood"]) == 4


def test_vae_interpolation_ends_are_the_reconstructions_of_the_inputs(client: TestClient) -> None:
    path = client.post("/interpolate", json={"inputs": ROWS[:2], "steps": 3}).json()["path"]
    ends = client.post("/reconstruct", json={"inputs": ROWS[:2]}).json()["reconstructions"]
    np.testing.assert_allclose(path[0], ends[0], atol=1e-6)
    np.testing.assert_allclose(path[-1], ends[1], atol=1e-6)
