"""The PPCA model alone: scikit-learn's numbers in both regimes, the posterior, and the
contract's batched sampling and persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from genserve_ppca.model import PPCA, PPCAHyperparameters
from sklearn.decomposition import PCA

from models import DataSpec, load_model


def fitted(n: int, d: int, q: int = 5, seed: int = 0) -> tuple[PPCA, np.ndarray]:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d))
    x = rng.normal(size=(n, d)) @ mixing
    model = PPCA(PPCAHyperparameters(n_components=q), DataSpec(shape=(d,)))
    model.fit(torch.from_numpy(x))
    return model, x


@pytest.mark.parametrize(("n", "d"), [(30, 50), (400, 12)])
def test_the_fit_scores_as_sklearns_pca_with_fewer_or_more_rows_than_dimensions(
    n: int, d: int
) -> None:
    model, x = fitted(n, d)
    test = np.random.default_rng(1).normal(size=(25, d)) * 2.0
    ours = model.log_likelihood(torch.from_numpy(test))["log_likelihood"].double().mean()
    assert float(ours) == pytest.approx(PCA(n_components=5).fit(x).score(test), abs=1e-3)


def test_the_posterior_covariance_is_sigma2_over_m() -> None:
    model, x = fitted(200, 8, q=3)
    w, sigma2 = model.weight, float(model.noise_variance[0])
    m = w.T @ w + sigma2 * torch.eye(3, dtype=torch.float64)
    covariance = model.encode(torch.from_numpy(x[:2]))["covariance"]
    assert covariance.shape == (2, 3, 3)
    assert torch.allclose(covariance[1].double(), sigma2 * torch.linalg.inv(m), atol=1e-6)


def test_batched_noise_gives_each_request_the_samples_it_would_get_alone() -> None:
    model, _ = fitted(200, 8, q=3)
    alone = [model.sample(4, generator=torch.Generator().manual_seed(s)) for s in (1, 2)]
    noises = [model.sample_noise(4, generator=torch.Generator().manual_seed(s)) for s in (1, 2)]
    together = model.sample_from_noise(
        {key: torch.cat([noise[key] for noise in noises]) for key in noises[0]}
    )
    assert torch.equal(together, torch.cat(alone))


def test_a_saved_ppca_loads_back_through_its_registration(tmp_path: Path) -> None:
    model, x = fitted(200, 8, q=3)
    model.save(tmp_path)
    loaded = load_model(tmp_path)
    assert isinstance(loaded, PPCA)
    rows = torch.from_numpy(x[:4])
    assert torch.equal(loaded.encode(rows)["mean"], model.encode(rows)["mean"])


def test_interpolation_runs_between_the_posterior_means() -> None:
    model, x = fitted(200, 8, q=3)
    ends = torch.from_numpy(x[:2])
    path = model.interpolate(ends[0], ends[1], 5)
    means = model.encode(ends)["mean"]
    assert torch.allclose(path["latents"][[0, -1]], means)
    assert torch.allclose(path["path"][[0, -1]], model.reconstruct(ends), atol=1e-5)
