"""The VAE's networks: an MLP, or stride-2 convolutions ahead of MLP layers for images.

Every network here takes and returns flat rows with any leading dimensions (``[..., D]`` in,
``[..., width]`` out), so the VAE's maths in :mod:`models.vae` never asks which one it has.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from models.base import DataSpec

__all__ = ["ConvDecoder", "ConvEncoder", "image_shape", "mlp"]

_ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "elu": nn.ELU}

def mlp(sizes: list[int], activation: str, *, activate_last: bool) -> nn.Sequential:
    """Linear layers ``sizes[0] -> ... -> sizes[-1]`` with ``activation`` between them."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out, dtype=torch.float32))
        if activate_last or i < len(sizes) - 2:
            layers.append(_ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def image_shape(data: DataSpec) -> tuple[int, int, int]:
    """``(C, H, W)`` of the images a convolutional VAE takes; ``[H, W]`` data is one channel."""
    shape = tuple(data.shape)
    if len(shape) == 2:
        return (1, shape[0], shape[1])
    if len(shape) == 3:
        return (shape[0], shape[1], shape[2])
    raise ValueError(
        f"architecture 'conv' needs images of shape [H, W] or [C, H, W]; data set "
        f"{data.dataset!r} has examples of shape {list(shape)}: use architecture 'mlp'"
    )


def _halvings(size: int, times: int) -> list[int]:
    """``size`` after each of ``times`` stride-2, padding-1 3x3 convolutions: ``ceil(s / 2)``."""
    sizes = [size]
    for _ in range(times):
        sizes.append((sizes[-1] + 1) // 2)
    return sizes


class ConvEncoder(nn.Module):
    """Flat images ``[..., C*H*W]`` -> features ``[..., width]``.

    Stride-2 3x3 convolutions, then the MLP layers on the flattened maps (with ``extra`` inputs
    beside them, for a label). It takes flat rows with
    any leading dimensions, as the MLP encoder does, so no method of :class:`VAE` needs to know
    which one it has.
    """

    def __init__(
        self, image: tuple[int, int, int], channels: list[int], hidden: list[int],
        activation: str, extra: int = 0,
    ) -> None:
        super().__init__()
        self.image = image
        layers: list[nn.Module] = []
        for n_in, n_out in zip([image[0], *channels[:-1]], channels, strict=True):
            layers += [nn.Conv2d(n_in, n_out, 3, stride=2, padding=1, dtype=torch.float32),
                       _ACTIVATIONS[activation]()]
        self.convs = nn.Sequential(*layers)
        heights, widths = _halvings(image[1], len(channels)), _halvings(image[2], len(channels))
        flat = channels[-1] * heights[-1] * widths[-1]
        self.trunk = mlp([flat + extra, *hidden], activation, activate_last=True)
        self.width = hidden[-1] if hidden else flat + extra

    def forward(self, x: Tensor, extra: Tensor | None = None) -> Tensor:
        """``extra: [..., E]`` (a conditional VAE's one-hot label) joins the flattened maps."""
        lead = x.shape[:-1]
        maps = self.convs(x.reshape(math.prod(lead), *self.image)).flatten(1)
        if extra is not None:
            maps = torch.cat([maps, extra.reshape(maps.shape[0], -1).to(maps.dtype)], -1)
        features: Tensor = self.trunk(maps)
        return features.reshape(*lead, features.shape[-1])


class ConvDecoder(nn.Module):
    """Latents ``[..., L]`` -> flat images ``[..., C*H*W]`` (logits or means), mirroring
    :class:`ConvEncoder`.

    The MLP layers end in ``channels[-1]`` maps of the encoder's smallest size; each stride-2
    transposed convolution doubles them back, with ``output_padding`` 1 where the encoder halved
    an even size, so the output is exactly ``H x W`` whatever the sizes (28 -> 14 -> 7 and back,
    7 -> 4 -> 2 and back); a last 3x3 convolution gives the ``C`` output channels.
    """

    def __init__(
        self, image: tuple[int, int, int], channels: list[int], hidden: list[int], latent: int,
        activation: str,
    ) -> None:
        super().__init__()
        n = len(channels)
        heights, widths = _halvings(image[1], n), _halvings(image[2], n)
        self.maps = (channels[-1], heights[-1], widths[-1])
        self.trunk = mlp([latent, *hidden[::-1], math.prod(self.maps)], activation,
                          activate_last=True)
        layers: list[nn.Module] = []
        outputs = [*channels[-2::-1], channels[0]]  # channels after each upsampling
        for i, (n_in, n_out) in enumerate(zip(channels[::-1], outputs, strict=True)):
            target = n - 1 - i  # the size index this layer restores
            padding = (1 - heights[target] % 2, 1 - widths[target] % 2)
            layers += [nn.ConvTranspose2d(n_in, n_out, 3, stride=2, padding=1,
                                          output_padding=padding, dtype=torch.float32),
                       _ACTIVATIONS[activation]()]
        layers.append(nn.Conv2d(channels[0], image[0], 3, padding=1, dtype=torch.float32))
        self.convs = nn.Sequential(*layers)
        # Floats per example in the largest feature map, for sizing importance-sampling blocks.
        self.widest = max(c * h * w for c, h, w in
                          zip([channels[0], *channels], heights, widths, strict=True))

    def forward(self, z: Tensor) -> Tensor:
        lead = z.shape[:-1]
        maps = self.trunk(z.reshape(math.prod(lead), z.shape[-1])).unflatten(1, self.maps)
        images: Tensor = self.convs(maps).flatten(1)
        return images.reshape(*lead, images.shape[-1])
