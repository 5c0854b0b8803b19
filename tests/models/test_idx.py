"""MNIST's IDX files load by path, gzipped or not, with the published test split."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from models.datasets import load_dataset
from models.idx import InvalidIDX, parse_idx, read_idx


def _idx_bytes(array: np.ndarray) -> bytes:
    """IDX as LeCun published it: magic 0x00 0x00 0x08 <ndim>, big-endian sizes, uint8 data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(size).to_bytes(4, "big") for size in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def images() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "train": rng.integers(0, 256, (30, 5, 4), dtype=np.uint8),
        "test": rng.integers(0, 256, (10, 5, 4), dtype=np.uint8),
    }


@pytest.fixture
def mnist_folder(tmp_path: Path, images: dict[str, np.ndarray]) -> Path:
    train = gzip.compress(_idx_bytes(images["train"]))
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(train)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx_bytes(images["test"]))
    return tmp_path


def test_parsing_recovers_shape_and_values(images: dict[str, np.ndarray]) -> None:
    np.testing.assert_array_equal(parse_idx(_idx_bytes(images["train"])), images["train"])


def test_big_endian_float_idx_is_read_as_floats() -> None:
    values = np.array([[1.5, -2.0], [0.25, 3.0]], dtype=">f4")
    data = bytes([0, 0, 0x0D, 2, 0, 0, 0, 2, 0, 0, 0, 2]) + values.tobytes()
    np.testing.assert_array_equal(parse_idx(data), values)


@pytest.mark.parametrize(
    ("data", "rule"),
    [(b"PK\x03\x04rest", "bad magic"), (bytes([0, 0, 8, 3, 0, 0]), "truncated"),
     (bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]), "5] of uint8")],
)
def test_malformed_idx_is_refused_with_the_reason(data: bytes, rule: str) -> None:
    with pytest.raises(InvalidIDX, match=rule):
        parse_idx(data)


def test_gzipped_files_are_read_by_their_suffix(
    mnist_folder: Path, images: dict[str, np.ndarray]
) -> None:
    np.testing.assert_array_equal(
        read_idx(mnist_folder / "train-images-idx3-ubyte.gz"), images["train"]
    )


def test_a_folder_loads_as_256_levels_with_its_published_test_split(
    mnist_folder: Path, images: dict[str, np.ndarray]
) -> None:
    dataset = load_dataset(str(mnist_folder))
    assert dataset.shape == (5, 4) and dataset.levels == 256
    assert dataset.test_examples is not None
    np.testing.assert_array_equal(dataset.test_examples, images["test"])
    assert dataset.split().record["published_test_split"] is True


def test_the_training_images_file_finds_the_test_file_beside_it(mnist_folder: Path) -> None:
    dataset = load_dataset(str(mnist_folder / "train-images-idx3-ubyte.gz"))
    assert len(dataset.examples) == 30 and dataset.test_examples is not None


def test_a_lone_images_file_has_no_published_split(
    tmp_path: Path, images: dict[str, np.ndarray]
) -> None:
    path = tmp_path / "letters.idx3-ubyte"
    path.write_bytes(_idx_bytes(images["train"]))
    dataset = load_dataset(str(path))
    assert dataset.test_examples is None and len(dataset.examples) == 30


def test_a_folder_without_mnist_files_is_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="train-images-idx3-ubyte"):
        load_dataset(str(tmp_path))
