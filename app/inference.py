"""The five operations as the service runs them: limits, decoding, seeds, off-loop execution.

Routers hand a validated request here; this module resolves the model, decodes inputs into a
``[B, D]`` tensor, runs the model under ``torch.inference_mode()`` in a worker thread (never on the
event loop), and encodes the answer as JSON bytes (orjson, numpy-native), PNG or ``.npy``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import torch
from numpy.typing import NDArray
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import codecs
from app.config import Settings
from app.errors import InvalidInput, LimitExceeded, UnsupportedOperation
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


class JSONBytesResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return codecs.dumps(content)


def supported_formats(model: GenerativeModel) -> list[str]:
    return ["array", "npy", "png", "grid"] if model.data.is_image else ["array", "npy"]


def _npy_response(rows: NDArray[Any], data: DataSpec) -> Response:
    return Response(
        codecs.npy_bytes(rows.reshape(-1, *data.shape)), media_type="application/x-npy"
    )


def _numpy(tensor: torch.Tensor) -> NDArray[Any]:
    return tensor.detach().to("cpu").numpy()


class InferenceService:
    def __init__(self, registry: ModelRegistry, settings: Settings) -> None:
        self.registry = registry
        self.settings = settings

    # -- shared steps --------------------------------------------------------------------------
    def _resolve(self, request: Any, operation: str) -> LoadedModel:
        loaded = self.registry.get(request.model, request.version)
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

    def _inputs(self, request: InputsRequest, loaded: LoadedModel) -> torch.Tensor:
        given = request.inputs if request.inputs is not None else request.images
        field = "inputs" if request.inputs is not None else "images"
        assert given is not None  # the schema requires one of the two
        if len(given) > self.settings.max_batch_size:
            raise LimitExceeded(
                f"{field} has {len(given)} examples; the limit is {self.settings.max_batch_size}",
                field=field, rule="max_batch_size",
            )
        data = loaded.model.data
        if request.inputs is not None:
            rows = codecs.decode_arrays(request.inputs, data)
        else:
            rows = codecs.decode_images(given, data, max_pixels=self.settings.max_image_pixels)
        return torch.from_numpy(rows)

    def _generator(self, loaded: LoadedModel, seed: int | None) -> tuple[torch.Generator, int]:
        seed = secrets.randbits(63) if seed is None else seed
        return torch.Generator(device=loaded.model.device).manual_seed(seed), seed

    @staticmethod
    async def _run(work: Callable[[], T]) -> T:
        def guarded() -> T:
            with torch.inference_mode():
                try:
                    return work()
                except InvalidModelInput as exc:
                    raise InvalidInput(str(exc), field="inputs", rule="model_input") from None

        return await run_in_threadpool(guarded)

    def _arrays_or_images(
        self, rows: NDArray[Any], loaded: LoadedModel, fmt: str, key: str
    ) -> dict[str, Any]:
        data = loaded.model.data
        if fmt == "png":
            return {"images": [codecs.array_to_png(row, data) for row in rows]}
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
        loaded = self._resolve(request, "sample")
        generator, seed = self._generator(loaded, request.seed)
        samples = await self._run(
            lambda: _numpy(
                loaded.model.sample(request.n, generator=generator, temperature=request.temperature)
            )
        )
        data = loaded.model.data
        if request.format == "npy":
            return _npy_response(samples, data)
        if request.format == "grid":
            return Response(codecs.grid_png(samples, data), media_type="image/png")
        body = {
            **self._header(loaded), "seed": seed, "shape": [request.n, *data.shape],
            **self._arrays_or_images(samples, loaded, request.format, "samples"),
        }
        return JSONBytesResponse(body)

    async def encode(self, request: InputsRequest) -> Response:
        loaded = self._resolve(request, "encode")
        x = self._inputs(request, loaded)
        encoding = await self._run(lambda: loaded.model.encode(x))
        body = {**self._header(loaded), "encoding": {k: _numpy(v) for k, v in encoding.items()}}
        return JSONBytesResponse(body)

    async def reconstruct(self, request: ReconstructRequest) -> Response:
        loaded = self._resolve(request, "reconstruct")
        x = self._inputs(request, loaded)
        rows = await self._run(lambda: _numpy(loaded.model.reconstruct(x)))
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
        loaded = self._resolve(request, "log_likelihood")
        x = self._inputs(request, loaded)
        generator, _ = self._generator(loaded, request.seed)
        k = request.importance_samples
        scores = await self._run(
            lambda: {
                key: _numpy(value)
                for key, value in loaded.model.log_likelihood(
                    x, importance_samples=k, generator=generator
                ).items()
            }
        )
        data = loaded.model.data
        log_px = scores["log_likelihood"].astype(np.float64)
        levels = data.preprocessing.get("levels")
        exact = loaded.model.kind == "gmm"
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
        loaded = self._resolve(request, "interpolate")
        if request.method not in loaded.model.interpolation_methods:
            raise UnsupportedOperation(
                f"method {request.method!r} is not available for a {loaded.model.kind}; use one "
                f"of {sorted(loaded.model.interpolation_methods)}",
                field="method", rule="interpolation_methods",
            )
        x = self._inputs(request, loaded)
        result = await self._run(
            lambda: {
                key: _numpy(value)
                for key, value in loaded.model.interpolate(
                    x[0], x[1], request.steps, request.method
                ).items()
            }
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
