"""What the page draws beyond the five operations: mixture components, 2-D density grids, and a
reference distribution of held-out log-likelihoods (with a 2-D view of the latent codes).

The reference is computed on demand from the model's own recorded test split (``data.dataset`` and
``data.split`` in its config, rebuilt with ``models.datasets``), and cached per model version and
``k``. When the data set cannot be rebuilt here (an upload this process cannot read), samples of
the model stand in, and the answer says so in ``source``.

The latent view is coloured by the test split's labels when the data set has them
(``labels_source: "dataset"``); for a model of MNIST digits whose data are not here, by the digit
genserve's own MNIST classifier predicts for each point (``"classifier prediction"``).
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from app.errors import InvalidInput, LimitExceeded, ServiceError, UnsupportedOperation
from app.registry import LoadedModel
from models.datasets import Dataset, UnknownDataset, load_dataset
from models.quality import DigitClassifier

__all__ = [
    "DatasetLoader",
    "ReferenceCache",
    "components",
    "density_bounds",
    "density_grid",
    "passes",
    "reference",
    "require_2d",
]

DatasetLoader = Callable[[str], Dataset]
"""Rebuilds a data set by name: ``models.datasets.load_dataset``, or the app's dataset store."""

MAX_COVARIANCE_VALUES = 1_000_000
REFERENCE_SAMPLES = 1000  # model samples standing in for a test split that cannot be rebuilt
MAX_REFERENCE_ROWS = 2000
HISTOGRAM_BINS = 40
MAX_LATENT_POINTS = 1000
BOUNDS_SAMPLES = 2000  # model samples that place a density grid without bounds


def _numpy(tensor: torch.Tensor) -> NDArray[Any]:
    return tensor.detach().to("cpu").numpy()


def components(loaded: LoadedModel, include_covariances: bool = True) -> dict[str, Any]:
    """A mixture's weights ``[K]``, means ``[K, D]`` and full covariances ``[K, D, D]``, for a
    model that declares the ``components`` view."""
    model = loaded.model
    if "components" not in model.views:
        raise UnsupportedOperation(
            f"model {loaded.name!r} is a {model.kind}; components exist for GMMs only",
            field="name", rule="kind",  # the rule clients know: the kind declares no such view
        )
    mixture = model.mixture_components(covariances=False)
    k, d = mixture.means.shape[0], model.dim
    body: dict[str, Any] = {
        "model": loaded.name, "version": loaded.version,
        "covariance_type": mixture.covariance_type, "n_components": k,
        "data_shape": list(model.data.shape),
        "weights": _numpy(mixture.weights.double()), "means": _numpy(mixture.means.double()),
    }
    if include_covariances:
        if k * d * d > MAX_COVARIANCE_VALUES:
            raise LimitExceeded(
                f"the covariances have {k * d * d} values, over {MAX_COVARIANCE_VALUES}; ask "
                "with include_covariances=false", field="include_covariances", rule="size",
            )
        full = model.mixture_components(covariances=True).covariances
        assert full is not None  # asked for
        body["covariances"] = _numpy(full.double())
    return body


def require_2d(loaded: LoadedModel) -> None:
    """A density grid needs 2-D points (checked before the work is admitted, too)."""
    if loaded.model.data.shape != (2,):
        raise UnsupportedOperation(
            f"model {loaded.name!r} has data shape {list(loaded.model.data.shape)}; a density "
            "grid needs 2-D points", field="name", rule="two_dimensional",
        )


MAX_BOUND = 1e9  # |x|, |y| of a density grid: float32 distances stay finite well past it


def density_bounds(
    x_min: float | None, x_max: float | None, y_min: float | None, y_max: float | None
) -> tuple[float, float, float, float] | None:
    """All four finite bounds within +-MAX_BOUND with min < max, or none (a 422 naming the
    field otherwise: infinite or 1e308 bounds made a grid of NaN, then a 500)."""
    given = {"x_min": x_min, "x_max": x_max, "y_min": y_min, "y_max": y_max}
    if all(v is None for v in given.values()):
        return None
    for name, value in given.items():
        if value is None:
            raise InvalidInput(
                f"{name} is missing: give all four of x_min, x_max, y_min, y_max, or none",
                field=name, rule="bounds",
            )
        if not math.isfinite(value) or abs(value) > MAX_BOUND:
            raise InvalidInput(
                f"{name} = {value} is not a finite number within +-{MAX_BOUND:g}",
                field=name, rule="finite_bounds",
            )
    for low, high in (("x_min", "x_max"), ("y_min", "y_max")):
        if not given[low] < given[high]:  # type: ignore[operator]
            raise InvalidInput(
                f"bounds must satisfy {low} < {high}", field=low, rule="bounds",
            )
    return (x_min, x_max, y_min, y_max)  # type: ignore[return-value]


def passes(loaded: LoadedModel, importance_samples: int) -> int:
    """Passes through the model per row: k for a bound, 1 for an exact density."""
    return loaded.model.likelihood_passes(importance_samples)


def reference_rows(loaded: LoadedModel, importance_samples: int) -> int:
    """Held-out rows the reference scores: ``MAX_REFERENCE_ROWS``, divided by the passes each
    importance sample costs (a conditional VAE's log p(x) sums over its C classes: C passes per
    sample), so its reference costs what a VAE's does."""
    per_sample = max(1, passes(loaded, importance_samples) // importance_samples)
    return max(1, MAX_REFERENCE_ROWS // per_sample)


def density_grid(
    loaded: LoadedModel, resolution: int, importance_samples: int,
    bounds: tuple[float, float, float, float] | None,
) -> dict[str, Any]:
    """log p(x) on a ``resolution x resolution`` grid; ``log_density[i][j]`` is at (x[j], y[i])."""
    require_2d(loaded)
    model = loaded.model
    generator = torch.Generator(device=model.device).manual_seed(0)
    with torch.inference_mode():
        if bounds is None:
            points = _numpy(model.sample(BOUNDS_SAMPLES, generator=generator)).astype(np.float64)
            low, high = np.percentile(points, 0.5, axis=0), np.percentile(points, 99.5, axis=0)
            margin = 0.15 * (high - low) + 1e-6
            x_min, y_min = low - margin
            x_max, y_max = high + margin
        else:
            x_min, x_max, y_min, y_max = bounds
        xs = np.linspace(x_min, x_max, resolution)
        ys = np.linspace(y_min, y_max, resolution)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        log_px = model.log_likelihood(
            torch.from_numpy(grid).float(), importance_samples=importance_samples,
            generator=generator,
        )["log_likelihood"]
    return {
        "model": loaded.name, "version": loaded.version, "x": xs, "y": ys,
        "log_density": _numpy(log_px).astype(np.float64).reshape(resolution, resolution),
        "estimator": _estimator(loaded, importance_samples),
    }


def _estimator(loaded: LoadedModel, importance_samples: int) -> str:
    return loaded.model.likelihood_estimator(importance_samples, abbreviated=True)


@dataclass(frozen=True)
class _Reference:
    rows: NDArray[np.float32]
    labels: NDArray[np.int64] | None
    source: str
    classes: tuple[str, ...] | None = None


DIGITS = tuple(str(d) for d in range(10))
CLASSIFIER = Path("_scorers") / "mnist-classifier"
"""Where the shipped MNIST classifier lives under the weights folder (see models/quality.py)."""

def _held_out(loaded: LoadedModel, load: DatasetLoader) -> _Reference:
    """The model's recorded test split, labels when the data set has them; else its samples."""
    data = loaded.model.data
    recorded = data.split
    try:
        dataset = load(data.dataset)
        binarize = data.preprocessing.get("binarize")
        if binarize:
            dataset = dataset.binarized(
                binarize, dequantize=data.preprocessing.get("dequantize") == "uniform"
            )
        if dataset.dim != data.dim or "seed" not in recorded:
            raise ValueError("the recorded split does not fit this data set")
        split = dataset.split(
            test_fraction=recorded.get("test_fraction", 0.25), seed=recorded["seed"]
        )
        if any(recorded.get(k, split.record[k]) != split.record[k] for k in ("n_train", "n_test")):
            raise ValueError("the rebuilt split has other sizes than the recorded one")
        labels = _test_labels(dataset, recorded, split.test)
        classes = dataset.classes if labels is not None else None
        return _Reference(split.test[:MAX_REFERENCE_ROWS], _head(labels), "test split", classes)
    except (UnknownDataset, ServiceError, ValueError, OSError, KeyError):
        generator = torch.Generator(device=loaded.model.device).manual_seed(0)
        with torch.inference_mode():
            samples = loaded.model.sample(REFERENCE_SAMPLES, generator=generator)
        return _Reference(_numpy(samples).astype(np.float32), None, "model samples")


def _head(labels: NDArray[np.int64] | None) -> NDArray[np.int64] | None:
    return None if labels is None else labels[:MAX_REFERENCE_ROWS]


def _test_labels(
    dataset: Dataset, recorded: dict[str, Any], rows: NDArray[np.float32]
) -> NDArray[np.int64] | None:
    """Labels of the test rows: the published test split's own, or by redrawing the split's
    permutation; checked against the rows where the preprocessing allows it (no labels rather
    than wrong ones)."""
    if dataset.test_examples is not None:
        labels = dataset.test_labels
        if labels is None or len(labels) != len(rows):
            return None
        raw = dataset.test_examples.reshape(len(labels), -1)
        return labels if _rows_match(dataset, rows, raw) else None
    if dataset.labels is None:
        return None
    n = len(dataset.examples)
    order = np.random.default_rng(recorded["seed"]).permutation(n)
    test_idx = np.sort(order[: max(1, int(round(n * recorded.get("test_fraction", 0.25))))])
    if len(test_idx) != len(rows):
        return None
    raw = dataset.examples.reshape(n, -1)[test_idx]
    return dataset.labels[test_idx] if _rows_match(dataset, rows, raw) else None


def _rows_match(dataset: Dataset, rows: NDArray[np.float32], raw: NDArray[np.float64]) -> bool:
    """Whether preprocessed ``rows`` are the ``raw`` examples, as far as the preprocessing says."""
    if dataset.binarization is not None:
        matches = True  # binarised pixels cannot be compared with the raw levels
    elif dataset.levels:  # rows = (raw + u) / L with u in [0, 1)
        offset = rows.astype(np.float64) * dataset.levels - raw
        matches = bool(np.all((offset > -1e-3) & (offset < 1.0 + 1e-3)))
    else:
        matches = bool(np.allclose(rows, raw, atol=1e-4))
    return matches


def _is_mnist(loaded: LoadedModel) -> bool:
    """A model of 28x28 MNIST digits (by its recorded data set's name), which the shipped
    classifier can label; not Fashion-MNIST or KMNIST, whose images share the size."""
    data = loaded.model.data
    name = Path(data.dataset).stem.lower()
    return tuple(data.shape) == (28, 28) and name.startswith("mnist")


def _predicted_digits(rows: NDArray[np.float32], classifier_dir: Path) -> NDArray[np.int64]:
    """The digit the shipped MNIST classifier gives each row (pixels in [0, 1])."""
    classifier = DigitClassifier.load(classifier_dir)
    x = torch.from_numpy(np.clip(rows.reshape(len(rows), -1), 0.0, 1.0)).float()
    _, probabilities = classifier.embed(x)
    return _numpy(probabilities.argmax(dim=-1)).astype(np.int64)


def _histogram(values: NDArray[np.float64]) -> dict[str, Any]:
    """Bins over the bulk of the values; the few far below it (log-likelihoods have a long left
    tail) are counted in the first bin, so the shape stays readable and the counts add up."""
    finite = values[np.isfinite(values)]
    p01, p99 = np.percentile(finite, [1, 99])
    low = max(float(finite.min()), p01 - 0.5 * (p99 - p01))
    high = float(finite.max())
    if high <= low:
        high = low + 1.0
    counts, edges = np.histogram(np.clip(finite, low, high), bins=HISTOGRAM_BINS, range=(low, high))
    return {"edges": edges, "counts": counts, "clipped_below": int((finite < low).sum())}


def _latent_view(
    loaded: LoadedModel, held_out: _Reference, classifier_dir: Path | None = None
) -> dict[str, Any] | None:
    """A PCA of the posterior means (identity when the latent space is 2-D), for a model that
    declares the ``latent`` view."""
    if "latent" not in loaded.model.views:
        return None
    rows = held_out.rows
    labels, classes = held_out.labels, held_out.classes
    source = "dataset" if labels is not None else None
    if labels is None and classifier_dir is not None and _is_mnist(loaded):
        try:
            labels = _predicted_digits(rows[:MAX_LATENT_POINTS], classifier_dir)
            classes = DIGITS
            source = "classifier prediction"
        except (OSError, RuntimeError, ValueError):  # no classifier here: no colours
            labels = None
    with torch.inference_mode():
        means = _numpy(loaded.model.latent_means(torch.from_numpy(rows))).astype(np.float64)
    latent_dim = means.shape[1]
    center = means.mean(axis=0)
    if latent_dim <= 2:
        projection = np.eye(2, latent_dim)
        method = "identity"
    else:
        _, _, vt = np.linalg.svd(means - center, full_matrices=False)
        projection = vt[:2]
        method = "pca"
    points = (means - center) @ projection.T
    return {
        "latent_dim": latent_dim, "method": method, "center": center, "projection": projection,
        "points": points[:MAX_LATENT_POINTS],
        "labels": None if labels is None else labels[:MAX_LATENT_POINTS],
        "classes": None if labels is None or classes is None else list(classes),
        "labels_source": source,
    }


def reference(
    loaded: LoadedModel, importance_samples: int, load: DatasetLoader = load_dataset,
    classifier_dir: Path | None = None,
) -> dict[str, Any]:
    """The held-out log-likelihood distribution and the latent view, computed once;
    ``classifier_dir``: the MNIST classifier that labels digits when the data set has none."""
    held_out = _held_out(loaded, load)
    scored = held_out.rows[: reference_rows(loaded, importance_samples)]
    generator = torch.Generator(device=loaded.model.device).manual_seed(0)
    with torch.inference_mode():
        log_px = loaded.model.log_likelihood(
            torch.from_numpy(scored), importance_samples=importance_samples,
            generator=generator,
        )["log_likelihood"]
    values = _numpy(log_px).astype(np.float64)
    return {
        "model": loaded.name, "version": loaded.version, "source": held_out.source,
        "dataset": loaded.model.data.dataset, "n": int(len(values)),
        "importance_samples": importance_samples,
        "estimator": _estimator(loaded, importance_samples),
        "log_likelihood": {
            "values": values, "mean": float(values.mean()), "std": float(values.std()),
            "quantiles": dict(zip(
                ("p01", "p05", "p25", "p50", "p75", "p95", "p99"),
                np.percentile(values, [1, 5, 25, 50, 75, 95, 99]).tolist(), strict=True,
            )),
            "histogram": _histogram(values),
        },
        "latent": _latent_view(loaded, held_out, classifier_dir),
    }


ReferenceKey = tuple[str, int, int]


class ReferenceCache:
    """Computed references by (model folder, version, k), least recently used first out.

    ``get`` shares one computation between concurrent askers; the computation itself stores its
    answer with ``put`` (on its thread), so an answer that came after its askers' timeout is
    still there for the next ask.
    """

    def __init__(self, capacity: int = 32) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[ReferenceKey, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[ReferenceKey, asyncio.Future[dict[str, Any]]] = {}

    @staticmethod
    def key(loaded: LoadedModel, importance_samples: int) -> ReferenceKey:
        return (str(loaded.path), loaded.version, importance_samples)

    def peek(self, key: ReferenceKey) -> dict[str, Any] | None:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        return None

    def put(self, key: ReferenceKey, value: dict[str, Any]) -> dict[str, Any]:
        """Thread-safe; returns ``value``."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return value

    async def get(
        self, key: ReferenceKey, compute: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        """The cached answer, else the one being computed, else ``compute()``'s."""
        hit = self.peek(key)
        if hit is not None:
            return hit
        running = self._computing.get(key)
        if running is None:
            running = self._computing[key] = asyncio.ensure_future(compute())
            running.add_done_callback(lambda _: self._computing.pop(key, None))
        return await asyncio.shield(running)
