"""`genserve train` leaves out what it was not given, so the library's defaults apply."""

from __future__ import annotations

import json
from pathlib import Path

from app.cli import main
from models.gmm import GMMHyperparameters
from models.training import VAETrainingOptions, resolve_budget


def test_a_gmm_trained_without_options_uses_the_library_defaults(tmp_path: Path) -> None:
    assert main(["train", "gmm", "--dataset", "pinwheel", "--out", str(tmp_path / "g"),
                 "--quiet"]) == 0
    config = json.loads((tmp_path / "g" / "1" / "config.json").read_text())
    defaults = GMMHyperparameters()
    assert config["hyperparameters"]["n_components"] == defaults.n_components
    assert config["hyperparameters"]["n_init"] == defaults.n_init


def test_a_vae_given_only_its_steps_takes_the_default_networks_and_batch(tmp_path: Path) -> None:
    assert main(["train", "vae", "--dataset", "digits", "--steps", "20", "--eval-k", "2",
                 "--out", str(tmp_path / "v"), "--quiet"]) == 0
    config = json.loads((tmp_path / "v" / "1" / "config.json").read_text())
    assert config["hyperparameters"]["latent_dim"] == 16
    budget = resolve_budget(VAETrainingOptions(steps=20), config["data"]["split"]["n_train"])
    assert config["training"]["steps"] == budget.steps
    assert config["training"]["batch_size"] == budget.batch_size
