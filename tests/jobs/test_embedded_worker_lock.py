"""Several API processes on one data folder run one embedded worker between them."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from jobkit import make_settings

from app.main import create_app


def test_a_second_api_on_the_same_data_folder_leaves_the_worker_to_the_first(
    tmp_path: Path, weights_dir: Path
) -> None:
    settings = make_settings(tmp_path, weights_dir)
    first, second = create_app(settings), create_app(settings)
    with TestClient(first), TestClient(second):
        assert first.state.local_worker is not None and first.state.local_worker.is_alive()
        assert second.state.local_worker is None
    with TestClient(second):  # the first has stopped: the lock went with it
        assert second.state.local_worker is not None
