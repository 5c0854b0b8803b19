"""Named dependencies, so a route reads ``def sample(request, service: ServiceDep)``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import State

from app.config import Settings
from app.inference import InferenceService
from app.registry import ModelRegistry

__all__ = ["RegistryDep", "ServiceDep", "SettingsDep", "service_of"]


# All async: FastAPI runs a sync dependency on a worker thread, a thread hop per request.
async def _registry(request: Request) -> ModelRegistry:
    registry: ModelRegistry = request.app.state.registry
    return registry


def service_of(state: State) -> InferenceService:
    """The app's inference service (the fast path, ``app.fast_path``, takes it from here too)."""
    service: InferenceService = state.inference
    return service


async def _service(request: Request) -> InferenceService:
    return service_of(request.app.state)


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


RegistryDep = Annotated[ModelRegistry, Depends(_registry)]
ServiceDep = Annotated[InferenceService, Depends(_service)]
SettingsDep = Annotated[Settings, Depends(_settings)]
