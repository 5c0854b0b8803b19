"""Conditional VAE (Sohn, Lee & Yan 2015, "Learning Structured Output Representation using Deep
Conditional Generative Models"), and classification by Bayes' rule from its densities.

Generative model ``p(y) p(z) p(x | z, y)`` with ``p(z) = N(0, I)``, inference model
``q(z | x, y)``: both networks take the label as a one-hot vector beside ``x`` or ``z`` (the
same MLP and conv networks as :class:`~models.vae.VAE`, whose maths this class reuses through
its ``condition`` argument). ``p(y)`` is the training split's class frequencies, kept in a
buffer. Then

    log p(x | y) ~ IWAE_k(x, y)                       (Burda et al. 2015, eq. 8, per class)
    log p(x)     = logsumexp_y [log p(x | y) + log p(y)]
    p(y | x)     = softmax_y [log p(x | y) + log p(y)]  (Bayes' rule)

Labels are int64 class indices into ``data.classes``, one per row. Where an operation is given
no labels, it sums (``log_likelihood``) or draws (``sample``, from ``p(y)``) them, or takes the
most probable class (``encode``, ``reconstruct``, ``interpolate``; see :meth:`infer_labels`).
Every class's ``log p(x | y)`` in ``log p(x)`` and ``classify`` uses the same draws (common
random numbers), the ones ``log_likelihood`` with labels uses: with one seed the estimates obey
``log p(x) = logsumexp_y [log p(y) + log p(x | y)]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

import torch
import torch.nn.functional as F
from pydantic import model_validator
from torch import Tensor

from models.base import OPERATIONS, DataSpec, InvalidModelInput, NoiseGroups
from models.vae import VAE, VAEHyperparameters, _slerp

__all__ = ["CVAE", "CVAEHyperparameters"]


class CVAEHyperparameters(VAEHyperparameters):
    """A :class:`VAEHyperparameters` without the latent GMM prior: the label already separates
    what the GMM prior's components would (the prior stays N(0, I))."""

    @model_validator(mode="after")
    def _no_latent_prior(self) -> CVAEHyperparameters:
        if self.latent_prior is not None:
            raise ValueError("a conditional VAE has no latent GMM prior (latent_prior)")
        return self


class CVAE(VAE):
    """A VAE whose encoder and decoder both see the class ``y``; ``C = len(data.classes)``."""

    kind = "cvae"
    kind_title = "Conditional variational auto-encoder"
    conditional: ClassVar[bool] = True
    capabilities = frozenset({*OPERATIONS, "classify"})
    Hyperparameters = CVAEHyperparameters

    hparams: CVAEHyperparameters
    class_log_prior: Tensor

    def __init__(self, hparams: CVAEHyperparameters, data: DataSpec) -> None:
        if not data.classes:
            raise ValueError(
                f"a conditional VAE needs labelled data; data set {data.dataset!r} has no classes"
            )
        super().__init__(hparams, data)
        c = len(data.classes)
        self.register_buffer("class_log_prior", torch.full((c,), -math.log(c)))

    def condition_width(self, data: DataSpec) -> int:
        return len(data.classes or ())

    @property
    def n_classes(self) -> int:
        return len(self.data.classes or ())

    @property
    def priors(self) -> list[str]:
        return ["normal"]

    def likelihood_passes(self, importance_samples: int) -> int:
        """log p(x) sums over the classes: ``k`` passes for each (``k`` with labels)."""
        return importance_samples * self.n_classes

    def likelihood_estimator(self, importance_samples: int, *, abbreviated: bool = False) -> str:
        """The bound's, ``k`` samples for each class's log p(x | y)."""
        return super().likelihood_estimator(importance_samples, abbreviated=abbreviated) + (
            " per class"
        )

    @torch.no_grad()
    def set_class_prior(self, counts: Tensor) -> None:
        """``p(y)`` from the training split's class counts ``[C]`` (add-one smoothed, so a class
        absent from training keeps a finite log-probability)."""
        counts = torch.as_tensor(counts, dtype=torch.float64).reshape(-1)
        if counts.shape != (self.n_classes,):
            raise ValueError(f"class counts have shape {list(counts.shape)}; [{self.n_classes}]")
        prior = (counts + 1.0) / (counts.sum() + self.n_classes)
        self.class_log_prior.copy_(prior.log().to(self.class_log_prior))

    def required_labels(self, labels: Tensor, rows: int) -> Tensor:
        """:meth:`check_labels` for labels that must be given."""
        checked = self.check_labels(labels, rows)
        assert checked is not None
        return checked

    def one_hot(self, labels: Tensor, rows: int) -> Tensor:
        """Checked labels ``[rows]`` -> the networks' one-hot condition ``[rows, C]``."""
        labels = self.required_labels(labels, rows)
        return F.one_hot(labels, self.n_classes).to(self.parameter_dtype)

    def fit_latent_prior(self, x: Tensor, spec: object = None) -> dict[str, float]:
        raise InvalidModelInput("a conditional VAE has no latent GMM prior")

    # -- classes -------------------------------------------------------------------------------
    def _per_class_bounds(
        self, x: Tensor, k: int, generator: torch.Generator | None, groups: NoiseGroups | None
    ) -> tuple[Tensor, Tensor]:
        """IWAE_k and ELBO of ``log p(x | y)`` for every class, ``[B, C]`` each.

        One pass over ``C x B`` rows, class-major, with common random numbers: every class
        reuses the standard normal draws that ``log_likelihood`` with labels draws for these
        rows and generators, so column ``y`` is exactly the labelled estimate of ``log p(x | y)``
        and ``log p(x) = logsumexp_y [log p(y) + log p(x | y)]`` holds between the estimates.
        Each request's rows draw from its own generator (:data:`~models.base.NoiseGroups`), so
        its draws are what they are alone, whatever else shares its batch.
        """
        b, c = x.shape[0], self.n_classes
        classes = torch.arange(c, device=x.device).repeat_interleave(b)
        condition = F.one_hot(classes, c).to(x.dtype)
        iwae, elbo = self.importance_weighted_bounds(
            x.repeat(c, 1), k, generator=generator, groups=groups, condition=condition,
            copies=c,
        )
        return iwae.reshape(c, b).T, elbo.reshape(c, b).T

    @torch.no_grad()
    def classify(
        self,
        x: Tensor,
        *,
        importance_samples: int = 1,
        generator: torch.Generator | None = None,
        groups: NoiseGroups | None = None,
    ) -> dict[str, Tensor]:
        """``p(y | x)`` by Bayes' rule from IWAE estimates of ``log p(x | y)``.

        Returns ``log_likelihood_per_class [B, C]``, ``log_prior [C]``, ``probabilities [B, C]``
        (rows sum to 1) and ``predicted [B]`` (int64).
        """
        per_class, _ = self._per_class_bounds(
            self.check_input(x), importance_samples, generator, groups
        )
        joint = per_class + self.class_log_prior.to(per_class)
        return {
            "log_likelihood_per_class": per_class.float(),
            "log_prior": self.class_log_prior.float(),
            "probabilities": torch.softmax(joint, -1).float(),
            "predicted": joint.argmax(-1),
        }

    @torch.no_grad()
    def infer_labels(self, x: Tensor) -> Tensor:
        """The most probable class of each row of ``x: [B, D]`` (``[B]`` int64),
        deterministically: the arg max over ``y`` of ``log p(y) + log p(x | mu_y, y) -
        KL(q(z | x, y) || p(z))``, the ELBO with ``z`` at the posterior mean ``mu_y`` (no draws,
        so ``encode`` and ``reconstruct`` stay deterministic; ``classify`` is the
        importance-weighted p(y | x))."""
        x = self.check_input(x)
        b, c = x.shape[0], self.n_classes
        condition = F.one_hot(torch.arange(c, device=x.device).repeat_interleave(b), c)
        rows, condition = x.repeat(c, 1), condition.to(x.dtype)
        mu, log_var = self.encode_params(rows, condition)
        score = self.log_px_given_z(rows, self.decode(mu, condition)) - self.kl_to_prior(
            mu, log_var
        )
        return (score.reshape(c, b).T + self.class_log_prior.to(score)).argmax(-1)

    def _labels_or_inferred(self, x: Tensor, labels: Tensor | None) -> Tensor:
        if labels is None:
            return self.infer_labels(x)
        return self.required_labels(labels, x.shape[0])

    # -- the operations ------------------------------------------------------------------------
    def sample_noise(
        self, n: int, *, generator: torch.Generator | None = None, temperature: float = 1.0,
        prior: str = "normal", labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """``{"z": [n, L], "labels": [n]}``: ``z ~ N(0, T^2 I)`` first, then, when ``labels`` is
        None, ``y ~ p(y)``. A seed gives the same ``z`` whatever the labels, so the same seed
        with another class draws the same style of another class."""
        z = super().sample_noise(n, generator=generator, temperature=temperature,
                                 prior=prior)["z"]
        if labels is None:
            labels = torch.multinomial(
                self.class_log_prior.double().exp(), n, replacement=True, generator=generator
            ) if n else torch.zeros(0, dtype=torch.int64)
        return {"z": z, "labels": self.required_labels(labels, n)}

    @torch.no_grad()
    def sample_from_noise(self, noise: Mapping[str, Tensor]) -> Tensor:
        """``E[x | z, y]`` in the value range for :meth:`sample_noise`'s draws: ``[n, D]``."""
        z = noise["z"]
        if z.ndim != 2 or z.shape[1] != self.latent_dim or not torch.isfinite(z).all():
            raise InvalidModelInput(f"expected finite latents [n, {self.latent_dim}]")
        condition = self.one_hot(noise["labels"], z.shape[0])
        mean = self.decoder_mean(z.to(self.device, self.parameter_dtype), condition)
        return self.clamp_to_range(mean).float()

    @torch.no_grad()
    def encode(self, x: Tensor, *, labels: Tensor | None = None) -> dict[str, Tensor]:
        """``q(z | x, y)``: ``mean`` and ``log_var`` ``[B, L]``, ``y`` given (``labels [B]``) or
        :meth:`infer_labels`."""
        x = self.check_input(x)
        labels = self._labels_or_inferred(x, labels)
        mu, log_var = self.encode_params(x, F.one_hot(labels, self.n_classes).to(x.dtype))
        return {"mean": mu.float(), "log_var": log_var.float()}

    @torch.no_grad()
    def reconstruct(self, x: Tensor, *, labels: Tensor | None = None) -> Tensor:
        """``E[x | mu(x, y), y]`` in the value range, ``y`` given or inferred: ``[B, D]``."""
        x = self.check_input(x)
        condition = F.one_hot(self._labels_or_inferred(x, labels), self.n_classes).to(x.dtype)
        mu, _ = self.encode_params(x, condition)
        return self.clamp_to_range(self.decoder_mean(mu, condition)).float()

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
        """``log p(x | y)`` (``labels`` given) or ``log p(x)`` (summed over the classes), ``[B]``.

        IWAE_k estimates (Burda et al. 2015) and ``elbo`` from the same draws; without labels
        ``elbo = logsumexp_y [ELBO_y + log p(y)]``, the ELBO of ``q(y, z | x) = p(y | x)
        q(z | x, y)`` with ``p(y | x)`` from the ELBOs: also a lower bound on ``log p(x)``.
        """
        x = self.check_input(x)
        if labels is not None:
            iwae, elbo = self.importance_weighted_bounds(
                x, importance_samples, generator=generator, groups=groups,
                condition=self.one_hot(labels, x.shape[0]),
            )
            return {"log_likelihood": iwae.float(), "elbo": elbo.float()}
        per_class, elbos = self._per_class_bounds(x, importance_samples, generator, groups)
        log_prior = self.class_log_prior.to(per_class)
        return {
            "log_likelihood": (per_class + log_prior).logsumexp(-1).float(),
            "elbo": (elbos + log_prior).logsumexp(-1).float(),
        }

    @torch.no_grad()
    def interpolate(
        self, a: Tensor, b: Tensor, steps: int, method: str = "linear", *,
        labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """Decode a path from ``(z_a, y_a)`` to ``(z_b, y_b)``; the one-hot label moves
        linearly with ``z`` (soft labels between the ends).

        ``labels`` ``[2]``: the start and end classes (default: each end's inferred class);
        ``z_a = mu(a, y_a)``, ``z_b = mu(b, y_b)``. When ``a`` and ``b`` are the same input,
        ``z`` is held at ``mu(a, y_a)`` while ``y`` moves: the same style, another class.
        Returns ``path [steps, D]``, ``latents [steps, L]`` and ``label_weights [steps, C]``.
        """
        self.check_path_ends(a, b, steps, method)
        ends = self.check_input(torch.stack([a, b]))
        ends_labels = self._labels_or_inferred(ends, labels)
        conditions = F.one_hot(ends_labels, self.n_classes).to(ends.dtype)
        same_input = bool(torch.equal(ends[0], ends[1]))
        if same_input:  # x held fixed: both ends take its code under the start label
            mu, _ = self.encode_params(ends[:1], conditions[:1])
            mu = mu.expand(2, -1)
        else:
            mu, _ = self.encode_params(ends, conditions)
        t = torch.linspace(0.0, 1.0, steps, device=mu.device, dtype=mu.dtype)[:, None]
        latents = _slerp(mu[0], mu[1], t) if method == "slerp" else torch.lerp(mu[0], mu[1], t)
        latents[0], latents[-1] = mu[0], mu[1]
        weights = torch.lerp(conditions[0], conditions[1], t)
        path = self.clamp_to_range(self.decoder_mean(latents, weights))
        return {"path": path.float(), "latents": latents.float(), "label_weights": weights.float()}
