"""A small closed-loop HTTP/1.1 load generator, run as its own process by the benchmarks.

``concurrency`` connections each send one request, wait for the whole answer, and send the next
(keep-alive), for ``warmup + duration`` seconds; the answers that complete inside the measured
window count (as wrk counts them), with the latency each one had; then every connection is cut.
Raw asyncio streams (uvloop when installed) keep the generator's own cost per request far below
the servers', which matters on a 2-core machine where it shares the CPU.

``--client httpx`` is the heavier client instead, as Python users call genserve (and as issue 18
measured): one ``httpx.AsyncClient`` with its default headers (so ``Accept-Encoding: gzip,
deflate``), ``json=`` the payload, the whole answer read. It does not decode the answer's JSON:
Python's ``json`` takes longer over a 133 KB answer than genserve takes to make it, and that would
measure the client's decoder, not the server. It shares the cores with the server, as real
clients on one machine do; ``bench/_wrk.py`` is the other end, in C. With
``--connections-per-client 8`` the connections are spread over several ``AsyncClient``s of 8
each: one client's connection pool (httpcore) scans its connections for every request, so one
client of 64 connections spends most of its time there and measures itself, not the server; a
Python program that needs 64 requests in flight would use several clients (or processes).

    python -m bench._loadgen URL BODY_FILE --concurrency 8 --duration 5 --warmup 1 [--client httpx]

prints one JSON object: requests, errors, seconds, rps, p50_ms, p99_ms, mean_ms, bytes_per_answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["main"]


def _request_bytes(
    host: str, port: int, path: str, body: bytes, content_type: str, accept_encoding: str | None
) -> bytes:
    encoding = f"Accept-Encoding: {accept_encoding}\r\n" if accept_encoding else ""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
        f"{encoding}Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, int]:
    """One response -> (status, body length); handles Content-Length and chunked bodies."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        length = int(headers["content-length"])
        await reader.readexactly(length)
        return status, length
    if headers.get("transfer-encoding", "").lower() == "chunked":
        total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            total += size
            if size == 0:
                return status, total
    raise RuntimeError("answer without Content-Length or chunked encoding")


async def _connection(
    host: str, port: int, request: bytes, start: float, stop: float,
    latencies: list[float], counts: dict[str, int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            sent = time.perf_counter()
            writer.write(request)
            status, length = await _read_answer(reader)
            done = time.perf_counter()
            if start <= done <= stop:
                if status == 200:
                    latencies.append(done - sent)
                    counts["bytes"] += length
                else:
                    counts["errors"] += 1
    finally:
        writer.close()


async def _httpx_connection(
    client: Any, url: str, body: bytes, content_type: str, start: float, stop: float,
    latencies: list[float], counts: dict[str, int],
) -> None:
    payload = json.loads(body) if content_type == "application/json" else None
    while True:
        sent = time.perf_counter()
        if payload is not None:
            response = await client.post(url, json=payload)
        else:
            response = await client.post(url, content=body,
                                         headers={"Content-Type": content_type})
        ok = response.status_code == 200
        done = time.perf_counter()
        if start <= done <= stop:
            if ok:
                latencies.append(done - sent)
                counts["bytes"] += len(response.content)
            else:
                counts["errors"] += 1


async def _run(
    url: str, body: bytes, content_type: str, concurrency: int, duration: float, warmup: float,
    accept_encoding: str | None = None, client: str = "raw", per_client: int | None = None,
) -> dict[str, float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = _request_bytes(host, port, parts.path or "/", body, content_type, accept_encoding)
    latencies: list[float] = []
    counts = {"errors": 0, "bytes": 0}
    start = time.perf_counter() + warmup
    stop = start + duration
    async with contextlib.AsyncExitStack() as stack:
        if client == "httpx":
            import httpx

            per_client = per_client or concurrency
            sessions = [
                await stack.enter_async_context(httpx.AsyncClient(
                    limits=httpx.Limits(max_connections=per_client,
                                        max_keepalive_connections=per_client),
                    timeout=60.0,
                ))
                for _ in range(-(-concurrency // per_client))
            ]
            connections = [_httpx_connection(sessions[i // per_client], url, body, content_type,
                                             start, stop, latencies, counts)
                           for i in range(concurrency)]
        else:
            connections = [_connection(host, port, request, start, stop, latencies, counts)
                           for _ in range(concurrency)]
        tasks = [asyncio.create_task(connection) for connection in connections]
        await asyncio.sleep(stop - time.perf_counter())
        for task in tasks:
            if task.done() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    latencies.sort()
    n = len(latencies)

    def quantile(q: float) -> float:
        return latencies[min(n - 1, int(q * n))] * 1000.0 if n else float("nan")

    return {
        "requests": n, "errors": counts["errors"], "seconds": duration,
        "rps": n / duration, "p50_ms": quantile(0.50), "p99_ms": quantile(0.99),
        "mean_ms": statistics.fmean(latencies) * 1000.0 if n else float("nan"),
        "bytes_per_answer": counts["bytes"] / n if n else 0.0,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("body_file", type=Path)
    parser.add_argument("--content-type", default="application/json")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--accept-encoding", default=None,
                        help="e.g. 'gzip, deflate', as httpx and browsers send by default")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="raw: lean asyncio streams; httpx: as a Python user calls a server")
    parser.add_argument("--connections-per-client", type=int, default=None,
                        help="httpx: spread the connections over AsyncClients of this many "
                        "each (default: one client for all)")
    args = parser.parse_args(argv)
    run = _run(
        args.url, args.body_file.read_bytes(), args.content_type, args.concurrency,
        args.duration, args.warmup, args.accept_encoding, args.client,
        args.connections_per_client,
    )
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(run)
    else:
        result = uvloop.run(run)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
