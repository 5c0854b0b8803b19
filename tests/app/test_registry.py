"""The registry serves what loads and names what does not."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import torch
from fastapi.testclient import TestClient

import app.registry
from app.config import Settings
from app.errors import ModelNotFound
from app.main import create_app
from app.registry import ModelRegistry
from models import VAE, WEIGHTS_FILE, GenerativeModel
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


# -- registry work stays off the event loop (issue 15) ------------------------------------------
SLOW_READ_S = 2.0
ANSWER_BOUND_S = 0.5
"""The issue asks for 50 ms; this bound is ten times that so a loaded 2-core test machine does
not make it flaky, and still four times under the 2 s read: a load that held the event loop
would hold every answer below for the whole read and fail it."""


@pytest.fixture
def slow_loader(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Models named ``slow-*`` take :data:`SLOW_READ_S` to read, blocking their thread as a slow
    disk would; the event is set when such a read begins."""
    started = threading.Event()
    real_load = app.registry.load_model

    def load(path: Path, device: torch.device) -> GenerativeModel:
        if path.parent.name.startswith("slow-"):
            started.set()
            time.sleep(SLOW_READ_S)
        return real_load(path, device=device)

    monkeypatch.setattr(app.registry, "load_model", load)
    return started


async def _timed(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> float:
    begun = time.perf_counter()
    response = await client.request(method, url, **kwargs)
    assert response.status_code == 200, (url, response.text)
    return time.perf_counter() - begun


def test_a_slow_load_never_holds_answers_for_loaded_models(
    weights_dir: Path, tmp_path: Path, slow_loader: threading.Event,
    make_image_vae: Callable[[int], VAE],
) -> None:
    settings = Settings(weights_dir=weights_dir, model_store=tmp_path / "store",
                        data_dir=tmp_path / "data", device="cpu", embedded_worker=False)
    one_sample = {"model": "tiny-vae", "n": 1, "seed": 0}

    async def scenario() -> None:
        application = create_app(settings)
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://test",
                                         timeout=60) as client:
                await _timed(client, "POST", "/sample", json=one_sample)  # warm
                publish_model(make_image_vae(5), tmp_path / "store", "slow-vae")
                loading = asyncio.create_task(client.get("/models/slow-vae"))
                unknown = asyncio.create_task(client.get("/models/no-such-model"))
                while not slow_loader.is_set():  # the read has begun on its thread
                    await asyncio.sleep(0.01)
                times = [
                    await _timed(client, "GET", "/health"),
                    await _timed(client, "POST", "/sample", json=one_sample),
                    await _timed(client, "GET", "/models/tiny-vae"),
                    await _timed(client, "GET", "/ready"),
                ]
                assert not loading.done(), "the answers above came while the model loaded"
                assert max(times) < ANSWER_BOUND_S, times
                assert (await loading).json()["name"] == "slow-vae"
                assert (await unknown).status_code == 404

    asyncio.run(scenario())
