"""Training functions report progress, stop when asked, record metrics and publish atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from models import TrainingCancelled, load_model
from models.datasets import load_dataset
from models.gmm import GMMHyperparameters
from models.storage import list_versions, publish_model
from models.training import VAETrainingOptions, train_gmm, train_vae
from models.vae import VAEHyperparameters


@pytest.fixture(scope="module")
def small_vae():  # type: ignore[no-untyped-def]
    events: list[Mapping[str, float]] = []
    model = train_vae(
        load_dataset("digits"), VAEHyperparameters(latent_dim=2, hidden_sizes=[32]),
        VAETrainingOptions(epochs=3, batch_size=256, eval_importance_samples=20),
        progress=events.append,
    )
    return model, events


def test_vae_reports_every_epoch(small_vae) -> None:  # type: ignore[no-untyped-def]
    _, events = small_vae
    assert [e["epoch"] for e in events] == [1, 2, 3]
    assert all({"train_loss", "test_elbo", "elapsed_s"} <= set(e) for e in events)


def test_vae_config_records_data_split_and_metrics(small_vae) -> None:  # type: ignore[no-untyped-def]
    model, _ = small_vae
    config = model.config_dict()
    assert config["data"]["dataset"] == "digits"
    assert config["data"]["split"]["n_test"] == 449
    assert config["data"]["preprocessing"]["dequantize"] == "uniform"
    metrics = config["metrics"]
    assert metrics["importance_samples"] == 20
    assert metrics["test_elbo"] <= metrics["test_log_likelihood"] + 1e-3
    assert metrics["test_bits_per_dim"] > 0


def test_gmm_training_records_held_out_log_likelihood() -> None:
    model = train_gmm(load_dataset("pinwheel"), GMMHyperparameters(n_components=4, max_iter=30))
    assert model.metrics["test_log_likelihood"] < 0
    assert model.training_info["algorithm"] == "EM"


def test_cancelling_from_the_callback_stops_training() -> None:
    def cancel(event: Mapping[str, float]) -> None:
        raise TrainingCancelled

    with pytest.raises(TrainingCancelled):
        train_gmm(load_dataset("pinwheel"), GMMHyperparameters(n_components=2), progress=cancel)


def test_publishing_adds_numbered_versions_and_leaves_no_staging(
    small_vae, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    model, _ = small_vae
    assert publish_model(model, tmp_path, "m") == 1
    assert publish_model(model, tmp_path, "m") == 2
    assert list_versions(tmp_path / "m") == [1, 2]
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["1", "2"]
    assert load_model(tmp_path / "m" / "2").metrics == model.metrics


def test_unsafe_names_are_refused(small_vae, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model, _ = small_vae
    with pytest.raises(ValueError, match="must match"):
        publish_model(model, tmp_path, "../escape")
