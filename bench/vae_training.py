"""VAE training: genserve's loop against the PyTorch examples' loop, samples per second.

The same model (genserve's VAE, 784-400-20, Bernoulli decoder), batch size (128), optimiser (Adam,
lr 1e-3) and data (MNIST's 60,000 training images, pixels / 255 as Bernoulli targets as in
pytorch/examples ``vae/main.py``; a test pass over the 10,000 test images after every epoch in
both loops):

- ``reference``: a ``DataLoader`` over a ``TensorDataset`` with ``shuffle=True`` and plain Adam,
  as the PyTorch examples' VAE trains;
- ``genserve``: ``models.training.train_vae`` (shuffled in-memory indexing, fused Adam);
- ``genserve, plain Adam``: the same loop with the fused kernel turned off, to show what each
  change buys.

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
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from bench._common import MNIST, REPO_ROOT, format_table, write_results
from models import VAE, DataSpec, VAEHyperparameters
from models import training as training_module
from models.datasets import Dataset
from models.training import VAETrainingOptions, train_vae

HPARAMS = VAEHyperparameters(latent_dim=20, hidden_sizes=[400], likelihood="bernoulli")
BATCH_SIZE, LEARNING_RATE = 128, 1e-3


def load_mnist() -> Dataset:
    with np.load(MNIST, allow_pickle=False) as data:
        train = data["x_train"].astype(np.float64) / 255.0
        test = data["x_test"].astype(np.float64) / 255.0
    return Dataset(name="mnist (pixels / 255)", examples=train, shape=(28, 28),
                   test_examples=test)


def reference(dataset: Dataset, epochs: int) -> float:
    """pytorch/examples vae/main.py's loop around genserve's model: samples per second."""
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
    return len(rows.train) * epochs / (time.perf_counter() - started)


def genserve(dataset: Dataset, epochs: int, *, fused: bool = True) -> float:
    """``train_vae``'s epochs (training and the per-epoch test pass): samples per second."""
    events: list[Mapping[str, float]] = []
    options = VAETrainingOptions(epochs=epochs, batch_size=BATCH_SIZE,
                                 learning_rate=LEARNING_RATE, eval_importance_samples=1)
    original = training_module._adam
    if not fused:
        training_module._adam = lambda model, lr: torch.optim.Adam(model.parameters(), lr=lr)
    try:
        train_vae(dataset, HPARAMS, options, progress=events.append)
    finally:
        training_module._adam = original
    return len(dataset.examples) * epochs / events[-1]["elapsed_s"]


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
    configs: dict[str, Callable[[], float]] = {
        "reference (DataLoader, Adam)": lambda: reference(dataset, args.epochs),
        "genserve train_vae (in-memory batches, fused Adam)": lambda: genserve(
            dataset, args.epochs),
        "genserve train_vae, plain Adam": lambda: genserve(dataset, args.epochs, fused=False),
    }
    runs: dict[str, list[float]] = {name: [] for name in configs}
    for repeat in range(args.repeats):
        for name, run in configs.items():
            runs[name].append(run())
            print(f"[{repeat + 1}/{args.repeats}] {name}: {runs[name][-1]:,.0f} samples/s",
                  flush=True)
    best_reference = max(runs["reference (DataLoader, Adam)"])
    median_reference = statistics.median(runs["reference (DataLoader, Adam)"])
    rows: list[list[Any]] = [
        [name, max(values), statistics.median(values), max(values) / best_reference,
         statistics.median(values) / median_reference]
        for name, values in runs.items()
    ]
    table = format_table(
        ["loop", "best samples/s", "median samples/s", "x reference (best)",
         "x reference (median)"], rows,
    )
    print()
    print(table)
    path = write_results("vae_training", {
        "command": "python -m bench.vae_training " + " ".join(argv or sys.argv[1:]),
        "model": "VAE 784-400-20, Bernoulli decoder", "batch_size": BATCH_SIZE,
        "optimiser": f"Adam, lr {LEARNING_RATE}", "epochs": args.epochs,
        "train_examples": len(dataset.examples), "threads": args.threads, "runs": runs,
        "table": table,
    })
    print(f"\nwrote {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
