"""Admission control: inference work is admitted against cost budgets, or refused with a 429.

Without it, the limits bound one request but not how many run at once: twelve log-likelihoods of
256 MNIST rows with k = 5,000 each (all within the limits) queued a one-sample ``/sample`` for
60 s, which then failed with a 408. Here each request gets a cost before it is queued, in row
passes through the model (what its forward passes scale with)::

    /sample n: n                     /encode, /reconstruct: the input rows
    /log-likelihood: rows x k (VAE; a GMM's is exact: rows)
    /interpolate: steps + 2          /models/{name}/density: grid points (+2,000) x k
    /models/{name}/reference: 2,000 held-out rows x k

so 256 samples cost 256 and the largest log-likelihood the limits allow 256 x 5,000 = 1.28M.
Images count by rows like arrays: their pixels are bounded per request by
``GENSERVE_MAX_IMAGE_PIXELS`` and decoded on the event loop before admission.

- **Two lanes.** A request costing at most ``GENSERVE_LIGHT_COST`` is light; the rest are heavy.
  Each lane has its own budget and its own batcher (``app.batching.Lanes``), so light work never
  waits behind a heavy batch, and heavy work gets ``GENSERVE_HEAVY_RUNNERS`` threads (one core
  fewer than available): the event loop and light work keep a core.
- **Budgets.** A request is admitted when its cost fits in what its lane has left: light work in
  ``GENSERVE_LIGHT_BUDGET``; heavy work in ``GENSERVE_HEAVY_BUDGET`` for all models and in
  ``GENSERVE_HEAVY_MODEL_BUDGET`` for its model. A request larger than a budget is admitted only
  when nothing else holds that budget, so every request the limits allow can run.
- **429, not 408.** A request that does not fit is refused at once with ``429`` and a
  ``Retry-After`` (seconds): the expected time until the oldest admitted heavy request ends,
  from the measured seconds per unit of cost, at least 1. It is never queued to time out.
- The cost is released when the request's answer is ready (or its timeout fires: a forward
  pass under way then finishes in its thread, unaccounted, for at most its own run time).

The service (``app.inference``) calls :meth:`Admission.admit` in the one place every request
passes through, so the FastAPI routes, the fast path and the page's views are all covered.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from app.config import Settings
from app.errors import ServiceError

__all__ = ["Admission", "Lane", "Overloaded", "Ticket"]

Lane = Literal["light", "heavy"]


class Overloaded(ServiceError):
    """429: the work does not fit in what the budgets have left; retry after ``retry_after``."""

    status_code = 429
    error_type = "overloaded"

    def __init__(self, message: str, *, retry_after: int, rule: str) -> None:
        super().__init__(message, field=None, rule=rule)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


@dataclass(eq=False)
class Ticket:
    """One admitted request: what it holds, until :meth:`Admission.release`."""

    model: str
    cost: int
    lane: Lane
    started: float = field(default_factory=time.monotonic)


class Admission:
    """Budgets of admitted cost per lane (and per model for heavy work). Thread-safe, O(1)."""

    def __init__(
        self, *, light_cost: int, light_budget: int, heavy_budget: int, heavy_model_budget: int,
        enabled: bool = True, max_retry_after_s: float = 60.0,
    ) -> None:
        self.enabled = enabled
        self.light_cost = light_cost
        self.light_budget = light_budget
        self.heavy_budget = heavy_budget
        self.heavy_model_budget = heavy_model_budget
        self.max_retry_after_s = max_retry_after_s
        self._lock = threading.Lock()
        self._light = 0
        self._heavy = 0
        self._heavy_by_model: dict[str, int] = {}
        self._heavy_tickets: set[Ticket] = set()
        self._seconds_per_cost: float | None = None  # heavy work, moving average
        self.refused = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Admission:
        return cls(
            light_cost=settings.light_cost, light_budget=settings.light_budget,
            heavy_budget=settings.heavy_budget, heavy_model_budget=settings.heavy_model_budget,
            enabled=settings.admission, max_retry_after_s=settings.request_timeout_s,
        )

    def lane(self, cost: int) -> Lane:
        return "light" if cost <= self.light_cost else "heavy"

    def in_flight(self) -> dict[str, int]:
        """Admitted cost per lane (for tests and metrics)."""
        with self._lock:
            return {"light": self._light, "heavy": self._heavy}

    def admit(self, model: str, cost: int) -> Ticket:
        """A ticket for ``cost`` of ``model``'s work, or :class:`Overloaded`."""
        ticket = Ticket(model, cost, self.lane(cost))
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
                rate = (time.monotonic() - ticket.started) / ticket.cost
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

    def _refusal(self, ticket: Ticket, rule: str, budget: int, held: int) -> Overloaded:
        retry_after = self._retry_after()
        return Overloaded(
            f"the server is busy: this request costs {ticket.cost:,} and {held:,} of the "
            f"{ticket.lane} budget of {budget:,} is in use (GENSERVE_{rule.upper()}); retry "
            f"after {retry_after} s, or ask for fewer rows, samples or importance samples",
            retry_after=retry_after, rule=rule,
        )

    def _retry_after(self) -> int:
        """Seconds until the oldest heavy request is expected to end (at least 1); the caller
        holds the lock."""
        if self._seconds_per_cost is None or not self._heavy_tickets:
            return 1
        now = time.monotonic()
        remaining = min(
            t.cost * self._seconds_per_cost - (now - t.started) for t in self._heavy_tickets
        )
        return int(min(self.max_retry_after_s, max(1, math.ceil(remaining))))
