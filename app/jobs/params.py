"""A job's hyper-parameters, checked before it is queued, against the kind's own schemas.

``params`` is one flat object: the kind's hyper-parameters and its training options (the two
models its registration names, ``models.kinds``) side by side, as ``genserve train --param``
takes them. Errors name ``params.<field>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from app.dataset_store import DatasetInfo
from app.errors import InvalidInput
from app.model_store import ModelStore
from models import CONFIG_FILE
from models.kinds import DataFacts, ParameterRefused, get_kind

__all__ = ["MIN_TEST_ROWS", "TrainingParams", "check_fit", "resolve_warm_start",
           "training_rows", "validate_params"]

MIN_TEST_ROWS = 2
"""Held-out rows a job needs, whatever its kind: its metrics' standard error divides by n - 1."""


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
        hp_cls, opt_cls = get_kind(kind).parts
        return cls(
            kind, hp_cls.model_validate(config["hyperparameters"]),
            opt_cls.model_validate(config["training"]),
        )


def validate_params(kind: str, params: Mapping[str, Any]) -> TrainingParams:
    """Split and validate ``params``; every problem is reported, each as ``params.<field>``."""
    hp_cls, opt_cls = get_kind(kind).parts
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
                {"loc": ("body", "params", *e["loc"], *_named(e)), "type": e["type"],
                 "msg": e["msg"]}
                for e in exc.errors(include_url=False)
            )
    if errors:
        raise RequestValidationError(errors)
    return TrainingParams(kind, parts[0], parts[1])


def _named(error: Mapping[str, Any]) -> tuple[str, ...]:
    """The field a model validator names in its error's ctx (its own location is empty)."""
    field = (error.get("ctx") or {}).get("field")
    return (field,) if isinstance(field, str) and not error["loc"] else ()


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
    kind = get_kind(params.kind)
    if kind.warm_start_hyperparameters is None:
        raise InvalidInput(
            f"init_from starts a model from a saved one's weights; a {params.kind} job cannot "
            "use it", field="init_from", rule="warm_start_supported",
        )
    source = _existing_model(models, model, version, field="init_from.model")
    if source is None:
        which = f"version {version} of {model!r}" if version else f"a model {model!r}"
        raise InvalidInput(
            f"init_from: there is no {which} in the weights folder or the model store",
            field="init_from.version" if version and models.version_dirs(model)
            else "init_from.model", rule="exists",
        )
    if source.get("kind") != params.kind:
        raise InvalidInput(
            f"init_from: model {model!r} is a {source.get('kind')}, not a {params.kind}",
            field="init_from.model", rule="same_kind",
        )
    try:
        shape = list(source["data"]["shape"])
        hyperparameters = kind.warm_start_hyperparameters(source["hyperparameters"], given)
    except ParameterRefused as exc:
        raise InvalidInput(str(exc).replace("the source model's", f"model {model!r}'s"),
                           field=exc.field, rule=exc.rule) from None
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
    pinned = {"model": model, "version": int(source["version"])}
    return TrainingParams(params.kind, hyperparameters, params.options), pinned


def training_rows(name: str, n: int, test_fraction: float, *, published_test: bool) -> int:
    """The training rows of a job's split of ``n`` examples (the arithmetic of
    ``models.datasets.Dataset.split``), for every kind; a split that leaves too few rows on
    either side is refused as ``params.test_fraction``. ``published_test``: the data set keeps
    its own test split, and the held-out share applies to nothing."""
    n_test = max(1, int(round(n * test_fraction)))
    if n - n_test < 1:
        raise InvalidInput(
            f"dataset {name!r} has {n} examples: too few for a training split "
            f"with test_fraction={test_fraction}",
            field="params.test_fraction", rule="training_rows",
        )
    if not published_test and n_test < MIN_TEST_ROWS:
        raise InvalidInput(
            f"params.test_fraction={test_fraction} holds out {n_test} of the {n} examples of "
            f"dataset {name!r}; the held-out metrics and their standard error need at least "
            f"{MIN_TEST_ROWS}: use test_fraction >= {MIN_TEST_ROWS / n:.2g}",
            field="params.test_fraction", rule="test_rows",
        )
    return n - n_test


def check_fit(
    params: TrainingParams, name: str, dataset: DatasetInfo, models: ModelStore
) -> None:
    """Refuse a job whose data cannot train this model, before it takes a worker's time."""
    test_fraction = float(getattr(params.options, "test_fraction", 0.25))
    n_train = training_rows(dataset.name, dataset.n, test_fraction,
                            published_test=dataset.n_test is not None)
    facts = DataFacts(name=dataset.name, shape=tuple(dataset.shape), n_train=n_train,
                      levels=dataset.levels,
                      classes=tuple(dataset.classes) if dataset.classes else None)
    try:
        get_kind(params.kind).check_params(params.hyperparameters, params.options, facts)
    except ParameterRefused as exc:
        raise InvalidInput(str(exc), field=exc.field, rule=exc.rule) from None
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
