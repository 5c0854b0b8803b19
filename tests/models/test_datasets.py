"""Built-in data sets, file loading, and dequantisation of discrete data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from models.datasets import (
    UnknownDataset,
    discrete_bits_per_dim,
    load_array_file,
    load_dataset,
    npz_keys,
)


def test_digits_are_17_level_8x8_images() -> None:
    digits = load_dataset("digits")
    assert digits.examples.shape == (1797, 8, 8)
    assert digits.levels == 17 and digits.value_range == (0.0, 1.0)


def test_dequantised_digits_stay_within_their_bins() -> None:
    digits = load_dataset("digits")
    split = digits.split(test_fraction=0.25, seed=0)
    rows = np.concatenate([split.train, split.test])
    assert rows.min() >= 0.0 and rows.max() < 1.0
    levels = np.floor(rows * 17 + 1e-5)
    assert set(np.unique(levels)) <= set(range(17))
    assert len(np.unique(rows)) > 1000  # noise was added: not 17 distinct values


def test_split_is_seeded_and_recorded() -> None:
    digits = load_dataset("digits")
    a, b = digits.split(seed=3), digits.split(seed=3)
    np.testing.assert_array_equal(a.test, b.test)
    assert a.record == {"test_fraction": 0.25, "seed": 3, "n_train": 1348, "n_test": 449}
    assert not np.array_equal(a.test, digits.split(seed=4).test)


@pytest.mark.parametrize("name", ["pinwheel", "two-moons"])
def test_toy_sets_are_2d_and_continuous(name: str) -> None:
    dataset = load_dataset(name)
    assert dataset.shape == (2,) and dataset.levels is None and dataset.value_range is None
    assert dataset.examples.shape == (2000, 2)


def test_uint8_npz_is_taken_as_256_levels(tmp_path: Path) -> None:
    images = np.random.default_rng(0).integers(0, 256, (20, 4, 4)).astype(np.uint8)
    np.savez(tmp_path / "faces.npz", x_train=images)
    dataset = load_array_file(tmp_path / "faces.npz")
    assert dataset.shape == (4, 4) and dataset.levels == 256 and dataset.name == "faces"


def test_float_npy_is_continuous(tmp_path: Path) -> None:
    np.save(tmp_path / "points.npy", np.random.default_rng(0).normal(size=(30, 3)))
    dataset = load_dataset(str(tmp_path / "points.npy"))
    assert dataset.shape == (3,) and dataset.levels is None


def test_object_arrays_are_refused_without_unpickling(tmp_path: Path) -> None:
    np.save(tmp_path / "evil.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        load_array_file(tmp_path / "evil.npy")


def test_unknown_dataset_names_the_choices() -> None:
    with pytest.raises(UnknownDataset, match="digits"):
        load_dataset("imagenet")


def test_discrete_bits_per_dim_adds_the_bin_width() -> None:
    # a uniform density on [0, 1)^D is worth exactly log2(L) bits per dimension on L levels
    assert discrete_bits_per_dim(0.0, 64, 17) == pytest.approx(math.log2(17))
    assert discrete_bits_per_dim(-2 * math.log(2), 2, None) == pytest.approx(1.0)


@pytest.fixture
def mnist_like(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist-like.npz"
    np.savez(
        path, x_train=rng.integers(0, 256, (200, 6, 6), dtype=np.uint8),
        x_test=rng.integers(0, 256, (50, 6, 6), dtype=np.uint8),
    )
    return path


def test_an_npz_with_a_test_array_keeps_its_published_split(mnist_like: Path) -> None:
    split = load_array_file(mnist_like).split()
    assert split.record["published_test_split"] is True
    assert (split.record["n_train"], split.record["n_test"]) == (200, 50)


@pytest.mark.parametrize("mode", ["static", "threshold"])
def test_fixed_binarisations_give_binary_rows(mnist_like: Path, mode: str) -> None:
    split = load_array_file(mnist_like).binarized(mode).split()  # type: ignore[arg-type]
    for rows in (split.train, split.test):
        assert set(np.unique(rows)) <= {0.0, 1.0}
    assert not split.dynamic_binarization


def test_threshold_binarisation_is_pixel_over_half(mnist_like: Path) -> None:
    dataset = load_array_file(mnist_like)
    split = dataset.binarized("threshold").split()
    expected = (dataset.examples.reshape(200, -1) / 255 > 0.5).astype(np.float32)
    np.testing.assert_array_equal(split.train, expected)


def test_static_binarisation_is_fixed_by_the_seed(mnist_like: Path) -> None:
    dataset = load_array_file(mnist_like).binarized("static")
    np.testing.assert_array_equal(dataset.split(seed=1).train, dataset.split(seed=1).train)
    assert not np.array_equal(dataset.split(seed=1).train, dataset.split(seed=2).train)


def test_static_draws_follow_the_pixel_probabilities(tmp_path: Path) -> None:
    np.save(tmp_path / "grey.npy", np.full((4000, 2, 2), 64, dtype=np.uint8))
    split = load_array_file(tmp_path / "grey.npy").binarized("static").split()
    p = 64 / 255
    assert abs(split.train.mean() - p) < 4 * np.sqrt(p * (1 - p) / split.train.size)


def test_dynamic_binarisation_keeps_probabilities_for_training(mnist_like: Path) -> None:
    dataset = load_array_file(mnist_like)
    split = dataset.binarized("dynamic").split()
    assert split.dynamic_binarization
    np.testing.assert_allclose(split.train, dataset.examples.reshape(200, -1) / 255, rtol=1e-6)
    assert set(np.unique(split.test)) <= {0.0, 1.0}  # evaluation data are drawn once


def test_binary_data_count_no_level_offset_in_bits_per_dim(mnist_like: Path) -> None:
    dataset = load_array_file(mnist_like).binarized("static")
    assert dataset.model_levels is None
    assert dataset.preprocessing()["binarize"] == "static"


def test_continuous_data_cannot_be_binarised() -> None:
    with pytest.raises(ValueError, match="discrete"):
        load_dataset("pinwheel").binarized("static")


@pytest.mark.parametrize(
    ("names", "examples", "test"),
    [
        (["x_train", "y_train", "x_test", "y_test"], "x_train", "x_test"),
        (["x", "x_test"], "x", "x_test"),
        (["X", "x_test"], "X", None),
        (["data"], "data", None),
        (["only"], "only", None),
        (["a", "b"], None, None),
    ],
)
def test_npz_keys_name_the_examples_and_the_published_test_split(
    names: list[str], examples: str | None, test: str | None
) -> None:
    assert npz_keys(names) == (examples, test)


def test_an_npz_with_x_and_x_test_loads_by_path_with_that_split(tmp_path: Path) -> None:
    path = tmp_path / "split.npz"
    np.savez(path, x=np.ones((5, 2)), x_test=np.zeros((3, 2)))
    dataset = load_array_file(path)
    assert dataset.test_examples is not None and dataset.test_examples.shape == (3, 2)
    assert dataset.split().record["published_test_split"]


def test_a_seeded_split_carries_each_rows_label() -> None:
    digits = load_dataset("digits")
    assert digits.labels is not None
    rows = digits.split(test_fraction=0.25, seed=3)
    order = np.random.default_rng(3).permutation(len(digits.examples))
    n_test = int(round(len(order) * 0.25))
    assert rows.train_labels is not None and rows.test_labels is not None
    assert np.array_equal(rows.test_labels, digits.labels[np.sort(order[:n_test])])
    assert np.array_equal(rows.train_labels, digits.labels[np.sort(order[n_test:])])
    pixels = np.floor(rows.test * 17).reshape(-1, 8, 8)  # dequantised rows back to integers
    assert np.array_equal(pixels, digits.examples[np.sort(order[:n_test])])


def test_a_published_split_carries_its_labels(tmp_path: Path) -> None:
    path = tmp_path / "labelled.npz"
    images = np.arange(5 * 4, dtype=np.uint8).reshape(5, 2, 2)
    np.savez(path, x_train=images[:3], y_train=[7, 3, 7], x_test=images[3:], y_test=[3, 3])
    rows = load_dataset(str(path)).split()
    assert rows.train_labels is not None and rows.test_labels is not None
    assert rows.train_labels.tolist() == [1, 0, 1] and rows.test_labels.tolist() == [0, 0]


def test_unlabelled_data_split_without_labels() -> None:
    rows = load_dataset("pinwheel").split()
    assert rows.train_labels is None and rows.test_labels is None
