"""Compact answers: base64 float32 and uint8 carry the same values as the JSON arrays."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

ROWS = np.random.default_rng(0).random((3, 64)).round(4).tolist()


def unpack(body: dict[str, object], key: str) -> np.ndarray:
    dtype = {"float32": "<f4", "uint8": "u1"}[str(body["dtype"])]
    raw = base64.b64decode(str(body[key]))
    return np.frombuffer(raw, dtype=dtype).reshape(body["shape"])  # type: ignore[arg-type]


@pytest.mark.parametrize("model", ["tiny-vae", "tiny-gmm"])
def test_base64_samples_are_the_json_samples_as_float32_bytes(
    client: TestClient, model: str
) -> None:
    as_json = client.post("/sample", json={"model": model, "n": 4, "seed": 2}).json()
    packed = client.post("/sample", json={"model": model, "n": 4, "seed": 2, "format": "base64"})
    body = packed.json()
    assert body["dtype"] == "float32" and body["shape"] == as_json["shape"]
    np.testing.assert_array_equal(unpack(body, "samples"), np.float32(as_json["samples"]))


@pytest.mark.parametrize(("path", "key", "extra"), [
    ("/reconstruct", "reconstructions", {}),
    ("/interpolate", "path", {"steps": 5}),
])
def test_base64_reconstructions_and_paths_match_the_arrays(
    client: TestClient, path: str, key: str, extra: dict[str, int]
) -> None:
    request = {"model": "tiny-vae", "inputs": ROWS[:2], **extra}
    as_json = client.post(path, json=request).json()
    body = client.post(path, json={**request, "format": "base64"}).json()
    np.testing.assert_array_equal(unpack(body, key), np.float32(as_json[key]))


def test_uint8_samples_are_the_png_pixels(client: TestClient) -> None:
    request = {"model": "tiny-vae", "n": 3, "seed": 4}
    body = client.post("/sample", json={**request, "format": "uint8"}).json()
    pngs = client.post("/sample", json={**request, "format": "png"}).json()["images"]
    pixels = unpack(body, "samples")
    assert body["dtype"] == "uint8" and pixels.shape == (3, 8, 8)
    for image, expected in zip(pngs, pixels, strict=True):
        with Image.open(io.BytesIO(base64.b64decode(image))) as png:
            np.testing.assert_array_equal(np.asarray(png), expected)


def test_uint8_is_refused_for_a_model_without_a_value_range(client: TestClient) -> None:
    response = client.post("/sample", json={"model": "tiny-gmm", "format": "uint8"})
    assert response.status_code == 400
    assert response.json()["error"]["rule"] == "supported_formats"
