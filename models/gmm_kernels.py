"""Blocked EM kernels for full-covariance Gaussian mixtures (the E-step's distance, the M-step's
second moments), sized so that every temporary stays in a core's cache.

Rows arrive augmented with a leading one, ``xa = [1, x - shift]: [N, 1 + D]``, so that the means'
offsets ride inside the matrix products:

- **E-step.** ``||(x - mu_k)^T U_k||^2`` for every k is the sum of squares of
  ``xa @ [-mu_k^T U_k; U_k]``. U_k is upper triangular, so column j of it needs only x's first
  j + 1 entries: the D columns are split into ``_COLUMN_SPLITS`` bands, band b multiplying only
  the leading ``1 + end_b`` columns of ``xa``, which skips a third of the product's multiply-adds
  on zeros (4 bands: 0.63 of them are left). Each band's result ``[c, width_b * K]`` lives in a
  buffer reused block after block, squared in place and summed into ``[c, K]``: no N x K x D
  temporary.
- **M-step.** ``xa^T diag(r_k) xa`` is, in one ``[1 + D, 1 + D]`` matrix, N_k (corner), S_k (first
  row) and Q_k. Once the components separate most responsibilities are exactly zero (93% on
  ``bench/gmm_fit.py``'s mixture), so the rows with ``r_nk != 0`` are gathered once per span of
  rows, grouped by component, and each component's moment is one well-shaped product
  ``(r * xa)^T xa`` over its own rows; spans with dense responsibilities take one wide product
  ``xa^T [r_n1 xa_n, .., r_nK xa_n]`` instead. Pieces of at most ``chunk`` rows are summed in the
  compute dtype and added into float64, as the E-step's chunks always were.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = [
    "SPARSE_FRACTION",
    "augmented_moments",
    "band_bounds",
    "band_buffers",
    "band_factors",
    "mahalanobis_blocked",
]

SPARSE_FRACTION = 0.5
"""At most this share of non-zero responsibilities in a span: moments by component over the
rows that count; above it, one wide product over all rows is faster."""
_COLUMN_SPLITS = 4
"""Bands of U's columns: 4 measured 1.3x faster than 1 (one product) and 1.1x than 2 at D = 32,
K = 16 on this AMD EPYC; more bands make products too thin."""


def band_bounds(d: int) -> list[tuple[int, int]]:
    """Column bands ``[(start, end), ...]`` covering ``range(d)``, as even as possible."""
    splits = max(1, min(_COLUMN_SPLITS, d))
    edges = [round(i * d / splits) for i in range(splits + 1)]
    return [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b > a]


def band_factors(means: Tensor, precisions_cholesky: Tensor) -> list[Tensor]:
    """``[-mu^T U; U]`` split into column bands, each cut to the rows its columns use.

    Band ``(a, b)`` is ``[1 + b, (b - a) * K]`` with columns dimension-major (``j * K + k``), so
    the sum of squares adds rows of K contiguous values. ``means [K, D]`` and
    ``precisions_cholesky [K, D, D]`` (upper triangular) in the compute dtype.
    """
    k, d = means.shape
    u = precisions_cholesky
    offset = torch.einsum("kd,kde->ek", means, u)  # [D, K]: column j of mu_k^T U_k
    full = torch.cat([-offset.reshape(1, d * k), u.permute(1, 2, 0).reshape(d, d * k)])
    return [full[: 1 + b, a * k : b * k].contiguous() for a, b in band_bounds(d)]


def mahalanobis_blocked(
    xa: Tensor, factors: list[Tensor], buffers: list[Tensor], k: int
) -> Tensor:
    """``||(x_n - mu_k)^T U_k||^2`` for one block ``xa: [c, 1 + D]``: returns ``[c, K]``.

    ``buffers[b]`` holds at least ``c * width_b * K`` values; they are overwritten.
    """
    c = xa.shape[0]
    total = xa.new_zeros(c, k)
    for factor, buffer in zip(factors, buffers, strict=True):
        rows, columns = factor.shape
        y = buffer[: c * columns].view(c, columns)
        torch.mm(xa[:, :rows], factor, out=y)
        total += y.square_().view(c, columns // k, k).sum(1)
    return total


def band_buffers(factors: list[Tensor], rows: int) -> list[Tensor]:
    """One reusable flat buffer per band, for blocks of up to ``rows`` rows."""
    return [factor.new_empty(rows * factor.shape[1]) for factor in factors]


def augmented_moments(xa: Tensor, resp_t: Tensor, chunk: int) -> Tensor:
    """``sum_n r_nk xa_n xa_n^T`` for every k, float64 ``[K, 1 + D, 1 + D]``.

    ``xa: [S, 1 + D]`` and the responsibilities transposed, ``resp_t: [K, S]``, in the compute
    dtype: component-major, so that the non-zero entries come out grouped by component.
    """
    k, s = resp_t.shape
    e = xa.shape[1]
    out = xa.new_zeros(k, e, e, dtype=torch.float64)
    flat = resp_t.reshape(-1)
    index = flat.nonzero().squeeze(1) if xa.device.type == "cpu" else None
    if index is not None and index.numel() <= SPARSE_FRACTION * flat.numel():
        weights = flat.index_select(0, index)  # [nnz]
        counts = torch.bincount(index // s, minlength=k).tolist()
        gathered = xa.index_select(0, index % s)  # [nnz, 1 + D], component by component
        weighted = gathered * weights.unsqueeze(1)
        start = 0
        for component, count in enumerate(counts):
            for piece in range(start, start + count, chunk):
                end = min(piece + chunk, start + count)
                out[component] += weighted[piece:end].T @ gathered[piece:end]
            start += count
        return out
    for piece in range(0, s, chunk):
        end = min(piece + chunk, s)
        x, r = xa[piece:end], resp_t[:, piece:end].T
        wide = (r.unsqueeze(-1) * x.unsqueeze(1)).reshape(end - piece, -1)  # [c, K * (1 + D)]
        out += (x.T @ wide).view(e, k, e).transpose(0, 1)
    return out
