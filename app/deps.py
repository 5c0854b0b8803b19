"""Named dependencies, so a route reads ``def sample(request, service: ServiceDep)``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.inference import InferenceService
from app.registry import ModelRegistry

__all__ = ["RegistryDep", "ServiceDep", "SettingsDep"]


def _registry(request: Request) -> ModelRegistry:
    registry: ModelRegistry = request.app.state.registry
    return registry


async def _service(request: Request) -> InferenceService:  # async: no thread hop per request
    service: InferenceService = request.app.state.inference
    return service


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


RegistryDep = Annotated[ModelRegistry, Depends(_registry)]
ServiceDep = Annotated[InferenceService, Depends(_service)]
SettingsDep = Annotated[Settings, Depends(_settings)]
