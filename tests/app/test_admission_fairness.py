"""Per-client fairness in the heavy lane (issue 18): a client holds at most its share while
others want heavy work, and refused clients take turns, so one client flooding the lane cannot
keep another out. No timing thresholds: statuses, rules and counts."""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from app.admission import EARLY_REFUSAL_BYTES, Admission, Overloaded, client_identity
from app.batching import Batcher
from app.config import Settings
from app.main import create_app
from tests.app.test_admission import HEAVY, HEAVY_K, ROW

FLOODER, OTHER = "peer:10.0.0.1", "peer:10.0.0.2"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def gate(clock: Clock, **overrides: Any) -> Admission:
    """Light under 10; heavy budget 1,000 (per model too), 500 per client."""
    values = {"light_cost": 10, "light_budget": 100, "heavy_budget": 1000,
              "heavy_model_budget": 1000, "heavy_client_budget": 500, "clock": clock,
              **overrides}
    return Admission(**values)


def refusal(admission: Admission, cost: int, client: str) -> Overloaded:
    with pytest.raises(Overloaded) as refused:
        admission.admit("m", cost, client)
    return refused.value


# -- the rules, one at a time ------------------------------------------------------------------
def test_the_client_budget_defaults_to_half_the_heavy_budget() -> None:
    admission = Admission(light_cost=10, light_budget=100, heavy_budget=1000,
                          heavy_model_budget=1000)
    assert admission.heavy_client_budget == 500 and admission.fair


def test_a_client_alone_may_use_the_whole_heavy_budget(clock: Clock) -> None:
    admission = gate(clock)
    for _ in range(3):
        admission.admit("m", 300, FLOODER)
    assert admission.in_flight_by_client() == {FLOODER: 900}


def test_while_another_client_holds_heavy_work_a_client_holds_at_most_its_share(
    clock: Clock,
) -> None:
    admission = gate(clock)
    admission.admit("m", 100, OTHER)
    admission.admit("m", 300, FLOODER)
    refused = refusal(admission, 300, FLOODER)
    assert refused.rule == "client_budget" and refused.retry_after >= 1
    assert "GENSERVE_HEAVY_CLIENT_BUDGET" in str(refused)


def test_a_request_over_the_client_budget_is_admitted_when_its_client_holds_nothing(
    clock: Clock,
) -> None:
    admission = gate(clock)
    admission.admit("m", 100, OTHER)
    assert admission.admit("m", 800, FLOODER).cost == 800


def test_freed_capacity_goes_to_the_client_that_waited_not_to_the_one_that_held_it(
    clock: Clock,
) -> None:
    admission = gate(clock)
    held = admission.admit("m", 1000, FLOODER)
    assert refusal(admission, 1000, OTHER).rule == "heavy_model_budget"  # OTHER waits in line
    admission.release(held)
    clock.now += 1
    assert refusal(admission, 1000, FLOODER).rule == "client_turn"
    assert admission.admit("m", 1000, OTHER).client == OTHER


def test_clients_take_turns_however_many_requests_each_sends(clock: Clock) -> None:
    """The flooder is refused ten times for every time the other asks; each still gets every
    second turn."""
    admission = gate(clock)
    served: list[str] = []
    for _ in range(6):
        for client, tries in ((FLOODER, 10), (OTHER, 1)):
            for _ in range(tries):
                try:
                    ticket = admission.admit("m", 1000, client)
                except Overloaded:
                    continue
                served.append(client)
                clock.now += 1
                admission.release(ticket)
                break
    assert served[:6] == [FLOODER, OTHER] * 3


def test_a_request_that_fits_beside_the_waiting_clients_is_admitted(clock: Clock) -> None:
    admission = gate(clock)
    held = admission.admit("m", 600, FLOODER)
    refusal(admission, 600, OTHER)
    admission.release(held)
    assert admission.admit("m", 400, FLOODER).cost == 400  # 400 + OTHER's 600 fit the budget


def test_a_waiting_client_that_does_not_come_back_loses_its_place(clock: Clock) -> None:
    admission = gate(clock)
    held = admission.admit("m", 1000, FLOODER)
    retry_after = refusal(admission, 1000, OTHER).retry_after
    admission.release(held)
    clock.now += retry_after + 2.5  # past Retry-After and the grace
    assert admission.admit("m", 1000, FLOODER).client == FLOODER


def test_with_fairness_off_the_first_to_ask_is_admitted(clock: Clock) -> None:
    admission = gate(clock, heavy_client_budget=0)
    held = admission.admit("m", 1000, FLOODER)
    refusal(admission, 1000, OTHER)
    admission.release(held)
    assert admission.admit("m", 1000, FLOODER).client == FLOODER
    assert not admission.fair


def test_light_work_is_not_held_to_client_shares(clock: Clock) -> None:
    admission = gate(clock)
    admission.admit("m", 1000, OTHER)
    assert [admission.admit("m", 10, FLOODER).lane for _ in range(5)] == ["light"] * 5


# -- who the client is -------------------------------------------------------------------------
class _State:
    def __init__(self, protect: bool) -> None:
        self.settings = Settings.model_construct(protect_inference=protect)


class _App:
    def __init__(self, protect: bool) -> None:
        self.state = _State(protect)


def scope(protect: bool, key: bytes | None = None, peer: str = "10.1.2.3") -> dict[str, Any]:
    headers = [(b"authorization", b"Bearer " + key)] if key else []
    return {"type": "http", "app": _App(protect), "headers": headers, "client": (peer, 5555)}


def test_open_inference_tells_clients_by_address_not_port() -> None:
    first, second = scope(False, peer="10.1.2.3"), scope(False, peer="10.1.2.3")
    second["client"] = ("10.1.2.3", 6666)
    assert client_identity(first) == client_identity(second) == "peer:10.1.2.3"


def test_protected_inference_tells_clients_by_key_without_keeping_the_key() -> None:
    one, other = client_identity(scope(True, b"k1")), client_identity(scope(True, b"k2"))
    assert one.startswith("key:") and one != other and "k1" not in one
    assert client_identity(scope(True, b"k1", peer="10.9.9.9")) == one


# -- under concurrency -------------------------------------------------------------------------
def test_many_threads_admitting_and_releasing_leave_nothing_behind(clock: Clock) -> None:
    admission = gate(clock)
    errors: list[BaseException] = []

    def client(name: str, seed: int) -> None:
        rng = random.Random(seed)
        held = []
        try:
            for _ in range(2000):
                if held and rng.random() < 0.5:
                    admission.release(held.pop(rng.randrange(len(held))), completed=False)
                    continue
                try:
                    held.append(admission.admit("m", rng.choice([20, 200, 700]), name))
                except Overloaded:
                    pass
                flight = admission.in_flight()
                assert 0 <= flight["heavy"] and 0 <= flight["light"]
            for ticket in held:
                admission.release(ticket)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(name, i))
               for i, name in enumerate([FLOODER] * 6 + [OTHER] * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert admission.in_flight() == {"light": 0, "heavy": 0}
    assert admission.in_flight_by_client() == {}


@asynccontextmanager
async def two_clients(
    settings: Settings,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, Any]]:
    """One app with its lifespan, and a client from each of two addresses."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.1", 1000)),
            base_url="http://test", timeout=None,
        ) as flooder, httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.2", 1000)),
            base_url="http://test", timeout=None,
        ) as other:
            yield flooder, other, app


@pytest.mark.parametrize("batching", [True, False], ids=["batched", "unbatched"])
def test_a_second_client_is_served_while_the_first_floods_the_heavy_lane(
    settings: Settings, batching: bool
) -> None:
    """Twelve concurrent loops of the flooder, each retrying at once after a 429, against one
    client sending one heavy request at a time: the heavy budget holds one request, and the
    second client still gets its turns: once it waits, at most two of the flooder's requests
    are admitted before its own (one admitted before it came back, one that waited longer)."""
    settings = settings.model_copy(update={
        "batching": batching, "light_cost": 1024 * ROW,
        "heavy_budget": 32 * HEAVY_K * ROW, "heavy_model_budget": 32 * HEAVY_K * ROW,
    })
    flooder_log: Counter[int] = Counter()
    other_log: Counter[int] = Counter()
    order: list[str] = []

    async def scenario() -> Any:
        async with two_clients(settings) as (flooder, other, app):
            done = asyncio.Event()

            async def flood() -> None:
                while not done.is_set():
                    response = await flooder.post("/log-likelihood", json=HEAVY)
                    flooder_log[response.status_code] += 1
                    if response.status_code == 200:
                        order.append("flooder")
                    await asyncio.sleep(0)

            async def ask() -> None:
                while other_log[200] < 3 and sum(other_log.values()) < 5000:
                    response = await other.post("/log-likelihood", json=HEAVY)
                    other_log[response.status_code] += 1
                    if response.status_code == 200:
                        order.append("other")
                    await asyncio.sleep(0.001)
                done.set()

            await asyncio.gather(ask(), *(flood() for _ in range(12)))
            return app.state.inference.admission

    admission = asyncio.run(scenario())
    assert other_log[200] == 3, other_log
    assert set(flooder_log) <= {200, 429} and set(other_log) <= {200, 429}
    assert flooder_log[429] > other_log[429]  # the flooder was refused more
    runs = "".join("f" if who == "flooder" else "o" for who in order).split("o")
    # its turn came within two of theirs by the rule; the order is the answers' arrival at the
    # clients, and on a loaded machine (the whole suite on 2 cores) one more flooder answer was
    # once seen to arrive in between. Without fairness the run is hundreds long.
    assert max(len(run) for run in runs[1:-1]) <= 3, order
    assert admission.in_flight() == {"light": 0, "heavy": 0}
    assert admission.in_flight_by_client() == {}


# -- the heavy lane's queue: clients take turns ------------------------------------------------
@pytest.mark.parametrize("keys", ["one key", "a key per client"])
@pytest.mark.parametrize("fair", [True, False], ids=["turns", "first-come"])
def test_the_heavy_lane_serves_the_client_served_least_recently_next(
    keys: str, fair: bool
) -> None:
    """Four requests of one client queued before one of another: with turns, the other's runs
    second, not last."""
    ran: list[str] = []
    hold = threading.Event()

    def run(payloads: list[str]) -> list[str]:
        if payloads == ["hold"]:
            hold.wait(30)
        ran.extend(payloads)
        return payloads

    async def main() -> None:
        batcher = Batcher(max_size=8, max_wait_s=0.0, fair_clients=fair)
        batcher.start()
        try:
            holding = batcher.submit("hold", run, "hold", 8, client="x")
            while batcher.queued():
                await asyncio.sleep(0.001)
            queued = [batcher.submit("k", run, f"A{i}", 8, client=FLOODER) for i in range(4)]
            other_key = "k" if keys == "one key" else "other"
            queued.append(batcher.submit(other_key, run, "B0", 8, client=OTHER))
            while batcher.queued() < 5:
                await asyncio.sleep(0.001)
            hold.set()
            async with asyncio.timeout(30):  # a hang guard, not a threshold
                await asyncio.gather(holding, *queued)
        finally:
            hold.set()
            batcher.stop()

    asyncio.run(main())
    expected = ["A0", "B0", "A1", "A2", "A3"] if fair else ["A0", "A1", "A2", "A3", "B0"]
    assert ran == ["hold", *expected]


# -- a client that does not wait its Retry-After -------------------------------------------------
def test_a_large_body_back_before_its_retry_after_is_refused_unread(clock: Clock) -> None:
    admission = gate(clock)
    admission.admit("m", 1000, FLOODER)
    retry_after = refusal(admission, 1000, OTHER).retry_after
    early = admission.early_refusal(OTHER, EARLY_REFUSAL_BYTES)
    assert early is not None and early.rule == "retry_after"
    assert 1 <= early.retry_after <= retry_after
    assert admission.early_refusal(OTHER, None) is not None  # length unknown: refused too


def test_small_bodies_and_other_clients_are_not_refused_early(clock: Clock) -> None:
    admission = gate(clock)
    admission.admit("m", 1000, FLOODER)
    refusal(admission, 1000, OTHER)
    assert admission.early_refusal(OTHER, EARLY_REFUSAL_BYTES - 1) is None  # light work passes
    assert admission.early_refusal("peer:10.0.0.3", EARLY_REFUSAL_BYTES) is None


def test_a_client_that_waited_its_retry_after_is_read_again(clock: Clock) -> None:
    admission = gate(clock)
    admission.admit("m", 1000, FLOODER)
    retry_after = refusal(admission, 1000, OTHER).retry_after
    clock.now += retry_after
    assert admission.early_refusal(OTHER, EARLY_REFUSAL_BYTES) is None


def test_over_http_an_early_retry_is_a_429_before_its_body_is_parsed(settings: Settings) -> None:
    """A garbage body of 70 KB would be a 422 if it were read; back early, it is a 429."""
    settings = settings.model_copy(update={
        "light_cost": 1024 * ROW, "heavy_budget": 32 * HEAVY_K * ROW,
        "heavy_model_budget": 32 * HEAVY_K * ROW,
    })
    garbage = b"[" * (70 * 1024)

    async def scenario() -> list[httpx.Response]:
        async with two_clients(settings) as (_, other, app):
            admission = app.state.inference.admission
            held = admission.admit("tiny-vae", 32 * HEAVY_K * ROW, FLOODER)
            refused = await other.post("/log-likelihood", json=HEAVY)
            early = await other.post("/log-likelihood", content=garbage,
                                     headers={"content-type": "application/json"})
            light = await other.post("/sample", json={"model": "tiny-vae", "n": 1, "seed": 0})
            admission.release(held)
            return [refused, early, light]

    refused, early, light = asyncio.run(scenario())
    assert refused.status_code == 429, refused.text
    assert early.status_code == 429 and early.json()["error"]["rule"] == "retry_after"
    assert int(early.headers["retry-after"]) >= 1
    assert light.status_code == 200  # its small requests are still served
