"""Specifications for models.gmm: agreement with scikit-learn, exact densities, the five
operations, persistence, progress and validation."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.datasets import load_digits, make_moons
from sklearn.mixture import GaussianMixture as SklearnMixture
from sklearn.model_selection import train_test_split

import models.gmm as gmm_module
from models import gmm_kernels, load_model
from models.base import CONFIG_FILE, WEIGHTS_FILE, DataSpec, InvalidModelInput, TrainingCancelled
from models.gmm import CovarianceType, GaussianMixture, GMMHyperparameters

COVARIANCE_TYPES: tuple[CovarianceType, ...] = ("full", "diag", "spherical", "tied")
LECTURE_HEIGHTS = [1.6, 1.7, 1.65, 1.63, 1.75, 1.71, 1.68, 1.72, 1.77, 1.62]


def make_model(
    covariance_type: CovarianceType = "full", n_components: int = 3, dim: int = 3, **hparams: Any
) -> GaussianMixture:
    """scikit-learn's defaults (reg_covar 1e-6, one start), which these tests compare against."""
    hparams = {"reg_covar": 1e-6, "n_init": 1, **hparams}
    return GaussianMixture(
        GMMHyperparameters(n_components=n_components, covariance_type=covariance_type, **hparams),
        DataSpec(shape=(dim,)),
    )


def full_covariances(covariances: np.ndarray, covariance_type: str, k: int, d: int) -> np.ndarray:
    """sklearn's layout -> [K, D, D]."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (k, d, d))
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in covariances])
    return covariances[:, None, None] * np.eye(d)


def random_covariances(
    rng: np.random.Generator, covariance_type: str, k: int, d: int
) -> np.ndarray:
    if covariance_type == "full":
        a = rng.normal(size=(k, d, d))
        return a @ a.transpose(0, 2, 1) + 0.5 * np.eye(d)
    if covariance_type == "tied":
        a = rng.normal(size=(d, d))
        return a @ a.T + 0.5 * np.eye(d)
    if covariance_type == "diag":
        return rng.uniform(0.2, 2.0, size=(k, d))
    return rng.uniform(0.2, 2.0, size=k)


class RandomMixture:
    """Random parameters in sklearn's layout, installed into a GaussianMixture."""

    def __init__(self, covariance_type: CovarianceType, k: int = 3, d: int = 4, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.weights = rng.dirichlet(np.ones(k) * 2.0)
        self.means = rng.normal(scale=2.0, size=(k, d))
        self.covariances = random_covariances(rng, covariance_type, k, d)
        self.full = full_covariances(self.covariances, covariance_type, k, d)
        self.x = rng.normal(scale=3.0, size=(25, d))
        self.model = make_model(covariance_type, n_components=k, dim=d)
        self.model.set_parameters(
            weights=torch.from_numpy(self.weights),
            means=torch.from_numpy(self.means),
            covariances=torch.from_numpy(self.covariances),
        )

    def scipy_component_log_densities(self, x: np.ndarray) -> np.ndarray:
        """log N(x | mu_k, Sigma_k) from scipy: [B, K]."""
        pairs = zip(self.means, self.full, strict=True)
        return np.stack([multivariate_normal(m, c).logpdf(x) for m, c in pairs], axis=-1)

    def scipy_log_likelihood(self, x: np.ndarray) -> np.ndarray:
        return logsumexp(np.log(self.weights) + self.scipy_component_log_densities(x), axis=-1)


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    """600 points in three well-separated Gaussian clusters, D = 3."""
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, 6.0, 0.0], [0.0, 6.0, 6.0]])
    scales = np.array([1.0, 0.7, 1.3])
    return np.concatenate(
        [rng.normal(c, s, size=(200, 3)) for c, s in zip(centres, scales, strict=True)]
    ) + np.array([10.0, -5.0, 2.0])


@pytest.fixture(scope="module")
def fitted(blobs: np.ndarray) -> GaussianMixture:
    model = make_model("full", max_iter=50)
    model.fit(torch.from_numpy(blobs))
    return model


# -- 1. the same EM as scikit-learn ------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(("dtype", "tolerance"), [("float64", 1e-8), ("float32", 1e-4)])
def test_em_from_sklearns_starting_point_converges_to_sklearns_parameters(
    blobs: np.ndarray, covariance_type: CovarianceType, dtype: str, tolerance: float
) -> None:
    rng = np.random.default_rng(1)
    k, d = 3, 3
    weights = np.array([0.5, 0.3, 0.2])
    means = blobs[rng.choice(len(blobs), k, replace=False)]
    covariances = random_covariances(rng, covariance_type, k, d)
    full_or_tied = covariance_type in ("full", "tied")
    precisions = np.linalg.inv(covariances) if full_or_tied else 1.0 / covariances
    reference = SklearnMixture(
        k,
        covariance_type=covariance_type,
        tol=1e-10,
        max_iter=200,
        reg_covar=1e-6,
        weights_init=weights,
        means_init=means,
        precisions_init=precisions,
        random_state=0,
    ).fit(blobs)
    model = make_model(
        covariance_type, tol=1e-10, max_iter=200, reg_covar=1e-6, chunk_size=128, dtype=dtype
    )

    summary = model.fit(
        torch.from_numpy(blobs),
        init_weights=torch.from_numpy(weights),
        init_means=torch.from_numpy(means),
        init_precisions=torch.from_numpy(precisions),
    )

    assert summary["converged"] == 1.0
    np.testing.assert_allclose(model.weights.numpy(), reference.weights_, atol=tolerance)
    np.testing.assert_allclose(model.means.numpy(), reference.means_, atol=tolerance)
    np.testing.assert_allclose(model.covariances().numpy(), reference.covariances_, atol=tolerance)


def test_em_statistics_do_not_depend_on_the_chunk_size(blobs: np.ndarray) -> None:
    x = torch.from_numpy(blobs)
    one_chunk = make_model("full", tol=0.0, max_iter=10, chunk_size=len(blobs), dtype="float64")
    many_chunks = make_model("full", tol=0.0, max_iter=10, chunk_size=7, dtype="float64")
    one_chunk.fit(x)
    many_chunks.fit(x)
    for name, tensor in one_chunk.state_dict().items():
        torch.testing.assert_close(many_chunks.state_dict()[name], tensor, rtol=1e-10, atol=1e-10)



def test_second_moments_over_non_zero_responsibilities_equal_the_wide_product(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Q_k summed component by component over the rows with r_nk != 0 is the all-rows sum."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(300, 4, generator=generator, dtype=torch.float64)
    logits = 30 * torch.randn(300, 5, generator=generator, dtype=torch.float64)
    logits[:, 4] = -math.inf  # one component owns no row at all
    resp = torch.softmax(logits, -1)
    resp[resp < 1e-3] = 0.0  # separated components: most responsibilities are exactly zero
    resp /= resp.sum(1, keepdim=True)
    sums = {}
    for path, sparse_fraction in (("wide", -1.0), ("by component", 1.0)):
        monkeypatch.setattr(gmm_module, "_SPARSE_FRACTION", sparse_fraction)
        stats = gmm_module._Statistics(5, 4, "full", x)
        stats.add(x, resp)
        sums[path] = stats.sum_xx
    assert (resp == 0).double().mean() > 0.5
    torch.testing.assert_close(sums["by component"], sums["wide"], rtol=1e-12, atol=1e-12)


def test_em_on_far_apart_clusters_sums_only_non_zero_responsibilities_and_matches_sklearn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(2)
    centres = np.array([[0.0, 0.0], [80.0, 0.0], [0.0, 80.0], [80.0, 80.0]])
    x = np.concatenate([rng.normal(c, 1.0 + i / 4, size=(150, 2)) for i, c in enumerate(centres)])
    means = centres + rng.normal(scale=2.0, size=centres.shape)
    reference = SklearnMixture(4, tol=1e-10, max_iter=100, means_init=means,
                               random_state=0).fit(x)
    sparse_chunks: list[float] = []
    moments = gmm_kernels.weighted_moments

    def spy(x, resp, chunk):  # type: ignore[no-untyped-def]
        sparse_chunks.append(float((resp != 0).double().mean()))
        return moments(x, resp, chunk)

    monkeypatch.setattr(gmm_kernels, "weighted_moments", spy)
    model = make_model("full", n_components=4, dim=2, tol=1e-10, max_iter=100, chunk_size=128,
                       dtype="float64")
    model.fit(torch.from_numpy(x), init_means=torch.from_numpy(means))

    assert sparse_chunks and min(sparse_chunks) <= gmm_kernels.SPARSE_FRACTION
    np.testing.assert_allclose(model.means.numpy(), reference.means_, atol=1e-8)
    np.testing.assert_allclose(model.covariances().numpy(), reference.covariances_, atol=1e-8)

@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_em_reaches_the_float64_fit_and_keeps_float64_parameters(
    blobs: np.ndarray, covariance_type: CovarianceType
) -> None:
    fits = {}
    for dtype in ("float64", "float32"):
        model = make_model(covariance_type, max_iter=30, tol=0.0, dtype=dtype)
        fits[dtype] = (model, model.fit(torch.from_numpy(blobs))["log_likelihood"])
    (wide, wide_ll), (narrow, narrow_ll) = fits["float64"], fits["float32"]
    assert narrow.means.dtype == torch.float64
    assert narrow_ll == pytest.approx(wide_ll, rel=1e-5)
    torch.testing.assert_close(narrow.means, wide.means, rtol=1e-4, atol=1e-4)


def test_fit_is_reproducible_for_a_seed(blobs: np.ndarray) -> None:
    x = torch.from_numpy(blobs)
    first, second = make_model("diag", n_init=2, seed=3), make_model("diag", n_init=2, seed=3)
    first.fit(x)
    second.fit(x)
    for name, tensor in first.state_dict().items():
        assert torch.equal(second.state_dict()[name], tensor), name


# -- 2. its own initialisation is as good as scikit-learn's ------------------------------------
def test_held_out_log_likelihood_on_digits_matches_sklearn_on_average_over_seeds() -> None:
    """Dequantised digits, K = 10 diagonal Gaussians, three restarts per fit.

    Single fits land in different local optima (the held-out log-likelihood of either library
    varies by about 0.5% from seed to seed), so the means over 16 seeds are compared.
    """
    digits = load_digits().data
    x = (digits + np.random.default_rng(0).uniform(size=digits.shape)) / 17.0
    train, test = train_test_split(x, test_size=0.25, random_state=0)
    ours, theirs = [], []
    for seed in range(16):
        reference = SklearnMixture(
            10, covariance_type="diag", reg_covar=1e-6, n_init=3, max_iter=500, random_state=seed
        ).fit(train)
        theirs.append(reference.score(test))
        model = make_model("diag", 10, 64, reg_covar=1e-6, n_init=3, max_iter=500, seed=seed)
        model.fit(torch.from_numpy(train))
        ours.append(float(model.log_likelihood(torch.from_numpy(test))["log_likelihood"].mean()))

    assert np.mean(ours) == pytest.approx(np.mean(theirs), rel=5e-3)


def test_held_out_log_likelihood_on_moons_matches_sklearn() -> None:
    """Two moons, K = 8 full Gaussians; 20 restarts make both find the same optimum."""
    points, _ = make_moons(1000, noise=0.05, random_state=0)
    train, test = train_test_split(points, test_size=0.25, random_state=0)
    reference = SklearnMixture(8, n_init=20, max_iter=500, random_state=0).fit(train)
    model = make_model("full", 8, 2, n_init=20, max_iter=500, seed=0)

    model.fit(torch.from_numpy(train))

    held_out = float(model.log_likelihood(torch.from_numpy(test))["log_likelihood"].mean())
    assert held_out == pytest.approx(reference.score(test), rel=5e-3)


# -- 3. the lecture's worked example -----------------------------------------------------------
def test_one_gaussian_on_the_lecture_heights_is_the_sample_mean_and_population_variance() -> None:
    """The maximum-likelihood Gaussian: mu = 1.683 and sigma^2 = np.var (ddof=0) = 0.002921.

    The lecture quotes sigma^2 ~ 0.0015, which these ten heights do not give.
    """
    heights = np.array(LECTURE_HEIGHTS)
    model = make_model("full", n_components=1, dim=1, reg_covar=0.0)

    model.fit(torch.from_numpy(heights).unsqueeze(-1))

    assert float(model.means[0, 0]) == pytest.approx(1.683, abs=1e-6)
    variance = float(model.covariances()[0, 0, 0])
    assert variance == pytest.approx(np.var(heights), abs=1e-9)
    assert round(variance, 6) == 0.002921


# -- 4. sampling ---------------------------------------------------------------------------------
def test_samples_follow_the_component_weights_means_and_covariances() -> None:
    weights = np.array([0.5, 0.3, 0.2])
    means = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0]])  # far apart: labels are certain
    covariances = np.array(
        [[[1.0, 0.5], [0.5, 1.0]], [[2.0, -0.3], [-0.3, 0.5]], np.diag([0.5, 1.5])]
    )
    model = make_model("full", n_components=3, dim=2)
    model.set_parameters(
        weights=torch.from_numpy(weights),
        means=torch.from_numpy(means),
        covariances=torch.from_numpy(covariances),
    )
    n = 20_000

    samples = model.sample(n, generator=torch.Generator().manual_seed(0))

    assert samples.shape == (n, 2) and samples.dtype == torch.float32
    labels = model.encode(samples)["component"].numpy()
    x = samples.double().numpy()
    frequencies = np.bincount(labels, minlength=3) / n
    assert np.all(np.abs(frequencies - weights) <= 4 * np.sqrt(weights * (1 - weights) / n))
    for k in range(3):
        rows = x[labels == k]
        sigma = covariances[k]
        mean_se = np.sqrt(np.diag(sigma) / len(rows))
        assert np.all(np.abs(rows.mean(0) - means[k]) <= 4 * mean_se), k
        cov_se = np.sqrt((np.outer(np.diag(sigma), np.diag(sigma)) + sigma**2) / len(rows))
        assert np.all(np.abs(np.cov(rows.T) - sigma) <= 4 * cov_se), k
    grand_mean = weights @ means
    mixture_cov = np.einsum(
        "k,kde->de", weights, covariances + np.einsum("kd,ke->kde", means, means)
    ) - np.outer(grand_mean, grand_mean)
    np.testing.assert_allclose(np.cov(x.T), mixture_cov, rtol=0.05)


def test_sampling_at_temperature_zero_returns_component_means() -> None:
    mixture = RandomMixture("tied")
    samples = mixture.model.sample(50, generator=torch.Generator().manual_seed(1), temperature=0.0)
    distances = torch.cdist(samples.double(), torch.from_numpy(mixture.means)).min(-1).values
    assert float(distances.max()) < 1e-5


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sampling_is_transforming_the_drawn_noise(covariance_type: CovarianceType) -> None:
    model = RandomMixture(covariance_type).model
    noise = model.sample_noise(40, generator=torch.Generator().manual_seed(3), temperature=0.8)
    expected = model.sample(40, generator=torch.Generator().manual_seed(3), temperature=0.8)
    torch.testing.assert_close(model.sample_from_noise(noise), expected, rtol=0, atol=0)


def test_e_step_posterior_is_the_softmax_with_subnormal_responsibilities_set_to_zero() -> None:
    """Subnormal responsibilities would slow the M-step's products tenfold and change nothing."""
    log_joint = torch.tensor([[0.0, -700.0, -710.0, -800.0], [-3.0, -1.0, -2.0, -5.0]],
                             dtype=torch.float64)
    resp, log_px = gmm_module._posterior(log_joint)
    torch.testing.assert_close(log_px, torch.logsumexp(log_joint, -1))
    torch.testing.assert_close(resp[1], torch.softmax(log_joint[1], -1))
    assert resp[0, 0] == 1.0 and resp[0, 1] == math.exp(-700.0)
    assert resp[0, 2] == 0.0 and resp[0, 3] == 0.0


# -- 5. exact densities --------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_likelihood_equals_the_scipy_mixture_density(covariance_type: CovarianceType) -> None:
    """Computed in float64, returned in float32: agreement to float32 rounding (2^-24 ~ 6e-8)."""
    mixture = RandomMixture(covariance_type)

    result = mixture.model.log_likelihood(torch.from_numpy(mixture.x))["log_likelihood"]

    assert result.dtype == torch.float32
    np.testing.assert_allclose(result.numpy(), mixture.scipy_log_likelihood(mixture.x), rtol=1e-7)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_component_log_densities_equal_scipy_gaussians(covariance_type: CovarianceType) -> None:
    mixture = RandomMixture(covariance_type)

    result = mixture.model.component_log_densities(torch.from_numpy(mixture.x).float())

    expected = mixture.scipy_component_log_densities(mixture.x)
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)


# -- 6. responsibilities ---------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_responsibilities_sum_to_one_and_equal_sklearn_predict_proba(
    blobs: np.ndarray, covariance_type: CovarianceType
) -> None:
    reference = SklearnMixture(3, covariance_type=covariance_type, random_state=0).fit(blobs)
    model = make_model(covariance_type)
    model.set_parameters(
        weights=torch.from_numpy(reference.weights_),
        means=torch.from_numpy(reference.means_),
        covariances=torch.from_numpy(reference.covariances_),
    )
    x = blobs[::7] + np.random.default_rng(2).normal(scale=2.0, size=blobs[::7].shape)

    encoded = model.encode(torch.from_numpy(x))

    resp = encoded["responsibilities"]
    assert resp.dtype == torch.float32 and encoded["component"].dtype == torch.int64
    np.testing.assert_allclose(resp.sum(-1).numpy(), 1.0, atol=1e-6)
    np.testing.assert_allclose(resp.numpy(), reference.predict_proba(x), atol=2e-7)
    np.testing.assert_array_equal(encoded["component"].numpy(), reference.predict(x))


# -- 7. reconstruction and conditional means -------------------------------------------------------
def test_reconstruction_is_the_responsibility_weighted_mean(
    fitted: GaussianMixture, blobs: np.ndarray
) -> None:
    x = torch.from_numpy(blobs[:40])
    resp = fitted.encode(x)["responsibilities"].double()
    torch.testing.assert_close(fitted.reconstruct(x), (resp @ fitted.means).float())


def test_conditional_mean_of_one_gaussian_is_the_closed_form() -> None:
    mixture = RandomMixture("full", k=1, d=4, seed=5)
    x = mixture.x[:6]
    observed = np.array([True, False, True, False])
    o, m = observed, ~observed
    mu, sigma = mixture.means[0], mixture.full[0]
    expected = (
        mu[m] + (sigma[np.ix_(m, o)] @ np.linalg.solve(sigma[np.ix_(o, o)], (x[:, o] - mu[o]).T)).T
    )

    result = mixture.model.conditional_mean(
        torch.from_numpy(x), torch.from_numpy(np.tile(observed, (len(x), 1)))
    )

    np.testing.assert_allclose(result.numpy()[:, m], expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_conditional_mean_of_a_mixture_weights_component_conditionals_by_the_observed_marginal(
    covariance_type: CovarianceType,
) -> None:
    mixture = RandomMixture(covariance_type, k=3, d=4, seed=7)
    x = mixture.x[:10]
    masks = np.array(
        [
            [1, 0, 1, 0],
            [1, 0, 1, 0],
            [0, 0, 0, 0],
            [1, 1, 1, 1],
            [0, 1, 1, 1],
            [1, 0, 0, 0],
            [1, 0, 1, 0],
            [0, 1, 0, 1],
            [0, 0, 0, 0],
            [1, 1, 0, 1],
        ],
        dtype=bool,
    )  # repeated masks, nothing observed and everything observed

    result = mixture.model.conditional_mean(torch.from_numpy(x), torch.from_numpy(masks))

    for row, (values, o) in enumerate(zip(x, masks, strict=True)):
        m = ~o
        log_joint, conditionals = [], []
        for w, mu, sigma in zip(mixture.weights, mixture.means, mixture.full, strict=True):
            if o.any():
                marginal = multivariate_normal(mu[o], sigma[np.ix_(o, o)]).logpdf(values[o])
                shift = sigma[np.ix_(m, o)] @ np.linalg.solve(
                    sigma[np.ix_(o, o)], values[o] - mu[o]
                )
            else:
                marginal, shift = 0.0, 0.0
            log_joint.append(np.log(w) + marginal)
            conditionals.append(mu[m] + shift)
        resp = np.exp(np.array(log_joint) - logsumexp(log_joint))
        expected = values.copy()
        expected[m] = resp @ np.array(conditionals).reshape(len(resp), -1)
        np.testing.assert_allclose(result[row].numpy(), expected, rtol=1e-6, atol=1e-6)


def test_conditional_mean_returns_observed_entries_unchanged(fitted: GaussianMixture) -> None:
    x = torch.randn(30, 3, generator=torch.Generator().manual_seed(4)) * 5.0
    observed = torch.rand(30, 3, generator=torch.Generator().manual_seed(5)) < 0.5
    x_with_gaps = torch.where(observed, x, torch.full_like(x, float("nan")))

    result = fitted.conditional_mean(x_with_gaps, observed)

    assert torch.equal(result[observed], x[observed])
    assert bool(torch.isfinite(result).all())


# -- 8. persistence ------------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_save_then_load_model_gives_identical_tensors_and_two_files(
    blobs: np.ndarray, covariance_type: CovarianceType, tmp_path: Path
) -> None:
    model = make_model(covariance_type, max_iter=5)
    model.fit(torch.from_numpy(blobs))

    model.save(tmp_path)
    loaded = load_model(tmp_path)

    assert {p.name for p in tmp_path.iterdir()} == {WEIGHTS_FILE, CONFIG_FILE}
    assert isinstance(loaded, GaussianMixture)
    assert loaded.hparams == model.hparams
    assert loaded.state_dict().keys() == model.state_dict().keys()
    for name, tensor in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name


# -- 9. progress and cancellation ----------------------------------------------------------------
def test_progress_is_called_once_per_em_iteration(blobs: np.ndarray) -> None:
    events: list[Mapping[str, float]] = []
    model = make_model("full", max_iter=5, tol=0.0, n_init=2)

    summary = model.fit(torch.from_numpy(blobs), progress=events.append)

    assert [(e["restart"], e["iteration"]) for e in events] == [
        (r, i) for r in range(2) for i in range(1, 6)
    ]
    assert all(np.isfinite(e["log_likelihood"]) for e in events)
    assert summary["n_iter"] == 5 and summary["converged"] == 0.0


def test_training_cancelled_in_progress_stops_the_fit_and_propagates(blobs: np.ndarray) -> None:
    calls: list[Mapping[str, float]] = []

    def cancel_at_second(event: Mapping[str, float]) -> None:
        calls.append(event)
        if event["iteration"] == 2:
            raise TrainingCancelled("stop")

    with pytest.raises(TrainingCancelled):
        make_model("full", max_iter=50, tol=0.0).fit(
            torch.from_numpy(blobs), progress=cancel_at_second
        )
    assert len(calls) == 2


# -- 10. interpolation and validation ------------------------------------------------------------
def test_interpolation_starts_at_a_and_ends_at_b(fitted: GaussianMixture) -> None:
    a = torch.tensor([10.3, -4.9, 2.1])
    b = torch.tensor([16.0, 1.2, 8.4])

    result = fitted.interpolate(a, b, steps=7)

    assert torch.equal(result["path"][0], a) and torch.equal(result["path"][-1], b)
    assert result["path"].shape == (7, 3)
    assert result["log_likelihood"].shape == (7,)
    assert result["responsibilities"].shape == (7, 3)
    torch.testing.assert_close(
        result["log_likelihood"], fitted.log_likelihood(result["path"])["log_likelihood"]
    )


def test_interpolation_rejects_methods_other_than_linear(fitted: GaussianMixture) -> None:
    with pytest.raises(InvalidModelInput, match="slerp"):
        fitted.interpolate(torch.zeros(3), torch.ones(3), steps=5, method="slerp")


OPERATIONS: dict[str, Callable[[GaussianMixture, torch.Tensor], object]] = {
    "log_likelihood": lambda model, x: model.log_likelihood(x),
    "encode": lambda model, x: model.encode(x),
    "reconstruct": lambda model, x: model.reconstruct(x),
    "component_log_densities": lambda model, x: model.component_log_densities(x),
    "conditional_mean": lambda model, x: model.conditional_mean(
        x, torch.ones_like(x, dtype=torch.bool)
    ),
    "interpolate": lambda model, x: model.interpolate(x[0], x[1], steps=3),
    "fit": lambda model, x: model.fit(x),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_inputs_of_the_wrong_width_are_rejected(fitted: GaussianMixture, operation: str) -> None:
    with pytest.raises(InvalidModelInput, match=r"\[B, 3\]"):
        OPERATIONS[operation](fitted, torch.zeros(4, 5))


def test_fit_rejects_fewer_rows_than_components() -> None:
    with pytest.raises(InvalidModelInput, match="n_components"):
        make_model("full", n_components=5).fit(torch.randn(4, 3))
