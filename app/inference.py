"""The five operations as the service runs them: limits, decoding, seeds, off-loop execution.

Routers hand a validated request here; this module resolves the model, decodes inputs into a
``[B, D]`` tensor on the event loop (so a bad request gets its 4xx before any batching), runs the
model under ``torch.inference_mode()`` off the loop, and encodes the answer.

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
import base64
import random
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, NamedTuple, TypeVar

import numpy as np
import torch
from numpy.typing import NDArray
from starlette.responses import Response

from app import batching, codecs, metrics
from app.admission import Admission, row_cost
from app.batching import (
    BatchRecord,
    InterpolateWork,
    Lanes,
    LogLikelihoodWork,
    SampleWork,
    heavy_runners,
    serving_threads,
    use_threads,
)
from app.config import Settings
from app.errors import InvalidInput, LimitExceeded, RequestTimedOut, UnsupportedOperation
from app.registry import LoadedModel, ModelRegistry
from app.schemas import (
    InputsRequest,
    InterpolateRequest,
    LogLikelihoodRequest,
    ReconstructRequest,
    SampleRequest,
)
from models import DataSpec, GenerativeModel, InvalidModelInput
from models.datasets import discrete_bits_per_dim

__all__ = ["InferenceService", "JSONBytesResponse", "supported_formats"]

T = TypeVar("T")
_SEEDS = random.Random()  # seeds for requests without one: need not be secret, must be cheap


class JSONBytesResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return codecs.dumps(content)


def supported_formats(model: GenerativeModel) -> list[str]:
    if model.data.is_image:
        return ["array", "npy", "base64", "uint8", "png", "grid"]
    return ["array", "npy", "base64"]


def _npy_response(rows: NDArray[Any], data: DataSpec) -> Response:
    return Response(
        codecs.npy_bytes(rows.reshape(-1, *data.shape)), media_type="application/x-npy"
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
        if batcher is not None:
            batcher.observers.append(_observe_batch)

    # -- shared steps --------------------------------------------------------------------------
    async def _resolve(self, request: Any, operation: str) -> LoadedModel:
        loaded = await self.registry.resolve(request.model, request.version)
        if operation not in loaded.model.capabilities:
            raise UnsupportedOperation(
                f"model {loaded.name!r} ({loaded.model.kind}) does not support {operation}",
                field="model", rule="capabilities",
            )
        fmt = getattr(request, "format", "array")
        if fmt not in supported_formats(loaded.model):
            raise UnsupportedOperation(
                f"format {fmt!r} is not available for model {loaded.name!r}; "
                f"use one of {supported_formats(loaded.model)}",
                field="format", rule="supported_formats",
            )
        return loaded

    def _rows(self, request: InputsRequest) -> int:
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

    def _inputs(self, request: InputsRequest, loaded: LoadedModel) -> torch.Tensor:
        self._rows(request)
        given = request.inputs if request.inputs is not None else request.images
        assert given is not None
        data = loaded.model.data
        if request.inputs is not None:
            rows = codecs.decode_arrays(request.inputs, data)
        else:
            rows = codecs.decode_images(given, data, max_pixels=self.settings.max_image_pixels)
        return torch.from_numpy(rows)

    def _generator(self, seed: int | None) -> tuple[torch.Generator, int]:
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
            result = await self._admitted(
                loaded, operation, batch, payload, size, shared, heavy=ticket.lane == "heavy",
                finish_after_timeout=finish_after_timeout,
            )
        except BaseException:
            self.admission.release(ticket, completed=False)
            raise
        self.admission.release(ticket)
        return result

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
    ) -> T:
        run = partial(batch, loaded.model)
        work: asyncio.Future[T]
        if self.batcher is not None:
            key = _BatchKey(loaded.name, loaded.version, id(loaded.model), operation, shared)
            work = self.batcher.submit(key, run, payload, size, heavy=heavy)
        else:
            work = asyncio.get_running_loop().run_in_executor(
                self._heavy_executor() if heavy else None, _alone, run, payload, self.threads
            )
        timeout = self.settings.request_timeout_s
        try:
            # At the deadline the future is cancelled: a queued request is dropped, and a forward
            # pass under way (it cannot be interrupted) finishes in its thread, its result unused.
            async with asyncio.timeout(timeout):
                return await (asyncio.shield(work) if finish_after_timeout else work)
        except TimeoutError:
            raise RequestTimedOut(
                f"the {operation} took longer than {timeout:g} s (GENSERVE_REQUEST_TIMEOUT_S); "
                "ask for fewer examples, samples or importance samples",
                field=None, rule="request_timeout",
            ) from None
        except InvalidModelInput as exc:
            raise InvalidInput(str(exc), field="inputs", rule="model_input") from None

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

    def _arrays_or_images(
        self, rows: NDArray[Any], loaded: LoadedModel, fmt: str, key: str
    ) -> dict[str, Any]:
        data = loaded.model.data
        if fmt == "png":
            return {"images": [codecs.array_to_png(row, data) for row in rows]}
        if fmt == "base64":
            raw = np.ascontiguousarray(rows, dtype="<f4").tobytes()
            return {key: base64.b64encode(raw).decode("ascii"), "dtype": "float32"}
        if fmt == "uint8":
            raw = codecs.to_uint8(rows, data).tobytes()
            return {key: base64.b64encode(raw).decode("ascii"), "dtype": "uint8"}
        return {key: rows.reshape(len(rows), *data.shape)}

    @staticmethod
    def _header(loaded: LoadedModel) -> dict[str, Any]:
        return {"model": loaded.name, "version": loaded.version}

    def _check_limit(self, value: int, limit: int, field: str, setting: str) -> None:
        if value > limit:
            raise LimitExceeded(
                f"{field} = {value} is above the limit {limit} (GENSERVE_{setting.upper()})",
                field=field, rule=setting,
            )

    # -- operations ----------------------------------------------------------------------------
    async def sample(self, request: SampleRequest) -> Response:
        self._check_limit(request.n, self.settings.max_samples, "n", "max_samples")
        loaded = await self._resolve(request, "sample")
        priors = getattr(loaded.model, "priors", ["normal"])
        if request.prior not in priors:
            raise UnsupportedOperation(
                f"prior {request.prior!r} is not available for model {loaded.name!r}; "
                f"use one of {priors}", field="prior", rule="priors",
            )
        generator, seed = self._generator(request.seed)
        work = SampleWork(request.n, generator, request.temperature, request.prior)
        samples = await self._run(
            loaded, "sample", batching.sample_batch, lambda: work, request.n,
            cost=self.cost(loaded, request.n),
        )
        data = loaded.model.data
        if request.format == "npy":
            return _npy_response(samples, data)
        if request.format == "grid":
            return Response(
                codecs.grid_png(samples, data, scale=request.scale), media_type="image/png"
            )
        body = {
            **self._header(loaded), "seed": seed, "shape": [request.n, *data.shape],
            **self._arrays_or_images(samples, loaded, request.format, "samples"),
        }
        return JSONBytesResponse(body)

    async def encode(self, request: InputsRequest) -> Response:
        loaded = await self._resolve(request, "encode")
        rows = self._rows(request)
        encoding = await self._run(
            loaded, "encode", batching.encode_batch, lambda: self._inputs(request, loaded), rows,
            cost=self.cost(loaded, rows),
        )
        body = {**self._header(loaded), "encoding": encoding}
        return JSONBytesResponse(body)

    async def reconstruct(self, request: ReconstructRequest) -> Response:
        loaded = await self._resolve(request, "reconstruct")
        count = self._rows(request)
        rows = await self._run(
            loaded, "reconstruct", batching.reconstruct_batch,
            lambda: self._inputs(request, loaded), count, cost=self.cost(loaded, count),
        )
        data = loaded.model.data
        if request.format == "npy":
            return _npy_response(rows, data)
        body = {
            **self._header(loaded), "shape": [len(rows), *data.shape],
            **self._arrays_or_images(rows, loaded, request.format, "reconstructions"),
        }
        return JSONBytesResponse(body)

    async def log_likelihood(self, request: LogLikelihoodRequest) -> Response:
        self._check_limit(
            request.importance_samples, self.settings.max_importance_samples,
            "importance_samples", "max_importance_samples",
        )
        loaded = await self._resolve(request, "log_likelihood")
        rows = self._rows(request)
        generator, _ = self._generator(request.seed)
        k = request.importance_samples
        exact = loaded.model.kind == "gmm"
        scores = await self._run(
            loaded, "log_likelihood", batching.log_likelihood_batch,
            lambda: LogLikelihoodWork(self._inputs(request, loaded), generator, k), rows,
            shared=k, cost=self.cost(loaded, rows, 1 if exact else k),
        )
        data = loaded.model.data
        log_px = scores["log_likelihood"].astype(np.float64)
        levels = data.preprocessing.get("levels")
        body = {
            **self._header(loaded),
            "log_likelihood": log_px,
            "bits_per_dim": discrete_bits_per_dim(log_px, data.dim, levels),  # type: ignore[arg-type]
            "elbo": scores.get("elbo"),
            "mean_log_likelihood": float(log_px.mean()),
            "estimator": "exact" if exact else f"importance-weighted bound, k={k}",
        }
        return JSONBytesResponse(body)

    async def interpolate(self, request: InterpolateRequest) -> Response:
        self._check_limit(
            request.steps, self.settings.max_interpolation_steps, "steps",
            "max_interpolation_steps",
        )
        loaded = await self._resolve(request, "interpolate")
        if request.method not in loaded.model.interpolation_methods:
            raise UnsupportedOperation(
                f"method {request.method!r} is not available for a {loaded.model.kind}; use one "
                f"of {sorted(loaded.model.interpolation_methods)}",
                field="method", rule="interpolation_methods",
            )
        self._rows(request)

        def prepare() -> InterpolateWork:
            x = self._inputs(request, loaded)
            return InterpolateWork(x[0], x[1], request.steps, request.method)

        result = await self._run(
            loaded, "interpolate", batching.interpolate_batch, prepare, request.steps,
            cost=self.cost(loaded, request.steps + 2),
        )
        path = result.pop("path")
        data = loaded.model.data
        if request.format == "npy":
            return _npy_response(path, data)
        body = {
            **self._header(loaded),
            "t": np.linspace(0.0, 1.0, request.steps),
            "shape": [request.steps, *data.shape],
            **self._arrays_or_images(path, loaded, request.format, "path"),
            "details": result,
        }
        return JSONBytesResponse(body)


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


def _alone(run: Callable[[list[Any]], list[T]], payload: Any, threads: int) -> T:
    """The unbatched path: a batch of one, in a worker thread (with the service's thread count:
    see ``use_threads``)."""
    use_threads(threads)
    with torch.inference_mode():
        return run([payload])[0]
