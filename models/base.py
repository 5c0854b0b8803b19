"""The interface every generative model in genserve implements.

Routers call these methods without branching on the model kind. Every tensor that crosses this
interface is *flat*: examples are rows of ``[B, D]`` with ``D = prod(data_shape)``; the service
reshapes to ``data_shape`` at its edge. Configuration is data: a validated pydantic value saved as
JSON beside a safetensors file, so loading a model never runs code from disk.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

import torch
from pydantic import BaseModel, ConfigDict, Field
from safetensors.torch import load_file, save_file
from torch import Tensor, nn

__all__ = [
    "CONFIG_FILE",
    "OPERATIONS",
    "WEIGHTS_FILE",
    "DataSpec",
    "GenerativeModel",
    "InvalidModelInput",
    "ProgressCallback",
    "TrainingCancelled",
    "bits_per_dim",
]

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
OPERATIONS: tuple[str, ...] = ("sample", "encode", "reconstruct", "log_likelihood", "interpolate")

ProgressCallback = Callable[[Mapping[str, Any]], None]
"""Called after every epoch or EM iteration with its metrics; raising stops training."""


class TrainingCancelled(Exception):
    """Raised by a progress callback to stop a fit at its next step."""


class InvalidModelInput(ValueError):
    """An input that the model's maths cannot take (wrong width, non-finite values)."""


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

    Subclasses set ``kind`` and ``Hyperparameters`` and keep every learned tensor as a parameter
    or buffer, so ``state_dict`` is the whole model and safetensors can hold it.
    """

    kind: ClassVar[str]
    Hyperparameters: ClassVar[type[BaseModel]]
    capabilities: ClassVar[frozenset[str]] = frozenset(OPERATIONS)
    interpolation_methods: ClassVar[frozenset[str]] = frozenset({"linear"})

    def __init__(self, hparams: BaseModel, data: DataSpec) -> None:
        super().__init__()
        self.hparams = hparams
        self.data = data
        self.metrics: dict[str, Any] = {}
        self.training_info: dict[str, Any] = {}

    # -- the five operations -------------------------------------------------------------------
    @abstractmethod
    def sample(
        self, n: int, *, generator: torch.Generator | None = None, temperature: float = 1.0
    ) -> Tensor:
        """Draw ``n`` examples: returns ``[n, D]``."""

    @abstractmethod
    def encode(self, x: Tensor) -> dict[str, Tensor]:
        """Map ``x: [B, D]`` to the model's latent description, one row per example."""

    @abstractmethod
    def reconstruct(self, x: Tensor) -> Tensor:
        """``x: [B, D]`` -> the model's best reconstruction ``[B, D]``."""

    @abstractmethod
    def log_likelihood(
        self,
        x: Tensor,
        *,
        importance_samples: int = 1,
        generator: torch.Generator | None = None,
    ) -> dict[str, Tensor]:
        """Per-example log p(x) in nats under key ``log_likelihood`` (``[B]``), plus extras."""

    @abstractmethod
    def interpolate(
        self, a: Tensor, b: Tensor, steps: int, method: Literal["linear", "slerp"] = "linear"
    ) -> dict[str, Tensor]:
        """Path from ``a: [D]`` to ``b: [D]`` in ``steps`` points: key ``path``, ``[steps, D]``."""

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
        model = cls(hparams, data)  # type: ignore[call-arg]
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
