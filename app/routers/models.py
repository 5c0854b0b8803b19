"""Which models are served, and what each one is."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import RegistryDep
from app.inference import supported_formats
from app.registry import LoadedModel, ModelRegistry
from app.routing import FastJSONRoute
from app.schemas import ModelDetail, ModelList, ModelSummary

router = APIRouter(prefix="/models", tags=["models"], route_class=FastJSONRoute)


def _summary(loaded: LoadedModel, registry: ModelRegistry) -> dict[str, object]:
    model = loaded.model
    return {
        "name": loaded.name,
        "kind": model.kind,
        "version": loaded.version,
        "versions": registry.versions(loaded.name),
        "default": loaded.name == registry.default_name,
        "data_shape": list(model.data.shape),
        "value_range": model.data.value_range,
        "capabilities": sorted(model.capabilities),
        "interpolation_methods": sorted(model.interpolation_methods),
        "priors": getattr(model, "priors", ["normal"]),
        "formats": supported_formats(model),
        "dataset": model.data.dataset,
        "metrics": model.metrics,
    }


@router.get("", response_model=ModelList)
async def list_models(registry: RegistryDep) -> ModelList:
    models = [ModelSummary.model_validate(_summary(m, registry)) for m in registry.latest()]
    return ModelList(default=registry.default_name, models=models)


@router.get("/{name}", response_model=ModelDetail)
async def get_model(name: str, registry: RegistryDep, version: int | None = None) -> ModelDetail:
    loaded = registry.get(name, version)
    return ModelDetail.model_validate(
        {**_summary(loaded, registry), "config": loaded.model.config_dict()}
    )
