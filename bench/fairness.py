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

``--scenario clients`` (issue 18) measures per-client fairness in the heavy lane instead: a
flooder (``--heavy-clients`` loops from 127.0.0.1, each retrying after ``Retry-After``) and a
second client (one loop, from 127.0.0.2: another peer address, so another client) both send
``/log-likelihood`` with 256 rows and k = ``--clients-k``. The second client's latency of its
answered requests, its time until an answer (429s and waits included), and its 429 rate, with
``GENSERVE_HEAVY_CLIENT_BUDGET=0`` (fairness off) and the default (on), alternating servers for
``--rounds`` rounds. Writes ``bench/results/fairness_clients.json``.

    .venv/bin/python -m bench.fairness --scenario clients [--duration 40] [--rounds 2]
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


def start_server(
    port: int, data_dir: str, log: Any, admission: bool, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ, "GENSERVE_WEIGHTS_DIR": str(REPO_ROOT / "weights"),
        "GENSERVE_DATA_DIR": data_dir, "GENSERVE_DEVICE": "cpu", "GENSERVE_LOG_LEVEL": "WARNING",
        "GENSERVE_LOG_FORMAT": "text", "GENSERVE_EMBEDDED_WORKER": "false",
        "GENSERVE_ADMISSION": "true" if admission else "false", **(extra or {}),
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


# -- per-client fairness in the heavy lane (--scenario clients) ------------------------------
async def heavy_loop(
    client: httpx.AsyncClient, payload: bytes, end: float, retry_cap: float,
    statuses: Counter[int], answered: list[float] | None = None,
    served: list[float] | None = None,
) -> None:
    """Heavy requests one after the other until ``end``, waiting ``Retry-After`` (capped)
    after a 429. ``answered``: seconds of each 200; ``served``: seconds from the first try of
    a request to its 200, refusals and waits included."""
    headers = {"Content-Type": "application/json"}
    first: float | None = None
    while time.monotonic() < end:
        started = time.perf_counter()
        first = started if first is None else first
        try:
            response = await client.post("/log-likelihood", content=payload, headers=headers)
        except httpx.TimeoutException:
            statuses[0] += 1
            first = None
            continue
        statuses[response.status_code] += 1
        if response.status_code == 429:
            wait = min(retry_cap, float(response.headers.get("Retry-After", "1")))
            await asyncio.sleep(min(wait, max(0.0, end - time.monotonic())))
            continue
        if response.status_code == 200:
            if answered is not None:
                answered.append(time.perf_counter() - started)
            if served is not None:
                served.append(time.perf_counter() - first)
        first = None


async def flooder_and_second(
    url: str, model: str, flooders: int, k: int, seconds: float, retry_cap: float
) -> dict[str, Any]:
    body = {"model": model, "inputs": heavy_rows(), "importance_samples": k, "seed": 0}
    payload = httpx.Request("POST", "/", json=body).content  # encoded once
    end = time.monotonic() + seconds
    flood: Counter[int] = Counter()
    second: Counter[int] = Counter()
    answered: list[float] = []
    served: list[float] = []
    other = httpx.AsyncHTTPTransport(local_address="127.0.0.2")  # another peer: another client
    async with httpx.AsyncClient(base_url=url, timeout=120) as first, \
            httpx.AsyncClient(base_url=url, timeout=120, transport=other) as alone:
        tasks = [asyncio.create_task(heavy_loop(first, payload, end, retry_cap, flood))
                 for _ in range(flooders)]
        await asyncio.sleep(min(3.0, seconds / 10))  # the flood is under way first
        tasks.append(asyncio.create_task(
            heavy_loop(alone, payload, end, retry_cap, second, answered, served)
        ))
        await asyncio.sleep(max(0.0, end - time.monotonic()))
        for task in tasks:  # requests still in flight are cut: not counted
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {"flooder": dict(flood), "second": dict(second), "answered_s": answered,
            "served_s": served}


def run_clients_mode(fair: bool, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    extra = {} if fair else {"GENSERVE_HEAVY_CLIENT_BUDGET": "0"}
    with tempfile.TemporaryDirectory() as data_dir, \
            open(Path(data_dir) / "server.log", "wb") as log:
        process = start_server(port, data_dir, log, True, extra)
        try:
            wait_ready(url, process)
            load = os.getloadavg()[0]
            result = asyncio.run(flooder_and_second(
                url, args.model, args.heavy_clients, args.clients_k, args.duration,
                args.retry_cap,
            ))
        finally:
            process.terminate()
            process.wait(timeout=60)
    return {"fair": fair, "load_average_1m": load, **result}


def clients_main(args: argparse.Namespace) -> None:
    rounds = [run_clients_mode(fair, args) for _ in range(args.rounds) for fair in (False, True)]
    modes = {fair: [r for r in rounds if r["fair"] is fair] for fair in (False, True)}

    def joined(fair: bool, key: str) -> list[float]:
        return [value * 1000 for r in modes[fair] for value in r[key]]

    def counts(fair: bool, who: str) -> Counter[int]:
        total: Counter[int] = Counter()
        for r in modes[fair]:
            total.update({int(code): n for code, n in r[who].items()})
        return total

    def statuses(total: Counter[int]) -> str:
        return ", ".join(f"{code or 'timeout'}: {n}" for code, n in sorted(total.items())) or "-"

    def refused(total: Counter[int]) -> str:
        tries = sum(total.values())
        return f"{total[429] / tries:.0%} of {tries}" if tries else "-"

    def both(get: Any) -> list[Any]:
        return [get(False), get(True)]

    rows = [
        ["second client: answers (200)", *both(lambda f: counts(f, "second")[200])],
        ["second client: answered p50 ms",
         *both(lambda f: percentile(joined(f, "answered_s"), 50))],
        ["second client: answered p99 ms",
         *both(lambda f: percentile(joined(f, "answered_s"), 99))],
        ["second client: until answered p50 ms (429s, waits included)",
         *both(lambda f: percentile(joined(f, "served_s"), 50))],
        ["second client: until answered p99 ms",
         *both(lambda f: percentile(joined(f, "served_s"), 99))],
        ["second client: 429 rate", *both(lambda f: refused(counts(f, "second")))],
        ["second client: statuses", *both(lambda f: statuses(counts(f, "second")))],
        [f"flooder ({args.heavy_clients} loops): statuses",
         *both(lambda f: statuses(counts(f, "flooder")))],
        ["load average (1 min) at the starts",
         *both(lambda f: ", ".join(f"{r['load_average_1m']:.1f}" for r in modes[f]))],
    ]
    headers = ["", "fairness off (GENSERVE_HEAVY_CLIENT_BUDGET=0)", "fairness on (default)"]
    table = format_table(headers, rows)
    print(f"{args.rounds} round(s) of {args.duration:g} s per mode, alternating, model "
          f"{args.model}; /log-likelihood {ROWS} rows, k={args.clients_k}; clients wait "
          f"Retry-After (at most {args.retry_cap:g} s) after a 429")
    print(table)
    path = write_results("fairness_clients", {
        "model": args.model, "duration_s": args.duration, "rounds": args.rounds,
        "flooder_loops": args.heavy_clients,
        "heavy_request": {"rows": ROWS, "importance_samples": args.clients_k},
        "retry_cap_s": args.retry_cap, "runs": rounds, "table": table,
    })
    print(f"written to {path.relative_to(REPO_ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=40.0, help="seconds per mode")
    parser.add_argument("--heavy-clients", type=int, default=12)
    parser.add_argument("--model", default="mnist-vae")
    parser.add_argument("--retry-cap", type=float, default=2.0,
                        help="longest wait after a 429 (Retry-After, capped)")
    parser.add_argument("--scenario", choices=["light", "clients"], default="light",
                        help="light: a light client beside heavy ones (admission on/off); "
                        "clients: a second heavy client beside a flooder (fairness off/on)")
    parser.add_argument("--clients-k", type=int, default=500,
                        help="importance samples of the clients scenario's requests")
    parser.add_argument("--rounds", type=int, default=2,
                        help="clients scenario: rounds of (fairness off, fairness on)")
    args = parser.parse_args()
    if args.scenario == "clients":
        clients_main(args)
        return
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
