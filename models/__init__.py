"""genserve's model maths: pure PyTorch, no web code."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from models.base import (
    CONFIG_FILE,
    OPERATIONS,
    WEIGHTS_FILE,
    DataSpec,
    GenerativeModel,
    InvalidModelInput,
    ProgressCallback,
    TrainingCancelled,
    bits_per_dim,
)
from models.cgmm import ClassConditionalGMM
from models.cvae import CVAE, CVAEHyperparameters
from models.gmm import GaussianMixture, GMMHyperparameters
from models.vae import VAE, VAEHyperparameters

__all__ = [
    "CONFIG_FILE",
    "CVAE",
    "CVAEHyperparameters",
    "ClassConditionalGMM",
    "MODEL_KINDS",
    "OPERATIONS",
    "VAE",
    "WEIGHTS_FILE",
    "DataSpec",
    "GMMHyperparameters",
    "GaussianMixture",
    "GenerativeModel",
    "InvalidModelInput",
    "ProgressCallback",
    "TrainingCancelled",
    "VAEHyperparameters",
    "bits_per_dim",
    "load_model",
]

MODEL_KINDS: dict[str, type[GenerativeModel]] = {
    "vae": VAE, "gmm": GaussianMixture, "cvae": CVAE, "cgmm": ClassConditionalGMM,
}


def load_model(directory: str | Path, device: str | torch.device = "cpu") -> GenerativeModel:
    """Load a saved model: JSON config plus safetensors weights, never pickle."""
    directory = Path(directory)
    config = json.loads((directory / CONFIG_FILE).read_text())
    kind = config.get("kind")
    if kind not in MODEL_KINDS:
        raise ValueError(f"{directory / CONFIG_FILE}: unknown model kind {kind!r}")
    return MODEL_KINDS[kind].load_from(directory, config, device=device)
