"""Data sets genserve trains on: built-in ones that ship with the code, and files given by path.

Discrete data (digits are integers 0-16, image pixels 0-255) is dequantised before a continuous
density is fitted: ``y = (x + u) / L`` with ``u ~ U[0, 1)`` and ``L`` levels, which maps it into
[0, 1). Without it a density can put unbounded mass on the integer lattice and held-out
log-likelihoods degenerate. The log-likelihood of the discrete data is then bounded below by
``log p(y) - D log L`` (Theis et al. 2016, "A note on the evaluation of generative models").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from models.idx import TRAIN_IMAGES, find_idx_images, find_idx_labels, read_idx

__all__ = [
    "BINARIZATIONS",
    "BUILTIN_DATASETS",
    "Binarization",
    "Dataset",
    "DatasetSplit",
    "UnknownDataset",
    "MAX_CLASSES",
    "MAX_CLASS_NAME",
    "LabelError",
    "discrete_bits_per_dim",
    "encode_labels",
    "label_keys",
    "load_array_file",
    "load_dataset",
    "make_pinwheel",
    "make_two_moons",
    "npz_keys",
]


Binarization = Literal["dynamic", "static", "threshold"]
BINARIZATIONS: tuple[str, ...] = ("dynamic", "static", "threshold")


class UnknownDataset(LookupError):
    """A data set name that is neither built in nor an existing file."""


MAX_CLASSES = 1000
"""Distinct labels a data set may have (ImageNet has 1,000)."""
MAX_CLASS_NAME = 100
"""Characters of one class name (a folder's name in a zip of PNGs)."""


class LabelError(ValueError):
    """Labels that cannot be taken: not integers, too many classes, a name too long."""


def encode_labels(
    train: NDArray[Any], test: NDArray[Any] | None = None
) -> tuple[NDArray[np.int64], NDArray[np.int64] | None, tuple[str, ...]]:
    """Labels as indices into the sorted class names, train and test on one list of classes.

    Integer labels (or floats that are whole numbers) keep their value as the class name, in
    numeric order, so MNIST's digits stay 0-9; strings (a PNG zip's folder names) sort
    naturally (numbers as numbers). Raises :class:`LabelError`.
    """
    parts = [np.asarray(train).reshape(-1)]
    if test is not None:
        parts.append(np.asarray(test).reshape(-1))
    joined = np.concatenate(parts) if len(parts) > 1 else parts[0]
    if joined.dtype.kind in "US":
        values = joined.astype(str)
        names = np.unique(values)
        if len(names) > MAX_CLASSES:
            raise LabelError(f"{len(names)} classes; at most {MAX_CLASSES}")
        too_long = [n for n in names if len(n) > MAX_CLASS_NAME]
        if too_long:
            raise LabelError(f"class name {too_long[0][:40]!r}... is over {MAX_CLASS_NAME} chars")
        order = sorted(names, key=lambda n: (0, int(n), n) if n.isdigit() else (1, 0, n))
        classes = tuple(str(n) for n in order)
        index = {name: i for i, name in enumerate(classes)}
        codes = np.fromiter((index[v] for v in values), np.int64, len(values))
    else:
        if joined.dtype.kind not in "biuf":
            raise LabelError(f"labels of dtype {joined.dtype} are not integers")
        if joined.dtype.kind == "f" and not (
            np.isfinite(joined).all() and np.array_equal(joined, np.round(joined))
            and np.abs(joined).max(initial=0) < 2**53
        ):
            raise LabelError("labels must be whole numbers (class indices)")
        integers = joined.astype(np.int64)
        unique = np.unique(integers)
        if len(unique) > MAX_CLASSES:
            raise LabelError(f"{len(unique)} classes; at most {MAX_CLASSES}")
        classes = tuple(str(int(v)) for v in unique)
        codes = np.searchsorted(unique, integers).astype(np.int64)
    n_train = len(parts[0])
    return codes[:n_train], (codes[n_train:] if test is not None else None), classes


@dataclass(frozen=True)
class DatasetSplit:
    """Model-ready float32 rows ``[N, D]`` for training and held-out evaluation."""

    train: NDArray[np.float32]
    test: NDArray[np.float32]
    record: dict[str, Any]
    dynamic_binarization: bool = False
    """When set, ``train`` holds Bernoulli probabilities to be sampled afresh every epoch."""
    train_labels: NDArray[np.int64] | None = None
    """Class indices of the training rows (into ``Dataset.classes``); None when unlabelled."""
    test_labels: NDArray[np.int64] | None = None


@dataclass(frozen=True)
class Dataset:
    """Raw examples plus what a model needs to know to interpret them."""

    name: str
    examples: NDArray[np.float64]  # [N, *shape], raw values
    shape: tuple[int, ...]
    levels: int | None = None  # number of discrete values, when the data are integers 0..L-1
    labels: NDArray[np.int64] | None = None
    source: dict[str, Any] = field(default_factory=dict)
    test_examples: NDArray[np.float64] | None = None  # a published test split, when there is one
    test_labels: NDArray[np.int64] | None = None  # labels of the published test split
    classes: tuple[str, ...] | None = None  # class names; ``labels`` index into them
    binarization: Binarization | None = None
    dequantize_binary: bool = False

    def binarized(self, mode: Binarization, *, dequantize: bool = False) -> Dataset:
        """Pixels become Bernoulli probabilities ``x / (L - 1)``, binarised as ``mode`` says.

        ``dynamic`` draws every pixel afresh each epoch (training) and once, seeded, for the test
        split; ``static`` draws once with the split seed; ``threshold`` takes ``p > 0.5``.
        ``dequantize`` (for continuous densities such as a GMM) then spreads the two levels
        uniformly, ``y = (b + u) / 2``; EM fits fixed data, so ``dynamic`` is drawn once there.
        """
        if self.levels is None:
            raise ValueError(f"{self.name}: only discrete data (integer levels) can be binarised")
        if mode not in BINARIZATIONS:
            raise ValueError(f"binarization must be one of {BINARIZATIONS}, got {mode!r}")
        return replace(self, binarization=mode, dequantize_binary=dequantize)

    @property
    def dim(self) -> int:
        return math.prod(self.shape)

    @property
    def value_range(self) -> tuple[float, float] | None:
        """The range of model inputs: [0, 1] after dequantisation, unbounded otherwise."""
        return (0.0, 1.0) if self.levels is not None else None

    @property
    def model_levels(self) -> int | None:
        """Levels of the data the model sees: None for binary data (a pmf needs no offset)."""
        if self.binarization:
            return 2 if self.dequantize_binary else None
        return self.levels

    def preprocessing(self) -> dict[str, Any]:
        if self.binarization is not None:
            top = (self.levels or 2) - 1
            transform = (
                f"x = [x / {top} > 0.5]" if self.binarization == "threshold"
                else f"p = x / {top}; x ~ Bernoulli(p) ({self.binarization})"
            )
            if self.dequantize_binary:
                transform += "; y = (x + u) / 2, u ~ U[0, 1)"
            return {
                "dequantize": "uniform" if self.dequantize_binary else None,
                "binarize": self.binarization, "levels": self.model_levels,
                "transform": transform,
            }
        if self.levels is None:
            return {"dequantize": None}
        return {
            "dequantize": "uniform",
            "levels": self.levels,
            "transform": f"y = (x + u) / {self.levels}, u ~ U[0, 1)",
        }

    def split(self, *, test_fraction: float = 0.25, seed: int = 0) -> DatasetSplit:
        """A seeded train/test split (or the published one), preprocessed, flattened to rows."""
        rng = np.random.default_rng(seed)
        train_labels = test_labels = None
        if self.test_examples is not None:
            train = self.examples.reshape(len(self.examples), -1).astype(np.float64)
            test = self.test_examples.reshape(len(self.test_examples), -1).astype(np.float64)
            record: dict[str, Any] = {"published_test_split": True, "seed": seed}
            if self.labels is not None and self.test_labels is not None:
                train_labels, test_labels = self.labels, self.test_labels
        else:
            n = len(self.examples)
            order = rng.permutation(n)
            n_test = max(1, int(round(n * test_fraction)))
            rows = self.examples.reshape(n, -1).astype(np.float64)
            train_rows, test_rows = np.sort(order[n_test:]), np.sort(order[:n_test])
            train, test = rows[train_rows], rows[test_rows]
            record = {"test_fraction": test_fraction, "seed": seed}
            if self.labels is not None:
                train_labels, test_labels = self.labels[train_rows], self.labels[test_rows]
        record.update(n_train=int(len(train)), n_test=int(len(test)))
        train, test = self._preprocess(train, rng), self._preprocess(test, rng, evaluation=True)
        return DatasetSplit(
            train=train.astype(np.float32), test=test.astype(np.float32), record=record,
            dynamic_binarization=self.binarization == "dynamic" and not self.dequantize_binary,
            train_labels=train_labels, test_labels=test_labels,
        )

    def _preprocess(
        self, rows: NDArray[np.float64], rng: np.random.Generator, *, evaluation: bool = False
    ) -> NDArray[np.float64]:
        if self.levels is None:
            return rows
        if self.binarization is None:
            return (rows + rng.random(rows.shape)) / self.levels
        probabilities = rows / (self.levels - 1)
        if self.binarization == "threshold":
            binary = (probabilities > 0.5).astype(np.float64)
        elif self.binarization == "dynamic" and not evaluation and not self.dequantize_binary:
            return probabilities  # sampled afresh every epoch by the training loop
        else:
            binary = (rng.random(rows.shape) < probabilities).astype(np.float64)
        if self.dequantize_binary:
            return (binary + rng.random(rows.shape)) / 2.0
        return binary


def discrete_bits_per_dim(mean_log_likelihood: float, dim: int, levels: int | None) -> float:
    """Bits per dimension, on the discrete data's footing when the data were dequantised."""
    nll = -mean_log_likelihood + (dim * math.log(levels) if levels else 0.0)
    return nll / (dim * math.log(2.0))


def make_pinwheel(
    n: int = 2000, *, arms: int = 5, radial_std: float = 0.3, tangential_std: float = 0.05,
    rate: float = 0.25, seed: int = 0,
) -> NDArray[np.float64]:
    """The pinwheel of Johnson et al. 2016 ("Composing graphical models with neural networks")."""
    rng = np.random.default_rng(seed)
    per_arm = n // arms
    angles = np.linspace(0, 2 * np.pi, arms, endpoint=False)
    features = rng.standard_normal((arms * per_arm, 2)) * np.array([radial_std, tangential_std])
    features[:, 0] += 1.0
    labels = np.repeat(np.arange(arms), per_arm)
    rotations = angles[labels] + rate * np.exp(features[:, 0])
    cos, sin = np.cos(rotations), np.sin(rotations)
    rotated = np.stack(
        [cos * features[:, 0] - sin * features[:, 1], sin * features[:, 0] + cos * features[:, 1]],
        axis=1,
    )
    return 2.0 * rotated[rng.permutation(len(rotated))]


def make_two_moons(n: int = 2000, *, noise: float = 0.08, seed: int = 0) -> NDArray[np.float64]:
    from sklearn.datasets import make_moons

    points, _ = make_moons(n_samples=n, noise=noise, random_state=seed)
    return np.asarray(points, dtype=np.float64)


def _digits() -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float64)
    return Dataset(
        name="digits", examples=images, shape=(8, 8), levels=17,
        labels=np.asarray(bunch.target, dtype=np.int64),
        classes=tuple(str(int(c)) for c in bunch.target_names),
        source={"origin": "sklearn.datasets.load_digits", "values": "integers 0-16"},
    )


def _pinwheel() -> Dataset:
    return Dataset(
        name="pinwheel", examples=make_pinwheel(), shape=(2,),
        source={"origin": "generated", "n": 2000, "arms": 5, "seed": 0},
    )


def _two_moons() -> Dataset:
    return Dataset(
        name="two-moons", examples=make_two_moons(), shape=(2,),
        source={"origin": "sklearn.datasets.make_moons", "n": 2000, "noise": 0.08, "seed": 0},
    )


BUILTIN_DATASETS = {"digits": _digits, "pinwheel": _pinwheel, "two-moons": _two_moons}


def load_array_file(path: str | Path, *, key: str | None = None) -> Dataset:
    """Load examples from ``.npy`` or ``.npz`` (never with pickle).

    Unsigned-integer arrays are taken as discrete levels (uint8: 256) and will be dequantised.
    In an ``.npz`` the arrays :func:`npz_keys` names: the examples and a published test split.
    """
    path = Path(path)
    test_array = labels = test_labels = classes = None
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            names = list(archive.keys())
            chosen, test_key = npz_keys(names, key)
            if chosen is None or chosen not in names:
                raise ValueError(f"{path.name}: choose an array with key=, one of {names}")
            array = archive[chosen]
            if test_key is not None:
                test_array = archive[test_key]
            label_key, test_label_key = label_keys(names, chosen, test_key)
            if label_key is not None:
                labels = archive[label_key]
                test_labels = archive[test_label_key] if test_label_key is not None else None
            if "classes" in names:
                classes = tuple(str(c) for c in archive["classes"])
    elif path.suffix == ".npy":
        array = np.load(path, allow_pickle=False)
    else:
        raise ValueError(f"{path.name}: expected a .npy or .npz file")
    dataset = _dataset_from_arrays(path, array, test_array)
    return _with_labels(dataset, labels, test_labels, classes)


def _with_labels(
    dataset: Dataset, labels: NDArray[Any] | None, test_labels: NDArray[Any] | None,
    classes: tuple[str, ...] | None = None,
) -> Dataset:
    """The data set with its labels (as class indices), when they fit its examples.

    ``classes`` given: ``labels`` are already indices into them (the store's own files).
    """
    if labels is None or len(np.asarray(labels).reshape(-1)) != len(dataset.examples):
        return dataset
    if test_labels is not None and (
        dataset.test_examples is None
        or len(np.asarray(test_labels).reshape(-1)) != len(dataset.test_examples)
    ):
        test_labels = None
    if classes is not None:
        train = np.asarray(labels, np.int64).reshape(-1)
        test = None if test_labels is None else np.asarray(test_labels, np.int64).reshape(-1)
    else:
        try:
            train, test, classes = encode_labels(labels, test_labels)
        except LabelError:  # e.g. a regression target named y: the examples still load
            return dataset
    return replace(dataset, labels=train, test_labels=test, classes=classes)


TRAIN_KEYS = ("x_train", "x", "X", "data")
"""Names an ``.npz``'s examples array goes by, in order of preference."""


def npz_keys(names: list[str], key: str | None = None) -> tuple[str | None, str | None]:
    """``(examples, published test split)`` array names of an ``.npz``; either may be None.

    The examples are ``key``, else the first of :data:`TRAIN_KEYS` present, else the only
    array; ``x_test`` beside ``x_train`` or ``x`` is the published test split (labels:
    :func:`label_keys`).
    """
    chosen = key or next((k for k in TRAIN_KEYS if k in names), None)
    if chosen is None and len(names) == 1:
        chosen = names[0]
    test = "x_test" if chosen in ("x_train", "x") and "x_test" in names else None
    return chosen, test


def label_keys(
    names: list[str], train_key: str | None, test_key: str | None
) -> tuple[str | None, str | None]:
    """``(labels, test labels)`` array names of an ``.npz``: ``y_train`` beside ``x_train``,
    ``y`` beside ``x``/``X``/``data`` (or ``y_train`` there), ``y_test`` beside ``x_test``."""
    if train_key is None:
        return None, None
    preferred = ("y_train", "y") if train_key == "x_train" else ("y", "y_train")
    labels = next((k for k in preferred if k in names), None)
    if labels is None:
        return None, None
    test = "y_test" if test_key is not None and "y_test" in names else None
    return labels, test


def load_idx_dataset(path: str | Path) -> Dataset:
    """MNIST as published: a folder of IDX files, or one images file (``.gz`` or not).

    ``t10k-images`` beside ``train-images`` becomes the published test split; the
    ``*-labels-idx1-ubyte`` files beside the images, their labels.
    """
    found = find_idx_images(path)
    if found is None:
        raise ValueError(f"{path}: no {TRAIN_IMAGES}[.gz] there and not an IDX images file")
    train, test = found
    dataset = _dataset_from_arrays(
        Path(path), read_idx(train), read_idx(test) if test is not None else None
    )
    train_labels = find_idx_labels(train)
    test_labels = find_idx_labels(test) if test is not None else None
    return _with_labels(
        dataset, read_idx(train_labels) if train_labels else None,
        read_idx(test_labels) if test_labels else None,
    )


def _dataset_from_arrays(
    path: Path, array: NDArray[Any], test_array: NDArray[Any] | None
) -> Dataset:
    if array.ndim < 2 or len(array) == 0:
        raise ValueError(f"{path.name}: expected an array of examples [N, ...], got {array.shape}")
    levels = None
    if np.issubdtype(array.dtype, np.unsignedinteger) or array.dtype == np.bool_:
        levels = 2 if array.dtype == np.bool_ else int(np.iinfo(array.dtype).max) + 1
    examples = array.astype(np.float64)
    if not np.isfinite(examples).all():
        raise ValueError(f"{path.name}: contains NaN or infinity")
    test = None
    if test_array is not None and test_array.shape[1:] == array.shape[1:]:
        test = test_array.astype(np.float64)
    return Dataset(
        name=path.stem, examples=examples, shape=tuple(int(s) for s in array.shape[1:]),
        levels=levels, source={"origin": "file", "path": str(path), "dtype": str(array.dtype)},
        test_examples=test,
    )


def load_dataset(name_or_path: str) -> Dataset:
    """A built-in data set by name, or by path: ``.npy``/``.npz``, or MNIST's IDX files."""
    if name_or_path in BUILTIN_DATASETS:
        return BUILTIN_DATASETS[name_or_path]()
    path = Path(name_or_path)
    if path.suffix in {".npy", ".npz"} and path.is_file():
        return load_array_file(path)
    if find_idx_images(path) is not None:
        return load_idx_dataset(path)
    raise UnknownDataset(
        f"unknown dataset {name_or_path!r}: use one of {sorted(BUILTIN_DATASETS)}, "
        f"the path of a .npy/.npz file, an IDX images file or a folder with {TRAIN_IMAGES}[.gz]"
    )
