"""Without batching (``GENSERVE_BATCHING=false``), a request that times out keeps its admitted
cost until its thread's work really ends, as a batched one does (issue 18): a forward pass
cannot be interrupted, and admission must not hand its share to new work while it runs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.errors import RequestTimedOut
from app.inference import InferenceService
from app.registry import LoadedModel
from tests.conftest import tiny_image_vae

HEAVY_COST = 10**12  # over the light cost: the heavy lane


@pytest.fixture
def service(settings: Settings) -> Iterator[InferenceService]:
    """Batching off, a short request timeout, one heavy thread, room for two heavy requests."""
    unbatched = settings.model_copy(update={
        "batching": False, "request_timeout_s": 0.2, "heavy_runners": 1,
        "heavy_budget": 2 * HEAVY_COST, "heavy_model_budget": 2 * HEAVY_COST,
        "heavy_client_budget": 2 * HEAVY_COST,
    })
    service = InferenceService(registry=None, settings=unbatched)  # type: ignore[arg-type]
    yield service
    for pool in (service._heavy_pool, service._light_pool):
        if pool is not None:
            pool.shutdown(wait=True)


@pytest.fixture
def loaded() -> LoadedModel:
    return LoadedModel("tiny-vae", 1, tiny_image_vae(), Path("."))


class Blocking:
    """A batch function whose pass runs until ``finish`` is set."""

    def __init__(self) -> None:
        self.started, self.finish, self.ended = (threading.Event() for _ in range(3))

    def __call__(self, model: Any, payloads: list[int]) -> list[int]:
        self.started.set()
        self.finish.wait(30)
        self.ended.set()
        return payloads


def heavy_in_flight(service: InferenceService) -> int:
    return service.admission.in_flight()["heavy"]


def test_a_timed_out_unbatched_request_holds_its_cost_until_its_pass_ends(
    service: InferenceService, loaded: LoadedModel
) -> None:
    slow = Blocking()

    async def main() -> tuple[int, int]:
        with pytest.raises(RequestTimedOut):
            await service._run(loaded, "log_likelihood", slow, lambda: 1, 1, cost=HEAVY_COST)
        at_timeout = heavy_in_flight(service)
        slow.finish.set()
        await asyncio.to_thread(service._heavy_executor().submit(lambda: None).result, 30)
        return at_timeout, heavy_in_flight(service)

    try:
        assert asyncio.run(main()) == (HEAVY_COST, 0)
    finally:
        slow.finish.set()


def test_a_timed_out_unbatched_request_that_never_started_is_released_at_once(
    service: InferenceService, loaded: LoadedModel
) -> None:
    """Behind a running pass on the one heavy thread, a second request times out still queued:
    its thread never runs it, so its cost is given back with its 408."""
    slow = Blocking()

    async def main() -> int:
        first = asyncio.create_task(
            service._run(loaded, "log_likelihood", slow, lambda: 1, 1, cost=HEAVY_COST)
        )
        while not slow.started.is_set():
            await asyncio.sleep(0.001)
        with pytest.raises(RequestTimedOut):
            await service._run(loaded, "log_likelihood", slow, lambda: 2, 1, cost=HEAVY_COST)
        held = heavy_in_flight(service)
        slow.finish.set()
        await asyncio.gather(first, return_exceptions=True)
        return held

    try:
        held = asyncio.run(main())
    finally:
        slow.finish.set()
    assert held == HEAVY_COST  # only the first: still running when the second gave up


def test_an_answered_unbatched_request_is_released_once(
    service: InferenceService, loaded: LoadedModel
) -> None:
    slow = Blocking()
    slow.finish.set()
    answer = asyncio.run(
        service._run(loaded, "log_likelihood", slow, lambda: 7, 1, cost=HEAVY_COST)
    )
    assert answer == 7 and service.admission.in_flight() == {"light": 0, "heavy": 0}
