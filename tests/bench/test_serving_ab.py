"""bench/serving_ab.py's command line: cells, settings per side, a load generator per side."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bench import _wrk, serving, serving_ab


def test_cells_are_read_as_operation_and_concurrency() -> None:
    assert serving_ab._cells("sample:8, log-likelihood:64") == (
        ("sample", 8), ("log-likelihood", 64),
    )


def test_a_cell_without_a_concurrency_is_refused_with_the_form_to_use() -> None:
    with pytest.raises(SystemExit, match="OPERATION:CONCURRENCY"):
        serving_ab._cells("sample")


def test_settings_become_the_servers_environment() -> None:
    assert serving_ab._settings(["GENSERVE_BATCH_RUNNERS=1", "X=a=b"]) == {
        "GENSERVE_BATCH_RUNNERS": "1", "X": "a=b",
    }


def test_a_setting_without_a_value_is_refused() -> None:
    with pytest.raises(SystemExit, match="KEY=VALUE"):
        serving_ab._settings(["GENSERVE_BATCH_RUNNERS"])


def test_the_settings_reach_only_their_own_server(tmp_path: Path) -> None:
    server = serving_ab._server("before", tmp_path, tmp_path / "w", tmp_path / "d",
                                {"GENSERVE_BATCH_RUNNERS": "1"})
    assert server.env["GENSERVE_BATCH_RUNNERS"] == "1"
    other = serving_ab._server("after", tmp_path, tmp_path / "w", tmp_path / "d", {})
    assert "GENSERVE_BATCH_RUNNERS" not in other.env


@pytest.mark.parametrize(("loadgen", "threads"), [("wrk", _wrk.THREADS), ("wrk:1", 1)])
def test_wrk_runs_with_the_client_threads_its_name_gives(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, loadgen: str, threads: int
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(*args: Any, threads: int, **kwargs: Any) -> dict[str, float]:
        seen["threads"] = threads
        return {}

    monkeypatch.setattr(_wrk, "run", fake_run)
    serving._load("http://127.0.0.1:1/sample", tmp_path / "body.json", 8, 1.0, 0.0,
                  loadgen=loadgen)
    assert seen["threads"] == threads


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux only")
def test_a_servers_cpu_time_grows_with_its_work(tmp_path: Path) -> None:
    server = serving_ab._server("after", tmp_path, tmp_path / "w", tmp_path / "d", {})
    server.process = SimpleNamespace(pid=os.getpid())  # type: ignore[assignment]
    before = serving_ab._cpu_seconds(server)
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    assert serving_ab._cpu_seconds(server) > before
