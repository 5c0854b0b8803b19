"""Serving throughput and latency: genserve against the model alone, plain FastAPI and LitServe.

For ``/sample`` (n = 16), ``/reconstruct`` (8 inputs) and ``/log-likelihood`` (8 inputs, k = 100)
on a 784-400-20 VAE (MNIST-sized, untrained: speed does not depend on the weights), at
concurrency 1, 8 and 64, from a load generator in its own process (``bench/_loadgen.py``):

- ``model in-process``: the model's own call in a loop, no HTTP (the ceiling);
- ``plain FastAPI``: declared pydantic request/response models, ``tolist()`` answers;
- ``genserve, batching off`` and ``genserve, batching on`` (``GENSERVE_BATCHING``), one process;
- ``genserve, batching on, 2 API processes`` (``genserve serve --workers 2``, as
  ``WEB_CONCURRENCY=2 make serve`` runs it, metrics shared through prometheus-client's
  multiprocess files): LitServe too runs two processes, its API server and its inference worker;
- ``LitServe 0.2.19`` with its own batching (max 64, 5 ms), from ``bench/.venv`` (``make
  bench-env``); skipped with a note when that environment is missing;
- ``genserve, fixed wait (before)``: batching on with ``GENSERVE_BATCH_POLICY=fixed``, the wait
  rule before issue 18 (up to ``GENSERVE_BATCH_MAX_WAIT_MS`` whenever a runner is busy or the
  last batch had company), so one run compares the adaptive wait with it.

Three load generators (issue 18: "report both, so a reader sees the client's share"): ``lean``
(``bench/_loadgen.py``, raw asyncio streams), ``wrk`` (compiled, ``bench/_wrk.py``; its rows are
skipped with a note where wrk is not installed) and ``httpx`` (``bench/_loadgen.py --client
httpx``: as Python users call genserve, the answer read whole but not decoded: one
``AsyncClient``, as issue 18 measured). The lean generator drives every operation; all three
drive ``/sample`` against genserve (batching on, off, fixed wait), plain FastAPI and LitServe,
printed as one table with issue 18's ratios. At c = 64 a fourth, ``httpx:8``, spreads the
connections over AsyncClients of 8 each, as a Python program needing 64 requests in flight
would: one client's connection pool scans all its connections for every request (httpcore),
so one client of 64 measures mostly itself. Both are still client-bound on 2 cores (httpx
spends 1.4-2 ms of CPU per 133 KB answer, the server about 0.6 ms), which the table shows.

All servers start at once and each cell measures them back to back; the servers not being
measured are paused meanwhile (SIGSTOP, SIGCONT before their own cells, then a warm-up), since
an idle LitServe polls its queues with about 45% of a core; the whole plan runs
``--rounds`` times and every figure is the median over the rounds (the ceiling too, measured at
the start of each round), so a slow spell of the machine during one system's turn does not
decide a ratio. Every server runs without access logs. The load generator
sends no ``Accept-Encoding``, so no server compresses, except in the rows ``LitServe 0.2.19,
client accepts gzip``: that is LitServe as a default client (httpx, requests, a browser) meets it,
its GZip middleware compressing every answer. genserve and the plain app never compress.

Every system computes with the same number of torch threads (``--threads``, 1 by default:
genserve's own default on 2 cores, which leaves the event loop a core; the others get it through
``OMP_NUM_THREADS``), so the rows compare serving stacks, not thread settings.

    .venv/bin/python -m bench.serving [--plan full|clients] [--rounds 2] [--duration 1.5]

The defaults take about 10 minutes on 2 cores (96 cells a round, two rounds); ``--plan clients``
measures the load generators' table alone (``/sample``, 45 cells, about 2.5 minutes a round).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.batching import available_cores
from bench import _wrk
from bench._common import (
    BENCH_VENV_PYTHON,
    REPO_ROOT,
    format_table,
    make_mnist_vae,
    write_results,
)

CONCURRENCY = (1, 8, 64)
LITSERVE = "LitServe 0.2.19"
TWO_PROCESSES = "genserve, batching on, 2 API processes"
ON, OFF, PLAIN = "genserve, batching on", "genserve, batching off", "plain FastAPI"
FIXED = "genserve, fixed wait (before)"
POOLED = "httpx:8"
"""httpx over AsyncClients of 8 connections each: at c = 64 only (below 9 it is ``httpx``)."""
LOADGENS = ("lean", "wrk", "httpx", POOLED)
SAMPLE_N, ROWS, K = 16, 8, 100


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None


@dataclass
class Cell:
    operation: str
    system: str
    concurrency: int
    format: str
    server: str = ""  # the server that answers; the system's name when empty
    accept_encoding: str | None = None
    loadgen: str = "lean"  # one of LOADGENS
    runs: list[dict[str, float]] = field(default_factory=list)  # one per round

    @property
    def result(self) -> dict[str, float]:
        return _median_run(self.runs)


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """Per figure, the median over the rounds; counts are summed."""
    if not runs:
        return {}
    summed = {"requests", "errors", "seconds"}
    def median(values: list[float]) -> float:  # a round with no answer has no latency
        known = [v for v in values if v == v]
        return float(np.median(known)) if known else float("nan")

    return {key: sum(r[key] for r in runs) if key in summed
            else median([r[key] for r in runs]) for key in runs[0]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(server: Server, logs: Path) -> None:
    server.log = logs / f"{server.name.replace(' ', '_').replace(',', '')}.log"
    out = server.log.open("wb")
    server.process = subprocess.Popen(
        server.command, cwd=REPO_ROOT, env={**os.environ, **server.env}, stdout=out,
        stderr=subprocess.STDOUT, start_new_session=True,
    )


def _wait_ready(server: Server, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see {server.log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{server.name} did not become ready in {timeout:.0f} s; see {server.log}")


def _pause_all_but(servers: list[Server], running: Server | None) -> None:
    """Only ``running`` (and the load generator) may use the cores while a cell is measured."""
    for server in servers:
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGCONT if server is running else signal.SIGSTOP)


def _stop(server: Server) -> None:
    if server.process is None or server.process.poll() is not None:
        return
    os.killpg(server.process.pid, signal.SIGCONT)  # a paused server would not see SIGTERM
    os.killpg(server.process.pid, signal.SIGTERM)  # the server and the workers it started
    try:
        server.process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def _load(url: str, body: Path, concurrency: int, duration: float, warmup: float,
          accept_encoding: str | None = None, loadgen: str = "lean") -> dict[str, Any]:
    name, _, option = loadgen.partition(":")  # "wrk:1": wrk with one client thread
    if name == "wrk":
        return _wrk.run(url, body, concurrency, duration, warmup,
                        threads=int(option) if option else _wrk.THREADS)
    encoding = ["--accept-encoding", accept_encoding] if accept_encoding else []
    client = ["--client", "httpx"] if name == "httpx" else []
    if name == "httpx" and option:  # "httpx:8": AsyncClients of 8 connections each
        client += ["--connections-per-client", option]
    out = subprocess.run(
        [sys.executable, "-m", "bench._loadgen", url, str(body), "--concurrency",
         str(concurrency), "--duration", str(duration), "--warmup", str(warmup), *encoding,
         *client],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _ceiling(
    model_dir: Path, rows: np.ndarray, seconds: float, threads: int
) -> dict[str, dict[str, float]]:
    """Calls per second of the model itself, one call after another, in this process."""
    import torch

    from models import load_model

    torch.set_num_threads(threads)
    model = load_model(model_dir)
    x = torch.from_numpy(rows)
    calls = {
        "sample": lambda g: model.sample(SAMPLE_N, generator=g).numpy(),
        "reconstruct": lambda g: model.reconstruct(x).numpy(),
        "log-likelihood": lambda g: model.log_likelihood(x, importance_samples=K, generator=g),
    }
    out: dict[str, dict[str, float]] = {}
    with torch.inference_mode():
        for name, call in calls.items():
            for _ in range(5):
                call(torch.Generator().manual_seed(0))
            latencies: list[float] = []
            started = time.perf_counter()
            while time.perf_counter() - started < seconds:
                t = time.perf_counter()
                call(torch.Generator().manual_seed(len(latencies)))
                latencies.append(time.perf_counter() - t)
            elapsed = time.perf_counter() - started
            latencies.sort()
            out[name] = {
                "requests": len(latencies), "rps": len(latencies) / elapsed,
                "p50_ms": latencies[len(latencies) // 2] * 1e3,
                "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1e3,
            }
    return out


def _servers(
    model_dir: Path, weights_dir: Path, data_dir: Path, threads: int, plan: str
) -> tuple[list[Server], list[str]]:
    notes: list[str] = []
    python = sys.executable
    limit = {"OMP_NUM_THREADS": str(threads)}

    def genserve(name: str, batching: bool, processes: int = 1, policy: str = "adaptive") -> Server:
        port = _free_port()
        env = {
            "GENSERVE_BATCH_POLICY": policy,
            "GENSERVE_WEIGHTS_DIR": str(weights_dir), "GENSERVE_DATA_DIR": str(data_dir),
            "GENSERVE_DEVICE": "cpu", "GENSERVE_EMBEDDED_WORKER": "false",
            "GENSERVE_BATCHING": "true" if batching else "false",
            "GENSERVE_LOG_LEVEL": "WARNING",  # no access log lines, as for the other servers
            "GENSERVE_TORCH_THREADS": str(threads),
        }
        # as `make serve` starts it (no access log from uvicorn; genserve's own is off at
        # WARNING); with 2 processes, /metrics adds up both through files
        command = [python, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port",
                   str(port), "--workers", str(processes)]
        return Server(name, command, env, port)

    plain_port = _free_port()
    servers = [
        Server("plain FastAPI", [python, "-m", "uvicorn", "bench._plain_fastapi:app", "--host",
                                 "127.0.0.1", "--port", str(plain_port), "--no-access-log",
                                 "--log-level", "warning"],
               {"BENCH_MODEL_DIR": str(model_dir), **limit}, plain_port),
        genserve(OFF, batching=False),
        genserve(ON, batching=True),
        genserve(FIXED, batching=True, policy="fixed"),
    ]
    if plan == "full":
        # LitServe runs an API process and an inference process: the same count for genserve
        servers.append(genserve(TWO_PROCESSES, batching=True, processes=2))
    if BENCH_VENV_PYTHON.exists():
        port = _free_port()
        servers.append(Server(
            LITSERVE, [str(BENCH_VENV_PYTHON), "-m", "bench._litserve_app", "--port",
                                str(port), "--model-dir", str(model_dir)],
            {"PYTHONPATH": str(REPO_ROOT), **limit}, port,
        ))
    else:
        notes.append("LitServe skipped: bench/.venv is missing (make bench-env)")
    return servers, notes


def _bodies(directory: Path, rows: np.ndarray) -> dict[tuple[str, str], Path]:
    inputs = rows.round(4).tolist()
    payloads: dict[tuple[str, str], dict[str, Any]] = {
        ("sample", "array"): {"model": "mnist-vae", "n": SAMPLE_N, "seed": 1},
        ("sample", "base64"): {"model": "mnist-vae", "n": SAMPLE_N, "seed": 1, "format": "base64"},
        ("sample", "npy"): {"model": "mnist-vae", "n": SAMPLE_N, "seed": 1, "format": "npy"},
        ("reconstruct", "array"): {"model": "mnist-vae", "inputs": inputs},
        ("reconstruct", "base64"): {"model": "mnist-vae", "inputs": inputs, "format": "base64"},
        ("log-likelihood", "array"): {
            "model": "mnist-vae", "inputs": inputs, "importance_samples": K, "seed": 1,
        },
    }
    paths = {}
    for (operation, fmt), payload in payloads.items():
        path = directory / f"{operation}-{fmt}.json"
        path.write_text(json.dumps(payload))
        paths[(operation, fmt)] = path
    return paths


def _loadgens(requested: str, notes: list[str]) -> tuple[str, ...]:
    """The load generators to run, of ``requested`` (comma-separated): wrk only where it is
    installed (CI has none), with a note saying its rows were skipped."""
    loadgens = tuple(name.strip() for name in requested.split(",") if name.strip())
    unknown = set(loadgens) - set(LOADGENS)
    if unknown:
        raise SystemExit(f"unknown load generator(s): {', '.join(sorted(unknown))}; "
                         f"choose from {', '.join(LOADGENS)}")
    if "wrk" in loadgens and not _wrk.available():
        notes.append(_wrk.WRK_MISSING)
        loadgens = tuple(name for name in loadgens if name != "wrk")
    return loadgens


def _plan(systems: list[str], plan: str, loadgens: tuple[str, ...]) -> list[Cell]:
    cells = []
    if plan == "full":  # every operation, the lean load generator
        for operation in ("sample", "reconstruct", "log-likelihood"):
            for concurrency in CONCURRENCY:
                for system in systems:
                    if system == FIXED:
                        continue  # in the load generators' table below
                    cells.append(Cell(operation, system, concurrency, "array"))
                    if system == LITSERVE:
                        cells.append(Cell(operation, f"{LITSERVE}, client accepts gzip",
                                          concurrency, "array", server=LITSERVE,
                                          accept_encoding="gzip, deflate"))
                if operation in ("sample", "reconstruct"):  # binary answers, batching on
                    cells.append(Cell(operation, ON, concurrency, "base64"))
                if operation == "sample":
                    cells.append(Cell(operation, ON, concurrency, "npy"))
    # the load generators' table: /sample, JSON, each load generator
    for concurrency in CONCURRENCY:
        for loadgen in loadgens:
            if loadgen == POOLED and concurrency <= 8:
                continue  # one client of 8 or fewer connections: the httpx rows
            for system in (ON, FIXED, OFF, PLAIN, LITSERVE):
                if system not in systems:
                    continue
                if loadgen == "lean" and any(
                    (c.operation, c.system, c.concurrency, c.format, c.loadgen)
                    == ("sample", system, concurrency, "array", "lean") for c in cells
                ):
                    continue
                cells.append(Cell("sample", system, concurrency, "array", loadgen=loadgen))
    return cells


def _find(cells: list[Cell], operation: str, system: str, concurrency: int,
          fmt: str = "array", loadgen: str = "lean") -> dict[str, float]:
    for cell in cells:
        if (cell.operation, cell.system, cell.concurrency, cell.format, cell.loadgen) == (
            operation, system, concurrency, fmt, loadgen
        ):
            return cell.result
    return {}


def _clients_table(
    cells: list[Cell], loadgens: tuple[str, ...]
) -> tuple[list[str], list[list[Any]]]:
    """Issue 18's table: /sample n = 16, JSON, each system under each load generator."""
    headers = ["c", "load generator", "genserve (1 process)", "fixed wait (before)",
               "batching off", "plain FastAPI + pydantic", "LitServe, batched",
               "genserve / plain", "genserve / LitServe", "genserve p99 / p50",
               "p50: genserve / batching off"]
    rows: list[list[Any]] = []

    def show(r: dict[str, float]) -> str:
        if not r:
            return "-"
        errors = f", {r['errors']:.0f} errors" if r.get("errors") else ""
        return f"{r['rps']:,.0f} ({r['p50_ms']:.3g} / {r['p99_ms']:.3g} ms{errors})"

    def ratio(a: float | None, b: float | None) -> float:
        return a / b if a and b else float("nan")

    for concurrency in CONCURRENCY:
        for loadgen in loadgens:
            found = {system: _find(cells, "sample", system, concurrency, "array", loadgen)
                     for system in (ON, FIXED, OFF, PLAIN, LITSERVE)}
            if not found[ON]:
                continue
            on = found[ON]
            rows.append([
                concurrency, loadgen, *(show(found[s]) for s in (ON, FIXED, OFF, PLAIN, LITSERVE)),
                ratio(on["rps"], found[PLAIN].get("rps")),
                ratio(on["rps"], found[LITSERVE].get("rps")),
                ratio(on["p99_ms"], on["p50_ms"]), ratio(on["p50_ms"], found[OFF].get("p50_ms")),
            ])
    return headers, rows


def _targets(
    cells: list[Cell], ceiling: dict[str, dict[str, float]], cores: int
) -> list[dict[str, Any]]:
    on, off, plain, lit = ("genserve, batching on", "genserve, batching off", "plain FastAPI",
                           LITSERVE)

    def rps(operation: str, system: str, concurrency: int, fmt: str = "array") -> float:
        return float(_find(cells, operation, system, concurrency, fmt).get("rps", float("nan")))

    binary = max(rps("sample", on, 64, "base64"), rps("sample", on, 64, "npy"))
    versus_lit = [
        rps(op, on, c) / rps(op, lit, c)
        for op in ("sample", "reconstruct", "log-likelihood") for c in CONCURRENCY
    ]
    c8 = [_find(cells, op, on, 8) for op in ("sample", "reconstruct", "log-likelihood")]
    rows: list[tuple[str, float, str, float, bool | None]] = [
        ("/sample c=64 JSON: batching on / plain FastAPI", rps("sample", on, 64) /
         rps("sample", plain, 64), ">= 1.5 (aim 3)", 1.5, True),
        ("/sample c=64 JSON: batching on / LitServe", rps("sample", on, 64) /
         rps("sample", lit, 64), ">= 5 (aim 20)", 5.0, True),
        ("/sample c=64 JSON: batching on, 2 API processes / LitServe",
         rps("sample", TWO_PROCESSES, 64) / rps("sample", lit, 64), ">= 5 (aim 20)", 5.0, True),
        ("/sample c=64 JSON: batching on / LitServe, client accepts gzip",
         rps("sample", on, 64) / rps("sample", f"{lit}, client accepts gzip", 64),
         ">= 5 (aim 20)", 5.0, True),
        ("/sample c=64 binary (best of base64, npy) / model in-process", binary /
         ceiling["sample"]["rps"], ">= 0.25", 0.25, True),
        ("every operation and concurrency: batching on / LitServe (lowest)",
         min(versus_lit), ">= 1", 1.0, True),
        ("/log-likelihood c=64: batching on / batching off", rps("log-likelihood", on, 64) /
         rps("log-likelihood", off, 64), ">= 3", 3.0, True),
        # Batching removes per-request overhead, never the model's own arithmetic: the most it can
        # give is the model alone on every core (the one-thread ceiling times the cores, as if it
        # scaled perfectly) over the unbatched rate (context for the row above).
        (f"/log-likelihood c=64: model alone on {cores} cores / batching off (most batching "
         "could give)", cores * ceiling["log-likelihood"]["rps"] / rps("log-likelihood", off, 64),
         "context", 0.0, None),
        ("c=8, batching on: p99 / p50 (highest of the three operations)",
         max(r["p99_ms"] / r["p50_ms"] for r in c8 if r), "<= 2", 2.0, False),
    ]
    return [
        {"target": name, "measured": round(value, 3), "goal": goal,
         "met": None if higher is None else bool(value >= bound) if higher
         else bool(value <= bound)}
        for name, value, goal, bound, higher in rows
    ]


def _client_targets(cells: list[Cell], loadgens: tuple[str, ...]) -> list[dict[str, Any]]:
    """Issue 18's goals, per load generator."""
    rows: list[tuple[str, float, str, float, bool]] = []
    for loadgen in loadgens:
        def get(system: str, concurrency: int, key: str, lg: str = loadgen) -> float:
            return float(_find(cells, "sample", system, concurrency, "array", lg)
                         .get(key, float("nan")))

        if get(ON, 1, "rps") != get(ON, 1, "rps"):  # NaN: not measured
            continue
        rows += [
            (f"{loadgen}: c=1 p50, batching on / batching off", get(ON, 1, "p50_ms") /
             get(OFF, 1, "p50_ms"), "<= 1.2", 1.2, False),
            (f"{loadgen}: c=1 req/s, genserve / plain FastAPI", get(ON, 1, "rps") /
             get(PLAIN, 1, "rps"), ">= 2", 2.0, True),
        ]
        for concurrency in (8, 64):
            rows += [
                (f"{loadgen}: c={concurrency} req/s, genserve / plain FastAPI",
                 get(ON, concurrency, "rps") / get(PLAIN, concurrency, "rps"), ">= 3", 3.0, True),
                (f"{loadgen}: c={concurrency} req/s, genserve / LitServe",
                 get(ON, concurrency, "rps") / get(LITSERVE, concurrency, "rps"),
                 ">= 10 (aim 20)", 10.0, True),
            ]
        rows.append((f"{loadgen}: c=64 genserve p99 / p50", get(ON, 64, "p99_ms") /
                     get(ON, 64, "p50_ms"), "<= 3", 3.0, False))
    return [
        {"target": name, "measured": round(value, 3), "goal": goal,
         "met": None if value != value else bool(value >= bound) if higher
         else bool(value <= bound)}
        for name, value, goal, bound, higher in rows
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", choices=("full", "clients"), default="full",
                        help="full: every operation and system (~10 min at 2 rounds); clients: "
                        "the load generators' /sample table only")
    parser.add_argument("--loadgens", default=",".join(LOADGENS),
                        help="comma-separated, of " + ", ".join(LOADGENS))
    parser.add_argument("--rounds", type=int, default=2, help="runs of the whole plan")
    parser.add_argument("--duration", type=float, default=1.5, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=0.5, help="unmeasured seconds per cell")
    parser.add_argument("--threads", type=int, default=1, help="torch threads, every system")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="genserve-bench-") as tmp:
        root = Path(tmp)
        weights_dir = root / "weights"
        model_dir = make_mnist_vae(weights_dir)
        rows = np.random.default_rng(0).random((ROWS, 784)).astype(np.float32)
        bodies = _bodies(root, rows)
        servers, notes = _servers(model_dir, weights_dir, root / "data", args.threads,
                                  args.plan)
        loadgens = _loadgens(args.loadgens, notes)
        cells = _plan([s.name for s in servers], args.plan, loadgens)
        by_name = {s.name: s for s in servers}
        ceilings: list[dict[str, dict[str, float]]] = []
        started = time.monotonic()
        try:
            for server in servers:
                _start(server, root)
            for server in servers:
                _wait_ready(server)
            for round_ in range(1, args.rounds + 1):
                if args.plan == "full":
                    print(f"round {round_}/{args.rounds}: model in-process (ceiling) ...",
                          flush=True)
                    _pause_all_but(servers, None)
                    ceilings.append(_ceiling(model_dir, rows.round(4), max(2.0, args.duration),
                                             args.threads))
                # each round measures the plan in its own order, so that no system is always
                # the first after a pause or always follows the same neighbour
                order = random.Random(round_).sample(cells, len(cells)) if round_ > 1 else cells
                for i, cell in enumerate(order, 1):
                    server = by_name[cell.server or cell.system]
                    _pause_all_but(servers, server)
                    url = f"http://127.0.0.1:{server.port}/{cell.operation}"
                    body = bodies[(cell.operation, cell.format)]
                    cell.runs.append(_load(url, body, cell.concurrency, args.duration,
                                           args.warmup, cell.accept_encoding, cell.loadgen))
                    print(f"[{round_}.{i}/{len(cells)}] {cell.operation} c={cell.concurrency} "
                          f"{cell.system} ({cell.format}, {cell.loadgen}): "
                          f"{cell.runs[-1]['rps']:.0f} req/s", flush=True)
        finally:
            for server in servers:
                _stop(server)
        elapsed = time.monotonic() - started
    load_average = [round(x, 2) for x in os.getloadavg()]
    clients_headers, clients_rows = _clients_table(cells, loadgens)
    clients_table = format_table(clients_headers, clients_rows)
    client_targets = _client_targets(cells, loadgens)
    targets: list[dict[str, Any]] = []
    table = target_table = ""
    ceiling: dict[str, dict[str, float]] = {}
    if args.plan == "full":
        ceiling = {op: _median_run([c[op] for c in ceilings]) for op in ceilings[0]}
        table_rows = []
        for operation in ("sample", "reconstruct", "log-likelihood"):
            for concurrency in CONCURRENCY:
                top = ceiling[operation]
                table_rows.append([f"/{operation}", concurrency, "model in-process (ceiling)",
                                   "-", top["rps"], top["p50_ms"], top["p99_ms"]])
                for cell in cells:
                    if (cell.operation, cell.concurrency, cell.loadgen) == (
                        operation, concurrency, "lean"
                    ) and cell.system != FIXED:
                        r = cell.result
                        table_rows.append([f"/{operation}", concurrency, cell.system,
                                           cell.format, r["rps"], r["p50_ms"], r["p99_ms"]])
        table = format_table(
            ["operation", "concurrency", "system", "format", "req/s", "p50 ms", "p99 ms"],
            table_rows,
        )
        targets = _targets(cells, ceiling, available_cores())
        print()
        print(table)
    all_targets = targets + client_targets
    target_table = format_table(
        ["target", "measured", "goal", "met"],
        [[t["target"], t["measured"], t["goal"], {True: "yes", False: "no", None: "-"}[t["met"]]]
         for t in all_targets],
    )
    print()
    print("/sample n = 16, JSON: req/s (p50 / p99 ms)")
    print(clients_table)
    print()
    print(target_table)
    print(f"\nload average at the end: {load_average}; {elapsed:.0f} s")
    for note in notes:
        print(f"note: {note}")
    path = write_results("serving" if args.plan == "full" else f"serving-{args.plan}", {
        "command": "python -m bench.serving " + " ".join(argv or sys.argv[1:]),
        "plan": args.plan, "loadgens": list(loadgens),
        "rounds": args.rounds, "duration_s": args.duration, "warmup_s": args.warmup,
        "elapsed_s": round(elapsed, 1), "load_average_at_end": load_average,
        "torch_threads": args.threads,
        "model": "VAE 784-400-20, Bernoulli decoder, untrained", "sample_n": SAMPLE_N,
        "inputs": ROWS, "importance_samples": K, "ceiling": ceiling,
        "cells": [
            {"operation": c.operation, "system": c.system, "concurrency": c.concurrency,
             "format": c.format, "loadgen": c.loadgen, **c.result,
             "rounds_rps": [r["rps"] for r in c.runs]}
            for c in cells
        ],
        "targets": all_targets, "notes": notes, "table": table, "clients_table": clients_table,
        "target_table": target_table,
    })
    print(f"\nwrote {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
