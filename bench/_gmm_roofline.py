"""The roofline of a full-covariance EM iteration: this CPU's GEMM peak and each phase against it.

Each phase of genserve's E- and M-step runs alone, on a fitted model's parameters (the state the
speed run ends in, where most responsibilities are exactly zero), best of ``repeats`` timings.
FLOPs are counted as the arithmetic each phase does: the distance products count the multiply-adds
of the banded factors actually multiplied (the zeros under the triangular factors skipped are not
counted); element-wise phases (squares and sums, log-sum-exp) count one FLOP per element and
operation, so their fraction of the GEMM peak says how far from compute-bound they are, not that
they could reach it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

PEAK_SIZE = 512
"""Square GEMM of this size: its three matrices (3 MiB in float32) sit in L2/L3, so it runs at
the core's arithmetic peak rather than at memory speed."""


def _best_seconds(run: Callable[[], object], repeats: int) -> float:
    """Best CPU time of ``repeats`` runs: on a machine other work shares, the time this process
    was scheduled, not the wall time it waited (1 thread: per-core figures; with more threads
    CPU seconds add up, and the peak is measured the same way)."""
    best = math.inf
    for _ in range(repeats):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def gemm_peak(dtype: Any, repeats: int = 7, products: int = 10) -> float:
    """GFLOP/s of ``torch.mm`` on square ``PEAK_SIZE`` matrices, best of ``repeats``."""
    import torch

    generator = torch.Generator().manual_seed(0)
    a = torch.randn(PEAK_SIZE, PEAK_SIZE, generator=generator, dtype=dtype)
    b = torch.randn(PEAK_SIZE, PEAK_SIZE, generator=generator, dtype=dtype)
    out = torch.empty_like(a)

    def run() -> None:
        for _ in range(products):
            torch.mm(a, b, out=out)

    run()  # warm-up
    return products * 2 * PEAK_SIZE**3 / _best_seconds(run, repeats) / 1e9


def phase_profile(model: Any, train: Any, dtype: Any, chunk_size: int,
                  repeats: int = 3) -> list[dict[str, Any]]:
    """Seconds, FLOPs and GFLOP/s of each EM phase for a fitted full-covariance ``model``."""
    import torch

    from models import gmm, gmm_kernels

    x = torch.from_numpy(train)
    shift = x.mean(0)
    n, d = x.shape
    k = model.n_components
    params = gmm._Parameters(model.weights, model.means - shift, model.precisions_cholesky)
    augmented = torch.cat([x.new_ones(n, 1), x - shift], dim=1).to(dtype)  # [N, 1 + D]
    factors = gmm_kernels.band_factors(params.means.to(dtype),
                                       params.precisions_cholesky.to(dtype))
    buffer = gmm_kernels.band_buffer(factors, chunk_size)
    blocks = [augmented[rows] for rows in gmm._chunks(n, chunk_size)]
    base = (params.weights.log()
            + gmm._log_det_cholesky(params.precisions_cholesky, "full", d)
            - 0.5 * d * gmm._LOG_2PI).to(dtype).unsqueeze(1)
    joint = augmented.new_empty(k, n)

    def products() -> None:
        for block in blocks:
            y = buffer[: d * k * block.shape[0]].view(d * k, -1)
            first = 0
            for factor in factors:
                torch.mm(factor, block[:, : factor.shape[1]].T,
                         out=y[first : first + factor.shape[0]])
                first += factor.shape[0]

    def log_joint() -> None:
        for rows, block in zip(gmm._chunks(n, chunk_size), blocks, strict=True):
            gmm_kernels.log_joint_blocked(block, factors, buffer, base, joint[:, rows])

    log_joint()
    span = max(1, gmm._SPAN_ENTRIES // (k * chunk_size)) * chunk_size
    spans = list(gmm._chunks(n, span))
    span_joints = [joint[:, rows].contiguous() for rows in spans]  # [K, S] as the E-step keeps

    def posterior() -> list[Any]:
        return [gmm._posterior(span_joint, dim=0)[0] for span_joint in span_joints]

    resp = torch.cat(posterior(), dim=1)  # [K, N]

    def moments() -> None:
        for rows in spans:
            gmm_kernels.weighted_moments(augmented[rows], resp[:, rows], chunk_size)

    stats = gmm._e_step_full(augmented, params, chunk_size)

    def parameters() -> None:
        gmm._m_step(stats, 1e-6)

    nonzero = int((resp != 0).sum())
    sparse = nonzero <= gmm_kernels.SPARSE_FRACTION * resp.numel()
    product_flops = 2 * n * sum(f.numel() for f in factors)
    joint_seconds = _best_seconds(log_joint, repeats)
    product_seconds = _best_seconds(products, repeats)
    rows = [
        ("E-step: distance products (banded GEMM)", product_seconds, product_flops),
        ("E-step: squares and sums (square, GEMV)", max(joint_seconds - product_seconds, 0.0),
         2 * n * d * k),
        ("E-step: log-sum-exp, responsibilities", _best_seconds(posterior, repeats), 8 * n * k),
        # [D + 1, n] @ [n, D] over the non-zero responsibilities (or all of them, wide)
        (f"M-step: N_k, S_k, Q_k ({'by component, non-zero rows' if sparse else 'wide'})",
         _best_seconds(moments, repeats), 2 * (nonzero if sparse else n * k) * d * (d + 1)),
        # Cholesky D^3/3, triangular solve against the identity D^3, per component
        ("M-step: parameters (Cholesky, solves)", _best_seconds(parameters, repeats),
         k * (d**3 // 3 + d**3)),
    ]
    return [{"phase": name, "seconds": seconds, "gflop": flops / 1e9,
             "gflops": flops / seconds / 1e9 if seconds > 0 else 0.0,
             "nonzero_responsibilities": nonzero / resp.numel()}
            for name, seconds, flops in rows]
