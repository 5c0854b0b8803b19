"""`genserve train` from the command line: warm starts, and bad options as messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from models import load_model

TINY_VAE = ["train", "vae", "--dataset", "digits", "--epochs", "1", "--hidden", "16",
            "--latent-dim", "2", "--eval-k", "2", "--quiet"]


def test_init_from_continues_a_saved_vae_and_records_it(tmp_path: Path) -> None:
    assert main([*TINY_VAE, "--out", str(tmp_path / "first")]) == 0
    assert main([*TINY_VAE, "--out", str(tmp_path / "second"),
                 "--init-from", str(tmp_path / "first"), "--objective", "iwae",
                 "--train-k", "3"]) == 0
    source = load_model(tmp_path / "first" / "1")
    config = json.loads((tmp_path / "second" / "1" / "config.json").read_text())
    assert config["training"]["warm_start"]["epochs"] == 1
    assert config["training"]["warm_start"]["test_log_likelihood"] == pytest.approx(
        source.metrics["test_log_likelihood"]
    )
    assert config["hyperparameters"]["hidden_sizes"] == [16]


def test_a_conv_vae_on_points_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"architecture 'conv' needs images.*\[2\]"):
        main(["train", "vae", "--dataset", "pinwheel", "--architecture", "conv",
              "--out", str(tmp_path / "m")])
    assert not (tmp_path / "m").exists()


def test_init_from_a_gmm_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="is a gmm"):
        main([*TINY_VAE, "--out", str(tmp_path / "m"), "--init-from", "weights/digits-gmm"])


def test_an_option_of_another_kind_is_refused_not_dropped(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"--epochs is not an option of a gmm"):
        main(["train", "gmm", "--dataset", "pinwheel", "--epochs", "3",
              "--out", str(tmp_path / "m")])


def test_a_plugin_kind_trains_from_the_command_line(tmp_path: Path) -> None:
    assert main(["train", "ppca", "--dataset", "digits", "--components", "5", "--quiet",
                 "--out", str(tmp_path / "p")]) == 0
    model = load_model(tmp_path / "p" / "1")
    assert model.kind == "ppca" and model.hparams.n_components == 5  # type: ignore[attr-defined]
