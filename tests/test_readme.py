"""The README's commands, taken from README.md itself, run in order against a live server.

Fenced blocks whose info string is ``bash tested`` run, each in a fresh ``bash`` in a folder laid
out as a reader's clone after ``make serve`` (``weights/``, ``data/`` and ``.venv``), against
``genserve serve`` started there on a free port (the port is the one thing rewritten: ``:8000``
becomes the test server's). Every block must exit 0 and print no API error, and every job they
submit must succeed, so the README cannot drift from what works.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT, LiveServer

FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
TESTED = "bash tested"
API_ERROR = re.compile(r'"error":\s*\{')  # the API's error shape (a job's "error" is null)


def readme_blocks(readme: str) -> list[str]:
    return [body for info, body in FENCE.findall(readme) if info.strip() == TESTED]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a reader's clone holds for these commands: the shipped weights and the venv."""
    venv = Path(sys.prefix)
    if not (venv / "bin" / "genserve").exists():
        pytest.skip("the tests run outside a virtual environment with genserve installed")
    root = tmp_path_factory.mktemp("reader")
    shutil.copytree(REPO_ROOT / "weights", root / "weights")
    (root / ".venv").symlink_to(venv)
    return root


@pytest.fixture(scope="module")
def server(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GENSERVE_")}
    env["GENSERVE_TORCH_THREADS"] = "1"  # a shared test machine; not a setting the README needs
    log = tmp_path_factory.mktemp("reader-log") / "log.txt"
    live = LiveServer({}, log, [sys.executable, "-m", "app.cli", "serve"], cwd=clone, base_env=env)
    try:
        live.wait_ready()
        yield live
    finally:
        live.stop()


def test_the_readme_marks_its_quick_start_and_job_commands_as_tested() -> None:
    blocks = readme_blocks((REPO_ROOT / "README.md").read_text())
    assert len(blocks) >= 4
    joined = "\n".join(blocks)
    assert "/sample" in joined and "/jobs" in joined and "genserve train" in joined


def test_the_readmes_commands_run_in_order(clone: Path, server: LiveServer) -> None:
    shell_env = {key: value for key, value in os.environ.items()
                 if not key.startswith("GENSERVE_")}
    for block in readme_blocks((REPO_ROOT / "README.md").read_text()):
        script = block.replace("localhost:8000", f"127.0.0.1:{server.port}").replace(
            "127.0.0.1:8000", f"127.0.0.1:{server.port}")
        done = subprocess.run(["bash", "-e", "-c", script], cwd=clone, env=shell_env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"
        assert not API_ERROR.search(done.stdout), f"{block}\n{done.stdout}"
    key = (clone / "data" / "api_key").read_text().strip()
    jobs = httpx.get(f"{server.url}/jobs", headers={"Authorization": f"Bearer {key}"}).json()
    assert jobs["jobs"] and all(job["status"] == "succeeded" for job in jobs["jobs"]), jobs
    assert (clone / "samples.png").read_bytes().startswith(b"\x89PNG")
