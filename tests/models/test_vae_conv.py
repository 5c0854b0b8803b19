"""Specifications for the convolutional VAE: flat rows in and out, the bounds, persistence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from models import load_model
from models.base import CONFIG_FILE, DataSpec
from models.vae import VAE, VAEHyperparameters

L = 3
WEIGHTS = Path(__file__).resolve().parents[2] / "weights"


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _conv_vae(shape: tuple[int, ...], likelihood: str = "bernoulli") -> VAE:
    torch.manual_seed(0)
    hparams = VAEHyperparameters.model_validate({
        "architecture": "conv", "channels": [4, 8], "hidden_sizes": [16], "latent_dim": L,
        "likelihood": likelihood,
    })
    return VAE(hparams, DataSpec(shape=shape, value_range=(0.0, 1.0), dataset="test")).eval()


@pytest.fixture(params=[(28, 28), (8, 8)], ids=["28x28", "8x8"])
def model(request: pytest.FixtureRequest) -> VAE:
    """An untrained Bernoulli conv VAE with two stride-2 layers (28 -> 14 -> 7, 8 -> 4 -> 2)."""
    return _conv_vae(request.param)


@pytest.fixture
def digits_model() -> VAE:
    """An untrained Gaussian conv VAE on 8x8 images."""
    return _conv_vae((8, 8), likelihood="gaussian")


def _binary_images(model: VAE, n: int, seed: int = 1) -> torch.Tensor:
    return torch.bernoulli(torch.full((n, model.dim), 0.3), generator=_generator(seed))


# -- shapes ----------------------------------------------------------------------------------
def test_encode_maps_flat_images_to_one_latent_row_each(model: VAE) -> None:
    out = model.encode(_binary_images(model, 5))
    assert out["mean"].shape == (5, L) and out["log_var"].shape == (5, L)


def test_decode_keeps_any_leading_dimensions(model: VAE) -> None:
    """Importance sampling decodes ``[k, B, L]`` blocks; the output is ``[k, B, D]``."""
    with torch.no_grad():
        decoded = model.decode(torch.randn(4, 6, L, generator=_generator(2)))
        rows = model.decode(torch.randn(6, L, generator=_generator(2)))
    assert decoded.shape == (4, 6, model.dim) and rows.shape == (6, model.dim)


def test_samples_are_flat_rows_in_the_value_range(model: VAE) -> None:
    samples = model.sample(7, generator=_generator(3))
    assert samples.shape == (7, model.dim) and samples.dtype == torch.float32
    assert samples.min() >= 0.0 and samples.max() <= 1.0


@pytest.mark.parametrize("shape", [(7, 9), (3, 5, 6)], ids=["odd-sizes", "three-channels"])
def test_odd_sizes_and_several_channels_decode_to_exactly_the_data_shape(
    shape: tuple[int, ...],
) -> None:
    vae = _conv_vae(shape)
    assert vae.reconstruct(torch.rand(2, vae.dim)).shape == (2, vae.dim)


# -- the bounds and training -----------------------------------------------------------------
def test_elbo_is_at_most_the_iwae_bound_and_both_are_finite(model: VAE) -> None:
    scores = model.log_likelihood(_binary_images(model, 6), importance_samples=50,
                                  generator=_generator(4))
    assert torch.isfinite(scores["elbo"]).all() and torch.isfinite(scores["log_likelihood"]).all()
    assert (scores["elbo"] <= scores["log_likelihood"] + 1e-4).all()


def test_importance_sample_chunks_do_not_change_the_bounds(digits_model: VAE) -> None:
    x = torch.rand(5, digits_model.dim, generator=_generator(5))

    def bounds(chunk: int) -> dict[str, torch.Tensor]:
        copy = VAE(digits_model.hparams.model_copy(update={"iw_chunk_size": chunk}),
                   digits_model.data)
        copy.load_state_dict(digits_model.state_dict())
        return copy.eval().log_likelihood(x, importance_samples=30, generator=_generator(6))

    chunked, whole = bounds(7), bounds(1000)
    torch.testing.assert_close(chunked["log_likelihood"], whole["log_likelihood"])
    torch.testing.assert_close(chunked["elbo"], whole["elbo"])


def test_elbo_gradient_reaches_every_parameter(digits_model: VAE) -> None:
    loss = -digits_model.elbo(torch.rand(4, digits_model.dim), generator=_generator(0)).mean()
    loss.backward()
    for name, parameter in digits_model.named_parameters():
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name


def test_a_few_adam_steps_reduce_the_negative_elbo() -> None:
    vae = _conv_vae((8, 8)).train()
    batch = _binary_images(vae, 16)

    def loss() -> torch.Tensor:
        return -vae.elbo(batch, generator=_generator(7)).mean()

    before = float(loss().detach())
    optimiser = torch.optim.Adam(vae.parameters(), lr=1e-2)
    for _ in range(20):
        optimiser.zero_grad()
        loss().backward()
        optimiser.step()
    assert float(loss().detach()) < before - 1.0


# -- persistence -----------------------------------------------------------------------------
def test_save_and_load_round_trip_gives_identical_log_likelihood(
    digits_model: VAE, tmp_path: Path
) -> None:
    digits_model.save(tmp_path)
    loaded = load_model(tmp_path)
    assert isinstance(loaded, VAE) and loaded.hparams == digits_model.hparams
    assert json.loads((tmp_path / CONFIG_FILE).read_text())["hyperparameters"][
        "architecture"] == "conv"
    x = torch.rand(4, digits_model.dim, generator=_generator(8))
    scores = [m.log_likelihood(x, importance_samples=20, generator=_generator(9))
              for m in (digits_model, loaded)]
    assert torch.equal(scores[0]["log_likelihood"], scores[1]["log_likelihood"])


def test_a_saved_model_without_an_architecture_loads_as_the_mlp() -> None:
    folder = WEIGHTS / "digits-vae" / "1"
    assert "architecture" not in json.loads((folder / CONFIG_FILE).read_text())["hyperparameters"]
    loaded = load_model(folder)
    assert isinstance(loaded, VAE) and loaded.hparams.architecture == "mlp"


# -- validation ------------------------------------------------------------------------------
def test_conv_architecture_refuses_one_dimensional_data_naming_its_shape() -> None:
    hparams = VAEHyperparameters(architecture="conv", latent_dim=2)
    with pytest.raises(ValueError, match=r"shape \[2\].*use architecture 'mlp'"):
        VAE(hparams, DataSpec(shape=(2,), dataset="pinwheel"))


def test_hyperparameters_refuse_an_empty_channel_list() -> None:
    with pytest.raises(ValueError, match="channels"):
        VAEHyperparameters(architecture="conv", channels=[])
