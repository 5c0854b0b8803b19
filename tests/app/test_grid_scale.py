"""`/sample` with `format=grid` and `scale`: the same grid, each pixel a scale x scale block."""

from __future__ import annotations

import io

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image


def grid(client: TestClient, **extra: object) -> np.ndarray:
    response = client.post(
        "/sample", json={"model": "tiny-vae", "n": 5, "seed": 3, "format": "grid", **extra}
    )
    assert response.status_code == 200, response.text
    return np.asarray(Image.open(io.BytesIO(response.content)))


def test_a_scaled_grid_repeats_every_pixel_as_a_block(client: TestClient) -> None:
    plain = grid(client)
    scaled = grid(client, scale=3)
    assert scaled.shape == (plain.shape[0] * 3, plain.shape[1] * 3)
    assert np.array_equal(scaled, np.repeat(np.repeat(plain, 3, axis=0), 3, axis=1))


def test_a_scale_past_the_bound_is_refused_naming_the_field(client: TestClient) -> None:
    response = client.post("/sample", json={"model": "tiny-vae", "format": "grid", "scale": 9})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "scale"
