"""Gaussian mixture model fitted by expectation-maximisation.

    p(x) = sum_k w_k N(x | mu_k, Sigma_k)

Parameterised as scikit-learn's ``GaussianMixture`` is, so the two can be compared number for
number: ``weights [K]``, ``means [K, D]`` and the upper-triangular Cholesky factor U_k of each
*precision* matrix, Sigma_k^-1 = U_k U_k^T (``full [K, D, D]``, ``tied [D, D]``, ``diag [K, D]``,
``spherical [K]``). Then

    log N(x | mu_k, Sigma_k) = -1/2 (D log 2 pi + ||(x - mu_k)^T U_k||^2) + sum_d log (U_k)_dd,

a matrix product and a sum of squares: no inverse is formed when scoring data.

EM (Bishop, *Pattern Recognition and Machine Learning*, section 9.2.2) streams the data in chunks
of ``chunk_size`` rows: each chunk's responsibilities are reduced at once to the sufficient
statistics N_k = sum_n r_nk, S_k = sum_n r_nk x_n and Q_k = sum_n r_nk x_n x_n^T, so memory is
O(chunk_size K D + K D^2) whatever N is. Full covariances take the blocked kernels of
``models/gmm_kernels.py`` (banded distance products, the M-step's moments as one product per
component over its non-zero responsibilities), which keep a span of 2^18 responsibilities too.
Statistics are taken about the training mean, which keeps Q_k / N_k - mu_k mu_k^T free of
cancellation and makes float32 arithmetic for the chunks' products
usable (the default; ``dtype="float64"`` for exact agreement with scikit-learn); sums over chunks,
parameters and scoring stay float64.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Literal, NamedTuple

import torch
from pydantic import BaseModel, ConfigDict, Field
from torch import Tensor

from models import gmm_kernels
from models.base import (
    DataSpec,
    GenerativeModel,
    InvalidModelInput,
    MixtureComponents,
    NoiseGroups,
    ProgressCallback,
)

__all__ = ["CovarianceType", "GMMHyperparameters", "GaussianMixture"]

CovarianceType = Literal["full", "diag", "spherical", "tied"]

_LOG_2PI = math.log(2.0 * math.pi)
_KMEANS_MAX_ITER = 100
_SPAN_ENTRIES = 1 << 18
"""Responsibilities kept at once by the full-covariance E-step (1 MiB in float32): the span of
rows over which the M-step gathers each component's rows (``gmm_kernels.weighted_moments``).
16,384 rows at K = 16: the gathered rows stay in cache; spans of all 100,000 rows of
``bench/gmm_fit.py`` ran 1.4x (float32) to 2x (float64) slower."""
_SPARSE_FRACTION = 0.5
"""Below this share of non-zero responsibilities in a chunk, Q_k is summed component by
component over the rows that count; above it, one wide product over all rows is faster."""
_ILL_DEFINED = (
    "the mixture has a component with an ill-defined covariance (singleton or collapsed "
    "points); decrease n_components, increase reg_covar (now {reg}) or rescale the data"
)


MAX_COMPONENTS = 2000
MAX_N_INIT = 20
MAX_ITER = 10_000
"""Bounds of one EM job: K components of D x D full covariances take K D^2 x 8 bytes three
times over (parameters, statistics, M-step), so the job check also caps K D^2 (see
``app/jobs/params.py``); restarts and iterations are bounded for time."""


class GMMHyperparameters(BaseModel):
    """What EM needs to know; saved as JSON beside the weights.

    The defaults are the shipped digits-gmm's recipe (10 full-covariance components, 3 restarts,
    ``reg_covar`` 1e-3), which suits data scaled to about [0, 1] or unit spread.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    n_components: int = Field(
        default=10, ge=1, le=MAX_COMPONENTS,
        description=f"Number of mixture components K (at most {MAX_COMPONENTS}).",
    )
    covariance_type: CovarianceType = "full"
    reg_covar: float = Field(
        default=1e-3, ge=0, le=1e6,
        description="Added to covariance diagonals: keeps components from collapsing onto a "
        "few points and regularises D x D covariances fitted on few rows.",
    )
    tol: float = Field(
        default=1e-3, ge=0, le=1e6, description="Stop when |delta mean log p(x)| < tol."
    )
    max_iter: int = Field(
        default=100, ge=1, le=MAX_ITER,
        description=f"EM iterations per restart (at most {MAX_ITER:,}).",
    )
    n_init: int = Field(
        default=3, ge=1, le=MAX_N_INIT,
        description=f"Restarts; the best lower bound is kept (at most {MAX_N_INIT}).",
    )
    seed: int = Field(default=0, ge=0, description="Seeds the k-means++ initialisation.")
    chunk_size: int = Field(
        default=2048, ge=1, le=65_536, description="Rows per chunk in E and M steps."
    )
    dtype: Literal["float64", "float32"] = Field(
        default="float32",
        description="Arithmetic of EM's E-step and the statistics' matrix products: float32 "
        "is about 2x faster on a CPU (more on a GPU) and its held-out log-likelihood matches "
        "float64's to 1e-5 (bench/gmm_fit.py); the sums over chunks, the M-step and the fitted "
        "parameters stay float64 either way. float64 reproduces scikit-learn to 1e-10.",
    )


class _Parameters(NamedTuple):
    """One mixture's parameters during a fit, means relative to the shift of the data."""

    weights: Tensor  # [K]
    means: Tensor  # [K, D]
    precisions_cholesky: Tensor  # full [K, D, D], tied [D, D], diag [K, D], spherical [K]


class _Statistics:
    """Running sums over chunks: N_k, S_k = sum r x, Q_k = sum r x x^T (as the type needs)."""

    def __init__(self, k: int, d: int, covariance_type: CovarianceType, like: Tensor) -> None:
        self.covariance_type = covariance_type
        self.n = 0
        # Sums are kept in float64 whatever the chunks' dtype: N terms of a float32 sum would
        # each lose up to 2^-24 of the total.
        dtype = torch.float64
        self.log_likelihood = like.new_zeros((), dtype=dtype)  # sum_n log p(x_n), E-step only
        self.nk = like.new_zeros(k, dtype=dtype)
        self.sum_x = like.new_zeros(k, d, dtype=dtype)
        shapes = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k, d)}
        self.sum_xx = like.new_zeros(shapes[covariance_type], dtype=dtype)

    def add(self, x: Tensor, resp: Tensor) -> None:
        """Accumulate one chunk: ``x: [c, D]``, ``resp: [c, K]``."""
        self.n += x.shape[0]
        self.nk += resp.sum(0)
        self.sum_x += resp.T @ x
        if self.covariance_type == "full":
            # On the CPU, chunks whose responsibilities are mostly zero (_posterior zeroes what
            # no statistic would notice) are summed by component; on a GPU the wide product
            # stays, as the rows' selection would wait on the device once per component.
            active = resp != 0 if x.device.type == "cpu" else None
            if active is not None and active.sum() <= _SPARSE_FRACTION * resp.numel():
                self._add_second_moments_by_component(x, resp, active)
            else:
                # sum_n r_nk x_n x_n^T for every k in one wide product
                # X^T [r_n1 x_n, ..., r_nK x_n] ([D, c] @ [c, K*D]): on an AMD EPYC with MKL,
                # 1.6x (float32) and 3x (float64) the speed of K small products or of one
                # batched product over all rows.
                c, d = x.shape
                weighted = (resp.unsqueeze(-1) * x.unsqueeze(1)).view(c, -1)  # [c, K*D]
                self.sum_xx += (x.T @ weighted).view(d, -1, d).transpose(0, 1)  # [K, D, D]
        elif self.covariance_type == "tied":
            self.sum_xx += x.T @ x  # sum_k r_nk = 1, so the pooled sum needs no weights
        else:
            self.sum_xx += resp.T @ x.square()  # [K, D]

    def _add_second_moments_by_component(self, x: Tensor, resp: Tensor, active: Tensor) -> None:
        """Q_k from only the rows whose responsibility for k is non-zero.

        Once components separate, a row has one or two of them: on the benchmark's mixture
        (K = 16, D = 32) 92% of the responsibilities are exactly zero after a few iterations, and
        the wide product would spend 12 times the work needed on rows that add nothing.
        """
        for k in range(resp.shape[1]):
            rows = active[:, k].nonzero().squeeze(1)
            if rows.numel():
                xk = x.index_select(0, rows)
                self.sum_xx[k] += (xk * resp[rows, k].unsqueeze(1)).T @ xk


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _posterior(log_joint: Tensor, dim: int = -1) -> tuple[Tensor, Tensor]:
    """``log w_k + log N(x_n | k): [c, K]`` -> responsibilities ``[c, K]`` and log p(x_n) ``[c]``
    (components along ``dim``: the full-covariance E-step passes ``[K, c]`` and ``dim=0``).

    A softmax with one exponential per entry (log-sum-exp and then exp would take two), where
    responsibilities too small for a normal float are set to zero: far-away components give
    values like 1e-320, subnormal floats that make every product with them tens of times slower
    on x86 (the M-step's matrix products above all); under 2e-308 (float64) or 1e-38 (float32)
    a responsibility changes no statistic.
    """
    peak = log_joint.amax(dim, keepdim=True)
    # after the division by the total (at most K) every kept value is still a normal float
    floor = math.log(torch.finfo(log_joint.dtype).tiny) + math.log(log_joint.shape[dim])
    # <= 0, and 0 at the peak; clamped first so that exp never makes a subnormal (nor meets
    # -inf, which takes torch's exp 3x as long), then what was at the floor (everything below
    # it) is set to zero: two passes where a mask took four
    unnormalised = (log_joint - peak).clamp_min_(floor).exp_()
    torch.nn.functional.threshold(
        unnormalised, math.exp(floor) * (1.0 + 1e-3), 0.0, inplace=True
    )
    total = unnormalised.sum(dim, keepdim=True)  # in [1, K]
    return unnormalised.div_(total), (peak + total.log()).squeeze(dim)


# -- Gaussian densities from precision Cholesky factors ---------------------------------------
def _log_det_cholesky(precisions_cholesky: Tensor, covariance_type: str, d: int) -> Tensor:
    """log |U_k| = 1/2 log |Sigma_k^-1|: returns ``[K]`` (a scalar for tied)."""
    if covariance_type in ("full", "tied"):
        return precisions_cholesky.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    if covariance_type == "diag":
        return precisions_cholesky.log().sum(-1)
    return d * precisions_cholesky.log()


def _log_gaussian_prob(
    x: Tensor, means: Tensor, precisions_cholesky: Tensor, covariance_type: str
) -> Tensor:
    """log N(x_n | mu_k, Sigma_k) for ``x: [B, D]``, ``means: [K, D]``: returns ``[B, K]``."""
    (b, d), k = x.shape, means.shape[0]
    u = precisions_cholesky
    if covariance_type in ("full", "tied"):
        if covariance_type == "full":
            # y_nk = x_n^T U_k - mu_k^T U_k for all k in one product [x_n, 1] @ [U; -mu^T U]
            # ([B, D+1] @ [D+1, D*K]): the subtraction rides in the matrix product, with no pass
            # of its own over the [B, D*K] result. Columns go dimension-major (j*K + k), so the
            # sum of squares below adds rows of K contiguous floats: 1.5x vector_norm's speed.
            offset = torch.einsum("kd,kde->ek", means, u).reshape(1, d * k)
            factors = torch.cat([u.permute(1, 2, 0).reshape(d, d * k), -offset])
            y = (torch.cat([x, x.new_ones(b, 1)], dim=1) @ factors).view(b, d, k)
            mahalanobis = y.square_().sum(1)  # [B, K]
        else:
            y = (x @ u).unsqueeze(1) - (means @ u).unsqueeze(0)  # [B, K, D]
            mahalanobis = torch.linalg.vector_norm(y, dim=-1).square()  # [B, K]
    else:
        # sum_d p_kd (x_nd - mu_kd)^2 expanded into matrix products, p = u^2 (as sklearn does);
        # in a fit the data are centred first, which keeps the cancellation small.
        p = u.square() if covariance_type == "diag" else u.square().unsqueeze(-1).expand(k, d)
        mahalanobis = x.square() @ p.T - 2.0 * x @ (means * p).T + (means.square() * p).sum(-1)
        mahalanobis = mahalanobis.clamp_min(0.0)
    return -0.5 * (d * _LOG_2PI + mahalanobis) + _log_det_cholesky(u, covariance_type, d)


# -- conversions between covariances, precisions and their Cholesky factors -------------------
def _precisions_cholesky_from_covariances(
    covariances: Tensor, covariance_type: str, reg_covar: float
) -> Tensor:
    """Sigma = L L^T  ->  U = L^-T by a triangular solve, so that Sigma^-1 = U U^T."""
    if covariance_type in ("full", "tied"):
        chol, info = torch.linalg.cholesky_ex(covariances)
        if bool((info != 0).any()):
            raise InvalidModelInput(_ILL_DEFINED.format(reg=reg_covar))
        eye = torch.eye(chol.shape[-1], dtype=chol.dtype, device=chol.device).expand_as(chol)
        inverse: Tensor = torch.linalg.solve_triangular(chol, eye, upper=False)
        return inverse.mT
    if bool((covariances <= 0).any()):
        raise InvalidModelInput(_ILL_DEFINED.format(reg=reg_covar))
    return covariances.rsqrt()


def _precisions_cholesky_from_precisions(precisions: Tensor, covariance_type: str) -> Tensor:
    """Upper-triangular U with P = U U^T: with J the exchange matrix, J P J = L L^T gives U = J L J.

    scikit-learn's ``_compute_precision_cholesky_from_precisions`` (its issue #26415).
    """
    if covariance_type in ("full", "tied"):
        flipped = precisions.flip(-2, -1)
        chol, info = torch.linalg.cholesky_ex(flipped)
        if bool((info != 0).any()):
            raise InvalidModelInput("init_precisions must be symmetric positive definite")
        flipped_back: Tensor = chol.flip(-2, -1)
        return flipped_back
    if bool((precisions <= 0).any()):
        raise InvalidModelInput("init_precisions must be positive")
    return precisions.sqrt()


def _covariances_from_precisions_cholesky(
    precisions_cholesky: Tensor, covariance_type: str
) -> Tensor:
    """Sigma = (U U^T)^-1 = V^T V with V = U^-1 from a triangular solve (sklearn's layout)."""
    if covariance_type in ("full", "tied"):
        u = precisions_cholesky
        eye = torch.eye(u.shape[-1], dtype=u.dtype, device=u.device).expand_as(u)
        v: Tensor = torch.linalg.solve_triangular(u, eye, upper=True)
        return v.mT @ v
    return precisions_cholesky.square().reciprocal()


def _full_covariances(covariances: Tensor, covariance_type: str, k: int, d: int) -> Tensor:
    """Any layout -> ``[K, D, D]``."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return covariances.expand(k, d, d)
    if covariance_type == "diag":
        return torch.diag_embed(covariances)
    eye = torch.eye(d, dtype=covariances.dtype, device=covariances.device)
    return covariances.view(k, 1, 1) * eye


def _m_step(stats: _Statistics, reg_covar: float) -> _Parameters:
    """Maximise the expected complete-data log-likelihood, scikit-learn's formulas exactly.

    N_k gets 10 machine epsilons as in ``_estimate_gaussian_parameters``; ``reg_covar`` is added
    to every diagonal (full, tied), to every variance (diag) and to the mean variance (spherical).
    """
    nk = stats.nk + 10 * torch.finfo(stats.nk.dtype).eps  # [K]
    means = stats.sum_x / nk.unsqueeze(-1)  # [K, D]
    kind = stats.covariance_type
    if kind == "full":
        covariances = stats.sum_xx / nk.view(-1, 1, 1) - means.unsqueeze(-1) * means.unsqueeze(-2)
        covariances.diagonal(dim1=-2, dim2=-1).add_(reg_covar)
    elif kind == "tied":
        covariances = (stats.sum_xx - (nk.unsqueeze(-1) * means).T @ means) / nk.sum()
        covariances.diagonal().add_(reg_covar)
    else:
        covariances = stats.sum_xx / nk.unsqueeze(-1) - means.square() + reg_covar
        if kind == "spherical":
            covariances = covariances.mean(-1)
    return _Parameters(
        weights=nk / nk.sum(),
        means=means,
        precisions_cholesky=_precisions_cholesky_from_covariances(covariances, kind, reg_covar),
    )


def _e_step_full(augmented: Tensor, params: _Parameters, chunk_size: int) -> _Statistics:
    """The full-covariance E-step over ``augmented = [1, x - shift]: [N, 1 + D]``.

    Spans of rows: each block of ``chunk_size`` rows gets its log w_k + log N(x | k) from the
    banded products (``gmm_kernels``) into the span's ``[K, S]``, the posterior runs once over
    the span, and the span's responsibilities are reduced at once to N_k, S_k and Q_k by one
    product per component; nothing N x K x D is ever formed.
    """
    n, d = augmented.shape[0], augmented.shape[1] - 1
    k = params.weights.shape[0]
    dtype = augmented.dtype  # the parameters come from the float64 M-step
    factors = gmm_kernels.band_factors(
        params.means.to(dtype), params.precisions_cholesky.to(dtype)
    )
    # log w_k + log |U_k| - D/2 log 2 pi, formed in float64 and rounded once
    base = (
        params.weights.log()
        + _log_det_cholesky(params.precisions_cholesky, "full", d)
        - 0.5 * d * _LOG_2PI
    ).to(dtype).unsqueeze(1)
    block = min(chunk_size, n)
    buffer = gmm_kernels.band_buffer(factors, block)
    span = max(1, _SPAN_ENTRIES // (k * block)) * block  # rows whose r_nk are kept at once
    log_joint = augmented.new_empty(k, min(span, n))  # component-major: see weighted_moments
    stats = _Statistics(k, d, "full", augmented)
    stats.n = n
    for first in range(0, n, span):
        last = min(first + span, n)
        span_joint = log_joint[:, : last - first]
        for rows in _chunks(last - first, block):
            xa = augmented[first + rows.start : first + rows.stop]
            gmm_kernels.log_joint_blocked(xa, factors, buffer, base, span_joint[:, rows])
        resp, log_px = _posterior(span_joint, dim=0)
        stats.log_likelihood += log_px.sum(dtype=torch.float64)
        nk, sum_x, sum_xx = gmm_kernels.weighted_moments(augmented[first:last], resp, block)
        stats.nk += nk
        stats.sum_x += sum_x
        stats.sum_xx += sum_xx
    return stats


# -- k-means++ and Lloyd's algorithm, for the initial responsibilities ------------------------
def _kmeans_plusplus(x: Tensor, k: int, generator: torch.Generator) -> Tensor:
    """Greedy k-means++ seeding (Arthur & Vassilvitskii 2007; sklearn's ``kmeans_plusplus``).

    ``x: [N, D]`` -> ``[K, D]``: each new centre is the best of 2 + log K candidates drawn with
    probability proportional to the squared distance to the nearest centre so far.
    """
    n = x.shape[0]
    trials = 2 + int(math.log(k))
    x_sq = x.square().sum(-1)  # [N]

    def squared_distances(rows: Tensor) -> Tensor:  # [T, D] -> [T, N]
        d2 = rows.square().sum(-1, keepdim=True) - 2.0 * rows @ x.T + x_sq
        return d2.clamp_min_(0.0)

    first = int(torch.randint(n, (1,), generator=generator, device=x.device))
    centres = [x[first]]
    closest = squared_distances(x[first : first + 1])[0]  # [N]
    for _ in range(1, k):
        # drawn in float64 whatever x's dtype, so a float32 fit starts where a float64 one does
        targets = torch.rand(trials, generator=generator, device=x.device, dtype=torch.float64)
        targets = targets.to(x.dtype)
        candidates = torch.searchsorted(closest.cumsum(0), targets * closest.sum())
        candidates = candidates.clamp_(max=n - 1)
        candidate_closest = torch.minimum(closest, squared_distances(x[candidates]))  # [T, N]
        best = int(candidate_closest.sum(-1).argmin())
        closest = candidate_closest[best]
        centres.append(x[candidates[best]])
    return torch.stack(centres)


def _lloyd_labels(x: Tensor, centres: Tensor, chunk_size: int) -> Tensor:
    """Lloyd's iterations on ``x: [N, D]`` from ``centres: [K, D]``; returns labels ``[N]``.

    Stops when the labels stop changing or the centres move less than sklearn's tolerance
    (1e-4 times the mean feature variance); an empty cluster restarts at the worst-fit point.
    """
    k = centres.shape[0]
    tolerance = 1e-4 * torch.var(x, dim=0).mean()

    def assign(c: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        labels = torch.empty(x.shape[0], dtype=torch.long, device=x.device)
        nearest = torch.empty(x.shape[0], dtype=x.dtype, device=x.device)
        sums = torch.zeros_like(c)
        for rows in _chunks(x.shape[0], chunk_size):
            xc = x[rows]
            d2 = xc.square().sum(-1, keepdim=True) - 2.0 * xc @ c.T + c.square().sum(-1)
            nearest[rows], labels[rows] = d2.min(-1)
            sums.index_add_(0, labels[rows], xc)
        return labels, nearest, sums

    labels, nearest, sums = assign(centres)
    for _ in range(_KMEANS_MAX_ITER):
        counts = torch.bincount(labels, minlength=k)
        moved = sums / counts.clamp_min(1).unsqueeze(-1).to(sums.dtype)
        empty = counts == 0
        if bool(empty.any()):
            worst = nearest.topk(int(empty.sum())).indices
            moved[empty] = x[worst]
        shift_sq = (moved - centres).square().sum()
        centres = moved
        new_labels, nearest, sums = assign(centres)
        done = bool(torch.equal(new_labels, labels)) or bool(shift_sq <= tolerance)
        labels = new_labels
        if done:
            break
    return labels


class GaussianMixture(GenerativeModel):
    """A K-component Gaussian mixture over flat ``[B, D]`` rows, fitted by EM."""

    kind = "gmm"
    kind_title = "Gaussian mixture"
    Hyperparameters = GMMHyperparameters
    interpolation_methods = frozenset({"linear"})
    exact_likelihood = True
    views = frozenset({"components"})

    hparams: GMMHyperparameters
    weights: Tensor
    means: Tensor
    precisions_cholesky: Tensor

    def __init__(self, hparams: GMMHyperparameters, data: DataSpec) -> None:
        super().__init__(hparams, data)
        k, d, dtype = hparams.n_components, data.dim, torch.float64
        # An untrained model is K copies of N(0, I): valid, and the right shapes for loading.
        self.register_buffer("weights", torch.full((k,), 1.0 / k, dtype=dtype))
        self.register_buffer("means", torch.zeros(k, d, dtype=dtype))
        precisions_cholesky = {
            "full": torch.eye(d, dtype=dtype).repeat(k, 1, 1),
            "tied": torch.eye(d, dtype=dtype),
            "diag": torch.ones(k, d, dtype=dtype),
            "spherical": torch.ones(k, dtype=dtype),
        }[hparams.covariance_type]
        self.register_buffer("precisions_cholesky", precisions_cholesky)

    @property
    def covariance_type(self) -> CovarianceType:
        return self.hparams.covariance_type

    @property
    def n_components(self) -> int:
        return self.hparams.n_components

    # -- parameters ----------------------------------------------------------------------------
    @torch.no_grad()
    def covariances(self) -> Tensor:
        """Sigma in sklearn's layout: full ``[K, D, D]``, tied ``[D, D]``, diag ``[K, D]``,
        spherical ``[K]`` (buffer dtype)."""
        return _covariances_from_precisions_cholesky(self.precisions_cholesky, self.covariance_type)

    @torch.no_grad()
    def mixture_components(self, *, covariances: bool = True) -> MixtureComponents:
        """The page's components view: weights ``[K]``, means ``[K, D]`` and, if asked, the
        covariances expanded to ``[K, D, D]`` whatever the covariance type."""
        full = None
        if covariances:
            k, d = self.n_components, self.dim
            full = _full_covariances(self.covariances(), self.covariance_type, k, d)
        return MixtureComponents(self.covariance_type, self.weights, self.means, full)

    @torch.no_grad()
    def set_parameters(self, *, weights: Tensor, means: Tensor, covariances: Tensor) -> None:
        """Install parameters given as sklearn's ``weights_``, ``means_``, ``covariances_``."""
        k, d, kind = self.n_components, self.dim, self.covariance_type
        covariances = torch.as_tensor(covariances, dtype=self.means.dtype, device=self.device)
        self._check_shape("weights", weights, (k,))
        self._check_shape("means", means, (k, d))
        self._check_shape("covariances", covariances, self.precisions_cholesky.shape)
        precisions_cholesky = _precisions_cholesky_from_covariances(covariances, kind, 0.0)
        self.weights.copy_(torch.as_tensor(weights))
        self.means.copy_(torch.as_tensor(means))
        self.precisions_cholesky.copy_(precisions_cholesky)

    @staticmethod
    def _check_shape(name: str, value: Tensor, shape: tuple[int, ...] | torch.Size) -> None:
        if tuple(value.shape) != tuple(shape):
            raise InvalidModelInput(f"{name} has shape {list(value.shape)}; expected {list(shape)}")

    # -- EM ------------------------------------------------------------------------------------
    @torch.no_grad()
    def fit(
        self,
        x: Tensor,
        *,
        progress: ProgressCallback | None = None,
        init_means: Tensor | None = None,
        init_weights: Tensor | None = None,
        init_precisions: Tensor | None = None,
    ) -> dict[str, float]:
        """Fit ``x: [N, D]`` by EM from ``n_init`` k-means++ starts; keep the best lower bound.

        ``init_*`` are sklearn's ``means_init``, ``weights_init`` and ``precisions_init`` (the
        precision matrices, in the covariance type's layout); a parameter not given comes from
        the k-means start. ``progress`` gets ``iteration``, ``restart`` and ``log_likelihood``
        (the mean log p(x) under the parameters that iteration's E-step used) after every
        iteration; an exception it raises (``TrainingCancelled``) ends the fit.
        Returns the final training ``log_likelihood``, ``lower_bound``, ``n_iter``,
        ``converged`` (1.0 or 0.0) and ``best_restart``.
        """
        hp = self.hparams
        checked = self.check_input(x)
        x = checked.float() if hp.dtype == "float32" else checked  # EM's arithmetic
        n, k = x.shape[0], hp.n_components
        if n < k:
            raise InvalidModelInput(f"fit needs at least n_components={k} rows; got {n}")
        shift = checked.mean(0)  # statistics are taken about the data mean (module docstring)
        given = self._initial_overrides(init_means, init_weights, init_precisions, shift)
        generator = torch.Generator(device=x.device).manual_seed(hp.seed)
        # Every start is the same when all three parameters are given, so one is enough.
        restarts = 1 if all(p is not None for p in given) else hp.n_init

        # centred once per fit, not once per iteration; full covariances take a leading column
        # of ones, which carries the means' offsets inside the E- and M-step's products
        centred = x - shift.to(x.dtype)
        if hp.covariance_type == "full":
            centred = torch.cat([centred.new_ones(n, 1), centred], dim=1)
        best: _Parameters | None = None
        best_bound, best_iter, best_restart, best_converged = -math.inf, 0, 0, False
        for restart in range(restarts):
            params = self._initial_parameters(x, shift, generator, given)
            bound, converged, iteration = -math.inf, False, 0
            for iteration in range(1, hp.max_iter + 1):
                previous = bound
                stats = self._e_step(centred, params)
                params = _m_step(stats, hp.reg_covar)
                bound = float(stats.log_likelihood) / n
                if progress is not None:
                    progress({"iteration": iteration, "restart": restart, "log_likelihood": bound})
                if abs(bound - previous) < hp.tol:
                    converged = True
                    break
            if best is None or bound > best_bound:
                best, best_bound, best_iter = params, bound, iteration
                best_restart, best_converged = restart, converged

        assert best is not None  # max_iter >= 1 and n_init >= 1
        self.weights.copy_(best.weights)
        self.means.copy_(best.means + shift)
        self.precisions_cholesky.copy_(best.precisions_cholesky)
        train_log_likelihood = float(self._log_likelihood(checked).mean())
        return {
            "log_likelihood": train_log_likelihood,
            "lower_bound": best_bound,
            "n_iter": float(best_iter),
            "converged": float(best_converged),
            "best_restart": float(best_restart),
        }

    def _initial_overrides(
        self,
        init_means: Tensor | None,
        init_weights: Tensor | None,
        init_precisions: Tensor | None,
        shift: Tensor,
    ) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        """Validate user-given starting parameters -> (weights, shifted means, precision chol)."""
        k, d = self.n_components, self.dim
        dtype, device = self.means.dtype, self.device
        weights = means = precisions_cholesky = None
        if init_weights is not None:
            weights = torch.as_tensor(init_weights, dtype=dtype, device=device)
            self._check_shape("init_weights", weights, (k,))
            if bool((weights < 0).any()) or abs(float(weights.sum()) - 1.0) > 1e-6:
                raise InvalidModelInput("init_weights must be non-negative and sum to 1")
        if init_means is not None:
            means = torch.as_tensor(init_means, dtype=dtype, device=device)
            self._check_shape("init_means", means, (k, d))
            means = means - shift
        if init_precisions is not None:
            precisions = torch.as_tensor(init_precisions, dtype=dtype, device=device)
            self._check_shape("init_precisions", precisions, self.precisions_cholesky.shape)
            precisions_cholesky = _precisions_cholesky_from_precisions(
                precisions, self.covariance_type
            )
        return weights, means, precisions_cholesky

    def _initial_parameters(
        self,
        x: Tensor,
        shift: Tensor,
        generator: torch.Generator,
        given: tuple[Tensor | None, Tensor | None, Tensor | None],
    ) -> _Parameters:
        """k-means++ then Lloyd; the hard assignments' M-step fills what ``given`` lacks."""
        weights, means, precisions_cholesky = given
        if weights is not None and means is not None and precisions_cholesky is not None:
            return _Parameters(weights, means, precisions_cholesky)
        hp = self.hparams
        centred = x - shift.to(x.dtype)
        labels = _lloyd_labels(
            centred, _kmeans_plusplus(centred, hp.n_components, generator), hp.chunk_size
        )
        stats = _Statistics(hp.n_components, self.dim, hp.covariance_type, x)
        for rows in _chunks(x.shape[0], hp.chunk_size):
            resp = torch.nn.functional.one_hot(labels[rows], hp.n_components).to(x.dtype)
            stats.add(centred[rows], resp)
        start = _m_step(stats, hp.reg_covar)
        return _Parameters(
            weights=start.weights if weights is None else weights,
            means=start.means if means is None else means,
            precisions_cholesky=(
                start.precisions_cholesky if precisions_cholesky is None else precisions_cholesky
            ),
        )

    def _e_step(self, centred: Tensor, params: _Parameters) -> _Statistics:
        """r_nk = w_k N(x_n|k) / sum_j w_j N(x_n|j), reduced chunk by chunk to statistics.

        ``centred`` is x minus the shift, in EM's dtype; for full covariances ``[1, x - shift]``.
        """
        hp = self.hparams
        if hp.covariance_type == "full":
            return _e_step_full(centred, params, hp.chunk_size)
        stats = _Statistics(hp.n_components, self.dim, hp.covariance_type, centred)
        dtype = centred.dtype  # the parameters come from the float64 M-step
        log_weights = params.weights.log().to(dtype)
        means, precisions_cholesky = params.means.to(dtype), params.precisions_cholesky.to(dtype)
        for rows in _chunks(centred.shape[0], hp.chunk_size):
            xc = centred[rows]
            log_joint = log_weights + _log_gaussian_prob(
                xc, means, precisions_cholesky, hp.covariance_type
            )  # [c, K]
            resp, log_px = _posterior(log_joint)  # [c, K], [c]
            stats.add(xc, resp)
            stats.log_likelihood += log_px.sum()
        return stats

    # -- densities (buffer dtype in, buffer dtype out) -----------------------------------------
    def _component_log_prob(self, x: Tensor) -> Tensor:
        """log N(x | mu_k, Sigma_k) for checked ``x: [B, D]``: returns ``[B, K]``."""
        parts = [
            _log_gaussian_prob(x[rows], self.means, self.precisions_cholesky, self.covariance_type)
            for rows in _chunks(x.shape[0], self.hparams.chunk_size)
        ]
        if not parts:
            return x.new_zeros(0, self.n_components)
        return torch.cat(parts)

    def _log_likelihood(self, x: Tensor) -> Tensor:
        """log p(x) = logsumexp_k (log w_k + log N(x | k)): ``[B]``."""
        return torch.logsumexp(self.weights.log() + self._component_log_prob(x), dim=-1)

    def _responsibilities(self, component_log_prob: Tensor) -> Tensor:
        """p(k | x) from ``[B, K]`` component log-densities: ``[B, K]``."""
        return torch.softmax(self.weights.log() + component_log_prob, dim=-1)

    # -- the five operations -------------------------------------------------------------------
    @torch.no_grad()
    def component_log_densities(self, x: Tensor) -> Tensor:
        """log N(x | mu_k, Sigma_k), without the weight: ``x: [B, D]`` -> ``[B, K]``."""
        return self._component_log_prob(self.check_input(x)).float()

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
        """Exact log p(x) in nats, ``[B]``; ``importance_samples`` has nothing to estimate here,
        and nothing is drawn (``generator`` and per-request ``groups`` are accepted, unused)."""
        self.check_labels(labels, len(x))
        return {"log_likelihood": self._log_likelihood(self.check_input(x)).float()}

    @torch.no_grad()
    def encode(self, x: Tensor, *, labels: Tensor | None = None) -> dict[str, Tensor]:
        """Posterior p(k | x) ``[B, K]``, its arg max ``[B]`` and log N(x | k) ``[B, K]``."""
        self.check_labels(labels, len(x))
        component_log_prob = self._component_log_prob(self.check_input(x))
        resp = self._responsibilities(component_log_prob)
        return {
            "responsibilities": resp.float(),
            "component": resp.argmax(-1),
            "component_log_density": component_log_prob.float(),
        }

    @torch.no_grad()
    def reconstruct(self, x: Tensor, *, labels: Tensor | None = None) -> Tensor:
        """Posterior-weighted component mean sum_k p(k | x) mu_k: ``[B, D]``."""
        self.check_labels(labels, len(x))
        resp = self._responsibilities(self._component_log_prob(self.check_input(x)))
        return (resp @ self.means).float()

    @torch.no_grad()
    def conditional_mean(self, x: Tensor, observed_mask: Tensor) -> Tensor:
        """E[x_m | x_o] for the missing entries; observed entries come back unchanged.

        ``x: [B, D]`` (missing entries may hold anything, NaN included), ``observed_mask: bool
        [B, D]``. Under the mixture, p(k | x_o) uses the marginal N(x_o | mu_o, S_oo) and

            E[x_m | x_o] = sum_k p(k | x_o) (mu_m + S_mo S_oo^-1 (x_o - mu_o))   (Bishop eq. 2.81)

        with S_oo^-1 applied through its Cholesky factor. Rows sharing a mask are done together.
        """
        mask = torch.as_tensor(observed_mask, device=x.device)
        if mask.dtype != torch.bool or tuple(mask.shape) != tuple(x.shape):
            raise InvalidModelInput(
                f"observed_mask must be a bool tensor of x's shape {list(x.shape)}; "
                f"got {mask.dtype} {list(mask.shape)}"
            )
        filled = self.check_input(torch.where(mask, x, torch.zeros_like(x)))
        mask = mask.to(filled.device)
        k, d = self.n_components, self.dim
        sigma = _full_covariances(self.covariances(), self.covariance_type, k, d)  # [K, D, D]
        log_weights = self.weights.log()
        result = filled.clone()
        patterns, which = torch.unique(mask, dim=0, return_inverse=True)
        for p, pattern in enumerate(patterns):
            rows = (which == p).nonzero().squeeze(-1)
            o, m = pattern.nonzero().squeeze(-1), (~pattern).nonzero().squeeze(-1)
            if m.numel() == 0:
                continue
            if o.numel() == 0:  # nothing observed: the mixture mean
                result[rows.unsqueeze(-1), m] = (self.weights @ self.means)[m]
                continue
            x_o = filled[rows][:, o]  # [R, O]
            s_oo = sigma[:, o][:, :, o]  # [K, O, O]
            s_mo = sigma[:, m][:, :, o]  # [K, M, O]
            chol = torch.linalg.cholesky(s_oo)
            diff = (x_o.unsqueeze(0) - self.means[:, o].unsqueeze(1)).mT  # [K, O, R]
            z = torch.linalg.solve_triangular(chol, diff, upper=False)  # L^-1 (x_o - mu_o)
            half_log_det = chol.diagonal(dim1=-2, dim2=-1).log().sum(-1, keepdim=True)  # [K, 1]
            log_marginal = -0.5 * (o.numel() * _LOG_2PI + z.square().sum(1)) - half_log_det
            resp = torch.softmax(log_weights.unsqueeze(-1) + log_marginal, dim=0)  # [K, R]
            alpha = torch.linalg.solve_triangular(chol.mT, z, upper=True)  # S_oo^-1 (x_o - mu_o)
            conditional = self.means[:, m].unsqueeze(-1) + s_mo @ alpha  # [K, M, R]
            result[rows.unsqueeze(-1), m] = (resp.unsqueeze(1) * conditional).sum(0).T
        return torch.where(mask, x.to(result.device).float(), result.float())

    @torch.no_grad()
    def sample_noise(
        self, n: int, *, generator: torch.Generator | None = None, temperature: float = 1.0,
        prior: str = "normal", labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """The randomness of :meth:`sample`: ``{"component": [n], "eps": [n, D]}``, with
        ``k ~ Categorical(w)`` and ``eps ~ N(0, T^2 I)``; :meth:`sample` then gives
        x = mu_k + temperature * A_k eps, A_k A_k^T = Sigma_k: ``[n, D]`` (A_k = U_k^-T from a
        triangular solve; image models clamp to their value range).

        Rows are independent, so several requests' noise can be concatenated and turned into
        samples by one :meth:`sample_from_noise` call (dynamic batching).
        """
        if n < 0 or temperature < 0:
            raise InvalidModelInput(f"need n >= 0 and temperature >= 0; got {n}, {temperature}")
        if prior != "normal":
            raise InvalidModelInput(f"a GMM has one prior, 'normal'; got {prior!r}")
        self.check_labels(labels, n)
        d, dtype, device = self.dim, self.means.dtype, self.device
        if n == 0:
            return {
                "component": torch.zeros(0, dtype=torch.long, device=device),
                "eps": torch.zeros(0, d, dtype=dtype, device=device),
            }
        components = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        eps = torch.randn(n, d, generator=generator, dtype=dtype, device=device) * temperature
        return {"component": components, "eps": eps}

    @torch.no_grad()
    def sample_from_noise(self, noise: Mapping[str, Tensor]) -> Tensor:
        """x = mu_k + A_k eps for :meth:`sample_noise`'s draws: ``[n, D]`` float32."""
        components, eps = noise["component"], noise["eps"]
        d, dtype, device = self.dim, self.means.dtype, self.device
        if components.numel() == 0:
            return torch.zeros(0, d)
        u, kind = self.precisions_cholesky, self.covariance_type
        if kind in ("diag", "spherical"):
            scale = u.reciprocal()[components]
            offset = eps * (scale if kind == "diag" else scale.unsqueeze(-1))
        else:
            eye = torch.eye(d, dtype=dtype, device=device).expand_as(u)
            root = torch.linalg.solve_triangular(u, eye, upper=True)  # V = U^-1, V^T V = Sigma
            if kind == "tied":
                offset = eps @ root
            else:
                offset = torch.empty_like(eps)
                for k in range(self.n_components):  # one product per component, not per row
                    rows = (components == k).nonzero().squeeze(-1)
                    offset[rows] = eps[rows] @ root[k]
        # image models: keep samples in the value range the service accepts back as input
        return self.clamp_to_range((self.means[components] + offset).float())

    @torch.no_grad()
    def interpolate(
        self, a: Tensor, b: Tensor, steps: int, method: str = "linear", *,
        labels: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """Straight line from ``a: [D]`` to ``b: [D]`` in data space, ``steps`` points.

        Returns ``path [steps, D]`` with its ``log_likelihood [steps]`` and
        ``responsibilities [steps, K]``; the endpoints are exactly ``a`` and ``b``.
        """
        self.check_labels(labels, 2)
        self.check_path_ends(a, b, steps, method)
        ends = self.check_input(torch.stack([a, b]))
        t = torch.linspace(0.0, 1.0, steps, dtype=ends.dtype, device=ends.device).unsqueeze(-1)
        path = torch.lerp(ends[0], ends[1], t)  # exact at t = 0 and t = 1
        component_log_prob = self._component_log_prob(path)
        return {
            "path": path.float(),
            "log_likelihood": torch.logsumexp(
                self.weights.log() + component_log_prob, dim=-1
            ).float(),
            "responsibilities": self._responsibilities(component_log_prob).float(),
        }
