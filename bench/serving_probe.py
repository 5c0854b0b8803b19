"""Where a request waits inside one genserve process under load: a diagnostic, not a benchmark.

Serves ``/sample`` (n = 16) from an MNIST-sized VAE with timestamps taken at each step of a
request, drives it with one of ``bench/serving.py``'s load generators, and prints per step the
p50 / p99 over the measured window, beside the client's own p50 / p99:

- head parsed (the event loop read the request) -> the app called -> submitted to the batcher
  -> taken into a batch (the batch queue: waiting for a free runner) -> computing -> computed
  -> resolved on the loop (the hand-back) -> encoding -> sent;
- the event loop's lateness (a 1 ms timer), garbage-collector pauses, requests per batch, the
  gap between a response and the next request head on its connection (the client's and the
  kernel's share), and the transport's write buffer when a response completes.

It patches private functions of ``app.batching`` and ``app.server`` in its own server process
(issue 18 asked where a c = 64 request spends its time), so it measures the code of this
checkout and may need updating when they change.

    .venv/bin/python -m bench.serving_probe --loadgen wrk --concurrency 64 --duration 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import gc
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import make_mnist_vae
from bench.serving import Server, _free_port, _load, _start, _stop, _wait_ready

STEPS: dict[str, tuple[str, str]] = {
    "head parsed -> app": ("head", "app"),
    "app -> submitted": ("app", "submit"),
    "batch queue (submitted -> taken)": ("submit", "taken"),
    "taken -> compute starts": ("taken", "run0"),
    "compute (the whole batch)": ("run0", "run1"),
    "hand-back (computed -> resolved on the loop)": ("run1", "resolved"),
    "resolved -> encoding starts": ("resolved", "enc0"),
    "encoding": ("enc0", "enc1"),
    "encoded -> sent": ("enc1", "sent"),
    "in the server (head parsed -> sent)": ("head", "sent"),
}


def _serve(port: int) -> None:
    """The probed server (in its own process: it patches genserve's modules)."""
    import uvicorn

    from app import batching, inference, server
    from app.config import Settings
    from app.main import create_app

    now = time.perf_counter
    current: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar(
        "probe", default=None)
    records: list[dict[str, float]] = []
    extra: dict[str, list[float]] = {"lateness": [], "gc": [], "gap": [], "write_buffer_kb": []}

    protocol = server.HttpToolsProtocol
    headers_complete, response_complete = (protocol.on_headers_complete,
                                           protocol.on_response_complete)

    def on_headers_complete(self: Any) -> None:
        t = now()
        if getattr(self, "_probe_done", None) is not None:
            extra["gap"].append(t - self._probe_done)
        headers_complete(self)
        self.scope["probe_head"] = t

    def on_response_complete(self: Any) -> None:
        self._probe_done = now()
        extra["write_buffer_kb"].append(self.transport.get_write_buffer_size() / 1e3)
        response_complete(self)

    protocol.on_headers_complete = on_headers_complete  # type: ignore[method-assign]
    protocol.on_response_complete = on_response_complete  # type: ignore[method-assign]

    submit, take, outcomes, resolve = (batching.Batcher.submit, batching.Batcher._take,
                                       batching.Batcher._outcomes, batching._resolve)

    def probed_submit(self: Any, *args: Any, **kwargs: Any) -> Any:
        future = submit(self, *args, **kwargs)
        record = current.get()
        self._outgoing[asyncio.get_running_loop()][-1].probe = record
        if record is not None:
            record["submit"] = now()
        return future

    def probed_take(self: Any, key: Any) -> Any:
        batch = take(self, key)
        t = now()
        for item in batch:
            if getattr(item, "probe", None) is not None:
                item.probe.update(taken=t, batch=len(batch))
        return batch

    def probed_outcomes(batch: Any) -> Any:
        t0 = now()
        result = outcomes(batch)
        t1 = now()
        for item in batch:
            if getattr(item, "probe", None) is not None:
                item.probe.update(run0=t0, run1=t1)
        return result

    def probed_resolve(resolved: Any) -> None:
        t = now()
        for item, _, _ in resolved:
            if getattr(item, "probe", None) is not None:
                item.probe["resolved"] = t
        resolve(resolved)

    batching.Batcher.submit = probed_submit  # type: ignore[method-assign]
    batching.Batcher._take = probed_take  # type: ignore[method-assign]
    batching.Batcher._outcomes = staticmethod(probed_outcomes)  # type: ignore[method-assign]
    batching._resolve = probed_resolve

    render = inference.JSONBytesResponse.render

    def probed_render(self: Any, content: Any) -> bytes:
        record, t = current.get(), now()
        body = render(self, content)
        if record is not None:
            record.update(enc0=t, enc1=now())
        return body

    inference.JSONBytesResponse.render = probed_render  # type: ignore[method-assign]

    app = create_app()

    async def probed(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/__probe/"):
            if scope["path"] == "/__probe/reset":
                records.clear()
                for values in extra.values():
                    values.clear()
            body = json.dumps({"records": records, **extra}).encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        record = {"head": scope.get("probe_head", now()), "app": now()}
        current.set(record)

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                record["sent"] = now()

        await app(scope, receive, timed_send)
        records.append(record)

    started: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = now()
        else:
            extra["gc"].append(now() - started[0])

    gc.callbacks.append(on_gc)

    async def ticker() -> None:
        while True:
            t = now()
            await asyncio.sleep(0.001)
            extra["lateness"].append(now() - t - 0.001)

    class ProbedServer(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            self._ticker = asyncio.get_running_loop().create_task(ticker())

    config = uvicorn.Config(probed, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, **server.uvicorn_options(Settings()))
    ProbedServer(config).run()


def _quantiles(values: list[float], scale: float = 1e3) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    array = np.asarray(values) * scale
    return float(np.percentile(array, 50)), float(np.percentile(array, 99))


def _report(dump: dict[str, Any], client: dict[str, Any]) -> None:
    records = dump["records"]
    rows = [("client (the load generator's own)", client["p50_ms"], client["p99_ms"])]
    for name, (a, b) in STEPS.items():
        rows.append((name, *_quantiles([r[b] - r[a] for r in records if a in r and b in r])))
    rows += [
        ("event loop lateness (1 ms timer)", *_quantiles(dump["lateness"])),
        ("response sent -> next request head, same connection", *_quantiles(dump["gap"])),
        ("garbage collection pause", *_quantiles(dump["gc"])),
        ("requests per batch (count)", *_quantiles([r["batch"] for r in records
                                                     if "batch" in r], 1.0)),
        ("write buffer at response end (KB)", *_quantiles(dump["write_buffer_kb"], 1.0)),
    ]
    print(f"{client['rps']:.0f} requests/s; {len(records)} requests probed, "
          f"{len(dump['gc'])} collections; load average {os.getloadavg()[0]:.2f}")
    print("| step | p50 ms | p99 ms |\n| --- | --- | --- |")
    for name, p50, p99 in rows:
        print(f"| {name} | {p50:.2f} | {p99:.2f} |")


def _get(port: int, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loadgen", default="wrk", help="lean, httpx, httpx:8, wrk, wrk:1")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        _serve(args.serve)
        return
    with tempfile.TemporaryDirectory(prefix="genserve-probe-") as tmp:
        root = Path(tmp)
        make_mnist_vae(root / "weights")
        body = root / "sample.json"
        body.write_text(json.dumps({"model": "mnist-vae", "n": 16, "seed": 1}))
        port = _free_port()
        server = Server("probed genserve", [sys.executable, "-m", "bench.serving_probe",
                                            "--serve", str(port)], {
            "GENSERVE_WEIGHTS_DIR": str(root / "weights"), "GENSERVE_DATA_DIR": str(root / "d"),
            "GENSERVE_DEVICE": "cpu", "GENSERVE_EMBEDDED_WORKER": "false",
            "GENSERVE_LOG_LEVEL": "WARNING",
        }, port)
        try:
            _start(server, root)
            _wait_ready(server)
            url = f"http://127.0.0.1:{port}/sample"
            _load(url, body, args.concurrency, args.warmup, 0.0, loadgen=args.loadgen)
            _get(port, "/__probe/reset")
            client = _load(url, body, args.concurrency, args.duration, 0.0, loadgen=args.loadgen)
            dump = _get(port, "/__probe/dump")
        finally:
            _stop(server)
    _report(dump, client)


if __name__ == "__main__":
    main()
