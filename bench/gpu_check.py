"""The GPU check: the CUDA path end to end, in one run of a few minutes, results to compare.

No GPU had been lent to the project when this was written, so it is prepared for the session
that gets one (``bench/gpu_check.sh``; see bench/README.md, "GPU check"). On ``--device``
(``cpu``, ``cuda`` or ``auto``: CUDA when ``torch.cuda.is_available()``), it runs:

1. start-up: two real servers (``genserve serve``, free ports, ``GENSERVE_DEVICE`` set to the
   requested device), batching on and off; seconds to ``/ready``, and ``/ready`` must name the
   device the check expects;
2. every operation a shipped model version in ``weights/`` declares (the five, and
   ``/classify`` for a conditional model), each answer compared with the same maths computed in
   this process on the CPU (``app.batching``'s batch functions, which the server runs too):
   - deterministic answers (encode, reconstruct, interpolate, an exact log-likelihood, a
     class-conditional GMM's classification) within float tolerance (``|a - b| <= atol + rtol
     |b|``, tolerances in ``TOLERANCES``), and the classes a conditional model reports;
   - ``/sample``: on the CPU the seeded answer equals the reference; on another device the seeded
     stream differs, so the answer must be finite, in shape, in the value range and the same for
     the same seed twice, and the sampling maths is checked on a fixed noise path (noise drawn on
     the CPU, turned into samples by the model loaded on the device, in this process);
   - a VAE's ``/log-likelihood`` and a CVAE's per-class log p(x | y) in ``/classify``
     (importance-weighted, k = 100): statistically, against the spread of ``REFERENCE_SEEDS``
     CPU estimates (within 6 standard deviations + 0.01 nats); on the CPU also exactly, seed
     for seed;
3. ``/log-likelihood`` k = 100 on ``mnist-vae`` with batching on and off, requests/s side by side;
4. serving rows at c = 8 and c = 64 (the project's load generator, ``bench/_loadgen.py``);
5. GMM EM (fixed start, fixed iteration count) on the device, its training log-likelihood
   compared with the same fit on the CPU; VAE training (``models.training.train_vae``) on the
   device; both as throughput.

Prints a table and writes ``bench/results/gpu_check-<device>.json``. Exits 2 when ``--device
cuda`` is asked for and torch sees no CUDA device, 1 when a comparison failed, else 0.

    bench/gpu_check.sh [--device auto|cpu|cuda] [--quick] [--results-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench._common import REPO_ROOT, format_table, write_results

WEIGHTS = REPO_ROOT / "weights"
SERVING_MODEL = "mnist-vae"
K = 100  # importance samples, as bench/serving.py
ROWS = 8  # inputs per request
# CPU estimates of a VAE's log-likelihood that set the statistical band (--quick: the first 8)
REFERENCE_SEEDS = 16
# (rtol, atol) per answer key; the rest use DEFAULT_TOLERANCE. float32 on both sides, but another
# device sums in another order (and a GMM's log-densities reach thousands of nats on MNIST).
DEFAULT_TOLERANCE = (1e-4, 1e-4)
TOLERANCES = {
    "log_likelihood": (1e-4, 1e-3),
    "component_log_density": (1e-4, 1e-2),
    "responsibilities": (0.0, 2e-3),
    "log_var": (1e-4, 1e-3),
    "log_likelihood_per_class": (1e-4, 1e-3),
    "probabilities": (0.0, 2e-3),
}


@dataclass
class Comparison:
    """One answer against its reference: passed, and the worst error as a share of the
    tolerance (1.0 = at the limit) so a reader sees how close it came."""

    model: str
    operation: str
    what: str
    passed: bool
    worst: float  # max |a - b| / (atol + rtol |b|); NaN for checks without a number
    detail: str = ""


@dataclass
class Report:
    rows: list[list[Any]] = field(default_factory=list)  # section, item, value, unit, check
    comparisons: list[Comparison] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per section

    def row(self, section: str, item: str, value: Any, unit: str, check: str = "-") -> None:
        self.rows.append([section, item, value, unit, check])
        print(f"  {section} | {item}: {value} {unit} {'' if check == '-' else '[' + check + ']'}",
              flush=True)


# -- device --------------------------------------------------------------------------------------


def cuda_facts() -> dict[str, Any]:
    """What torch says about CUDA on this machine (the first thing a GPU session needs)."""
    available = torch.cuda.is_available()
    facts: dict[str, Any] = {
        "torch": torch.__version__,
        "torch_cuda_build": torch.version.cuda,  # None for a CPU-only wheel
        "cuda_available": available,
        "device_count": torch.cuda.device_count() if available else 0,
    }
    if available:
        props = torch.cuda.get_device_properties(0)
        facts.update(name=props.name, memory_gib=round(props.total_memory / 2**30, 1),
                     capability=f"{props.major}.{props.minor}",
                     float32_matmul_precision=torch.get_float32_matmul_precision())
    return facts


def no_cuda_message(facts: dict[str, Any]) -> str:
    build = facts["torch_cuda_build"] or "none (a CPU-only wheel)"
    return (
        f"gpu_check: --device cuda was asked for, but torch.cuda.is_available() is False "
        f"(torch {facts['torch']}, CUDA build: {build}). Nothing was run. Install a CUDA build "
        "of torch on a machine with an NVIDIA GPU, or run with --device cpu or --device auto."
    )


# -- comparisons ---------------------------------------------------------------------------------


def compare(report: Report, model: str, operation: str, what: str, answer: Any,
            reference: Any, tolerance: tuple[float, float] | None = None) -> None:
    a = np.asarray(answer, dtype=np.float64)
    b = np.asarray(reference, dtype=np.float64)
    if a.size == b.size and a.shape != b.shape:
        a = a.reshape(b.shape)  # nested [B, *shape] against flat [B, D]
    if a.shape != b.shape:
        report.comparisons.append(Comparison(model, operation, what, False, float("nan"),
                                             f"shape {list(a.shape)} != {list(b.shape)}"))
        return
    rtol, atol = tolerance or TOLERANCES.get(what, DEFAULT_TOLERANCE)
    if a.size == 0:
        worst = 0.0
    else:
        worst = float(np.max(np.abs(a - b) / (atol + rtol * np.abs(b))))
    passed = bool(np.isfinite(a).all() and worst <= 1.0)
    report.comparisons.append(Comparison(model, operation, what, passed, worst,
                                         f"rtol {rtol:g}, atol {atol:g}"))


def check(report: Report, model: str, operation: str, what: str, passed: bool,
          detail: str = "") -> None:
    report.comparisons.append(Comparison(model, operation, what, bool(passed), float("nan"),
                                         detail))


@contextmanager
def guarded(report: Report, model: str, operation: str) -> Iterator[None]:
    """An exception is a failed check with its message; the run goes on, so one session on a GPU
    learns everything that breaks, not only the first thing."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none ends the run
        traceback.print_exc()
        check(report, model, operation, "raised", False, f"{type(exc).__name__}: {exc}"[:500])


@contextmanager
def section(report: Report, name: str, model: str = "-") -> Iterator[None]:
    """One section of the run: announced, timed, and :func:`guarded`."""
    print(f"{name} ...", flush=True)
    started = time.monotonic()
    with guarded(report, model, name):
        yield
    report.seconds[name] = round(time.monotonic() - started, 1)


# -- servers -------------------------------------------------------------------------------------


def _post(port: int, path: str, body: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            result: dict[str, Any] = json.loads(answer.read())
            return result
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"POST {path} -> {exc.code}: {exc.read()[:500]!r}") from None


def _wait_ready(server: Any, started: float, timeout: float) -> tuple[float, dict[str, Any]]:
    """Seconds from spawn to ``/ready`` answering 200, and its body."""
    deadline = started + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited; its log:\n{server.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/ready", timeout=2) as r:
                if r.status == 200:
                    return time.monotonic() - started, json.loads(r.read())
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} was not ready in {timeout:.0f} s; see {server.log}")


def start_servers(servers: dict[str, Any], device: str, logs: Path, report: Report,
                  expected: str) -> None:
    """Batching on and off, started together into ``servers`` (so the caller stops what did
    start, whatever fails); the start-up rows and the /ready check."""
    from bench.serving import Server, _free_port, _start

    for batching in ("on", "off"):
        port = _free_port()
        env = {
            "GENSERVE_WEIGHTS_DIR": str(WEIGHTS),
            "GENSERVE_DATA_DIR": str(logs / f"data-{batching}"),
            "GENSERVE_DEVICE": device, "GENSERVE_EMBEDDED_WORKER": "false",
            "GENSERVE_BATCHING": "true" if batching == "on" else "false",
            "GENSERVE_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port",
                   str(port)]
        servers[batching] = Server(f"genserve batching {batching}", command, env, port)
    started = time.monotonic()
    for server in servers.values():
        _start(server, logs)
    for batching, server in servers.items():
        seconds, ready = _wait_ready(server, started, timeout=300.0)
        named = str(ready.get("device"))
        ok = named.split(":")[0] == expected
        check(report, "-", "/ready", f"names the device (batching {batching})", ok,
              f"/ready says {named!r}, expected {expected!r}")
        report.row("start-up", f"GENSERVE_DEVICE={device}, batching {batching}: /ready",
                   round(seconds, 2), "s", f"device {named}: {'ok' if ok else 'WRONG'}")
        report.sections.setdefault("startup", []).append(
            {"batching": batching, "seconds_to_ready": seconds, "ready": ready})
        names = {name for name, _, _ in shipped_versions()}
        served = {model.split("/")[0] for model in ready.get("models", [])}
        check(report, "-", "/ready", f"every shipped model loaded (batching {batching})",
              names <= served and not ready.get("failed"),
              f"missing {sorted(names - served)}, failed {ready.get('failed')}")


def stop_servers(servers: dict[str, Any]) -> None:
    from bench.serving import _stop

    for server in servers.values():
        _stop(server)


# -- the operations ------------------------------------------------------------------------------


def shipped_versions() -> list[tuple[str, int, Path]]:
    from models.storage import list_versions

    found = []
    for directory in sorted(WEIGHTS.iterdir()):
        if directory.is_dir() and not directory.name.startswith(("_", ".")):
            found += [(directory.name, v, directory / str(v)) for v in list_versions(directory)]
    return found


def _generator(seed: int) -> torch.Generator:

    return torch.Generator().manual_seed(seed)


@dataclass
class _Case:
    """One shipped model version: its CPU reference, its copy on the device, the inputs."""

    label: str
    head: dict[str, Any]
    cpu: Any  # GenerativeModel, on the CPU
    on_device: Any  # the same, loaded on the checked device
    inputs: list[Any]  # as sent
    x: Any  # Tensor [ROWS, D], as the server decodes ``inputs``
    port: int
    device: str
    report: Report
    seeds: int  # CPU estimates behind a VAE log-likelihood's statistical band


def _sample(case: _Case) -> None:
    from app.batching import SampleWork, sample_batch

    report, label = case.report, case.label
    body = {**case.head, "n": ROWS, "seed": 7}
    answer = _post(case.port, "/sample", body)
    samples = np.asarray(answer["samples"], dtype=np.float64).reshape(ROWS, -1)
    if case.device == "cpu":
        reference = sample_batch(case.cpu, [SampleWork(ROWS, _generator(7), 1.0)])[0]
        compare(report, label, "/sample", "samples (same seed)", samples, reference.result)
        _same_labels(case, "/sample", answer, reference.labels)
    else:  # another device's generator draws another stream from the same seed
        again = np.asarray(_post(case.port, "/sample", body)["samples"]).reshape(ROWS, -1)
        check(report, label, "/sample", "same seed, same samples", np.array_equal(samples, again))
    low, high = case.cpu.data.value_range or (-np.inf, np.inf)
    check(report, label, "/sample", "finite and in the value range",
          bool(np.isfinite(samples).all() and samples.min() >= low and samples.max() <= high))
    noise = case.cpu.sample_noise(ROWS, generator=_generator(9))
    moved = {key: value.to(case.device) for key, value in noise.items()}
    compare(report, label, "sample_from_noise", "samples (fixed noise, in-process)",
            case.on_device.sample_from_noise(moved).cpu(), case.cpu.sample_from_noise(noise))


def _same_labels(case: _Case, operation: str, answer: dict[str, Any], labels: Any) -> None:
    """A conditional model's answer names the classes the CPU took (given, drawn or inferred)."""
    if labels is None:
        check(case.report, case.label, operation, "no labels (not conditional)",
              "labels" not in answer)
        return
    classes = case.cpu.data.classes
    expected = [classes[int(i)] for i in labels]
    check(case.report, case.label, operation, "labels", answer.get("labels") == expected,
          f"answered {answer.get('labels')}, expected {expected}"[:300])


def _encode(case: _Case) -> None:
    from app.batching import InputsWork, encode_batch

    answer = _post(case.port, "/encode", {**case.head, "inputs": case.inputs})
    encoding = answer["encoding"]
    labelled = encode_batch(case.cpu, [InputsWork(case.x)])[0]
    _same_labels(case, "/encode", answer, labelled.labels)
    reference = labelled.result
    for key, value in reference.items():
        if key == "component":  # an arg max: only where the two best are not near a tie
            resp = np.sort(np.asarray(reference["responsibilities"]), axis=1)
            clear = resp[:, -1] - resp[:, -2] > 0.01
            same = np.asarray(encoding[key])[clear] == np.asarray(value)[clear]
            check(case.report, case.label, "/encode", key, bool(same.all()),
                  f"{int(clear.sum())} rows without a near tie")
        else:
            compare(case.report, case.label, "/encode", key, encoding[key], value)


def _reconstruct(case: _Case) -> None:
    from app.batching import InputsWork, reconstruct_batch

    answer = _post(case.port, "/reconstruct", {**case.head, "inputs": case.inputs})
    reference = reconstruct_batch(case.cpu, [InputsWork(case.x)])[0]
    compare(case.report, case.label, "/reconstruct", "reconstructions",
            answer["reconstructions"], reference.result)
    _same_labels(case, "/reconstruct", answer, reference.labels)


def _log_likelihood(case: _Case) -> None:
    from app.batching import LogLikelihoodWork, log_likelihood_batch

    body = {**case.head, "inputs": case.inputs, "importance_samples": K, "seed": 11}
    log_px = np.asarray(_post(case.port, "/log-likelihood", body)["log_likelihood"])

    def scores(*seeds: int) -> list[Any]:  # one batch, each seed its own rows' noise
        works = [LogLikelihoodWork(case.x, _generator(seed), K) for seed in seeds]
        return [score["log_likelihood"] for score in log_likelihood_batch(case.cpu, works)]

    def score(seed: int) -> Any:
        return scores(seed)[0]

    if case.cpu.exact_likelihood:  # nothing drawn
        compare(case.report, case.label, "/log-likelihood", "log_likelihood", log_px, score(11))
        return
    if case.device == "cpu":
        compare(case.report, case.label, "/log-likelihood", "log_likelihood (same seed)",
                log_px, score(11), TOLERANCES["log_likelihood"])
    estimates = np.stack(scores(*range(1000, 1000 + case.seeds)))
    mean, spread = estimates.mean(0), estimates.std(0, ddof=1)
    band = 6.0 * spread + 0.01
    worst = float(np.max(np.abs(log_px - mean) / band))
    case.report.comparisons.append(Comparison(
        case.label, "/log-likelihood", f"log_likelihood k={K} (statistical)",
        bool(np.isfinite(log_px).all() and worst <= 1.0), worst,
        f"|answer - mean of {case.seeds} CPU seeds| <= 6 sd + 0.01 nats; "
        f"sd up to {float(spread.max()):.3g} nats",
    ))


def _interpolate(case: _Case) -> None:
    from app.batching import InterpolateWork, interpolate_batch

    body = {**case.head, "inputs": case.inputs[:2], "steps": 5}
    answer = _post(case.port, "/interpolate", body)
    reference = interpolate_batch(case.cpu, [InterpolateWork(case.x[0], case.x[1], 5, "linear")])
    expected = reference[0]
    compare(case.report, case.label, "/interpolate", "path", answer["path"], expected.pop("path"))
    for key, value in expected.items():
        compare(case.report, case.label, "/interpolate", key, answer["details"][key], value)


def _classify(case: _Case) -> None:
    """p(y | x): exact for a class-conditional GMM; for a CVAE the per-class importance-weighted
    log p(x | y), seed for seed on the CPU and statistically elsewhere (as ``/log-likelihood``)."""
    from app.batching import ClassifyWork, classify_batch

    classes = case.cpu.data.classes
    body = {**case.head, "inputs": case.inputs, "importance_samples": K, "seed": 13}
    answer = _post(case.port, "/classify", body)
    check(case.report, case.label, "/classify", "classes", answer["classes"] == classes)
    by_class = {key: np.asarray([[row[c] for c in classes] for row in answer[key]])
                for key in ("probabilities", "log_likelihood_per_class")}

    def results(*seeds: int) -> list[Any]:  # one batch, each seed its own rows' noise
        works = [ClassifyWork(case.x, _generator(seed), K) for seed in seeds]
        return classify_batch(case.cpu, works)

    compare(case.report, case.label, "/classify", "log_prior",
            [answer["log_prior"][c] for c in classes], results(13)[0]["log_prior"])
    if case.cpu.exact_likelihood or case.device == "cpu":
        reference = results(13)[0]
        for key, value in by_class.items():
            compare(case.report, case.label, "/classify", key, value, reference[key])
        probabilities = np.sort(reference["probabilities"], axis=1)
        clear = probabilities[:, -1] - probabilities[:, -2] > 0.01  # no near tie
        predicted = np.asarray([classes.index(c) for c in answer["predicted"]])
        check(case.report, case.label, "/classify", "predicted",
              bool((predicted[clear] == reference["predicted"][clear]).all()),
              f"{int(clear.sum())} rows without a near tie")
    if case.cpu.exact_likelihood:
        return
    estimates = np.stack([r["log_likelihood_per_class"] for r in
                          results(*range(2000, 2000 + case.seeds))])
    mean, spread = estimates.mean(0), estimates.std(0, ddof=1)
    band = 6.0 * spread + 0.01
    worst = float(np.max(np.abs(by_class["log_likelihood_per_class"] - mean) / band))
    case.report.comparisons.append(Comparison(
        case.label, "/classify", f"log_likelihood_per_class k={K} (statistical)",
        bool(np.isfinite(by_class["log_likelihood_per_class"]).all() and worst <= 1.0), worst,
        f"|answer - mean of {case.seeds} CPU seeds| <= 6 sd + 0.01 nats; "
        f"sd up to {float(spread.max()):.3g} nats",
    ))


OPERATIONS = {"/sample": _sample, "/encode": _encode, "/reconstruct": _reconstruct,
              "/log-likelihood": _log_likelihood, "/interpolate": _interpolate,
              "/classify": _classify}
CAPABILITIES = {"/sample": "sample", "/encode": "encode", "/reconstruct": "reconstruct",
                "/log-likelihood": "log_likelihood", "/interpolate": "interpolate",
                "/classify": "classify"}
"""The capability a model declares for each checked route: a route it does not declare is not
asked."""


@torch.no_grad()
def check_operations(port: int, device: str, quick: bool, report: Report) -> None:
    """Every operation on every shipped version, against this process's CPU computation; an
    operation that raises is a failed check, and the others still run."""
    from app.batching import SampleWork, sample_batch
    from app.codecs import decode_arrays
    from models import load_model

    for name, version, path in shipped_versions():
        label = f"{name}/{version}"
        before = len(report.comparisons)
        with guarded(report, label, "load"):
            cpu = load_model(path, device="cpu").eval()
            # Inputs in the model's own range and shape: its samples, drawn here on the CPU.
            inputs = sample_batch(cpu, [SampleWork(ROWS, _generator(123), 1.0)])[0]
            inputs = inputs.result.tolist()
            case = _Case(label, {"model": name, "version": version}, cpu,
                         load_model(path, device=device).eval(), inputs,
                         torch.from_numpy(decode_arrays(inputs, cpu.data)), port, device, report,
                         8 if quick else REFERENCE_SEEDS)
            for operation, run in OPERATIONS.items():
                if CAPABILITIES[operation] not in cpu.capabilities:
                    continue
                with guarded(report, label, operation):
                    run(case)
        mine = report.comparisons[before:]
        numbers = [c for c in mine if c.worst == c.worst]
        closest = max(numbers, key=lambda c: c.worst) if numbers else None
        report.row("operations", f"{label}: its operations", f"{sum(c.passed for c in mine)}"
                   f"/{len(mine)}", "checks passed", "-" if closest is None else
                   f"worst error / tolerance {closest.worst:.3g} ({closest.operation} "
                   f"{closest.what})")


# -- throughput over HTTP ----------------------------------------------------------------------


def _serving_bodies(directory: Path) -> dict[str, Path]:
    from models import load_model
    from models.storage import list_versions

    model_dir = WEIGHTS / SERVING_MODEL
    model = load_model(model_dir / str(max(list_versions(model_dir))))
    rows = model.sample(ROWS, generator=_generator(5)).numpy().round(4).tolist()
    payloads = {
        "/sample n=16": ("sample", {"model": SERVING_MODEL, "n": 16, "seed": 1}),
        f"/reconstruct {ROWS} rows": ("reconstruct", {"model": SERVING_MODEL, "inputs": rows}),
        f"/log-likelihood {ROWS} rows, k={K}": ("log-likelihood", {
            "model": SERVING_MODEL, "inputs": rows, "importance_samples": K, "seed": 1}),
    }
    paths = {}
    for label, (operation, payload) in payloads.items():
        path = directory / f"{operation}.json"
        path.write_text(json.dumps(payload))
        paths[label] = path
    return paths


def serving(servers: dict[str, Any], directory: Path, quick: bool, report: Report) -> None:
    """The log-likelihood rows with batching on and off, then the other serving rows (batching
    on): ``--quick``, c = 8 and /sample alone, half a second each."""
    from bench.serving import _load

    duration, warmup = (0.5, 0.2) if quick else (5.0, 1.0)
    bodies = _serving_bodies(directory)
    ll = f"/log-likelihood {ROWS} rows, k={K}"
    cells: list[tuple[str, str, int, str]] = []
    for concurrency in ((8,) if quick else (8, 64)):
        cells += [("log-likelihood", ll, concurrency, "on"), ("log-likelihood", ll, concurrency,
                                                             "off")]
    # the log-likelihood's serving rows (batching on) are the ones above
    for label in (["/sample n=16"] if quick else [b for b in bodies if b != ll]):
        cells += [("serving", label, c, "on") for c in (8, 64)]
    results = []
    for section, label, concurrency, batching in cells:
        operation = "/" + bodies[label].stem
        url = f"http://127.0.0.1:{servers[batching].port}{operation}"
        run = _load(url, bodies[label], concurrency, duration, warmup)
        results.append({"section": section, "request": label, "concurrency": concurrency,
                        "batching": batching, **run})
        report.row(
            "log-likelihood k=100" if section == "log-likelihood" else "serving",
            f"{label}, c={concurrency}, batching {batching}", round(run["rps"], 1), "req/s",
            f"p50 {run['p50_ms']:.1f} ms, p99 {run['p99_ms']:.1f} ms, {run['errors']} errors",
        )
        check(report, SERVING_MODEL, operation, f"c={concurrency} batching {batching}: answers",
              run["requests"] > 0 and run["errors"] == 0,
              f"{run['requests']} answered, {run['errors']} errors")
    report.sections["serving"] = {"duration_s": duration, "warmup_s": warmup, "cells": results}


# -- training ------------------------------------------------------------------------------------


def _mixture(n: int, d: int, k: int, seed: int = 0) -> Any:
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=3.0, size=(k, d))
    factors = rng.normal(size=(k, d, d)) / np.sqrt(d)
    component = rng.integers(k, size=n)
    return means[component] + np.einsum("nd,nde->ne", rng.normal(size=(n, d)), factors[component])


def gmm_fit(device: str, quick: bool, report: Report) -> None:
    """EM from a fixed start for a fixed number of iterations, on the device and on the CPU."""
    from models import DataSpec
    from models.gmm import GaussianMixture, GMMHyperparameters

    n, d, k, iterations = (2_000, 8, 4, 5) if quick else (100_000, 32, 16, 50)
    x = torch.from_numpy(_mixture(n, d, k))
    start = (x[torch.randperm(n, generator=_generator(1))[:k]].clone(),  # means, weights,
             torch.full((k,), 1.0 / k, dtype=torch.float64),  # precisions, as bench/gmm_fit.py
             torch.eye(d, dtype=torch.float64).expand(k, d, d).clone())
    hparams = GMMHyperparameters(n_components=k, covariance_type="full", tol=0.0,
                                 max_iter=iterations, n_init=1)
    spec = DataSpec(shape=(d,))
    figures = {}
    for where in dict.fromkeys([device, "cpu"]):
        data = x.to(where)
        means, weights, precisions = (value.to(where) for value in start)

        def fit(model: GaussianMixture) -> dict[str, float]:
            return model.fit(data, init_means=means, init_weights=weights,  # noqa: B023
                             init_precisions=precisions)  # noqa: B023

        if where != "cpu":  # the first CUDA call sets up its context and libraries: not EM
            fit(GaussianMixture(hparams.model_copy(update={"max_iter": 1}), spec).to(where))
            torch.cuda.synchronize()
        model = GaussianMixture(hparams, spec).to(where)
        started = time.perf_counter()
        summary = fit(model)
        if where != "cpu":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - started
        figures[where] = {"seconds": seconds, "n_iter": summary["n_iter"],
                          "train_log_likelihood": summary["log_likelihood"],
                          "rows_iterations_per_s": n * summary["n_iter"] / seconds}
        report.row("GMM fit", f"EM on {where}: N={n:,}, D={d}, K={k}, full, "
                   f"{int(summary['n_iter'])} iterations", n * summary["n_iter"] / seconds,
                   "rows x iterations / s", f"{seconds / summary['n_iter'] * 1e3:.1f} ms/iteration")
    compare(report, "generated mixture", "GMM fit", f"train log-likelihood, {device} vs cpu",
            figures[device]["train_log_likelihood"], figures["cpu"]["train_log_likelihood"],
            (1e-3, 1e-3))  # float32 EM, another order of sums, iterated
    report.sections["gmm_fit"] = {"n": n, "d": d, "k": k, "iterations": iterations,
                                  "figures": figures}


def vae_training(device: str, quick: bool, report: Report) -> None:
    """``train_vae`` for a few epochs; throughput from the epochs after the first (the first
    pays for CUDA's start), or over the one epoch of ``--quick``."""
    from models import VAEHyperparameters
    from models.datasets import Dataset
    from models.training import VAETrainingOptions, train_vae

    if quick:  # digits-sized
        pixels = np.random.default_rng(0).random((1_500, 64))
        dataset = Dataset(name="generated, digits-sized", examples=pixels, shape=(8, 8))
        hparams = VAEHyperparameters(latent_dim=4, hidden_sizes=[32])
        epochs = 1
    else:  # MNIST-sized; speed does not depend on the pixels' values
        pixels = (np.random.default_rng(0).random((60_000, 784)) < 0.13).astype(np.float64)
        dataset = Dataset(name="generated, MNIST-sized", examples=pixels, shape=(28, 28))
        hparams = VAEHyperparameters(latent_dim=20, hidden_sizes=[400], likelihood="bernoulli")
        epochs = 3
    options = VAETrainingOptions(epochs=epochs, batch_size=128, eval_importance_samples=1)
    figures = {}
    for where in dict.fromkeys([device, "cpu"]):
        events: list[Mapping[str, Any]] = []
        train_vae(dataset, hparams, options, device=where, progress=events.append)
        epochs_done = [e for e in events if "epoch" in e and "phase" not in e]
        n_train = len(dataset.split(test_fraction=options.test_fraction,
                                    seed=options.split_seed).train)
        if len(epochs_done) > 1:
            seconds = epochs_done[-1]["elapsed_s"] - epochs_done[0]["elapsed_s"]
            counted = len(epochs_done) - 1
        else:
            seconds, counted = epochs_done[-1]["elapsed_s"], 1
        rate = n_train * counted / seconds
        figures[where] = {"examples_per_s": rate, "epochs": len(epochs_done),
                          "epochs_timed": counted, "train_examples": n_train,
                          "test_elbo": epochs_done[-1].get("test_elbo")}
        report.row("VAE training", f"train_vae on {where}: {dataset.name}, "
                   f"{'-'.join(map(str, hparams.hidden_sizes))}-{hparams.latent_dim}, batch 128",
                   rate, "examples / s", f"{counted} epoch(s) timed")
        check(report, dataset.name, "VAE training", f"finite ELBO on {where}",
              np.isfinite(float(epochs_done[-1].get("test_elbo", float("nan")))))
    report.sections["vae_training"] = {"epochs": epochs, "batch_size": 128, "figures": figures}


# -- main ----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and durations (the test's run, about half a minute)")
    parser.add_argument("--results-dir", type=Path, default=None,
                        help="where the JSON goes (default bench/results/)")
    args = parser.parse_args(argv)

    facts = cuda_facts()
    print(f"torch {facts['torch']}, CUDA build: {facts['torch_cuda_build'] or 'none'}, "
          f"torch.cuda.is_available(): {facts['cuda_available']}"
          + (f", {facts['device_count']} x {facts['name']}" if facts["cuda_available"] else ""),
          flush=True)
    if args.device == "cuda" and not facts["cuda_available"]:
        print(no_cuda_message(facts), file=sys.stderr)
        return 2
    device = "cuda" if args.device == "cuda" or (
        args.device == "auto" and facts["cuda_available"]) else "cpu"
    print(f"checking on {device} (--device {args.device})", flush=True)

    report = Report()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="genserve-gpu-check-") as tmp:
        root = Path(tmp)
        servers: dict[str, Any] = {}
        try:
            with section(report, "start-up"):
                start_servers(servers, args.device, root, report, expected=device)
            if len(report.rows) == len(servers) == 2:  # both ready
                with section(report, "operations"):
                    check_operations(servers["on"].port, device, args.quick, report)
                with section(report, "serving", SERVING_MODEL):
                    serving(servers, root, args.quick, report)
        finally:
            stop_servers(servers)
    with section(report, "GMM fit", "generated mixture"):
        gmm_fit(device, args.quick, report)
    with section(report, "VAE training"):
        vae_training(device, args.quick, report)
    elapsed = time.monotonic() - started

    failed = [c for c in report.comparisons if not c.passed]
    table = format_table(["section", "what", "figure", "unit", "check"], report.rows)
    print()
    print(table)
    print()
    for c in failed:
        print(f"FAILED: {c.model} {c.operation} {c.what}: worst {c.worst:.3g} ({c.detail})")
    print(f"{len(report.comparisons) - len(failed)}/{len(report.comparisons)} checks passed "
          f"in {elapsed:.0f} s on {device} (seconds per section: {report.seconds})")
    payload = {
        "command": "bench/gpu_check.sh " + " ".join(argv if argv is not None else sys.argv[1:]),
        "device": device, "requested_device": args.device, "quick": args.quick,
        "cuda": facts, "elapsed_s": round(elapsed, 1), "section_seconds": report.seconds,
        "passed": not failed,
        "comparisons": [{**c.__dict__, "worst": c.worst if c.worst == c.worst else None}
                        for c in report.comparisons],
        "rows": [dict(zip(("section", "what", "figure", "unit", "check"), row, strict=True))
                 for row in report.rows],
        **report.sections, "table": table,
    }
    path = write_results(f"gpu_check-{device}", payload, directory=args.results_dir)
    print(f"wrote {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    os.chdir(REPO_ROOT)
    sys.exit(main())
