"""`genserve train` from the command line: warm starts, and bad options as messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from models import load_model
from models.kinds import kinds

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


def train_help(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines


def test_help_says_which_kinds_take_an_option_only_some_have(
    capsys: pytest.CaptureFixture[str]
) -> None:
    text = " ".join(train_help(capsys).split())  # argparse wraps lines at the terminal width
    for parameter, option in (("seed", "--seed SEED"), ("n_components", "--components COMPONENTS")):
        takers = sorted(name for name, kind in kinds().items()
                        if parameter in kind.hyperparameters.model_fields
                        or parameter in kind.options.model_fields)
        assert 0 < len(takers) < len(kinds())
        assert f"{option} [{', '.join(takers)}]" in text


def test_a_plugin_kinds_group_names_its_options_listed_elsewhere(
    capsys: pytest.CaptureFixture[str]
) -> None:
    text = train_help(capsys)
    assert "Probabilistic PCA (ppca): also: --components" in text


def test_an_unknown_dataset_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "ppca", "--dataset", "/etc/passwd", "--out", str(tmp_path / "m")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("genserve train: --dataset: unknown dataset")


def test_not_promoted_says_when_the_model_has_no_stable_version(
    capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import _report

    _report("m", 1, {}, False, {"reasons": ["worse than the baseline"]}, stable=None)
    said = capsys.readouterr().err
    assert "m has no stable version" in said and "keep the stable" not in said


def test_a_test_split_too_small_to_score_is_refused_before_training(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"test_fraction=0.0001 holds out 1 .* at least 2"):
        main(["train", "ppca", "--dataset", "digits", "--test-fraction", "0.0001",
              "--out", str(tmp_path / "m")])
    assert not (tmp_path / "m").exists()
