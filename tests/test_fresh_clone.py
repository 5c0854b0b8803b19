"""Training in a fresh clone, through the CLI and through the API, leaves the checkout clean:
trained versions go to the model store under the (ignored) data folder, never into weights/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import REPO_ROOT
from tests.jobs.jobkit import API_KEY, TINY_GMM, submit, wait_for

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (REPO_ROOT / ".git").exists(),
    reason="needs git and a git checkout",
)


def porcelain(repo: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=repo, check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone of the committed tree; no GENSERVE_* settings, so every default applies."""
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(target)], check=True)
    for name in list(os.environ):
        if name.startswith("GENSERVE_"):
            monkeypatch.delenv(name)
    assert porcelain(target) == ""
    return target


def test_training_in_a_fresh_clone_through_the_cli_leaves_git_status_empty(clone: Path) -> None:
    command = [sys.executable, "-m", "app.cli", "train", "gmm", "--dataset", "pinwheel",
               "--name", "clone-gmm", "--components", "3", "--max-iter", "15", "--n-init", "1",
               "--quiet"]
    done = subprocess.run(command, cwd=clone, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "GENSERVE_DEVICE": "cpu"})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["version"] == 1 and report["promoted"] is report["gate"]["passed"]
    said = "is now stable" if report["promoted"] else "NOT PROMOTED: clone-gmm version 1"
    assert said in done.stderr
    assert (clone / "data" / "models" / "clone-gmm" / "1" / "config.json").is_file()
    assert not (clone / "weights" / "clone-gmm").exists()
    assert porcelain(clone) == ""


def test_training_in_a_fresh_clone_through_the_api_leaves_git_status_empty(
    clone: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(clone)  # the default folders, weights/ and data/, are the clone's
    settings = Settings(api_key=API_KEY, device="cpu", torch_threads=1, log_format="text")
    with TestClient(create_app(settings)) as client:
        job = submit(client, "gmm", "pinwheel-gmm", "pinwheel", promote="auto", **TINY_GMM)
        done = wait_for(client, job["id"])
        assert done["status"] == "succeeded", done["error"]
        assert done["result"]["version"] == 2  # after the shipped pinwheel-gmm version 1
    assert (clone / "data" / "models" / "pinwheel-gmm" / "2").is_dir()
    assert porcelain(clone) == ""
