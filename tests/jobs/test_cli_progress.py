"""``genserve train --server`` draws a clean bar: no library INFO lines through it, and its
last state written once."""

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

if TYPE_CHECKING:
    from conftest import LiveServer

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(
    tmp_path: Path, weights_dir: Path, start_server: Callable[..., Any]
) -> Iterator[LiveServer]:
    settings = make_settings(tmp_path, weights_dir)
    live = start_server(
        GENSERVE_WEIGHTS_DIR=str(settings.weights_dir), GENSERVE_DATA_DIR=str(settings.data_dir),
        GENSERVE_API_KEY=API_KEY, GENSERVE_TORCH_THREADS="1",
    )
    try:
        yield live
    finally:
        live.stop()


def test_the_progress_bar_has_no_info_logs_and_ends_once(server: LiveServer) -> None:
    command = [sys.executable, "-m", "app.cli", "train", "gmm", "--dataset", "pinwheel",
               "--name", "bar", "--components", "3", "--max-iter", "15", "--n-init", "1",
               "--server", server.url]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=180,
                          env={**os.environ, "GENSERVE_API_KEY": API_KEY})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["model"] == "bar"
    assert "HTTP Request" not in done.stderr and " INFO " not in done.stderr, done.stderr
    drawn = [part for part in done.stderr.replace("\r", "\n").splitlines() if part.strip()]
    bar = [part for part in drawn if "%|" in part]
    assert "succeeded" in bar[-1] and "100/100%" in bar[-1], drawn
    assert drawn[-1] == "bar version 1 is now stable", drawn  # the gate's word, after the bar
    assert sum("succeeded" in part for part in drawn) == 1, drawn  # the last state, once
