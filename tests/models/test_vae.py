"""Specifications for models.vae: the bounds, the five operations, persistence and validation."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from sklearn.datasets import load_digits

import models.vae as vae_module
from models import load_model
from models.base import CONFIG_FILE, WEIGHTS_FILE, DataSpec, InvalidModelInput
from models.vae import VAE, VAEHyperparameters

D, L = 6, 3


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.fixture
def model() -> VAE:
    """A small untrained Gaussian VAE on [0, 1]-valued data, D = 6, L = 3."""
    torch.manual_seed(0)
    hparams = VAEHyperparameters(latent_dim=L, hidden_sizes=[16, 8])
    return VAE(hparams, DataSpec(shape=(D,), value_range=(0.0, 1.0))).eval()


@pytest.fixture
def x() -> torch.Tensor:
    return torch.rand(12, D, generator=_generator(1))


# -- 1. exact marginal of a linear-Gaussian model ------------------------------------------------
class LinearGaussianCase:
    """A linear VAE set by hand to ``x = W z + b + noise``, whose marginal is known exactly."""

    def __init__(self, seed: int = 0, dim: int = 5, latent: int = 2, n: int = 200) -> None:
        g = _generator(seed)
        w, b = torch.randn(dim, latent, generator=g), torch.randn(dim, generator=g)
        noise_var = 0.1 + 0.4 * torch.rand(dim, generator=g)
        hparams = VAEHyperparameters(latent_dim=latent, hidden_sizes=[], likelihood="gaussian")
        self.model = VAE(hparams, DataSpec(shape=(dim,))).eval()
        # Exact posterior of the linear-Gaussian model: Sigma = (I + W^T Psi^-1 W)^-1 and
        # mean Sigma W^T Psi^-1 (x - b); q keeps only its diagonal, so it is approximate.
        psi_inv = torch.diag(1.0 / noise_var)
        sigma = torch.linalg.inv(torch.eye(latent) + w.T @ psi_inv @ w)
        mean_map = sigma @ w.T @ psi_inv
        decoder = self.model.decoder[0]
        assert isinstance(decoder, torch.nn.Linear)  # hidden_sizes=[]: one linear map
        with torch.no_grad():
            decoder.weight.copy_(w)
            decoder.bias.copy_(b)
            self.model.decoder_log_var.copy_(noise_var.log())
            self.model.encoder_mean.weight.copy_(mean_map)
            self.model.encoder_mean.bias.copy_(-mean_map @ b)
            self.model.encoder_log_var.weight.zero_()
            self.model.encoder_log_var.bias.copy_(sigma.diagonal().log())
        z = torch.randn(n, latent, generator=g)
        self.x = z @ w.T + b + noise_var.sqrt() * torch.randn(n, dim, generator=g)
        marginal = torch.distributions.MultivariateNormal(b, w @ w.T + torch.diag(noise_var))
        self.exact = marginal.log_prob(self.x)

    def estimate(self, k: int) -> dict[str, torch.Tensor]:
        return self.model.log_likelihood(self.x, importance_samples=k, generator=_generator(7))


@pytest.fixture(scope="module")
def linear_gaussian() -> LinearGaussianCase:
    return LinearGaussianCase()


def test_iwae_with_1000_samples_matches_exact_marginal_of_linear_gaussian_model(
    linear_gaussian: LinearGaussianCase,
) -> None:
    estimate = linear_gaussian.estimate(1000)["log_likelihood"]
    assert (estimate - linear_gaussian.exact).abs().mean() < 0.05


def test_elbo_lies_below_exact_marginal_of_linear_gaussian_model(
    linear_gaussian: LinearGaussianCase,
) -> None:
    elbo = linear_gaussian.estimate(1000)["elbo"]
    assert elbo.mean() < linear_gaussian.exact.mean()
    assert (elbo <= linear_gaussian.exact).float().mean() >= 0.95


def test_iwae_error_shrinks_as_importance_samples_grow(
    linear_gaussian: LinearGaussianCase,
) -> None:
    def error(k: int) -> float:
        return float((linear_gaussian.estimate(k)["log_likelihood"] - linear_gaussian.exact)
                     .abs().mean())

    assert error(1000) < error(1)


# -- 2. bounds on a trained model ----------------------------------------------------------------
@pytest.fixture(scope="module")
def trained() -> tuple[VAE, torch.Tensor]:
    """A VAE fitted for 800 Adam steps to sklearn's 8x8 digits scaled to [0, 1]; held-out rows."""
    torch.manual_seed(0)
    data = torch.from_numpy(load_digits().data).float() / 16.0
    train, test = data[:1500], data[1500:]
    hparams = VAEHyperparameters(latent_dim=4, hidden_sizes=[64])
    model = VAE(hparams, DataSpec(shape=(8, 8), value_range=(0.0, 1.0)))
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    g = _generator(0)
    for _ in range(800):
        batch = train[torch.randint(len(train), (128,), generator=g)]
        loss = -model.elbo(batch, generator=g).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return model.eval(), test


@pytest.mark.parametrize("k", [1, 10, 100])
def test_elbo_is_at_most_iwae_on_trained_model(trained: tuple[VAE, torch.Tensor], k: int) -> None:
    model, x = trained
    scores = model.log_likelihood(x, importance_samples=k, generator=_generator(3))
    assert scores["elbo"].mean() <= scores["log_likelihood"].mean()
    if k == 1:
        torch.testing.assert_close(scores["elbo"], scores["log_likelihood"], rtol=0, atol=0)


def test_iwae_is_non_decreasing_in_k_on_trained_model(trained: tuple[VAE, torch.Tensor]) -> None:
    model, x = trained
    means = [
        float(model.log_likelihood(x, importance_samples=k, generator=_generator(3))
              ["log_likelihood"].mean())
        for k in (1, 10, 100)
    ]
    assert means[0] <= means[1] + 0.01
    assert means[1] <= means[2] + 0.01


# -- 3. chunking ---------------------------------------------------------------------------------
def _with_chunk_size(model: VAE, chunk: int) -> VAE:
    hparams = model.hparams.model_copy(update={"iw_chunk_size": chunk})
    copy = VAE(hparams, model.data)
    copy.load_state_dict(model.state_dict())
    return copy.eval()


def _count_decodes(model: VAE, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    decode = model.decode

    def counting_decode(z: torch.Tensor) -> torch.Tensor:
        calls.append(z.shape[0])
        return decode(z)

    monkeypatch.setattr(model, "decode", counting_decode)
    return calls


def test_chunked_iwae_equals_single_chunk_iwae_with_same_seed(
    model: VAE, x: torch.Tensor, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunked, whole = _with_chunk_size(model, 7), _with_chunk_size(model, 1000)
    chunked_calls, whole_calls = _count_decodes(chunked, monkeypatch), _count_decodes(
        whole, monkeypatch
    )
    a = chunked.log_likelihood(x, importance_samples=50, generator=_generator(5))
    b = whole.log_likelihood(x, importance_samples=50, generator=_generator(5))
    assert chunked_calls == [7] * 7 + [1] and whole_calls == [50]
    torch.testing.assert_close(a["log_likelihood"], b["log_likelihood"], rtol=0, atol=1e-5)
    torch.testing.assert_close(a["elbo"], b["elbo"], rtol=0, atol=1e-5)


def test_splitting_the_batch_into_row_blocks_does_not_change_the_bounds(
    model: VAE, x: torch.Tensor, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = model.log_likelihood(x, importance_samples=20, generator=_generator(5))
    monkeypatch.setattr(vae_module, "_MAX_CHUNK_FLOATS", 20 * 16 * 5)  # 5 rows of width 16
    assert model._chunk_sizes(len(x), 20) == (20, 5)
    blocked = model.log_likelihood(x, importance_samples=20, generator=_generator(5))
    torch.testing.assert_close(blocked["log_likelihood"], whole["log_likelihood"])
    torch.testing.assert_close(blocked["elbo"], whole["elbo"])


def test_log_likelihood_returns_float32_per_example(model: VAE, x: torch.Tensor) -> None:
    scores = model.log_likelihood(x, importance_samples=3)
    assert set(scores) == {"log_likelihood", "elbo"}
    assert all(v.shape == (len(x),) and v.dtype == torch.float32 for v in scores.values())


# -- 4. interpolation ----------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["linear", "slerp"])
def test_interpolation_path_starts_and_ends_at_reconstructions(
    model: VAE, x: torch.Tensor, method: str
) -> None:
    out = model.interpolate(x[0], x[1], 9, method)  # type: ignore[arg-type]
    assert out["path"].shape == (9, D) and out["latents"].shape == (9, L)
    ends = model.reconstruct(x[:2])
    torch.testing.assert_close(out["path"][0], ends[0], rtol=0, atol=1e-5)
    torch.testing.assert_close(out["path"][-1], ends[1], rtol=0, atol=1e-5)


def test_slerp_between_unit_latents_stays_on_the_unit_sphere() -> None:
    a, b = torch.randn(2, L, generator=_generator(4))
    a, b = a / a.norm(), b / b.norm()
    path = vae_module._slerp(a, b, torch.linspace(0, 1, 7)[:, None])
    torch.testing.assert_close(path.norm(dim=1), torch.ones(7))
    torch.testing.assert_close(path[[0, -1]], torch.stack([a, b]))


def test_slerp_between_parallel_latents_falls_back_to_linear() -> None:
    a = torch.tensor([1.0, 2.0, 3.0])
    t = torch.linspace(0, 1, 4)[:, None]
    path = vae_module._slerp(a, 2 * a, t)
    torch.testing.assert_close(path, torch.lerp(a, 2 * a, t))


def test_unknown_interpolation_method_is_rejected(model: VAE, x: torch.Tensor) -> None:
    with pytest.raises(InvalidModelInput, match="interpolation method"):
        model.interpolate(x[0], x[1], 5, "cubic")  # type: ignore[arg-type]


# -- 5. sampling ---------------------------------------------------------------------------------
def test_sampling_with_the_same_seed_is_reproducible(model: VAE) -> None:
    torch.testing.assert_close(
        model.sample(8, generator=_generator(11)), model.sample(8, generator=_generator(11)),
        rtol=0, atol=0,
    )


def test_sampling_with_different_seeds_differs(model: VAE) -> None:
    assert not torch.equal(model.sample(8, generator=_generator(11)),
                           model.sample(8, generator=_generator(12)))


def test_sampling_at_temperature_zero_returns_decoder_mean_at_the_origin(model: VAE) -> None:
    samples = model.sample(4, generator=_generator(11), temperature=0.0)
    with torch.no_grad():
        origin = model.clamp_to_range(model.decoder_mean(torch.zeros(1, L)))
    torch.testing.assert_close(samples, origin.expand(4, D))


def test_samples_are_float32_within_the_value_range(model: VAE) -> None:
    samples = model.sample(64, generator=_generator(0), temperature=3.0)
    assert samples.shape == (64, D) and samples.dtype == torch.float32
    assert samples.min() >= 0.0 and samples.max() <= 1.0


def test_sampling_is_decoding_the_drawn_noise(model: VAE) -> None:
    noise = model.sample_noise(5, generator=_generator(4), temperature=0.7)
    torch.testing.assert_close(
        model.sample_from_noise(noise),
        model.sample(5, generator=_generator(4), temperature=0.7), rtol=0, atol=0,
    )


def test_noise_groups_give_each_group_the_draws_it_would_get_alone(
    model: VAE, x: torch.Tensor
) -> None:
    """What dynamic batching relies on: rows batched together keep their own random draws."""
    alone = [model.log_likelihood(x[:5], importance_samples=30, generator=_generator(1)),
             model.log_likelihood(x[5:], importance_samples=30, generator=_generator(2))]
    together = model.log_likelihood(
        x, importance_samples=30, groups=[(5, _generator(1)), (len(x) - 5, _generator(2))]
    )
    for key in ("log_likelihood", "elbo"):
        torch.testing.assert_close(together[key], torch.cat([a[key] for a in alone]))


def test_noise_groups_must_cover_the_batch(model: VAE, x: torch.Tensor) -> None:
    with pytest.raises(InvalidModelInput, match="noise groups"):
        model.log_likelihood(x, importance_samples=3, groups=[(2, _generator(1))])


# -- 6. reparameterisation gradient --------------------------------------------------------------
def test_elbo_gradient_reaches_every_encoder_and_decoder_parameter(
    model: VAE, x: torch.Tensor
) -> None:
    loss = -model.elbo(x, generator=_generator(0)).mean()
    loss.backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name


# -- 7. likelihoods ------------------------------------------------------------------------------
def test_bernoulli_log_px_given_z_matches_torch_bernoulli() -> None:
    torch.manual_seed(0)
    hparams = VAEHyperparameters(latent_dim=L, hidden_sizes=[8], likelihood="bernoulli")
    model = VAE(hparams, DataSpec(shape=(D,), value_range=(0.0, 1.0)))
    x = torch.randint(0, 2, (10, D), generator=_generator(2)).float()
    logits = model.decode(torch.randn(4, 10, L, generator=_generator(3)))  # [S, B, D]
    expected = torch.distributions.Bernoulli(logits=logits).log_prob(x).sum(-1)
    torch.testing.assert_close(model.log_px_given_z(x, logits), expected)


def test_gaussian_log_px_given_z_matches_torch_normal_with_floored_variance(
    model: VAE, x: torch.Tensor
) -> None:
    with torch.no_grad():
        model.decoder_log_var.copy_(torch.linspace(-20.0, 1.0, D))
    mean = model.decode(torch.randn(4, len(x), L, generator=_generator(3)))
    scale = torch.exp(0.5 * torch.linspace(-20.0, 1.0, D).clamp(min=model.hparams.min_log_var))
    expected = torch.distributions.Normal(mean, scale).log_prob(x).sum(-1)
    # Terms near 1e4 nats at the floor: float32 sums in another order (threads) differ by ~1e-6
    torch.testing.assert_close(model.log_px_given_z(x, mean), expected, rtol=1e-5, atol=1e-3)


# -- 8. persistence ------------------------------------------------------------------------------
def test_save_and_load_round_trip_keeps_every_tensor_and_output(
    model: VAE, x: torch.Tensor, tmp_path: Path
) -> None:
    model.save(tmp_path)
    loaded = load_model(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {WEIGHTS_FILE, CONFIG_FILE}
    assert isinstance(loaded, VAE) and loaded.hparams == model.hparams
    original, restored = model.state_dict(), loaded.state_dict()
    assert original.keys() == restored.keys()
    assert all(torch.equal(original[k], restored[k]) for k in original)
    assert torch.equal(loaded.reconstruct(x), model.reconstruct(x))


def test_parameters_are_float32(model: VAE) -> None:
    assert all(t.dtype == torch.float32 for t in model.state_dict().values())


# -- 9. validation -------------------------------------------------------------------------------
@pytest.mark.parametrize("operation", ["encode", "reconstruct", "log_likelihood"])
@pytest.mark.parametrize("bad", ["wrong_width", "nan"])
def test_invalid_input_raises_invalid_model_input(
    model: VAE, x: torch.Tensor, operation: str, bad: str
) -> None:
    if bad == "wrong_width":
        x = x[:, :-1]
    else:
        x = x.clone()
        x[0, 0] = float("nan")
    with pytest.raises(InvalidModelInput):
        getattr(model, operation)(x)


def test_interpolation_endpoint_of_wrong_width_is_rejected(model: VAE, x: torch.Tensor) -> None:
    with pytest.raises(InvalidModelInput, match="expected"):
        model.interpolate(x[0, :-1], x[1, :-1], 5)


def test_zero_importance_samples_are_rejected(model: VAE, x: torch.Tensor) -> None:
    with pytest.raises(InvalidModelInput, match="importance_samples"):
        model.log_likelihood(x, importance_samples=0)


def test_hyperparameters_reject_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        VAEHyperparameters(latent_dims=4)  # type: ignore[call-arg]


# -- the latent GMM prior (ex-post density estimation, Ghosh et al. 2019) ----------------------
@pytest.fixture
def vae_with_latent_prior() -> VAE:
    from models.vae import LatentPriorSpec

    torch.manual_seed(0)
    model = VAE(
        VAEHyperparameters(latent_dim=2, hidden_sizes=[16], likelihood="bernoulli"),
        DataSpec(shape=(4, 4), value_range=(0.0, 1.0), dataset="test"),
    ).eval()
    data = torch.rand(300, 16)
    model.fit_latent_prior(data, LatentPriorSpec(n_components=3))
    return model


def test_latent_prior_round_trips_through_save_and_load(
    vae_with_latent_prior: VAE, tmp_path: Path
) -> None:
    vae_with_latent_prior.save(tmp_path)
    loaded = load_model(tmp_path)
    assert isinstance(loaded, VAE) and loaded.latent_prior is not None
    for name, tensor in vae_with_latent_prior.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name
    assert loaded.priors == ["normal", "gmm"]


def test_gmm_prior_samples_are_reproducible_with_a_seed(vae_with_latent_prior: VAE) -> None:
    def draw(seed: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(seed)
        return vae_with_latent_prior.sample(8, generator=generator, prior="gmm")

    assert torch.equal(draw(3), draw(3))
    assert not torch.equal(draw(3), draw(4))


def test_gmm_prior_latents_follow_the_fitted_mixture(vae_with_latent_prior: VAE) -> None:
    prior = vae_with_latent_prior.latent_prior
    assert prior is not None
    z = vae_with_latent_prior.sample_noise(20_000, generator=torch.Generator().manual_seed(0),
                                           prior="gmm")["z"]
    expected_mean = (prior.weights[:, None] * prior.means).sum(0).float()
    torch.testing.assert_close(z.mean(0), expected_mean, atol=0.05, rtol=0.0)


def test_gmm_prior_without_a_fitted_mixture_is_refused() -> None:
    model = VAE(VAEHyperparameters(latent_dim=2, hidden_sizes=[8]), DataSpec(shape=(3,)))
    with pytest.raises(InvalidModelInput, match="no latent GMM prior"):
        model.sample(2, prior="gmm")
