"""Inference latency on ``/sample`` while a VAE trains in the background, against idle.

Starts the real service (``uvicorn app.main:app``, shipped weights, a fresh data folder, the
embedded worker as ``make serve`` runs it), times sequential ``/sample`` requests for a shipped
model while nothing trains, then again while a VAE job trains in the worker process, then
cancels the job. Prints a table and writes ``bench/results/latency_under_training.json``.

    .venv/bin/python bench/latency_under_training.py [--requests 400] [--model digits-vae]

Target: p50 under training within 2x of idle.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS = REPO_ROOT / "bench" / "results" / "latency_under_training.json"
API_KEY = "bench-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
TRAINING_JOB = {
    "kind": "vae", "name": "bench-background-vae", "dataset": "digits",
    "params": {"latent_dim": 8, "hidden_sizes": [256, 128], "epochs": 10_000,
               "batch_size": 64, "eval_importance_samples": 10},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def measure(client: httpx.Client, body: dict[str, Any], requests: int) -> dict[str, float]:
    for _ in range(20):  # warm-up
        client.post("/sample", json=body).raise_for_status()
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        client.post("/sample", json=body).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "requests": requests, "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99), "mean_ms": statistics.fmean(latencies),
    }


def start_server(port: int, data_dir: str, log: Any) -> subprocess.Popen[bytes]:
    env = {
        **os.environ, "GENSERVE_WEIGHTS_DIR": str(REPO_ROOT / "weights"),
        "GENSERVE_DATA_DIR": data_dir, "GENSERVE_API_KEY": API_KEY, "GENSERVE_DEVICE": "cpu",
        "GENSERVE_LOG_LEVEL": "WARNING", "GENSERVE_LOG_FORMAT": "text",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port",
         str(port), "--log-level", "warning", "--no-access-log"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def wait_ready(client: httpx.Client, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            if client.get("/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def run(requests: int, model: str) -> dict[str, Any]:
    port = free_port()
    body = {"model": model, "n": 16, "seed": 0}
    with tempfile.TemporaryDirectory() as data_dir, \
            open(Path(data_dir) / "server.log", "wb") as log:
        process = start_server(port, data_dir, log)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                wait_ready(client, process)
                time.sleep(3)  # let the embedded worker finish starting
                idle = measure(client, body, requests)
                job = client.post("/jobs", json=TRAINING_JOB, headers=AUTH).json()
                while (state := client.get(f"/jobs/{job['id']}", headers=AUTH).json())[
                        "status"] != "running" or not state["metrics"]:
                    time.sleep(0.1)
                training = measure(client, body, requests)
                after = client.get(f"/jobs/{job['id']}", headers=AUTH).json()
                assert after["status"] == "running", "the job ended before the measurement did"
                training["epochs_trained_meanwhile"] = (
                    after["metrics"][-1]["epoch"] - state["metrics"][-1]["epoch"]
                )
                client.delete(f"/jobs/{job['id']}", headers=AUTH)
        finally:
            process.terminate()
            process.wait(timeout=60)
    return {
        "benchmark": "latency_under_training", "model": model, "request": body,
        "training_job": TRAINING_JOB, "idle": idle, "training": training,
        "p50_ratio": training["p50_ms"] / idle["p50_ms"],
        "p99_ratio": training["p99_ms"] / idle["p99_ms"],
        "target": "p50 under training within 2x of idle",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--model", default="digits-vae")
    args = parser.parse_args()
    result = run(args.requests, args.model)
    print(f"/sample n=16 on {args.model}, {args.requests} sequential requests each")
    print(f"{'':24}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for label, key in (("idle", "idle"), ("VAE training meanwhile", "training")):
        row = result[key]
        print(f"{label:24}{row['p50_ms']:10.2f}{row['p99_ms']:10.2f}{row['mean_ms']:10.2f}")
    print(f"{'ratio':24}{result['p50_ratio']:10.2f}{result['p99_ratio']:10.2f}")
    verdict = "meets" if result["p50_ratio"] <= 2 else "misses"
    print(f"p50 ratio {result['p50_ratio']:.2f}: {verdict} the 2x target; "
          f"{result['training']['epochs_trained_meanwhile']} epochs trained during the run")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
