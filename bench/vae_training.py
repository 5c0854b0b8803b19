"""VAE training: genserve's loop against the PyTorch examples' loop, samples per second.

The same model (genserve's VAE, 784-400-20, Bernoulli decoder), batch size (128), optimiser (Adam,
lr 1e-3) and data (MNIST's 60,000 training images, pixels / 255 as Bernoulli targets as in
pytorch/examples ``vae/main.py``; a test pass over the 10,000 test images after every epoch in
both loops):

- ``reference``: a ``DataLoader`` over a ``TensorDataset`` with ``shuffle=True`` and plain Adam,
  as the PyTorch examples' VAE trains;
- ``genserve``: ``models.training.train_vae`` (shuffled in-memory indexing, fused Adam);
- ``genserve, plain Adam``: the same loop with the fused kernel turned off, to show what each
  change buys;
- ``genserve, precision=bfloat16``: the same loop with the networks' products in bfloat16
  (``VAETrainingOptions.precision``, autocast; the bound, the weights and Adam stay float32).

Beside the speed, the table gives each loop's held-out ELBO after its last epoch (the test pass
both loops make), so a faster loop that trains a worse model shows.

Each configuration runs ``--repeats`` times, interleaved, ``--epochs`` epochs each; the table
gives the best run (the least disturbed by other work on the machine) and the median. Both loops
use ``--threads`` torch threads (1 by default: on a machine whose other core is busy, a 2-thread
operation waits for that core at every barrier; ``--threads 2`` on an idle machine).

    .venv/bin/python -m bench.vae_training [--epochs 2] [--repeats 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from bench._common import MNIST, REPO_ROOT, format_table, write_results
from models import VAE, DataSpec, VAEHyperparameters
from models import training as training_module
from models.datasets import Dataset
from models.training import VAETrainingOptions, train_vae

REFERENCE = "reference (DataLoader, Adam)"
HPARAMS = VAEHyperparameters(latent_dim=20, hidden_sizes=[400], likelihood="bernoulli")
BATCH_SIZE, LEARNING_RATE = 128, 1e-3


def load_mnist() -> Dataset:
    with np.load(MNIST, allow_pickle=False) as data:
        train = data["x_train"].astype(np.float64) / 255.0
        test = data["x_test"].astype(np.float64) / 255.0
    return Dataset(name="mnist (pixels / 255)", examples=train, shape=(28, 28),
                   test_examples=test)


class Run(NamedTuple):
    samples_per_s: float
    test_elbo: float  # nats per example, after the last epoch


def reference(dataset: Dataset, epochs: int) -> Run:
    """pytorch/examples vae/main.py's loop around genserve's model."""
    torch.manual_seed(0)
    rows = dataset.split()
    model = VAE(HPARAMS, DataSpec(shape=dataset.shape))
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(rows.train)),
                              batch_size=BATCH_SIZE, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(rows.test)),
                             batch_size=BATCH_SIZE, shuffle=False)
    started = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for (data,) in train_loader:
            optimizer.zero_grad()
            loss = -model.elbo(data).mean()
            loss.backward()
            optimizer.step()
        model.eval()
        test_loss = 0.0
        with torch.no_grad():
            for (data,) in test_loader:
                test_loss += float(-model.elbo(data).sum())
    elapsed = time.perf_counter() - started
    return Run(len(rows.train) * epochs / elapsed, -test_loss / len(rows.test))


def genserve(
    dataset: Dataset, epochs: int, *, fused: bool = True,
    precision: Literal["float32", "bfloat16"] = "float32",
) -> Run:
    """``train_vae``'s epochs (training and the per-epoch test pass)."""
    events: list[Mapping[str, float]] = []
    options = VAETrainingOptions(epochs=epochs, batch_size=BATCH_SIZE,
                                 learning_rate=LEARNING_RATE, eval_importance_samples=1,
                                 precision=precision)
    original = training_module._adam
    if not fused:
        training_module._adam = lambda model, learning_rate: torch.optim.Adam(
            model.parameters(), lr=learning_rate)
    try:
        train_vae(dataset, HPARAMS, options, progress=events.append)
    finally:
        training_module._adam = original
    last_epoch = [e for e in events if e.get("phase") != "evaluation"][-1]  # not the final scoring
    return Run(len(dataset.examples) * epochs / last_epoch["elapsed_s"], last_epoch["test_elbo"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if not MNIST.exists():
        sys.exit(f"{MNIST} is missing: this benchmark trains on MNIST")
    dataset = load_mnist()
    configs: dict[str, Callable[[], Run]] = {
        REFERENCE: lambda: reference(dataset, args.epochs),
        "genserve train_vae (in-memory batches, fused Adam)": lambda: genserve(
            dataset, args.epochs),
        "genserve train_vae, plain Adam": lambda: genserve(dataset, args.epochs, fused=False),
        "genserve train_vae, precision=bfloat16": lambda: genserve(
            dataset, args.epochs, precision="bfloat16"),
    }
    results: dict[str, list[Run]] = {name: [] for name in configs}
    for repeat in range(args.repeats):
        for name, run in configs.items():
            results[name].append(run())
            print(f"[{repeat + 1}/{args.repeats}] {name}: "
                  f"{results[name][-1].samples_per_s:,.0f} samples/s, "
                  f"held-out ELBO {results[name][-1].test_elbo:.2f}", flush=True)
    runs = {name: [r.samples_per_s for r in values] for name, values in results.items()}
    best_reference = max(runs[REFERENCE])
    median_reference = statistics.median(runs[REFERENCE])
    rows: list[list[Any]] = [
        [name, max(values), statistics.median(values), max(values) / best_reference,
         statistics.median(values) / median_reference,
         f"{statistics.median(r.test_elbo for r in results[name]):.2f}"]
        for name, values in runs.items()
    ]
    table = format_table(
        ["loop", "best samples/s", "median samples/s", "x reference (best)",
         "x reference (median)", "held-out ELBO (median)"], rows,
    )
    print()
    print(table)
    path = write_results("vae_training", {
        "command": "python -m bench.vae_training " + " ".join(argv or sys.argv[1:]),
        "model": "VAE 784-400-20, Bernoulli decoder", "batch_size": BATCH_SIZE,
        "optimiser": f"Adam, lr {LEARNING_RATE}", "epochs": args.epochs,
        "train_examples": len(dataset.examples), "threads": args.threads, "runs": runs,
        "test_elbo": {name: [r.test_elbo for r in values] for name, values in results.items()},
        "table": table,
    })
    print(f"\nwrote {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
