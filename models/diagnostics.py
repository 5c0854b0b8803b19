"""Held-out diagnostics of a fitted model: baselines, active units, the parts of the bound.

A model's held-out log-likelihood means little alone: these put it beside the simplest model of
the same data (a *baseline*, fitted on the same training split and scored on the same test
split) and tell whether a VAE uses its latent space at all.

- Factorised baselines (for a VAE): every dimension independent, Bernoulli (the maximum-
  likelihood mean, smoothed by the Krichevsky-Trofimov estimator ``(sum x + 1/2) / (n + 1)`` so
  that no pixel constant in training gets probability 0) or Gaussian (the maximum-likelihood mean
  and variance, the variance floored). Whichever matches the VAE decoder's likelihood.
- Full-covariance Gaussian baseline (for a GMM): the one-component mixture, maximum-likelihood
  mean and covariance plus ``reg_covar`` on the diagonal, as the GMM itself is regularised.
- Active units (Burda et al. 2015, "Importance Weighted Autoencoders", section 5.2): latent
  dimension ``u`` is active when ``A_u = Cov_x(E_q[z_u | x]) > 0.01``.
- KL per latent dimension: the test-set mean of the closed-form
  ``KL(q(z_u | x) || N(0, 1)) = (mu^2 + sigma^2 - 1 - log sigma^2) / 2``.

Nothing here imports the web service; tensors are rows ``[N, D]``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = [
    "ACTIVE_UNIT_THRESHOLD",
    "GAUSSIAN_BASELINE_MIN_VARIANCE",
    "active_units",
    "factorised_bernoulli_log_likelihood",
    "factorised_gaussian_log_likelihood",
    "full_gaussian_log_likelihood",
    "kl_per_dimension",
    "unit_activity",
]

ACTIVE_UNIT_THRESHOLD = 0.01
"""Burda et al. 2015: a unit whose posterior mean varies less than this over x is inactive."""
GAUSSIAN_BASELINE_MIN_VARIANCE = 1e-6
"""Floor of a factorised Gaussian's per-dimension variance (a constant pixel has variance 0)."""
_LOG_2PI = math.log(2.0 * math.pi)


def factorised_bernoulli_log_likelihood(train: Tensor, test: Tensor) -> Tensor:
    """``log prod_d Bern(x_d | p_d)`` per test row, ``p_d = (sum_n x_nd + 1/2) / (N + 1)``.

    ``train`` may hold probabilities (dynamically binarised data: its mean is the expected mean
    of the draws); ``test`` should hold the binary values scored. Returns ``[M]`` float64.
    """
    train, test = train.double(), test.double()
    p = (train.sum(0) + 0.5) / (train.shape[0] + 1.0)
    return (test * torch.log(p) + (1.0 - test) * torch.log1p(-p)).sum(-1)


def factorised_gaussian_log_likelihood(
    train: Tensor, test: Tensor, *, min_variance: float = GAUSSIAN_BASELINE_MIN_VARIANCE
) -> Tensor:
    """``sum_d log N(x_d | m_d, s_d^2)`` per test row, maximum-likelihood ``m_d, s_d^2``."""
    train, test = train.double(), test.double()
    mean = train.mean(0)
    variance = train.var(0, unbiased=False).clamp(min=min_variance)
    return -0.5 * ((test - mean).square() / variance + torch.log(variance) + _LOG_2PI).sum(-1)


def full_gaussian_log_likelihood(train: Tensor, test: Tensor, *, reg_covar: float = 1e-6) -> Tensor:
    """``log N(x | m, S + reg_covar I)`` per test row; ``m, S`` the maximum-likelihood moments.

    Scored through the Cholesky factor ``L`` of the covariance: ``log det S = 2 sum log L_dd``
    and the Mahalanobis term is ``||L^-1 (x - m)||^2``.
    """
    train, test = train.double(), test.double()
    d = train.shape[1]
    mean = train.mean(0)
    centred = train - mean
    covariance = centred.T @ centred / train.shape[0]
    covariance = covariance + reg_covar * torch.eye(d, dtype=covariance.dtype)
    cholesky = torch.linalg.cholesky(covariance)
    solved: Tensor = torch.linalg.solve_triangular(cholesky, (test - mean).T, upper=False)  # [D, M]
    log_det = 2.0 * torch.log(torch.diagonal(cholesky)).sum()
    return -0.5 * (solved.square().sum(0) + log_det + d * _LOG_2PI)


def unit_activity(posterior_means: Tensor) -> Tensor:
    """``A_u = Cov_x(E_q[z_u | x])`` for every latent dimension: ``[N, L]`` -> ``[L]``.

    The variance over the examples of each posterior mean (the 1/N estimator, as Burda et al.).
    """
    return posterior_means.double().var(0, unbiased=False)


def active_units(posterior_means: Tensor, threshold: float = ACTIVE_UNIT_THRESHOLD) -> int:
    """How many latent dimensions have ``A_u > threshold`` (Burda et al. 2015)."""
    return int((unit_activity(posterior_means) > threshold).sum())


def kl_per_dimension(mu: Tensor, log_var: Tensor) -> Tensor:
    """Mean over rows of ``KL(N(mu_u, exp(log_var_u)) || N(0, 1))``: ``[N, L]`` -> ``[L]``.

    Summed over ``u`` it is the KL term of the ELBO (Kingma & Welling 2014, appendix B).
    """
    mu, log_var = mu.double(), log_var.double()
    return (0.5 * (mu.square() + torch.exp(log_var) - 1.0 - log_var)).mean(0)
