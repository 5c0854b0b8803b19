"""``genserve train --server``: submits a job to a real server, follows it, prints metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jobkit import API_KEY, make_settings

from app.config import Settings

if TYPE_CHECKING:
    from conftest import LiveServer

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(
    tmp_path: Path, weights_dir: Path, start_server: Callable[..., Any]
) -> Iterator[tuple[LiveServer, Settings]]:
    """A real server with its own weights copy and data folder, stopped after the test."""
    settings = make_settings(tmp_path, weights_dir)
    live = start_server(
        GENSERVE_WEIGHTS_DIR=str(settings.weights_dir), GENSERVE_DATA_DIR=str(settings.data_dir),
        GENSERVE_API_KEY=API_KEY, GENSERVE_TORCH_THREADS="1", GENSERVE_LOG_FORMAT="text",
    )
    try:
        yield live, settings
    finally:
        live.stop()


def test_train_on_a_server_prints_the_new_models_metrics(
    server: tuple[LiveServer, Settings],
) -> None:
    live, settings = server
    command = [sys.executable, "-m", "app.cli", "train", "gmm", "--dataset", "pinwheel",
               "--name", "from-cli", "--components", "3", "--max-iter", "15", "--n-init", "1",
               "--server", live.url]
    env = {**os.environ, "GENSERVE_API_KEY": API_KEY}
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["model"] == "from-cli" and report["version"] == 1
    assert "test_log_likelihood" in report["metrics"]
    assert "100/100%" in done.stderr  # the progress bar reached the end
    assert (settings.model_store_dir / "from-cli" / "1").is_dir()
    assert not (settings.weights_dir / "from-cli").exists()  # the shipped folder is read-only

    refused = subprocess.run(
        [*command[:-2], "--server", live.url, "--api-key", "wrong"], cwd=REPO_ROOT,
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert refused.returncode == 1 and "401" in refused.stderr
    assert "rule api_key" in refused.stderr


def test_init_from_on_a_server_names_a_served_model(server: tuple[LiveServer, Settings]) -> None:
    live, settings = server
    command = [sys.executable, "-m", "app.cli", "train", "vae", "--dataset", "digits",
               "--name", "tuned", "--epochs", "1", "--eval-k", "2",
               "--init-from", "tiny-vae/1", "--server", live.url]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=180, env={**os.environ, "GENSERVE_API_KEY": API_KEY})
    assert done.returncode == 0, done.stderr
    config = json.loads((settings.model_store_dir / "tuned" / "1" / "config.json").read_text())
    assert config["hyperparameters"]["hidden_sizes"] == [16]  # tiny-vae's, not --hidden's
    assert config["training"]["warm_start"] is not None
