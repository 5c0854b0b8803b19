"""Probabilistic PCA (Tipping & Bishop 1999): the linear-Gaussian case of the VAE.

    z ~ N(0, I_q),   x | z ~ N(W z + mu, sigma^2 I_D),   so   x ~ N(mu, C),  C = W W^T + sigma^2 I.

The VAE's decoder becomes the linear map ``W z + mu`` and its encoder the exact posterior

    p(z | x) = N(M^-1 W^T (x - mu), sigma^2 M^-1),   M = W^T W + sigma^2 I_q,

so nothing is amortised or bounded: the log-likelihood is exact. Scoring never forms the D x D
matrix C: by the matrix determinant lemma and Woodbury,

    log |C| = (D - q) log sigma^2 + log |M|,
    (x - mu)^T C^-1 (x - mu) = (||e||^2 - ||L^-1 W^T e||^2) / sigma^2,   e = x - mu,  M = L L^T.

Parameters are float64 buffers (``mean [D]``, ``weight [D, q]``, ``noise_variance [1]``); the
operations return float32 like genserve's own models.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

import torch
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError
from torch import Tensor

from models.base import OPERATIONS, DataSpec, GenerativeModel, InvalidModelInput, NoiseGroups

__all__ = ["PPCA", "PPCAHyperparameters", "choose_components"]

_LOG_2PI = math.log(2.0 * math.pi)


def _not_a_boolean(value: Any) -> Any:
    """true is not 1 here, as for every other number of a job (``Literal`` alone takes it)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer, not a boolean")
    return value


class PPCAHyperparameters(BaseModel):
    """The latent dimension, and which covariance estimate the closed-form fit starts from."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    n_components: int | None = Field(
        default=None, ge=1, le=4096,
        description="Latent dimension q, fewer than the data's dimensions and training rows. "
        "Default: the fewest components that explain explained_variance of the variance.",
    )
    explained_variance: float = Field(
        default=0.95, gt=0.0, lt=1.0,
        description="With n_components unset: the share of the variance that q components "
        "must explain (digits: 0.95 keeps 29 of 64 dimensions).",
    )
    ddof: Annotated[Literal[0, 1], BeforeValidator(_not_a_boolean)] = Field(
        default=1,
        description="Divide the scatter matrix by N - ddof: 1 as scikit-learn's PCA (whose "
        "score this then reproduces), 0 for the exact maximum-likelihood estimate.",
    )


def choose_components(x: Tensor, hparams: PPCAHyperparameters) -> PPCAHyperparameters:
    """``hparams`` with ``n_components`` set: as given, else the fewest components whose
    eigenvalues hold ``explained_variance`` of the total (at most min(D, N) - 1)."""
    if hparams.n_components is not None:
        return hparams
    n, d = x.shape
    centred = x.double() - x.double().mean(0)
    eigenvalues = torch.linalg.eigvalsh(centred.T @ centred).flip(0).clamp_min(0.0)
    share = eigenvalues.cumsum(0) / eigenvalues.sum().clamp_min(1e-300)
    q = int((share < hparams.explained_variance).sum()) + 1
    return hparams.model_copy(update={"n_components": max(1, min(q, min(d, n) - 1))})


class PPCA(GenerativeModel):
    """Probabilistic PCA with the maximum-likelihood W, sigma^2 and mu in closed form."""

    kind: ClassVar[str] = "ppca"
    Hyperparameters: ClassVar[type[BaseModel]] = PPCAHyperparameters
    capabilities: ClassVar[frozenset[str]] = frozenset(OPERATIONS)
    interpolation_methods: ClassVar[frozenset[str]] = frozenset({"linear", "slerp"})
    kind_title: ClassVar[str] = "Probabilistic PCA"
    exact_likelihood: ClassVar[bool] = True
    conditional: ClassVar[bool] = False

    mean: Tensor
    weight: Tensor
    noise_variance: Tensor

    def __init__(self, hparams: PPCAHyperparameters, data: DataSpec) -> None:
        """``hparams.n_components`` must be set: :func:`choose_components` picks it from the
        data when a job leaves it out."""
        super().__init__(hparams, data)
        q, d = hparams.n_components, data.dim
        if q is None:
            raise InvalidModelInput("n_components must be chosen before the model is built")
        if q >= d:
            raise InvalidModelInput(
                f"n_components={q} must be below the data's {d} dimensions: the noise variance "
                "is the mean of the discarded eigenvalues"
            )
        self.register_buffer("mean", torch.zeros(d, dtype=torch.float64))
        self.register_buffer("weight", torch.zeros(d, q, dtype=torch.float64))
        self.register_buffer("noise_variance", torch.ones(1, dtype=torch.float64))

    @property
    def latent_dim(self) -> int:
        return int(self.hparams.n_components)  # type: ignore[attr-defined]

    # -- fitting -------------------------------------------------------------------------------
    @torch.no_grad()
    def fit(self, x: Tensor) -> dict[str, Any]:
        """Tipping & Bishop's closed form (their eqs. 7-8, rotation R = I): with the sample
        covariance's eigenvalues l_1 >= ... >= l_D and eigenvectors U,

            sigma^2 = mean(l_{q+1}, ..., l_D),   W = U_q (L_q - sigma^2 I)^{1/2}.
        """
        x = self.check_input(x).double()
        n, q = x.shape[0], self.latent_dim
        ddof = int(self.hparams.ddof)  # type: ignore[attr-defined]
        if n - ddof < 1 or q >= n:
            raise InvalidModelInput(
                f"n_components={q} needs more than {q} training rows; got {n}"
            )
        mean = x.mean(0)
        centred = x - mean
        covariance = centred.T @ centred / (n - ddof)
        eigenvalues, eigenvectors = torch.linalg.eigh(covariance)  # ascending
        eigenvalues, eigenvectors = eigenvalues.flip(0), eigenvectors.flip(1)
        # The discarded eigenvalues are the first min(D, N) less q, as scikit-learn's PCA takes
        # them (with N <= D the last is zero: centred data have rank N - 1).
        rank = min(self.dim, n)
        noise = eigenvalues[q:rank].clamp_min(0.0).mean() if rank > q else eigenvalues.new_zeros(())
        if not float(noise) > 0.0:
            raise InvalidModelInput(
                "the discarded eigenvalues are all zero (the data lie in a q-dimensional "
                "subspace): use fewer n_components"
            )
        scale = (eigenvalues[:q] - noise).clamp_min(0.0).sqrt()
        self.mean.copy_(mean)
        self.weight.copy_(eigenvectors[:, :q] * scale)
        self.noise_variance.fill_(float(noise))
        total = float(eigenvalues.clamp_min(0.0).sum())
        return {
            "noise_variance": float(noise),
            "explained_variance_ratio": float(eigenvalues[:q].sum()) / total if total else 0.0,
            "eigenvalues": [float(v) for v in eigenvalues[:q]],
        }

    # -- the posterior p(z | x) ----------------------------------------------------------------
    def _m_cholesky(self) -> Tensor:
        """L with L L^T = M = W^T W + sigma^2 I_q."""
        eye = torch.eye(self.latent_dim, dtype=self.weight.dtype, device=self.weight.device)
        return torch.linalg.cholesky(self.weight.T @ self.weight + self.noise_variance * eye)

    def _posterior_mean(self, centred: Tensor, chol: Tensor) -> Tensor:
        """M^-1 W^T (x - mu) for rows ``centred: [B, D]``: ``[B, q]``."""
        return torch.cholesky_solve((centred @ self.weight).T, chol).T

    def _log_likelihood(self, x: Tensor) -> Tensor:
        """log N(x | mu, W W^T + sigma^2 I) for checked rows ``x: [B, D]``: ``[B]`` float64."""
        d, q = self.dim, self.latent_dim
        sigma2 = self.noise_variance[0]
        chol = self._m_cholesky()
        centred = x.double() - self.mean
        projected = torch.linalg.solve_triangular(chol, (centred @ self.weight).T, upper=False)
        quadratic = (centred.square().sum(-1) - projected.square().sum(0)) / sigma2
        log_det = (d - q) * sigma2.log() + 2.0 * chol.diagonal().log().sum()
        return -0.5 * (d * _LOG_2PI + log_det + quadratic)

    # -- the five operations -------------------------------------------------------------------
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
        """Exact log p(x) in nats, ``[B]``: nothing is estimated, so ``importance_samples``,
        ``generator`` and ``groups`` are accepted and unused."""
        self.check_labels(labels, x.shape[0])
        return {"log_likelihood": self._log_likelihood(self.check_input(x)).float()}

    @torch.no_grad()
    def encode(self, x: Tensor, *, labels: Tensor | None = None) -> dict[str, Tensor]:
        """The exact posterior: ``mean [B, q]`` = M^-1 W^T (x - mu) and ``covariance
        [B, q, q]`` = sigma^2 M^-1 (the same for every row)."""
        self.check_labels(labels, len(x))
        x = self.check_input(x).double()
        chol = self._m_cholesky()
        mean = self._posterior_mean(x - self.mean, chol)
        covariance = self.noise_variance * torch.cholesky_inverse(chol)
        return {
            "mean": mean.float(),
            "covariance": covariance.float().expand(x.shape[0], -1, -1).contiguous(),
        }

    @torch.no_grad()
    def reconstruct(self, x: Tensor, *, labels: Tensor | None = None) -> Tensor:
        """W E[z | x] + mu: the decoder's mean at the posterior mean, ``[B, D]`` (shrunk
        towards mu by sigma^2, as Tipping & Bishop section 3.3 note)."""
        self.check_labels(labels, len(x))
        x = self.check_input(x).double()
        latent = self._posterior_mean(x - self.mean, self._m_cholesky())
        return (latent @ self.weight.T + self.mean).float()

    @torch.no_grad()
    def sample_noise(
        self,
        n: int,
        *,
        generator: torch.Generator | None = None,
        temperature: float = 1.0,
        prior: str = "normal",
        labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """The randomness of :meth:`sample`: ``{"z": [n, q], "eps": [n, D]}``, rows independent,
        so several requests' noise can be turned into samples by one call (dynamic batching)."""
        self.check_labels(labels, n)
        if prior not in self.priors:
            raise InvalidModelInput(f"prior {prior!r} is not one of {self.priors}")
        if n < 0 or temperature < 0:
            raise InvalidModelInput(f"need n >= 0 and temperature >= 0; got {n}, {temperature}")
        dtype, device = self.weight.dtype, self.weight.device
        z = torch.randn(n, self.latent_dim, generator=generator, dtype=dtype, device=device)
        eps = torch.randn(n, self.dim, generator=generator, dtype=dtype, device=device)
        return {"z": z * temperature, "eps": eps * temperature}

    @torch.no_grad()
    def sample_from_noise(self, noise: Mapping[str, Tensor]) -> Tensor:
        """x = W z + mu + sigma eps for :meth:`sample_noise`'s draws: ``[n, D]`` float32,
        clamped to an image model's value range (the service takes samples back as input)."""
        z, eps = noise["z"].to(self.weight), noise["eps"].to(self.weight)
        x = z @ self.weight.T + self.mean + self.noise_variance.sqrt() * eps
        return self.clamp_to_range(x.float())

    @torch.no_grad()
    def interpolate(
        self,
        a: Tensor,
        b: Tensor,
        steps: int,
        method: Literal["linear", "slerp"] = "linear",
        *,
        labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """A path between the posterior means of ``a`` and ``b``, decoded by W z + mu:
        ``path [steps, D]`` and its ``latents [steps, q]``."""
        self.check_labels(labels, 2)
        self.check_path_ends(a, b, steps, method)
        ends = self.check_input(torch.stack([a, b])).double()
        mu = self._posterior_mean(ends - self.mean, self._m_cholesky())
        t = torch.linspace(0.0, 1.0, steps, dtype=mu.dtype, device=mu.device).unsqueeze(-1)
        latents = _slerp(mu[0], mu[1], t) if method == "slerp" else torch.lerp(mu[0], mu[1], t)
        latents[0], latents[-1] = mu[0], mu[1]
        path = self.clamp_to_range((latents @ self.weight.T + self.mean).float())
        return {"path": path, "latents": latents.float()}


def _slerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Spherical interpolation between ``a`` and ``b`` (linear when they are parallel)."""
    cos = torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    sin = torch.sin(omega)
    if float(sin) < 1e-6:
        return torch.lerp(a, b, t)
    return (torch.sin((1.0 - t) * omega) * a + torch.sin(t * omega) * b) / sin
