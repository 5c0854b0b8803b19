"""The five operations. Each route validates its schema and hands the work to the service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from app.auth import InferenceAccess
from app.deps import ServiceDep
from app.routing import FastJSONRoute
from app.schemas import (
    EncodeRequest,
    EncodeResponse,
    InterpolateRequest,
    InterpolateResponse,
    LogLikelihoodRequest,
    LogLikelihoodResponse,
    ReconstructRequest,
    ReconstructResponse,
    SampleRequest,
    SampleResponse,
)

router = APIRouter(
    tags=["inference"], dependencies=[InferenceAccess], route_class=FastJSONRoute
)

_BINARY: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/x-npy": {}, "image/png": {}}},
}


@router.post("/sample", response_model=SampleResponse, responses=_BINARY)
async def sample(request: SampleRequest, service: ServiceDep) -> Response:
    """Draw ``n`` samples; ``seed`` makes them reproducible."""
    return await service.sample(request)


@router.post("/encode", response_model=EncodeResponse)
async def encode(request: EncodeRequest, service: ServiceDep) -> Response:
    """VAE: the posterior q(z|x). GMM: the responsibilities p(k|x)."""
    return await service.encode(request)


@router.post("/reconstruct", response_model=ReconstructResponse, responses=_BINARY)
async def reconstruct(request: ReconstructRequest, service: ServiceDep) -> Response:
    return await service.reconstruct(request)


@router.post("/log-likelihood", response_model=LogLikelihoodResponse)
async def log_likelihood(request: LogLikelihoodRequest, service: ServiceDep) -> Response:
    """log p(x): exact for a GMM, the importance-weighted bound with k samples for a VAE."""
    return await service.log_likelihood(request)


@router.post("/interpolate", response_model=InterpolateResponse, responses=_BINARY)
async def interpolate(request: InterpolateRequest, service: ServiceDep) -> Response:
    return await service.interpolate(request)
