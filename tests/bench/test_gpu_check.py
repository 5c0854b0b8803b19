"""The GPU check (bench/gpu_check.sh) on the CPU, so the script a GPU session runs cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from bench.gpu_check import Report, check, compare, guarded, shipped_versions

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "bench" / "gpu_check.sh"
SECTIONS = {"start-up", "operations", "log-likelihood k=100", "serving", "GMM fit",
            "VAE training"}
OPERATIONS = {"/sample", "/encode", "/reconstruct", "/log-likelihood", "/interpolate"}


def capabilities(path: Path) -> frozenset[str]:
    """What the model saved at ``path`` declares (its kind's class, from its config)."""
    from models import get_kind

    kind = json.loads((path / "config.json").read_text())["kind"]
    return get_kind(kind).model.capabilities


def run_check(*args: str, results: Path) -> subprocess.CompletedProcess[str]:
    """The shell entry as a GPU session runs it, with this interpreter's environment."""
    return subprocess.run(
        [str(SCRIPT), *args, "--results-dir", str(results)], cwd=REPO_ROOT,
        env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def quick_cpu_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[
    subprocess.CompletedProcess[str], dict[str, Any]
]:
    results = tmp_path_factory.mktemp("gpu-check-results")
    done = run_check("--device", "cpu", "--quick", results=results)
    path = results / "gpu_check-cpu.json"
    assert path.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return done, json.loads(path.read_text())


@pytest.mark.slow
def test_quick_cpu_run_exits_zero_and_says_whether_cuda_is_available(
    quick_cpu_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    done, result = quick_cpu_run
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "torch.cuda.is_available(): " in done.stdout
    assert result["cuda"]["cuda_available"] is torch.cuda.is_available()
    assert result["device"] == "cpu" and result["passed"] is True


@pytest.mark.slow
def test_every_section_produced_a_row(
    quick_cpu_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, result = quick_cpu_run
    assert {row["section"] for row in result["rows"]} == SECTIONS
    assert set(result["section_seconds"]) == SECTIONS - {"log-likelihood k=100"}
    batching = {cell["batching"] for cell in result["serving"]["cells"]
                if cell["section"] == "log-likelihood"}
    assert batching == {"on", "off"}
    assert {cell["concurrency"] for cell in result["serving"]["cells"]
            if cell["section"] == "serving"} == {8, 64}


@pytest.mark.slow
def test_ready_names_the_device_the_server_runs_on(
    quick_cpu_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, result = quick_cpu_run
    assert [s["ready"]["device"] for s in result["startup"]] == ["cpu", "cpu"]


@pytest.mark.slow
def test_every_operation_on_every_shipped_version_matched_the_cpu_reference(
    quick_cpu_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, result = quick_cpu_run
    failed = [c for c in result["comparisons"] if not c["passed"]]
    assert not failed
    for name, version, path in shipped_versions():
        label = f"{name}/{version}"
        checked = {c["operation"] for c in result["comparisons"] if c["model"] == label}
        declared = OPERATIONS | ({"/classify"} if "classify" in capabilities(path) else set())
        assert declared <= checked, (label, checked)
    assert any(c["operation"] == "/classify" for c in result["comparisons"])  # cgmm, cvae
    statistical = [c for c in result["comparisons"] if "(statistical)" in c["what"]]
    assert statistical and all(c["worst"] <= 1.0 for c in statistical)


def test_cuda_asked_for_without_a_gpu_exits_non_zero_and_says_why(tmp_path: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    done = run_check("--device", "cuda", "--quick", results=tmp_path)
    assert done.returncode == 2
    assert "--device cuda was asked for, but torch.cuda.is_available() is False" in done.stderr
    assert not list(tmp_path.iterdir())  # nothing ran, nothing written


def test_an_answer_off_by_more_than_the_tolerance_fails_the_comparison() -> None:
    report = Report()
    reference = np.array([1.0, 2.0, 3.0])
    compare(report, "m", "/op", "values", reference + 1e-6, reference, (0.0, 1e-4))
    compare(report, "m", "/op", "values", reference + 1e-3, reference, (0.0, 1e-4))
    compare(report, "m", "/op", "values", [1.0, np.nan, 3.0], reference, (0.0, 1e-4))
    compare(report, "m", "/op", "values", [[1.0, 2.0]], reference, (0.0, 1e-4))
    assert [c.passed for c in report.comparisons] == [True, False, False, False]
    assert report.comparisons[1].worst == pytest.approx(10.0, rel=1e-3)


def test_a_step_that_raises_is_a_failed_check_and_the_run_goes_on() -> None:
    report = Report()
    with guarded(report, "m/1", "/sample"):
        raise RuntimeError("CUDA error: no kernel image is available")
    with guarded(report, "m/1", "/encode"):
        check(report, "m/1", "/encode", "mean", True)
    assert [(c.operation, c.passed) for c in report.comparisons] == [
        ("/sample", False), ("/encode", True)]
    assert "no kernel image" in report.comparisons[0].detail
