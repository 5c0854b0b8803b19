"""A job's hyper-parameters, checked before it is queued, against the models' own schemas.

``params`` is one flat object: the model's hyper-parameters (``VAEHyperparameters``,
``GMMHyperparameters``) and its training options (``VAETrainingOptions``, ``SplitOptions``)
side by side, as ``genserve train --param`` takes them. Errors name ``params.<field>``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from app.dataset_store import DatasetInfo
from app.errors import InvalidInput
from app.model_store import ModelStore
from models import (
    CONFIG_FILE,
    CVAEHyperparameters,
    DataSpec,
    GMMHyperparameters,
    VAEHyperparameters,
)
from models.training import SplitOptions, VAETrainingOptions
from models.vae import VAE, network_differences

__all__ = ["TrainingParams", "check_fit", "resolve_warm_start", "validate_params"]

PARTS: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "vae": (VAEHyperparameters, VAETrainingOptions),
    "gmm": (GMMHyperparameters, SplitOptions),
    "cvae": (CVAEHyperparameters, VAETrainingOptions),
    "cgmm": (GMMHyperparameters, SplitOptions),
}


@dataclass(frozen=True)
class TrainingParams:
    kind: str
    hyperparameters: BaseModel
    options: BaseModel

    def as_config(self) -> dict[str, Any]:
        return {
            "hyperparameters": self.hyperparameters.model_dump(mode="json"),
            "training": self.options.model_dump(mode="json"),
        }

    @classmethod
    def from_config(cls, kind: str, config: Mapping[str, Any]) -> TrainingParams:
        hp_cls, opt_cls = PARTS[kind]
        return cls(
            kind, hp_cls.model_validate(config["hyperparameters"]),
            opt_cls.model_validate(config["training"]),
        )


def validate_params(kind: str, params: Mapping[str, Any]) -> TrainingParams:
    """Split and validate ``params``; every problem is reported, each as ``params.<field>``."""
    hp_cls, opt_cls = PARTS[kind]
    errors: list[dict[str, Any]] = []
    known = set(hp_cls.model_fields) | set(opt_cls.model_fields)
    for key in params:
        if key not in known:
            errors.append({
                "loc": ("body", "params", key), "type": "extra_forbidden",
                "msg": f"not a {kind} parameter; use one of {sorted(known)}",
            })
    parts: list[BaseModel] = []
    for part in (hp_cls, opt_cls):
        try:
            parts.append(part.model_validate(  # strict: "0.5" and true are not numbers
                {k: v for k, v in params.items() if k in part.model_fields}, strict=True
            ))
        except ValidationError as exc:
            errors.extend(
                {"loc": ("body", "params", *e["loc"]), "type": e["type"], "msg": e["msg"]}
                for e in exc.errors(include_url=False)
            )
    if errors:
        raise RequestValidationError(errors)
    return TrainingParams(kind, parts[0], parts[1])


def _existing_model(
    models: ModelStore, name: str, version: int | None = None, *, field: str = "name"
) -> dict[str, Any] | None:
    """A saved model's config (shipped or trained): ``version``, or the latest; None when
    there is none.

    A config.json that is not a JSON object with ``kind`` is the weights folder's fault, but it
    blocks this request: a 422 naming ``field``, not a 500.
    """
    try:
        return models.config(name, version)
    except (OSError, ValueError) as exc:
        which = f"version {version}" if version else "the latest version"
        raise InvalidInput(
            f"model {name!r} {which} has an invalid {CONFIG_FILE} ({str(exc)[:200]}); "
            "choose another model, or fix or remove that version",
            field=field, rule="valid_model_config",
        ) from None


def resolve_warm_start(
    params: TrainingParams, given: Mapping[str, Any], dataset: DatasetInfo, models: ModelStore,
    model: str, version: int | None,
) -> tuple[TrainingParams, dict[str, Any]]:
    """The job's parameters under a warm start, and the source pinned as ``{model, version}``.

    The networks come from the source: its hyper-parameters stand in for the defaults, and any
    given (``given``: the request's params) must agree with it where they shape the networks.
    """
    if params.kind != "vae":
        raise InvalidInput(
            "init_from starts a VAE from a saved VAE's weights; a GMM job cannot use it",
            field="init_from", rule="vae_only",
        )
    source = _existing_model(models, model, version, field="init_from.model")
    if source is None:
        which = f"version {version} of {model!r}" if version else f"a model {model!r}"
        raise InvalidInput(
            f"init_from: there is no {which} in the weights folder or the model store",
            field="init_from.version" if version and models.version_dirs(model)
            else "init_from.model", rule="exists",
        )
    if source.get("kind") != "vae":
        raise InvalidInput(
            f"init_from: model {model!r} is a {source.get('kind')}, not a VAE",
            field="init_from.model", rule="vae_only",
        )
    try:
        shape = list(source["data"]["shape"])
        inherited = {**source["hyperparameters"], "latent_prior": None}
        source_hyperparameters = VAEHyperparameters.model_validate(inherited)
    except (KeyError, TypeError, ValueError) as exc:  # pydantic's ValidationError included
        raise InvalidInput(
            f"init_from: model {model!r} version {source['version']} has an invalid "
            f"{CONFIG_FILE} ({type(exc).__name__}: {str(exc)[:200]}); choose another model",
            field="init_from.model", rule="valid_model_config",
        ) from None
    if shape != dataset.shape:
        raise InvalidInput(
            f"init_from: model {model!r} takes examples of shape {shape}; dataset "
            f"{dataset.name!r} has shape {dataset.shape}",
            field="init_from.model", rule="shape",
        )
    explicit = {k: v for k, v in given.items() if k in VAEHyperparameters.model_fields}
    hyperparameters = VAEHyperparameters.model_validate({**inherited, **explicit})
    differing = network_differences(source_hyperparameters, hyperparameters)
    if differing:
        raise InvalidInput(
            f"params.{differing[0]} differs from model {model!r}'s; a warm start keeps the "
            f"source's networks: leave {', '.join(differing)} out",
            field=f"params.{differing[0]}", rule="matches_init_from",
        )
    pinned = {"model": model, "version": int(source["version"])}
    return TrainingParams(params.kind, hyperparameters, params.options), pinned


MAX_VAE_PARAMETERS = 50_000_000
"""A VAE's weights at most: 200 MB of float32, about 800 MB with Adam's two moments and the
gradients; a worker runs one job at a time in a few GB."""
MAX_GMM_COVARIANCE_FLOATS = 2**26
"""K D^2 (full), D^2 (tied) or K D (diag, spherical) at most: 0.5 GB of float64 per copy, and EM
keeps about three (parameters, statistics, the M-step's factors). MNIST (D = 784) allows 109
full-covariance components."""
MAX_TRAINING_BATCH_FLOATS = 2**28
"""batch_size x train_k x the widest layer at most: 1 GB of float32 activations per layer."""


def _check_size(params: TrainingParams, dataset: DatasetInfo) -> None:
    """Refuse a model that would not fit a worker's memory, naming the field to shrink."""
    d = math.prod(dataset.shape)
    hp = params.hyperparameters
    if isinstance(hp, GMMHyperparameters):
        floats = {"full": hp.n_components * d * d, "tied": d * d}.get(
            hp.covariance_type, hp.n_components * d
        )
        if floats > MAX_GMM_COVARIANCE_FLOATS:
            raise InvalidInput(
                f"params.n_components={hp.n_components} with {hp.covariance_type} covariances of "
                f"{d}-dimensional data needs {floats:,} floats per copy; the limit is "
                f"{MAX_GMM_COVARIANCE_FLOATS:,}: use fewer components or covariance_type 'diag'",
                field="params.n_components", rule="memory_budget",
            )
        return
    assert isinstance(hp, VAEHyperparameters)
    try:
        with torch.device("meta"):  # shapes only: nothing is allocated
            model = VAE(hp, DataSpec(shape=tuple(dataset.shape)))
    except ValueError as exc:  # an image too small for the convolutions, say
        raise InvalidInput(str(exc), field="params.channels", rule="image_data") from exc
    count = sum(p.numel() for p in model.parameters())
    if count > MAX_VAE_PARAMETERS:
        raise InvalidInput(
            f"these networks have {count:,} parameters on {d}-dimensional data; the limit is "
            f"{MAX_VAE_PARAMETERS:,}: use smaller hidden_sizes, channels or latent_dim",
            field="params.hidden_sizes", rule="memory_budget",
        )
    options = params.options
    assert isinstance(options, VAETrainingOptions)
    widest = max(d, hp.latent_dim, *hp.hidden_sizes)
    batch = options.batch_size or 128
    k = options.train_k if options.objective == "iwae" else 1
    if batch * k * widest > MAX_TRAINING_BATCH_FLOATS:
        raise InvalidInput(
            f"params.batch_size={batch} x train_k={k} x the widest layer ({widest}) is "
            f"{batch * k * widest:,} floats; the limit is {MAX_TRAINING_BATCH_FLOATS:,}: "
            "use a smaller batch_size or train_k",
            field="params.batch_size", rule="memory_budget",
        )


def check_fit(
    params: TrainingParams, name: str, dataset: DatasetInfo, models: ModelStore
) -> None:
    """Refuse a job whose data cannot train this model, before it takes a worker's time."""
    test_fraction = float(getattr(params.options, "test_fraction", 0.25))
    n_test = max(1, int(round(dataset.n * test_fraction)))
    n_train = dataset.n - n_test
    if n_train < 1:
        raise InvalidInput(
            f"dataset {dataset.name!r} has {dataset.n} examples: too few for a training split "
            f"with test_fraction={test_fraction}",
            field="params.test_fraction", rule="training_rows",
        )
    if params.kind in ("cvae", "cgmm") and not dataset.classes:
        raise InvalidInput(
            f"a {params.kind} is trained on labels; dataset {dataset.name!r} has none: upload "
            "one with labels (y in an .npz, an IDX labels file, a CSV label column, a zip's "
            "class folders)", field="dataset", rule="labelled",
        )
    options = params.options
    if params.kind == "cvae" and isinstance(options, VAETrainingOptions) \
            and options.latent_prior_components:
        raise InvalidInput(
            "a cvae has no latent GMM prior: leave latent_prior_components out",
            field="params.latent_prior_components", rule="unconditional_only",
        )
    if isinstance(params.hyperparameters, GMMHyperparameters):
        k = params.hyperparameters.n_components
        if k > n_train:
            raise InvalidInput(
                f"params.n_components={k} is more than the {n_train} training examples of "
                f"dataset {dataset.name!r}; use at most {n_train}",
                field="params.n_components", rule="at_most_training_rows",
            )
    if getattr(params.options, "binarize", None) and dataset.levels is None:
        raise InvalidInput(
            f"binarize needs discrete data (integer levels); dataset {dataset.name!r} is "
            "continuous: leave binarize unset",
            field="params.binarize", rule="data_kind",
        )
    if (
        isinstance(params.hyperparameters, VAEHyperparameters)
        and params.hyperparameters.likelihood == "bernoulli"
        and dataset.levels is None
    ):
        raise InvalidInput(
            f"a bernoulli decoder needs discrete data in [0, 1]; dataset {dataset.name!r} is "
            "continuous: use likelihood='gaussian'",
            field="params.likelihood", rule="data_kind",
        )
    if (
        isinstance(params.hyperparameters, VAEHyperparameters)
        and params.hyperparameters.architecture == "conv"
        and len(dataset.shape) not in (2, 3)
    ):
        raise InvalidInput(
            f"architecture 'conv' needs images, [H, W] or [C, H, W]; dataset {dataset.name!r} "
            f"has examples of shape {dataset.shape}: use architecture 'mlp'",
            field="params.architecture", rule="image_data",
        )
    _check_size(params, dataset)
    existing = _existing_model(models, name)
    if existing is None:
        return
    if existing.get("kind") != params.kind:
        raise InvalidInput(
            f"model {name!r} is a {existing.get('kind')}; a {params.kind} cannot be its next "
            "version: choose another name",
            field="kind", rule="matches_existing_model",
        )
    shape = list(existing.get("data", {}).get("shape", []))
    if shape != dataset.shape:
        raise InvalidInput(
            f"model {name!r} serves examples of shape {shape}; dataset {dataset.name!r} has "
            f"shape {dataset.shape}: train it under another name",
            field="dataset", rule="shape",
        )
