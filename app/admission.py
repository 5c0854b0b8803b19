"""Admission control: inference work is admitted against cost budgets, or refused with a 429.

Without it, the limits bound one request but not how many run at once: twelve log-likelihoods of
256 MNIST rows with k = 5,000 each (all within the limits) queued a one-sample ``/sample`` for
60 s, which then failed with a 408. Here each request gets a cost before it is queued or
decoded, in multiply-adds, approximately: the rows it passes through the model times the model's
size in parameters (``row_cost``: weights and buffers; for the MLP VAEs and the Gaussian
mixtures a row's pass is about one multiply-add per parameter)::

    cost = row passes x parameters
    row passes:  /sample n: n          /encode, /reconstruct: the input rows
                 /log-likelihood: rows x k (VAE; a GMM's is exact: rows)
                 /interpolate: steps + 2
                 /models/{name}/density: grid points (+2,000) x k (VAE)
                 /models/{name}/reference: 2,000 held-out rows x k (VAE)

so the shipped ``mnist-vae`` (450,794 parameters) costs 7.2e6 for 16 samples and 5.8e11 for the
largest log-likelihood the limits allow (256 rows, k = 5,000), while a 96 x 96 density grid of
``pinwheel-gmm`` (70) costs 7.9e5. A convolutional VAE reuses its weights across pixels, so its
cost is an underestimate.

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
- The cost is released when the request's answer is ready (or its timeout fires: a forward
  pass under way then finishes in its thread, unaccounted, for at most its own run time).

The service (``app.inference``) calls :meth:`Admission.admit` in the one place every request
passes through, so the FastAPI routes, the fast path and the page's views are all covered.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from app import metrics
from app.config import Settings
from app.errors import ServiceError

__all__ = ["Admission", "Lane", "Overloaded", "Ticket", "row_cost"]

DEADLINE_SHARE = 0.8
"""Heavy work is refused when, behind what is in flight, it is expected to take more than this
share of the request timeout: a 429 now rather than a 408 later."""

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
    """A model's size in parameters and buffers (at least 1): its cost per row pass. Counted
    once per model object (forgotten with it)."""
    known = _ROW_COSTS.get(model)
    if known is None:
        size = sum(t.numel() for t in model.parameters())
        known = _ROW_COSTS[model] = max(1, int(size + sum(b.numel() for b in model.buffers())))
    return known


@dataclass(eq=False)
class Ticket:
    """One admitted request: what it holds, until :meth:`Admission.release`."""

    model: str
    cost: int
    lane: Lane
    ahead: int = 0  # heavy cost admitted before it and still in flight
    started: float = field(default_factory=time.monotonic)


class Admission:
    """Budgets of admitted cost per lane (and per model for heavy work). Thread-safe, O(1)."""

    def __init__(
        self, *, light_cost: int, light_budget: int, heavy_budget: int, heavy_model_budget: int,
        enabled: bool = True, timeout_s: float = 60.0,
    ) -> None:
        self.enabled = enabled
        self.light_cost = light_cost
        self.light_budget = light_budget
        self.heavy_budget = heavy_budget
        self.heavy_model_budget = heavy_model_budget
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._light = 0
        self._heavy = 0
        self._heavy_by_model: dict[str, int] = {}
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
            enabled=settings.admission, timeout_s=settings.request_timeout_s,
        )

    def lane(self, cost: int) -> Lane:
        return "light" if cost <= self.light_cost else "heavy"

    def in_flight(self) -> dict[str, int]:
        """Admitted cost per lane (for tests and metrics)."""
        with self._lock:
            return {"light": self._light, "heavy": self._heavy}

    def admit(self, model: str, cost: int) -> Ticket:
        """A ticket for ``cost`` of ``model``'s work, or :class:`Overloaded`. Disabled
        (``GENSERVE_ADMISSION=false``), every request is admitted to the light lane: one batcher
        for all, as before admission control."""
        ticket = Ticket(model, cost, self.lane(cost) if self.enabled else "light")
        if not self.enabled:
            return ticket
        with self._lock:
            if ticket.lane == "light":
                if self._light and self._light + cost > self.light_budget:
                    self.refused += 1
                    raise self._refusal(ticket, "light_budget", self.light_budget, self._light)
                self._light += cost
                return ticket
            held = self._heavy_by_model.get(model, 0)
            if held and held + cost > self.heavy_model_budget:
                self.refused += 1
                raise self._refusal(ticket, "heavy_model_budget", self.heavy_model_budget, held)
            if self._heavy and self._heavy + cost > self.heavy_budget:
                self.refused += 1
                raise self._refusal(ticket, "heavy_budget", self.heavy_budget, self._heavy)
            expected = self._expected_s(self._heavy + cost)
            if self._heavy and expected > DEADLINE_SHARE * self.timeout_s:
                self.refused += 1  # it would wait out its timeout behind the work ahead
                raise self._refusal(
                    ticket, "request_timeout", self.heavy_budget, self._heavy,
                    why=f"behind the heavy work in flight it would take about {expected:.0f} s, "
                    f"over {DEADLINE_SHARE:.0%} of the request timeout of {self.timeout_s:g} s "
                    "(GENSERVE_REQUEST_TIMEOUT_S)",
                )
            ticket.ahead = self._heavy
            self._heavy += cost
            self._heavy_by_model[model] = held + cost
            self._heavy_tickets.add(ticket)
            return ticket

    def release(self, ticket: Ticket, *, completed: bool = True) -> None:
        """Give the ticket's cost back; a completed heavy run updates the time estimate."""
        if not self.enabled:
            return
        with self._lock:
            if ticket.lane == "light":
                self._light -= ticket.cost
                return
            if ticket not in self._heavy_tickets:
                return
            self._heavy_tickets.discard(ticket)
            self._heavy -= ticket.cost
            left = self._heavy_by_model[ticket.model] - ticket.cost
            if left:
                self._heavy_by_model[ticket.model] = left
            else:
                del self._heavy_by_model[ticket.model]
            if completed:
                rate = (time.monotonic() - ticket.started) / (ticket.ahead + ticket.cost)
                known = self._seconds_per_cost
                self._seconds_per_cost = rate if known is None else 0.7 * known + 0.3 * rate

    @contextmanager
    def admitted(self, model: str, cost: int) -> Iterator[Ticket]:
        ticket = self.admit(model, cost)
        try:
            yield ticket
        except BaseException:
            self.release(ticket, completed=False)
            raise
        self.release(ticket)

    def _refusal(
        self, ticket: Ticket, rule: str, budget: int, held: int, why: str | None = None
    ) -> Overloaded:
        retry_after = 1 if ticket.lane == "light" else self._retry_after()  # light work is quick
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

    def _retry_after(self) -> int:
        """Seconds until the first heavy request in flight is expected to end (at least 1); the
        caller holds the lock."""
        if not self._heavy_tickets:
            return 1
        now = time.monotonic()
        if self._seconds_per_cost is None:  # nothing measured yet: at least as long again as
            oldest = min(t.started for t in self._heavy_tickets)  # the oldest has taken so far
            return int(min(max(1.0, self.timeout_s), max(1, math.ceil(now - oldest))))
        remaining = min(
            t.started + self._expected_s(t.ahead + t.cost) - now for t in self._heavy_tickets
        )
        return int(min(max(1.0, self.timeout_s), max(1, math.ceil(remaining))))

    def _expected_s(self, backlog: int) -> float:
        """Expected seconds to answer after ``backlog`` units of heavy work (0 when unknown)."""
        return 0.0 if self._seconds_per_cost is None else backlog * self._seconds_per_cost
