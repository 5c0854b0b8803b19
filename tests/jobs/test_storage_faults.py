"""A full or read-only data folder gives clear errors, and nothing already stored is damaged.

The data folder is a tiny tmpfs mounted for the test (root only; skipped elsewhere), so the
kernel itself refuses the writes: no mocks.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from jobkit import AUTH, TINY_GMM, make_settings

from app.main import create_app


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "disk"
    root.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(root)):
        pytest.skip("needs permission to mount a tmpfs (run as root)")
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


@pytest.fixture
def client(small_disk: Path, tmp_path: Path, weights_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, weights_dir, embedded_worker=False)
    settings.data_dir = small_disk / "data"
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def npy_upload(seed: int) -> dict[str, tuple[str, bytes]]:
    buffer = io.BytesIO()
    np.save(buffer, np.random.default_rng(seed).normal(size=(400, 2)))
    return {"file": (f"points-{seed}.npy", buffer.getvalue())}


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def test_a_full_data_folder_answers_507_and_keeps_what_was_stored(
    client: TestClient, small_disk: Path
) -> None:
    assert client.post("/datasets", files=npy_upload(1), headers=AUTH).status_code == 201
    filler = fill(small_disk)
    response = client.post("/datasets", files=npy_upload(2), headers=AUTH)
    assert response.status_code == 507, response.text
    assert "full" in response.json()["error"]["message"]
    assert not list((small_disk / "data").rglob(".upload-*"))  # no half-written file
    filler.unlink()
    names = {d["name"] for d in client.get("/datasets", headers=AUTH).json()["datasets"]}
    assert "points-1" in names and "points-2" not in names
    assert client.post("/datasets", files=npy_upload(2), headers=AUTH).status_code == 201


def test_a_read_only_data_folder_at_start_closes_jobs_with_503_and_inference_serves(
    small_disk: Path, tmp_path: Path, weights_dir: Path
) -> None:
    settings = make_settings(tmp_path, weights_dir, embedded_worker=False)
    settings.data_dir = small_disk / "data"
    job = {"kind": "gmm", "name": "ro-gmm", "dataset": "pinwheel", "params": TINY_GMM}
    with TestClient(create_app(settings)) as client:
        assert client.post("/jobs", json=job, headers=AUTH).status_code == 202
    assert _mount("-o", "remount,ro", str(small_disk))  # as a failing disk is remounted
    try:
        with TestClient(create_app(settings)) as client:
            response = client.post("/jobs", json=job, headers=AUTH)
            assert response.status_code == 503, response.text
            assert "unavailable" in response.json()["error"]["message"]
            assert "jobs" in client.get("/ready").json()["failed"]
            assert client.post("/sample", json={"n": 1}).status_code == 200
    finally:
        assert _mount("-o", "remount,rw", str(small_disk))
