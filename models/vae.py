"""Variational autoencoder with a diagonal-Gaussian encoder (Kingma & Welling 2014).

Generative model ``p(z) = N(0, I)``, ``p(x | z)`` Bernoulli (logits) or diagonal Gaussian with a
learned per-dimension variance; inference model ``q(z | x) = N(mu(x), diag sigma^2(x))``.

Two networks compute ``q`` and ``p(x | z)``: an MLP (``architecture="mlp"``, the default), or, for
images, stride-2 convolutions ahead of the MLP layers (``architecture="conv"``), mirrored by
transposed convolutions in the decoder. Both take and return flat rows, so the maths below does
not depend on the choice.

The maths methods (``encode_params``, ``reparameterize``, ``decode``, ``decoder_mean``,
``log_px_given_z``, ``log_pz``, ``log_qz_given_x``, ``kl_to_prior``, ``elbo``, ``iwae_bound``)
take tensors already on the model's device and keep autograd, so training can use them. The five
operations of :class:`GenerativeModel` (``sample``, ``encode``, ``reconstruct``,
``log_likelihood``, ``interpolate``) validate their inputs, run without gradients and return
float32.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Literal

import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field
from torch import Tensor, nn

from models.base import DataSpec, GenerativeModel, InvalidModelInput, NoiseGroups
from models.gmm import GaussianMixture, GMMHyperparameters
from models.networks import ConvDecoder, ConvEncoder, image_shape, mlp

__all__ = ["VAE", "LatentPriorSpec", "VAEHyperparameters", "network_differences"]

_LOG_2PI = math.log(2.0 * math.pi)
_MAX_CHUNK_FLOATS = 2**19
"""Rough cap on the floats in one importance-sampling block (``samples x rows x width``).

Small enough that a block's few temporaries stay in the CPU's caches (2 MiB each): with 2^24,
large batches ran 1.7x slower per row; it also keeps peak memory flat whatever the batch size."""

MAX_LATENT_DIM = 512
"""Latent sizes above this buy nothing for the data genserve trains on, and cost memory in
every importance-sampling block (``samples x rows x L`` floats)."""
MAX_WIDTH = 4096
MAX_LAYERS = 8
MAX_CHANNELS = 512
MAX_CONV_LAYERS = 6
"""Network bounds: a 784-4096-4096-...-784 MLP at the limits has about 120 M parameters (0.5 GB
of float32, 2 GB with Adam's moments and gradients); the job check also caps the total."""



class VAEHyperparameters(BaseModel):
    """Architecture and objective of a :class:`VAE`; saved as JSON beside the weights.

    Upper bounds keep one job inside a worker's memory and time (``MAX_*`` above, and the
    job parameter check, which also bounds the networks' total size); the defaults train a good
    model on digits, the 2-D sets and MNIST-like images without tuning.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    latent_dim: int = Field(
        default=16, ge=1, le=MAX_LATENT_DIM,
        description=f"Dimension L of the latent z (at most {MAX_LATENT_DIM}). Units the data do "
        "not need stay inactive (see the active_units metric), so a generous L costs little.",
    )
    hidden_sizes: list[Annotated[int, Field(ge=1, le=MAX_WIDTH)]] = Field(
        default_factory=lambda: [256, 128], max_length=MAX_LAYERS,
        description="Encoder hidden widths (the decoder mirrors them); [] = linear maps. At most "
        f"{MAX_LAYERS} layers of at most {MAX_WIDTH} units.",
    )
    architecture: Literal["mlp", "conv"] = Field(
        default="mlp",
        description="'conv': stride-2 convolutions before the hidden layers (images only).",
    )
    channels: list[Annotated[int, Field(ge=1, le=MAX_CHANNELS)]] = Field(
        default_factory=lambda: [32, 64], min_length=1, max_length=MAX_CONV_LAYERS,
        description="Conv only: channels of each stride-2 3x3 convolution (each halves H, W). "
        f"At most {MAX_CONV_LAYERS} convolutions of at most {MAX_CHANNELS} channels.",
    )
    likelihood: Literal["bernoulli", "gaussian"] = "gaussian"
    beta: float = Field(
        default=1.0, gt=0.0,
        description="Weight of the KL term in the ELBO (finite; 1 is the true bound, larger "
        "values push towards an unused latent space).",
    )
    activation: Literal["relu", "tanh", "elu"] = "relu"
    min_log_var: float = Field(
        default=-9.0, ge=-20.0, le=5.0,
        description="Floor of the Gaussian decoder's learned log-variance (-20 to 5). Lower "
        "floors let always-black pixels of 8-bit images be modelled more tightly, but a rare "
        "non-zero value then costs thousands of nats: -14 collapsed an MNIST upload to 2 active "
        "units where -9 and -11 gave 16.",
    )
    iw_chunk_size: int = Field(
        default=256, ge=1, le=4096,
        description="Importance samples evaluated together in one chunk (at most 4096; the "
        "chunk is cut further to keep about 2^19 floats per block).",
    )
    latent_prior: LatentPriorSpec | None = Field(
        default=None, description="A GMM fitted to the training set's latent means, if any."
    )


_NETWORK_FIELDS = ("architecture", "channels", "hidden_sizes", "latent_dim", "likelihood",
                   "activation")


def network_differences(a: VAEHyperparameters, b: VAEHyperparameters) -> list[str]:
    """The hyper-parameters shaping the networks in which ``a`` and ``b`` differ (a warm start
    needs none)."""
    return [key for key in _NETWORK_FIELDS if getattr(a, key) != getattr(b, key)]


class LatentPriorSpec(BaseModel):
    """Ex-post density estimation in latent space (Ghosh et al. 2019, "From Variational to
    Deterministic Autoencoders", section 4): a GMM on the posterior means of the training set."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    n_components: int = Field(default=10, ge=1, le=100)
    covariance_type: Literal["full", "diag", "spherical", "tied"] = "full"
    reg_covar: float = Field(default=1e-6, ge=0.0)
    seed: int = Field(default=0, ge=0)


VAEHyperparameters.model_rebuild()


class VAE(GenerativeModel):
    """VAE with ``D = data.dim`` observed and ``L = latent_dim`` latent dimensions."""

    kind = "vae"
    kind_title = "Variational auto-encoder"
    Hyperparameters = VAEHyperparameters
    interpolation_methods = frozenset({"linear", "slerp"})
    views = frozenset({"latent"})

    hparams: VAEHyperparameters

    def __init__(self, hparams: VAEHyperparameters, data: DataSpec) -> None:
        super().__init__(hparams, data)
        hidden, latent = list(hparams.hidden_sizes), hparams.latent_dim
        self._widest = max(self.dim, latent, *hidden)  # floats per example, widest layer
        image = image_shape(data) if hparams.architecture == "conv" else None
        channels = list(hparams.channels)
        extra = self.condition_width(data)  # label inputs beside x and z (a conditional VAE)
        # Encoder, heads, then decoder: the order in which a seed gives the MLP its weights.
        self.encoder: nn.Module
        if image is not None:
            encoder = ConvEncoder(image, channels, hidden, hparams.activation, extra)
            self.encoder, trunk_width = encoder, encoder.width
        else:
            self.encoder = mlp([self.dim + extra, *hidden], hparams.activation,
                               activate_last=True)
            trunk_width = hidden[-1] if hidden else self.dim + extra
        self.encoder_mean = nn.Linear(trunk_width, latent, dtype=torch.float32)
        self.encoder_log_var = nn.Linear(trunk_width, latent, dtype=torch.float32)
        self.decoder: nn.Module
        if image is not None:
            decoder = ConvDecoder(image, channels, hidden, latent + extra, hparams.activation)
            self.decoder, self._widest = decoder, max(self._widest, decoder.widest)
        else:
            self.decoder = mlp([latent + extra, *hidden[::-1], self.dim], hparams.activation,
                                activate_last=False)
        if hparams.likelihood == "gaussian":
            self.decoder_log_var = nn.Parameter(torch.zeros(self.dim, dtype=torch.float32))
        self.latent_prior = (
            self._latent_gmm(hparams.latent_prior) if hparams.latent_prior is not None else None
        )

    def condition_width(self, data: DataSpec) -> int:
        """Inputs the networks take beside ``x`` and ``z``: none; a CVAE's one-hot label."""
        return 0

    @property
    def latent_dim(self) -> int:
        return self.hparams.latent_dim

    @property
    def priors(self) -> list[str]:
        """The priors :meth:`sample` can draw from."""
        return ["normal", "gmm"] if self.latent_prior is not None else ["normal"]

    def _latent_gmm(self, spec: LatentPriorSpec) -> GaussianMixture:
        hparams = GMMHyperparameters(
            n_components=spec.n_components, covariance_type=spec.covariance_type,
            reg_covar=spec.reg_covar, seed=spec.seed, n_init=3, max_iter=500,
        )
        space = DataSpec(shape=(self.latent_dim,), dataset=f"latent means of {self.data.dataset}")
        return GaussianMixture(hparams, space)

    @torch.no_grad()
    def fit_latent_prior(self, x: Tensor, spec: LatentPriorSpec | None = None) -> dict[str, float]:
        """Fit the latent GMM to the posterior means of ``x: [N, D]`` and keep it in the model.

        The GMM's buffers join the state dict and its spec the hyper-parameters, so it saves
        and loads with the VAE.
        """
        spec = spec or LatentPriorSpec()
        means = torch.cat([
            self.encode_params(self.check_input(x[i : i + 4096]))[0]
            for i in range(0, len(x), 4096)
        ])
        prior = self._latent_gmm(spec).to(self.device)
        summary = prior.fit(means.double())
        self.latent_prior = prior.eval()
        self.hparams = self.hparams.model_copy(update={"latent_prior": spec})
        return summary

    # -- the maths ---------------------------------------------------------------------------
    # ``condition`` (``[B, C]``, a conditional VAE's one-hot labels, soft along an interpolation
    # path) joins the encoder's and the decoder's inputs; None for an unconditional VAE.
    def encode_params(
        self, x: Tensor, condition: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """``x: [..., D]`` -> ``(mu, log_var)`` of ``q(z | x)`` (``q(z | x, y)``), each
        ``[..., L]``.

        In the dtype of ``x`` even under autocast (mixed-precision training), so the
        reparameterisation, KL and likelihoods stay in full precision.
        """
        if condition is None:
            h = self.encoder(x)
        else:
            condition = condition.to(x.dtype).expand(*x.shape[:-1], condition.shape[-1])
            h = (self.encoder(x, condition) if isinstance(self.encoder, ConvEncoder)
                 else self.encoder(torch.cat([x, condition], -1)))
        return self.encoder_mean(h).to(x.dtype), self.encoder_log_var(h).to(x.dtype)

    def reparameterize(
        self, mu: Tensor, log_var: Tensor, generator: torch.Generator | None = None
    ) -> Tensor:
        """``z = mu + sigma * eps`` with ``eps ~ N(0, I)`` (Kingma & Welling 2014, eq. 10)."""
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + torch.exp(0.5 * log_var) * eps

    def decode(self, z: Tensor, condition: Tensor | None = None) -> Tensor:
        """``z: [..., L]`` -> Bernoulli logits or Gaussian mean of ``p(x | z)`` (``p(x | z,
        y)``; ``condition: [B, C]`` broadcast over ``z``'s leading dimensions), ``[..., D]``.

        In the dtype of ``z``, as :meth:`encode_params`.
        """
        if condition is not None:
            condition = condition.to(z.dtype).expand(*z.shape[:-1], condition.shape[-1])
            z = torch.cat([z, condition], -1)
        decoded: Tensor = self.decoder(z)
        return decoded.to(z.dtype)

    def decoder_mean(self, z: Tensor, condition: Tensor | None = None) -> Tensor:
        """``E[x | z]``: ``z: [..., L]`` -> ``[..., D]``."""
        decoded = self.decode(z, condition)
        return torch.sigmoid(decoded) if self.hparams.likelihood == "bernoulli" else decoded

    def decoder_log_variance(self) -> Tensor:
        """The Gaussian decoder's per-dimension log-variance ``[D]``, floored at min_log_var."""
        return self.decoder_log_var.clamp(min=self.hparams.min_log_var)

    def log_px_given_z(self, x: Tensor, decoded: Tensor) -> Tensor:
        """``log p(x | z)`` summed over D; ``x: [B, D]``, ``decoded = decode(z): [..., B, D]``.

        Returns ``[..., B]``.
        """
        if self.hparams.likelihood == "bernoulli":
            # log Bern(x | sigmoid(l)) = x l - softplus(l), summed over D: two passes over the
            # logits instead of the five of binary_cross_entropy_with_logits on an expanded x.
            return (decoded * x).sum(-1) - F.softplus(decoded).sum(-1)
        log_var = self.decoder_log_variance()
        return -0.5 * ((x - decoded).square() * torch.exp(-log_var) + log_var + _LOG_2PI).sum(-1)

    def log_pz(self, z: Tensor) -> Tensor:
        """``log N(z; 0, I)``: ``z: [..., L]`` -> ``[...]``."""
        return -0.5 * (z.square() + _LOG_2PI).sum(-1)

    def log_qz_given_x(self, z: Tensor, mu: Tensor, log_var: Tensor) -> Tensor:
        """``log N(z; mu, diag exp(log_var))``: ``z: [..., B, L]``, ``mu, log_var: [B, L]``."""
        return -0.5 * ((z - mu).square() * torch.exp(-log_var) + log_var + _LOG_2PI).sum(-1)

    def kl_to_prior(self, mu: Tensor, log_var: Tensor) -> Tensor:
        """Closed-form ``KL(q(z | x) || N(0, I))``, ``[B]`` (Kingma & Welling 2014, appendix B)."""
        return 0.5 * (mu.square() + torch.exp(log_var) - 1.0 - log_var).sum(-1)

    def elbo(
        self, x: Tensor, *, beta: float | None = None, generator: torch.Generator | None = None,
        condition: Tensor | None = None,
    ) -> Tensor:
        """One-sample ``E_q[log p(x | z)] - beta KL(q || p(z))``: ``x: [B, D]`` -> ``[B]``.

        Differentiable (the training objective); ``beta`` defaults to ``hparams.beta``.
        """
        beta = self.hparams.beta if beta is None else beta
        mu, log_var = self.encode_params(x, condition)
        z = self.reparameterize(mu, log_var, generator)
        reconstruction = self.log_px_given_z(x, self.decode(z, condition))
        return reconstruction - beta * self.kl_to_prior(mu, log_var)

    def elbo_parts(
        self, x: Tensor, *, generator: torch.Generator | None = None,
        condition: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """One-sample ``log p(x | z)`` ``[B]`` and the closed-form KL of each latent dimension
        ``[B, L]``: the ELBO is ``parts[0] - parts[1].sum(-1)``.

        Differentiable; training weights and floors the KL parts (KL warm-up, free bits).
        """
        mu, log_var = self.encode_params(x, condition)
        z = self.reparameterize(mu, log_var, generator)
        kl = 0.5 * (mu.square() + torch.exp(log_var) - 1.0 - log_var)
        return self.log_px_given_z(x, self.decode(z, condition)), kl

    def iwae_bound(
        self, x: Tensor, k: int, *, generator: torch.Generator | None = None,
        condition: Tensor | None = None,
    ) -> Tensor:
        """``log (1/k) sum_j p(x, z_j) / q(z_j | x)``, ``z_j ~ q(z | x)``: ``[B, D]`` -> ``[B]``.

        Burda et al. 2015, "Importance Weighted Autoencoders", eq. 8. Memory does not grow with
        ``k``; see :meth:`importance_weighted_bounds`.
        """
        return self.importance_weighted_bounds(x, k, generator=generator, condition=condition)[0]

    def importance_weighted_bounds(
        self,
        x: Tensor,
        k: int,
        *,
        generator: torch.Generator | None = None,
        groups: NoiseGroups | None = None,
        condition: Tensor | None = None,
        copies: int = 1,
    ) -> tuple[Tensor, Tensor]:
        """``(IWAE_k, ELBO)`` per example ``[B]`` each, from the same ``k`` samples of ``q``.

        With ``log w_j = log p(x | z_j) + log p(z_j) - log q(z_j | x)``:
        ``IWAE_k = logsumexp_j log w_j - log k`` (Burda et al. 2015, eq. 8) and
        ``ELBO = mean_j log w_j`` (an unbiased estimate of the beta = 1 ELBO). Samples are
        evaluated ``iw_chunk_size`` at a time (fewer, and the batch is split into row blocks, when
        a chunk would pass about 2^19 floats), keeping a running logsumexp and a running sum.
        ``z_j`` is drawn for the whole batch one ``j`` at a time, so the chunking does not change
        the draws. ``groups`` (rows, generator) splits the batch into consecutive row groups that
        draw with their own generators (see :data:`NoiseGroups`); by default the whole batch is
        one group drawing from ``generator``.

        ``copies``: ``x`` is that many copies, stacked, of the rows ``groups`` cover (a
        conditional VAE's rows under each class in turn); every copy takes the same standard
        normal draws (common random numbers), so the copies' bounds differ only by ``condition``
        and each equals the bound of its rows alone with the same generators.
        """
        if k < 1:
            raise InvalidModelInput(f"importance_samples must be >= 1, got {k}")
        if copies < 1 or x.shape[0] % copies:
            raise InvalidModelInput(f"{x.shape[0]} rows are not {copies} copies of a batch")
        groups = [(x.shape[0] // copies, generator)] if groups is None else list(groups)
        if sum(rows for rows, _ in groups) * copies != x.shape[0]:
            covered = sum(rows for rows, _ in groups)
            raise InvalidModelInput(
                f"noise groups cover {covered} rows; the batch has {x.shape[0] // copies}"
            )
        mu, log_var = self.encode_params(x, condition)
        if x.shape[0] == 0:
            return mu.new_zeros(0), mu.new_zeros(0)
        std = torch.exp(0.5 * log_var)
        chunk, block = self._chunk_sizes(x.shape[0], k)
        blocks = [slice(r, r + block) for r in range(0, x.shape[0], block)]
        lse = [torch.full_like(mu[rows, 0], -math.inf) for rows in blocks]  # running logsumexp
        total = [torch.zeros_like(mu[rows, 0]) for rows in blocks]  # running sum of log w
        for start in range(0, k, chunk):
            eps = self._standard_normal(  # [S, B, L]
                min(chunk, k - start), groups, mu[: x.shape[0] // copies]
            ).repeat(1, copies, 1)
            z = mu + std * eps  # reparameterisation, as in reparameterize()
            for i, rows in enumerate(blocks):
                log_w = self._log_weights(x[rows], z[:, rows], mu[rows], log_var[rows],
                                          None if condition is None else condition[rows])
                lse[i] = torch.logaddexp(lse[i], log_w.logsumexp(0))
                total[i] = total[i] + log_w.sum(0)
        return torch.cat(lse) - math.log(k), torch.cat(total) / k

    def _standard_normal(self, samples: int, groups: NoiseGroups, like: Tensor) -> Tensor:
        """``[samples, B, L]`` draws of N(0, I), one ``j`` at a time, each group from its own
        generator (so a group's draws depend neither on the chunking nor on the other groups)."""
        out = torch.empty((samples, *like.shape), device=like.device, dtype=like.dtype)
        for j in range(samples):
            row = 0
            for rows, generator in groups:
                torch.randn((rows, like.shape[1]), generator=generator, device=like.device,
                            dtype=like.dtype, out=out[j, row : row + rows])
                row += rows
        return out

    def _log_weights(
        self, x: Tensor, z: Tensor, mu: Tensor, log_var: Tensor, condition: Tensor | None = None
    ) -> Tensor:
        """``log p(x | z) + log p(z) - log q(z | x)``: ``z: [S, B, L]`` -> ``[S, B]``."""
        decoded = self.decode(z) if condition is None else self.decode(z, condition)
        log_px = self.log_px_given_z(x, decoded)
        return log_px + self.log_pz(z) - self.log_qz_given_x(z, mu, log_var)

    def _chunk_sizes(self, rows: int, k: int) -> tuple[int, int]:
        """(samples per chunk, rows per block) so one block holds about 2^19 floats at most."""
        width = self._widest  # floats per example in the widest layer
        per_sample = max(1, rows * self.latent_dim)  # the [S, B, L] latents of one chunk
        chunk = max(1, min(self.hparams.iw_chunk_size, k, _MAX_CHUNK_FLOATS // per_sample))
        block = max(1, min(rows, _MAX_CHUNK_FLOATS // (chunk * width)))
        return chunk, block

    # -- the five operations -----------------------------------------------------------------
    def sample_noise(
        self, n: int, *, generator: torch.Generator | None = None, temperature: float = 1.0,
        prior: str = "normal", labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """The randomness of :meth:`sample`: ``{"z": [n, L]}``, ``z ~ N(0, T^2 I)`` or, with
        ``prior="gmm"``, from the latent GMM with its covariances scaled by ``T^2``.
        :meth:`sample` returns ``E[x | z]`` clamped to the value range: ``[n, D]``.

        Rows are independent of each other, so the noise of several requests can be concatenated
        and decoded in one :meth:`sample_from_noise` call (dynamic batching).
        """
        if n < 0:
            raise InvalidModelInput(f"n must be >= 0, got {n}")
        if not (math.isfinite(temperature) and temperature >= 0.0):
            raise InvalidModelInput(f"temperature must be finite and >= 0, got {temperature}")
        self.check_labels(labels, n)
        if prior not in ("normal", "gmm"):
            raise InvalidModelInput(f"unknown prior {prior!r}; use one of {self.priors}")
        if prior == "gmm":
            if self.latent_prior is None:
                raise InvalidModelInput("this VAE has no latent GMM prior; use prior='normal'")
            z = self.latent_prior.sample(n, generator=generator, temperature=temperature)
            return {"z": z.to(self.parameter_dtype)}
        z = torch.randn((n, self.latent_dim), generator=generator, device=self.device,
                        dtype=self.parameter_dtype)
        return {"z": temperature * z}

    @torch.no_grad()
    def sample_from_noise(self, noise: Mapping[str, Tensor]) -> Tensor:
        """:meth:`sample_noise`'s draws -> ``E[x | z]`` in the value range, ``[n, D]``."""
        return self.decode_latents(noise["z"])

    @torch.no_grad()
    def decode_latents(self, z: Tensor) -> Tensor:
        """``z: [n, L]`` -> ``E[x | z]`` clamped to the value range, ``[n, D]`` float32."""
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise InvalidModelInput(
                f"expected latents of shape [n, {self.latent_dim}], got {list(z.shape)}"
            )
        if not torch.isfinite(z).all():
            raise InvalidModelInput("latents contain NaN or infinity")
        z = z.to(self.device, self.parameter_dtype)
        return self.clamp_to_range(self.decoder_mean(z)).float()

    @torch.no_grad()
    def encode(self, x: Tensor, *, labels: Tensor | None = None) -> dict[str, Tensor]:
        """``x: [B, D]`` -> ``{"mean": mu [B, L], "log_var": [B, L]}`` of ``q(z | x)``."""
        self.check_labels(labels, len(x))
        mu, log_var = self.encode_params(self.check_input(x))
        return {"mean": mu.float(), "log_var": log_var.float()}

    @torch.no_grad()
    def latent_means(self, x: Tensor) -> Tensor:
        """The page's latent view: the posterior means ``[B, L]``."""
        return self.encode(x)["mean"]

    @torch.no_grad()
    def reconstruct(self, x: Tensor, *, labels: Tensor | None = None) -> Tensor:
        """Decoder mean at the posterior mean, clamped to the value range: ``[B, D]``."""
        self.check_labels(labels, len(x))
        mu, _ = self.encode_params(self.check_input(x))
        return self.clamp_to_range(self.decoder_mean(mu)).float()

    @torch.no_grad()
    def log_likelihood(
        self,
        x: Tensor,
        *,
        importance_samples: int = 1,
        generator: torch.Generator | None = None,
        groups: NoiseGroups | None = None,
        labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """IWAE_k estimate of ``log p(x)`` and the ELBO from the same samples, ``[B]`` each.

        ``groups``: per-request generators for a batch of several requests (:data:`NoiseGroups`).
        """
        self.check_labels(labels, len(x))
        iwae, elbo = self.importance_weighted_bounds(
            self.check_input(x), importance_samples, generator=generator, groups=groups
        )
        return {"log_likelihood": iwae.float(), "elbo": elbo.float()}

    @torch.no_grad()
    def interpolate(
        self, a: Tensor, b: Tensor, steps: int, method: str = "linear", *,
        labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """Decode a path between the posterior means of ``a, b: [D]``.

        Returns ``{"path": [steps, D], "latents": [steps, L]}``; both endpoints are included, so
        ``path[0] == reconstruct(a)`` and ``path[-1] == reconstruct(b)``.
        """
        self.check_labels(labels, 2)
        self.check_path_ends(a, b, steps, method)
        mu, _ = self.encode_params(self.check_input(torch.stack([a, b])))
        t = torch.linspace(0.0, 1.0, steps, device=mu.device, dtype=mu.dtype)[:, None]
        latents = _slerp(mu[0], mu[1], t) if method == "slerp" else torch.lerp(mu[0], mu[1], t)
        latents[0], latents[-1] = mu[0], mu[1]
        path = self.clamp_to_range(self.decoder_mean(latents))
        return {"path": path.float(), "latents": latents.float()}


def _slerp(a: Tensor, b: Tensor, t: Tensor, eps: float = 1e-6) -> Tensor:
    """Spherical interpolation of ``a, b: [L]`` at ``t: [S, 1]`` (Shoemake 1985) -> ``[S, L]``.

    Falls back to linear interpolation when ``a`` and ``b`` are (anti-)parallel or zero.
    """
    cos = torch.dot(a, b) / (a.norm() * b.norm()).clamp(min=torch.finfo(a.dtype).tiny)
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    sin = torch.sin(omega)
    if float(sin) < eps:
        return torch.lerp(a, b, t)
    return (torch.sin((1.0 - t) * omega) * a + torch.sin(t * omega) * b) / sin
