"""``genserve serve --workers 2``: two API processes on one port answer as one service."""

from __future__ import annotations

import sys
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
