"""Dynamic batching: concurrent requests for one model and operation share one forward pass.

    handler ── submit(key, payload) ──► inbox ──► worker thread (one for the registry's device)
       ▲ awaits an asyncio future                  │ takes the requests of the oldest key, up to
       │                                           │ ``batch_max_examples`` examples, waiting for
       │                                           │ more only when waiting pays (``WaitPolicy``),
       └── loop.call_soon_threadsafe(result) ◄─────┘ runs them as one batch under
                                                     torch.inference_mode() and splits the answer
                                                     back per request

- The event loop never runs a model: it decodes and validates inputs (so a bad request gets its
  4xx before it can reach a batch), submits, and awaits.
- The collector waits for company only when waiting pays (``AdaptiveWait``, the default): never
  when nothing is in flight and the queue holds one request, and otherwise only while a key's
  requests arrive faster than its batches complete, at most ``batch_max_wait_ms`` after the
  oldest. Under load batches also form without waiting, while every runner is busy.
- Randomness stays per request: each request draws its noise with its own generator and only the
  maths is batched, so a seeded request gets the answer it would get alone.
- If a batch fails anyway, its requests are run again one by one, so each gets its own answer or
  its own error.

The batch functions at the end of this module (``sample_batch``, ``encode_batch``, ...) are the
operations written for a list of requests; the service also calls them with a list of one when
batching is off, so both paths run the same code.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np
import torch
from numpy.typing import NDArray

from app.config import Settings
from models import GenerativeModel

__all__ = [
    "AdaptiveWait",
    "BatchFunction",
    "BatchRecord",
    "Batcher",
    "ClientTurns",
    "FixedWait",
    "ClassifyWork",
    "InputsWork",
    "InterpolateWork",
    "Labelled",
    "Lanes",
    "LogLikelihoodWork",
    "SampleWork",
    "WaitPolicy",
    "classify_batch",
    "encode_batch",
    "interpolate_batch",
    "log_likelihood_batch",
    "reconstruct_batch",
    "running_batcher",
    "sample_batch",
    "serving_threads",
    "use_threads",
]

logger = logging.getLogger("genserve.batching")

BatchFunction = Callable[[list[Any]], list[Any]]
"""Runs the payloads of one batch (all of one key) and returns one result per payload."""


class BatchRecord(NamedTuple):
    """What one batch was: passed to ``Batcher.observers`` after it ran."""

    key: Hashable
    sizes: tuple[int, ...]  # examples per request
    seconds: float


@dataclass(eq=False)
class _Item:
    key: Hashable
    run: BatchFunction
    payload: Any
    size: int
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    on_abandoned_done: Callable[[], None] | None = None
    """Called on the loop once the work of a request whose future was cancelled (its handler
    timed out or its client left) is over: dropped from the queue, or run to the end."""
    queued_at: float = field(default_factory=time.perf_counter)
    client: Hashable = None  # who sent it (``app.admission``): a fair lane takes turns by it


def _resolve(outcomes: list[tuple[_Item, bool, Any]]) -> None:
    """On the event loop: hand each request its result or its exception."""
    for item, ok, value in outcomes:
        if item.future.done():  # the client went away or timed out: the handler was cancelled
            _abandoned_done(item)
        elif ok:
            item.future.set_result(value)
        else:
            item.future.set_exception(value)


def _abandoned_done(item: _Item) -> None:
    if item.on_abandoned_done is not None:
        item.on_abandoned_done()


def _hand_back(items: list[_Item], outcomes: list[tuple[bool, Any]]) -> None:
    """One wake-up per event loop for the whole batch, not one per request."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Item, bool, Any]]] = {}
    for item, (ok, value) in zip(items, outcomes, strict=True):
        by_loop.setdefault(item.loop, []).append((item, ok, value))
    for loop, resolved in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, resolved)
        except RuntimeError:  # that loop has closed: nobody is waiting any more
            logger.debug("dropped %d answers for a closed event loop", len(resolved))


def _refuse(items: list[_Item]) -> None:
    """The answer to requests that no batch will take any more."""
    _hand_back(items, [(False, RuntimeError("the service is shutting down"))] * len(items))


class WaitPolicy(Protocol):
    """When the collector, holding a free runner and requests of ``key``, waits for more.

    Called on the collector thread only, except ``ran`` (on a runner thread). Times are
    ``time.perf_counter()`` seconds, passed in, so a policy is tested with made-up clocks.
    """

    def arrived(self, key: Hashable, at: float) -> None:
        """A request of ``key`` was submitted at ``at``."""

    def took(self, key: Hashable, requests: int) -> None:
        """A batch of ``requests`` requests of ``key`` left for a runner."""

    def ran(self, key: Hashable, seconds: float) -> None:
        """A batch of ``key`` took ``seconds`` to compute."""

    def wait_until(
        self, key: Hashable, oldest: float, last: float, *, in_flight: bool, queued: int
    ) -> float:
        """Until when to wait for more of ``key`` (a time at or before now: run at once).
        ``oldest`` and ``last``: when the oldest and the latest queued request arrived;
        ``in_flight``: a runner is busy; ``queued``: requests waiting, all keys."""


class AdaptiveWait:
    """Waits for company only while requests of a key arrive faster than its batches complete.

    Keeps, per key, a moving average of the gap between arrivals and of a batch's compute time.
    A lone request with nothing in flight runs at once. Otherwise, while the average gap is
    shorter than a batch, one more request is likely before a batch could finish: the collector
    waits for the next arrival, but no longer than a batch would take or twice the usual gap
    after the latest one (the burst is over), and never past ``max_wait_s`` after the oldest.
    When requests come slower than batches complete, waiting only adds latency: none.
    (Triton's dynamic batcher waits a fixed queue delay; Clipper adapts the batch size. This
    adapts the wait to the arrival rate, so that at low load it is zero.)
    """

    def __init__(self, max_wait_s: float, smoothing: float = 0.25) -> None:
        self.max_wait_s = max_wait_s
        self.smoothing = smoothing
        self._last: dict[Hashable, float] = {}
        self._gap: dict[Hashable, float] = {}
        self._batch: dict[Hashable, float] = {}
        self._lock = threading.Lock()  # ``ran`` comes from the runners

    def arrived(self, key: Hashable, at: float) -> None:
        last = self._last.get(key)
        self._last[key] = max(at, last or at)
        if last is None:
            return
        # a gap longer than a few batches says only "slow"; capped, one idle spell cannot hold
        # the average up for the next many arrivals of a burst
        cap = 4 * max(self._batch.get(key, 0.0), self.max_wait_s)
        gap = min(max(at - last, 0.0), cap)
        previous = self._gap.get(key)
        self._gap[key] = gap if previous is None else previous + self.smoothing * (gap - previous)

    def took(self, key: Hashable, requests: int) -> None:
        pass

    def ran(self, key: Hashable, seconds: float) -> None:
        with self._lock:
            previous = self._batch.get(key)
            self._batch[key] = (seconds if previous is None
                                else previous + self.smoothing * (seconds - previous))

    def wait_until(
        self, key: Hashable, oldest: float, last: float, *, in_flight: bool, queued: int
    ) -> float:
        gap, batch = self._gap.get(key), self._batch.get(key)
        if (not in_flight and queued <= 1) or gap is None or batch is None or gap >= batch:
            return -math.inf
        return min(oldest + self.max_wait_s, last + min(2 * gap, batch))

    def estimates(self, key: Hashable) -> tuple[float | None, float | None]:
        """(average gap between arrivals, average batch seconds) of ``key``, when known."""
        return self._gap.get(key), self._batch.get(key)


class FixedWait:
    """The policy before issue 18: when a runner is busy or the previous batch of the key had
    company, wait until the batch is full or ``max_wait_s`` after the oldest request. Kept for
    comparison (``GENSERVE_BATCH_POLICY=fixed``)."""

    def __init__(self, max_wait_s: float) -> None:
        self.max_wait_s = max_wait_s
        self._had_company: dict[Hashable, bool] = {}

    def arrived(self, key: Hashable, at: float) -> None:
        pass

    def took(self, key: Hashable, requests: int) -> None:
        self._had_company[key] = requests > 1

    def ran(self, key: Hashable, seconds: float) -> None:
        pass

    def wait_until(
        self, key: Hashable, oldest: float, last: float, *, in_flight: bool, queued: int
    ) -> float:
        if in_flight or self._had_company.get(key, False):
            return oldest + self.max_wait_s
        return -math.inf


def wait_policy(name: str, max_wait_s: float) -> WaitPolicy:
    """``adaptive`` or ``fixed`` (``GENSERVE_BATCH_POLICY``)."""
    policies: dict[str, Callable[[float], WaitPolicy]] = {
        "adaptive": AdaptiveWait, "fixed": FixedWait,
    }
    return policies[name](max_wait_s)


# -- the heavy lane's order: clients take turns (issue 18; app.admission's per-client fairness) --
class ClientTurns:
    """Round-robin by client for a lane's queue: the next batch serves the waiting client that
    was served least recently, and within a batch's key the clients' requests alternate (each
    client's first, then each one's second, ...), so a client with many requests queued cannot
    put them all ahead of another's one.

    A client's last turn is forgotten once it has nothing queued: a client sending one request
    at a time goes ahead of one that keeps a queue (fq_codel's "sparse flows first"), and what
    is kept is bounded by the clients waiting. Used on the collector thread only.
    """

    def __init__(self) -> None:
        self._turn = 0
        self._last: dict[Hashable, int] = {}  # client -> its latest turn (0: none remembered)
        self._waiting: dict[Hashable, int] = {}  # client -> its requests queued

    def queued(self, client: Hashable) -> None:
        self._waiting[client] = self._waiting.get(client, 0) + 1

    def taken(self, client: Hashable, *, served: bool) -> None:
        """One of ``client``'s requests left the queue (``served``: into a batch)."""
        if served:
            self._turn += 1
            self._last[client] = self._turn
        left = self._waiting[client] - 1
        if left:
            self._waiting[client] = left
        else:
            del self._waiting[client]
            self._last.pop(client, None)

    def next_key(self, pending: Mapping[Hashable, deque[_Item]]) -> Hashable:
        """The key of the oldest request of the client served least recently."""
        first = min((item for items in pending.values() for item in items),
                    key=lambda item: (self._last.get(item.client, 0), item.queued_at))
        return first.key

    def order(self, items: deque[_Item]) -> deque[_Item]:
        """``items`` (one key's, oldest first) in turns: by their rank within their client,
        then by how long ago their client was served."""
        rank: dict[Hashable, int] = {}
        ranked: list[tuple[int, int, float, int, _Item]] = []
        for item in items:
            rank[item.client] = rank.get(item.client, 0) + 1
            ranked.append((rank[item.client], self._last.get(item.client, 0), item.queued_at,
                           len(ranked), item))
        ranked.sort(key=lambda entry: entry[:4])
        return deque(entry[4] for entry in ranked)


class Batcher:
    """Coalesces submissions with the same key into batches, run by ``runners`` threads.

    One collector thread forms the batches; it takes the next one only when a runner is free, so
    while every runner computes, requests pile up into larger batches rather than queueing as
    small ones. More than one runner lets compute-bound batches (log-likelihood with many
    importance samples) use every core, as the unbatched path's thread pool does. Once it holds a
    free runner, ``policy`` says whether to wait for more first (default ``AdaptiveWait``: only
    while requests arrive faster than batches complete, at most ``max_wait_s``).
    """

    def __init__(
        self, *, max_size: int, max_wait_s: float, threads: int | None = None,
        runners: int = 1, name: str = "genserve-batcher", nice: int = 0,
        policy: WaitPolicy | None = None, fair_clients: bool = False,
    ) -> None:
        self.max_size = max_size
        self.policy = policy if policy is not None else AdaptiveWait(max_wait_s)
        self.nice = nice
        self.max_wait_s = max_wait_s
        self.threads = threads
        self.runners = runners
        self.name = name
        self._free_runners = threading.Semaphore(runners)
        self._busy_runners = 0
        self._busy_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self.observers: list[Callable[[BatchRecord], None]] = []
        self._inbox: queue.SimpleQueue[list[_Item] | None] = queue.SimpleQueue()
        self._outgoing: dict[asyncio.AbstractEventLoop, list[_Item]] = {}  # this loop iteration's
        self._pending: dict[Hashable, deque[_Item]] = {}
        self._pending_size: dict[Hashable, int] = {}
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._queued = 0  # submitted, not yet taken into a batch
        self._queued_lock = threading.Lock()
        self.turns = ClientTurns() if fair_clients else None  # the heavy lane's order

    @classmethod
    def from_settings(cls, settings: Settings) -> Batcher:
        max_wait_s = settings.batch_max_wait_ms / 1e3
        return cls(max_size=settings.batch_max_examples, max_wait_s=max_wait_s,
                   threads=serving_threads(settings),
                   runners=settings.batch_runners or available_cores(),
                   policy=wait_policy(settings.batch_policy, max_wait_s),
                   nice=settings.batch_nice)

    # -- the event loop's side -----------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._stopping = False
            self._pool = ThreadPoolExecutor(
                self.runners, thread_name_prefix=f"{self.name}-run",
                initializer=functools.partial(_start_runner, self.threads, self.nice),
            )
            self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the batch in progress, fail what is still queued, and end the worker."""
        if self._thread is not None:
            self._inbox.put(None)
            self._thread.join(timeout)
            self._thread = None
            while True:  # sent by another thread's loop after the collector had ended
                try:
                    late = self._inbox.get_nowait()
                except queue.Empty:
                    break
                if late:
                    _refuse(late)
        if self._pool is not None:
            self._pool.shutdown(wait=True)  # the batches already handed to runners finish
            self._pool = None

    def submit(
        self, key: Hashable, run: BatchFunction, payload: Any, size: int,
        on_abandoned_done: Callable[[], None] | None = None, client: Hashable = None,
    ) -> asyncio.Future[Any]:
        """Queue ``payload`` (``size`` examples) under ``key``; the future gets its share of the
        batch. Cancelling the future drops the request if no batch has taken it yet; a forward
        pass under way cannot be interrupted, so ``on_abandoned_done`` says (on the loop) when
        a cancelled request's work is over, dropped or run (admission counts it until then).

        A bare future, not a coroutine: awaiting it costs no task of its own, and its result
        reaches the handler in the loop iteration the runner's wake-up lands in. The requests
        submitted in one iteration of the event loop reach the collector together, at its end:
        one wake-up of the collector thread (and one GIL hand-over) for all of them.
        """
        if self._thread is None:
            raise RuntimeError("the batcher is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        with self._queued_lock:
            self._queued += 1
        outgoing = self._outgoing.get(loop)
        if outgoing is None:
            outgoing = self._outgoing[loop] = []
            loop.call_soon(self._send, loop)
        outgoing.append(
            _Item(key, run, payload, size, future, loop, on_abandoned_done, client=client)
        )
        return future

    def _send(self, loop: asyncio.AbstractEventLoop) -> None:
        items = self._outgoing.pop(loop)
        if self._thread is None:  # stopped within this loop iteration: nobody would take them
            _refuse(items)
        else:
            self._inbox.put(items)

    def queued(self) -> int:
        """Requests submitted and not yet taken into a batch."""
        return self._queued

    # -- the worker thread's side --------------------------------------------------------------
    def _work(self) -> None:
        assert self._pool is not None
        while True:
            if not self._pending:
                self._accept(self._inbox.get())
            self._drain()
            if self._stopping:
                break
            if not self._pending:
                continue
            self._free_runners.acquire()  # meanwhile the inbox fills: larger batches
            self._drain()
            if self._stopping:
                self._free_runners.release()
                break
            key = (min(self._pending, key=lambda k: self._pending[k][0].queued_at)
                   if self.turns is None else self.turns.next_key(self._pending))
            self._wait_for_company(key)
            batch = self._take(key)
            if batch:
                with self._busy_lock:
                    self._busy_runners += 1
                self._pool.submit(self._run, key, batch)
            else:
                self._free_runners.release()
        for items in self._pending.values():
            _refuse(list(items))
        self._pending.clear()
        self._pending_size.clear()

    def _accept(self, items: list[_Item] | None) -> None:
        if items is None:
            self._stopping = True
            return
        for item in items:
            self.policy.arrived(item.key, item.queued_at)
            if self.turns is not None:
                self.turns.queued(item.client)
            self._pending.setdefault(item.key, deque()).append(item)
            self._pending_size[item.key] = self._pending_size.get(item.key, 0) + item.size

    def _drain(self) -> None:
        while True:
            try:
                self._accept(self._inbox.get_nowait())
            except queue.Empty:
                return

    def _wait_for_company(self, key: Hashable) -> None:
        """Take in more of ``key`` until the batch is full or the policy says to stop waiting."""
        while self._pending_size[key] < self.max_size and not self._stopping:
            pending = self._pending[key]
            until = self.policy.wait_until(
                key, pending[0].queued_at, pending[-1].queued_at,
                in_flight=self._busy_runners > 0, queued=self._queued,
            )
            remaining = until - time.perf_counter()
            if remaining <= 0:
                return
            try:
                self._accept(self._inbox.get(timeout=remaining))
            except queue.Empty:
                return

    def _take(self, key: Hashable) -> list[_Item]:
        """Up to ``max_size`` examples of ``key`` (a larger single request runs alone)."""
        if self.turns is not None:
            self._pending[key] = self.turns.order(self._pending[key])
        items, size = self._pending[key], 0
        batch: list[_Item] = []
        while items and (not batch or size + items[0].size <= self.max_size):
            item = items.popleft()
            if self.turns is not None:
                self.turns.taken(item.client, served=not item.future.cancelled())
            self._pending_size[key] -= item.size
            with self._queued_lock:
                self._queued -= 1
            if item.future.cancelled():
                if item.on_abandoned_done is not None:
                    try:
                        item.loop.call_soon_threadsafe(item.on_abandoned_done)
                    except RuntimeError:  # that loop has closed
                        pass
                continue
            batch.append(item)
            size += item.size
        if not items:
            del self._pending[key], self._pending_size[key]
        elif self.turns is not None:  # back in arrival order, as the wait policy reads it
            self._pending[key] = deque(sorted(items, key=lambda item: item.queued_at))
        self.policy.took(key, len(batch))
        return batch

    def _run(self, key: Hashable, batch: list[_Item]) -> None:
        """On a runner thread: compute, hand the answers back, free the runner."""
        started = time.perf_counter()
        try:
            outcomes = self._outcomes(batch)
            self.policy.ran(key, time.perf_counter() - started)
        finally:
            # free before handing back: the answer's client may send its next request before
            # this thread runs again, and that request must not find this runner busy
            with self._busy_lock:
                self._busy_runners -= 1
            self._free_runners.release()
        _hand_back(batch, outcomes)
        record = BatchRecord(key, tuple(i.size for i in batch), time.perf_counter() - started)
        for observer in self.observers:
            try:
                observer(record)
            except Exception:
                logger.exception("batch observer failed")

    @staticmethod
    def _outcomes(batch: list[_Item]) -> list[tuple[bool, Any]]:
        try:
            with torch.inference_mode():
                results = batch[0].run([item.payload for item in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} gave {len(results)} results")
            return [(True, result) for result in results]
        except Exception as exc:
            if len(batch) == 1:
                return [(False, exc)]
        outcomes: list[tuple[bool, Any]] = []
        for item in batch:  # one request's failure must not take the others with it
            try:
                with torch.inference_mode():
                    outcomes.append((True, item.run([item.payload])[0]))
            except Exception as exc:
                outcomes.append((False, exc))
        return outcomes


def _start_runner(threads: int | None, nice: int) -> None:
    if threads:
        use_threads(threads)
    if nice:
        lower_priority(nice)


def lower_priority(nice: int) -> None:
    """Raise the calling thread's niceness by ``nice`` (Linux: per thread; no privilege needed).

    The heavy lane's runners run at a lower priority than the event loop and the light lane,
    so when the cores are contended the scheduler hands them to light work first: on 2 cores
    one heavy thread otherwise takes its full share from the thread answering a one-sample
    request. Where the OS cannot, nothing changes.
    """
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except (AttributeError, OSError):
        logger.debug("could not lower the priority of %s", threading.current_thread().name)


def use_threads(threads: int) -> None:
    """Set torch's intra-op threads for the calling thread.

    ``torch.set_num_threads`` in one thread leaves OpenMP's team size of every other thread at
    its default (all cores): a worker thread must set its own, or each of its operations runs
    on all cores and, with one of them busy, waits for it at every barrier (20x slower measured
    for a 16-sample decode on 2 cores). Cheap (well under a microsecond).
    """
    torch.set_num_threads(threads)


def serving_threads(settings: Settings) -> int:
    """Intra-op threads for inference: ``GENSERVE_TORCH_THREADS``, else one core fewer than this
    process may use (at least one).

    The event loop needs a core of its own for HTTP and JSON. A multi-threaded torch operation
    waits at its barrier for every one of its threads, so when one of them shares a core with
    the loop (or with other work on the machine) each operation waits for that core: measured
    on 2 cores, 2 threads made a busy process's operations up to 20x slower than 1.
    """
    if settings.torch_threads:
        return settings.torch_threads
    return max(1, min(torch.get_num_threads(), available_cores() - 1))


def available_cores() -> int:
    """The cores this process may run on (its affinity, where the OS tells)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1)


def heavy_runners(settings: Settings) -> int:
    """Threads for heavy work: ``GENSERVE_HEAVY_RUNNERS``, else one core fewer than this process
    may use (at least 1), so the event loop and light requests keep a core."""
    return settings.heavy_runners or max(1, available_cores() - 1)


class Lanes:
    """Two batchers, one per admission lane (``app.admission``): light requests are batched and
    run by their own runners, never behind a heavy batch of seconds; heavy ones by
    ``heavy_runners``. ``submit`` without ``heavy`` is the light lane, so this has the
    interface of a :class:`Batcher` (whose attributes are the light lane's)."""

    def __init__(self, light: Batcher, heavy: Batcher) -> None:
        self.light = light
        self.heavy = heavy
        heavy.observers = light.observers  # one list: an observer sees both lanes

    @classmethod
    def from_settings(cls, settings: Settings) -> Lanes:
        light = Batcher.from_settings(settings)
        max_wait_s = settings.batch_max_wait_ms / 1e3
        heavy = Batcher(
            max_size=settings.batch_max_examples, max_wait_s=max_wait_s,
            threads=serving_threads(settings), runners=heavy_runners(settings),
            name="genserve-heavy", nice=settings.heavy_nice,
            policy=wait_policy(settings.batch_policy, max_wait_s),
            fair_clients=settings.admission and settings.heavy_client_budget != 0,
        )
        return cls(light, heavy)

    @property
    def observers(self) -> list[Callable[[BatchRecord], None]]:
        return self.light.observers

    @property
    def runners(self) -> int:
        return self.light.runners

    def start(self) -> None:
        self.light.start()
        self.heavy.start()

    def stop(self, timeout: float = 30.0) -> None:
        self.light.stop(timeout)
        self.heavy.stop(timeout)

    def submit(
        self, key: Hashable, run: BatchFunction, payload: Any, size: int, *, heavy: bool = False,
        on_abandoned_done: Callable[[], None] | None = None, client: Hashable = None,
    ) -> asyncio.Future[Any]:
        lane = self.heavy if heavy else self.light
        return lane.submit(key, run, payload, size, on_abandoned_done, client)

    def queued(self) -> int:
        return self.light.queued() + self.heavy.queued()


@contextmanager
def running_batcher(settings: Settings) -> Iterator[Lanes | None]:
    """Started lanes for the app's lifespan, or None when ``settings.batching`` is off."""
    if not settings.batching:
        yield None
        return
    lanes = Lanes.from_settings(settings)
    lanes.start()
    try:
        yield lanes
    finally:
        lanes.stop()


# -- the operations, for a list of requests ---------------------------------------------------
class SampleWork(NamedTuple):
    n: int
    generator: torch.Generator
    temperature: float
    prior: str = "normal"  # one of the model's declared ``priors``
    labels: torch.Tensor | None = None  # [n] int64 class indices (conditional models)


class InputsWork(NamedTuple):
    """An ``/encode`` or ``/reconstruct`` request's rows."""

    x: torch.Tensor  # [B, D]
    labels: torch.Tensor | None = None  # [B] (conditional models); None: the most probable


class Labelled(NamedTuple):
    """A request's answer and, from a conditional model, the class of each of its rows: given,
    drawn (``/sample``) or inferred (``/encode``, ``/reconstruct``); None otherwise."""

    result: Any
    labels: NDArray[Any] | None


class LogLikelihoodWork(NamedTuple):
    x: torch.Tensor  # [B, D]
    generator: torch.Generator
    importance_samples: int  # the same for every request of a batch (it is part of the key)
    labels: torch.Tensor | None = None  # [B]; given for all of a batch or none (the key says)


class ClassifyWork(NamedTuple):
    x: torch.Tensor  # [B, D]
    generator: torch.Generator
    importance_samples: int  # the same for every request of a batch (it is part of the key)


class InterpolateWork(NamedTuple):
    a: torch.Tensor  # [D]
    b: torch.Tensor  # [D]
    steps: int
    method: str  # one of the model's declared ``interpolation_methods``
    labels: torch.Tensor | None = None  # [2]: the classes of the two ends (conditional models)


def _numpy(tensor: torch.Tensor) -> NDArray[Any]:
    return tensor.detach().to("cpu").numpy()


def _split(array: NDArray[Any], sizes: Sequence[int]) -> list[NDArray[Any]]:
    """Rows of ``array`` back to their requests, as views."""
    return np.split(array, np.cumsum(sizes)[:-1]) if len(sizes) > 1 else [array]


def _split_dict(values: Mapping[str, torch.Tensor], sizes: Sequence[int]) -> list[dict[str, Any]]:
    parts = {key: _split(_numpy(value), sizes) for key, value in values.items()}
    return [{key: parts[key][i] for key in parts} for i in range(len(sizes))]


def sample_batch(model: GenerativeModel, works: list[SampleWork]) -> list[Labelled]:
    """Each request draws its own noise with its own generator; one transform for all. A
    conditional model's noise holds each row's class (``"labels"``), given or drawn."""
    noises = [
        model.sample_noise(w.n, generator=w.generator, temperature=w.temperature, prior=w.prior,
                           labels=w.labels)
        for w in works
    ]
    joined = {key: torch.cat([noise[key] for noise in noises]) for key in noises[0]}
    sizes = [w.n for w in works]
    samples = _split(_numpy(model.sample_from_noise(joined)), sizes)
    return _labelled(model, samples, joined.get("labels"), sizes)


def encode_batch(model: GenerativeModel, works: list[InputsWork]) -> list[Labelled]:
    x, labels, sizes = _inputs_and_labels(model, works)
    return _labelled(model, _split_dict(model.encode(x, labels=labels), sizes), labels, sizes)


def reconstruct_batch(model: GenerativeModel, works: list[InputsWork]) -> list[Labelled]:
    x, labels, sizes = _inputs_and_labels(model, works)
    rows = _split(_numpy(model.reconstruct(x, labels=labels)), sizes)
    return _labelled(model, rows, labels, sizes)


def _inputs_and_labels(
    model: GenerativeModel, works: list[InputsWork]
) -> tuple[torch.Tensor, torch.Tensor | None, list[int]]:
    """Every request's rows, and for a conditional model every row's class: the request's
    labels, or the model's most probable class (:meth:`~models.GenerativeModel.infer_labels`,
    one pass for all the rows given none)."""
    x, sizes = torch.cat([w.x for w in works]), [len(w.x) for w in works]
    if not model.conditional:
        return x, None, sizes
    unlabelled = [w.x for w in works if w.labels is None]
    inferred = iter(torch.split(model.infer_labels(torch.cat(unlabelled)),
                                [len(u) for u in unlabelled]) if unlabelled else ())
    labels = torch.cat([
        (next(inferred) if w.labels is None else w.labels).to(model.device) for w in works
    ])
    return x, labels, sizes


def _labelled(
    model: GenerativeModel, results: Sequence[Any], labels: torch.Tensor | None,
    sizes: Sequence[int],
) -> list[Labelled]:
    if not model.conditional or labels is None:
        return [Labelled(result, None) for result in results]
    return [Labelled(result, part)
            for result, part in zip(results, _split(_numpy(labels), sizes), strict=True)]


def log_likelihood_batch(
    model: GenerativeModel, works: list[LogLikelihoodWork]
) -> list[dict[str, Any]]:
    """One pass over every request's rows; each request's rows draw from its generator."""
    given = [w.labels for w in works if w.labels is not None]
    scores = model.log_likelihood(
        torch.cat([w.x for w in works]),
        importance_samples=works[0].importance_samples,
        groups=[(len(w.x), w.generator) for w in works],
        labels=torch.cat(given) if given else None,
    )
    return _split_dict(scores, [len(w.x) for w in works])


def classify_batch(model: GenerativeModel, works: list[ClassifyWork]) -> list[dict[str, Any]]:
    """p(y | x) for every request's rows in one pass, each drawing from its own generator; the
    class prior (one ``[C]`` row for all) goes to every request."""
    result = model.classify(
        torch.cat([w.x for w in works]),
        importance_samples=works[0].importance_samples,
        groups=[(len(w.x), w.generator) for w in works],
    )
    log_prior = _numpy(result.pop("log_prior"))
    return [{**part, "log_prior": log_prior}
            for part in _split_dict(result, [len(w.x) for w in works])]


def interpolate_batch(model: GenerativeModel, works: list[InterpolateWork]) -> list[dict[str, Any]]:
    """Not coalesced (each path is its own small problem); run in turn on the worker."""
    paths = [model.interpolate(w.a, w.b, w.steps, w.method, labels=w.labels) for w in works]
    return [{key: _numpy(value) for key, value in path.items()} for path in paths]
