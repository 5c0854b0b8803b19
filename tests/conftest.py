"""Shared fixtures: tiny deterministic models saved into a temporary weights folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from models import VAE, DataSpec, GaussianMixture, GMMHyperparameters, VAEHyperparameters
from models.datasets import make_pinwheel
from models.storage import publish_model

REPO_ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture(scope="session")
def settings(weights_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        weights_dir=weights_dir, data_dir=tmp_path_factory.mktemp("data"), device="cpu",
        default_model="tiny-vae", max_samples=64, max_batch_size=32, max_interpolation_steps=16,
        max_importance_samples=500, max_image_pixels=4096, max_body_bytes=200_000,
    )


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
