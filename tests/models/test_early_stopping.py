"""Early stopping of the VAE's training loop: on a plateau, after ``patience`` checks, with the
best check's weights handed back, and nothing of it when it is off."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models.datasets import Dataset
from models.early_stopping import carve_validation
from models.training import VAETrainingOptions, train_vae, validation_elbo
from models.vae import VAE, VAEHyperparameters

RNG = np.random.default_rng(0)
POINTS = Dataset(name="points", examples=RNG.normal(size=(60, 6)) @ RNG.normal(size=(6, 6)),
                 shape=(6,))
SMALL = VAEHyperparameters(latent_dim=2, hidden_sizes=[16])
EVERY_EPOCH = {"batch_size": 16, "kl_warmup_steps": 0, "lr_warmup_fraction": 0.0,
               "lr_schedule": "constant", "validation_every": 1}
PLATEAU = {**EVERY_EPOCH, "epochs": 100, "learning_rate": 1e-9}
"""A learning rate too small to move the validation ELBO by min_delta: a plateau from the start."""


def fit(
    hparams: VAEHyperparameters = SMALL, **options: Any
) -> tuple[VAE, list[Mapping[str, Any]]]:
    events: list[Mapping[str, Any]] = []
    model = train_vae(POINTS, hparams, VAETrainingOptions(**options), progress=events.append)
    return model, events


@pytest.mark.parametrize("patience", [2, 5])
def test_training_stops_after_patience_checks_without_improvement(patience: int) -> None:
    model, events = fit(**PLATEAU, early_stopping_patience=patience)
    record = model.training_info["early_stopping"]
    # the first check sets the best; each later one on the plateau counts towards patience
    assert record["stopped_early"] is True and record["checks"] == patience + 1
    assert record["stopped_at_epoch"] == patience + 1 == model.training_info["epochs_trained"]
    assert record["stopped_at_step"] == (patience + 1) * 3  # 45 training rows, 16 a batch
    assert [e["epoch"] for e in events if "epoch" in e] == list(range(1, patience + 2))


def test_the_returned_model_has_the_best_checks_weights() -> None:
    hparams = VAEHyperparameters(latent_dim=4, hidden_sizes=[128, 128])
    options = {**EVERY_EPOCH, "batch_size": 8, "epochs": 60, "learning_rate": 1e-2,
               "validation_fraction": 0.3, "early_stopping_patience": 1000}
    model, events = fit(hparams, **options)
    record = model.training_info["early_stopping"]
    seen = [e["validation_elbo"] for e in events if "validation_elbo" in e]
    assert len(seen) == 60 and record["best_validation_elbo"] == max(seen)
    assert seen[-1] < max(seen)  # the last weights were worse: the best ones were restored
    rows = POINTS.split(test_fraction=0.25, seed=0)
    validation = carve_validation(rows, 0.3, seed=0)
    assert validation_elbo(model, validation, seed=0) == pytest.approx(max(seen), abs=1e-9)


OVERFITS = {**EVERY_EPOCH, "batch_size": 8, "epochs": 60, "learning_rate": 1e-2,
            "validation_fraction": 0.3}
"""Wide networks, a large learning rate and few rows: the validation ELBO peaks, then falls."""


def test_the_best_weights_are_kept_from_checks_inside_the_kl_warm_up() -> None:
    hparams = VAEHyperparameters(latent_dim=4, hidden_sizes=[128, 128])
    # the whole budget (60 epochs of 4 steps) lies inside the warm-up: the checks are the true
    # ELBO all the same, the best of them is kept, and patience never stops the warm-up
    model, events = fit(hparams, **{**OVERFITS, "kl_warmup_steps": 100_000},
                        early_stopping_patience=1)
    record = model.training_info["early_stopping"]
    seen = [e["validation_elbo"] for e in events if "validation_elbo" in e]
    assert record["stopped_early"] is False and model.training_info["epochs_trained"] == 60
    assert record["restored_best"] is True and record["patience_from_step"] == 100_000
    assert seen[-1] < max(seen) and record["best_validation_elbo"] == max(seen)
    validation = carve_validation(POINTS.split(test_fraction=0.25, seed=0), 0.3, seed=0)
    assert validation_elbo(model, validation, seed=0) == pytest.approx(max(seen), abs=1e-9)


def test_patience_counts_only_the_checks_after_the_kl_warm_up() -> None:
    # 41 training rows, 16 a batch: 3 steps an epoch; the warm-up ends at epoch 10's last step
    model, _ = fit(**{**PLATEAU, "kl_warmup_steps": 30}, early_stopping_patience=2)
    record = model.training_info["early_stopping"]
    assert record["stopped_at_epoch"] == 11 and record["checks"] == 11


def test_progress_is_monotone_and_reaches_one_only_at_the_end_when_stopped_early() -> None:
    model, events = fit(**PLATEAU, early_stopping_patience=2)
    assert model.training_info["early_stopping"]["stopped_early"] is True
    values = [float(e["progress"]) for e in events]
    assert values == sorted(values) and all(v < 1.0 for v in values[:-1])
    assert events[-1]["phase"] == "evaluation" and values[-1] == pytest.approx(1.0)


def test_early_stopping_is_off_when_patience_is_zero() -> None:
    model, events = fit(**PLATEAU, early_stopping_patience=0)
    assert model.training_info["early_stopping"] is None
    assert model.training_info["epochs_trained"] == 100
    assert not any("validation_elbo" in e for e in events)


def test_the_validation_rows_come_from_the_training_split_only() -> None:
    rows = POINTS.split(test_fraction=0.25, seed=0)
    validation = carve_validation(rows, 0.2, seed=0)
    assert len(validation.x) == 9 and len(validation.rows.train) == 36
    assert np.array_equal(validation.rows.test, rows.test)
    together = np.concatenate([validation.rows.train, validation.x])
    assert sorted(map(tuple, together)) == sorted(map(tuple, rows.train))


def test_a_conditional_vae_is_checked_on_its_validation_rows_labels() -> None:
    from models.cvae import CVAE, CVAEHyperparameters
    from models.datasets import load_dataset

    options = VAETrainingOptions(**PLATEAU, early_stopping_patience=1, eval_importance_samples=2)
    model = train_vae(load_dataset("digits"), CVAEHyperparameters(latent_dim=2, hidden_sizes=[8]),
                      options, model_class=CVAE)
    assert model.training_info["early_stopping"]["stopped_at_epoch"] == 2


def test_a_resumed_fit_still_returns_the_best_checks_weights(tmp_path: Path) -> None:
    options = VAETrainingOptions(**{**PLATEAU, "epochs": 8, "learning_rate": 1e-2},
                                 early_stopping_patience=1000, checkpoint_every=1)
    first = train_vae(POINTS, SMALL, options, checkpoint_dir=tmp_path)
    # the checkpoint is of the last epoch; resuming from it trains nothing more
    resumed = train_vae(POINTS, SMALL, options, checkpoint_dir=tmp_path)
    rows = POINTS.split(test_fraction=0.25, seed=0)
    validation = carve_validation(rows, 0.1, seed=0)
    best = first.training_info["early_stopping"]["best_validation_elbo"]
    assert resumed.training_info["early_stopping"]["best_validation_elbo"] == best
    assert validation_elbo(resumed, validation, seed=0) == pytest.approx(best, abs=1e-9)
