"""10,000 mixed inference requests at concurrency 64 against a real server.

Every request is answered, none with a 5xx, and the server's resident memory after the run stays
within 10% of its level after warm-up (no leak per request).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import LiveServer

TOTAL = 10_000
WARM_UP = 1_000
CONCURRENCY = 64
DIGIT = [0.25] * 64
POINT = [0.5, -0.5]

REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("/sample", {"model": "digits-vae", "n": 4, "seed": 1}),
    ("/sample", {"model": "pinwheel-gmm", "n": 8}),
    ("/sample", {"model": "digits-gmm", "n": 2, "format": "png"}),
    ("/encode", {"model": "digits-vae", "inputs": [DIGIT, DIGIT]}),
    ("/encode", {"model": "digits-gmm", "inputs": [DIGIT]}),
    ("/reconstruct", {"model": "digits-vae", "inputs": [DIGIT]}),
    ("/log-likelihood", {"model": "digits-vae", "inputs": [DIGIT], "importance_samples": 10}),
    ("/log-likelihood", {"model": "pinwheel-gmm", "inputs": [POINT, POINT]}),
    ("/interpolate", {"model": "digits-vae", "inputs": [DIGIT, DIGIT], "steps": 4}),
    ("/encode", {"model": "digits-vae", "inputs": [[0.5] * 10]}),  # a 422, on purpose
]


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def fire(url: str, count: int) -> Counter[int]:
    statuses: Counter[int] = Counter()
    plan = itertools.islice(itertools.cycle(REQUESTS), count)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for path, body in plan:  # the shared iterator hands each request out once
                response = await client.post(path, json=body)
                statuses[response.status_code] += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return statuses


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc for RSS")
def test_ten_thousand_mixed_requests_no_5xx_and_no_memory_growth(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(GENSERVE_EMBEDDED_WORKER="false")
    warm = asyncio.run(fire(server.url, WARM_UP))
    baseline = resident_kib(server.process.pid)
    statuses = asyncio.run(fire(server.url, TOTAL))
    after = resident_kib(server.process.pid)
    assert sum(statuses.values()) == TOTAL
    assert not [s for s in {**warm, **statuses} if s >= 500], statuses
    assert statuses[422] == TOTAL // len(REQUESTS)
    assert after <= baseline * 1.10, f"RSS grew from {baseline} KiB to {after} KiB"
