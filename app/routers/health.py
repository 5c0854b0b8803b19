"""Liveness (the process answers) and readiness (models are loaded, failures named)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.deps import RegistryDep
from app.schemas import HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse)
async def health() -> HealthResponse:
    return HealthResponse(status="ok")


@router.get("/ready", response_model=ReadyResponse, responses={503: {"model": ReadyResponse}})
async def ready(registry: RegistryDep) -> JSONResponse:
    body = ReadyResponse(
        ready=bool(registry.names()), device=str(registry.device),
        models=[f"{m.name}/{m.version}" for m in registry.latest()], failed=registry.failed,
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)
