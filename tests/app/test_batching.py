"""Dynamic batching: concurrent requests coalesce, and each still gets the answer it gets alone."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import numpy as np
import pytest

from app.batching import AdaptiveWait, Batcher, BatchRecord, FixedWait, Lanes, WaitPolicy
from app.config import Settings
from app.main import create_app

ROWS = np.random.default_rng(0).random((6, 64)).round(4).tolist()
POINTS = np.random.default_rng(1).normal(size=(6, 2)).round(4).tolist()
BLOCKER = "test-blocker"
Call = tuple[str, dict[str, Any]]


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """An app with its lifespan running, and an httpx client talking to it in-process."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, app


async def _hold_workers(batcher: Batcher) -> tuple[threading.Event, asyncio.Future[Any]]:
    """Occupy every runner of the batcher until the returned event is set."""
    started = threading.Semaphore(0)
    release = threading.Event()

    def block(payloads: list[Any]) -> list[Any]:
        started.release()
        return [release.wait(30)]

    # one key per runner: a batch of blockers would occupy one runner only
    blockers = [batcher.submit(f"{BLOCKER}-{i}", block, None, 1) for i in range(batcher.runners)]
    for _ in blockers:
        while not started.acquire(blocking=False):
            await asyncio.sleep(0.001)
    return release, asyncio.gather(*blockers)


async def _held(batcher: Batcher, requests: int, fire: Callable[[], Awaitable[Any]]) -> Any:
    """Hold the runners until ``requests`` requests are queued, so they must share batches."""
    release, blocker = await _hold_workers(batcher)
    answers = asyncio.ensure_future(fire())
    for _ in range(5000):
        if batcher.queued() >= requests:
            break
        await asyncio.sleep(0.001)
    release.set()
    await blocker
    return await answers


async def _answers(
    settings: Settings, calls: list[Call], *, hold: bool
) -> tuple[list[httpx.Response], list[BatchRecord]]:
    records: list[BatchRecord] = []
    async with serving(settings) as (client, app):
        batcher: Batcher | None = app.state.inference.batcher
        if batcher is not None:
            batcher.observers.append(records.append)

        async def fire() -> list[httpx.Response]:
            return list(await asyncio.gather(*(client.post(p, json=b) for p, b in calls)))

        if hold:
            assert batcher is not None
            responses = await _held(batcher, len(calls), fire)
        else:
            responses = await fire()
    return responses, [r for r in records if not str(r.key).startswith(BLOCKER)]


def batched_and_alone(
    settings: Settings, calls: list[Call]
) -> tuple[list[httpx.Response], list[httpx.Response], list[BatchRecord]]:
    on = settings.model_copy(update={"batching": True, "batch_max_examples": 64})
    off = settings.model_copy(update={"batching": False})
    batched, records = asyncio.run(_answers(on, calls, hold=True))
    alone, _ = asyncio.run(_answers(off, calls, hold=False))
    return batched, alone, records


def assert_same_answers(
    batched: list[httpx.Response], alone: list[httpx.Response], key: str
) -> None:
    for together, single in zip(batched, alone, strict=True):
        assert together.status_code == single.status_code == 200, together.text
        a, b = together.json()[key], single.json()[key]
        if isinstance(a, dict):
            for name in a:
                np.testing.assert_allclose(a[name], b[name], rtol=1e-5, atol=1e-6, err_msg=name)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def coalesced(records: list[BatchRecord], operation: str) -> list[tuple[int, ...]]:
    return [r.sizes for r in records if r.key.operation == operation]  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", ["tiny-vae", "tiny-gmm"])
def test_seeded_samples_are_the_same_batched_or_alone(settings: Settings, model: str) -> None:
    calls = [
        ("/sample", {"model": model, "n": 1 + i % 4, "seed": 100 + i, "temperature": 0.5 + i / 8})
        for i in range(16)
    ]
    batched, alone, records = batched_and_alone(settings, calls)
    assert_same_answers(batched, alone, "samples")
    sizes = coalesced(records, "sample")
    assert max(len(s) for s in sizes) > 1, sizes  # requests really shared a forward pass
    assert sum(sum(s) for s in sizes) == sum(c[1]["n"] for c in calls)


def test_samples_differ_between_seeds_in_one_batch(settings: Settings) -> None:
    calls = [("/sample", {"model": "tiny-vae", "n": 2, "seed": seed}) for seed in (1, 2, 1)]
    batched, _, _ = batched_and_alone(settings, calls)
    first, second, again = (np.asarray(r.json()["samples"]) for r in batched)
    np.testing.assert_allclose(first, again, rtol=1e-5, atol=1e-6)  # batches may differ in size
    assert np.abs(first - second).max() > 0.01


@pytest.mark.parametrize(("model", "rows"), [("tiny-vae", ROWS), ("tiny-gmm", POINTS)])
def test_log_likelihoods_are_the_same_batched_or_alone(
    settings: Settings, model: str, rows: list[list[float]]
) -> None:
    calls = [
        ("/log-likelihood", {"model": model, "inputs": rows[i % 3 : i % 3 + 1 + i % 4],
                             "importance_samples": 20, "seed": i})
        for i in range(12)
    ]
    batched, alone, records = batched_and_alone(settings, calls)
    assert_same_answers(batched, alone, "log_likelihood")
    if model == "tiny-vae":
        assert_same_answers(batched, alone, "elbo")
    assert max(len(s) for s in coalesced(records, "log_likelihood")) > 1


@pytest.mark.parametrize(("model", "rows"), [("tiny-vae", ROWS), ("tiny-gmm", POINTS)])
@pytest.mark.parametrize(("path", "key"), [("/encode", "encoding"),
                                           ("/reconstruct", "reconstructions")])
def test_encodings_and_reconstructions_are_the_same_batched_or_alone(
    settings: Settings, model: str, rows: list[list[float]], path: str, key: str
) -> None:
    calls = [(path, {"model": model, "inputs": rows[i % 4 : i % 4 + 1 + i % 3]})
             for i in range(10)]
    batched, alone, records = batched_and_alone(settings, calls)
    assert_same_answers(batched, alone, key)
    assert max(len(s) for s in coalesced(records, path.strip("/"))) > 1


def test_different_importance_samples_never_share_a_batch(settings: Settings) -> None:
    calls = [("/log-likelihood", {"model": "tiny-vae", "inputs": ROWS[:2],
                                  "importance_samples": k, "seed": 0}) for k in (5, 7, 5, 7)]
    batched, alone, records = batched_and_alone(settings, calls)
    assert_same_answers(batched, alone, "log_likelihood")
    shared = {r.key.shared for r in records}  # type: ignore[attr-defined]
    assert shared == {5, 7} and all(sum(r.sizes) == 4 for r in records), records


def test_a_bad_request_gets_its_own_error_and_the_others_their_answers(
    settings: Settings,
) -> None:
    good = [("/reconstruct", {"model": "tiny-vae", "inputs": ROWS[i : i + 2]}) for i in range(4)]
    bad = [("/reconstruct", {"model": "tiny-vae", "inputs": [[0.5] * 63]}),
           ("/reconstruct", {"model": "tiny-vae", "inputs": [[2.0] * 64]})]
    calls = [good[0], bad[0], good[1], good[2], bad[1], good[3]]
    on = settings.model_copy(update={"batching": True})
    off = settings.model_copy(update={"batching": False})
    batched, _ = asyncio.run(_answers(on, calls, hold=False))
    alone, _ = asyncio.run(_answers(off, good, hold=False))
    assert [r.status_code for r in batched] == [200, 422, 200, 200, 422, 200]
    assert batched[1].json()["error"]["rule"] == "shape"
    assert batched[4].json()["error"]["rule"] == "value_range"
    assert_same_answers([batched[i] for i in (0, 2, 3, 5)], alone, "reconstructions")


def test_batching_off_runs_without_a_batcher(settings: Settings) -> None:
    async def check() -> None:
        async with serving(settings.model_copy(update={"batching": False})) as (client, app):
            assert app.state.inference.batcher is None
            response = await client.post("/sample", json={"n": 2, "seed": 1})
            assert response.status_code == 200

    asyncio.run(check())


# -- the Batcher on its own -------------------------------------------------------------------
def _double(payloads: list[int]) -> list[int]:
    if any(p < 0 for p in payloads):
        raise ValueError("negative")
    return [2 * p for p in payloads]


async def _submit_held(batcher: Batcher, items: list[tuple[str, int, int]]) -> list[Any]:
    """Submit ``(key, payload, size)`` items while the worker is held; outcomes in order."""

    async def fire() -> list[Any]:
        return list(await asyncio.gather(
            *(batcher.submit(key, _double, payload, size) for key, payload, size in items),
            return_exceptions=True,
        ))

    return list(await _held(batcher, len(items), fire))


def run_batcher(
    batcher: Batcher, items: list[tuple[str, int, int]]
) -> tuple[list[Any], list[BatchRecord]]:
    records: list[BatchRecord] = []
    batcher.observers.append(records.append)

    async def main() -> list[Any]:
        batcher.start()
        try:
            return await _submit_held(batcher, items)
        finally:
            batcher.stop()

    return asyncio.run(main()), [r for r in records if not str(r.key).startswith(BLOCKER)]


def test_a_failing_batch_is_retried_one_request_at_a_time() -> None:
    results, records = run_batcher(
        Batcher(max_size=8, max_wait_s=0.0), [("k", 1, 1), ("k", -1, 1), ("k", 3, 1)]
    )
    assert results[0] == 2 and results[2] == 6
    assert isinstance(results[1], ValueError)
    assert records[0].sizes == (1, 1, 1)


def test_batches_hold_at_most_the_maximum_number_of_examples() -> None:
    items = [("k", i, 3) for i in range(7)] + [("k", 99, 10)]
    results, records = run_batcher(Batcher(max_size=8, max_wait_s=0.0), items)
    assert results == [2 * i for i in range(7)] + [198]
    assert [r.sizes for r in records] == [(3, 3), (3, 3), (3, 3), (3,), (10,)]


def test_keys_are_batched_separately_oldest_first() -> None:
    items = [("a", 1, 1), ("b", 2, 1), ("a", 3, 1), ("b", 4, 1)]
    results, records = run_batcher(Batcher(max_size=8, max_wait_s=0.0), items)
    assert results == [2, 4, 6, 8]
    assert [(r.key, r.sizes) for r in records] == [("a", (1, 1)), ("b", (1, 1))]


def test_stopping_fails_what_is_still_queued() -> None:
    async def main() -> Any:
        batcher = Batcher(max_size=8, max_wait_s=0.0)
        batcher.start()
        release, blocker = await _hold_workers(batcher)
        waiting = batcher.submit("k", _double, 1, 1)
        while batcher.queued() < 1:
            await asyncio.sleep(0.001)
        stopper = asyncio.get_running_loop().run_in_executor(None, batcher.stop)
        await asyncio.sleep(0.05)
        release.set()
        await stopper
        await blocker
        return await asyncio.gather(waiting, return_exceptions=True)

    (outcome,) = asyncio.run(main())
    assert isinstance(outcome, RuntimeError) and "shutting down" in str(outcome)


def test_an_abandoned_request_is_reported_done_only_when_its_running_pass_ends() -> None:
    """Admission counts a timed-out request's cost until its forward pass (which cannot be
    interrupted) really ends: the batcher says when."""
    started, release = threading.Event(), threading.Event()

    def slow(payloads: list[int]) -> list[int]:
        started.set()
        release.wait(30)
        return payloads

    async def main() -> tuple[bool, bool]:
        batcher = Batcher(max_size=8, max_wait_s=0.0)
        batcher.start()
        try:
            done = asyncio.Event()
            work = batcher.submit("k", slow, 1, 1, on_abandoned_done=done.set)
            while not started.is_set():
                await asyncio.sleep(0.001)
            work.cancel()  # what a handler's timeout does
            await asyncio.sleep(0.05)
            before = done.is_set()
            release.set()
            async with asyncio.timeout(30):  # a hang guard, not a threshold
                await done.wait()
            return before, done.is_set()
        finally:
            release.set()
            batcher.stop()

    assert asyncio.run(main()) == (False, True)


def test_an_abandoned_request_still_queued_is_reported_done_when_dropped() -> None:
    async def main() -> bool:
        batcher = Batcher(max_size=8, max_wait_s=0.0)
        batcher.start()
        try:
            release, blocker = await _hold_workers(batcher)
            done = asyncio.Event()
            work = batcher.submit("k", _double, 1, 1, on_abandoned_done=done.set)
            while batcher.queued() < 1:
                await asyncio.sleep(0.001)
            work.cancel()
            release.set()
            await blocker
            async with asyncio.timeout(30):  # a hang guard, not a threshold
                await done.wait()
            return done.is_set()
        finally:
            batcher.stop()

    assert asyncio.run(main())


def test_a_request_answered_is_never_reported_abandoned() -> None:
    async def main() -> tuple[int, bool]:
        batcher = Batcher(max_size=8, max_wait_s=0.0)
        batcher.start()
        try:
            abandoned = asyncio.Event()
            answer = await batcher.submit("k", _double, 2, 1, on_abandoned_done=abandoned.set)
            await asyncio.sleep(0.05)
            return answer, abandoned.is_set()
        finally:
            batcher.stop()

    assert asyncio.run(main()) == (4, False)


def test_two_runners_compute_two_batches_at_once() -> None:
    both_running = threading.Barrier(2, timeout=30)  # broken, not passed, if they run in turn

    def meet(payloads: list[int]) -> list[int]:
        both_running.wait()
        return [2 * p for p in payloads]

    async def main() -> list[int]:
        batcher = Batcher(max_size=8, max_wait_s=0.0, runners=2)
        batcher.start()
        try:
            return list(await asyncio.gather(
                batcher.submit("a", meet, 1, 1), batcher.submit("b", meet, 2, 1)
            ))
        finally:
            batcher.stop()

    assert asyncio.run(main()) == [2, 4]


def two_requests_beside_a_busy_runner(
    policy: WaitPolicy, max_size: int, records: list[BatchRecord]
) -> list[int]:
    """One runner held busy; one request of key "k", then a second 50 ms later: their answers
    (the batches they formed go to ``records``)."""

    async def main() -> list[int]:
        batcher = Batcher(max_size=max_size, max_wait_s=1.0, runners=2, policy=policy)
        batcher.observers.append(records.append)
        batcher.start()
        try:
            release = threading.Event()
            busy = batcher.submit("busy", lambda payloads: [release.wait(30)], None, 1)
            first = batcher.submit("k", _double, 1, 1)  # a runner is free, but one is busy
            await asyncio.sleep(0.05)
            second = batcher.submit("k", _double, 2, 1)
            answers = list(await asyncio.gather(first, second))
            release.set()
            await busy
            return answers
        finally:
            batcher.stop()

    return asyncio.run(main())


def test_with_the_fixed_policy_the_next_batch_waits_for_company_while_a_runner_is_busy() -> None:
    records: list[BatchRecord] = []
    assert two_requests_beside_a_busy_runner(FixedWait(1.0), 8, records) == [2, 4]
    assert [r.sizes for r in records if r.key == "k"] == [(1, 1)]


def test_a_request_submitted_as_the_batcher_stops_gets_the_shutdown_error() -> None:
    async def main() -> list[Any]:
        batcher = Batcher(max_size=8, max_wait_s=0.0)
        batcher.start()
        late = batcher.submit("k", _double, 1, 1)  # sent at the end of this loop iteration
        batcher.stop()
        return await asyncio.gather(asyncio.wait_for(late, 10), return_exceptions=True)

    (outcome,) = asyncio.run(main())  # a TimeoutError if it was left hanging
    assert isinstance(outcome, RuntimeError) and "shutting down" in str(outcome)


# -- when to wait for company: the adaptive policy, on a made-up clock ----------------------------
MS = 1e-3


def fed(policy: AdaptiveWait, key: str, arrivals: list[float], batch_s: float) -> AdaptiveWait:
    for at in arrivals:
        policy.arrived(key, at)
    policy.ran(key, batch_s)
    return policy


def stream(start: float, gap: float, count: int) -> list[float]:
    return [start + i * gap for i in range(count)]


def test_a_lone_request_with_nothing_in_flight_runs_at_once() -> None:
    policy = fed(AdaptiveWait(max_wait_s=2 * MS), "k", stream(0.0, 0.1 * MS, 20), batch_s=1 * MS)
    now = 2 * MS + 0.1 * MS
    policy.arrived("k", now)
    assert policy.wait_until("k", now, now, in_flight=False, queued=1) <= now


def test_a_key_never_seen_runs_at_once() -> None:
    assert AdaptiveWait(max_wait_s=1.0).wait_until("k", 5.0, 5.0, in_flight=True, queued=3) <= 5.0


def test_requests_arriving_faster_than_batches_complete_wait_for_the_next_one() -> None:
    arrivals = stream(0.0, 0.1 * MS, 20)
    policy = fed(AdaptiveWait(max_wait_s=2 * MS), "k", arrivals, batch_s=1 * MS)
    last = arrivals[-1]
    until = policy.wait_until("k", arrivals[-3], last, in_flight=True, queued=3)
    assert last + 0.1 * MS <= until <= last + 1 * MS  # long enough for the next, not a batch more


def test_requests_arriving_slower_than_batches_complete_never_wait() -> None:
    arrivals = stream(0.0, 5 * MS, 20)
    policy = fed(AdaptiveWait(max_wait_s=10 * MS), "k", arrivals, batch_s=1 * MS)
    last = arrivals[-1]
    assert policy.wait_until("k", arrivals[-3], last, in_flight=True, queued=3) <= last


def test_the_wait_never_passes_the_longest_wait_after_the_oldest_request() -> None:
    arrivals = stream(0.0, 1 * MS, 20)
    policy = fed(AdaptiveWait(max_wait_s=0.5 * MS), "k", arrivals, batch_s=50 * MS)
    oldest, last = arrivals[-2], arrivals[-1]
    assert policy.wait_until("k", oldest, last, in_flight=True, queued=2) == oldest + 0.5 * MS


def test_one_idle_spell_makes_the_next_request_run_at_once() -> None:
    policy = fed(AdaptiveWait(max_wait_s=2 * MS), "k", stream(0.0, 0.1 * MS, 20), batch_s=1 * MS)
    later = 60.0
    policy.arrived("k", later)
    assert policy.wait_until("k", later, later, in_flight=True, queued=2) <= later


def test_keys_keep_their_own_rates() -> None:
    policy = fed(AdaptiveWait(max_wait_s=2 * MS), "fast", stream(0.0, 0.1 * MS, 20), 1 * MS)
    fed(policy, "slow", stream(0.0, 5 * MS, 20), 1 * MS)
    assert policy.estimates("fast")[0] < policy.estimates("slow")[0]  # type: ignore[operator]
    assert policy.wait_until("slow", 95 * MS, 95 * MS, in_flight=True, queued=2) <= 95 * MS


def simulate(
    policy: AdaptiveWait, arrivals: list[float], batch_s: float, max_requests: int = 64
) -> list[tuple[float, int]]:
    """One runner and a collector as ``Batcher`` runs them, on a made-up clock: (when each
    batch started, how many requests it held)."""
    batches: list[tuple[float, int]] = []
    queue: list[float] = []
    upcoming = list(arrivals)
    free_at = 0.0
    while upcoming or queue:
        if not queue:
            queue.append(upcoming.pop(0))
            policy.arrived("k", queue[0])
        now = max(free_at, queue[0])
        while upcoming and upcoming[0] <= now:  # queued while the runner was busy
            queue.append(upcoming.pop(0))
            policy.arrived("k", queue[-1])
        while len(queue) < max_requests:
            until = policy.wait_until("k", queue[0], queue[-1], in_flight=False,
                                      queued=len(queue))
            if not (upcoming and upcoming[0] <= until):
                now = max(now, min(until, upcoming[0] if upcoming else until))
                break
            now = upcoming.pop(0)
            queue.append(now)
            policy.arrived("k", now)
        batches.append((now, len(queue)))
        policy.took("k", len(queue))
        policy.ran("k", batch_s)
        queue.clear()
        free_at = now + batch_s
    return batches


def test_under_a_steady_stream_faster_than_a_batch_batches_form() -> None:
    arrivals = stream(0.0, 0.2 * MS, 500)
    batches = simulate(AdaptiveWait(max_wait_s=2 * MS), arrivals, batch_s=1 * MS)
    assert batches[0] == (0.0, 1)  # the first request found the batcher idle: no wait
    assert sum(size for _, size in batches) == len(arrivals)
    assert len(batches) < len(arrivals) / 4  # about a batch's time of arrivals per batch


def test_a_stream_slower_than_a_batch_runs_each_request_as_it_arrives() -> None:
    arrivals = stream(0.0, 3 * MS, 100)
    batches = simulate(AdaptiveWait(max_wait_s=2 * MS), arrivals, batch_s=1 * MS)
    assert batches == [(at, 1) for at in arrivals]


def test_an_idle_batcher_runs_a_lone_request_without_waiting() -> None:
    """Even when the key's history says requests come fast and batches are slow, and the
    longest wait is an hour: with nothing in flight, the request runs."""
    now = time.perf_counter()
    policy = fed(AdaptiveWait(max_wait_s=3600.0), "k", stream(now - 1.0, 1 * MS, 10), 1.0)

    async def main() -> int:
        batcher = Batcher(max_size=8, max_wait_s=3600.0, policy=policy)
        batcher.start()
        try:
            return int(await asyncio.wait_for(batcher.submit("k", _double, 21, 1), 60))
        finally:
            batcher.stop()

    assert asyncio.run(main()) == 42


def test_while_requests_arrive_faster_than_batches_complete_a_batch_waits_for_company() -> None:
    records: list[BatchRecord] = []
    now = time.perf_counter()
    # made-up history: a request every 0.5 s, batches of 10 s; the longest wait is 1 s
    policy = fed(AdaptiveWait(max_wait_s=1.0), "k", stream(now - 2.0, 0.5, 4), batch_s=10.0)
    assert two_requests_beside_a_busy_runner(policy, 2, records) == [2, 4]
    assert [r.sizes for r in records if r.key == "k"] == [(1, 1)]


def test_the_light_lanes_runners_take_the_configured_niceness() -> None:
    assert Lanes.from_settings(Settings(batch_nice=5)).light.nice == 5
    assert Lanes.from_settings(Settings()).light.nice == 0  # the default leaves them as they are


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="per-thread niceness is Linux's")
def test_a_niced_runner_computes_at_a_lower_priority_than_the_loop() -> None:
    batcher = Batcher(max_size=8, max_wait_s=0.0, nice=3)

    def niceness(payloads: list[Any]) -> list[int]:
        return [os.getpriority(os.PRIO_PROCESS, threading.get_native_id())] * len(payloads)

    async def main() -> int:
        batcher.start()
        try:
            return int(await batcher.submit("key", niceness, None, 1))
        finally:
            batcher.stop()

    assert asyncio.run(main()) == os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) + 3
