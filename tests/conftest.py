"""Shared fixtures: tiny deterministic models saved into a temporary weights folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest
import torch
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from models import VAE, DataSpec, GaussianMixture, GMMHyperparameters, VAEHyperparameters
from models.datasets import make_pinwheel
from models.storage import publish_model

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests" / "jobs"))  # jobkit, the jobs tests' helpers
from jobkit import make_settings  # noqa: E402


def tiny_image_vae(seed: int = 0) -> VAE:
    torch.manual_seed(seed)
    data = DataSpec(shape=(8, 8), value_range=(0.0, 1.0), dataset="test-images")
    return VAE(VAEHyperparameters(latent_dim=2, hidden_sizes=[16]), data).eval()


def tiny_point_gmm() -> GaussianMixture:
    points = torch.from_numpy(make_pinwheel(300, seed=1))
    model = GaussianMixture(
        GMMHyperparameters(n_components=3, max_iter=20),
        DataSpec(shape=(2,), value_range=None, dataset="pinwheel"),
    )
    model.fit(points)
    return model.eval()


@pytest.fixture
def make_image_vae() -> Callable[[int], VAE]:
    """Builds tiny untrained image VAEs; different seeds give different weights."""
    return tiny_image_vae


@pytest.fixture(scope="session")
def weights_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("weights")
    publish_model(tiny_image_vae(), root, "tiny-vae")
    publish_model(tiny_image_vae(seed=1), root, "tiny-vae")  # version 2
    publish_model(tiny_point_gmm(), root, "tiny-gmm")
    return root


UVICORN = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]


class LiveServer:
    """A server in a subprocess on a free port (``--port`` is added to ``command``, by default
    ``uvicorn app.main:app``), configured by environment."""

    def __init__(
        self, env: dict[str, str], log_path: Path, command: Sequence[str] = tuple(UVICORN),
        *, cwd: Path = REPO_ROOT, base_env: dict[str, str] | None = None,
    ) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=cwd, env={**(os.environ if base_env is None else base_env), **env},
            stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_path.read_text()}")
            time.sleep(0.2)
        raise RuntimeError(f"server not ready in {timeout} s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="session")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LiveServer]]:
    """Starts real servers (shipped weights, a fresh data folder unless told otherwise)."""
    servers: list[LiveServer] = []

    def start(command: Sequence[str] = tuple(UVICORN), **env: str) -> LiveServer:
        base = {
            "GENSERVE_WEIGHTS_DIR": str(REPO_ROOT / "weights"),
            "GENSERVE_DATA_DIR": str(tmp_path_factory.mktemp("server-data")),
            "GENSERVE_DEVICE": "cpu",
        }
        log = tmp_path_factory.mktemp("server-log") / "log.txt"
        server = LiveServer({**base, **env}, log, command)
        servers.append(server)
        try:
            server.wait_ready()
        except Exception:
            server.stop()
            raise
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def start_training_server(
    start_server: Callable[..., LiveServer], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], LiveServer]:
    """A real server with its own copy of the shipped weights (its jobs publish into it),
    an embedded worker, and the given API key."""

    def start(api_key: str) -> LiveServer:
        weights = tmp_path_factory.mktemp("own-weights") / "weights"
        shutil.copytree(REPO_ROOT / "weights", weights)
        return start_server(
            GENSERVE_WEIGHTS_DIR=str(weights), GENSERVE_API_KEY=api_key,
            GENSERVE_RELOAD_INTERVAL_S="0.5", GENSERVE_TORCH_THREADS="1",
            GENSERVE_EMBEDDED_WORKER="true",
        )

    return start


@pytest.fixture(scope="session")
def settings(weights_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        weights_dir=weights_dir, data_dir=tmp_path_factory.mktemp("data"), device="cpu",
        default_model="tiny-vae", max_samples=64, max_request_examples=32,
        max_interpolation_steps=16,
        max_importance_samples=500, max_image_pixels=4096, max_body_bytes=200_000,
        embedded_worker=False,  # these tests train nothing; tests/jobs starts real workers
    )


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "job_settings(**overrides): Settings fields that change a module's "
        "job_settings (tests/conftest.py), e.g. embedded_worker=False",
    )


@pytest.fixture(scope="module")
def job_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, weights_dir: Path
) -> Settings:
    """A module's own jobs app settings: a fresh data folder, a copy of the tiny weights (its
    jobs publish into it), an API key and an embedded worker. A module changes them with
    ``pytestmark = pytest.mark.job_settings(embedded_worker=False, ...)``."""
    marker = request.node.get_closest_marker("job_settings")
    overrides = dict(marker.kwargs) if marker is not None else {}
    folder = tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])
    return make_settings(folder, weights_dir, **overrides)


@pytest.fixture(scope="module")
def job_client(job_settings: Settings) -> Iterator[TestClient]:
    """The app on ``job_settings``, its lifespan (and worker, if any) running for the module."""
    with TestClient(create_app(job_settings)) as test_client:
        yield test_client
