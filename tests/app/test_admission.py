"""Admission control (issue 17 #3, #4): costs, budgets, lanes, 429 with Retry-After, and the
page's views bounded like inference. No timing thresholds: the facts are statuses, headers,
counts and the order in which answers arrive."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import numpy as np
import pytest

from app.admission import Admission, Overloaded, Ticket, row_cost
from app.config import Settings
from app.main import create_app
from tests.conftest import tiny_image_vae

HEAVY_K = 400
ROWS = np.random.default_rng(0).random((32, 64)).round(3).tolist()  # 32 = the tests' row limit
HEAVY = {"model": "tiny-vae", "inputs": ROWS, "importance_samples": HEAVY_K}
ONE_SAMPLE = {"model": "tiny-vae", "n": 1, "seed": 0}
BUDGET_RULES = {"heavy_budget", "heavy_model_budget", "request_timeout"}
ROW = row_cost(tiny_image_vae())  # tiny-vae's cost per row pass


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """An app with its lifespan running, and an httpx client talking to it in-process."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", timeout=None
        ) as client:
            yield client, app


def admission(**overrides: Any) -> Admission:
    values = {"light_cost": 10, "light_budget": 100, "heavy_budget": 1000,
              "heavy_model_budget": 600, **overrides}
    return Admission(**values)


# -- the budgets -------------------------------------------------------------------------------
def test_costs_at_or_under_the_light_cost_go_to_the_light_lane() -> None:
    gate = admission()
    assert gate.admit("m", 10).lane == "light"
    assert gate.admit("m", 11).lane == "heavy"
    assert gate.in_flight() == {"light": 10, "heavy": 11}


def test_heavy_work_past_the_budget_is_refused_with_retry_after() -> None:
    gate = admission()
    gate.admit("a", 500)
    gate.admit("b", 400)
    with pytest.raises(Overloaded) as refused:
        gate.admit("c", 200)
    assert refused.value.status_code == 429 and refused.value.rule == "heavy_budget"
    assert refused.value.headers == {"Retry-After": str(refused.value.retry_after)}
    assert refused.value.retry_after >= 1


def test_one_model_cannot_hold_more_than_its_own_budget() -> None:
    gate = admission()
    gate.admit("a", 500)
    with pytest.raises(Overloaded) as refused:
        gate.admit("a", 200)
    assert refused.value.rule == "heavy_model_budget"
    gate.admit("b", 200)  # another model still fits the total


def test_a_request_larger_than_the_budget_runs_alone() -> None:
    gate = admission()
    alone = gate.admit("a", 5000)
    with pytest.raises(Overloaded):
        gate.admit("b", 20)
    gate.release(alone)
    gate.admit("b", 20)


def test_a_full_heavy_lane_leaves_light_work_admitted() -> None:
    gate = admission()
    gate.admit("a", 1000)
    assert all(gate.admit("a", 10).lane == "light" for _ in range(10))
    with pytest.raises(Overloaded) as refused:
        gate.admit("a", 10)
    assert refused.value.rule == "light_budget"


def test_released_cost_is_admitted_again() -> None:
    gate = admission()
    tickets = [gate.admit("a", 300), gate.admit("b", 300)]
    for ticket in tickets:
        gate.release(ticket)
    assert gate.in_flight() == {"light": 0, "heavy": 0}
    gate.admit("a", 600)


def test_work_expected_to_pass_the_timeout_behind_the_backlog_is_refused() -> None:
    gate = admission(heavy_budget=10**9, heavy_model_budget=10**9, timeout_s=10.0)
    ticket = gate.admit("a", 100)
    ticket.started -= 2.0  # as if it took 2 s: 0.02 s per unit of backlog
    gate.release(ticket)
    gate.admit("a", 300)  # 6 s: admitted
    with pytest.raises(Overloaded) as refused:
        gate.admit("b", 200)  # 10 s behind the 300 in flight: over 80% of the timeout
    assert refused.value.rule == "request_timeout"
    assert 1 <= refused.value.retry_after <= 10


def test_disabled_admission_admits_everything_to_one_lane() -> None:
    gate = admission(enabled=False)
    assert all(gate.admit("a", 10**6).lane == "light" for _ in range(100))


# -- through the service -----------------------------------------------------------------------
@pytest.fixture
def busy_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "light_cost": 1024 * ROW, "heavy_budget": 32 * HEAVY_K * ROW,
        "heavy_model_budget": 32 * HEAVY_K * ROW,
    })


def _hold_heavy_budget(app: Any) -> Ticket:
    gate: Admission = app.state.inference.admission
    return gate.admit("tiny-vae", gate.heavy_budget)


@pytest.mark.parametrize(
    ("fast_path", "batching"), [(True, True), (False, True), (True, False)],
    ids=["fast-path", "fastapi", "unbatched"],
)
def test_heavy_requests_over_the_budget_get_429_with_retry_after_on_both_paths(
    busy_settings: Settings, fast_path: bool, batching: bool
) -> None:
    settings = busy_settings.model_copy(update={"batching": batching})
    if not fast_path:
        settings = settings.model_copy(
            update={"protect_inference": True, "api_key": "admission-key"}
        )
    headers = {} if fast_path else {"Authorization": "Bearer admission-key"}

    async def check() -> None:
        async with serving(settings) as (client, app):
            held = _hold_heavy_budget(app)
            heavy = await client.post("/log-likelihood", json=HEAVY, headers=headers)
            assert heavy.status_code == 429, heavy.text
            assert int(heavy.headers["Retry-After"]) >= 1
            error = heavy.json()["error"]
            assert error["type"] == "overloaded" and error["rule"] in BUDGET_RULES
            light = await client.post("/sample", json=ONE_SAMPLE, headers=headers)
            assert light.status_code == 200, light.text
            gate: Admission = app.state.inference.admission
            gate.release(held)
            heavy = await client.post("/log-likelihood", json=HEAVY, headers=headers)
            assert heavy.status_code == 200, heavy.text
            assert gate.in_flight() == {"light": 0, "heavy": 0}

    asyncio.run(check())


def test_heavy_log_likelihoods_do_not_starve_a_one_sample_client(
    busy_settings: Settings,
) -> None:
    """Issue 17 #3: 12 clients sending the heaviest log-likelihoods the limits allow made a
    one-sample /sample wait 60 s and fail with 408. Now heavy ones get 200 or 429 with
    Retry-After (never 408 or 500), every light request succeeds, and light requests start and
    finish while a heavy one is being computed."""
    rows, k = 256, 2000  # the heaviest these limits allow
    settings = busy_settings.model_copy(update={
        "max_request_examples": rows, "max_importance_samples": k, "max_body_bytes": 1_000_000,
        "heavy_budget": rows * k * ROW, "heavy_model_budget": rows * k * ROW,
    })
    heaviest = {
        "model": "tiny-vae", "importance_samples": k,
        "inputs": np.random.default_rng(1).random((rows, 64)).round(3).tolist(),
    }
    heavy_log: list[tuple[float, float, httpx.Response]] = []
    light_log: list[tuple[float, float, httpx.Response]] = []

    def computed() -> int:
        return sum(1 for _, _, r in heavy_log if r.status_code == 200)

    async def scenario() -> None:
        async with serving(settings) as (client, _):
            done = asyncio.Event()

            async def heavy_client() -> None:
                while not done.is_set():
                    started = time.perf_counter()
                    response = await client.post("/log-likelihood", json=heaviest)
                    heavy_log.append((started, time.perf_counter(), response))
                    if response.status_code == 429:
                        await asyncio.sleep(0.02)  # hostile: far sooner than Retry-After

            async def light_client() -> None:
                while len(light_log) < 20 or (computed() < 3 and len(light_log) < 5000):
                    started = time.perf_counter()
                    response = await client.post("/sample", json=ONE_SAMPLE)
                    light_log.append((started, time.perf_counter(), response))
                done.set()

            await asyncio.gather(light_client(), *(heavy_client() for _ in range(12)))

    asyncio.run(scenario())
    assert {r.status_code for _, _, r in light_log} == {200}
    statuses = {r.status_code for _, _, r in heavy_log}
    assert statuses <= {200, 429} and 200 in statuses and 429 in statuses
    for _, _, response in heavy_log:
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            # back far sooner than Retry-After: its large bodies are refused unread
            assert response.json()["error"]["rule"] in BUDGET_RULES | {"retry_after"}
    spans = [(start, end) for start, end, r in heavy_log if r.status_code == 200]
    inside = max(sum(1 for s, e, _ in light_log if start < s and e < end) for start, end in spans)
    assert inside >= 2, "no light request started and finished during a heavy computation"


# -- the page's views (issue 17 #4, #5) --------------------------------------------------------
@pytest.mark.parametrize("bound", ["inf", "-Infinity", "1e308", "-1e308", "nan", "1e10"])
def test_density_with_infinite_or_huge_bounds_is_a_422_naming_the_field(
    busy_settings: Settings, bound: str
) -> None:
    params = {"x_min": "-1", "x_max": bound if not bound.startswith("-") else "1",
              "y_min": bound if bound.startswith("-") else "-1", "y_max": "1"}
    field = "x_max" if not bound.startswith("-") else "y_min"

    async def check() -> None:
        async with serving(busy_settings) as (client, _):
            response = await client.get("/models/tiny-gmm/density", params=params)
            assert response.status_code == 422, response.text
            assert response.json()["error"]["field"] in (field, f"query.{field}")

    asyncio.run(check())


def test_reference_accepts_only_the_allowed_k_values(busy_settings: Settings) -> None:
    async def check() -> None:
        async with serving(busy_settings) as (client, _):
            for k in (997, 998, 999):
                response = await client.get(
                    "/models/tiny-vae/reference", params={"importance_samples": k}
                )
                assert response.status_code == 422
                assert response.json()["error"]["field"] == "importance_samples"

    asyncio.run(check())


@pytest.mark.parametrize("view", ["reference", "density"])
def test_views_are_admitted_like_inference(busy_settings: Settings, view: str) -> None:
    """Issue 17 #4: /reference was open and unbounded; the views now hold admission tickets."""
    settings = busy_settings.model_copy(  # both views are heavy, and 5,000 fills the budget
        update={"light_cost": 1000, "heavy_budget": 5000, "heavy_model_budget": 5000}
    )
    path, params = {
        "reference": ("/models/tiny-vae/reference", {"importance_samples": 100}),
        "density": ("/models/tiny-gmm/density", {"resolution": 64}),
    }[view]

    async def check() -> None:
        async with serving(settings) as (client, app):
            gate: Admission = app.state.inference.admission
            held = gate.admit("other-model", 5000)
            assert held.lane == "heavy"
            refused = await client.get(path, params=params)
            assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
            gate.release(held)
            answered = await client.get(path, params=params)
            assert answered.status_code == 200, answered.text
            assert gate.in_flight()["heavy"] == 0

    asyncio.run(check())


def test_a_reference_past_the_timeout_is_a_408_and_still_fills_the_cache(
    busy_settings: Settings,
) -> None:
    settings = busy_settings.model_copy(update={"request_timeout_s": 0.001})
    params = {"importance_samples": 1000}

    async def check() -> None:
        async with serving(settings) as (client, app):
            first = await client.get("/models/tiny-vae/reference", params=params)
            assert first.status_code == 408, first.text
            cache = app.state.reference_cache
            key = cache.key(app.state.registry.get("tiny-vae"), 1000)
            async with asyncio.timeout(120):  # a hang guard, not a threshold
                while cache.peek(key) is None:  # the computation goes on in its thread
                    await asyncio.sleep(0.05)
            again = await client.get("/models/tiny-vae/reference", params=params)
            assert again.status_code == 200 and again.json()["importance_samples"] == 1000

    asyncio.run(check())


def test_refusals_and_admitted_cost_appear_in_metrics(client: Any) -> None:
    from tests.app.test_metrics_api import scrape, value

    gate: Admission = client.app.state.inference.admission
    labels = {"model": "tiny-vae", "lane": "light", "rule": "light_budget"}
    before = value(scrape(client), "genserve_admission_refused_total", **labels)
    fits = gate.light_budget // gate.light_cost
    held = [gate.admit("tiny-vae", gate.light_cost) for _ in range(fits)]
    try:
        families = scrape(client)
        assert value(families, "genserve_admission_in_flight_cost", lane="light") == (
            gate.light_cost * len(held)
        )
        response = client.post("/sample", json=ONE_SAMPLE)
        assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    finally:
        for ticket in held:
            gate.release(ticket)
    families = scrape(client)
    assert value(families, "genserve_admission_refused_total", **labels) == before + 1
    assert value(families, "genserve_admission_in_flight_cost", lane="light") == 0
