"""What every benchmark shares: machine facts, result files, tables, the fixture model."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "BENCH_VENV_PYTHON",
    "MNIST",
    "REPO_ROOT",
    "RESULTS_DIR",
    "format_table",
    "machine",
    "make_mnist_vae",
    "without_openblas_coretype",
    "write_results",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"
BENCH_VENV_PYTHON = REPO_ROOT / "bench" / ".venv" / "bin" / "python"
MNIST = REPO_ROOT.parent / "shared" / "data" / "mnist.npz"
_OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def without_openblas_coretype() -> None:
    """Re-run this command without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE when they are set.

    Some machines set them so that old OpenBLAS builds pick a safe (slow) kernel; a current
    numpy then runs far below its speed, which would make scikit-learn look slower than it is.
    Both are unset together, for this command alone; ``machine()`` records the kernel in use.
    """
    if any(name in os.environ for name in _OPENBLAS_VARIABLES):
        env = {k: v for k, v in os.environ.items() if k not in _OPENBLAS_VARIABLES}
        env["GENSERVE_BENCH_UNSET_OPENBLAS"] = ",".join(
            f"{name}={os.environ[name]}" for name in _OPENBLAS_VARIABLES if name in os.environ
        )
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    """The facts a reader needs to compare figures: CPU, cores, load, library versions."""
    import numpy
    import torch

    info: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "numpy": numpy.__version__,
        "openblas_env_unset_for_this_run": os.environ.get("GENSERVE_BENCH_UNSET_OPENBLAS"),
    }
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: pool.get(k) for k in ("internal_api", "architecture", "num_threads", "version")}
            for pool in threadpool_info()
        ]
    except ImportError:
        pass
    return info


def write_results(name: str, payload: dict[str, Any], directory: Path | None = None) -> Path:
    """``<directory>/<name>.json`` (default ``bench/results/``), with the machine's facts."""
    directory = RESULTS_DIR if directory is None else directory
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **payload}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(path)
    return path


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (the README takes it as it is)."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            if value != value:  # NaN
                return "-"
            return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def make_mnist_vae(weights_dir: Path, name: str = "mnist-vae") -> Path:
    """An untrained 784-400-20 Bernoulli VAE (MNIST-sized) published under ``weights_dir``.

    Serving speed does not depend on the weights' values, so no training is needed.
    """
    import torch

    from models import VAE, DataSpec, VAEHyperparameters
    from models.storage import publish_model

    torch.manual_seed(0)
    model = VAE(
        VAEHyperparameters(latent_dim=20, hidden_sizes=[400], likelihood="bernoulli"),
        DataSpec(shape=(28, 28), value_range=(0.0, 1.0), dataset="mnist-sized, untrained"),
    ).eval()
    version = publish_model(model, weights_dir, name)
    return weights_dir / name / str(version)

