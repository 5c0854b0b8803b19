"""Fit loops with progress and cancellation: the only place models meet data sets.

Both loops report to a ``ProgressCallback`` after every EM iteration or epoch, and a VAE during
its final evaluation too; each event's ``progress`` is the share of the fit's work done, so it
never goes back. A callback that raises ``TrainingCancelled`` stops the fit there. Held-out
metrics (with a baseline and diagnostics, ``models/diagnostics.py``) are computed on a seeded
split that is recorded in the model's config; a non-finite loss, parameter or metric raises
``TrainingDiverged``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from safetensors.torch import load_file, save_file

from models.base import DataSpec, GenerativeModel, ProgressCallback
from models.cgmm import ClassConditionalGMM
from models.checkpoints import load_checkpoint, save_checkpoint
from models.cvae import CVAE
from models.datasets import Binarization, Dataset, DatasetSplit, discrete_bits_per_dim
from models.diagnostics import (
    active_units,
    factorised_bernoulli_log_likelihood,
    factorised_gaussian_log_likelihood,
    full_gaussian_log_likelihood,
    unit_activity,
)
from models.early_stopping import (
    MIN_VALIDATION_ROWS,
    EarlyStopping,
    ValidationSplit,
    carve_validation,
)
from models.gmm import GaussianMixture, GMMHyperparameters
from models.vae import VAE, LatentPriorSpec, VAEHyperparameters, network_differences

__all__ = [
    "Budget",
    "SplitOptions",
    "TrainingDiverged",
    "VAETrainingOptions",
    "check_finite",
    "describe_dataset",
    "evaluate_vae",
    "resolve_budget",
    "fit_latent_prior",
    "train_cgmm",
    "train_gmm",
    "train_vae",
    "vae_diagnostics",
    "validation_elbo",
]


MAX_STEPS = 200_000
"""Optimisation steps of one VAE job at most: about an hour for an MNIST-sized MLP on 2 cores."""
MAX_EPOCHS = 10_000
MAX_BATCH_SIZE = 4096
MAX_EVAL_IMPORTANCE_SAMPLES = 100_000
"""The final evaluation costs ``n_test x k`` network passes; it reports progress and can be
cancelled between blocks, so the bound is on patience rather than memory."""
DEFAULT_MIN_STEPS = 3_000
DEFAULT_MAX_STEPS = 12_000
DEFAULT_EPOCHS_EQUIVALENT = 20
"""The default budget: 20 passes over the training split, but at least 3,000 and at most 12,000
steps of 128 examples. Digits (1,348 rows) gets 3,003 steps, 273 epochs: 56 nats held out
against the shipped digits-vae's 50 (6,300 steps of 64); an MNIST-sized upload (45,000-60,000
rows) gets 7,000-9,400 steps."""
DEFAULT_BATCH_SIZE = 128
DEFAULT_PATIENCE = 0
"""Early stopping is off by default: the default budget anneals the learning rate to its floor
by the last step, so the last weights are about the best ones and a validation split only costs
training rows (docs/pending/jobs.md has the digits figures)."""
MAX_PATIENCE = 1000
VALIDATION_CHECKS = 50
"""Validation checks over a budget, by default: digits' 273 epochs are checked every 6."""
MIN_VALIDATION_FRACTION = 0.01
DEFAULT_EVAL_PASSES = 2_000_000
MIN_DEFAULT_EVAL_K = 100


class SplitOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    test_fraction: float = Field(default=0.25, gt=0.0, lt=1.0)
    split_seed: int = Field(default=0, ge=0)
    binarize: Binarization | None = Field(
        default=None, description="Binarise discrete images: dynamic, static or threshold."
    )


class VAETrainingOptions(SplitOptions):
    """How a VAE is trained. Leave the budget out and it follows the data (see ``steps``)."""

    epochs: int | None = Field(
        default=None, ge=1, le=MAX_EPOCHS,
        description=f"Passes over the training split (at most {MAX_EPOCHS}). Leave out (with "
        "steps) for the default budget; give one of epochs and steps, not both.",
    )
    steps: int | None = Field(
        default=None, ge=1, le=MAX_STEPS,
        description=f"Optimisation steps (at most {MAX_STEPS:,}), rounded up to whole epochs. "
        f"Default: {DEFAULT_EPOCHS_EQUIVALENT} epochs' worth, at least {DEFAULT_MIN_STEPS:,} "
        f"and at most {DEFAULT_MAX_STEPS:,} (digits: 3,003; MNIST: 7,000-9,400).",
    )
    batch_size: int | None = Field(
        default=None, ge=1, le=MAX_BATCH_SIZE,
        description=f"Examples per step (at most {MAX_BATCH_SIZE}; default "
        f"{DEFAULT_BATCH_SIZE}, or the training split if smaller).",
    )
    learning_rate: float = Field(default=1e-3, gt=0.0, le=1.0)
    lr_schedule: Literal["constant", "cosine"] = Field(
        default="cosine",
        description="After the warm-up (lr_warmup_fraction), cosine: anneal to "
        "min_learning_rate by the last step; constant: keep learning_rate.",
    )
    min_learning_rate: float = Field(default=1e-5, ge=0.0, le=1.0)
    lr_warmup_fraction: float = Field(
        default=0.02, ge=0.0, le=0.5,
        description="Share of the steps over which the learning rate rises linearly to "
        "learning_rate (Adam's first steps are large; 0 disables).",
    )
    kl_warmup_steps: int | None = Field(
        default=None, ge=0, le=MAX_STEPS,
        description="KL warm-up (deterministic annealing, Sonderby et al. 2016): the KL weight "
        "rises linearly from 0 to beta over these steps. Default: the first third of the "
        "budget (digits: 1,001 steps; 0 disables). It keeps the encoder from switching its "
        "units off before the decoder can use them (posterior collapse): raise it when the "
        "active_units metric is low. ELBO objective only.",
    )
    free_bits: float = Field(
        default=0.0, ge=0.0, le=10.0,
        description="Free bits (Kingma et al. 2016, 'Improved Variational Inference with "
        "Inverse Autoregressive Flow', eq. 15), nats per latent dimension: a dimension's "
        "batch-mean KL below this costs nothing, so the encoder has no reason to switch it off. "
        "Use 0.1-0.5 when units collapse; 0 is the true ELBO. ELBO objective only.",
    )
    objective: Literal["elbo", "iwae"] = Field(
        default="elbo", description="iwae: the importance-weighted bound with train_k samples."
    )
    train_k: int = Field(
        default=1, ge=1, le=1000,
        description="Importance samples per example for the iwae objective (at most 1,000: "
        "memory grows with batch_size x train_k).",
    )
    precision: Literal["float32", "bfloat16"] = Field(
        default="float32",
        description="bfloat16: the networks' matrix products in bfloat16 (autocast), the "
        "likelihoods, KL and weights in float32. About 1.4x the samples per second where the "
        "hardware has bfloat16 units (AVX512-BF16 or AMX CPUs, Ampere+ GPUs), slower elsewhere.",
    )
    seed: int = Field(default=0, ge=0)
    eval_importance_samples: int | None = Field(
        default=None, ge=1, le=MAX_EVAL_IMPORTANCE_SAMPLES,
        description=f"k of the held-out IWAE bound (at most {MAX_EVAL_IMPORTANCE_SAMPLES:,}); "
        f"the evaluation runs in blocks that report progress and see a cancel. Default: 1,000, "
        f"or fewer (not under {MIN_DEFAULT_EVAL_K}) so that n_test x k stays under "
        f"{DEFAULT_EVAL_PASSES:,} (MNIST's 10,000 test images: k = 200).",
    )
    checkpoint_every: int = Field(
        default=0, ge=0, le=MAX_EPOCHS, description="Epochs between checkpoints."
    )
    latent_prior_components: int = Field(
        default=0, ge=0, le=100,
        description="Fit a GMM with this many components (at most 100) to the latent means "
        "after training (0: none); /sample then takes prior='gmm'.",
    )
    early_stopping_patience: int = Field(
        default=DEFAULT_PATIENCE, ge=0, le=MAX_PATIENCE,
        description=f"Stop once the validation ELBO has not beaten its best by "
        f"early_stopping_min_delta for this many checks in a row (at most {MAX_PATIENCE}), and "
        "keep the best check's weights. 0 (the default): train the whole budget, with no "
        "validation split. Every check competes for the best weights from the first; "
        "patience counts only the checks after the KL warm-up.",
    )
    early_stopping_min_delta: float = Field(
        default=0.1, ge=0.0, le=1e6,
        description="Nats per example by which the validation ELBO must beat its best to "
        "count as an improvement.",
    )
    validation_fraction: float = Field(
        default=0.1, ge=MIN_VALIDATION_FRACTION, le=0.5,
        description=f"Share of the training split held back for early stopping's checks "
        f"({MIN_VALIDATION_FRACTION} to 0.5, and at least {MIN_VALIDATION_ROWS} rows; the test "
        "split is never used). Only with early_stopping_patience.",
    )
    validation_every: int | None = Field(
        default=None, ge=1, le=MAX_STEPS,
        description="Optimisation steps between validation checks, rounded up to whole "
        f"epochs. Default: a {VALIDATION_CHECKS}th of the budget.",
    )

    @model_validator(mode="after")
    def _one_budget(self) -> VAETrainingOptions:
        """ctx's "field" names the parameter at fault (the model as a whole has no location)."""
        if self.epochs is not None and self.steps is not None:
            raise PydanticCustomError(
                "one_budget", "give epochs or steps, not both", {"field": "steps"}
            )
        if self.objective == "iwae" and (self.kl_warmup_steps or self.free_bits):
            raise PydanticCustomError(
                "elbo_only", "kl_warmup_steps and free_bits shape the ELBO objective only",
                {"field": "kl_warmup_steps" if self.kl_warmup_steps else "free_bits"},
            )
        return self


class TrainingDiverged(RuntimeError):
    """A loss, a parameter or a held-out metric went non-finite: nothing may be published."""


@dataclass(frozen=True)
class Budget:
    """A VAE job's budget resolved against its training split."""

    batch_size: int
    steps_per_epoch: int
    epochs: int

    @property
    def steps(self) -> int:
        return self.steps_per_epoch * self.epochs


def default_eval_k(n_test: int) -> int:
    """1,000 importance samples, fewer on large test splits (see the option's description)."""
    return max(MIN_DEFAULT_EVAL_K, min(1000, DEFAULT_EVAL_PASSES // max(1, n_test)))


def resolve_budget(options: VAETrainingOptions, n_train: int) -> Budget:
    """Batch size, steps per epoch and epochs for ``n_train`` rows (see the options' fields)."""
    batch = options.batch_size or DEFAULT_BATCH_SIZE
    batch = min(batch, max(1, n_train))
    per_epoch = math.ceil(n_train / batch)
    if options.epochs is not None:
        return Budget(batch, per_epoch, options.epochs)
    steps = options.steps
    if steps is None:
        wanted = DEFAULT_EPOCHS_EQUIVALENT * per_epoch
        steps = min(DEFAULT_MAX_STEPS, max(DEFAULT_MIN_STEPS, wanted))
    return Budget(batch, per_epoch, max(1, math.ceil(steps / per_epoch)))


def _data_spec(dataset: Dataset, split: DatasetSplit) -> DataSpec:
    return DataSpec(
        shape=dataset.shape, value_range=dataset.value_range, dataset=dataset.name,
        split=split.record, preprocessing=dataset.preprocessing(),
        classes=list(dataset.classes) if dataset.classes is not None else None,
    )


def _held_out_metrics(
    mean_log_likelihood: float, dataset: Dataset, prefix: str = "test"
) -> dict[str, float]:
    return {
        f"{prefix}_log_likelihood": mean_log_likelihood,
        f"{prefix}_bits_per_dim": discrete_bits_per_dim(
            mean_log_likelihood, dataset.dim, dataset.model_levels
        ),
    }


def _notify(progress: ProgressCallback | None, event: Mapping[str, Any]) -> None:
    if progress is not None:
        progress(event)


def check_finite(model: GenerativeModel) -> None:
    """Raise :class:`TrainingDiverged` unless every saved tensor and every metric is finite."""
    bad = [name for name, tensor in model.state_dict().items()
           if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all())]
    if bad:
        raise TrainingDiverged(
            f"the fitted model has non-finite values in {', '.join(bad[:5])}: nothing published"
        )
    for key, value in model.metrics.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, float) and not math.isfinite(v) for v in values):
            raise TrainingDiverged(f"held-out metric {key} is {value}: nothing published")


GMM_EVALUATION_UNITS = 1
"""Work of a GMM's held-out scoring and baseline, in EM iterations (they take about one)."""


def train_gmm(
    dataset: Dataset,
    hparams: GMMHyperparameters,
    *,
    split: SplitOptions | None = None,
    progress: ProgressCallback | None = None,
) -> GaussianMixture:
    """EM on the training split; metrics are held-out mean log-likelihoods per example.

    Events carry ``progress``: EM iterations done over ``n_init x max_iter`` plus the final
    scoring, so a restart that converges early moves it forward and it never goes back.
    """
    split = split or SplitOptions()
    if split.binarize:  # EM fits fixed data: one draw, then dequantised on two levels
        dataset = dataset.binarized(split.binarize, dequantize=True)
    rows = dataset.split(test_fraction=split.test_fraction, seed=split.split_seed)
    model = GaussianMixture(hparams, _data_spec(dataset, rows))
    started = time.perf_counter()
    total = hparams.n_init * hparams.max_iter + GMM_EVALUATION_UNITS
    restart_bounds: dict[int, float] = {}

    def report(event: Mapping[str, float]) -> None:
        restart, iteration = int(event["restart"]), int(event["iteration"])
        restart_bounds[restart] = float(event["log_likelihood"])
        done = restart * hparams.max_iter + iteration
        _notify(progress, {
            **event, "progress": done / total, "elapsed_s": time.perf_counter() - started,
        })

    train = torch.from_numpy(rows.train).double()
    summary = model.fit(train, progress=report)
    elapsed = time.perf_counter() - started
    test = torch.from_numpy(rows.test)
    test_ll = model.log_likelihood(test)["log_likelihood"]
    baseline = full_gaussian_log_likelihood(train, test.double(), reg_covar=hparams.reg_covar)
    model.metrics = {
        **_held_out_metrics(float(test_ll.mean()), dataset),
        "test_log_likelihood_stderr": float(test_ll.std() / math.sqrt(len(test_ll))),
        "train_log_likelihood": float(summary["log_likelihood"]),
        "baseline_test_log_likelihood": float(baseline.mean()),
        "baseline": "one full-covariance Gaussian (maximum likelihood, + reg_covar I)",
        "converged": bool(summary["converged"]),
        "n_iter": int(summary["n_iter"]),
        "restart_bounds": [restart_bounds[r] for r in sorted(restart_bounds)],
    }
    model.training_info = {
        "algorithm": "EM", "elapsed_s": round(elapsed, 3), **{
            k: v for k, v in summary.items() if k != "log_likelihood"
        },
    }
    check_finite(model)
    return model


def train_cgmm(
    dataset: Dataset,
    hparams: GMMHyperparameters,
    *,
    split: SplitOptions | None = None,
    progress: ProgressCallback | None = None,
) -> ClassConditionalGMM:
    """EM for one mixture per class on the training split; held-out exact ``log p(x)``,
    ``log p(x | y)`` and the accuracy of ``argmax_y p(y | x)`` on the test split.

    Events are the GMM's, with the ``label`` being fitted; ``progress`` counts the EM
    iterations of every class in turn.
    """
    split = split or SplitOptions()
    if split.binarize:
        dataset = dataset.binarized(split.binarize, dequantize=True)
    rows = dataset.split(test_fraction=split.test_fraction, seed=split.split_seed)
    model = ClassConditionalGMM(hparams, _data_spec(dataset, rows))
    if rows.train_labels is None or rows.test_labels is None:
        raise ValueError(f"a cgmm trains on labelled data; data set {dataset.name!r} has none")
    started = time.perf_counter()
    per_class = hparams.n_init * hparams.max_iter
    total = model.n_classes * per_class + GMM_EVALUATION_UNITS

    def report(event: Mapping[str, float]) -> None:
        done = (int(event["label"]) * per_class + int(event["restart"]) * hparams.max_iter
                + int(event["iteration"]))
        _notify(progress, {
            **event, "progress": done / total, "elapsed_s": time.perf_counter() - started,
        })

    train = torch.from_numpy(rows.train).double()
    summary = model.fit(train, torch.from_numpy(rows.train_labels), progress=report)
    elapsed = time.perf_counter() - started
    test, test_labels = torch.from_numpy(rows.test), torch.from_numpy(rows.test_labels)
    test_ll = model.log_likelihood(test)["log_likelihood"]
    given = model.log_likelihood(test, labels=test_labels)["log_likelihood"]
    predicted = model.classify(test)["predicted"]
    baseline = full_gaussian_log_likelihood(train, test.double(), reg_covar=hparams.reg_covar)
    model.metrics = {
        **_held_out_metrics(float(test_ll.mean()), dataset),
        "test_log_likelihood_stderr": float(test_ll.std() / math.sqrt(len(test_ll))),
        "test_log_likelihood_given_label": float(given.mean()),
        "test_accuracy": float((predicted == test_labels).double().mean()),
        "train_log_likelihood": float(summary["log_likelihood"]),
        "baseline_test_log_likelihood": float(baseline.mean()),
        "baseline": "one full-covariance Gaussian (maximum likelihood, + reg_covar I)",
        "estimator": "exact log p(x) = logsumexp_y [log p(x | y) + log p(y)]",
        "converged": bool(summary["converged"]),
        "n_iter": int(summary["n_iter"]),
    }
    model.training_info = {
        "algorithm": "EM, one mixture per class", "elapsed_s": round(elapsed, 3),
        "per_class": [
            {k: v for k, v in s.items() if k != "log_likelihood"} for s in summary["per_class"]
        ],
    }
    check_finite(model)
    return model


def _learning_rate(options: VAETrainingOptions, step: int, total: int) -> float:
    """The rate of ``step`` (1-based) of ``total``: a linear warm-up, then constant or cosine."""
    warmup = int(options.lr_warmup_fraction * total)
    if step <= warmup:
        return options.learning_rate * step / warmup
    if options.lr_schedule == "constant":
        return options.learning_rate
    progress = (step - warmup - 1) / max(1, total - warmup - 1)
    span = options.learning_rate - options.min_learning_rate
    return options.min_learning_rate + 0.5 * span * (1.0 + math.cos(math.pi * progress))


def _loss(
    model: VAE, batch: torch.Tensor, options: VAETrainingOptions, generator: torch.Generator,
    kl_weight: float, condition: torch.Tensor | None = None,
) -> torch.Tensor:
    """The mean loss of a batch; all noise comes from ``generator`` (checkpointed).

    ELBO: ``-(E log p(x|z) - w sum_u max(free_bits, mean_batch KL_u))`` with ``w = beta`` scaled
    by the KL warm-up; free bits 0 and no warm-up give the negative mean ELBO. Under
    ``precision="bfloat16"`` autocast runs the networks' products in bfloat16; the VAE hands
    their outputs back in float32, so the bound itself is computed in float32.
    """
    with torch.autocast(
        batch.device.type, dtype=torch.bfloat16, enabled=options.precision == "bfloat16"
    ):
        if options.objective == "iwae":  # Burda et al. 2015, eq. 8
            return -model.iwae_bound(
                batch, options.train_k, generator=generator, condition=condition
            ).mean()
        reconstruction, kl = model.elbo_parts(batch, generator=generator, condition=condition)
        kl_per_dim = kl.mean(0)
        if options.free_bits:  # Kingma et al. 2016, eq. 15
            kl_per_dim = kl_per_dim.clamp(min=options.free_bits)
        return -(reconstruction.mean() - kl_weight * kl_per_dim.sum())


def _adam(model: torch.nn.Module, learning_rate: float) -> torch.optim.Adam:
    """Adam with the fused kernel where the device has one (CPU and CUDA do).

    One pass over all parameters per step instead of a dozen element-wise operations per tensor:
    the same update up to float rounding, and 1.2-1.3x the samples per second for an MNIST-sized
    VAE on a 2-core CPU (``bench/vae_training.py``).
    """
    try:
        return torch.optim.Adam(model.parameters(), lr=learning_rate, fused=True)
    except (RuntimeError, ValueError):  # a device without a fused Adam
        return torch.optim.Adam(model.parameters(), lr=learning_rate)


@torch.no_grad()
def initialise_from_data(model: VAE, train: torch.Tensor) -> None:
    """Start the decoder at the factorised baseline: output weights at zero and bias at the data
    mean (logit of it for Bernoulli), Gaussian log-variance at the data's per-dimension
    log-variance, so the first ELBO is the baseline's log-likelihood less the KL.

    With a Gaussian decoder starting at variance 1 on data in [0, 1], the reconstruction term
    is too weak for the first thousand steps to pay for any KL: the encoder switches its units
    off and may never switch them on (posterior collapse). Starting at the baseline, every step
    is spent on what the latents add to it.
    """
    x = train.double()
    mean = x.mean(0)
    if model.hparams.likelihood == "gaussian":
        log_var = torch.log(x.var(0, unbiased=False).clamp(min=1e-12))
        model.decoder_log_var.copy_(log_var.clamp(min=model.hparams.min_log_var).float())
        bias = mean
    else:
        p = mean.clamp(1e-4, 1 - 1e-4)
        bias = torch.log(p) - torch.log1p(-p)
    layers = [m for m in model.decoder.modules() if isinstance(m, torch.nn.Linear)]
    if layers and layers[-1].out_features == model.dim and layers[-1].bias is not None:
        layers[-1].weight.zero_()  # the output is the baseline's whatever z is, to start with
        layers[-1].bias.copy_(bias.to(layers[-1].bias))


EVAL_BLOCK_PASSES = 32_768
"""Rows x importance samples of one evaluation call: about a second of an MNIST MLP on a core,
so a cancel is seen that often."""


def _labelled(labels: torch.Tensor | None) -> dict[str, Any]:
    """``labels=`` for a conditional model's operations; nothing for an unconditional one."""
    return {} if labels is None else {"labels": labels}


def _one_hot(model: VAE, labels: torch.Tensor | None) -> torch.Tensor | None:
    """A conditional VAE's networks' condition for ``labels``; None without labels."""
    if labels is None:
        return None
    return torch.nn.functional.one_hot(labels, len(model.data.classes or ())).float()


def _split_labels(
    model: VAE, rows: DatasetSplit, device: str | torch.device
) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """Train and test labels of a conditional model (None, None for a VAE); sets its p(y)."""
    if not isinstance(model, CVAE):
        return None, None
    if rows.train_labels is None or rows.test_labels is None:
        raise ValueError(
            f"a {model.kind} trains on labelled data; data set {model.data.dataset!r} has no "
            "labels for its training and test rows"
        )
    train = torch.from_numpy(rows.train_labels).to(device)
    counts = torch.bincount(train.cpu(), minlength=len(model.data.classes or ()))
    model.set_class_prior(counts)
    return train, torch.from_numpy(rows.test_labels).to(device)


@torch.no_grad()
def evaluate_vae(
    model: VAE, x: torch.Tensor, importance_samples: int, seed: int,
    report: Callable[[int], None] | None = None, labels: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """IWAE_k and ELBO per row of ``x`` (of ``log p(x | y)`` given ``labels``), computed in
    blocks of rows and of samples.

    Sample chunks are combined exactly: ``IWAE_k = logsumexp_i (IWAE_{k_i} + log k_i) - log k``
    and the ELBO is the k-weighted mean. ``report(passes)`` runs after every block (a progress
    callback there can raise to cancel).
    """
    generator = torch.Generator(device=x.device).manual_seed(seed)
    k = importance_samples
    rows_per_block = max(1, min(len(x), EVAL_BLOCK_PASSES // min(k, EVAL_BLOCK_PASSES)))
    samples_per_block = max(1, min(k, EVAL_BLOCK_PASSES // rows_per_block))
    iwae, elbo = [], []
    for start in range(0, len(x), rows_per_block):
        rows = x[start : start + rows_per_block]
        given = _labelled(None if labels is None else labels[start : start + rows_per_block])
        lse = torch.full((len(rows),), -math.inf, device=x.device, dtype=torch.float64)
        total = torch.zeros(len(rows), device=x.device, dtype=torch.float64)
        for done in range(0, k, samples_per_block):
            s = min(samples_per_block, k - done)
            scores = model.log_likelihood(
                rows, importance_samples=s, generator=generator, **given
            )
            lse = torch.logaddexp(lse, scores["log_likelihood"].double() + math.log(s))
            total += scores["elbo"].double() * s
            if report is not None:
                report(len(rows) * s)
        iwae.append(lse - math.log(k))
        elbo.append(total / k)
    return {"log_likelihood": torch.cat(iwae).float(), "elbo": torch.cat(elbo).float()}


@torch.no_grad()
def vae_diagnostics(
    model: VAE, train: torch.Tensor, test: torch.Tensor, *, seed: int, samples: int = 10,
    labels: torch.Tensor | None = None,
) -> dict[str, Any]:
    """Active units, KL per latent dimension, the two parts of the bound and the baseline.

    ``test_reconstruction`` is ``E_q log p(x|z)`` averaged over ``samples`` draws per row, and
    ``test_kl`` the closed-form KL, both in nats per example: ``test_reconstruction - test_kl``
    estimates the ELBO. The baseline matches the decoder: factorised Bernoulli or Gaussian.
    """
    generator = torch.Generator(device=test.device).manual_seed(seed)
    mus, kls, reconstruction = [], [], []
    for start in range(0, len(test), 1024):
        rows = model.check_input(test[start : start + 1024])
        condition = _one_hot(model, None if labels is None else labels[start : start + 1024])
        mu, log_var = model.encode_params(rows, condition)
        mus.append(mu)
        kls.append(0.5 * (mu.square() + torch.exp(log_var) - 1.0 - log_var))
        std = torch.exp(0.5 * log_var)
        draws = torch.randn((samples, *mu.shape), generator=generator, device=mu.device)
        decoded = model.decode(mu + std * draws, condition)
        reconstruction.append(model.log_px_given_z(rows, decoded).mean(0))
    mu_all = torch.cat(mus).cpu()
    kl = torch.cat(kls).cpu()
    per_dim = kl.double().mean(0)
    if model.hparams.likelihood == "bernoulli":
        baseline = factorised_bernoulli_log_likelihood(train.cpu(), test.cpu())
        name = "factorised Bernoulli per dimension (smoothed maximum likelihood)"
    else:
        floor = math.exp(model.hparams.min_log_var)  # the decoder's own variance floor
        baseline = factorised_gaussian_log_likelihood(train.cpu(), test.cpu(), min_variance=floor)
        name = "factorised Gaussian per dimension (maximum likelihood, variance >= the decoder's)"
    return {
        "active_units": active_units(mu_all),
        "unit_activity": [float(a) for a in unit_activity(mu_all)],
        "kl_per_dim": [float(v) for v in per_dim],
        "test_kl": float(per_dim.sum()),
        "test_reconstruction": float(torch.cat(reconstruction).double().mean()),
        "baseline_test_log_likelihood": float(baseline.mean()),
        "baseline": name,
    }


def train_vae(
    dataset: Dataset,
    hparams: VAEHyperparameters,
    options: VAETrainingOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
    device: str | torch.device = "cpu",
    checkpoint_dir: Path | None = None,
    warm_start: VAE | None = None,
    model_class: type[VAE] = VAE,
) -> VAE:
    """Adam on the negative ELBO (or IWAE bound) over shuffled in-memory mini-batches.

    The budget is counted in steps (:func:`resolve_budget`) and the learning rate follows it.
    Events after every epoch carry ``step``, ``steps`` and ``progress`` (the share of the whole
    job's work, the final evaluation included: it weighs ``n_test x k`` network passes against
    ``3 x batch`` per training step), then ``phase: "evaluation"`` events during the final
    evaluation. A non-finite loss or parameter raises :class:`TrainingDiverged` with the epoch.
    With ``checkpoint_dir`` and ``checkpoint_every``, the loop saves its whole state every few
    epochs and, when a checkpoint is already there, resumes from it instead of starting over.
    ``warm_start`` starts from another model's weights instead of a random initialisation (to
    train a published model further, or under another objective); the optimiser starts afresh.
    ``model_class`` :class:`~models.cvae.CVAE` trains a conditional VAE on the data set's labels
    (its held-out figures are then of ``log p(x | y)`` with the test labels).
    """
    options = options or VAETrainingOptions()
    torch.manual_seed(options.seed)
    if options.binarize:
        dataset = dataset.binarized(options.binarize)
    rows = dataset.split(test_fraction=options.test_fraction, seed=options.split_seed)
    model = model_class(hparams, _data_spec(dataset, rows)).to(device)
    validation = None
    if options.early_stopping_patience:
        validation = carve_validation(rows, options.validation_fraction, options.split_seed)
        rows = validation.rows
    train = torch.from_numpy(rows.train).to(device)
    test = torch.from_numpy(rows.test).to(device)
    if warm_start is not None:
        _copy_network_weights(warm_start, model)
    else:
        initialise_from_data(model, train)
    train_labels, test_labels = _split_labels(model, rows, device)
    budget = resolve_budget(options, len(train))
    k = options.eval_importance_samples or default_eval_k(len(test))
    kl_warmup = options.kl_warmup_steps
    if kl_warmup is None:
        kl_warmup = budget.steps // 3 if options.objective == "elbo" else 0
    check_every = math.ceil(
        (options.validation_every or max(1, budget.steps // VALIDATION_CHECKS))
        / budget.steps_per_epoch
    )
    per_step = 3 * budget.batch_size * (options.train_k if options.objective == "iwae" else 1)
    per_epoch = budget.steps_per_epoch * per_step + len(test)
    evaluation = len(test) * (k + 10)  # the IWAE bound, then the diagnostics' 10 draws
    total_work = budget.epochs * per_epoch + evaluation
    optimiser = _adam(model, options.learning_rate)
    generator = torch.Generator(device=device).manual_seed(options.seed)
    stopping = EarlyStopping(options.early_stopping_patience, options.early_stopping_min_delta)
    history: list[dict[str, float]] = []
    first_epoch, resumed_elapsed = 1, 0.0
    if checkpoint_dir is not None:
        restored = load_checkpoint(
            checkpoint_dir, model=model, optimiser=optimiser, generator=generator
        )
        if restored is not None:
            history = list(restored["history"])
            first_epoch = int(restored["epoch"]) + 1
            resumed_elapsed = float(restored["elapsed_s"])
            if validation is not None and "early_stopping" in restored:
                stopping.load_state(restored["early_stopping"], _load_best(checkpoint_dir))
    started = time.perf_counter() - resumed_elapsed
    step = (first_epoch - 1) * budget.steps_per_epoch
    stopped_at: tuple[int, int] | None = None  # (epoch, step) of an early stop
    epoch = first_epoch - 1
    for epoch in range(first_epoch, budget.epochs + 1):
        model.train()
        order = torch.randperm(len(train), generator=generator, device=device)
        total = torch.zeros((), device=device)
        for start in range(0, len(train), budget.batch_size):
            step += 1
            rate = _learning_rate(options, step, budget.steps)
            for group in optimiser.param_groups:
                group["lr"] = rate
            chosen = order[start : start + budget.batch_size]
            batch = train.index_select(0, chosen)  # 4x x[i]
            conditioned = {} if train_labels is None else {
                "condition": _one_hot(model, train_labels.index_select(0, chosen))
            }
            if rows.dynamic_binarization:  # a fresh Bernoulli draw of every pixel
                batch = torch.bernoulli(batch, generator=generator)
            kl_weight = hparams.beta * (min(1.0, step / kl_warmup) if kl_warmup else 1.0)
            loss = _loss(model, batch, options, generator, kl_weight, **conditioned)
            optimiser.zero_grad(set_to_none=True)
            torch.autograd.backward(loss)
            optimiser.step()
            total += loss.detach() * len(batch)
        train_loss = float(total) / len(train)
        if not math.isfinite(train_loss):
            raise TrainingDiverged(
                f"epoch {epoch}: the training loss is {train_loss} (non-finite); lower "
                "learning_rate or beta"
            )
        _check_parameters(model, epoch)
        model.eval()
        test_elbo = float(model.log_likelihood(
            test, importance_samples=1, generator=torch.Generator(device).manual_seed(epoch),
            **_labelled(test_labels),
        )["elbo"].mean())
        event = {
            "epoch": epoch, "epochs": budget.epochs, "step": step, "steps": budget.steps,
            "train_loss": train_loss, "test_elbo": test_elbo, "learning_rate": rate,
            "progress": epoch * per_epoch / total_work,
            "elapsed_s": time.perf_counter() - started,
        }
        stop = False
        if validation is not None and (epoch % check_every == 0 or epoch == budget.epochs):
            event["validation_elbo"] = validation_elbo(model, validation, seed=options.seed)
            # the true ELBO (beta = 1) at every check: the best weights may come from the KL
            # warm-up; patience counts only after it, when the bound trained on is the ELBO
            stop = stopping.update(event["validation_elbo"], model, step=step, epoch=epoch,
                                   count=step >= kl_warmup)
        history.append(event)
        _notify(progress, event)
        if checkpoint_dir is not None and options.checkpoint_every and (
            epoch % options.checkpoint_every == 0 or epoch == budget.epochs
        ):
            state = {"epoch": epoch, "history": history, "elapsed_s": event["elapsed_s"]}
            if validation is not None:
                state["early_stopping"] = stopping.state()
                _save_best(checkpoint_dir, stopping.best_state)
            save_checkpoint(
                checkpoint_dir, model=model, optimiser=optimiser, generator=generator,
                state=state,
            )
        if stop:
            stopped_at = (epoch, step)
            break
    elapsed = time.perf_counter() - started
    restored_best = stopping.restore_best(model)
    if options.latent_prior_components:
        fit_latent_prior(model, rows, LatentPriorSpec(n_components=options.latent_prior_components))
    trained = epoch * per_epoch / total_work  # the evaluation fills the rest, early stop or not
    done = 0

    def report(passes: int) -> None:
        nonlocal done
        done += passes
        _notify(progress, {
            "phase": "evaluation", "progress": trained + (1.0 - trained) * done / evaluation,
            "elapsed_s": time.perf_counter() - started,
        })

    model.eval()
    scores = evaluate_vae(model, test, k, seed=options.seed, report=report, labels=test_labels)
    iwae = scores["log_likelihood"]
    diagnostics = vae_diagnostics(model, train, test, seed=options.seed, labels=test_labels)
    report(len(test) * 10)
    model.metrics = {
        **_held_out_metrics(float(iwae.mean()), dataset),
        "test_log_likelihood_stderr": float(iwae.std() / math.sqrt(len(iwae))),
        "test_elbo": float(scores["elbo"].mean()),
        "importance_samples": k,
        "estimator": (
            f"{model.likelihood_estimator(k, abbreviated=True)} (Burda et al. 2015)"
            if test_labels is None
            else f"IWAE bound, k={k} (Burda et al. 2015), of log p(x | y) with the test labels"
        ),
        **diagnostics,
    }
    model.training_info = {
        **options.model_dump(), "batch_size": budget.batch_size, "epochs": budget.epochs,
        "eval_importance_samples": k, "kl_warmup_steps": kl_warmup,
        "steps": budget.steps, "optimizer": "Adam", "elapsed_s": round(elapsed, 3),
        "epochs_trained": epoch, "steps_trained": epoch * budget.steps_per_epoch,
        "early_stopping": _early_stopping_record(
            options, validation, stopping, stopped_at, restored_best, kl_warmup
        ),
        "resumed_from_epoch": first_epoch - 1 if first_epoch > 1 else None,
        "warm_start": _warm_start_record(warm_start),
        "final_train_loss": history[-1]["train_loss"] if history else None,
    }
    check_finite(model)
    return model


@torch.no_grad()
def validation_elbo(model: VAE, validation: ValidationSplit, *, seed: int) -> float:
    """Mean ELBO of the validation rows (of ``log p(x | y)`` for a conditional model), one
    draw each from a generator seeded afresh every time: a function of the weights alone, so
    checks compare models, not noise."""
    device = next(model.parameters()).device
    x = torch.from_numpy(validation.x).to(device)
    labels = None  # the rows' labels condition a conditional model only
    if isinstance(model, CVAE) and validation.labels is not None:
        labels = torch.from_numpy(validation.labels).to(device)
    generator = torch.Generator(device=device).manual_seed(seed)
    was_training = model.training
    model.eval()
    elbos = [
        model.log_likelihood(
            x[start : start + 1024], importance_samples=1, generator=generator,
            **_labelled(None if labels is None else labels[start : start + 1024]),
        )["elbo"].double()
        for start in range(0, len(x), 1024)
    ]
    model.train(was_training)
    return float(torch.cat(elbos).mean())


def _early_stopping_record(
    options: VAETrainingOptions, validation: ValidationSplit | None, stopping: EarlyStopping,
    stopped_at: tuple[int, int] | None, restored_best: bool, counted_from_step: int,
) -> dict[str, Any] | None:
    """What early stopping did, for the model card and the job's result; None when off."""
    if validation is None:
        return None
    return {
        "patience": options.early_stopping_patience,
        "min_delta": options.early_stopping_min_delta,
        "validation_rows": len(validation.x), "checks": stopping.checks,
        "stopped_early": stopped_at is not None,
        "stopped_at_epoch": None if stopped_at is None else stopped_at[0],
        "stopped_at_step": None if stopped_at is None else stopped_at[1],
        "best_validation_elbo": stopping.best if stopping.checks else None,
        "best_epoch": stopping.best_epoch, "best_step": stopping.best_step,
        "restored_best": restored_best,
        "patience_from_step": counted_from_step,  # the KL warm-up's end; best: every check
    }


_BEST_FILE = "early_stopping_best.safetensors"


def _save_best(directory: Path, state: dict[str, torch.Tensor] | None) -> None:
    """The best check's weights beside the checkpoint, so a resumed job can still return them."""
    if state is not None:
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".{_BEST_FILE}.partial"
        save_file({k: v.detach().cpu().contiguous() for k, v in state.items()}, str(partial))
        partial.replace(directory / _BEST_FILE)


def _load_best(directory: Path) -> dict[str, torch.Tensor] | None:
    path = directory / _BEST_FILE
    return load_file(str(path)) if path.is_file() else None


def _check_parameters(model: torch.nn.Module, epoch: int) -> None:
    for name, tensor in model.named_parameters():
        if not bool(torch.isfinite(tensor).all()):
            raise TrainingDiverged(
                f"epoch {epoch}: parameter {name} went non-finite; lower learning_rate or beta"
            )


def _copy_network_weights(source: VAE, target: VAE) -> None:
    """Load ``source``'s encoder and decoder into ``target``; the latent prior is refitted."""
    if source.data.shape != target.data.shape:
        raise ValueError(
            f"warm start: the source model takes data of shape {list(source.data.shape)}, "
            f"this data set has {list(target.data.shape)}"
        )
    differing = network_differences(source.hparams, target.hparams)
    if differing:
        raise ValueError(f"warm start: the source model differs in {', '.join(differing)}")
    weights = {
        key: value for key, value in source.state_dict().items()
        if not key.startswith("latent_prior.")
    }
    target.load_state_dict(weights, strict=False)


def _warm_start_record(source: VAE | None) -> dict[str, Any] | None:
    """Where the weights came from, so a model card adds up the whole training."""
    if source is None:
        return None
    info = source.training_info
    return {
        "dataset": source.data.dataset, "epochs": info.get("epochs"),
        "objective": info.get("objective"), "elapsed_s": info.get("elapsed_s"),
        "test_log_likelihood": source.metrics.get("test_log_likelihood"),
        "warm_start": info.get("warm_start"),
    }


def fit_latent_prior(model: VAE, rows: DatasetSplit, spec: LatentPriorSpec) -> None:
    """Fit the VAE's latent GMM on its training split (one Bernoulli draw when dynamic)."""
    train = torch.from_numpy(rows.train)
    if rows.dynamic_binarization:
        train = torch.bernoulli(train, generator=torch.Generator().manual_seed(spec.seed))
    started = time.perf_counter()
    summary = model.fit_latent_prior(train, spec)
    model.training_info["latent_prior"] = {
        **spec.model_dump(), "train_mean_log_likelihood": summary["log_likelihood"],
        "elapsed_s": round(time.perf_counter() - started, 3),
    }


def describe_dataset(dataset: Dataset) -> dict[str, Any]:
    return {
        "name": dataset.name, "n": int(len(dataset.examples)), "shape": list(dataset.shape),
        "levels": dataset.levels, "value_range": dataset.value_range, **dataset.source,
    }


