"""What the VAE and the GMM declare through the model contract (models/base.py), and how they
hold to it: the service reads these declarations instead of probing the models."""

from __future__ import annotations

import pytest
import torch

from models import VAE, DataSpec, GaussianMixture, GMMHyperparameters, VAEHyperparameters
from models.base import CAPABILITY_METHODS, OPERATIONS, VIEW_METHODS, InvalidModelInput


@pytest.fixture
def vae() -> VAE:
    torch.manual_seed(0)
    data = DataSpec(shape=(4,), dataset="test")
    return VAE(VAEHyperparameters(latent_dim=2, hidden_sizes=[8]), data).eval()


@pytest.fixture
def gmm() -> GaussianMixture:
    model = GaussianMixture(GMMHyperparameters(n_components=2, covariance_type="diag"),
                            DataSpec(shape=(3,), dataset="test"))
    model.fit(torch.randn(40, 3, generator=torch.Generator().manual_seed(0)))
    return model.eval()


def test_the_five_operations_are_declared_with_their_methods() -> None:
    assert set(OPERATIONS) <= set(CAPABILITY_METHODS)
    assert VAE.capabilities == GaussianMixture.capabilities == frozenset(OPERATIONS)


def test_the_gmm_declares_an_exact_likelihood_and_its_components() -> None:
    assert GaussianMixture.exact_likelihood and GaussianMixture.views == {"components"}
    assert not GaussianMixture.conditional
    assert GaussianMixture.kind_title == "Gaussian mixture"


def test_the_vae_declares_a_bound_and_its_latent_view() -> None:
    assert not VAE.exact_likelihood and VAE.views == {"latent"}
    assert set(VIEW_METHODS) >= VAE.views | GaussianMixture.views
    assert not VAE.conditional
    assert VAE.interpolation_methods == {"linear", "slerp"}


def test_the_estimator_says_exact_or_the_bound_with_its_k(vae: VAE, gmm: GaussianMixture) -> None:
    assert gmm.likelihood_estimator(50) == "exact" and gmm.likelihood_passes(50) == 1
    assert vae.likelihood_estimator(50) == "importance-weighted bound, k=50"
    assert vae.likelihood_estimator(50, abbreviated=True) == "IWAE bound, k=50"
    assert vae.likelihood_passes(50) == 50


@pytest.mark.parametrize("kind", ["vae", "gmm"])
def test_unconditional_models_refuse_labels(
    kind: str, vae: VAE, gmm: GaussianMixture
) -> None:
    model = vae if kind == "vae" else gmm
    labels = torch.zeros(2, dtype=torch.int64)
    x = torch.zeros(2, model.dim)
    for call in (
        lambda: model.sample(2, labels=labels),
        lambda: model.log_likelihood(x, labels=labels),
        lambda: model.interpolate(x[0], x[1], 3, labels=labels),
    ):
        with pytest.raises(InvalidModelInput, match="not conditional"):
            call()


def test_sampling_is_noise_then_one_transform(vae: VAE) -> None:
    """``sample`` is the base's composition, so batched and single sampling agree."""
    noise = vae.sample_noise(3, generator=torch.Generator().manual_seed(1))
    direct = vae.sample(3, generator=torch.Generator().manual_seed(1))
    assert torch.equal(vae.sample_from_noise(noise), direct)


def test_a_gmm_has_only_the_normal_prior(gmm: GaussianMixture) -> None:
    assert gmm.priors == ["normal"]
    with pytest.raises(InvalidModelInput, match="prior"):
        gmm.sample_noise(1, prior="gmm")


def test_the_mixture_components_are_full_covariances(gmm: GaussianMixture) -> None:
    components = gmm.mixture_components()
    assert components.covariance_type == "diag"
    assert components.covariances is not None
    assert torch.equal(components.covariances, torch.diag_embed(gmm.covariances()))
    assert gmm.mixture_components(covariances=False).covariances is None


def test_an_undeclared_view_raises_rather_than_answering(vae: VAE) -> None:
    with pytest.raises(NotImplementedError, match="components"):
        vae.mixture_components()
