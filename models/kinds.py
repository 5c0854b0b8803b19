"""Model kinds as plugins: what a kind declares, and the registry of installed kinds.

A kind is a :class:`ModelKind` value published under the entry-point group ``genserve.models``
(genserve's own ``vae`` and ``gmm`` are registered in its ``pyproject.toml`` like any plugin).
The service, the job queue, the CLI and the page learn every kind from these declarations, so
adding a kind never edits ``app/``. Only installed entry points are imported: a ``config.json``
naming an unknown kind is refused, and nothing is ever imported from a path on disk.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import torch
from pydantic import BaseModel

from models.base import GenerativeModel, ProgressCallback
from models.datasets import Dataset

if TYPE_CHECKING:
    from models.vae import VAE, VAEHyperparameters

__all__ = [
    "ENTRY_POINT_GROUP",
    "DataFacts",
    "FitContext",
    "ModelKind",
    "ParameterRefused",
    "UnknownModelKind",
    "get_kind",
    "kinds",
]

ENTRY_POINT_GROUP = "genserve.models"


class UnknownModelKind(ValueError):
    """A kind no installed package registers."""


class ParameterRefused(ValueError):
    """A job's parameters that this data cannot train: ``field`` (``params.<name>``) and the
    ``rule`` broken travel to the API's 422."""

    def __init__(self, message: str, *, field: str, rule: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


@dataclass(frozen=True)
class DataFacts:
    """What a job's parameter check may know about its data set before training."""

    name: str
    shape: tuple[int, ...]
    n_train: int
    levels: int | None
    """Discrete levels (digits: 17), None for continuous data."""
    classes: tuple[str, ...] | None = None
    """The class names of the data's labels; None for unlabelled data."""

    @property
    def dim(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class FitContext:
    """What a worker gives a fit besides the data and the parameters."""

    device: str | torch.device = "cpu"
    checkpoint_dir: Path | None = None
    """Where a resumable fit keeps its state (None: no checkpoints)."""
    warm_start: GenerativeModel | None = None
    """A model of the same kind to start from (kinds with ``supports_warm_start`` only)."""


class FitFunction(Protocol):
    def __call__(
        self, dataset: Dataset, hyperparameters: Any, options: Any, *,
        progress: ProgressCallback | None, context: FitContext,
    ) -> GenerativeModel:
        """Train on ``dataset`` and return the fitted model, its ``metrics`` filled: at least
        ``test_log_likelihood`` (mean nats per held-out example), its ``_stderr`` and
        ``baseline_test_log_likelihood`` with ``baseline`` (what the training gate checks)."""


@dataclass(frozen=True)
class ModelKind:
    """One model kind, as a package registers it under ``genserve.models``."""

    name: str
    """The ``kind`` in ``config.json`` and in ``POST /jobs``; must equal ``model.kind``."""
    model: type[GenerativeModel]
    hyperparameters: type[BaseModel]
    """What shapes the model; saved in its ``config.json``."""
    options: type[BaseModel]
    """How it is trained (the split, budgets); with ``hyperparameters``, a job's ``params``."""
    fit: FitFunction
    description: str = ""
    example: Mapping[str, Any] = field(default_factory=dict)
    """A ``POST /jobs`` body's ``dataset`` and ``params`` that train quickly (the docs' example)."""
    check: Callable[[BaseModel, BaseModel, DataFacts], None] | None = None
    """Refuses (:class:`ParameterRefused`) parameters that this data cannot train or that
    would not fit a worker's memory, before the job is queued."""
    warm_start_hyperparameters: (
        Callable[[Mapping[str, Any], Mapping[str, Any]], BaseModel] | None
    ) = None
    """(source config's hyper-parameters, the job's given params) -> the job's
    hyper-parameters when it starts from a saved model of this kind; None: no warm start."""
    needs_labels: bool = False
    """Whether the kind trains on labels (a conditional model): a job on an unlabelled data set
    is refused before it is queued."""
    checks_collapse: bool = False
    """Whether the training gate requires ``metrics.active_units >= 1`` (a latent-variable model
    with an amortised encoder, which can learn to ignore its input)."""
    cli_options: Mapping[str, str] = field(default_factory=dict)
    """Short command-line names of parameters (``components`` -> ``n_components``); every
    parameter also has ``--its-name``."""

    def check_params(self, hyperparameters: BaseModel, options: BaseModel,
                     data: DataFacts) -> None:
        """Refuse (:class:`ParameterRefused`) what this data cannot train, before any training:
        a kind that ``needs_labels`` on unlabelled data, ``binarize`` (declared by options that
        are :class:`~models.training.SplitOptions`) on continuous data, then the kind's own
        ``check``."""
        from models.training import SplitOptions

        if isinstance(options, SplitOptions) and options.binarize and data.levels is None:
            raise ParameterRefused(
                f"binarize needs discrete data (integer levels); dataset {data.name!r} is "
                "continuous: leave binarize unset", field="params.binarize", rule="data_kind",
            )
        if self.needs_labels and not data.classes:
            raise ParameterRefused(
                f"a {self.name} is trained on labels; dataset {data.name!r} has none: use one "
                "with labels (y in an .npz, an IDX labels file, a CSV label column, a zip's "
                "class folders)", field="dataset", rule="labelled",
            )
        if self.check is not None:
            self.check(hyperparameters, options, data)

    @property
    def title(self) -> str:
        """A human name, e.g. "Gaussian mixture": the model class's ``kind_title``."""
        return self.model.kind_title

    @property
    def supports_warm_start(self) -> bool:
        return self.warm_start_hyperparameters is not None

    @property
    def parts(self) -> tuple[type[BaseModel], type[BaseModel]]:
        return (self.hyperparameters, self.options)

    def describe(self) -> dict[str, Any]:
        """What ``GET /kinds`` says about the kind: its names and its params' JSON schemas."""
        return {
            "kind": self.name, "title": self.title, "description": self.description,
            "capabilities": sorted(self.model.capabilities),
            "supports_warm_start": self.supports_warm_start, "needs_labels": self.needs_labels,
            "hyperparameters": self.hyperparameters.model_json_schema(),
            "options": self.options.model_json_schema(),
            "example": dict(self.example),
        }


@cache
def kinds() -> dict[str, ModelKind]:
    """Every installed kind by name, genserve's own first; read once per process."""
    found: dict[str, ModelKind] = {}
    for point in sorted(
        entry_points(group=ENTRY_POINT_GROUP), key=lambda p: (p.value.split(":")[0] != __name__,
                                                             p.name)
    ):
        try:
            kind = point.load()
        except Exception as exc:  # a broken plugin names itself, not just its import error
            raise RuntimeError(
                f"the model kind {point.name!r} ({point.value}, entry-point group "
                f"{ENTRY_POINT_GROUP}) failed to import: {type(exc).__name__}: {exc}; fix or "
                "uninstall its package"
            ) from exc
        if not isinstance(kind, ModelKind):
            raise TypeError(
                f"entry point {point.name} = {point.value} in group {ENTRY_POINT_GROUP} is a "
                f"{type(kind).__name__}, not a models.kinds.ModelKind"
            )
        if kind.name != point.name or kind.model.kind != point.name:
            raise ValueError(
                f"entry point {point.name} registers kind {kind.name!r} of model kind "
                f"{kind.model.kind!r}: the three names must agree"
            )
        found.setdefault(kind.name, kind)
    return found


def get_kind(name: object) -> ModelKind:
    """The installed kind ``name``; :class:`UnknownModelKind` naming the installed ones."""
    registered = kinds()
    if not isinstance(name, str) or name not in registered:
        raise UnknownModelKind(
            f"unknown model kind {name!r}: the installed kinds are {sorted(registered)} "
            f"(a kind is an installed package's entry point in group {ENTRY_POINT_GROUP!r})"
        )
    return registered[name]


# -- genserve's own kinds ----------------------------------------------------------------------
def _fit_vae(
    dataset: Dataset, hyperparameters: Any, options: Any, *,
    progress: ProgressCallback | None, context: FitContext,
) -> GenerativeModel:
    from models.vae import VAE

    return _fit_networks(VAE, dataset, hyperparameters, options, progress, context)


def _fit_cvae(
    dataset: Dataset, hyperparameters: Any, options: Any, *,
    progress: ProgressCallback | None, context: FitContext,
) -> GenerativeModel:
    from models.cvae import CVAE

    return _fit_networks(CVAE, dataset, hyperparameters, options, progress, context)


def _fit_networks(
    model_class: type[VAE], dataset: Dataset, hyperparameters: Any, options: Any,
    progress: ProgressCallback | None, context: FitContext,
) -> GenerativeModel:
    """The VAE's training loop for ``model_class`` (a VAE or a CVAE), warm-started from a model
    of exactly that class."""
    from models.training import train_vae

    warm_start = context.warm_start
    if warm_start is not None and type(warm_start) is not model_class:
        raise TypeError(f"a {model_class.kind} starts from a {model_class.kind}, "
                        f"not a {warm_start.kind}")
    return train_vae(
        dataset, hyperparameters, options, progress=progress, device=context.device,
        checkpoint_dir=context.checkpoint_dir if options.checkpoint_every else None,
        warm_start=warm_start, model_class=model_class,
    )


def _fit_cgmm(
    dataset: Dataset, hyperparameters: Any, options: Any, *,
    progress: ProgressCallback | None, context: FitContext,
) -> GenerativeModel:
    from models.training import train_cgmm

    return train_cgmm(dataset, hyperparameters, split=options, progress=progress)


def _fit_gmm(
    dataset: Dataset, hyperparameters: Any, options: Any, *,
    progress: ProgressCallback | None, context: FitContext,
) -> GenerativeModel:
    from models.training import train_gmm

    return train_gmm(dataset, hyperparameters, split=options, progress=progress)


MAX_VAE_PARAMETERS = 50_000_000
"""A VAE's weights at most: 200 MB of float32, about 800 MB with Adam's two moments and the
gradients; a worker runs one job at a time in a few GB."""
MAX_GMM_COVARIANCE_FLOATS = 2**26
"""K D^2 (full), D^2 (tied) or K D (diag, spherical) at most: 0.5 GB of float64 per copy, and EM
keeps about three (parameters, statistics, the M-step's factors). MNIST (D = 784) allows 109
full-covariance components."""
MAX_TRAINING_BATCH_FLOATS = 2**28
"""batch_size x train_k x the widest layer at most: 1 GB of float32 activations per layer."""


def _check_vae(hp: Any, options: Any, data: DataFacts) -> None:
    from models.base import DataSpec
    from models.vae import VAE

    if hp.likelihood == "bernoulli" and data.levels is None:
        raise ParameterRefused(
            f"a bernoulli decoder needs discrete data in [0, 1]; dataset {data.name!r} is "
            "continuous: use likelihood='gaussian'",
            field="params.likelihood", rule="data_kind",
        )
    if hp.architecture == "conv" and len(data.shape) not in (2, 3):
        raise ParameterRefused(
            f"architecture 'conv' needs images, [H, W] or [C, H, W]; dataset {data.name!r} "
            f"has examples of shape {list(data.shape)}: use architecture 'mlp'",
            field="params.architecture", rule="image_data",
        )
    try:
        with torch.device("meta"):  # shapes only: nothing is allocated
            model = VAE(hp, DataSpec(shape=data.shape))
    except ValueError as exc:  # an image too small for the convolutions, say
        raise ParameterRefused(str(exc), field="params.channels", rule="image_data") from exc
    count = sum(p.numel() for p in model.parameters())
    if count > MAX_VAE_PARAMETERS:
        raise ParameterRefused(
            f"these networks have {count:,} parameters on {data.dim}-dimensional data; the "
            f"limit is {MAX_VAE_PARAMETERS:,}: use smaller hidden_sizes, channels or latent_dim",
            field="params.hidden_sizes", rule="memory_budget",
        )
    widest = max(data.dim, hp.latent_dim, *hp.hidden_sizes)
    batch = options.batch_size or 128
    k = options.train_k if options.objective == "iwae" else 1
    if batch * k * widest > MAX_TRAINING_BATCH_FLOATS:
        raise ParameterRefused(
            f"params.batch_size={batch} x train_k={k} x the widest layer ({widest}) is "
            f"{batch * k * widest:,} floats; the limit is {MAX_TRAINING_BATCH_FLOATS:,}: "
            "use a smaller batch_size or train_k",
            field="params.batch_size", rule="memory_budget",
        )
    _check_validation(options, data)


def _check_validation(options: Any, data: DataFacts) -> None:
    """Early stopping's validation split must exist and hold ``MIN_VALIDATION_ROWS`` rows (the
    arithmetic of ``models.early_stopping.carve_validation``), else the job is refused."""
    from models.early_stopping import MIN_VALIDATION_ROWS, validation_rows

    if not options.early_stopping_patience:
        return
    n = data.n_train
    if validation_rows(n, 0.5) < MIN_VALIDATION_ROWS:
        raise ParameterRefused(
            f"early stopping holds back at least {MIN_VALIDATION_ROWS} training rows for its "
            f"validation checks, at most half of them; dataset {data.name!r} has {n} training "
            "rows: too few; set early_stopping_patience to 0",
            field="params.early_stopping_patience", rule="validation_rows",
        )
    held = validation_rows(n, options.validation_fraction)
    if held < MIN_VALIDATION_ROWS:
        least = min(0.5, math.ceil(100 * MIN_VALIDATION_ROWS / n) / 100)
        raise ParameterRefused(
            f"params.validation_fraction={options.validation_fraction} holds back {held} of the "
            f"{n} training rows of dataset {data.name!r}; early stopping's checks need at least "
            f"{MIN_VALIDATION_ROWS}: use validation_fraction >= {least}",
            field="params.validation_fraction", rule="validation_rows",
        )


def _check_cvae(hp: Any, options: Any, data: DataFacts) -> None:
    _check_conditional(data)
    if options.latent_prior_components:
        raise ParameterRefused(
            "a cvae has no latent GMM prior: leave latent_prior_components out",
            field="params.latent_prior_components", rule="unconditional_only",
        )
    _check_vae(hp, options, data)


def _check_conditional(data: DataFacts) -> None:
    if data.classes is not None and len(data.classes) < 2:
        raise ParameterRefused(
            f"dataset {data.name!r} has one class ({data.classes[0]!r}): a conditional model "
            "needs at least two; train an unconditional kind", field="dataset",
            rule="two_classes",
        )


def _check_cgmm(hp: Any, options: Any, data: DataFacts) -> None:
    _check_conditional(data)
    classes = len(data.classes or ()) or 1
    if hp.n_components * classes > data.n_train:
        raise ParameterRefused(
            f"params.n_components={hp.n_components} per class for {classes} classes needs at "
            f"least {hp.n_components * classes} training rows; dataset {data.name!r} has "
            f"{data.n_train}: use fewer components", field="params.n_components",
            rule="at_most_training_rows",
        )
    _check_gmm(hp, options, data)


def _check_gmm(hp: Any, options: Any, data: DataFacts) -> None:
    k = hp.n_components
    if k > data.n_train:
        raise ParameterRefused(
            f"params.n_components={k} is more than the {data.n_train} training examples of "
            f"dataset {data.name!r}; use at most {data.n_train}",
            field="params.n_components", rule="at_most_training_rows",
        )
    d = data.dim
    floats = {"full": k * d * d, "tied": d * d}.get(hp.covariance_type, k * d)
    if floats > MAX_GMM_COVARIANCE_FLOATS:
        raise ParameterRefused(
            f"params.n_components={k} with {hp.covariance_type} covariances of "
            f"{d}-dimensional data needs {floats:,} floats per copy; the limit is "
            f"{MAX_GMM_COVARIANCE_FLOATS:,}: use fewer components or covariance_type 'diag'",
            field="params.n_components", rule="memory_budget",
        )


def _vae_warm_start(source: Mapping[str, Any], given: Mapping[str, Any]) -> BaseModel:
    """The source's networks, with the given params that do not reshape them: any that would
    are refused, naming the first."""
    from models.vae import VAEHyperparameters

    return _network_warm_start(VAEHyperparameters, source, given)


def _cvae_warm_start(source: Mapping[str, Any], given: Mapping[str, Any]) -> BaseModel:
    from models.cvae import CVAEHyperparameters

    return _network_warm_start(CVAEHyperparameters, source, given)


def _network_warm_start(
    hyperparameter_model: type[VAEHyperparameters], source: Mapping[str, Any],
    given: Mapping[str, Any],
) -> BaseModel:
    from models.vae import network_differences

    inherited = {**source, "latent_prior": None}
    source_hyperparameters = hyperparameter_model.model_validate(inherited)
    explicit = {k: v for k, v in given.items() if k in hyperparameter_model.model_fields}
    hyperparameters = hyperparameter_model.model_validate({**inherited, **explicit})
    differing = network_differences(source_hyperparameters, hyperparameters)
    if differing:
        raise ParameterRefused(
            f"params.{differing[0]} differs from the source model's; a warm start keeps the "
            f"source's networks: leave {', '.join(differing)} out",
            field=f"params.{differing[0]}", rule="matches_init_from",
        )
    return hyperparameters


def _vae() -> ModelKind:
    from models.training import VAETrainingOptions
    from models.vae import VAE, VAEHyperparameters

    return ModelKind(
        name="vae", model=VAE,
        hyperparameters=VAEHyperparameters, options=VAETrainingOptions, fit=_fit_vae,
        description="Encoder and decoder networks trained on the ELBO or the IWAE bound; "
        "log-likelihoods are importance-weighted bounds.",
        example={"dataset": "digits", "params": {
            "latent_dim": 4, "hidden_sizes": [64], "epochs": 5, "eval_importance_samples": 50,
        }},
        check=_check_vae, warm_start_hyperparameters=_vae_warm_start, checks_collapse=True,
        cli_options={
            "latent_dim": "latent_dim", "hidden": "hidden_sizes",
            "architecture": "architecture", "channels": "channels", "likelihood": "likelihood",
            "epochs": "epochs", "steps": "steps", "batch_size": "batch_size",
            "learning_rate": "learning_rate", "lr_schedule": "lr_schedule",
            "kl_warmup_steps": "kl_warmup_steps", "free_bits": "free_bits",
            "objective": "objective", "train_k": "train_k", "precision": "precision",
            "eval_k": "eval_importance_samples", "checkpoint_every": "checkpoint_every",
            "latent_prior": "latent_prior_components",
        },
    )


def _gmm() -> ModelKind:
    from models.gmm import GaussianMixture, GMMHyperparameters
    from models.training import SplitOptions

    return ModelKind(
        name="gmm", model=GaussianMixture,
        hyperparameters=GMMHyperparameters, options=SplitOptions, fit=_fit_gmm,
        description="A mixture of Gaussians fitted by EM; log-likelihoods are exact.",
        example={"dataset": "pinwheel", "params": {"n_components": 5, "max_iter": 50}},
        check=_check_gmm,
        cli_options={"components": "n_components", "covariance": "covariance_type",
                     "n_init": "n_init", "max_iter": "max_iter"},
    )


def _cvae() -> ModelKind:
    from models.cvae import CVAE, CVAEHyperparameters
    from models.training import VAETrainingOptions

    vae = VAE_KIND
    return ModelKind(
        name="cvae", model=CVAE,
        hyperparameters=CVAEHyperparameters, options=VAETrainingOptions, fit=_fit_cvae,
        description="A conditional VAE (Sohn et al. 2015): the label goes into both networks, "
        "the prior is N(0, I); classifies by Bayes' rule over importance-weighted log p(x | y).",
        example={"dataset": "digits", "params": {
            "latent_dim": 4, "hidden_sizes": [64], "epochs": 5, "eval_importance_samples": 20,
        }},
        check=_check_cvae, warm_start_hyperparameters=_cvae_warm_start, checks_collapse=True,
        needs_labels=True,
        cli_options={k: v for k, v in vae.cli_options.items() if k != "latent_prior"},
    )


def _cgmm() -> ModelKind:
    from models.cgmm import CGMMHyperparameters, ClassConditionalGMM
    from models.training import SplitOptions

    return ModelKind(
        name="cgmm", model=ClassConditionalGMM,
        hyperparameters=CGMMHyperparameters, options=SplitOptions, fit=_fit_cgmm,
        description="One Gaussian mixture per class (n_components each), class priors from the "
        "training counts; exact log p(x | y), log p(x) and p(y | x).",
        example={"dataset": "digits", "params": {"n_components": 2, "max_iter": 50}},
        check=_check_cgmm, needs_labels=True, cli_options=GMM_KIND.cli_options,
    )


VAE_KIND = _vae()
GMM_KIND = _gmm()
CVAE_KIND = _cvae()
CGMM_KIND = _cgmm()
