"""Class-conditional Gaussian mixture: one :class:`~models.gmm.GaussianMixture` per class.

    p(x | y) = sum_k w_yk N(x | mu_yk, Sigma_yk),   p(y) = training-split class frequencies,
    log p(x) = logsumexp_y [log p(x | y) + log p(y)],   p(y | x) = softmax_y of the same terms.

Every density is exact. Each class's mixture is fitted by the GMM's own EM on that class's rows,
with the same hyper-parameters (``n_components`` per class). Labels are int64 class indices into
``data.classes``, one per row.

``encode`` and ``reconstruct`` describe ``x`` within one class: the given one, or the most
probable (:meth:`~ClassConditionalGMM.infer_labels`) when no label is given. The mixtures of
different classes share no components, so "within the class" is the only reading in which ``k``
means the same thing row to row; ``encode`` adds ``p(y | x)`` over the classes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import torch
from pydantic import Field
from torch import Tensor, nn

from models.base import (
    OPERATIONS,
    DataSpec,
    GenerativeModel,
    InvalidModelInput,
    MixtureComponents,
    NoiseGroups,
    ProgressCallback,
)
from models.gmm import MAX_COMPONENTS, GaussianMixture, GMMHyperparameters, _full_covariances

__all__ = ["ClassConditionalGMM"]


class CGMMHyperparameters(GMMHyperparameters):
    """The GMM's hyper-parameters, ``n_components`` counted per class: a class has a tenth of
    the data, so the default is 2 components (10 full-covariance ones per digit overfit
    digits' ~160 training rows a class)."""

    n_components: int = Field(
        default=2, ge=1, le=MAX_COMPONENTS,
        description=f"Mixture components per class (at most {MAX_COMPONENTS})."
    )


class ClassConditionalGMM(GenerativeModel):
    """``C = len(data.classes)`` mixtures of ``n_components`` each, and the class prior."""

    kind = "cgmm"
    kind_title = "Class-conditional Gaussian mixture"
    conditional: ClassVar[bool] = True
    capabilities = frozenset({*OPERATIONS, "classify"})
    exact_likelihood = True
    views = frozenset({"components"})
    Hyperparameters = CGMMHyperparameters
    interpolation_methods = frozenset({"linear"})

    hparams: GMMHyperparameters
    class_log_prior: Tensor

    def __init__(self, hparams: GMMHyperparameters, data: DataSpec) -> None:
        if not data.classes:
            raise ValueError(
                f"a class-conditional GMM needs labelled data; data set {data.dataset!r} has no "
                "classes"
            )
        super().__init__(hparams, data)
        c = len(data.classes)
        self.mixtures = nn.ModuleList(
            GaussianMixture(hparams, data.model_copy(update={"classes": None})) for _ in range(c)
        )
        self.register_buffer("class_log_prior", torch.full((c,), -math.log(c), dtype=torch.float64))

    @property
    def n_classes(self) -> int:
        return len(self.mixtures)

    def _mixture(self, c: int) -> GaussianMixture:
        mixture = self.mixtures[c]
        assert isinstance(mixture, GaussianMixture)
        return mixture

    # -- fitting -------------------------------------------------------------------------------
    @torch.no_grad()
    def fit(
        self, x: Tensor, labels: Tensor, *, progress: ProgressCallback | None = None
    ) -> dict[str, Any]:
        """EM for each class's mixture on its rows of ``x: [N, D]``; ``p(y)`` from the counts
        (add-one smoothed). ``progress`` events carry the ``label`` being fitted."""
        x = self.check_input(x)
        labels = self._required(labels, x.shape[0])
        counts = torch.bincount(labels, minlength=self.n_classes)
        small = [(self._name(c), int(n)) for c, n in enumerate(counts)
                 if int(n) < self.hparams.n_components]
        if small:
            raise InvalidModelInput(
                f"class {small[0][0]!r} has {small[0][1]} training rows; each class needs at "
                f"least n_components={self.hparams.n_components}: use fewer components"
            )
        prior = (counts.double() + 1.0) / (counts.sum() + self.n_classes)
        self.class_log_prior.copy_(prior.log())
        summaries = []
        for c in range(self.n_classes):
            def report(event: Mapping[str, float], c: int = c) -> None:
                if progress is not None:
                    progress({**event, "label": c})

            summaries.append(self._mixture(c).fit(x[labels == c], progress=report))
        total = float(counts.sum())
        return {
            "log_likelihood": sum(s["log_likelihood"] * int(n) / total
                                  for s, n in zip(summaries, counts, strict=True)),
            "per_class": summaries,
            "converged": all(s["converged"] for s in summaries),
            "n_iter": max(s["n_iter"] for s in summaries),
        }

    def _name(self, c: int) -> str:
        return (self.data.classes or [])[c]

    # -- densities -----------------------------------------------------------------------------
    def _per_class(self, x: Tensor) -> Tensor:
        """Exact log p(x | y) for checked ``x: [B, D]``: ``[B, C]`` (float64)."""
        if x.shape[0] == 0:
            return x.new_zeros(0, self.n_classes, dtype=torch.float64)
        return torch.stack(
            [self._mixture(c)._log_likelihood(x.double()) for c in range(self.n_classes)], -1
        )

    def _required(self, labels: Tensor, rows: int) -> Tensor:
        checked = self.check_labels(labels, rows)
        assert checked is not None
        return checked

    @torch.no_grad()
    def mixture_components(self, *, covariances: bool = True) -> MixtureComponents:
        """Every class's components as one mixture: weights ``p(y) w_yk`` ``[C K]``, means
        ``[C K, D]`` and, if asked, covariances ``[C K, D, D]`` (classes in order)."""
        k, d = self.hparams.n_components, self.dim
        mixtures = [self._mixture(c) for c in range(self.n_classes)]
        weights = torch.cat([m.weights * p for m, p in
                             zip(mixtures, self.class_log_prior.exp(), strict=True)])
        full = None
        if covariances:
            full = torch.cat([_full_covariances(m.covariances(), self.hparams.covariance_type, k, d)
                              for m in mixtures])
        return MixtureComponents(self.hparams.covariance_type, weights,
                                 torch.cat([m.means for m in mixtures]), full)

    @torch.no_grad()
    def classify(
        self,
        x: Tensor,
        *,
        importance_samples: int = 1,
        generator: torch.Generator | None = None,
        groups: NoiseGroups | None = None,
    ) -> dict[str, Tensor]:
        """``p(y | x)`` by Bayes' rule from the exact ``log p(x | y)`` (nothing is drawn)."""
        per_class = self._per_class(self.check_input(x))
        joint = per_class + self.class_log_prior
        return {
            "log_likelihood_per_class": per_class.float(),
            "log_prior": self.class_log_prior.float(),
            "probabilities": torch.softmax(joint, -1).float(),
            "predicted": joint.argmax(-1),
        }

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
        """Exact ``log p(x | y)`` (``labels`` given) or ``log p(x)``, ``[B]``."""
        x = self.check_input(x)
        per_class = self._per_class(x)
        given = self.check_labels(labels, x.shape[0])
        if given is not None:
            return {"log_likelihood": per_class.gather(1, given[:, None])[:, 0].float()}
        return {"log_likelihood": (per_class + self.class_log_prior).logsumexp(-1).float()}

    # -- the other operations ------------------------------------------------------------------
    @torch.no_grad()
    def infer_labels(self, x: Tensor) -> Tensor:
        """The most probable class of each row of ``x: [B, D]``, exactly: ``classify``'s
        ``predicted``, ``[B]`` int64."""
        return (self._per_class(self.check_input(x)) + self.class_log_prior).argmax(-1)

    def _labels_or_inferred(self, x: Tensor, labels: Tensor | None) -> Tensor:
        given = self.check_labels(labels, x.shape[0])
        return self.infer_labels(x) if given is None else given

    def _within_class(self, x: Tensor, labels: Tensor) -> Tensor:
        """p(k | x, y) of the components of each row's class ``labels [B]``: ``[B, K]``."""
        resp = torch.zeros(x.shape[0], self.hparams.n_components, dtype=torch.float64,
                           device=x.device)
        for c in _present(labels):
            rows = labels == c
            mixture = self._mixture(c)
            resp[rows] = mixture._responsibilities(mixture._component_log_prob(x[rows].double()))
        return resp

    @torch.no_grad()
    def encode(self, x: Tensor, *, labels: Tensor | None = None) -> dict[str, Tensor]:
        """``class_probabilities`` p(y | x) ``[B, C]``, and within each row's class (given, or
        :meth:`infer_labels`) ``responsibilities`` p(k | x, y) ``[B, K]`` and their arg max
        ``component [B]``."""
        x = self.check_input(x)
        joint = self._per_class(x) + self.class_log_prior
        resp = self._within_class(x, self._labels_or_inferred(x, labels))
        return {
            "class_probabilities": torch.softmax(joint, -1).float(),
            "responsibilities": resp.float(),
            "component": resp.argmax(-1),
        }

    @torch.no_grad()
    def reconstruct(self, x: Tensor, *, labels: Tensor | None = None) -> Tensor:
        """The posterior mean of the component means within each row's class ``y`` (given, or
        :meth:`infer_labels`): ``sum_k p(k | x, y) mu_yk``, ``[B, D]``."""
        x = self.check_input(x)
        labels = self._labels_or_inferred(x, labels)
        resp = self._within_class(x, labels)
        means = torch.stack([self._mixture(c).means for c in range(self.n_classes)])  # [C, K, D]
        return torch.einsum("bk,bkd->bd", resp, means[labels].double()).float()

    @torch.no_grad()
    def sample_noise(
        self, n: int, *, generator: torch.Generator | None = None, temperature: float = 1.0,
        prior: str = "normal", labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """``{"labels": [n], "component": [n], "eps": [n, D]}``: ``y ~ p(y)`` unless given, then
        ``k ~ w_y``, then ``eps ~ N(0, T^2 I)``. The class and the component are each read off a
        uniform draw by the inverse of their distribution's CDF, and both uniforms are drawn
        whether or not ``labels`` are given: the same seed with the labels it drew gives the same
        samples, and with another class the same component quantile and ``eps`` (the same style).
        Rows are independent, so several requests' noise can be concatenated (dynamic
        batching)."""
        if n < 0 or not (math.isfinite(temperature) and temperature >= 0):
            raise InvalidModelInput(f"need n >= 0 and temperature >= 0; got {n}, {temperature}")
        if prior != "normal":
            raise InvalidModelInput(
                f"a class-conditional GMM has one prior, 'normal'; got {prior!r}"
            )
        device = self.device
        uniforms = torch.rand(2, n, generator=generator, dtype=torch.float64, device=device)
        given = self.check_labels(labels, n)
        labels = _inverse_cdf(self.class_log_prior.exp()[None], uniforms[0]) if given is None \
            else given
        weights = torch.stack([self._mixture(c).weights for c in range(self.n_classes)])
        components = _inverse_cdf(weights.double()[labels], uniforms[1])
        eps = torch.randn(n, self.dim, generator=generator, dtype=torch.float64, device=device)
        return {"labels": labels, "component": components, "eps": eps * temperature}

    @torch.no_grad()
    def sample_from_noise(self, noise: Mapping[str, Tensor]) -> Tensor:
        """Each class's mixture turns its rows' draws into samples: ``[n, D]`` float32."""
        labels = self._required(noise["labels"], noise["eps"].shape[0])
        out = torch.zeros(labels.shape[0], self.dim)
        for c in _present(labels):
            rows = labels == c
            out[rows.cpu()] = self._mixture(c).sample_from_noise(
                {"component": noise["component"][rows], "eps": noise["eps"][rows]}
            ).cpu()
        return out.to(self.device)

    @torch.no_grad()
    def interpolate(
        self, a: Tensor, b: Tensor, steps: int, method: str = "linear", *,
        labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """A straight line in data space, scored on the way: ``path [steps, D]``, exact
        ``log_likelihood`` log p(x) ``[steps]`` and ``class_probabilities`` ``[steps, C]``.

        ``labels [2]`` (from, to) moves the class: ``a`` keeps its whitened offset from the
        component of class ``from`` that explains it best, and the end is the same offset from the
        component of class ``to`` that explains ``a`` best (``x = mu + Sigma^(1/2) eps``: the
        same ``eps``, another class). ``b`` is then not used.
        """
        self.check_path_ends(a, b, steps, method)
        ends = self.check_input(torch.stack([a, b])).double()
        given = self.check_labels(labels, 2)
        if given is not None:
            ends = torch.stack([ends[0], self._transport(ends[0], int(given[0]), int(given[1]))])
        t = torch.linspace(0.0, 1.0, steps, dtype=ends.dtype, device=ends.device).unsqueeze(-1)
        path = torch.lerp(ends[0], ends[1], t)
        joint = self._per_class(path) + self.class_log_prior
        return {
            "path": self.clamp_to_range(path).float(),
            "log_likelihood": joint.logsumexp(-1).float(),
            "class_probabilities": torch.softmax(joint, -1).float(),
        }

    def _transport(self, x: Tensor, source: int, target: int) -> Tensor:
        """``x`` moved from class ``source`` to ``target`` keeping its whitened offset."""
        def best(c: int) -> int:
            mixture = self._mixture(c)
            log_joint = mixture.weights.log() + mixture._component_log_prob(x[None])[0]
            return int(log_joint.argmax())

        out_mixture, in_mixture = self._mixture(source), self._mixture(target)
        k_out, k_in = best(source), best(target)
        u_out, u_in, kind = (out_mixture.precisions_cholesky, in_mixture.precisions_cholesky,
                             self.hparams.covariance_type)
        offset = x - out_mixture.means[k_out]
        if kind in ("diag", "spherical"):
            eps = offset * u_out[k_out]
            return in_mixture.means[k_in] + eps / u_in[k_in]
        u_a = u_out if kind == "tied" else u_out[k_out]
        u_b = u_in if kind == "tied" else u_in[k_in]
        eps = offset @ u_a  # Sigma^-1 = U U^T: eps = U^T offset, unit covariance
        moved: Tensor = torch.linalg.solve_triangular(u_b.T, eps[:, None], upper=False)
        return in_mixture.means[k_in] + moved[:, 0]


def _inverse_cdf(probabilities: Tensor, u: Tensor) -> Tensor:
    """The category whose CDF interval holds ``u``: ``probabilities [B or 1, K]``, ``u [B]``
    uniforms in [0, 1) -> ``[B]`` int64 (a category of probability 0 is never chosen)."""
    below = (probabilities.cumsum(-1) <= u[:, None]).sum(-1)
    return below.clamp(max=probabilities.shape[-1] - 1)


def _present(labels: Tensor) -> list[int]:
    """The classes among ``labels``, in order."""
    return [int(c) for c in torch.nonzero(torch.bincount(labels)).reshape(-1)]
