"""Admission control: inference work is admitted against cost budgets, or refused with a 429.

Without it, the limits bound one request but not how many run at once: twelve log-likelihoods of
256 MNIST rows with k = 5,000 each (all within the limits) queued a one-sample ``/sample`` for
60 s, which then failed with a 408. Here each request gets a cost before it is queued or
decoded, in multiply-adds: the rows it passes through the model times the model's multiply-adds
per row pass (``row_cost``, ``GenerativeModel.row_multiply_adds``: counted once per model with
``torch.utils.flop_counter`` on a one-row pass, and at least its size in parameters)::

    cost = row passes x multiply-adds per row pass
    row passes:  /sample n: n          /encode, /reconstruct: the input rows
                 /log-likelihood: rows x k (VAE; a GMM's is exact: rows)
                 /interpolate: steps + 2
                 /models/{name}/density: grid points (+2,000) x k (VAE)
                 /models/{name}/reference: 2,000 held-out rows x k (VAE)

so the shipped ``mnist-vae`` (an MLP: 450,794 multiply-adds per row pass, its size) costs 7.2e6
for 16 samples and 5.8e11 for the largest log-likelihood the limits allow (256 rows, k = 5,000),
while a 96 x 96 density grid of ``pinwheel-gmm`` (100 per row: 70 parameters) costs 1.1e6. A
convolutional VAE reuses its weights at every pixel, and its count says so (a small 28 x 28 one:
104,416 per row pass, 7 times its 14,715 parameters).

- **Two lanes.** A request costing at most ``GENSERVE_LIGHT_COST`` is light; the rest are heavy.
  Each lane has its own budget and its own batcher (``app.batching.Lanes``), so light work never
  waits behind a heavy batch, and heavy work gets ``GENSERVE_HEAVY_RUNNERS`` threads (one core
  fewer than available): the event loop and light work keep a core.
- **Budgets.** A request is admitted when its cost fits in what its lane has left: light work in
  ``GENSERVE_LIGHT_BUDGET``; heavy work in ``GENSERVE_HEAVY_BUDGET`` for all models and in
  ``GENSERVE_HEAVY_MODEL_BUDGET`` for its model. A request larger than a budget is admitted only
  when nothing else holds that budget, so every request the limits allow can run.
- **429, not 408.** A request that does not fit is refused at once with ``429`` and a
  ``Retry-After`` (seconds): the expected time until the first heavy request in flight ends,
  from the measured seconds per unit of heavy backlog (before any is measured: as long again
  as the oldest one has run), at least 1 and at most the request timeout. Heavy work that fits the
  budget but is expected, behind what is in flight, to pass 80% of the request timeout is
  refused the same way (rule ``request_timeout``), so it is not queued to time out. The default
  heavy budget is one of the largest requests the limits allow on the shipped MNIST VAE
  (about 35 s on one core of the loaded 2-core machine), so the first one cannot 408 either.
- **Per-client fairness** (heavy lane; ``GENSERVE_HEAVY_CLIENT_BUDGET``, default half the heavy
  budget, 0 off). A client is its API key when inference needs one, else its address
  (:func:`client_identity`). While another client wants heavy work, a client holds at most its
  budget (rule ``client_budget``); refused clients wait in line, and capacity that frees is kept
  for the client that has waited longest (rule ``client_turn`` for the others), so a client
  retrying from twelve connections gets its turn as often as one retrying from one; and the
  heavy lane's queue serves the waiting client served least recently first
  (``app.batching.ClientTurns``). Alone, a client may use the whole heavy budget.
- The cost is released when the request's answer is ready, or, for one that timed out or lost
  its client, when its work really ends (a forward pass cannot be interrupted): dropped from
  the queue, or its pass over, batched or not.

The service (``app.inference``) calls :meth:`Admission.admit` in the one place every request
passes through, so the FastAPI routes, the fast path and the page's views are all covered.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from app import metrics
from app.auth import inference_is_open
from app.config import Settings
from app.errors import ServiceError

__all__ = [
    "Admission", "ClientIdentity", "Lane", "Overloaded", "Ticket", "client_identity",
    "current_client", "row_cost",
]

DEADLINE_SHARE = 0.8
"""Heavy work is refused when, behind what is in flight, it is expected to take more than this
share of the request timeout: a 429 now rather than a 408 later."""

CLAIM_GRACE_S = 2.0
"""A refused heavy client keeps its place in line for its ``Retry-After`` and this much more:
long enough to come back, short enough that capacity kept for a client that left is soon
given to others."""

EARLY_REFUSAL_BYTES = 64 * 1024
"""A request body at least this large (or of unknown length) from a client that was refused
heavy work and comes back before its ``Retry-After`` is refused before it is read: parsing the
1 MB bodies of a client that ignores ``Retry-After`` starved the heavy lane for everyone."""

RETRY_AFTER_SLACK_S = 0.25
"""A client that waits its ``Retry-After`` (whole seconds, from when it read the answer) is
never early: it may come back this much before the server's reckoning."""

Lane = Literal["light", "heavy"]


class Overloaded(ServiceError):
    """429: the work does not fit in what the budgets have left; retry after ``retry_after``."""

    status_code = 429
    error_type = "overloaded"

    def __init__(self, message: str, *, retry_after: int, rule: str) -> None:
        super().__init__(message, field=None, rule=rule)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


_ROW_COSTS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def row_cost(model: Any) -> int:
    """A model's multiply-adds per row pass (``GenerativeModel.row_multiply_adds``: measured,
    at least its size in parameters): its cost per row pass. Counted once per model object
    (forgotten with it)."""
    known = _ROW_COSTS.get(model)
    if known is None:
        known = _ROW_COSTS[model] = max(1, int(model.row_multiply_adds()))
    return known


# -- who is asking ---------------------------------------------------------------------------
_client: ContextVar[str] = ContextVar("genserve_client", default="")


def current_client() -> str:
    """The identity of the client whose request is served in this context ("" outside one)."""
    return _client.get()


def client_identity(scope: Scope) -> str:
    """Who sends a request, for per-client fairness: the API key's identity (a digest of it,
    never the key) when inference needs the key, else the peer's address. The address is the
    one uvicorn puts in the scope, so behind a proxy it is the forwarded client's exactly
    when uvicorn trusts that proxy (``--proxy-headers``, ``--forwarded-allow-ips``)."""
    app = scope.get("app")
    state = getattr(app, "state", None)
    if state is not None and hasattr(state, "settings") and not inference_is_open(state):
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                return "key:" + hashlib.sha256(value).hexdigest()[:16]
    peer = scope.get("client")
    return f"peer:{peer[0]}" if peer else "peer:unknown"


class ClientIdentity:
    """ASGI middleware: sets :func:`current_client` for the request, for admission to read
    wherever the request is served (the FastAPI routes, the fast path, the page's views)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _client.set(client_identity(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            _client.reset(token)


@dataclass(eq=False)
class Ticket:
    """One admitted request: what it holds, until :meth:`Admission.release`."""

    model: str
    cost: int
    lane: Lane
    client: str = ""
    ahead: int = 0  # heavy cost admitted before it and still in flight
    started: float = field(default_factory=time.monotonic)
    released: bool = False


@dataclass
class _Claim:
    """A heavy client that was refused and is expected back: its place in line."""

    cost: int  # what it asked for
    since: float  # its first refusal since it was last admitted
    until: float  # forgotten after this (it did not come back)


class Admission:
    """Budgets of admitted cost per lane (and per model and per client for heavy work), and
    the heavy lane's line of waiting clients. Thread-safe; O(1), and O(waiting clients) for
    heavy work."""

    def __init__(
        self, *, light_cost: int, light_budget: int, heavy_budget: int, heavy_model_budget: int,
        heavy_client_budget: int | None = None, enabled: bool = True, timeout_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.clock = clock  # for the line of waiting clients (tests pass a made-up one)
        self.light_cost = light_cost
        self.light_budget = light_budget
        self.heavy_budget = heavy_budget
        self.heavy_model_budget = heavy_model_budget
        # 0: per-client fairness off; None: half the heavy budget
        self.heavy_client_budget = (heavy_budget // 2 if heavy_client_budget is None
                                    else heavy_client_budget)
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._light = 0
        self._heavy = 0
        self._heavy_by_model: dict[str, int] = {}
        self._heavy_by_client: dict[str, int] = {}
        self._claims: dict[str, _Claim] = {}
        self._told: dict[str, float] = {}  # client -> when it may send heavy work again
        self._heavy_tickets: set[Ticket] = set()
        # seconds per unit of heavy backlog: (work ahead + own cost) -> time to answer; a moving
        # average over answered heavy requests
        self._seconds_per_cost: float | None = None
        self.refused = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Admission:
        return cls(
            light_cost=settings.light_cost, light_budget=settings.light_budget,
            heavy_budget=settings.heavy_budget, heavy_model_budget=settings.heavy_model_budget,
            heavy_client_budget=settings.heavy_client_budget, enabled=settings.admission,
            timeout_s=settings.request_timeout_s,
        )

    @property
    def fair(self) -> bool:
        """Per-client fairness in the heavy lane (``GENSERVE_HEAVY_CLIENT_BUDGET`` not 0)."""
        return self.heavy_client_budget > 0

    def lane(self, cost: int) -> Lane:
        return "light" if cost <= self.light_cost else "heavy"

    def in_flight(self) -> dict[str, int]:
        """Admitted cost per lane (for tests and metrics)."""
        with self._lock:
            return {"light": self._light, "heavy": self._heavy}

    def in_flight_by_client(self) -> dict[str, int]:
        """Admitted heavy cost per client (for tests)."""
        with self._lock:
            return dict(self._heavy_by_client)

    def admit(self, model: str, cost: int, client: str | None = None) -> Ticket:
        """A ticket for ``cost`` of ``model``'s work, or :class:`Overloaded`. ``client``: who
        asks (default: :func:`current_client`). Disabled (``GENSERVE_ADMISSION=false``), every
        request is admitted to the light lane: one batcher for all, as before admission
        control."""
        client = current_client() if client is None else client
        ticket = Ticket(model, cost, self.lane(cost) if self.enabled else "light", client)
        if not self.enabled:
            return ticket
        with self._lock:
            if ticket.lane == "light":
                if self._light and self._light + cost > self.light_budget:
                    raise self._refused(ticket, "light_budget", self.light_budget, self._light)
                self._light += cost
                return ticket
            now = self.clock()
            if self.fair:
                self._check_fair_share(ticket, now)
            held = self._heavy_by_model.get(model, 0)
            if held and held + cost > self.heavy_model_budget:
                raise self._refused(
                    ticket, "heavy_model_budget", self.heavy_model_budget, held, now=now
                )
            if self._heavy and self._heavy + cost > self.heavy_budget:
                raise self._refused(ticket, "heavy_budget", self.heavy_budget, self._heavy,
                                    now=now)
            expected = self._expected_s(self._heavy + cost)
            if self._heavy and expected > DEADLINE_SHARE * self.timeout_s:
                # it would wait out its timeout behind the work ahead
                raise self._refused(
                    ticket, "request_timeout", self.heavy_budget, self._heavy, now=now,
                    why=f"behind the heavy work in flight it would take about {expected:.0f} s, "
                    f"over {DEADLINE_SHARE:.0%} of the request timeout of {self.timeout_s:g} s "
                    "(GENSERVE_REQUEST_TIMEOUT_S)",
                )
            ticket.ahead = self._heavy
            self._heavy += cost
            self._heavy_by_model[model] = held + cost
            self._heavy_by_client[client] = self._heavy_by_client.get(client, 0) + cost
            self._claims.pop(client, None)  # its turn came: a later refusal queues it anew
            self._heavy_tickets.add(ticket)
            return ticket

    def _check_fair_share(self, ticket: Ticket, now: float) -> None:
        """Per-client fairness in the heavy lane; the caller holds the lock.

        - **Fair share.** While another client wants heavy work (holds some, or was refused and
          is expected back), a client holds at most ``heavy_client_budget`` (rule
          ``client_budget``; a larger request only when it holds nothing). Alone, it may use
          the whole heavy budget: nothing is kept idle for nobody.
        - **Turns.** Refused heavy clients wait in line, in the order of their first refusal
          (kept while they retry, until their ``Retry-After`` and ``CLAIM_GRACE_S`` pass); a
          client already admitted since goes to the back. Capacity that frees is kept for the
          clients ahead in line: a request that does not fit beside what they asked for is
          refused (rule ``client_turn``) until they are served. So a client sending many
          requests gets its turn as often as one sending one at a time, not twelve times as
          often because it retries twelve times as often.
        """
        for name in [n for n, c in self._claims.items() if c.until < now]:
            del self._claims[name]  # did not come back
        client, cost = ticket.client, ticket.cost
        held = self._heavy_by_client.get(client, 0)
        others = any(c != client for c in self._heavy_by_client) or any(
            c != client for c in self._claims)
        if others and held and held + cost > self.heavy_client_budget:
            raise self._refused(
                ticket, "client_budget", self.heavy_client_budget, held, now=now, queue=False,
                why=f"this client holds {held:,} of its heavy budget of "
                f"{self.heavy_client_budget:,} while other clients want the heavy lane "
                "(GENSERVE_HEAVY_CLIENT_BUDGET)",
            )
        mine = self._claims.get(client)
        place = mine.since if mine is not None else now
        kept = sum(c.cost for name, c in self._claims.items()
                   if name != client and c.since < place)
        if kept and self._heavy + kept + cost > self.heavy_budget:
            waiting = sum(1 for name, c in self._claims.items()
                          if name != client and c.since < place)
            raise self._refused(
                ticket, "client_turn", self.heavy_budget, self._heavy, now=now,
                why=f"{waiting} other client(s) waiting longer for the heavy lane come first "
                f"(per-client fairness, GENSERVE_HEAVY_CLIENT_BUDGET)",
            )

    def _refused(
        self, ticket: Ticket, rule: str, budget: int, held: int, *, now: float = 0.0,
        why: str | None = None, queue: bool = True,
    ) -> Overloaded:
        """Count a refusal; a heavy client refused while within its share (``queue``) takes
        or keeps its place in line. The caller holds the lock."""
        self.refused += 1
        refusal = self._refusal(ticket, rule, budget, held, why)
        if ticket.lane == "heavy":
            told = self.clock() + refusal.retry_after - RETRY_AFTER_SLACK_S
            if len(self._told) > 4096:  # forget the clients whose wait is over
                self._told = {c: t for c, t in self._told.items() if t > told - refusal.retry_after}
            self._told[ticket.client] = told
        if ticket.lane == "heavy" and queue and self.fair:
            until = now + refusal.retry_after + CLAIM_GRACE_S
            claim = self._claims.get(ticket.client)
            if claim is None:
                self._claims[ticket.client] = _Claim(ticket.cost, now, until)
            else:
                claim.cost, claim.until = ticket.cost, until
        return refusal

    def early_refusal(self, client: str, body_bytes: int | None) -> Overloaded | None:
        """A 429 for a request that need not be read: a body of ``EARLY_REFUSAL_BYTES`` or more
        (``None``: length unknown) from a client refused heavy work less than its
        ``Retry-After`` ago (rule ``retry_after``). Small bodies, light work among them, pass."""
        if not self.enabled or (body_bytes is not None and body_bytes < EARLY_REFUSAL_BYTES):
            return None
        with self._lock:
            until = self._told.get(client)
            wait = 0.0 if until is None else until - self.clock()
            if wait <= 0:
                return None
            self.refused += 1
        retry_after = max(1, math.ceil(wait))
        metrics.observe_refusal("", "heavy", "retry_after")
        return Overloaded(
            f"this client was refused heavy work and told to retry after a wait; it came back "
            f"{wait:.1f} s early, so this request was not read: retry after {retry_after} s",
            retry_after=retry_after, rule="retry_after",
        )

    def release(self, ticket: Ticket, *, completed: bool = True) -> None:
        """Give the ticket's cost back (once, however often called); a completed heavy run
        updates the time estimate."""
        if not self.enabled:
            return
        with self._lock:
            if ticket.released:
                return
            ticket.released = True
            if ticket.lane == "light":
                self._light -= ticket.cost
                return
            self._heavy_tickets.discard(ticket)
            self._heavy -= ticket.cost
            self._heavy_by_model[ticket.model] = self._heavy_by_model[ticket.model] - ticket.cost
            if not self._heavy_by_model[ticket.model]:
                del self._heavy_by_model[ticket.model]
            self._heavy_by_client[ticket.client] -= ticket.cost
            if not self._heavy_by_client[ticket.client]:
                del self._heavy_by_client[ticket.client]
            if completed:
                rate = (time.monotonic() - ticket.started) / (ticket.ahead + ticket.cost)
                known = self._seconds_per_cost
                self._seconds_per_cost = rate if known is None else 0.7 * known + 0.3 * rate

    @contextmanager
    def admitted(self, model: str, cost: int, client: str | None = None) -> Iterator[Ticket]:
        ticket = self.admit(model, cost, client)
        try:
            yield ticket
        except BaseException:
            self.release(ticket, completed=False)
            raise
        self.release(ticket)

    def _refusal(
        self, ticket: Ticket, rule: str, budget: int, held: int, why: str | None = None
    ) -> Overloaded:
        if ticket.lane == "light":
            retry_after = 1  # light work is quick
        else:  # over its own share, it waits for its own work
            retry_after = self._retry_after(ticket.client if rule == "client_budget" else None)
        why = why or (
            f"{held:,} of the {ticket.lane} budget of {budget:,} is in use "
            f"(GENSERVE_{rule.upper()})"
        )
        metrics.observe_refusal(ticket.model, ticket.lane, rule)
        return Overloaded(
            f"the server is busy: this request costs {ticket.cost:,} and {why}; "
            f"retry after {retry_after} s, or ask for fewer rows, samples or importance samples",
            retry_after=retry_after, rule=rule,
        )

    def _retry_after(self, client: str | None = None) -> int:
        """Seconds until the first heavy request in flight (``client``'s, if given) is expected
        to end (at least 1); the caller holds the lock."""
        tickets = [t for t in self._heavy_tickets if client is None or t.client == client]
        if not tickets:
            return 1
        now = time.monotonic()
        if self._seconds_per_cost is None:  # nothing measured yet: at least as long again as
            oldest = min(t.started for t in tickets)  # the oldest has taken so far
            return int(min(max(1.0, self.timeout_s), max(1, math.ceil(now - oldest))))
        remaining = min(t.started + self._expected_s(t.ahead + t.cost) - now for t in tickets)
        return int(min(max(1.0, self.timeout_s), max(1, math.ceil(remaining))))

    def _expected_s(self, backlog: int) -> float:
        """Expected seconds to answer after ``backlog`` units of heavy work (0 when unknown)."""
        return 0.0 if self._seconds_per_cost is None else backlog * self._seconds_per_cost
