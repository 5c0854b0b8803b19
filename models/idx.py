"""IDX, the format MNIST is published in (LeCun et al.): parsing and finding the files.

Header: two zero bytes, a type code, the number of dimensions, then each size as a big-endian
int32; the values follow, big-endian. Files are often gzipped (``*.gz``).
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

IDX_TYPES: dict[int, str] = {
    0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8",
}
# The published MNIST file names (Fashion-MNIST and KMNIST use the same ones).
TRAIN_IMAGES = "train-images-idx3-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
MAX_DIMS = 16
"""More dimensions than any IDX data set has (MNIST: 3); NumPy itself stops at 64."""


class InvalidIDX(ValueError):
    """Bytes that are not a well-formed IDX file."""


def is_idx_name(filename: str) -> bool:
    """Whether a file name promises IDX: ``*-ubyte`` or ``*.idx*``, optionally ``.gz``."""
    base = Path(filename.lower()).name
    base = base[:-3] if base.endswith(".gz") else base
    return base.endswith("ubyte") or ".idx" in base


def read_header(data: bytes, filename: str = "IDX data") -> tuple[tuple[int, ...], np.dtype[Any]]:
    """``(shape, dtype)`` from the first bytes of an IDX file (at least ``header_size``)."""
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in IDX_TYPES or data[3] == 0:
        raise InvalidIDX(f"{filename} is not an IDX file (bad magic number)")
    ndim = data[3]
    if ndim > MAX_DIMS:
        raise InvalidIDX(f"{filename}: {ndim} dimensions; IDX files here have at most {MAX_DIMS}")
    if len(data) < header_size(data):
        raise InvalidIDX(f"{filename}: truncated IDX header")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return shape, np.dtype(IDX_TYPES[data[2]])


def header_size(data: bytes) -> int:
    """Bytes of the header, from its first four: 4 + 4 per dimension."""
    return 4 + 4 * data[3] if len(data) >= 4 else 4


def parse_idx(data: bytes, filename: str = "IDX data") -> NDArray[Any]:
    """The array in the (already decompressed) bytes of an IDX file; raises :class:`InvalidIDX`.

    The array is a view of ``data``: nothing is copied.
    """
    shape, dtype = read_header(data, filename)
    header = header_size(data)
    expected = math.prod(shape) * dtype.itemsize
    if len(data) - header != expected:
        raise InvalidIDX(
            f"{filename}: header says {list(shape)} of {dtype.name} ({expected} bytes) but "
            f"{len(data) - header} bytes follow"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)


def read_idx(path: str | Path) -> NDArray[Any]:
    """Read an IDX file from disk, gunzipping ``*.gz``."""
    path = Path(path)
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return parse_idx(data, path.name)


def find_idx_images(path: str | Path) -> tuple[Path, Path | None] | None:
    """``(train images, test images or None)`` for an MNIST-style folder or images file.

    A folder must hold ``train-images-idx3-ubyte[.gz]``; a file is taken as the training
    images, and ``t10k-images-idx3-ubyte[.gz]`` beside a ``train-images`` file as the published
    test split. ``None`` when ``path`` is neither.
    """
    path = Path(path)
    if path.is_dir():
        train = _either_compression(path / TRAIN_IMAGES)
        return (train, _either_compression(path / TEST_IMAGES)) if train else None
    if not (path.is_file() and is_idx_name(path.name)):
        return None
    test = None
    if path.name.startswith(TRAIN_IMAGES):
        test = _either_compression(path.parent / TEST_IMAGES)
    return path, test


def find_idx_labels(images: Path) -> Path | None:
    """The labels file beside an images file: ``train-labels-idx1-ubyte[.gz]`` beside
    ``train-images-idx3-ubyte[.gz]``; None when there is none."""
    name = images.name
    stem = name[:-3] if name.endswith(".gz") else name
    if "images" not in stem:
        return None
    labels = stem.replace("images", "labels").replace("idx3", "idx1")
    return _either_compression(images.with_name(labels))


def _either_compression(stem: Path) -> Path | None:
    for candidate in (stem, stem.with_name(stem.name + ".gz")):
        if candidate.is_file():
            return candidate
    return None
