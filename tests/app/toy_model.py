"""A model kind that declares less than the VAE and GMM: it samples, and nothing else."""

from __future__ import annotations

from collections.abc import Mapping

import torch
from pydantic import BaseModel
from torch import Tensor

from models import DataSpec, GenerativeModel

__all__ = ["Toy", "ToyHyperparameters"]


class ToyHyperparameters(BaseModel):
    scale: float = 1.0


class Toy(GenerativeModel):
    """Samples N(centre, scale^2 I) and declares nothing else: no encode, no likelihood, no
    interpolation, no views, no prior but the normal one."""

    kind = "toy"
    kind_title = "Toy"
    Hyperparameters = ToyHyperparameters
    capabilities = frozenset({"sample"})
    interpolation_methods = frozenset()
    centre: Tensor

    def __init__(self, hparams: ToyHyperparameters, data: DataSpec) -> None:
        super().__init__(hparams, data)
        self.scale = hparams.scale
        self.register_buffer("centre", torch.ones(data.dim))

    def sample_noise(
        self, n: int, *, generator: torch.Generator | None = None, temperature: float = 1.0,
        prior: str = "normal", labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        self.check_labels(labels, n)
        return {"eps": temperature * torch.randn(n, self.dim, generator=generator)}

    def sample_from_noise(self, noise: Mapping[str, Tensor]) -> Tensor:
        return self.centre + self.scale * noise["eps"]
