"""Train the MNIST digit classifier behind genserve's sample-quality scores.

    .venv/bin/python bench/train_digit_classifier.py --mnist ../shared/data/mnist.npz

Writes ``weights/_scorers/mnist-classifier/`` (safetensors + JSON with its test accuracy). The
leading underscore keeps the model registry from serving it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models.quality import DigitClassifier

OUT = Path(__file__).resolve().parent.parent / "weights" / "_scorers" / "mnist-classifier"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default="../shared/data/mnist.npz")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    with np.load(args.mnist, allow_pickle=False) as data:
        x_train = torch.from_numpy(data["x_train"].reshape(-1, 784) / 255.0).float()
        y_train = torch.from_numpy(data["y_train"].astype(np.int64))
        x_test = torch.from_numpy(data["x_test"].reshape(-1, 784) / 255.0).float()
        y_test = torch.from_numpy(data["y_test"].astype(np.int64))
    classifier = DigitClassifier()
    summary = classifier.fit(x_train, y_train, epochs=args.epochs)
    _, probabilities = classifier.embed(x_test)
    accuracy = float((probabilities.argmax(dim=-1) == y_test).float().mean())
    classifier.save(args.out, {
        "trained_on": "MNIST train (60,000), pixels / 255", "test_accuracy": accuracy,
        "architecture": "MLP 784-512-128-10, features = 128-unit layer", **summary,
    })
    print(f"test accuracy {accuracy:.4f} in {summary['elapsed_s']:.0f} s -> {args.out}")


if __name__ == "__main__":
    main()
