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
from models.kinds import ModelKind, UnknownModelKind, get_kind
from models.vae import VAE, VAEHyperparameters

__all__ = [
    "CONFIG_FILE",
    "CVAE",
    "OPERATIONS",
    "VAE",
    "WEIGHTS_FILE",
    "CVAEHyperparameters",
    "ClassConditionalGMM",
    "DataSpec",
    "GMMHyperparameters",
    "GaussianMixture",
    "GenerativeModel",
    "InvalidModelInput",
    "ModelKind",
    "ProgressCallback",
    "TrainingCancelled",
    "UnknownModelKind",
    "VAEHyperparameters",
    "bits_per_dim",
    "get_kind",
    "load_model",
]

def load_model(directory: str | Path, device: str | torch.device = "cpu") -> GenerativeModel:
    """Load a saved model: JSON config plus safetensors weights, never pickle. Its ``kind``
    must be an installed one (``models.kinds``): nothing is imported from the folder."""
    directory = Path(directory)
    config = json.loads((directory / CONFIG_FILE).read_text())
    if not isinstance(config, dict):
        raise ValueError(f"{directory / CONFIG_FILE}: not a JSON object")
    try:
        kind = get_kind(config.get("kind"))
    except UnknownModelKind as exc:
        raise UnknownModelKind(f"{directory / CONFIG_FILE}: {exc}") from None
    return kind.model.load_from(directory, config, device=device)
