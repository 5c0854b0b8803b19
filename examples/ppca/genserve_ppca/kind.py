"""The registration: what genserve needs to train, check and serve PPCA. The entry point
``ppca = "genserve_ppca.kind:PPCA_KIND"`` (this package's ``pyproject.toml``) points here."""

from __future__ import annotations

import math
import time
from typing import Any

import torch

from genserve_ppca.model import PPCA, PPCAHyperparameters, choose_components
from models.base import DataSpec, ProgressCallback
from models.datasets import Dataset, discrete_bits_per_dim
from models.diagnostics import factorised_gaussian_log_likelihood
from models.kinds import DataFacts, FitContext, ModelKind, ParameterRefused
from models.training import SplitOptions

__all__ = ["PPCA_KIND", "fit_ppca"]

MAX_DIMENSIONS = 8192
"""D at most: the fit forms and diagonalises the D x D covariance (0.5 GB of float64 at 8192)."""


def fit_ppca(
    dataset: Dataset, hyperparameters: Any, options: Any, *,
    progress: ProgressCallback | None, context: FitContext,
) -> PPCA:
    """The closed-form fit on the training split, scored on the held-out split beside the
    factorised Gaussian baseline (every dimension independent: PPCA with its correlations
    must clearly beat it for the training gate to pass)."""
    assert isinstance(hyperparameters, PPCAHyperparameters)
    assert isinstance(options, SplitOptions)
    if options.binarize:  # a continuous density: one draw, then dequantised on two levels
        dataset = dataset.binarized(options.binarize, dequantize=True)
    rows = dataset.split(test_fraction=options.test_fraction, seed=options.split_seed)
    spec = DataSpec(
        shape=dataset.shape, value_range=dataset.value_range, dataset=dataset.name,
        split=rows.record, preprocessing=dataset.preprocessing(),
        classes=list(dataset.classes) if dataset.classes is not None else None,
    )
    started = time.perf_counter()
    train = torch.from_numpy(rows.train).double()
    test = torch.from_numpy(rows.test).double()
    model = PPCA(choose_components(train, hyperparameters), spec).to(context.device)
    summary = model.fit(train)
    train_ll = float(model._log_likelihood(train.to(model.weight.device)).mean())
    test_ll = model._log_likelihood(test.to(model.weight.device)).cpu()
    if progress is not None:  # one step: the fit has no iterations
        progress({"iteration": 1, "restart": 0, "log_likelihood": train_ll, "progress": 1.0,
                  "elapsed_s": time.perf_counter() - started})
    baseline = factorised_gaussian_log_likelihood(train, test)
    mean = float(test_ll.mean())
    model.metrics = {
        "test_log_likelihood": mean,
        "test_bits_per_dim": discrete_bits_per_dim(mean, dataset.dim, dataset.model_levels),
        "test_log_likelihood_stderr": float(test_ll.std() / math.sqrt(len(test_ll))),
        "train_log_likelihood": train_ll,
        "baseline_test_log_likelihood": float(baseline.mean()),
        "baseline": "independent Gaussians per dimension (maximum likelihood)",
        "noise_variance": summary["noise_variance"],
        "explained_variance_ratio": summary["explained_variance_ratio"],
    }
    model.training_info = {
        "algorithm": "closed-form maximum likelihood (Tipping & Bishop 1999)",
        "elapsed_s": round(time.perf_counter() - started, 3),
        "eigenvalues": summary["eigenvalues"],
    }
    return model


def check_ppca(hyperparameters: Any, options: Any, data: DataFacts) -> None:
    """Refuse a latent dimension the data cannot support, before the job is queued."""
    q = hyperparameters.n_components
    if q is None:  # chosen from the data, within both bounds
        q = 0
    if data.dim < 2:
        raise ParameterRefused(
            f"PPCA needs at least 2 dimensions; dataset {data.name!r} has {data.dim}",
            field="dataset", rule="dimensions",
        )
    if q >= data.dim:
        raise ParameterRefused(
            f"params.n_components={q} must be below the data's {data.dim} dimensions "
            f"(dataset {data.name!r})",
            field="params.n_components", rule="below_data_dimensions",
        )
    if data.n_train < 2 or q >= data.n_train:
        raise ParameterRefused(
            f"params.n_components={q} must be below the {data.n_train} training examples of "
            f"dataset {data.name!r}",
            field="params.n_components", rule="below_training_rows",
        )
    if data.dim > MAX_DIMENSIONS:
        raise ParameterRefused(
            f"PPCA diagonalises a {data.dim} x {data.dim} covariance; the limit is "
            f"{MAX_DIMENSIONS} dimensions",
            field="dataset", rule="memory_budget",
        )


PPCA_KIND = ModelKind(
    name="ppca", model=PPCA,
    hyperparameters=PPCAHyperparameters, options=SplitOptions, fit=fit_ppca,
    description="Linear-Gaussian latent variable model (Tipping & Bishop 1999), fitted in "
    "closed form; exact log-likelihood and posterior.",
    example={"dataset": "digits", "params": {"n_components": 30}},
    check=check_ppca,
    cli_options={"components": "n_components"},
)
