"""``genserve serve --workers 2``: two API processes on one port answer as one service."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import LiveServer

GENSERVE = str(Path(sys.executable).with_name("genserve"))
REQUESTS = 24


def sample_requests_counted(metrics_text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        if family.name == "genserve_requests"
        for sample in family.samples
        if sample.labels.get("endpoint") == "/sample" and sample.labels.get("status") == "200"
    )


def test_metrics_add_up_the_requests_of_every_process(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(
        command=[GENSERVE, "serve", "--host", "127.0.0.1", "--workers", "2"],
        GENSERVE_EMBEDDED_WORKER="false", GENSERVE_TORCH_THREADS="1",
    )
    for seed in range(REQUESTS):  # a connection each: the kernel spreads them over both
        answer = httpx.post(f"{server.url}/sample", json={"model": "digits-gmm", "n": 1,
                                                          "seed": seed})
        assert answer.status_code == 200, answer.text
    scrapes = [httpx.get(f"{server.url}/metrics").text for _ in range(12)]
    # each process alone saw only its share; every scrape must report all of them
    assert [sample_requests_counted(text) for text in scrapes] == [REQUESTS] * len(scrapes)


def test_promote_then_roll_back_is_seen_by_both_api_processes(
    start_server: Callable[..., LiveServer],
) -> None:
    """Each sample request opens its own connection, so the kernel spreads them over both
    processes (24 landing on one alone: about 1 in 8 million); every answer must follow each
    move of the stable alias, made through one call to one of them."""
    key = "two-process-key"
    server = start_server(
        command=[GENSERVE, "serve", "--host", "127.0.0.1", "--workers", "2"],
        GENSERVE_EMBEDDED_WORKER="false", GENSERVE_TORCH_THREADS="1", GENSERVE_API_KEY=key,
        GENSERVE_RELOAD_INTERVAL_S="0.5",
    )

    def served() -> set[int]:
        return {
            httpx.post(f"{server.url}/sample",
                       json={"model": "digits-vae", "n": 1, "seed": seed}).json()["version"]
            for seed in range(REQUESTS)
        }

    def settles_on(version: int) -> bool:
        deadline = time.monotonic() + 30  # a bound on a hang, not a measure: moves take < 1 s
        while time.monotonic() < deadline:
            if served() == {version}:
                return True
            time.sleep(0.25)
        return False

    assert served() == {2}  # shipped: the newest version is stable
    for version in (1, 2):  # roll back to 1, then promote 2 again
        moved = httpx.put(f"{server.url}/models/digits-vae/aliases/stable",
                          json={"version": version},
                          headers={"Authorization": f"Bearer {key}"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["aliases"]["stable"] == version
        assert settles_on(version)
        for _ in range(3):  # and stays there on every process
            assert served() == {version}
