"""Fit loops with progress and cancellation: the only place models meet data sets.

Both loops report to a ``ProgressCallback`` after every step (an EM iteration or an epoch); a
callback that raises ``TrainingCancelled`` stops the fit there. Held-out metrics are computed on a
seeded split that is recorded in the model's config.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict, Field

from models.base import DataSpec, ProgressCallback
from models.checkpoints import load_checkpoint, save_checkpoint
from models.datasets import Binarization, Dataset, DatasetSplit, discrete_bits_per_dim
from models.gmm import GaussianMixture, GMMHyperparameters
from models.vae import VAE, LatentPriorSpec, VAEHyperparameters, network_differences

__all__ = [
    "SplitOptions",
    "VAETrainingOptions",
    "describe_dataset",
    "fit_latent_prior",
    "train_gmm",
    "train_vae",
]


class SplitOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    test_fraction: float = Field(default=0.25, gt=0.0, lt=1.0)
    split_seed: int = Field(default=0, ge=0)
    binarize: Binarization | None = Field(
        default=None, description="Binarise discrete images: dynamic, static or threshold."
    )


class VAETrainingOptions(SplitOptions):
    epochs: int = Field(default=50, ge=1, le=10_000)
    batch_size: int = Field(default=128, ge=1, le=65_536)
    learning_rate: float = Field(default=1e-3, gt=0.0, le=1.0)
    lr_schedule: Literal["constant", "cosine"] = Field(
        default="constant", description="cosine: anneal to min_learning_rate over the epochs."
    )
    min_learning_rate: float = Field(default=1e-5, ge=0.0, le=1.0)
    objective: Literal["elbo", "iwae"] = Field(
        default="elbo", description="iwae: the importance-weighted bound with train_k samples."
    )
    train_k: int = Field(default=1, ge=1, le=5000)
    precision: Literal["float32", "bfloat16"] = Field(
        default="float32",
        description="bfloat16: the networks' matrix products in bfloat16 (autocast), the "
        "likelihoods, KL and weights in float32. About 1.4x the samples per second where the "
        "hardware has bfloat16 units (AVX512-BF16 or AMX CPUs, Ampere+ GPUs), slower elsewhere.",
    )
    seed: int = Field(default=0, ge=0)
    eval_importance_samples: int = Field(default=1000, ge=1, le=100_000)
    checkpoint_every: int = Field(default=0, ge=0, description="Epochs between checkpoints.")
    latent_prior_components: int = Field(
        default=0, ge=0, le=1000,
        description="Fit a GMM with this many components to the latent means after training "
        "(0: none); /sample then takes prior='gmm'.",
    )


def _data_spec(dataset: Dataset, split: DatasetSplit) -> DataSpec:
    return DataSpec(
        shape=dataset.shape, value_range=dataset.value_range, dataset=dataset.name,
        split=split.record, preprocessing=dataset.preprocessing(),
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


def _notify(progress: ProgressCallback | None, event: Mapping[str, float]) -> None:
    if progress is not None:
        progress(event)


def train_gmm(
    dataset: Dataset,
    hparams: GMMHyperparameters,
    *,
    split: SplitOptions | None = None,
    progress: ProgressCallback | None = None,
) -> GaussianMixture:
    """EM on the training split; metrics are held-out mean log-likelihoods per example."""
    split = split or SplitOptions()
    if split.binarize:  # EM fits fixed data: one draw, then dequantised on two levels
        dataset = dataset.binarized(split.binarize, dequantize=True)
    rows = dataset.split(test_fraction=split.test_fraction, seed=split.split_seed)
    model = GaussianMixture(hparams, _data_spec(dataset, rows))
    started = time.perf_counter()

    def report(event: Mapping[str, float]) -> None:
        _notify(progress, {**event, "elapsed_s": time.perf_counter() - started})

    summary = model.fit(torch.from_numpy(rows.train).double(), progress=report)
    elapsed = time.perf_counter() - started
    test_ll = model.log_likelihood(torch.from_numpy(rows.test))["log_likelihood"]
    model.metrics = {
        **_held_out_metrics(float(test_ll.mean()), dataset),
        "test_log_likelihood_stderr": float(test_ll.std() / math.sqrt(len(test_ll))),
        "train_log_likelihood": float(summary["log_likelihood"]),
    }
    model.training_info = {
        "algorithm": "EM", "elapsed_s": round(elapsed, 3), **{
            k: v for k, v in summary.items() if k != "log_likelihood"
        },
    }
    return model


def _evaluate_vae(
    model: VAE, x: torch.Tensor, importance_samples: int, seed: int
) -> dict[str, torch.Tensor]:
    generator = torch.Generator(device=x.device).manual_seed(seed)
    return model.log_likelihood(x, importance_samples=importance_samples, generator=generator)


def _learning_rate(options: VAETrainingOptions, epoch: int) -> float:
    """The rate for ``epoch`` (1-based): constant, or cosine-annealed to the minimum."""
    if options.lr_schedule == "constant":
        return options.learning_rate
    progress = (epoch - 1) / max(1, options.epochs - 1)
    span = options.learning_rate - options.min_learning_rate
    return options.min_learning_rate + 0.5 * span * (1.0 + math.cos(math.pi * progress))


def _objective(
    model: VAE, batch: torch.Tensor, options: VAETrainingOptions, generator: torch.Generator
) -> torch.Tensor:
    """Per-example bound to maximise; all noise comes from ``generator`` (checkpointed).

    Under ``precision="bfloat16"`` autocast runs the networks' products in bfloat16; the VAE
    hands their outputs back in float32, so the bound itself is computed in float32.
    """
    with torch.autocast(
        batch.device.type, dtype=torch.bfloat16, enabled=options.precision == "bfloat16"
    ):
        if options.objective == "iwae":  # Burda et al. 2015, eq. 8
            return model.iwae_bound(batch, options.train_k, generator=generator)
        return model.elbo(batch, generator=generator)


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


def train_vae(
    dataset: Dataset,
    hparams: VAEHyperparameters,
    options: VAETrainingOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
    device: str | torch.device = "cpu",
    checkpoint_dir: Path | None = None,
    warm_start: VAE | None = None,
) -> VAE:
    """Adam on the negative ELBO (or IWAE bound) over shuffled in-memory mini-batches.

    With ``checkpoint_dir`` and ``checkpoint_every``, the loop saves its whole state every few
    epochs and, when a checkpoint is already there, resumes from it instead of starting over.
    ``warm_start`` starts from another model's weights instead of a random initialisation (to
    train a published model further, or under another objective); the optimiser starts afresh.
    """
    options = options or VAETrainingOptions()
    torch.manual_seed(options.seed)
    if options.binarize:
        dataset = dataset.binarized(options.binarize)
    rows = dataset.split(test_fraction=options.test_fraction, seed=options.split_seed)
    model = VAE(hparams, _data_spec(dataset, rows)).to(device)
    if warm_start is not None:
        _copy_network_weights(warm_start, model)
    train = torch.from_numpy(rows.train).to(device)
    test = torch.from_numpy(rows.test).to(device)
    optimiser = _adam(model, options.learning_rate)
    generator = torch.Generator(device=device).manual_seed(options.seed)
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
    started = time.perf_counter() - resumed_elapsed
    for epoch in range(first_epoch, options.epochs + 1):
        for group in optimiser.param_groups:
            group["lr"] = _learning_rate(options, epoch)
        model.train()
        order = torch.randperm(len(train), generator=generator, device=device)
        total = torch.zeros((), device=device)
        for start in range(0, len(train), options.batch_size):
            batch = train.index_select(0, order[start : start + options.batch_size])  # 4x x[i]
            if rows.dynamic_binarization:  # a fresh Bernoulli draw of every pixel
                batch = torch.bernoulli(batch, generator=generator)
            loss = -_objective(model, batch, options, generator).mean()
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += loss.detach() * len(batch)
        model.eval()
        test_elbo = float(_evaluate_vae(model, test, 1, seed=epoch)["elbo"].mean())
        event = {
            "epoch": epoch, "epochs": options.epochs, "train_loss": float(total) / len(train),
            "test_elbo": test_elbo, "learning_rate": optimiser.param_groups[0]["lr"],
            "elapsed_s": time.perf_counter() - started,
        }
        history.append(event)
        _notify(progress, event)
        if checkpoint_dir is not None and options.checkpoint_every and (
            epoch % options.checkpoint_every == 0 or epoch == options.epochs
        ):
            save_checkpoint(
                checkpoint_dir, model=model, optimiser=optimiser, generator=generator,
                state={"epoch": epoch, "history": history, "elapsed_s": event["elapsed_s"]},
            )
    elapsed = time.perf_counter() - started
    if options.latent_prior_components:
        fit_latent_prior(model, rows, LatentPriorSpec(n_components=options.latent_prior_components))
    k = options.eval_importance_samples
    scores = _evaluate_vae(model, test, k, seed=options.seed)
    iwae = scores["log_likelihood"]
    model.metrics = {
        **_held_out_metrics(float(iwae.mean()), dataset),
        "test_log_likelihood_stderr": float(iwae.std() / math.sqrt(len(iwae))),
        "test_elbo": float(scores["elbo"].mean()),
        "importance_samples": k,
        "estimator": f"IWAE bound, k={k} (Burda et al. 2015)",
    }
    model.training_info = {
        **options.model_dump(), "optimizer": "Adam", "elapsed_s": round(elapsed, 3),
        "resumed_from_epoch": first_epoch - 1 if first_epoch > 1 else None,
        "warm_start": _warm_start_record(warm_start),
        "final_train_loss": history[-1]["train_loss"] if history else None,
    }
    return model


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


