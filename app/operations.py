"""The inference operations, each declared once: the table everything else is derived from.

An :class:`Operation` says, for one route, everything that differs between operations:

- ``name`` (the capability a model declares, ``models.OPERATIONS``), ``path``, ``summary`` and
  ``description`` (OpenAPI), ``request`` and ``response`` schemas, ``binary`` (whether it may
  answer with a ``.npy`` or PNG body);
- ``limits``: the settings' limits on the request, checked before the model is resolved;
- ``check``: refusals that depend on the model's declarations (a prior, a method);
- ``size``: the request's examples (what a batch counts) and ``cost``: its admission cost in
  rows x passes; ``seeded``: whether it draws with a per-request generator;
- ``shared``: the batch key (requests share a batch only when it is equal, e.g. k);
- ``prepare``: input decoding (on the event loop, once admitted); ``run``: the batched run
  (``app.batching``); ``answer``: the response.

``app.inference.InferenceService.perform`` runs the shared steps around them; the routes
(``app.routers.inference``), the fast path, the access log's model sniffing and the metrics'
route labels come from :data:`TABLE`. Adding an operation is one entry here.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import torch
from numpy.typing import NDArray
from pydantic import BaseModel
from starlette.responses import Response

from app import batching, codecs
from app.batching import (
    ClassifyWork,
    InputsWork,
    InterpolateWork,
    Labelled,
    LogLikelihoodWork,
    SampleWork,
)
from app.config import Settings
from app.errors import LimitExceeded, UnsupportedOperation
from app.inference import Call, JSONBytesResponse
from app.schemas import (
    ClassifyRequest,
    ClassifyResponse,
    EncodeRequest,
    EncodeResponse,
    InputsRequest,
    InterpolateRequest,
    InterpolateResponse,
    LogLikelihoodRequest,
    LogLikelihoodResponse,
    ReconstructRequest,
    ReconstructResponse,
    SampleRequest,
    SampleResponse,
)
from models import DataSpec, GenerativeModel
from models.datasets import discrete_bits_per_dim

__all__ = ["BY_PATH", "TABLE", "Operation", "paths"]

RequestT = TypeVar("RequestT", bound=BaseModel)
WorkT = TypeVar("WorkT")
ResultT = TypeVar("ResultT")
InputsT = TypeVar("InputsT", bound=InputsRequest)


def _no_limits(request: Any, settings: Settings) -> None:
    """An operation whose only limits are its schema's."""


def _no_check(call: Call[Any]) -> None:
    """An operation every model that declares it can take with any valid request."""


def _not_shared(request: Any) -> Hashable:
    return None


def _rows_cost(call: Call[Any], size: int) -> int:
    return size


@dataclass(frozen=True, eq=False)
class Operation(Generic[RequestT, WorkT, ResultT]):
    """One inference operation; see the module docstring for what each field is for."""

    name: str
    path: str
    request: type[RequestT]
    response: type[BaseModel]
    run: Callable[[GenerativeModel, list[WorkT]], list[ResultT]]
    prepare: Callable[[Call[RequestT]], WorkT]
    answer: Callable[[Call[RequestT], ResultT], Response]
    size: Callable[[Call[RequestT]], int]
    description: str | None = None
    summary: str | None = None
    binary: bool = False
    seeded: bool = False
    limits: Callable[[RequestT, Settings], None] = _no_limits
    check: Callable[[Call[RequestT]], None] = _no_check
    shared: Callable[[RequestT], Hashable] = _not_shared
    cost: Callable[[Call[RequestT], int], int] = _rows_cost


# -- answer encoding shared by the operations -------------------------------------------------
def _header(call: Call[Any]) -> dict[str, Any]:
    return {"model": call.loaded.name, "version": call.loaded.version}


def _npy_response(rows: NDArray[Any], data: DataSpec) -> Response:
    return Response(
        codecs.npy_bytes(rows.reshape(-1, *data.shape)), media_type="application/x-npy"
    )


def _arrays_or_images(rows: NDArray[Any], data: DataSpec, fmt: str, key: str) -> dict[str, Any]:
    if fmt == "png":
        return {"images": [codecs.array_to_png(row, data) for row in rows]}
    if fmt == "base64":
        raw = np.ascontiguousarray(rows, dtype="<f4").tobytes()
        return {key: base64.b64encode(raw).decode("ascii"), "dtype": "float32"}
    if fmt == "uint8":
        raw = codecs.to_uint8(rows, data).tobytes()
        return {key: base64.b64encode(raw).decode("ascii"), "dtype": "uint8"}
    return {key: rows.reshape(len(rows), *data.shape)}


def _inputs(call: Call[InputsT]) -> torch.Tensor:
    return call.service.inputs(call.request, call.loaded)


def _input_rows(call: Call[InputsT]) -> int:
    return call.service.rows(call.request)


def _labels(call: Call[Any], rows: int) -> torch.Tensor | None:
    """The request's ``labels`` as ``[rows]`` class indices (None when not given); a 422 naming
    ``labels`` for a model that is not conditional or a label outside its classes. Cheap, so
    run twice: in ``check`` (before admission) and in ``prepare``."""
    return call.service.labels(call.request.labels, call.loaded, rows)


def _label_names(call: Call[Any], drawn: Labelled) -> dict[str, Any]:
    """A conditional model's answer names the class of each row (``labels``): the request's,
    drawn from p(y) or inferred; nothing for another model."""
    if drawn.labels is None:
        return {}
    classes = call.data.classes or []
    return {"labels": [classes[int(i)] for i in drawn.labels]}


# -- sample -----------------------------------------------------------------------------------
def _sample_limits(request: SampleRequest, settings: Settings) -> None:
    _check_limit(request.n, settings.max_samples, "n", "max_samples")


def _sample_check(call: Call[SampleRequest]) -> None:
    priors = call.model.priors
    if call.request.prior not in priors:
        raise UnsupportedOperation(
            f"prior {call.request.prior!r} is not available for model {call.loaded.name!r}; "
            f"use one of {priors}", field="prior", rule="priors",
        )
    _sample_labels(call)


def _sample_labels(call: Call[SampleRequest]) -> torch.Tensor | None:
    """One label per sample, or one for all ``n``."""
    return _labels(call, call.request.n)


def _sample_work(call: Call[SampleRequest]) -> SampleWork:
    assert call.generator is not None
    request = call.request
    return SampleWork(request.n, call.generator, request.temperature, request.prior,
                      _sample_labels(call))


def _sample_answer(call: Call[SampleRequest], drawn: Labelled) -> Response:
    request, data, samples = call.request, call.data, drawn.result
    if request.format == "npy":
        return _npy_response(samples, data)
    if request.format == "grid":
        return Response(codecs.grid_png(samples, data, scale=request.scale), media_type="image/png")
    return JSONBytesResponse({
        **_header(call), "seed": call.seed, "shape": [request.n, *data.shape],
        **_arrays_or_images(samples, data, request.format, "samples"),
        **_label_names(call, drawn),
    })


# -- encode, reconstruct ------------------------------------------------------------------------
def _inputs_check(call: Call[InputsT]) -> None:
    """Labels, when given, one per input (or one for all): /encode, /reconstruct and
    /log-likelihood."""
    _labels(call, _input_rows(call))


def _inputs_work(call: Call[InputsT]) -> InputsWork:
    x = _inputs(call)
    return InputsWork(x, _labels(call, len(x)))


def _inputs_cost(call: Call[Any], size: int) -> int:
    """A conditional model given no labels scores every class to infer the most probable."""
    unlabelled = call.model.conditional and call.request.labels is None
    return size * (1 + len(call.data.classes or ()) if unlabelled else 1)


def _encode_answer(call: Call[EncodeRequest], encoded: Labelled) -> Response:
    return JSONBytesResponse(
        {**_header(call), "encoding": encoded.result, **_label_names(call, encoded)}
    )


def _reconstruct_answer(call: Call[ReconstructRequest], reconstructed: Labelled) -> Response:
    data, rows = call.data, reconstructed.result
    if call.request.format == "npy":
        return _npy_response(rows, data)
    return JSONBytesResponse({
        **_header(call), "shape": [len(rows), *data.shape],
        **_arrays_or_images(rows, data, call.request.format, "reconstructions"),
        **_label_names(call, reconstructed),
    })


# -- log-likelihood -----------------------------------------------------------------------------
def _log_likelihood_limits(request: LogLikelihoodRequest, settings: Settings) -> None:
    _check_limit(request.importance_samples, settings.max_importance_samples,
                 "importance_samples", "max_importance_samples")


def _log_likelihood_work(call: Call[LogLikelihoodRequest]) -> LogLikelihoodWork:
    assert call.generator is not None
    x = _inputs(call)
    return LogLikelihoodWork(x, call.generator, call.request.importance_samples,
                             _labels(call, len(x)))


def _log_likelihood_cost(call: Call[LogLikelihoodRequest], size: int) -> int:
    passes = call.model.likelihood_passes(call.request.importance_samples)
    if call.request.labels is not None:  # log p(x | y): one class's share of log p(x)'s passes
        passes = max(1, passes // max(1, len(call.data.classes or ())))
    return size * passes


def _log_likelihood_answer(
    call: Call[LogLikelihoodRequest], scores: dict[str, NDArray[Any]]
) -> Response:
    data = call.data
    log_px = scores["log_likelihood"].astype(np.float64)
    levels = data.preprocessing.get("levels")
    k = call.request.importance_samples
    estimator = call.model.likelihood_estimator(k)
    if call.model.conditional:
        estimator += ("; log p(x | y) of the labels given" if call.request.labels is not None
                      else "; log p(x) = logsumexp_y [log p(x | y) + log p(y)]")
    return JSONBytesResponse({
        **_header(call),
        "log_likelihood": log_px,
        "bits_per_dim": discrete_bits_per_dim(log_px, data.dim, levels),  # type: ignore[arg-type]
        "elbo": scores.get("elbo"),
        "mean_log_likelihood": float(log_px.mean()),
        "estimator": estimator,
    })


# -- classify -----------------------------------------------------------------------------------
def _classify_limits(request: ClassifyRequest, settings: Settings) -> None:
    _check_limit(request.importance_samples, settings.max_importance_samples,
                 "importance_samples", "max_importance_samples")


def _classify_work(call: Call[ClassifyRequest]) -> ClassifyWork:
    assert call.generator is not None
    return ClassifyWork(_inputs(call), call.generator, call.request.importance_samples)


def _classify_cost(call: Call[ClassifyRequest], size: int) -> int:
    """What log p(x) costs: every class's log p(x | y)."""
    return size * call.model.likelihood_passes(call.request.importance_samples)


def _by_class(rows: NDArray[Any], classes: list[str]) -> list[dict[str, float]]:
    return [dict(zip(classes, map(float, row), strict=True)) for row in rows]


def _classify_answer(call: Call[ClassifyRequest], result: dict[str, NDArray[Any]]) -> Response:
    classes = list(call.data.classes or ())
    return JSONBytesResponse({
        **_header(call),
        "classes": classes,
        "probabilities": _by_class(result["probabilities"], classes),
        "predicted": [classes[int(i)] for i in result["predicted"]],
        "log_likelihood_per_class": _by_class(result["log_likelihood_per_class"], classes),
        "log_prior": dict(zip(classes, map(float, result["log_prior"]), strict=True)),
        "estimator": "Bayes' rule over log p(x | y): "
        + call.model.likelihood_estimator(call.request.importance_samples),
    })


# -- interpolate --------------------------------------------------------------------------------
def _interpolate_limits(request: InterpolateRequest, settings: Settings) -> None:
    _check_limit(request.steps, settings.max_interpolation_steps, "steps",
                 "max_interpolation_steps")


def _interpolate_check(call: Call[InterpolateRequest]) -> None:
    methods = call.model.interpolation_methods
    if call.request.method not in methods:
        raise UnsupportedOperation(
            f"method {call.request.method!r} is not available for a {call.model.kind}; use one "
            f"of {sorted(methods)}", field="method", rule="interpolation_methods",
        )
    _labels(call, 2)


def _interpolate_size(call: Call[InterpolateRequest]) -> int:
    call.service.rows(call.request)  # the max_request_examples check, before admission
    return call.request.steps


def _interpolate_work(call: Call[InterpolateRequest]) -> InterpolateWork:
    x = _inputs(call)  # one example (labels given: x held fixed, y moved) or two
    return InterpolateWork(x[0], x[-1], call.request.steps, call.request.method,
                           _labels(call, 2))


def _interpolate_answer(call: Call[InterpolateRequest], result: dict[str, Any]) -> Response:
    request, data = call.request, call.data
    path = result.pop("path")
    if request.format == "npy":
        return _npy_response(path, data)
    return JSONBytesResponse({
        **_header(call),
        "t": np.linspace(0.0, 1.0, request.steps),
        "shape": [request.steps, *data.shape],
        **_arrays_or_images(path, data, request.format, "path"),
        "details": result,
    })


def _check_limit(value: int, limit: int, field: str, setting: str) -> None:
    if value > limit:
        raise LimitExceeded(
            f"{field} = {value} is above the limit {limit} (GENSERVE_{setting.upper()})",
            field=field, rule=setting,
        )


TABLE: tuple[Operation[Any, Any, Any], ...] = (
    Operation(
        name="sample", path="/sample", request=SampleRequest, response=SampleResponse,
        description="Draw ``n`` samples; ``seed`` makes them reproducible. A conditional "
        "model's answer names each sample's class in labels (given, or drawn from p(y)): the "
        "same seed with those labels draws the same samples.",
        binary=True, seeded=True, limits=_sample_limits, check=_sample_check,
        size=lambda call: call.request.n, prepare=_sample_work, run=batching.sample_batch,
        answer=_sample_answer,
    ),
    Operation(
        name="encode", path="/encode", request=EncodeRequest, response=EncodeResponse,
        description="VAE: the posterior q(z|x). GMM: the responsibilities p(k|x). A "
        "conditional model: within the class given in labels, or else the most probable one "
        "(the answer's labels say which).",
        check=_inputs_check, size=_input_rows, cost=_inputs_cost, prepare=_inputs_work,
        run=batching.encode_batch, answer=_encode_answer,
    ),
    Operation(
        name="reconstruct", path="/reconstruct", request=ReconstructRequest,
        response=ReconstructResponse, binary=True, check=_inputs_check, size=_input_rows,
        cost=_inputs_cost, prepare=_inputs_work, run=batching.reconstruct_batch,
        answer=_reconstruct_answer,
    ),
    Operation(
        name="log_likelihood", path="/log-likelihood", request=LogLikelihoodRequest,
        response=LogLikelihoodResponse,
        description="log p(x): exact for a GMM, the importance-weighted bound with k samples "
        "for a VAE.",
        seeded=True, limits=_log_likelihood_limits, size=_input_rows,
        shared=lambda request: request.importance_samples if request.labels is None
        else (request.importance_samples, "labels"),  # log p(x | y) and log p(x): apart
        cost=_log_likelihood_cost,
        prepare=_log_likelihood_work, run=batching.log_likelihood_batch,
        answer=_log_likelihood_answer, check=_inputs_check,
    ),
    Operation(
        name="classify", path="/classify", request=ClassifyRequest, response=ClassifyResponse,
        description="p(y | x) for every class of a conditional model, by Bayes' rule from its "
        "class-conditional densities log p(x | y) (exact for a class-conditional GMM, "
        "importance-weighted with k samples for a CVAE), and the predicted class.",
        seeded=True, limits=_classify_limits, size=_input_rows,
        shared=lambda request: request.importance_samples, cost=_classify_cost,
        prepare=_classify_work, run=batching.classify_batch, answer=_classify_answer,
    ),
    Operation(
        name="interpolate", path="/interpolate", request=InterpolateRequest,
        response=InterpolateResponse, binary=True, limits=_interpolate_limits,
        check=_interpolate_check, size=_interpolate_size,
        cost=lambda call, size: size + 2, prepare=_interpolate_work,
        run=batching.interpolate_batch, answer=_interpolate_answer,
    ),
)
"""Every inference operation, in the order the API documents them."""

BY_PATH: dict[str, Operation[Any, Any, Any]] = {operation.path: operation for operation in TABLE}


def paths() -> frozenset[str]:
    """The inference routes' paths."""
    return frozenset(BY_PATH)
