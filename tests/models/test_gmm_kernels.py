"""The blocked full-covariance EM kernels equal a straightforward float64 E-step and M-step."""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor

from models import gmm as gmm_module
from models import gmm_kernels

N, D, K = 301, 5, 4  # 301 rows: every block size below leaves a ragged last block


def random_parameters(generator: torch.Generator, k: int, d: int) -> gmm_module._Parameters:
    """Weights, means and upper-triangular precision Cholesky factors with a positive diagonal."""
    weights = torch.rand(k, generator=generator, dtype=torch.float64) + 0.2
    means = 2.0 * torch.randn(k, d, generator=generator, dtype=torch.float64)
    u = torch.randn(k, d, d, generator=generator, dtype=torch.float64).triu(1) * 0.3
    u += torch.diag_embed(torch.rand(k, d, generator=generator, dtype=torch.float64) + 0.5)
    return gmm_module._Parameters(weights / weights.sum(), means, u)


def reference_mahalanobis(x: Tensor, params: gmm_module._Parameters) -> Tensor:
    """||(x_n - mu_k)^T U_k||^2 one component at a time: ``[N, K]``."""
    columns = [
        ((x - mean) @ u).square().sum(-1)
        for mean, u in zip(params.means, params.precisions_cholesky, strict=True)
    ]
    return torch.stack(columns, dim=-1)


def reference_statistics(x: Tensor, params: gmm_module._Parameters) -> dict[str, Tensor]:
    """Bishop's E-step in plain float64: N_k, S_k, Q_k and sum_n log p(x_n)."""
    d = x.shape[1]
    log_det = params.precisions_cholesky.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    log_joint = (
        params.weights.log()
        + log_det
        - 0.5 * (d * math.log(2 * math.pi) + reference_mahalanobis(x, params))
    )
    resp = torch.softmax(log_joint, dim=-1)
    return {
        "log_likelihood": torch.logsumexp(log_joint, dim=-1).sum(),
        "nk": resp.sum(0),
        "sum_x": resp.T @ x,
        "sum_xx": torch.einsum("nk,nd,ne->kde", resp, x, x),
    }


def augmented(x: Tensor) -> Tensor:
    """``[1, x]: [N, 1 + D]``, the layout EM keeps the data in."""
    return torch.cat([x.new_ones(x.shape[0], 1), x], dim=1)


@pytest.fixture
def data() -> tuple[Tensor, gmm_module._Parameters]:
    generator = torch.Generator().manual_seed(0)
    params = random_parameters(generator, K, D)
    x = 2.0 * torch.randn(N, D, generator=generator, dtype=torch.float64)
    return x, params


def log_joint_reference(x: Tensor, params: gmm_module._Parameters) -> Tensor:
    """log w_k + log N(x_n | mu_k, Sigma_k) in plain float64: ``[N, K]``."""
    d = x.shape[1]
    log_det = params.precisions_cholesky.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    return (
        params.weights.log()
        + log_det
        - 0.5 * (d * math.log(2 * math.pi) + reference_mahalanobis(x, params))
    )


def kernel_base(params: gmm_module._Parameters, d: int) -> Tensor:
    log_det = params.precisions_cholesky.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    return (params.weights.log() + log_det - 0.5 * d * math.log(2 * math.pi)).unsqueeze(1)


@pytest.mark.parametrize("d", [1, 3, 5, 32])
@pytest.mark.parametrize("block", [1, 7, 64, N])
def test_banded_log_joint_equals_one_product_per_component(d: int, block: int) -> None:
    generator = torch.Generator().manual_seed(d)
    params = random_parameters(generator, K, d)
    x = torch.randn(N, d, generator=generator, dtype=torch.float64)
    factors = gmm_kernels.band_factors(params.means, params.precisions_cholesky)
    buffer = gmm_kernels.band_buffer(factors, block)
    xa = augmented(x)
    out = torch.full((K, N), math.nan, dtype=torch.float64)  # written through strided slices

    for rows in gmm_module._chunks(N, block):
        gmm_kernels.log_joint_blocked(xa[rows], factors, buffer, kernel_base(params, d),
                                      out[:, rows])

    torch.testing.assert_close(out.T, log_joint_reference(x, params), rtol=1e-12, atol=1e-10)


def test_bands_skip_the_zeros_of_the_triangular_factors() -> None:
    params = random_parameters(torch.Generator().manual_seed(1), K, 32)
    factors = gmm_kernels.band_factors(params.means, params.precisions_cholesky)
    used = sum(f.numel() for f in factors)
    assert [f.shape[1] for f in factors] == [1 + 8, 1 + 16, 1 + 24, 1 + 32]
    assert used == pytest.approx(0.65 * (1 + 32) * 32 * K, rel=0.05)


def test_posterior_over_components_on_the_first_axis_is_the_transposed_posterior() -> None:
    """The full-covariance E-step keeps ``[K, c]``; the softmax then runs down the columns."""
    log_joint = 300 * torch.randn(50, K, generator=torch.Generator().manual_seed(4),
                                  dtype=torch.float64)
    resp, log_px = gmm_module._posterior(log_joint)
    resp_t, log_px_t = gmm_module._posterior(log_joint.T.contiguous(), dim=0)
    assert (resp == 0).any()  # some entries fall under the floor
    torch.testing.assert_close(resp_t, resp.T, rtol=0, atol=0)
    torch.testing.assert_close(log_px_t, log_px, rtol=0, atol=0)


@pytest.mark.parametrize("block", [1, 7, 64, 300, N])
@pytest.mark.parametrize("span_entries", [K, 40 * K, 1 << 18])
@pytest.mark.parametrize("sparse_fraction", [-1.0, 1.0])  # always wide, always by component
def test_blocked_e_step_statistics_equal_the_reference(
    data: tuple[Tensor, gmm_module._Parameters],
    monkeypatch: pytest.MonkeyPatch,
    block: int,
    span_entries: int,
    sparse_fraction: float,
) -> None:
    x, params = data
    monkeypatch.setattr(gmm_module, "_SPAN_ENTRIES", span_entries)  # ragged spans of rows too
    monkeypatch.setattr(gmm_kernels, "SPARSE_FRACTION", sparse_fraction)

    stats = gmm_module._e_step_full(augmented(x), params, block)

    expected = reference_statistics(x, params)
    assert stats.n == N
    for name, value in expected.items():
        torch.testing.assert_close(getattr(stats, name), value, rtol=1e-12, atol=1e-10, msg=name)


@pytest.fixture
def separated_responsibilities() -> Tensor:
    """``[N, K]`` with most entries exactly zero, as once components separate."""
    generator = torch.Generator().manual_seed(2)
    resp = torch.softmax(20 * torch.randn(N, K, generator=generator, dtype=torch.float64), -1)
    resp[resp < 1e-3] = 0.0
    resp[:, -1] = 0.0  # and one component that owns no row
    return resp


@pytest.mark.parametrize("piece", [1, 5, 64, N])
@pytest.mark.parametrize("sparse_fraction", [-1.0, 1.0])  # always wide, always by component
def test_weighted_moments_are_counts_sums_and_second_moments(
    monkeypatch: pytest.MonkeyPatch, separated_responsibilities: Tensor, piece: int,
    sparse_fraction: float,
) -> None:
    monkeypatch.setattr(gmm_kernels, "SPARSE_FRACTION", sparse_fraction)
    resp = separated_responsibilities
    x = torch.randn(N, D, generator=torch.Generator().manual_seed(3), dtype=torch.float64)

    nk, sums, second = gmm_kernels.weighted_moments(augmented(x), resp.T.contiguous(), piece)

    torch.testing.assert_close(nk, resp.sum(0), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(sums, resp.T @ x, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(
        second, torch.einsum("nk,nd,ne->kde", resp, x, x), rtol=1e-12, atol=1e-12
    )


def test_float32_weighted_moments_are_returned_in_float64(
    separated_responsibilities: Tensor,
) -> None:
    """The pieces' products run in float32; what they add up to is float64."""
    resp = separated_responsibilities
    x = torch.randn(N, D, generator=torch.Generator().manual_seed(3), dtype=torch.float64)

    moments = gmm_kernels.weighted_moments(augmented(x).float(), resp.T.float().contiguous(), 64)

    assert all(m.dtype == torch.float64 for m in moments)
    torch.testing.assert_close(
        moments[2], torch.einsum("nk,nd,ne->kde", resp, x, x), rtol=1e-5, atol=1e-5
    )


def test_float32_blocked_e_step_stays_close_to_the_float64_reference(
    data: tuple[Tensor, gmm_module._Parameters],
) -> None:
    """Products in float32, sums over blocks in float64: log-likelihood to 1e-6 relative."""
    x, params = data
    stats = gmm_module._e_step_full(augmented(x).float(), params, 64)
    expected = reference_statistics(x, params)
    assert stats.log_likelihood.dtype == torch.float64
    torch.testing.assert_close(
        stats.log_likelihood, expected["log_likelihood"], rtol=1e-6, atol=0.0
    )
    torch.testing.assert_close(stats.sum_xx, expected["sum_xx"], rtol=1e-5, atol=1e-4)
