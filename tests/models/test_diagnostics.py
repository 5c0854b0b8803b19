"""Held-out diagnostics and baselines against closed forms; the step budget, the schedules and
the checks that stop a diverging fit."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
import torch
from scipy import stats

from models import DataSpec
from models.datasets import load_dataset
from models.diagnostics import (
    active_units,
    factorised_bernoulli_log_likelihood,
    factorised_gaussian_log_likelihood,
    full_gaussian_log_likelihood,
    kl_per_dimension,
)
from models.gmm import GMMHyperparameters
from models.training import (
    TrainingDiverged,
    VAETrainingOptions,
    _learning_rate,
    _loss,
    check_finite,
    evaluate_vae,
    resolve_budget,
    train_gmm,
    train_vae,
    vae_diagnostics,
)
from models.vae import VAE, VAEHyperparameters


def test_factorised_bernoulli_baseline_matches_the_hand_computed_log_likelihood() -> None:
    train = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    test = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    p = [(2 + 0.5) / 4, (1 + 0.5) / 4]  # Krichevsky-Trofimov: (sum + 1/2) / (n + 1)
    expected = [
        math.log(p[0]) + math.log(1 - p[1]),
        math.log(1 - p[0]) + math.log(p[1]),
    ]
    got = factorised_bernoulli_log_likelihood(train, test)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)


def test_factorised_gaussian_baseline_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    train, test = rng.normal(2.0, [0.5, 3.0], (200, 2)), rng.normal(2.0, 1.0, (5, 2))
    mean, std = train.mean(0), train.std(0)  # maximum likelihood: the 1/N variance
    expected = stats.norm.logpdf(test, mean, std).sum(1)
    got = factorised_gaussian_log_likelihood(torch.from_numpy(train), torch.from_numpy(test))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10)


def test_full_gaussian_baseline_matches_scipy_with_the_regularised_covariance() -> None:
    rng = np.random.default_rng(1)
    train = rng.multivariate_normal([0, 1, 2], [[2, 0.5, 0], [0.5, 1, 0.3], [0, 0.3, 0.5]], 300)
    test = rng.normal(size=(7, 3))
    covariance = np.cov(train, rowvar=False, bias=True) + 1e-3 * np.eye(3)
    expected = stats.multivariate_normal(train.mean(0), covariance).logpdf(test)
    got = full_gaussian_log_likelihood(
        torch.from_numpy(train), torch.from_numpy(test), reg_covar=1e-3
    )
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10)


def _linear_vae(dim: int, latent: int) -> VAE:
    """A Gaussian VAE whose encoder and decoder are single linear maps, for hand-set weights."""
    hparams = VAEHyperparameters(latent_dim=latent, hidden_sizes=[], likelihood="gaussian")
    return VAE(hparams, DataSpec(shape=(dim,))).eval()


def test_active_units_count_the_dimensions_whose_posterior_mean_varies() -> None:
    model = _linear_vae(dim=3, latent=3)
    with torch.no_grad():
        model.encoder_mean.weight.copy_(torch.diag(torch.tensor([1.0, 0.05, 0.0])))
        model.encoder_mean.bias.zero_()
        model.encoder_log_var.weight.zero_()
        model.encoder_log_var.bias.copy_(torch.tensor([-2.0, 0.0, 0.0]))
    x = torch.randn(4000, 3, generator=torch.Generator().manual_seed(0))
    # A_u = Var(w_u x_u): 1 (active), 0.0025 and 0 (both under 0.01)
    diagnostics = vae_diagnostics(model, x, x, seed=0)
    assert diagnostics["active_units"] == 1
    np.testing.assert_allclose(diagnostics["unit_activity"], [1.0, 0.0025, 0.0], atol=0.06)
    # KL per dim, closed form: (E[mu^2] + e^{lv} - 1 - lv) / 2
    expected_kl = [0.5 * (1.0 + math.exp(-2.0) - 1.0 + 2.0), 0.5 * 0.0025, 0.0]
    np.testing.assert_allclose(diagnostics["kl_per_dim"], expected_kl, atol=0.05)
    assert diagnostics["test_kl"] == pytest.approx(sum(diagnostics["kl_per_dim"]))
    assert active_units(torch.zeros(10, 4)) == 0


def test_kl_per_dimension_is_the_closed_form_mean() -> None:
    mu = torch.tensor([[1.0, 0.0], [3.0, 0.0]], dtype=torch.float64)
    log_var = torch.tensor([[0.0, math.log(2.0)], [0.0, math.log(2.0)]], dtype=torch.float64)
    expected = [0.5 * (1 + 9) / 2, 0.5 * (2 - 1 - math.log(2.0))]
    np.testing.assert_allclose(kl_per_dimension(mu, log_var).numpy(), expected, rtol=1e-12)


def test_chunked_evaluation_is_exact_when_every_weight_is_the_same() -> None:
    """Posterior = prior and a decoder that ignores z: log w = log p(x|z) for every draw, so
    IWAE_k = ELBO = the decoder's likelihood, however the samples are split into blocks."""
    model = _linear_vae(dim=4, latent=2)
    with torch.no_grad():
        decoder = next(m for m in model.decoder.modules() if isinstance(m, torch.nn.Linear))
        for module in (model.encoder_mean, model.encoder_log_var, decoder):
            module.weight.zero_()
            module.bias.zero_()
    x = torch.randn(50, 4, generator=torch.Generator().manual_seed(1))
    exact = -0.5 * (x.square() + math.log(2 * math.pi)).sum(1)
    for k in (1, 7, 3000):
        blocks: list[int] = []
        scores = evaluate_vae(model, x, k, seed=0, report=blocks.append)
        torch.testing.assert_close(scores["log_likelihood"], exact, atol=1e-4, rtol=0)
        torch.testing.assert_close(scores["elbo"], exact, atol=1e-4, rtol=0)
        assert sum(blocks) == len(x) * k  # every pass was reported


def test_the_default_budget_follows_the_data() -> None:
    digits = resolve_budget(VAETrainingOptions(), 1348)
    assert digits.batch_size == 128 and 3000 <= digits.steps < 3100
    mnist = resolve_budget(VAETrainingOptions(), 60_000)
    assert mnist.batch_size == 128 and 9000 < mnist.steps <= 12_100
    assert resolve_budget(VAETrainingOptions(epochs=3), 1348).steps == 3 * 11
    assert resolve_budget(VAETrainingOptions(steps=100, batch_size=64), 1348).epochs == 5


def test_the_learning_rate_warms_up_then_anneals_to_the_minimum() -> None:
    options = VAETrainingOptions(learning_rate=1e-3, min_learning_rate=1e-5,
                                 lr_warmup_fraction=0.1)
    rates = [_learning_rate(options, step, 100) for step in range(1, 101)]
    assert rates[0] == pytest.approx(1e-4) and rates[9] == pytest.approx(1e-3)
    assert rates[10] == pytest.approx(1e-3) and rates[-1] == pytest.approx(1e-5)
    assert rates[9:] == sorted(rates[9:], reverse=True)


def _loss_with(options: VAETrainingOptions, model: VAE, x: torch.Tensor, weight: float) -> float:
    return float(_loss(model, x, options, torch.Generator().manual_seed(3), weight))


@torch.no_grad()
def test_free_bits_and_kl_weight_change_only_the_kl_term() -> None:
    torch.manual_seed(0)
    model = VAE(VAEHyperparameters(latent_dim=3, hidden_sizes=[8]), DataSpec(shape=(5,)))
    x = torch.rand(16, 5)
    reconstruction, kl = model.elbo_parts(x, generator=torch.Generator().manual_seed(3))
    plain = VAETrainingOptions()
    assert _loss_with(plain, model, x, 1.0) == pytest.approx(
        float(-(reconstruction - kl.sum(-1)).mean()), rel=1e-5
    )
    assert _loss_with(plain, model, x, 0.0) == pytest.approx(float(-reconstruction.mean()), 1e-5)
    floor = float(kl.mean(0).max()) + 1.0  # above every dimension's KL: each costs the floor
    floored = VAETrainingOptions(free_bits=floor)
    assert _loss_with(floored, model, x, 1.0) == pytest.approx(
        float(-reconstruction.mean()) + 3 * floor, rel=1e-5
    )


def test_a_diverging_vae_fails_with_its_epoch() -> None:
    hparams = VAEHyperparameters(latent_dim=2, hidden_sizes=[8], beta=1e308)
    with pytest.raises(TrainingDiverged, match="epoch 1"):
        train_vae(load_dataset("digits"), hparams, VAETrainingOptions(epochs=2))


def test_a_model_with_a_non_finite_tensor_or_metric_is_refused() -> None:
    model = _linear_vae(dim=3, latent=2)
    check_finite(model)
    model.metrics = {"test_log_likelihood": float("nan")}
    with pytest.raises(TrainingDiverged, match="test_log_likelihood"):
        check_finite(model)
    model.metrics = {}
    with torch.no_grad():
        model.encoder_mean.weight[0, 0] = float("inf")
    with pytest.raises(TrainingDiverged, match="encoder_mean.weight"):
        check_finite(model)


def test_gmm_progress_counts_every_restart_and_never_reaches_one() -> None:
    events: list[Mapping[str, Any]] = []
    model = train_gmm(
        load_dataset("pinwheel"), GMMHyperparameters(n_components=3, n_init=3, max_iter=20),
        progress=events.append,
    )
    values = [e["progress"] for e in events]
    assert values == sorted(values) and 0 < values[0] and values[-1] < 1
    assert {e["restart"] for e in events} == {0, 1, 2}
    assert len(model.metrics["restart_bounds"]) == 3
    assert model.metrics["baseline"].startswith("one full-covariance Gaussian")
    assert model.metrics["test_log_likelihood"] > model.metrics["baseline_test_log_likelihood"]
