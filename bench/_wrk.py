"""The compiled load generator: ``wrk`` (Debian's ``wrk`` package) with ``bench/wrk_post.lua``.

Closed loop like ``bench/_loadgen.py`` (each connection sends its next request when the answer
is in), but in C: beside the lean Python generator it shows how much of a latency is the client's.
A warm-up run first, unmeasured, then the measured one. ``available()`` is False where wrk is not
installed (CI): the benchmark then skips its rows and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["THREADS", "WRK_MISSING", "available", "run"]

SCRIPT = Path(__file__).with_name("wrk_post.lua")
THREADS = 2
"""wrk's client threads by default (``-t``); see ``run``'s ``threads``."""
WRK_MISSING = "wrk rows skipped: wrk is not installed (Debian: apt-get install wrk)"


def available() -> bool:
    return shutil.which("wrk") is not None


def _wrk(url: str, body: Path, content_type: str, concurrency: int, seconds: float,
         threads: int) -> str:
    threads = min(threads, concurrency)  # wrk needs a connection per thread at least
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s",
         "--timeout", "30s", "--latency", "-s", str(SCRIPT), url],
        env={**os.environ, "WRK_BODY": str(body), "WRK_CONTENT_TYPE": content_type},
        capture_output=True, text=True, check=True,
    )
    return out.stdout


def parse(stdout: str) -> dict[str, float]:
    """The summary line the Lua script prints, in ``bench/_loadgen.py``'s keys."""
    line = next(line for line in stdout.splitlines() if line.startswith("WRK_JSON "))
    raw: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    seconds = raw["duration_us"] / 1e6
    errors = raw["status_errors"] + raw["socket_errors"]
    ok = max(0, raw["requests"] - raw["status_errors"])
    return {
        "requests": ok, "errors": errors, "seconds": seconds, "rps": ok / seconds,
        "p50_ms": raw["p50_us"] / 1e3, "p99_ms": raw["p99_us"] / 1e3,
        "mean_ms": raw["mean_us"] / 1e3,
        "bytes_per_answer": raw["bytes"] / raw["requests"] if raw["requests"] else 0.0,
    }


def run(url: str, body: Path, concurrency: int, duration: float, warmup: float,
        content_type: str = "application/json", threads: int = THREADS) -> dict[str, float]:
    """Warm up for ``warmup`` seconds, then measure ``duration`` seconds (whole seconds: wrk's
    unit), with ``threads`` client threads. Latencies and counts from wrk itself;
    ``bytes_per_answer`` includes headers."""
    if warmup > 0:
        _wrk(url, body, content_type, concurrency, warmup, threads)
    return parse(_wrk(url, body, content_type, concurrency, duration, threads))
