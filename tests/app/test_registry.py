"""The registry serves what loads and names what does not."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from fastapi.testclient import TestClient

from app.config import Settings
from app.errors import ModelNotFound
from app.main import create_app
from app.registry import ModelRegistry
from models import VAE, WEIGHTS_FILE
from models.storage import publish_model


@pytest.fixture
def damaged_weights(weights_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "weights"
    shutil.copytree(weights_dir, root)
    weights = root / "tiny-gmm" / "1" / WEIGHTS_FILE
    weights.write_bytes(weights.read_bytes()[:100])  # truncated
    (root / "tiny-vae" / "1" / "config.json").write_text("{not json")
    return root


def test_a_corrupt_model_is_skipped_and_named_while_the_others_serve(
    damaged_weights: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(weights_dir=damaged_weights, data_dir=tmp_path / "data", device="cpu")
    with TestClient(create_app(settings)) as client:
        ready = client.get("/ready").json()
        assert set(ready["failed"]) == {"tiny-gmm/1", "tiny-vae/1"}
        assert ready["models"] == ["tiny-vae/2"]
        assert client.post("/sample", json={"model": "tiny-vae", "n": 1}).status_code == 200
        assert client.post("/sample", json={"model": "tiny-gmm", "n": 1}).status_code == 404
    assert "skipping model tiny-gmm/1" in caplog.text


def test_ready_is_503_when_nothing_loads(tmp_path: Path) -> None:
    settings = Settings(weights_dir=tmp_path / "empty", data_dir=tmp_path / "data", device="cpu")
    with TestClient(create_app(settings)) as client:
        response = client.get("/ready")
    assert response.status_code == 503 and response.json()["ready"] is False


def test_refresh_picks_up_a_newly_published_version(
    tmp_path: Path, make_image_vae: Callable[[int], VAE]
) -> None:
    registry = ModelRegistry(tmp_path, torch.device("cpu"))
    publish_model(make_image_vae(0), tmp_path, "m")
    assert registry.refresh() == ["m/1"]
    publish_model(make_image_vae(3), tmp_path, "m")
    assert registry.refresh() == ["m/2"] and registry.get("m").version == 2


def test_staging_folders_are_never_loaded(tmp_path: Path) -> None:
    (tmp_path / "m" / ".staging-abc").mkdir(parents=True)
    registry = ModelRegistry(tmp_path, torch.device("cpu"))
    assert registry.refresh() == []
    with pytest.raises(ModelNotFound):
        registry.get("m")


def test_auto_device_is_cpu_without_a_gpu() -> None:
    from app.registry import resolve_device

    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
