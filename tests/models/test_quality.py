"""The Fréchet distance against closed forms, and the scores' direction."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.quality import DigitClassifier, frechet_distance, score_samples


def test_identical_gaussians_are_at_distance_zero() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 6))
    cov = a @ a.T + np.eye(6)
    assert frechet_distance(np.ones(6), cov, np.ones(6), cov) == pytest.approx(0.0, abs=1e-8)


def test_diagonal_gaussians_match_the_closed_form() -> None:
    var_a, var_b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 1.0])
    mean_a, mean_b = np.zeros(3), np.array([1.0, 2.0, 0.0])
    expected = 5.0 + np.sum((np.sqrt(var_a) - np.sqrt(var_b)) ** 2)
    distance = frechet_distance(mean_a, np.diag(var_a), mean_b, np.diag(var_b))
    assert distance == pytest.approx(expected, rel=1e-9)


def test_distance_is_symmetric() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    cov_a, cov_b = a @ a.T + np.eye(4), b @ b.T + np.eye(4)
    mean_a, mean_b = rng.normal(size=4), rng.normal(size=4)
    assert frechet_distance(mean_a, cov_a, mean_b, cov_b) == pytest.approx(
        frechet_distance(mean_b, cov_b, mean_a, cov_a), rel=1e-8
    )


def test_samples_from_the_reference_score_better_than_noise() -> None:
    torch.manual_seed(0)
    classifier = DigitClassifier().eval()
    centres = torch.rand(10, 784)
    labels = torch.randint(0, 10, (2000,))
    images = (centres[labels] + 0.1 * torch.randn(2000, 784)).clamp(0, 1)
    classifier.fit(images, labels, epochs=2)
    reference, like = images[:1000], images[1000:]
    noise = torch.rand(1000, 784)
    good = score_samples(classifier, like, reference)
    bad = score_samples(classifier, noise, reference)
    assert good["frechet_distance"] < bad["frechet_distance"]
    assert good["confidence"] > bad["confidence"]
