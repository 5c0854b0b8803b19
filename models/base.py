"""The interface every generative model in genserve implements.

Routers call these methods without branching on the model kind. Every tensor that crosses this
interface is *flat*: examples are rows of ``[B, D]`` with ``D = prod(data_shape)``; the service
reshapes to ``data_shape`` at its edge. Configuration is data: a validated pydantic value saved as
JSON beside a safetensors file, so loading a model never runs code from disk.
"""

from __future__ import annotations

import json
import math
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import torch
from pydantic import BaseModel, ConfigDict, Field
from safetensors.torch import load_file, save_file
from torch import Tensor, nn
from torch.utils.flop_counter import FlopCounterMode

__all__ = [
    "CAPABILITY_METHODS",
    "CONFIG_FILE",
    "OPERATIONS",
    "WEIGHTS_FILE",
    "DataSpec",
    "GenerativeModel",
    "InvalidModelInput",
    "MixtureComponents",
    "NoiseGroups",
    "ProgressCallback",
    "TrainingCancelled",
    "VIEW_METHODS",
    "bits_per_dim",
]

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
OPERATIONS: tuple[str, ...] = ("sample", "encode", "reconstruct", "log_likelihood", "interpolate")
"""The five operations: every model's default ``capabilities``."""

CAPABILITY_METHODS: Mapping[str, str] = {
    "sample": "sample_from_noise",
    "encode": "encode",
    "reconstruct": "reconstruct",
    "log_likelihood": "log_likelihood",
    "interpolate": "interpolate",
    "classify": "classify",
}
"""Every operation a model may declare in ``capabilities``, with the method that serves it (a
model that declares an operation must override that method: checked when its class is made)."""

_FLOP_COUNTING = threading.Lock()
"""One count at a time: a ``FlopCounterMode`` tracks modules with process-wide hooks."""

ProgressCallback = Callable[[Mapping[str, Any]], None]
"""Called after every epoch or EM iteration with its metrics; raising stops training."""

NoiseGroups = Sequence[tuple[int, "torch.Generator | None"]]
"""Per-request generators for one batched pass: ``(rows, generator)`` per request, in row order.
Each request's rows draw their randomness from its own generator, so a seeded request gets the
answer it would get alone (dynamic batching)."""

VIEW_METHODS: Mapping[str, str] = {"components": "mixture_components", "latent": "latent_means"}
"""The page's views a model may declare in ``views`` beyond the operations, with the method that
serves each: ``components`` (a mixture's weights, means and covariances) and ``latent`` (a 2-D
map of the posterior means)."""


class TrainingCancelled(Exception):
    """Raised by a progress callback to stop a fit at its next step."""


class InvalidModelInput(ValueError):
    """An input that the model's maths cannot take (wrong width, non-finite values)."""


class MixtureComponents(NamedTuple):
    """A mixture's parameters, for the page's ``components`` view."""

    covariance_type: str
    weights: Tensor  # [K]
    means: Tensor  # [K, D]
    covariances: Tensor | None  # [K, D, D], expanded from any covariance type; None if not asked


class DataSpec(BaseModel):
    """What the model's inputs look like, and where its training data came from."""

    model_config = ConfigDict(extra="forbid")

    shape: tuple[int, ...] = Field(description="Shape of one example, e.g. [8, 8] or [2].")
    value_range: tuple[float, float] | None = Field(
        default=None, description="Closed range of valid input values; None when unbounded."
    )
    dataset: str = "unknown"
    split: dict[str, Any] = Field(default_factory=dict)
    preprocessing: dict[str, Any] = Field(default_factory=dict)
    classes: list[str] | None = Field(
        default=None,
        description="Class names of the training data's labels (absent: unlabelled data).",
    )

    @property
    def dim(self) -> int:
        return math.prod(self.shape)

    @property
    def is_image(self) -> bool:
        return len(self.shape) == 2 and self.value_range is not None


def bits_per_dim(log_likelihood: Tensor, dim: int) -> Tensor:
    """Negative log-likelihood in nats per example -> bits per dimension."""
    return -log_likelihood / (dim * math.log(2.0))


class GenerativeModel(nn.Module, ABC):
    """A density model that can sample, encode, reconstruct, score and interpolate.

    This class is the whole contract between a model and the service: the service calls only
    what is declared here, and learns what a model can do from its declarations, never by
    probing it (``hasattr``, signatures) or branching on its ``kind``.

    Declarations (class attributes):

    - ``kind``, ``kind_title``: the name in ``config.json`` and a human one for the page.
    - ``Hyperparameters``: the pydantic model of its configuration.
    - ``capabilities``: the operations it serves (names from :data:`OPERATIONS`, plus
      ``classify`` for a conditional model).
    - ``interpolation_methods``: the ``method`` values :meth:`interpolate` takes.
    - ``exact_likelihood``: :meth:`log_likelihood` is exact (True) or an importance-weighted
      bound that costs ``importance_samples`` passes per row (False).
    - ``conditional``: whether ``labels`` (class indices into ``data.classes``) are accepted;
      a conditional model also gives :meth:`infer_labels` (the class it takes for a row given
      none) and its :meth:`sample_noise` draws carry the classes drawn under ``"labels"``.
    - ``views``: the page views it supports beyond the operations (:data:`VIEWS`).

    and per instance :attr:`priors` (what ``prior`` :meth:`sample_noise` takes: a VAE has a
    latent mixture only when one was fitted).

    Subclasses keep every learned tensor as a parameter or buffer, so ``state_dict`` is the
    whole model and safetensors can hold it.
    """

    kind: ClassVar[str]
    kind_title: ClassVar[str]
    Hyperparameters: ClassVar[type[BaseModel]]
    capabilities: ClassVar[frozenset[str]] = frozenset(OPERATIONS)
    interpolation_methods: ClassVar[frozenset[str]] = frozenset({"linear"})
    exact_likelihood: ClassVar[bool] = False
    conditional: ClassVar[bool] = False
    views: ClassVar[frozenset[str]] = frozenset()  # names from VIEW_METHODS

    hparams: BaseModel  # a ``Hyperparameters`` value
    data: DataSpec
    metrics: dict[str, Any]  # what training measured, saved in config.json
    training_info: dict[str, Any]

    def __init__(self, hparams: BaseModel, data: DataSpec) -> None:
        super().__init__()
        self.hparams = hparams
        self.data = data
        self.metrics: dict[str, Any] = {}
        self.training_info: dict[str, Any] = {}

    @property
    def priors(self) -> list[str]:
        """The ``prior`` values :meth:`sample_noise` takes; ``"normal"`` always."""
        return ["normal"]

    # -- sampling: per-request noise, then one batched transform -------------------------------
    @abstractmethod
    def sample_noise(
        self, n: int, *, generator: torch.Generator | None = None, temperature: float = 1.0,
        prior: str = "normal", labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """The randomness of :meth:`sample` for ``n`` rows, drawn with ``generator``.

        Rows are independent, so several requests' noise can be concatenated (``torch.cat`` per
        key) and turned into samples by one :meth:`sample_from_noise` call. A conditional model's
        draws hold the class of each row under ``"labels"`` (``[n]`` int64): ``labels`` when
        given, else drawn from its class prior; it draws the same randomness either way, so a
        generator's seed with the labels it drew draws the same samples again.
        """

    @abstractmethod
    def sample_from_noise(self, noise: Mapping[str, Tensor]) -> Tensor:
        """:meth:`sample_noise`'s draws (possibly several requests' concatenated) -> ``[n, D]``."""

    @torch.no_grad()
    def sample(
        self, n: int, *, generator: torch.Generator | None = None, temperature: float = 1.0,
        prior: str = "normal", labels: Tensor | None = None,
    ) -> Tensor:
        """Draw ``n`` examples: returns ``[n, D]``."""
        return self.sample_from_noise(self.sample_noise(
            n, generator=generator, temperature=temperature, prior=prior, labels=labels
        ))

    # -- the other operations: a model overrides those it declares in ``capabilities`` ----------
    def encode(self, x: Tensor, *, labels: Tensor | None = None) -> dict[str, Tensor]:
        """Map ``x: [B, D]`` to the model's latent description, one row per example.

        ``labels`` (``[B]`` int64, conditional models): the class of each row; None: each row's
        :meth:`infer_labels`.
        """
        raise self._undeclared("encode")

    def reconstruct(self, x: Tensor, *, labels: Tensor | None = None) -> Tensor:
        """``x: [B, D]`` -> the model's best reconstruction ``[B, D]``; ``labels`` as in
        :meth:`encode`."""
        raise self._undeclared("reconstruct")

    def infer_labels(self, x: Tensor) -> Tensor:
        """A conditional model's class for each row of ``x: [B, D]`` given no label: its most
        probable class, deterministically (``[B]`` int64). What :meth:`encode` and
        :meth:`reconstruct` take when ``labels`` is None, and what the service reports."""
        raise self._undeclared("labels")

    def log_likelihood(
        self,
        x: Tensor,
        *,
        importance_samples: int = 1,
        generator: torch.Generator | None = None,
        groups: NoiseGroups | None = None,
        labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """Per-example log p(x) in nats under key ``log_likelihood`` (``[B]``), plus extras.

        ``groups`` (:data:`NoiseGroups`) splits the rows into requests that draw with their own
        generators, replacing ``generator``; an exact likelihood draws nothing and ignores both.
        With ``labels`` (``[B]`` int64) a conditional model gives log p(x | y).
        """
        raise self._undeclared("log_likelihood")

    def interpolate(
        self, a: Tensor, b: Tensor, steps: int, method: str = "linear", *,
        labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """Path from ``a: [D]`` to ``b: [D]`` in ``steps`` points: key ``path``, ``[steps, D]``.

        ``labels``: ``[2]`` (start and end class) for a conditional model.
        """
        raise self._undeclared("interpolate")

    def classify(
        self, x: Tensor, *, importance_samples: int = 1, generator: torch.Generator | None = None,
        groups: NoiseGroups | None = None,
    ) -> dict[str, Tensor]:
        """p(y | x) for a conditional model that declares ``classify`` in its capabilities:
        ``log_likelihood_per_class [B, C]``, ``log_prior [C]``, ``probabilities [B, C]``,
        ``predicted [B]``."""
        raise self._undeclared("classify")

    # -- the page's views (declared in ``views``) ----------------------------------------------
    def mixture_components(self, *, covariances: bool = True) -> MixtureComponents:
        """The ``components`` view: the mixture's weights, means and (if asked) covariances."""
        raise self._undeclared("components")

    def latent_means(self, x: Tensor) -> Tensor:
        """The ``latent`` view: ``x: [B, D]`` -> posterior means ``[B, L]``."""
        raise self._undeclared("latent")

    def _undeclared(self, ability: str) -> NotImplementedError:
        """What an undeclared ability raises: the service refuses it before asking (a 400)."""
        return NotImplementedError(f"a {self.kind} model does not declare {ability!r}")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A declared operation or view must have its method: checked once, when the class is
        made, so the service can trust the declarations instead of probing."""
        super().__init_subclass__(**kwargs)
        for declared, methods in ((cls.capabilities, CAPABILITY_METHODS),
                                  (cls.views, VIEW_METHODS)):
            for ability in declared:
                if ability not in methods:
                    raise TypeError(
                        f"{cls.__name__} declares {ability!r}, which is none of {sorted(methods)}"
                    )
                name = methods[ability]
                default = getattr(GenerativeModel, name)
                abstract = getattr(default, "__isabstractmethod__", False)  # ABC checks those
                if getattr(cls, name) is default and not abstract:
                    raise TypeError(f"{cls.__name__} declares {ability!r} but has no {name}()")
        if cls.conditional and cls.infer_labels is GenerativeModel.infer_labels:
            raise TypeError(f"{cls.__name__} is conditional but has no infer_labels()")

    # -- what the likelihood costs and says ----------------------------------------------------
    def likelihood_passes(self, importance_samples: int) -> int:
        """Passes through the model per row of :meth:`log_likelihood`: 1 when exact, else k."""
        return 1 if self.exact_likelihood else importance_samples

    def likelihood_estimator(self, importance_samples: int, *, abbreviated: bool = False) -> str:
        """How :meth:`log_likelihood` estimates log p(x), as answers report it."""
        if self.exact_likelihood:
            return "exact"
        bound = "IWAE bound" if abbreviated else "importance-weighted bound"
        return f"{bound}, k={importance_samples}"

    def row_multiply_adds(self) -> int:
        """Multiply-adds of one row's pass through the model: what the service's admission
        control charges per row pass (a log-likelihood with k importance samples is k of them).

        Measured once, by counting the matrix products and convolutions
        (``torch.utils.flop_counter``) of a one-row :meth:`log_likelihood` with one importance
        sample (the encoder's and the decoder's pass of a VAE), and at least the model's size in
        parameters and buffers, since every weight is used at least once per row (the count
        misses what it has no formula for: triangular solves, element-wise work). An MLP uses
        each weight once per row, so it is about its size; a convolution reuses its weights at
        every pixel, so a convolutional VAE's is many times its size. A model that does not
        declare ``log_likelihood`` is charged its size.
        """
        size = max(1, sum(t.numel() for t in self._tensors()))
        if "log_likelihood" not in self.capabilities:
            return size
        low, high = self.data.value_range or (0.0, 0.0)
        row = torch.full((1, self.dim), (low + high) / 2, dtype=self.parameter_dtype,
                         device=self.device)
        labels = torch.zeros(1, dtype=torch.int64, device=self.device) if self.conditional \
            else None
        generator = torch.Generator(device=self.device).manual_seed(0)
        with _FLOP_COUNTING, torch.inference_mode(), FlopCounterMode(display=False) as counter:
            self.log_likelihood(row, importance_samples=1, generator=generator, labels=labels)
        return max(size, int(counter.get_total_flops()) // 2)  # a multiply-add is two FLOPs

    # -- interpolation ---------------------------------------------------------------------------
    def check_path_ends(self, a: Tensor, b: Tensor, steps: int, method: str) -> None:
        """An interpolation's arguments, the same rule for every model: a declared method, at
        least both endpoints, and two single examples (rows of ``[D]``, checked by
        :meth:`check_input` with the rest of the input)."""
        if method not in self.interpolation_methods:
            raise InvalidModelInput(
                f"unknown interpolation method {method!r} for a {self.kind}; use one of "
                f"{sorted(self.interpolation_methods)}"
            )
        if steps < 2:
            raise InvalidModelInput(f"steps must be at least 2 to include both ends; got {steps}")
        if a.ndim != 1 or b.ndim != 1:  # their width is check_input's, as for every input
            raise InvalidModelInput(
                f"a and b must be single examples of shape [{self.dim}]; "
                f"got {list(a.shape)} and {list(b.shape)}"
            )

    # -- labels --------------------------------------------------------------------------------
    def check_labels(self, labels: Tensor | None, rows: int) -> Tensor | None:
        """Validate ``labels``: None, or (conditional models) ``rows`` int64 class indices into
        ``data.classes``, moved to the model's device."""
        if labels is None:
            return None
        if not self.conditional:
            raise InvalidModelInput(f"a {self.kind} model is not conditional: labels must be None")
        classes = len(self.data.classes or ())
        if labels.dtype != torch.int64 or tuple(labels.shape) != (rows,):
            raise InvalidModelInput(
                f"labels must be int64 of shape [{rows}], got {labels.dtype} {list(labels.shape)}"
            )
        if rows and (int(labels.min()) < 0 or int(labels.max()) >= classes):
            raise InvalidModelInput(f"labels must be class indices in [0, {classes})")
        return labels.to(self.device)

    # -- shape and device helpers --------------------------------------------------------------
    @property
    def dim(self) -> int:
        return self.data.dim

    def _tensors(self) -> Iterator[Tensor]:
        """Parameters, then buffers (``state_dict()``'s order without building it: that costs
        ~0.2 ms per call, and ``device`` is asked on every request)."""
        yield from self.parameters()
        yield from self.buffers()

    @property
    def device(self) -> torch.device:
        for tensor in self._tensors():
            return tensor.device
        return torch.device("cpu")

    def check_input(self, x: Tensor) -> Tensor:
        """Validate a batch ``[B, D]`` and move it to the model's device and dtype."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise InvalidModelInput(
                f"expected a batch of shape [B, {self.dim}], got {list(x.shape)}"
            )
        if not torch.isfinite(x).all():
            raise InvalidModelInput("inputs contain NaN or infinity")
        return x.to(self.device, self.parameter_dtype)

    @property
    def parameter_dtype(self) -> torch.dtype:
        for tensor in self._tensors():
            if tensor.is_floating_point():
                return tensor.dtype
        return torch.float32

    def clamp_to_range(self, x: Tensor) -> Tensor:
        if self.data.value_range is None:
            return x
        low, high = self.data.value_range
        return x.clamp(low, high)

    # -- persistence ---------------------------------------------------------------------------
    def config_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "hyperparameters": self.hparams.model_dump(mode="json"),
            "data": self.data.model_dump(mode="json"),
            "metrics": self.metrics,
            "training": self.training_info,
        }

    def save(self, directory: str | Path) -> None:
        """Write ``model.safetensors`` and ``config.json`` into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tensors = {k: v.detach().to("cpu").contiguous() for k, v in self.state_dict().items()}
        save_file(tensors, str(directory / WEIGHTS_FILE), metadata={"kind": self.kind})
        # allow_nan=False: a NaN or infinity would make config.json invalid JSON; refuse it.
        config = json.dumps(self.config_dict(), indent=2, allow_nan=False)
        (directory / CONFIG_FILE).write_text(config + "\n")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> GenerativeModel:
        """Build an untrained model of the right shapes from a saved config."""
        hparams = cls.Hyperparameters.model_validate(config["hyperparameters"])
        data = DataSpec.model_validate(config["data"])
        model = cls(hparams, data)
        model.metrics = dict(config.get("metrics", {}))
        model.training_info = dict(config.get("training", {}))
        return model

    @classmethod
    def load_from(
        cls, directory: str | Path, config: Mapping[str, Any], device: str | torch.device = "cpu"
    ) -> GenerativeModel:
        model = cls.from_config(config)
        state = load_file(str(Path(directory) / WEIGHTS_FILE), device="cpu")
        model.load_state_dict(state, strict=True)
        return model.to(device).eval()
