"""`make serve` and `make test`: what each installs, and where `make serve` listens.

Read from `make -n` (what make would run), so nothing is installed or started here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned(*args: str, venv: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "MAKEFLAGS")}
    done = subprocess.run(["make", "-n", *args, f"VENV={venv}"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_serve_installs_only_what_serving_needs(tmp_path: Path) -> None:
    plan = planned("serve", venv=tmp_path / "fresh")
    assert "pip install" in plan and "-e ." in plan
    assert "[test]" not in plan


def test_make_test_adds_the_test_extras(tmp_path: Path) -> None:
    plan = planned("test", venv=tmp_path / "fresh")
    assert "-e '.[test]'" in plan and "ruff check" in plan and "pytest" in plan
    assert "-e examples/ppca" in plan  # the example plugin kind the tests train and serve


def test_make_serve_leaves_host_and_port_to_genserves_settings_unless_given(
    tmp_path: Path,
) -> None:
    venv = tmp_path / "fresh"
    plan = planned("serve", venv=venv).splitlines()
    default = [line for line in plan if "genserve serve" in line]
    assert default and "--port" not in default[0] and "--host" not in default[0]
    given = planned("serve", "PORT=9001", "HOST=0.0.0.0", venv=venv)
    assert "genserve serve --host 0.0.0.0 --port 9001" in given
