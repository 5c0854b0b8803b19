"""A one-sample ``/sample`` client while 12 clients send the heaviest log-likelihoods the limits
allow, with admission control on and off (issue 17 #3).

For each mode, starts the real service (``uvicorn app.main:app --http
app.server:HttpToolsProtocol``, shipped weights, a fresh data folder, no embedded worker) with
``GENSERVE_ADMISSION`` on or off. Twelve heavy clients each send ``/log-likelihood`` with 256
MNIST rows (``GENSERVE_MAX_REQUEST_EXAMPLES``) and k = 5,000
(``GENSERVE_MAX_IMPORTANCE_SAMPLES``) in a loop, waiting ``Retry-After`` (at most
``--retry-cap`` s) after a 429. Meanwhile one light client, in its own thread, sends ``/sample``
n = 1 one after the other for ``--duration`` seconds. A third run without heavy clients shows
the light client's tail on the machine as it is (other work on a shared machine included).
Prints a Markdown table and writes ``bench/results/fairness.json``.

    .venv/bin/python -m bench.fairness [--duration 40] [--heavy-clients 12] [--model mnist-vae]

Target: light p99 under 250 ms with admission on, and no request answered 408.
Rows come from ``/work/shared/data/mnist.npz`` when present, else random binary pixels (the
cost is the same).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench._common import MNIST, REPO_ROOT, format_table, write_results

ROWS = 256
K = 5000


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def heavy_rows() -> list[list[int]]:
    if MNIST.exists():
        images = np.load(MNIST)["x_test"][:ROWS].reshape(ROWS, -1)
        return (images >= 128).astype(int).tolist()
    return np.random.default_rng(0).integers(0, 2, (ROWS, 784)).tolist()


def start_server(port: int, data_dir: str, log: Any, admission: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ, "GENSERVE_WEIGHTS_DIR": str(REPO_ROOT / "weights"),
        "GENSERVE_DATA_DIR": data_dir, "GENSERVE_DEVICE": "cpu", "GENSERVE_LOG_LEVEL": "WARNING",
        "GENSERVE_LOG_FORMAT": "text", "GENSERVE_EMBEDDED_WORKER": "false",
        "GENSERVE_ADMISSION": "true" if admission else "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port",
         str(port), "--log-level", "warning", "--http", "app.server:HttpToolsProtocol"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def light_client(url: str, model: str, stop: threading.Event, out: dict[str, Any]) -> None:
    """Sequential one-sample requests until ``stop``; latencies of every answer."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    with httpx.Client(base_url=url, timeout=120) as client:
        body = {"model": model, "n": 1}
        for _ in range(20):  # warm-up, before the heavy clients start
            client.post("/sample", json=body).raise_for_status()
        out["warm"] = True
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = client.post("/sample", json=body).status_code
            except httpx.TimeoutException:
                status = 0
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
    out.update(latencies=latencies, statuses=statuses)


async def heavy_clients(
    url: str, model: str, clients: int, seconds: float, retry_cap: float
) -> Counter[int]:
    statuses: Counter[int] = Counter()
    body = {"model": model, "inputs": heavy_rows(), "importance_samples": K, "seed": 0}
    payload = httpx.Request("POST", "/", json=body).content  # encoded once
    headers = {"Content-Type": "application/json"}
    end = time.monotonic() + seconds

    async def one(client: httpx.AsyncClient) -> None:
        while time.monotonic() < end:
            try:
                response = await client.post("/log-likelihood", content=payload, headers=headers)
            except httpx.TimeoutException:
                statuses[0] += 1
                continue
            statuses[response.status_code] += 1
            if response.status_code == 429:
                wait = min(retry_cap, float(response.headers.get("Retry-After", "1")))
                await asyncio.sleep(min(wait, max(0.0, end - time.monotonic())))

    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        tasks = [asyncio.create_task(one(client)) for _ in range(clients)]
        await asyncio.sleep(seconds)
        for task in tasks:  # requests still in flight are cut: not counted
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return statuses


def run_mode(admission: bool, clients: int, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir, \
            open(Path(data_dir) / "server.log", "wb") as log:
        process = start_server(port, data_dir, log, admission)
        try:
            wait_ready(url, process)
            stop = threading.Event()
            light: dict[str, Any] = {}
            thread = threading.Thread(target=light_client, args=(url, args.model, stop, light))
            thread.start()
            while not light.get("warm"):
                time.sleep(0.05)
            heavy = asyncio.run(
                heavy_clients(url, args.model, clients, args.duration, args.retry_cap)
            )
            stop.set()
            thread.join()
        finally:
            process.terminate()
            process.wait(timeout=60)
    latencies = light["latencies"]
    return {
        "admission": admission, "heavy_clients": clients,
        "light": {
            "requests": len(latencies), "statuses": dict(light["statuses"]),
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "max_ms": max(latencies, default=float("nan")),
            "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
        },
        "heavy": {"statuses": dict(heavy)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=40.0, help="seconds per mode")
    parser.add_argument("--heavy-clients", type=int, default=12)
    parser.add_argument("--model", default="mnist-vae")
    parser.add_argument("--retry-cap", type=float, default=2.0,
                        help="longest wait after a 429 (Retry-After, capped)")
    args = parser.parse_args()
    modes = [
        run_mode(True, args.heavy_clients, args), run_mode(False, args.heavy_clients, args),
        run_mode(True, 0, args),
    ]
    headers = ["", "admission on", "admission off", "no heavy clients (the machine's own tail)"]

    def both(get: Any) -> list[Any]:
        return [get(mode) for mode in modes]

    def statuses(counts: dict[int, int]) -> str:
        return ", ".join(f"{code or 'timeout'}: {n}" for code, n in sorted(counts.items())) or "-"

    rows = [
        ["light /sample n=1: answers", *both(lambda m: m["light"]["requests"])],
        ["light p50 ms", *both(lambda m: m["light"]["p50_ms"])],
        ["light p99 ms", *both(lambda m: m["light"]["p99_ms"])],
        ["light max ms", *both(lambda m: m["light"]["max_ms"])],
        ["light statuses", *both(lambda m: statuses(m["light"]["statuses"]))],
        [f"heavy statuses ({args.heavy_clients} clients, {ROWS} rows, k={K})",
         *both(lambda m: statuses(m["heavy"]["statuses"]))],
    ]
    table = format_table(headers, rows)
    print(f"{args.duration:g} s per mode, model {args.model}; heavy clients wait Retry-After "
          f"(at most {args.retry_cap:g} s) after a 429")
    print(table)
    path = write_results("fairness", {
        "model": args.model, "duration_s": args.duration, "heavy_clients": args.heavy_clients,
        "heavy_request": {"rows": ROWS, "importance_samples": K},
        "retry_cap_s": args.retry_cap, "modes": modes, "table": table,
        "target": "light p99 under 250 ms with admission on; no 408",
    })
    print(f"written to {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
