"""Conditional models: class fidelity, generative classification, calibration and OOD detection.

    .venv/bin/python bench/conditional.py --mnist ../shared/data/mnist.npz [--k 10] [--write-cards]

For each conditional model (the shipped ``mnist-cvae`` and ``digits-cgmm``, or ``--cvae`` and
``--cgmm`` folders), on the held-out split recorded in its card, preprocessed as it was trained:

- **class fidelity**: ``--per-class`` samples of each class, classified by an independent
  classifier (MNIST: the project's own sample-score classifier, ``weights/_scorers``; digits: a
  logistic regression fitted here on the training split); the share that gets the class asked
  for, and the confusion matrix (rows: class asked, columns: class seen);
- **generative classification**: ``argmax_y p(y | x)`` by Bayes' rule on the test split (the
  CVAE's ``log p(x | y)`` are IWAE estimates with ``--k`` samples), beside scikit-learn's
  ``LogisticRegression`` and ``GaussianNB`` fitted on the same training split;
- **calibration**: expected calibration error of ``p(y | x)`` (15 equal-width bins of the top
  probability; Guo et al. 2017, eq. 3);
- **out of distribution**: AUROC of ``log p(x)`` separating ``--ood`` test images from the same
  images with their pixels shuffled (one permutation per image).

``--write-cards`` adds the figures to each model's ``config.json`` metrics (the shipped cards).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import MNIST, REPO_ROOT, format_table, write_results  # noqa: E402
from models import CONFIG_FILE, GenerativeModel, load_model  # noqa: E402
from models.datasets import DatasetSplit, load_dataset  # noqa: E402
from models.quality import DigitClassifier  # noqa: E402
from models.storage import list_versions  # noqa: E402

CLASSIFIER = REPO_ROOT / "weights" / "_scorers" / "mnist-classifier"
ECE_BINS = 15


def latest(name: str) -> Path:
    model_dir = REPO_ROOT / "weights" / name
    return model_dir / str(list_versions(model_dir)[-1])


def held_out(model: GenerativeModel, mnist: str) -> DatasetSplit:
    """The model's own split, preprocessed as its card says it was trained."""
    name = model.data.dataset
    dataset = load_dataset(mnist if name == Path(mnist).stem else name)
    mode = model.data.preprocessing.get("binarize")
    if mode:
        dataset = dataset.binarized(
            mode, dequantize=model.data.preprocessing.get("dequantize") == "uniform"
        )
    split = model.data.split
    return dataset.split(test_fraction=float(split.get("test_fraction", 0.25)),
                         seed=int(split.get("seed", 0)))


def binary_train(rows: DatasetSplit) -> NDArray[np.float32]:
    """The training split as the baselines see it: one seeded draw where it holds pixel
    probabilities (dynamic binarisation), the rows themselves otherwise."""
    if not rows.dynamic_binarization:
        return rows.train
    rng = np.random.default_rng(0)
    return (rng.random(rows.train.shape) < rows.train).astype(np.float32)


def classify(model: GenerativeModel, x: torch.Tensor, k: int, seed: int) -> torch.Tensor:
    """p(y | x) ``[N, C]``, in blocks of 100 rows, one seeded generator throughout."""
    generator = torch.Generator().manual_seed(seed)
    parts = [
        cast(Any, model).classify(x[i : i + 100], importance_samples=k,
                                  generator=generator)["probabilities"]
        for i in range(0, len(x), 100)
    ]
    return torch.cat(parts).double()


def log_px(model: GenerativeModel, x: torch.Tensor, k: int, seed: int) -> NDArray[np.float64]:
    generator = torch.Generator().manual_seed(seed)
    parts = [
        model.log_likelihood(x[i : i + 100], importance_samples=k,
                             generator=generator)["log_likelihood"]
        for i in range(0, len(x), 100)
    ]
    return torch.cat(parts).double().numpy()


def expected_calibration_error(probabilities: NDArray[np.float64],
                               labels: NDArray[np.int64]) -> float:
    """sum_b |B_b| / N |accuracy(B_b) - confidence(B_b)| over equal-width confidence bins."""
    confidence = probabilities.max(1)
    correct = probabilities.argmax(1) == labels
    bins = np.minimum((confidence * ECE_BINS).astype(int), ECE_BINS - 1)
    total = 0.0
    for b in range(ECE_BINS):
        members = bins == b
        if members.any():
            total += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(total)


def fidelity_classifier(model: GenerativeModel, rows: DatasetSplit) -> tuple[Any, str]:
    """A function from samples to predicted classes, independent of the model, and its name."""
    if tuple(model.data.shape) == (28, 28) and CLASSIFIER.is_dir():
        classifier = DigitClassifier.load(CLASSIFIER)
        return (lambda x: classifier.embed(x.float())[1].argmax(-1).numpy(),
                "the project's MNIST classifier (weights/_scorers/mnist-classifier)")
    from sklearn.linear_model import LogisticRegression

    assert rows.train_labels is not None
    fitted = LogisticRegression(max_iter=2000).fit(binary_train(rows), rows.train_labels)
    return (lambda x: fitted.predict(x.double().numpy()),
            "logistic regression fitted on the model's training split")


def class_fidelity(
    model: GenerativeModel, rows: DatasetSplit, per_class: int, seed: int
) -> dict[str, Any]:
    predict, name = fidelity_classifier(model, rows)
    c = len(model.data.classes or ())
    confusion = np.zeros((c, c), dtype=np.int64)
    generator = torch.Generator().manual_seed(seed)
    for label in range(c):
        samples = cast(Any, model).sample(
            per_class, generator=generator, labels=torch.full((per_class,), label)
        )
        confusion[label] = np.bincount(predict(samples), minlength=c)[:c]
    per_class_share = confusion.diagonal() / confusion.sum(1)
    return {
        "classifier": name, "samples_per_class": per_class,
        "share_as_asked": float(confusion.diagonal().sum() / confusion.sum()),
        "worst_class": {"class": (model.data.classes or [])[int(per_class_share.argmin())],
                        "share": float(per_class_share.min())},
        "confusion": confusion.tolist(),
    }


def baselines(rows: DatasetSplit) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB

    assert rows.train_labels is not None and rows.test_labels is not None
    train = binary_train(rows)
    out = {}
    for name, estimator in (("logistic_regression", LogisticRegression(max_iter=300)),
                            ("gaussian_nb", GaussianNB())):
        fitted = estimator.fit(train, rows.train_labels)
        out[name] = float((fitted.predict(rows.test) == rows.test_labels).mean())
    return out


def ood_auroc(model: GenerativeModel, test: torch.Tensor, k: int, seed: int) -> float:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    shuffled = torch.from_numpy(np.stack([row[rng.permutation(row.shape[0])]
                                          for row in test.numpy()]))
    inside, outside = log_px(model, test, k, seed), log_px(model, shuffled, k, seed + 1)
    scores = np.concatenate([inside, outside])
    truth = np.concatenate([np.ones(len(inside)), np.zeros(len(outside))])
    return float(roc_auc_score(truth, scores))


def evaluate(model: GenerativeModel, rows: DatasetSplit, args: argparse.Namespace
             ) -> dict[str, Any]:
    assert rows.test_labels is not None
    test = torch.from_numpy(rows.test[: args.n])
    labels = rows.test_labels[: args.n]
    k = args.k if model.kind == "cvae" else 1
    started = time.perf_counter()
    probabilities = classify(model, test, k, seed=0).numpy()
    classify_s = time.perf_counter() - started
    result: dict[str, Any] = {
        "kind": model.kind, "dataset": model.data.dataset, "n_test": len(test),
        "importance_samples": k,
        "accuracy": float((probabilities.argmax(1) == labels).mean()),
        "expected_calibration_error": expected_calibration_error(probabilities, labels),
        "classify_s": round(classify_s, 1),
        "baselines": baselines(rows),
    }
    result["class_fidelity"] = class_fidelity(model, rows, args.per_class, seed=0)
    result["ood_auroc"] = ood_auroc(model, test[: args.ood], k, seed=0)
    result["ood_images"] = min(args.ood, len(test))
    return result


def write_card(folder: Path, result: dict[str, Any]) -> None:
    """The figures into the card's metrics (the confusion matrix stays in the results file)."""
    config = json.loads((folder / CONFIG_FILE).read_text())
    card = {key: value for key, value in result.items()
            if key not in ("kind", "classify_s", "model", "dataset")}
    card["class_fidelity"] = {key: value for key, value in result["class_fidelity"].items()
                              if key != "confusion"}
    config["metrics"]["conditional"] = card
    (folder / CONFIG_FILE).write_text(json.dumps(config, indent=2, allow_nan=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default=str(MNIST))
    parser.add_argument("--cvae", default=None, help="a CVAE version folder (default: the "
                        "shipped mnist-cvae's latest)")
    parser.add_argument("--cgmm", default=None, help="a class-conditional GMM version folder "
                        "(default: the shipped digits-cgmm's latest)")
    parser.add_argument("--k", type=int, default=10, help="importance samples (CVAE)")
    parser.add_argument("--n", type=int, default=10_000, help="test images classified")
    parser.add_argument("--per-class", type=int, default=1000, help="samples per class")
    parser.add_argument("--ood", type=int, default=1000, help="test images for the AUROC")
    parser.add_argument("--write-cards", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)

    folders = {"mnist-cvae": Path(args.cvae) if args.cvae else latest("mnist-cvae"),
               "digits-cgmm": Path(args.cgmm) if args.cgmm else latest("digits-cgmm")}
    results: dict[str, Any] = {}
    for name, folder in folders.items():
        model = load_model(folder)
        results[name] = evaluate(model, held_out(model, args.mnist), args)
        if args.write_cards:
            write_card(folder, results[name])
        results[name]["model"] = str(folder.relative_to(REPO_ROOT) if folder.is_absolute()
                                     and folder.is_relative_to(REPO_ROOT) else folder)
        print(f"{name}: done", flush=True)

    rows = [[
        name, f"{r['n_test']:,}", str(r["importance_samples"]), f"{100 * r['accuracy']:.2f}",
        f"{100 * r['baselines']['logistic_regression']:.2f}",
        f"{100 * r['baselines']['gaussian_nb']:.2f}", f"{r['expected_calibration_error']:.4f}",
        f"{100 * r['class_fidelity']['share_as_asked']:.2f}", f"{r['ood_auroc']:.4f}",
    ] for name, r in results.items()]
    print()
    print(format_table(["model", "test", "k", "accuracy %", "logistic reg. %", "GaussianNB %",
                        "ECE", "fidelity %", "OOD AUROC"], rows))
    for name, r in results.items():
        fidelity = r["class_fidelity"]
        print(f"\n{name}: {fidelity['samples_per_class']} samples per class classified by "
              f"{fidelity['classifier']}; rows: class asked, columns: class seen")
        classes = load_model(folders[name]).data.classes or []
        print(format_table(["asked", *classes], [[c, *map(str, row)] for c, row in
                                                 zip(classes, fidelity["confusion"], strict=True)]))
    path = write_results("conditional", {
        "models": results, "ece_bins": ECE_BINS,
        "command": " ".join(["bench/conditional.py", *sys.argv[1:]]),
    })
    print(f"\nwrote {path}")
    if not math.isfinite(sum(r["accuracy"] for r in results.values())):
        raise SystemExit("a non-finite accuracy")


if __name__ == "__main__":
    main()
