"""Liveness (the process answers) and readiness (some model is servable, failures named)."""

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
    # Ready once some model has a stable version; ``models`` names those, at that version. A
    # model whose versions were all held back by the gate answers only requests naming a
    # version, so it is not listed (GET /models shows it, without a ``stable`` alias).
    servable = registry.servable()
    body = ReadyResponse(
        ready=bool(servable), device=str(registry.device),
        models=[f"{m.name}/{m.version}" for m in servable], failed=registry.failed,
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)
