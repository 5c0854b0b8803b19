"""genserve's own offline sample-quality scores for 28x28 digit images.

A small MLP classifier trained here on MNIST supplies 128-d features; the Fréchet distance
between Gaussians fitted to the features of samples and of test images is an FID-style score
(Heusel et al. 2017, eq. 6), and the classifier's mean top-class probability is a confidence
score. These are *genserve's* metrics: they are not comparable with Inception-based FID figures.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from safetensors.torch import load_file, save_file
from torch import Tensor, nn

from models.base import CONFIG_FILE, WEIGHTS_FILE

__all__ = [
    "DigitClassifier",
    "SampleScores",
    "frechet_distance",
    "score_priors",
    "score_samples",
]


class DigitClassifier(nn.Module):
    """784 -> 512 -> 128 -> 10 MLP; the 128-unit layer is the feature space."""

    feature_dim = 128

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 128), nn.ReLU()
        )
        self.head = nn.Linear(128, 10)

    def forward(self, x: Tensor) -> Tensor:
        """``x: [B, 784]`` in [0, 1] -> class logits ``[B, 10]``."""
        logits: Tensor = self.head(self.features(x))
        return logits

    @torch.no_grad()
    def embed(self, x: Tensor, batch_size: int = 2048) -> tuple[Tensor, Tensor]:
        """Features ``[B, 128]`` and class probabilities ``[B, 10]``, in eval mode."""
        self.eval()
        features, probabilities = [], []
        for start in range(0, len(x), batch_size):
            h = self.features(x[start : start + batch_size])
            features.append(h)
            probabilities.append(torch.softmax(self.head(h), dim=-1))
        return torch.cat(features), torch.cat(probabilities)

    def fit(
        self, images: Tensor, labels: Tensor, *, epochs: int = 8, seed: int = 0
    ) -> dict[str, float]:
        """Adam with cross-entropy on ``images: [N, 784]`` in [0, 1], ``labels: [N]``."""
        generator = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        optimiser = torch.optim.Adam(self.parameters(), lr=1e-3)
        started = time.perf_counter()
        self.train()
        for _ in range(epochs):
            order = torch.randperm(len(images), generator=generator)
            for start in range(0, len(images), 128):
                batch = order[start : start + 128]
                loss = nn.functional.cross_entropy(self(images[batch]), labels[batch])
                optimiser.zero_grad(set_to_none=True)
                torch.autograd.backward(loss)
                optimiser.step()
        self.eval()
        return {"epochs": epochs, "elapsed_s": time.perf_counter() - started}

    def save(self, directory: str | Path, metadata: dict[str, Any]) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in self.state_dict().items()},
                  str(directory / WEIGHTS_FILE))
        (directory / CONFIG_FILE).write_text(
            json.dumps({"kind": "digit-classifier", **metadata}, indent=2) + "\n"
        )

    @classmethod
    def load(cls, directory: str | Path) -> DigitClassifier:
        model = cls()
        model.load_state_dict(load_file(str(Path(directory) / WEIGHTS_FILE)), strict=True)
        return model.eval()


def frechet_distance(
    mean_a: NDArray[np.float64], cov_a: NDArray[np.float64],
    mean_b: NDArray[np.float64], cov_b: NDArray[np.float64],
) -> float:
    """``||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^{1/2})`` between two Gaussians.

    ``Tr (S_a S_b)^{1/2}`` is the sum of square roots of the eigenvalues of the symmetric
    ``S_a^{1/2} S_b S_a^{1/2}``, which avoids a general matrix square root and its complex parts.
    """
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    inner = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = float(np.sqrt(np.clip(inner, 0.0, None)).sum())
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b)
                 - 2.0 * trace_root)


class SampleScores(dict[str, float]):
    """``frechet_distance`` (lower is better) and ``confidence`` (higher is better)."""


def _moments(features: Tensor) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    array = features.double().numpy()
    return array.mean(axis=0), np.cov(array, rowvar=False)


def score_samples(classifier: DigitClassifier, samples: Tensor, reference: Tensor) -> SampleScores:
    """Scores of ``samples: [N, 784]`` against ``reference: [M, 784]`` (the test images)."""
    sample_features, probabilities = classifier.embed(samples.float())
    reference_features, _ = classifier.embed(reference.float())
    distance = frechet_distance(*_moments(sample_features), *_moments(reference_features))
    confidence = float(probabilities.max(dim=-1).values.mean())
    return SampleScores(frechet_distance=distance, confidence=confidence)


def score_priors(
    vae: Any, classifier: DigitClassifier, reference: Tensor, *, n: int = 10_000, seed: int = 0
) -> dict[str, dict[str, float]]:
    """Scores of ``n`` samples from each prior the VAE offers, with the same seed for each."""
    scores = {}
    for prior in vae.priors:
        samples = vae.sample(n, generator=torch.Generator().manual_seed(seed), prior=prior)
        scores[prior] = {
            **score_samples(classifier, samples, reference), "samples": n, "seed": seed,
        }
    return scores
