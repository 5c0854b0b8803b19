"""Which models are served, what each one is, and where its aliases point."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from app.auth import RequireAPIKey
from app.deps import RegistryDep
from app.errors import InvalidInput
from app.inference import supported_formats
from app.model_store import ALIAS_PATTERN, STABLE
from app.registry import LoadedModel, ModelRegistry
from app.routing import FastJSONRoute
from app.schemas import (
    AliasesResponse,
    AliasRequest,
    ModelDetail,
    ModelList,
    ModelSummary,
)

router = APIRouter(prefix="/models", tags=["models"], route_class=FastJSONRoute)

VersionOrAlias = Annotated[
    int | str | None,
    Query(description="A version number or an alias; omitted, the stable version."),
]
AliasName = Annotated[
    str, Path(pattern=ALIAS_PATTERN, description="'stable', or a name of your own ('best').")
]


def _summary(loaded: LoadedModel, registry: ModelRegistry) -> dict[str, object]:
    model = loaded.model
    aliases = registry.aliases(loaded.name)
    return {
        "name": loaded.name,
        "kind": model.kind,
        "kind_title": model.kind_title,
        "version": loaded.version,
        "versions": registry.versions(loaded.name),
        "aliases": aliases,
        "gate": loaded.gate.api() if loaded.gate is not None else None,
        "version_info": [
            {
                "version": m.version,
                "origin": "shipped" if m.gate is None and registry.store.is_shipped(m.path)
                else "trained",
                "gate": m.gate.api() if m.gate is not None else None,
                "promoted": m.promoted,
                "aliases": sorted(a for a, v in aliases.items() if v == m.version),
            }
            for m in registry.loaded_versions(loaded.name)
        ],
        "default": loaded.name == registry.default_name,
        "data_shape": list(model.data.shape),
        "value_range": model.data.value_range,
        "capabilities": sorted(model.capabilities),
        "interpolation_methods": sorted(model.interpolation_methods),
        "priors": model.priors,
        "conditional": model.conditional,
        "classes": model.data.classes,
        "views": sorted(model.views),
        "formats": supported_formats(model),
        "dataset": model.data.dataset,
        "metrics": model.metrics,
    }


def _require_model(registry: ModelRegistry, name: str) -> None:
    if not registry.versions(name):
        registry.get(name)  # the 404 for a model that is not served at all


@router.get("", response_model=ModelList)
async def list_models(registry: RegistryDep) -> ModelList:
    """Every model at its stable version (or its newest, when no version passed the gate)."""
    models = [ModelSummary.model_validate(_summary(m, registry)) for m in registry.latest()]
    return ModelList(default=registry.default_name, models=models)


@router.get("/{name}", response_model=ModelDetail)
async def get_model(
    name: str, registry: RegistryDep, version: VersionOrAlias = None
) -> ModelDetail:
    """The model at ``version``; omitted, its stable version, or its newest when none passed
    the gate (``aliases`` then has no ``stable``)."""
    loaded = await registry.resolve(name, version, or_newest=True)
    return ModelDetail.model_validate(
        {**_summary(loaded, registry), "config": loaded.model.config_dict()}
    )


@router.put("/{name}/aliases/{alias}", response_model=AliasesResponse,
            dependencies=[RequireAPIKey])
async def set_alias(
    name: str, alias: AliasName, body: AliasRequest, registry: RegistryDep
) -> AliasesResponse:
    """Point an alias at a version: ``stable`` promotes it (or rolls back to it) for requests
    without a version. Every API process sees the move within ``GENSERVE_RELOAD_INTERVAL_S``."""
    await run_in_threadpool(registry.refresh, name)
    _require_model(registry, name)
    if body.version not in registry.versions(name):
        raise InvalidInput(
            f"model {name!r} has no loaded version {body.version}; its versions: "
            f"{registry.versions(name)}",
            field="version", rule="exists",
        )
    await run_in_threadpool(registry.store.set_alias, name, alias, body.version)
    await run_in_threadpool(registry.refresh, name)
    return AliasesResponse(model=name, aliases=registry.aliases(name))


@router.delete("/{name}/aliases/{alias}", response_model=AliasesResponse,
               dependencies=[RequireAPIKey])
async def delete_alias(name: str, alias: AliasName, registry: RegistryDep) -> AliasesResponse:
    """Remove an alias. Without a ``stable`` alias, stable is the newest version that passed
    its gate (or was shipped)."""
    await run_in_threadpool(registry.refresh, name)
    _require_model(registry, name)
    if alias != STABLE and alias not in registry.aliases(name):
        raise InvalidInput(
            f"model {name!r} has no alias {alias!r}; its aliases: {sorted(registry.aliases(name))}",
            field="alias", rule="exists",
        )
    await run_in_threadpool(registry.store.set_alias, name, alias, None)
    await run_in_threadpool(registry.refresh, name)
    return AliasesResponse(model=name, aliases=registry.aliases(name))
