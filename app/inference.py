"""The steps every operation shares: resolve, refuse, decode, admit, batch, time out.

Routers hand a validated request and its :class:`~app.operations.Operation` (the operation table,
``app.operations``, says what differs between operations) to :meth:`InferenceService.perform`:
it resolves the model, checks that the model declares the operation and the answer format,
decodes inputs into a ``[B, D]`` tensor on the event loop (so a bad request gets its 4xx before
any batching), runs the model under ``torch.inference_mode()`` off the loop, and has the
operation encode the answer. Nothing here branches on a model's kind: what a model can do is
read from its declarations (``models.GenerativeModel``).

Running: with ``settings.batching`` (the default) through the app's :class:`Batcher`, which
coalesces concurrent requests for the same model and operation; without it, each request in a
thread of its own. Both paths run the same batch functions (``app.batching``), so a seeded request
gets the same answer either way.

Answers (``format``): ``array`` JSON numbers (orjson straight from numpy, no per-element Python
objects); ``base64`` the float32 little-endian bytes in base64 with ``dtype`` and ``shape``;
``uint8`` (image models) the value range mapped to 0-255, base64; ``npy`` a bare ``.npy`` body;
``png`` one base64 PNG per example; ``grid`` one PNG (``/sample``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import torch
from pydantic import BaseModel
from starlette.responses import Response

from app import batching, codecs, metrics
from app.admission import Admission, row_cost
from app.batching import BatchRecord, Lanes, heavy_runners, serving_threads, use_threads
from app.config import Settings
from app.errors import InvalidInput, LimitExceeded, RequestTimedOut, UnsupportedOperation, clip
from app.registry import LoadedModel, ModelRegistry
from app.schemas import InputsRequest
from models import DataSpec, GenerativeModel, InvalidModelInput

if TYPE_CHECKING:
    from app.operations import Operation

__all__ = [
    "Call", "InferenceService", "JSONBytesResponse", "require_capability", "supported_formats",
]

T = TypeVar("T")
RequestT = TypeVar("RequestT", bound=BaseModel)
_SEEDS = random.Random()  # seeds for requests without one: need not be secret, must be cheap


class JSONBytesResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return codecs.dumps(content)


def supported_formats(model: GenerativeModel) -> list[str]:
    if model.data.is_image:
        return ["array", "npy", "base64", "uint8", "png", "grid"]
    return ["array", "npy", "base64"]


def require_capability(loaded: LoadedModel, operation: str, field: str = "model") -> None:
    """A 400 unless the model declares ``operation`` in its capabilities."""
    if operation not in loaded.model.capabilities:
        raise UnsupportedOperation(
            f"model {loaded.name!r} ({loaded.model.kind}) does not support {operation}",
            field=field, rule="capabilities",
        )


class InferenceService:
    def __init__(
        self, registry: ModelRegistry, settings: Settings, batcher: Lanes | None = None,
        admission: Admission | None = None,
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.batcher = batcher
        self.admission = admission or Admission.from_settings(settings)
        self.threads = serving_threads(settings)
        self._heavy_pool: ThreadPoolExecutor | None = None  # unbatched heavy work
        self._light_pool: ThreadPoolExecutor | None = None  # unbatched light work
        if batcher is not None:
            batcher.observers.append(_observe_batch)

    # -- shared steps --------------------------------------------------------------------------
    async def _resolve(self, request: Any, operation: str) -> LoadedModel:
        loaded = await self.registry.resolve(request.model, request.version)
        require_capability(loaded, operation)
        fmt = getattr(request, "format", "array")
        if fmt not in supported_formats(loaded.model):
            raise UnsupportedOperation(
                f"format {fmt!r} is not available for model {loaded.name!r}; "
                f"use one of {supported_formats(loaded.model)}",
                field="format", rule="supported_formats",
            )
        return loaded

    def rows(self, request: InputsRequest) -> int:
        """How many examples the request gives, within ``max_request_examples`` (before
        decoding)."""
        given = request.inputs if request.inputs is not None else request.images
        field = "inputs" if request.inputs is not None else "images"
        assert given is not None  # the schema requires one of the two
        limit = self.settings.max_request_examples
        if len(given) > limit:
            raise LimitExceeded(
                f"{field} has {len(given)} examples; the limit is {limit}",
                field=field, rule="max_request_examples",
            )
        return len(given)

    def inputs(self, request: InputsRequest, loaded: LoadedModel) -> torch.Tensor:
        """The request's examples decoded into ``[B, D]`` (after the ``max_request_examples``
        check)."""
        self.rows(request)
        given = request.inputs if request.inputs is not None else request.images
        assert given is not None
        data = loaded.model.data
        if request.inputs is not None:
            rows = codecs.decode_arrays(request.inputs, data)
        else:
            rows = codecs.decode_images(given, data, max_pixels=self.settings.max_image_pixels)
        return torch.from_numpy(rows)

    @staticmethod
    def labels(
        values: list[int | str] | None, loaded: LoadedModel, rows: int, field: str = "labels"
    ) -> torch.Tensor | None:
        """Class labels given by name or index (one per example, or one for all) -> ``[rows]``
        int64 indices into ``data.classes``; None when none are given. Refused (422, naming
        ``field``) for a model that is not ``conditional``, and for a label outside its
        classes."""
        if values is None:
            return None
        model = loaded.model
        if not model.conditional:
            raise InvalidInput(
                f"model {loaded.name!r} ({model.kind}) is not conditional: send no {field}",
                field=field, rule="conditional",
            )
        classes = model.data.classes or []
        if len(values) == 1:
            values = values * rows  # one label for every example
        if len(values) != rows:
            raise InvalidInput(
                f"{field} has {len(values)} labels for {rows} examples; give one per example, "
                "or one for all", field=field, rule="one_per_example",
            )
        indices: list[int] = []
        for i, value in enumerate(values):
            index = classes.index(value) if isinstance(value, str) and value in classes else value
            if not isinstance(index, int) or isinstance(index, bool) \
                    or not 0 <= index < len(classes):
                raise InvalidInput(
                    f"{field}[{i}] = {clip(repr(value))} is not one of the classes of model "
                    f"{clip(repr(loaded.name))}: {clip(classes)} (by name, or index "
                    f"0-{len(classes) - 1})",
                    field=field, rule="classes",
                )
            indices.append(index)
        return torch.tensor(indices, dtype=torch.int64)

    def generator(self, seed: int | None) -> tuple[torch.Generator, int]:
        """A generator for one request; without a seed, a fresh one that the answer reports."""
        seed = _SEEDS.getrandbits(63) if seed is None else seed
        return torch.Generator(device=self.registry.device).manual_seed(seed), seed

    async def _run(
        self,
        loaded: LoadedModel,
        operation: str,
        batch: Callable[[GenerativeModel, list[Any]], list[T]],
        prepare: Callable[[], Any],
        size: int,
        shared: Hashable = None,
        *,
        cost: int,
        finish_after_timeout: bool = False,
    ) -> T:
        """One request's share of ``batch``: admitted for ``cost`` (``app.admission``: a 429
        when it does not fit), its payload made by ``prepare`` (decoding inputs: only once
        admitted, so a refused request costs the event loop no decoding), then coalesced by its
        lane's batcher, or run alone in a thread.

        Requests share a batch when they name the same model version, operation and ``shared``
        parameters (e.g. k for log-likelihoods); ``size`` is the request's number of examples.
        """
        ticket = self.admission.admit(loaded.name, cost)
        try:
            payload = prepare()
        except BaseException:
            self.admission.release(ticket, completed=False)
            raise
        return await self._admitted(
            loaded, operation, batch, payload, size, shared, heavy=ticket.lane == "heavy",
            finish_after_timeout=finish_after_timeout,
            release=partial(self.admission.release, ticket), client=ticket.client,
        )

    async def _admitted(
        self,
        loaded: LoadedModel,
        operation: str,
        batch: Callable[[GenerativeModel, list[Any]], list[T]],
        payload: Any,
        size: int,
        shared: Hashable,
        *,
        heavy: bool,
        finish_after_timeout: bool,
        release: Callable[..., None],
        client: str = "",
    ) -> T:
        """Run the admitted work and give its admission back (``release``) when it is over:
        at the answer, or, for a request that timed out or lost its client while its forward
        pass runs (it cannot be interrupted), when that pass ends (the batcher says so, or the
        unbatched path's thread future), so admission keeps counting work that still holds a
        runner. ``client``: who sent it, for the heavy lane's turns."""
        run = partial(batch, loaded.model)
        work: asyncio.Future[T]
        thread: Future[T] | None = None  # the unbatched path's work in its thread
        if self.batcher is not None:
            key = _BatchKey(loaded.name, loaded.version, id(loaded.model), operation, shared)
            work = self.batcher.submit(
                key, run, payload, size, heavy=heavy,
                on_abandoned_done=partial(release, completed=False), client=client,
            )
        else:
            executor = self._heavy_executor() if heavy else self._light_executor()
            thread = executor.submit(_alone, run, payload, self.threads)
            work = asyncio.wrap_future(thread)
        timeout = self.settings.request_timeout_s
        try:
            # At the deadline the future is cancelled: a queued request is dropped, and a forward
            # pass under way (it cannot be interrupted) finishes in its thread, its result unused.
            async with asyncio.timeout(timeout):
                result = await (asyncio.shield(work) if finish_after_timeout else work)
        except BaseException as exc:
            _release_when_over(work, thread, partial(release, completed=False))
            raise self._answer_error(exc, operation, timeout) from None
        release()
        return result

    @staticmethod
    def _answer_error(exc: BaseException, operation: str, timeout: float) -> BaseException:
        """What a failed run answers: a 408 past the deadline, a 422 for inputs the model's
        maths refused, anything else as it is."""
        if isinstance(exc, TimeoutError):
            return RequestTimedOut(
                f"the {operation} took longer than {timeout:g} s (GENSERVE_REQUEST_TIMEOUT_S); "
                "ask for fewer examples, samples or importance samples",
                field=None, rule="request_timeout",
            )
        if isinstance(exc, InvalidModelInput):
            return InvalidInput(str(exc), field="inputs", rule="model_input")
        return exc

    def _light_executor(self) -> ThreadPoolExecutor:
        """Unbatched light work: the threads ``run_in_executor`` would use (its default pool's
        size), but a pool of our own, whose futures say when a thread's work really ends."""
        if self._light_pool is None:
            self._light_pool = ThreadPoolExecutor(thread_name_prefix="genserve-alone")
        return self._light_pool

    def _heavy_executor(self) -> ThreadPoolExecutor:
        """Unbatched heavy work has its own threads too, so it cannot take every core."""
        if self._heavy_pool is None:
            self._heavy_pool = ThreadPoolExecutor(
                heavy_runners(self.settings), thread_name_prefix="genserve-heavy",
                initializer=batching.lower_priority, initargs=(self.settings.heavy_nice,),
            )
        return self._heavy_pool

    async def run_view(
        self, loaded: LoadedModel, operation: str, compute: Callable[[], T], cost: int, *,
        finish_after_timeout: bool = False,
    ) -> T:
        """A page view's computation (density grid, reference) as inference runs: admitted for
        ``cost``, in its lane, under the request timeout. With ``finish_after_timeout`` the
        computation still runs when its asker has had its 408 (its result goes to a cache)."""
        return await self._run(
            loaded, operation, _views, lambda: compute, 1, "view", cost=cost,
            finish_after_timeout=finish_after_timeout,
        )

    @staticmethod
    def cost(loaded: LoadedModel, rows: int, passes: int = 1) -> int:
        """The admission cost (``app.admission``): ``rows`` x ``passes`` (k for an
        importance-weighted bound) x the model's size in parameters."""
        return max(1, rows * passes * row_cost(loaded.model))

    # -- one operation, from its declaration -------------------------------------------------
    async def perform(self, operation: Operation[Any, Any, Any], request: Any) -> Response:
        """Run ``operation`` (``app.operations``) for a validated ``request``: its limits, the
        model (which must declare it), its model-dependent checks, its size and cost, then its
        batched run and its answer."""
        operation.limits(request, self.settings)
        loaded = await self._resolve(request, operation.name)
        call = Call(request, loaded, self)
        operation.check(call)
        size = operation.size(call)
        if operation.seeded:
            call.generator, call.seed = self.generator(request.seed)
        result = await self._run(
            loaded, operation.name, operation.run, partial(operation.prepare, call), size,
            operation.shared(request), cost=self.cost(loaded, operation.cost(call, size)),
        )
        return operation.answer(call, result)


@dataclass(eq=False)
class Call(Generic[RequestT]):
    """One request on its way through the shared steps: what the per-operation steps see."""

    request: RequestT
    loaded: LoadedModel
    service: InferenceService
    generator: torch.Generator | None = None  # seeded operations: the request's own
    seed: int | None = None

    @property
    def model(self) -> GenerativeModel:
        return self.loaded.model

    @property
    def data(self) -> DataSpec:
        return self.loaded.model.data


class _BatchKey(NamedTuple):
    model: str
    version: int
    model_id: int  # a reloaded version is another object: never mixed with the old one
    operation: str
    shared: Hashable


def _observe_batch(record: BatchRecord) -> None:
    if isinstance(record.key, _BatchKey):
        metrics.observe_batch(record.key.model, record.key.operation, sum(record.sizes))


def _views(model: GenerativeModel, computes: list[Callable[[], T]]) -> list[T]:
    """Page views that met in one batch run in turn (each is its own problem)."""
    return [compute() for compute in computes]


def _release_when_over(
    work: asyncio.Future[T], thread: Future[T] | None, release: Callable[[], None]
) -> None:
    """After a request failed, timed out or lost its client: give its admission back when its
    work is really over, so admission keeps counting a forward pass that still holds a thread
    (it cannot be interrupted). Unbatched: when its thread's work ends (at once if it never
    started or has ended). Batched: a cancelled request's batcher says when (its
    ``on_abandoned_done``); a shielded one (``finish_after_timeout``) runs on, to its answer."""
    if thread is not None:
        thread.add_done_callback(lambda _: release())  # Admission.release is thread-safe
    elif work.cancelled():
        pass  # the batcher calls release when the work is dropped or its pass has ended
    elif work.done():
        release()
    else:
        work.add_done_callback(lambda _: release())


def _alone(run: Callable[[list[Any]], list[T]], payload: Any, threads: int) -> T:
    """The unbatched path: a batch of one, in a worker thread (with the service's thread count:
    see ``use_threads``)."""
    use_threads(threads)
    with torch.inference_mode():
        return run([payload])[0]
