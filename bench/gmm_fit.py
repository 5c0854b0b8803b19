"""GMM fitting: genserve's EM against scikit-learn's GaussianMixture (and TorchGMM if installed).

Data: N = 100,000 training and 20,000 held-out rows, D = 32, from a seeded random mixture of
K = 16 full-covariance Gaussians; every method fits K = 16, full and diagonal covariance.

1. Speed: 100 EM iterations from the same starting point (the same K data rows as means,
   uniform weights, identity precisions; ``tol = 0`` so none stops early), wall time.
2. Quality: each method's own initialisation, run to its tolerance (1e-3) with the same
   ``n_init`` (1), held-out mean log-likelihood per example.
3. Roofline (full covariance): this CPU's GEMM peak (``torch.mm``, float32 and float64) and each
   phase of genserve's EM iteration alone (``bench/_gmm_roofline.py``): milliseconds, FLOPs,
   GFLOP/s and the share of the peak.

Every method gets ``reg_covar = 1e-6`` (scikit-learn's default). Times are wall and CPU
(``time.process_time``): with one thread the CPU-time ratio is the fairer one on a machine that
other work shares, where a wall ratio moves with whatever else ran during each fit.

scikit-learn runs in float64 (its default; on float32 input too with
``--with-sklearn-float32``, which adds several minutes); genserve in float32 (its default:
``GMMHyperparameters(dtype="float32")``, the chunks' products in float32, sums over chunks and
parameters in float64) and in float64 (``dtype="float64"``). TorchGMM, the maintained fork of
PyCave, runs from ``bench/.venv`` (``make bench-env``) and is skipped with a note when that
environment or the package is missing.

Threads: ``--threads 1`` by default, for every method (torch, scikit-learn's BLAS, TorchGMM).
On a machine whose cores other work also uses, a 2-thread operation waits at every barrier for
the busy core: measured here, genserve's EM ran 20x slower with 2 threads than with 1 while
another process held a core, and scikit-learn's BLAS suffers the same. ``--threads 2`` is the
figure to take on an idle machine.

    .venv/bin/python -m bench.gmm_fit [--iterations 100] [--threads 1] [--covariance both]
                                      [--with-sklearn-float32]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from bench._common import (
    BENCH_VENV_PYTHON,
    REPO_ROOT,
    format_table,
    without_openblas_coretype,
    write_results,
)

N_TRAIN, N_TEST, D, K = 100_000, 20_000, 32, 16
TOL = 1e-3
REG_COVAR = 1e-6
"""scikit-learn's default, given to genserve too (whose own default, 1e-3, suits its shipped
models): the same hyperparameters on both sides, or the fits differ by design."""


def make_data(seed: int = 0) -> tuple[Any, Any]:
    """Rows of a random K-component mixture with full covariances, train and held-out."""
    import numpy as np

    rng = np.random.default_rng(seed)
    means = rng.normal(scale=3.0, size=(K, D))
    factors = rng.normal(size=(K, D, D)) / np.sqrt(D) * rng.uniform(0.5, 1.5, size=(K, 1, 1))
    weights = rng.dirichlet(np.full(K, 5.0))
    n = N_TRAIN + N_TEST
    component = rng.choice(K, size=n, p=weights)
    x = means[component] + np.einsum("nd,nde->ne", rng.normal(size=(n, D)), factors[component])
    return x[:N_TRAIN], x[N_TRAIN:]


def _initial(train: Any, covariance_type: str) -> tuple[Any, Any, Any]:
    import numpy as np

    rng = np.random.default_rng(1)
    means = train[rng.choice(len(train), K, replace=False)]
    weights = np.full(K, 1.0 / K)
    precisions = np.stack([np.eye(D)] * K) if covariance_type == "full" else np.ones((K, D))
    return means, weights, precisions


def sklearn_fit(train: Any, test: Any, covariance_type: str, dtype: Any, *, iterations: int,
                start: tuple[Any, Any, Any] | None) -> dict[str, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    if start is not None:
        means, weights, precisions = start
        model = GaussianMixture(
            K, covariance_type=covariance_type, tol=0.0, max_iter=iterations,
            means_init=means, weights_init=weights, precisions_init=precisions,
            init_params="random_from_data", random_state=0,
        )
    else:
        model = GaussianMixture(K, covariance_type=covariance_type, tol=TOL, max_iter=1000,
                                n_init=1, random_state=0)
    x = train.astype(dtype)
    started, cpu_started = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "n_iter": float(model.n_iter_),
            "train_log_likelihood": float(model.score(x)),
            "test_log_likelihood": float(model.score(test.astype(dtype)))}


def genserve_fit(train: Any, test: Any, covariance_type: str, dtype: str, *, iterations: int,
                 start: tuple[Any, Any, Any] | None,
                 keep: dict[str, Any] | None = None) -> dict[str, float]:
    import torch

    from models import DataSpec
    from models.gmm import GaussianMixture, GMMHyperparameters

    if start is not None:
        hparams = GMMHyperparameters(n_components=K, covariance_type=covariance_type, tol=0.0,
                                     max_iter=iterations, dtype=dtype, reg_covar=REG_COVAR)
    else:
        hparams = GMMHyperparameters(n_components=K, covariance_type=covariance_type, tol=TOL,
                                     max_iter=1000, n_init=1, seed=0, dtype=dtype,
                                     reg_covar=REG_COVAR)
    model = GaussianMixture(hparams, DataSpec(shape=(D,)))
    x = torch.from_numpy(train)
    init = {}
    if start is not None:
        means, weights, precisions = start
        init = {"init_means": torch.from_numpy(means), "init_weights": torch.from_numpy(weights),
                "init_precisions": torch.from_numpy(precisions)}
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = model.fit(x, **init)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    test_ll = model.log_likelihood(torch.from_numpy(test))["log_likelihood"].double().mean()
    if keep is not None:
        keep["model"] = model
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "n_iter": summary["n_iter"],
            "train_log_likelihood": summary["log_likelihood"],
            "test_log_likelihood": float(test_ll)}


def torchgmm_fit(data_dir: Path, covariance_type: str, *, iterations: int, tol: float,
                 threads: int) -> dict[str, float] | str:
    if not BENCH_VENV_PYTHON.exists():
        return "bench/.venv is missing (make bench-env)"
    limits = {name: str(threads) for name in
              ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    out = subprocess.run(
        [str(BENCH_VENV_PYTHON), "-m", "bench._torchgmm_fit", str(data_dir), covariance_type,
         str(iterations), str(tol)],
        cwd=REPO_ROOT, capture_output=True, text=True, env={**os.environ, **limits},
    )
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return f"TorchGMM failed: {last}"
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    without_openblas_coretype()
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--with-sklearn-float32", action="store_true")
    parser.add_argument("--threads", type=int, default=1, help="for every method; see above")
    parser.add_argument("--covariance", choices=("full", "diag", "both"), default="both",
                        help="covariance types to run (the roofline table is full's)")
    args = parser.parse_args(argv)
    covariance_types = ("full", "diag") if args.covariance == "both" else (args.covariance,)
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    threadpool_limits(limits=args.threads)  # scikit-learn's BLAS and OpenMP
    from bench._gmm_roofline import gemm_peak, phase_profile

    peaks = {"float32": gemm_peak(torch.float32), "float64": gemm_peak(torch.float64)}
    print("GEMM peak, GFLOP/s: " + ", ".join(f"{k} {v:.1f}" for k, v in peaks.items()), flush=True)
    train, test = make_data()
    fitted: dict[str, Any] = {}
    notes: list[str] = []
    speed: list[dict[str, Any]] = []
    quality: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="genserve-gmm-") as tmp:
        data_dir = Path(tmp)
        np.save(data_dir / "train.npy", train.astype(np.float32))
        np.save(data_dir / "test.npy", test.astype(np.float32))
        for covariance_type in covariance_types:
            start = _initial(train, covariance_type)
            np.save(data_dir / "init_means.npy", start[0].astype(np.float32))
            runs: list[tuple[str, Any, Any]] = [
                ("scikit-learn, float64", sklearn_fit, np.float64),
                ("scikit-learn, float32 input", sklearn_fit, np.float32),
                ("genserve, float64", genserve_fit, "float64"),
                ("genserve, float32 (default)", genserve_fit, "float32"),
            ]
            if not args.with_sklearn_float32:
                del runs[1]
            for phase, table in (("speed", speed), ("quality", quality)):
                for name, fit, dtype in runs:
                    print(f"{covariance_type} {phase}: {name} ...", flush=True)
                    keep: dict[str, Any] = {}
                    extra = {"keep": keep} if fit is genserve_fit else {}
                    result = fit(train, test, covariance_type, dtype, iterations=args.iterations,
                                 start=start if phase == "speed" else None, **extra)
                    if keep and phase == "speed" and covariance_type == "full":
                        fitted[dtype] = keep["model"]
                    table.append({"covariance": covariance_type, "method": name, **result})
                tg = torchgmm_fit(data_dir, covariance_type,
                                  iterations=args.iterations if phase == "speed" else 1000,
                                  tol=0.0 if phase == "speed" else TOL, threads=args.threads)
                if isinstance(tg, str):
                    if tg not in notes:
                        notes.append(tg)
                else:
                    table.append({"covariance": covariance_type, "method": "TorchGMM, float32",
                                  **tg})

    roofline: list[dict[str, Any]] = []
    for dtype_name, model in fitted.items():
        print(f"full roofline: genserve, {dtype_name} ...", flush=True)
        for row in phase_profile(model, train, getattr(torch, dtype_name),
                                 model.hparams.chunk_size):
            roofline.append({"dtype": dtype_name, **row,
                             "fraction_of_peak": row["gflops"] / peaks[dtype_name]})
    for covariance_type in covariance_types:
        reference = next(r for r in speed if r["covariance"] == covariance_type
                         and r["method"] == "scikit-learn, float64")
        for row in speed:
            if row["covariance"] == covariance_type:
                row["speedup_vs_sklearn_float64"] = reference["seconds"] / row["seconds"]
                if "cpu_seconds" in row:
                    row["cpu_speedup_vs_sklearn_float64"] = (
                        reference["cpu_seconds"] / row["cpu_seconds"])
        reference = next(r for r in quality if r["covariance"] == covariance_type
                         and r["method"] == "scikit-learn, float64")
        for row in quality:
            if row["covariance"] == covariance_type:
                row["relative_difference_vs_sklearn"] = abs(
                    row["test_log_likelihood"] - reference["test_log_likelihood"]
                ) / abs(reference["test_log_likelihood"])

    speed_table = format_table(
        ["covariance", "method", f"{args.iterations} iterations, s", "ms / iteration",
         "x scikit-learn (float64)", "x scikit-learn, CPU time", "train log-lik."],
        [[r["covariance"], r["method"], r["seconds"], 1e3 * r["seconds"] / args.iterations,
          r["speedup_vs_sklearn_float64"], r.get("cpu_speedup_vs_sklearn_float64", "-"),
          f"{r['train_log_likelihood']:.4f}"] for r in speed],
    )
    quality_table = format_table(
        ["covariance", "method", "iterations", "fit, s", "held-out log-lik.",
         "difference vs scikit-learn"],
        [[r["covariance"], r["method"], int(r["n_iter"]) if "n_iter" in r else "-", r["seconds"],
          f"{r['test_log_likelihood']:.4f}", f"{100 * r['relative_difference_vs_sklearn']:.3f}%"]
         for r in quality],
    )
    roofline_table = format_table(
        ["dtype", "phase", "ms / iteration", "GFLOP", "GFLOP/s", "of GEMM peak"],
        [[r["dtype"], r["phase"], 1e3 * r["seconds"], f"{r['gflop']:.3f}", f"{r['gflops']:.1f}",
          f"{100 * r['fraction_of_peak']:.0f}%"] for r in roofline],
    )
    print()
    print("GEMM peak (torch.mm, 512 x 512, 1 thread per --threads), GFLOP/s: "
          + ", ".join(f"{k} {v:.1f}" for k, v in peaks.items()))
    print()
    print(roofline_table)
    print()
    print(speed_table)
    print()
    print(quality_table)
    for note in notes:
        print(f"note: {note}")
    path = write_results("gmm_fit", {
        "command": "python -m bench.gmm_fit " + " ".join(argv or sys.argv[1:]),
        "data": {"n_train": N_TRAIN, "n_test": N_TEST, "dim": D, "components": K,
                 "source": "seeded random mixture of 16 full-covariance Gaussians"},
        "iterations": args.iterations, "tol": TOL, "n_init": 1, "threads": args.threads,
        "reg_covar": REG_COVAR, "gemm_peak_gflops": peaks, "roofline": roofline,
        "speed": speed, "quality": quality, "notes": notes,
        "roofline_table": roofline_table, "speed_table": speed_table,
        "quality_table": quality_table,
    })
    print(f"\nwrote {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
