"""Read-only views the page draws: mixture components, 2-D density grids, reference
distributions of held-out log-likelihoods. Routes stay thin; the work is in ``app.visuals``."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from app import visuals
from app.auth import InferenceAccess
from app.dataset_store import DatasetStore
from app.deps import RegistryDep, ServiceDep, SettingsDep
from app.errors import InvalidInput
from app.inference import JSONBytesResponse, require_capability
from models.datasets import load_dataset
from models.names import Name

# They run the model like inference does, so they are open or closed with it.
router = APIRouter(prefix="/models/{name}", tags=["visual"], dependencies=[InferenceAccess])

VersionQuery = Annotated[
    int | str | None,
    Query(description="A version number or an alias; omitted, the stable version."),
]
NamePath = Annotated[Name, Path(description="A served model's name.")]
# Beyond +-1e9 a float32 grid is no longer finite; the four come together, with min < max.
BoundQuery = Annotated[
    float | None,
    Query(ge=-1e9, le=1e9, description="Give all four of x_min, x_max, y_min, y_max (with "
          "x_min < x_max, y_min < y_max), or none for where the model's samples fall."),
]


class ComponentsResponse(BaseModel):
    model: str
    version: int
    covariance_type: str
    n_components: int
    data_shape: list[int]
    weights: list[float]
    means: list[list[float]]
    covariances: list[list[list[float]]] | None = None


class DensityGridResponse(BaseModel):
    model: str
    version: int
    x: list[float]
    y: list[float]
    log_density: list[list[float]]
    estimator: str


class ReferenceResponse(BaseModel):
    model: str
    version: int
    source: str
    dataset: str
    n: int
    importance_samples: int
    estimator: str
    log_likelihood: dict[str, Any]
    latent: dict[str, Any] | None


@router.get("/components", response_model=ComponentsResponse)
async def get_components(
    name: NamePath, registry: RegistryDep, version: VersionQuery = None,
    include_covariances: bool = True,
) -> Response:
    """A GMM's weights, means and full covariance matrices (any covariance type, expanded)."""
    loaded = await registry.resolve(name, version)
    return JSONBytesResponse(visuals.components(loaded, include_covariances))


@router.get("/density", response_model=DensityGridResponse)
async def get_density(
    name: NamePath, registry: RegistryDep, settings: SettingsDep, service: ServiceDep,
    version: VersionQuery = None,
    resolution: Annotated[int, Query(ge=2, le=128)] = 64,
    importance_samples: Annotated[int, Query(ge=1, le=1000)] = 20,
    x_min: BoundQuery = None, x_max: BoundQuery = None,
    y_min: BoundQuery = None, y_max: BoundQuery = None,
) -> Response:
    """log p(x) of a 2-D model on a grid; bounds default to where the model's samples fall.
    Admitted and timed like inference (``app.admission``): 429 when the server is busy."""
    bounds = visuals.density_bounds(x_min, x_max, y_min, y_max)
    loaded = await registry.resolve(name, version)
    require_capability(loaded, "log_likelihood", field="name")
    visuals.require_2d(loaded)  # a 400 for an image model, whether or not the server is busy
    k = min(importance_samples, settings.max_importance_samples)
    rows = resolution * resolution + (visuals.BOUNDS_SAMPLES if bounds is None else 0)
    cost = service.cost(loaded, rows, visuals.passes(loaded, k))
    body = await service.run_view(
        loaded, "density", partial(visuals.density_grid, loaded, resolution, k, bounds), cost
    )
    return JSONBytesResponse(body)


@router.get("/reference", response_model=ReferenceResponse)
async def get_reference(
    name: NamePath, request: Request, registry: RegistryDep, settings: SettingsDep,
    service: ServiceDep, version: VersionQuery = None,
    importance_samples: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """log p(x) over the model's held-out split (its recorded seed and fraction), with a 2-D
    view of the VAE's latent means; ``importance_samples`` is one of a few allowed values
    (``GENSERVE_REFERENCE_IMPORTANCE_SAMPLES``), each computed once per model version and
    cached. Admitted and timed like inference; a computation that passes the timeout still
    fills the cache for the next ask."""
    allowed = sorted(settings.reference_importance_samples)
    if importance_samples not in allowed:
        raise InvalidInput(
            f"importance_samples = {importance_samples} is not one of {allowed} "
            "(GENSERVE_REFERENCE_IMPORTANCE_SAMPLES): each allowed value is computed once and "
            "cached", field="importance_samples", rule="allowed_values",
        )
    loaded = await registry.resolve(name, version)
    require_capability(loaded, "log_likelihood", field="name")
    cache = _cache(request)
    key = cache.key(loaded, importance_samples)
    load = _loader(request)
    passes = visuals.passes(loaded, importance_samples)
    cost = service.cost(loaded, visuals.reference_rows(loaded, importance_samples), passes)

    def compute() -> dict[str, Any]:
        return cache.put(key, visuals.reference(
            loaded, importance_samples, load, settings.weights_dir / visuals.CLASSIFIER
        ))

    body = await cache.get(key, lambda: service.run_view(
        loaded, "reference", compute, cost, finish_after_timeout=True
    ))
    return JSONBytesResponse(body)

def _loader(request: Request) -> visuals.DatasetLoader:
    """Uploaded data sets through the app's dataset store when it has one; else built-ins."""
    store: DatasetStore | None = getattr(request.app.state, "datasets", None)
    if store is None:  # jobs and datasets are unavailable (app.jobs.runtime)
        return load_dataset
    return lambda name: store.load(name)[0]


def _cache(request: Request) -> visuals.ReferenceCache:
    cache: visuals.ReferenceCache | None = getattr(request.app.state, "reference_cache", None)
    if cache is None:
        cache = request.app.state.reference_cache = visuals.ReferenceCache()
    return cache
