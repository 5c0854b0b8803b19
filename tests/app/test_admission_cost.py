"""An admission cost per row pass is the model's multiply-adds (issue 18): about its size for an
MLP, many times its size for a convolutional VAE, which reuses its weights at every pixel."""

from __future__ import annotations

import torch

from app.admission import row_cost
from models.base import DataSpec
from models.vae import VAE, VAEHyperparameters
from tests.conftest import tiny_image_vae, tiny_point_gmm


def size(model: torch.nn.Module) -> int:
    return sum(t.numel() for t in [*model.parameters(), *model.buffers()])


def conv_vae() -> VAE:
    """28 x 28 images; 3x3 convolutions to 4 then 8 channels; 16 hidden units; 3 latents."""
    torch.manual_seed(0)
    hparams = VAEHyperparameters.model_validate({
        "architecture": "conv", "channels": [4, 8], "hidden_sizes": [16], "latent_dim": 3,
    })
    return VAE(hparams, DataSpec(shape=(28, 28), value_range=(0.0, 1.0), dataset="test")).eval()


def conv_multiply_adds_by_hand() -> int:
    """Per output pixel, a convolution does in x out x 3 x 3 multiply-adds; a transposed one
    does that per input pixel."""
    encoder = (
        14 * 14 * (1 * 4 * 9)  # 28x28x1 -> 14x14x4
        + 7 * 7 * (4 * 8 * 9)  # -> 7x7x8
        + 7 * 7 * 8 * 16  # flattened maps -> 16 hidden
        + 2 * 16 * 3  # the mean and log-variance heads
    )
    decoder = (
        3 * 16 + 16 * 7 * 7 * 8  # latents -> 16 hidden -> 7x7x8 maps
        + 7 * 7 * (8 * 4 * 9)  # transposed: 7x7x8 -> 14x14x4
        + 14 * 14 * (4 * 4 * 9)  # transposed: -> 28x28x4
        + 28 * 28 * (4 * 1 * 9)  # -> 28x28x1
    )
    return encoder + decoder


def test_an_mlp_vae_costs_about_its_size() -> None:
    model = tiny_image_vae()
    assert size(model) <= row_cost(model) <= 1.2 * size(model)


def test_a_conv_vae_costs_its_convolutions_counted_by_hand() -> None:
    model = conv_vae()
    assert model.row_multiply_adds() == conv_multiply_adds_by_hand()


def test_a_conv_vae_costs_many_times_its_size() -> None:
    model = conv_vae()
    assert row_cost(model) > 5 * size(model)


def test_a_gaussian_mixture_costs_at_least_its_size() -> None:
    model = tiny_point_gmm()
    assert row_cost(model) >= size(model)


def test_counting_leaves_the_model_as_it_was() -> None:
    model = tiny_image_vae()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.row_multiply_adds()
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
