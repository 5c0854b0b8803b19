"""Uploads in every supported format are parsed, normalised and stored by content hash."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

import numpy as np
import pytest
from fastapi.testclient import TestClient
from jobkit import AUTH
from PIL import Image

from app.config import Settings
from app.dataset_store import array_sha256

pytestmark = pytest.mark.job_settings(embedded_worker=False)

IMAGES = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5) * 4


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def png_zip(images: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("digits/", b"")
        for i, image in enumerate(images):
            png = io.BytesIO()
            Image.fromarray(image, mode="L").save(png, format="PNG")
            archive.writestr(f"digits/{i:03d}.png", png.getvalue())
    return buffer.getvalue()


def idx(images: np.ndarray) -> bytes:
    header = b"\x00\x00\x08" + bytes([images.ndim]) + b"".join(
        struct.pack(">I", s) for s in images.shape
    )
    return header + images.tobytes()


@pytest.mark.parametrize(
    ("filename", "content", "shape", "levels"),
    [
        ("points.npy", npy(np.ones((4, 3), dtype=np.float32)), [3], None),
        ("pairs.npz", npz(x=np.ones((5, 2)), y=np.zeros(5)), [2], None),
        ("header.csv", b"a,b,c\n1,2,3\n4,5,6\n", [3], None),
        ("bits.npy", npy(np.eye(4, dtype=bool)), [4], 2),
        ("images.zip", png_zip(IMAGES), [4, 5], 256),
        ("t10k-images-idx3-ubyte", idx(IMAGES), [4, 5], 256),
        ("train-images-idx3-ubyte.gz", gzip.compress(idx(IMAGES)), [4, 5], 256),
    ],
)
def test_each_format_is_stored_with_its_shape_and_levels(
    job_client: TestClient, job_settings: Settings, filename: str, content: bytes, shape: list[int],
    levels: int | None,
) -> None:
    response = job_client.post("/datasets", files={"file": (filename, content)}, headers=AUTH)
    assert response.status_code in (200, 201), response.text
    info = response.json()
    assert (info["shape"], info["levels"], info["builtin"]) == (shape, levels, False)
    stored = job_settings.data_dir / "datasets" / f"{info['sha256']}.npz"
    with np.load(stored, allow_pickle=False) as archive:
        labels = {k: archive[k] for k in ("y", "y_test", "classes") if k in archive}
        assert array_sha256(archive["x"], labels=labels) == info["sha256"]
    listed = {d["name"]: d for d in job_client.get("/datasets", headers=AUTH).json()["datasets"]}
    assert listed[info["name"]] == info


def test_png_zip_and_idx_of_the_same_images_are_one_file(job_client: TestClient) -> None:
    a = job_client.post("/datasets", files={"file": ("same.zip", png_zip(IMAGES))},
                        data={"name": "same-a"}, headers=AUTH).json()
    b = job_client.post("/datasets", files={"file": ("same-idx3-ubyte", idx(IMAGES))},
                        data={"name": "same-b"}, headers=AUTH).json()
    assert a["sha256"] == b["sha256"] == array_sha256(IMAGES)


def test_uploading_the_same_data_again_is_idempotent(job_client: TestClient) -> None:
    content = npy(np.arange(6.0).reshape(3, 2))
    first = job_client.post("/datasets", files={"file": ("again.npy", content)}, headers=AUTH)
    second = job_client.post("/datasets", files={"file": ("again.npy", content)}, headers=AUTH)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()


def test_builtins_are_listed_with_their_hashes(job_client: TestClient) -> None:
    listed = {d["name"]: d for d in job_client.get("/datasets", headers=AUTH).json()["datasets"]}
    assert {"digits", "pinwheel", "two-moons"} <= set(listed)
    assert listed["digits"]["builtin"] and listed["digits"]["shape"] == [8, 8]
    assert listed["digits"]["levels"] == 17 and len(listed["digits"]["sha256"]) == 64
    assert job_client.get("/datasets/nope", headers=AUTH).status_code == 404
