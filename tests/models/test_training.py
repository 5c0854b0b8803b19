"""Training functions report progress, stop when asked, record metrics and publish atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
import torch

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
    assert [e["epoch"] for e in events if "epoch" in e] == [1, 2, 3]
    assert all({"train_loss", "test_elbo", "elapsed_s"} <= set(e) for e in events if "epoch" in e)
    assert all(e["phase"] == "evaluation" for e in events if "epoch" not in e)


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


@pytest.fixture
def binary_images(tmp_path: Path):  # type: ignore[no-untyped-def]
    import numpy as np

    from models.datasets import load_array_file

    rng = np.random.default_rng(0)
    np.savez(
        tmp_path / "tiny-mnist.npz", x_train=rng.integers(0, 256, (120, 4, 4), dtype=np.uint8),
        x_test=rng.integers(0, 256, (40, 4, 4), dtype=np.uint8),
    )
    return load_array_file(tmp_path / "tiny-mnist.npz")


def _options(**changes: object) -> VAETrainingOptions:
    base = {"epochs": 4, "batch_size": 32, "eval_importance_samples": 5, "binarize": "dynamic"}
    return VAETrainingOptions.model_validate({**base, **changes})


def _bernoulli() -> VAEHyperparameters:
    return VAEHyperparameters(latent_dim=2, hidden_sizes=[8], likelihood="bernoulli")


def test_resuming_from_a_checkpoint_gives_the_uninterrupted_model(
    binary_images, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    straight = train_vae(binary_images, _bernoulli(), _options())

    def stop_after_two(event: Mapping[str, float]) -> None:
        if event.get("epoch") == 2:
            raise TrainingCancelled

    options = _options(checkpoint_every=1)
    with pytest.raises(TrainingCancelled):
        train_vae(binary_images, _bernoulli(), options, progress=stop_after_two,
                  checkpoint_dir=tmp_path / "ckpt")
    events: list[Mapping[str, float]] = []
    resumed = train_vae(binary_images, _bernoulli(), options, progress=events.append,
                        checkpoint_dir=tmp_path / "ckpt")
    assert [e["epoch"] for e in events if "epoch" in e] == [2, 3, 4]
    assert resumed.training_info["resumed_from_epoch"] == 1  # epoch 2's checkpoint never saved
    for name, tensor in straight.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[name], tensor)


def test_cosine_schedule_anneals_to_the_minimum(binary_images) -> None:  # type: ignore[no-untyped-def]
    events: list[Mapping[str, float]] = []
    options = _options(
        lr_schedule="cosine", learning_rate=1e-2, min_learning_rate=1e-4, lr_warmup_fraction=0.0
    )
    train_vae(binary_images, _bernoulli(), options, progress=events.append)
    rates = [e["learning_rate"] for e in events if "learning_rate" in e]  # each epoch's last step
    assert 1e-4 < rates[0] < 1e-2 and rates[-1] == pytest.approx(1e-4)
    assert rates == sorted(rates, reverse=True)


def test_iwae_objective_trains_and_is_recorded(binary_images) -> None:  # type: ignore[no-untyped-def]
    model = train_vae(binary_images, _bernoulli(), _options(objective="iwae", train_k=5))
    assert model.training_info["objective"] == "iwae" and model.training_info["train_k"] == 5
    assert model.metrics["test_bits_per_dim"] > 0


def test_binarised_vae_reports_bits_per_dim_of_the_binary_data(binary_images) -> None:  # type: ignore[no-untyped-def]
    import math

    model = train_vae(binary_images, _bernoulli(), _options())
    assert model.data.preprocessing["binarize"] == "dynamic"
    expected = -model.metrics["test_log_likelihood"] / (16 * math.log(2))
    assert model.metrics["test_bits_per_dim"] == pytest.approx(expected)


def test_gmm_on_binarised_data_is_on_the_dequantised_two_level_footing(binary_images) -> None:  # type: ignore[no-untyped-def]
    from models.training import SplitOptions

    model = train_gmm(binary_images, GMMHyperparameters(n_components=2, max_iter=10),
                      split=SplitOptions(binarize="static"))
    assert model.data.preprocessing["levels"] == 2
    assert model.data.preprocessing["dequantize"] == "uniform"


def test_a_warm_start_begins_from_the_source_weights(binary_images) -> None:  # type: ignore[no-untyped-def]
    source = train_vae(binary_images, _bernoulli(), _options(epochs=2))
    first: list[Mapping[str, float]] = []
    train_vae(binary_images, _bernoulli(), _options(epochs=1), warm_start=source,
              progress=first.append)
    cold: list[Mapping[str, float]] = []
    train_vae(binary_images, _bernoulli(), _options(epochs=1), progress=cold.append)
    # The first epoch continues from the source's loss rather than from a random start's.
    assert first[0]["train_loss"] < cold[0]["train_loss"]


def test_a_warm_start_records_where_its_weights_came_from(binary_images) -> None:  # type: ignore[no-untyped-def]
    source = train_vae(binary_images, _bernoulli(), _options(epochs=2))
    model = train_vae(binary_images, _bernoulli(), _options(objective="iwae", train_k=3),
                      warm_start=source)
    record = model.training_info["warm_start"]
    assert record["epochs"] == 2 and record["objective"] == "elbo"
    assert record["test_log_likelihood"] == source.metrics["test_log_likelihood"]


def test_a_warm_start_from_another_architecture_is_refused(binary_images) -> None:  # type: ignore[no-untyped-def]
    source = train_vae(binary_images, _bernoulli(), _options(epochs=1))
    wider = VAEHyperparameters(latent_dim=2, hidden_sizes=[16], likelihood="bernoulli")
    with pytest.raises(ValueError, match="hidden_sizes"):
        train_vae(binary_images, wider, _options(epochs=1), warm_start=source)


def test_staging_folders_a_dead_publisher_left_are_swept(tmp_path: Path) -> None:
    import os
    import time

    from models.storage import remove_abandoned_staging

    old = tmp_path / "m" / ".staging-dead"
    fresh = tmp_path / "m" / ".staging-writing"
    version = tmp_path / "m" / "1"
    for folder in (old, fresh, version):
        folder.mkdir(parents=True)
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    os.utime(version, (an_hour_ago, an_hour_ago))
    assert remove_abandoned_staging(tmp_path) == [old]
    assert fresh.is_dir() and version.is_dir()  # a publisher may still be writing; never versions


@pytest.mark.parametrize(("precision", "product_dtype"), [
    ("float32", torch.float32), ("bfloat16", torch.bfloat16),
])
def test_precision_sets_the_products_dtype_and_keeps_the_bound_in_float32(
    binary_images, monkeypatch: pytest.MonkeyPatch, precision: str,  # type: ignore[no-untyped-def]
    product_dtype: torch.dtype,
) -> None:
    from models import training

    products: set[torch.dtype] = set()
    bounds: set[torch.dtype] = set()
    objective = training._loss

    def spy(model, batch, options, generator, kl_weight):  # type: ignore[no-untyped-def]
        handles = [
            layer.register_forward_hook(lambda _m, _i, out: products.add(out.dtype))
            for layer in model.modules() if isinstance(layer, torch.nn.Linear)
        ]
        try:
            bound = objective(model, batch, options, generator, kl_weight)
        finally:
            for handle in handles:
                handle.remove()
        bounds.add(bound.dtype)
        return bound

    monkeypatch.setattr(training, "_loss", spy)
    model = train_vae(binary_images, _bernoulli(), _options(precision=precision))
    assert products == {product_dtype}
    assert bounds == {torch.float32}
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    assert model.training_info["precision"] == precision


def test_bfloat16_training_reaches_the_float32_held_out_bound() -> None:
    digits = load_dataset("digits")
    hparams = VAEHyperparameters(latent_dim=4, hidden_sizes=[64], likelihood="bernoulli")
    elbo = {
        precision: train_vae(digits, hparams, VAETrainingOptions(
            epochs=15, batch_size=64, eval_importance_samples=20, precision=precision,
            binarize="threshold",
        )).metrics["test_elbo"]
        for precision in ("float32", "bfloat16")
    }
    assert elbo["bfloat16"] == pytest.approx(elbo["float32"], rel=0.005)
