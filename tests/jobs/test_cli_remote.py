"""``genserve train --server``: submits a job to a real server, follows it, prints metrics."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from jobkit import API_KEY, make_settings

from app.config import Settings
from genserve_client import Client

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


def _option_value(action: argparse.Action) -> tuple[str, Any]:
    """A valid command-line value for ``action``, and what it parses to."""
    from app import cli

    if action.choices:
        choice = list(action.choices)[-1]
        return str(choice), choice
    if action.type is int:
        return "3", 3
    if action.type is float:
        return "0.5", 0.5
    if action.type is cli._hidden_sizes:
        return "8,4", [8, 4]
    return "7", 7


def _train_options(kind: str) -> list[tuple[list[str], str, Any]]:
    """(argv, param, value) for every option that feeds ``kind``'s job params."""
    from app import cli
    from models.kinds import get_kind

    mapping = cli._kind_options(get_kind(kind))
    train = next(a for a in cli.build_parser()._actions
                 if isinstance(a, argparse._SubParsersAction)).choices["train"]
    found = []
    for action in train._actions:
        if action.dest in mapping and action.option_strings:
            text, value = _option_value(action)
            found.append(([action.option_strings[0], text], mapping[action.dest], value))
    return found


@pytest.mark.parametrize("kind", ["vae", "gmm", "ppca"])
def test_every_cli_option_reaches_the_job_params_on_a_server(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import cli
    from models.kinds import get_kind

    sent: list[dict[str, Any]] = []
    job = {"id": "j1", "kind": kind, "name": "m", "status": "queued", "progress": 0.0}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            sent.append(json.loads(request.content))
            return httpx.Response(202, json=job)
        if request.url.path.endswith("/events"):
            return httpx.Response(404, json={"error": {"message": "no stream"}})
        return httpx.Response(200, json={**job, "status": "succeeded", "progress": 1.0,
                                         "result": {"model": "m", "version": 1, "metrics": {}}})

    monkeypatch.setattr(cli, "_client", lambda server, key: Client(
        server, api_key=key, transport=httpx.MockTransport(answer)))
    options = _train_options(kind)
    argv = ["train", kind, "--dataset", "digits", "--name", "m", "--server", "http://x"]
    assert cli.main([*argv, *(part for option, _, _ in options for part in option)]) == 0
    params = sent[0]["params"]
    assert params == {param: value for _, param, value in options}
    every = {name for part in get_kind(kind).parts for name in part.model_fields}
    # Each parameter has an option and each option arrives; the VAE's latent_prior (a fitted
    # prior's whole spec) goes by --param, as --latent-prior is the number of its components.
    assert set(params) <= every and every - set(params) <= {"latent_prior"}
    if kind == "vae":
        assert params["latent_prior_components"] == 3  # --latent-prior (once dropped remotely)
