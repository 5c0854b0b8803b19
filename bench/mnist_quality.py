"""MNIST model quality: the shipped VAE's log-likelihood beside published figures, sample scores
for ``prior = normal`` and ``prior = gmm``, and the MNIST GMM on the same footing.

    .venv/bin/python bench/mnist_quality.py --mnist ../shared/data/mnist.npz [--n 10000] [--k 5000]

The test images are binarised once, with the split seed recorded in the VAE's config (the
footing of the published "dynamically binarised MNIST" tables, whose test sets are one
stochastic draw). The GMM's figure is on the same binary data, dequantised on two levels; its
log-likelihood minus ``D log 2`` is a lower bound on the binary data's log-probability, so the
two numbers are directly comparable in nats per image.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import MNIST, REPO_ROOT, format_table, write_results  # noqa: E402
from models import VAE, GaussianMixture, load_model  # noqa: E402
from models.datasets import load_array_file  # noqa: E402
from models.quality import DigitClassifier, score_priors  # noqa: E402
from models.storage import list_versions  # noqa: E402

PUBLISHED = [
    ("VAE, 1 stochastic layer (Burda et al. 2015), k = 5000", 86.76),
    ("IWAE, k = 50 (Burda et al. 2015)", 84.78),
    ("VAE, pythae reproduction", 89.78),
]
CLASSIFIER = REPO_ROOT / "weights" / "_scorers" / "mnist-classifier"


def latest(name: str) -> Path:
    model_dir = REPO_ROOT / "weights" / name
    return model_dir / str(list_versions(model_dir)[-1])


def total_training(info: dict[str, Any]) -> tuple[int, float]:
    """Epochs and seconds over a chain of warm starts (each card records its source's)."""
    epochs, seconds = int(info.get("epochs") or 0), float(info.get("elapsed_s") or 0.0)
    source = info.get("warm_start")
    while source:
        epochs += int(source.get("epochs") or 0)
        seconds += float(source.get("elapsed_s") or 0.0)
        source = source.get("warm_start")
    return epochs, seconds


def vae_log_likelihood(vae: VAE, test: torch.Tensor, k: int, seed: int) -> dict[str, Any]:
    generator = torch.Generator().manual_seed(seed)
    started = time.perf_counter()
    scores: list[torch.Tensor] = []
    for start in range(0, len(test), 100):
        scores.append(
            vae.log_likelihood(test[start : start + 100], importance_samples=k,
                               generator=generator)["log_likelihood"]
        )
    log_px = torch.cat(scores).double()
    return {
        "nll": float(-log_px.mean()), "stderr": float(log_px.std() / math.sqrt(len(log_px))),
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default=str(MNIST))
    parser.add_argument("--n", type=int, default=10_000, help="test images evaluated")
    parser.add_argument("--k", type=int, default=5_000, help="importance samples")
    parser.add_argument("--samples", type=int, default=10_000, help="samples per prior scored")
    parser.add_argument("--vae", default=None, help="a VAE version folder (default: the shipped "
                        "mnist-vae's latest version)")
    args = parser.parse_args()

    vae = load_model(args.vae or latest("mnist-vae"))
    assert isinstance(vae, VAE)
    split_seed = int(vae.data.split.get("seed", 0))
    mnist = load_array_file(args.mnist)
    binary = mnist.binarized("dynamic").split(seed=split_seed)
    test = torch.from_numpy(binary.test[: args.n])

    result = vae_log_likelihood(vae, test, args.k, seed=0)
    epochs, seconds = total_training(vae.training_info)
    result["training"] = {"epochs": epochs, "elapsed_s": seconds}
    rows: list[list[Any]] = [[
        f"genserve mnist-vae ({epochs} epochs, {seconds / 60:.0f} min CPU), k = {args.k}, "
        f"{args.n} test images", f"{result['nll']:.2f} ± {result['stderr']:.2f}",
    ]]
    rows += [[label, f"{value:.2f}"] for label, value in PUBLISHED]

    gmm_row: dict[str, Any] | None = None
    gmm_dir = REPO_ROOT / "weights" / "mnist-gmm"
    if list_versions(gmm_dir):
        gmm = load_model(latest("mnist-gmm"))
        assert isinstance(gmm, GaussianMixture)
        noise = np.random.default_rng(1).random(binary.test[: args.n].shape)
        dequantised = torch.from_numpy((binary.test[: args.n] + noise) / 2.0)
        log_py = gmm.log_likelihood(dequantised)["log_likelihood"].double()
        log_p_binary = log_py - 784 * math.log(2.0)
        gmm_row = {"nll": float(-log_p_binary.mean()),
                   "stderr": float(log_p_binary.std() / math.sqrt(len(log_p_binary)))}
        rows.append([
            f"genserve mnist-gmm (K = {gmm.n_components}, {gmm.covariance_type}), same "
            "binary test images, dequantised bound",
            f"{gmm_row['nll']:.2f} ± {gmm_row['stderr']:.2f}",
        ])
    print(format_table(["model (binarised MNIST test set)", "NLL, nats / image"], rows))

    scores: dict[str, Any] = {}
    if CLASSIFIER.is_dir():
        classifier = DigitClassifier.load(CLASSIFIER)
        assert mnist.test_examples is not None
        reference = torch.from_numpy(mnist.test_examples.reshape(-1, 784) / 255.0).float()
        scores = score_priors(vae, classifier, reference, n=args.samples)
        table = [[p, f"{s['frechet_distance']:.2f}", f"{s['confidence']:.3f}"]
                 for p, s in scores.items()]
        print()
        print(format_table(["prior", "Frechet distance (genserve features)", "confidence"],
                           table))
        if "gmm" in scores:
            change = 1 - scores["gmm"]["frechet_distance"] / scores["normal"]["frechet_distance"]
            print(f"\nGMM prior lowers the Frechet distance by {100 * change:.1f}%")
    path = write_results("mnist_quality", {
        "n_test": args.n, "importance_samples": args.k, "vae": result, "gmm": gmm_row,
        "published": dict(PUBLISHED), "sample_scores": scores,
    })
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
