"""Uploaded data files, parsed and checked: ``.npy``/``.npz``, CSV, a zip of PNGs, MNIST IDX.

Every format is parsed, never unpickled (``np.load(allow_pickle=False)``), and must be what its
name says: a ``.npy`` must start with NumPy's magic string, a ``.gz`` with gzip's, and so on.
Decompressed sizes are bounded before anything is inflated, zip members with unsafe names are
refused, and each image's pixel count is checked before it is decoded.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, UnidentifiedImageError

from app.errors import InvalidInput, ServiceError
from models.idx import InvalidIDX, is_idx_name, parse_idx

__all__ = ["InvalidUpload", "ParsedData", "UploadTooLarge", "parse_upload", "upload_format"]

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK\x03\x04"
_GZIP_MAGIC = b"\x1f\x8b"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FORMATS = ("npy", "npz", "csv", "png-zip", "idx")


class InvalidUpload(InvalidInput):
    error_type = "invalid_upload"


class UploadTooLarge(ServiceError):
    status_code = 413
    error_type = "limit_exceeded"


@dataclass(frozen=True)
class ParsedData:
    """Examples ``[N, *shape]``: uint8/bool/unsigned for discrete data, float otherwise."""

    array: NDArray[Any]
    levels: int | None
    format: str


def _refuse(message: str, rule: str) -> InvalidUpload:
    return InvalidUpload(message, field="file", rule=rule)


def upload_format(filename: str) -> str:
    """The format a file name promises; raises for a name no parser takes."""
    lower = filename.lower()
    if is_idx_name(filename):
        return "idx"
    for suffix, fmt in ((".npy", "npy"), (".npz", "npz"), (".csv", "csv"), (".zip", "png-zip")):
        if lower.endswith(suffix):
            return fmt
    raise _refuse(
        f"{filename!r}: unsupported file type; upload .npy, .npz, .csv, a .zip of PNG images "
        "or MNIST IDX files (*-ubyte or *.idx*, optionally .gz)",
        "file_type",
    )


def _check_decoded(nbytes: int, limit: int, what: str) -> None:
    if nbytes > limit:
        raise UploadTooLarge(
            f"{what} holds {nbytes} bytes once decoded, over the limit of {limit} "
            "(8x GENSERVE_MAX_UPLOAD_BYTES)",
            field="file", rule="max_decoded_bytes",
        )


def _levels(array: NDArray[Any]) -> int | None:
    if array.dtype == np.bool_:
        return 2
    if np.issubdtype(array.dtype, np.unsignedinteger):
        return int(np.iinfo(array.dtype).max) + 1
    return None


def _examples(array: NDArray[Any], filename: str) -> NDArray[Any]:
    """Check ``[N, ...]`` with N >= 2 and finite values; integers other than unsigned -> float."""
    if array.dtype.kind not in "biuf":
        raise _refuse(f"{filename}: dtype {array.dtype} is not numeric", "numeric_dtype")
    if array.ndim < 2:
        raise _refuse(
            f"{filename}: expected examples as an array [N, ...] with at least 2 dimensions, "
            f"got shape {list(array.shape)}",
            "shape",
        )
    if array.shape[0] < 2 or math.prod(array.shape[1:]) == 0:
        raise _refuse(
            f"{filename}: expected at least 2 non-empty examples, got shape {list(array.shape)}",
            "shape",
        )
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise _refuse(f"{filename}: contains NaN or infinity", "finite")
        return np.ascontiguousarray(array, dtype=np.float32 if array.itemsize <= 4 else np.float64)
    if array.dtype.kind == "i":
        return np.ascontiguousarray(array, dtype=np.float64)
    return np.ascontiguousarray(array.astype(array.dtype.newbyteorder("=")))


def _open_zip(data: bytes, filename: str, limit: int) -> zipfile.ZipFile:
    if not data.startswith(_ZIP_MAGIC):
        raise _refuse(f"{filename} is not a zip archive (no zip signature)", "format")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _refuse(f"{filename} is not a valid zip archive: {exc}", "format") from exc
    _check_decoded(sum(info.file_size for info in archive.infolist()), limit, filename)
    for info in archive.infolist():
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in name or "\x00" in name:
            raise _refuse(
                f"{filename}: member {name!r} has an unsafe path (absolute, '..' or a drive)",
                "zip_member_name",
            )
    return archive


def _parse_npy(data: bytes, filename: str, limit: int) -> NDArray[Any]:
    if not data.startswith(_NPY_MAGIC):
        raise _refuse(f"{filename} is not a .npy file (no NumPy magic string)", "format")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:  # object arrays need pickle: refused
        raise _refuse(f"{filename}: cannot be read without pickle: {exc}", "no_pickle") from exc
    except Exception as exc:
        raise _refuse(f"{filename}: not a readable .npy file: {exc}", "format") from exc
    _check_decoded(int(array.nbytes), limit, filename)
    return np.asarray(array)


def _parse_npz(data: bytes, filename: str, limit: int) -> NDArray[Any]:
    _open_zip(data, filename, limit).close()
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            names = list(archive.keys())
            chosen = next((k for k in ("x_train", "x", "X", "data") if k in names), None)
            if chosen is None and len(names) == 1:
                chosen = names[0]
            if chosen is None:
                raise _refuse(
                    f"{filename}: name the examples array x (or x_train, X, data); found {names}",
                    "npz_key",
                )
            return np.asarray(archive[chosen])
    except InvalidUpload:
        raise
    except ValueError as exc:
        raise _refuse(f"{filename}: cannot be read without pickle: {exc}", "no_pickle") from exc
    except Exception as exc:
        raise _refuse(f"{filename}: not a readable .npz file: {exc}", "format") from exc


def _parse_csv(data: bytes, filename: str, limit: int) -> NDArray[Any]:
    if b"\x00" in data[:65536]:
        raise _refuse(f"{filename} is not a CSV text file (it contains NUL bytes)", "format")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(f"{filename} is not a UTF-8 CSV text file: {exc}", "format") from exc
    rows = [row for row in csv.reader(io.StringIO(text)) if row and any(c.strip() for c in row)]
    if rows and not _numeric_row(rows[0]):
        rows = rows[1:]  # a header
    if not rows:
        raise _refuse(f"{filename}: no data rows", "shape")
    width = len(rows[0])
    _check_decoded(len(rows) * width * 8, limit, filename)
    values = np.empty((len(rows), width), dtype=np.float64)
    for i, row in enumerate(rows):
        if len(row) != width:
            raise _refuse(
                f"{filename}: row {i + 1} has {len(row)} columns; the first has {width}",
                "rectangular",
            )
        try:
            values[i] = [float(cell) for cell in row]
        except ValueError as exc:
            raise _refuse(f"{filename}: row {i + 1} is not all numbers: {exc}", "numeric") from exc
    return values


def _numeric_row(row: list[str]) -> bool:
    try:
        [float(cell) for cell in row]
    except ValueError:
        return False
    return True


def _parse_png_zip(data: bytes, filename: str, limit: int, max_pixels: int) -> NDArray[Any]:
    archive = _open_zip(data, filename, limit)
    images: list[NDArray[np.uint8]] = []
    size: tuple[int, int] | None = None
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or posixpath.basename(info.filename).startswith("."):
                continue
            name = info.filename
            if not name.lower().endswith(".png"):
                raise _refuse(f"{filename}: member {name!r} is not a .png image", "png_zip")
            raw = archive.read(info)
            if not raw.startswith(_PNG_MAGIC):
                raise _refuse(f"{filename}: member {name!r} is not a PNG file", "png")
            try:
                with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
                    width, height = image.size
                    if width * height > max_pixels:
                        raise _refuse(
                            f"{filename}: member {name!r} has {width}x{height} pixels, over "
                            f"the limit of {max_pixels} (GENSERVE_MAX_IMAGE_PIXELS)",
                            "max_image_pixels",
                        )
                    pixels = np.asarray(image.convert("L"), dtype=np.uint8)
            except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
                raise _refuse(f"{filename}: member {name!r} is not a readable PNG", "png") from exc
            if size is None:
                size = (height, width)
            elif (height, width) != size:
                raise _refuse(
                    f"{filename}: member {name!r} is {width}x{height}; the first image is "
                    f"{size[1]}x{size[0]}; all images must be the same size",
                    "same_size",
                )
            images.append(pixels)
    if not images:
        raise _refuse(f"{filename}: the zip holds no PNG images", "png_zip")
    return np.stack(images)


def _gunzip(data: bytes, filename: str, limit: int) -> bytes:
    if not data.startswith(_GZIP_MAGIC):
        raise _refuse(f"{filename} is not gzip-compressed (no gzip signature)", "format")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inflated = stream.read(limit + 1)
    except (OSError, EOFError) as exc:
        raise _refuse(f"{filename}: broken gzip stream: {exc}", "format") from exc
    _check_decoded(len(inflated), limit, filename)
    return inflated


def _parse_idx(data: bytes, filename: str, limit: int) -> NDArray[Any]:
    if filename.lower().endswith(".gz"):
        data = _gunzip(data, filename, limit)
    try:
        return parse_idx(data, filename)
    except InvalidIDX as error:
        raise _refuse(str(error), "format") from error


def parse_upload(
    filename: str, data: bytes, *, max_decoded_bytes: int, max_image_pixels: int
) -> ParsedData:
    """Parse an uploaded file by the format its name promises; checks that it is that format."""
    fmt = upload_format(filename)
    if fmt == "npy":
        array = _parse_npy(data, filename, max_decoded_bytes)
    elif fmt == "npz":
        array = _parse_npz(data, filename, max_decoded_bytes)
    elif fmt == "csv":
        array = _parse_csv(data, filename, max_decoded_bytes)
    elif fmt == "png-zip":
        array = _parse_png_zip(data, filename, max_decoded_bytes, max_image_pixels)
    else:
        array = _parse_idx(data, filename, max_decoded_bytes)
    _check_decoded(int(array.nbytes), max_decoded_bytes, filename)
    examples = _examples(array, filename)
    if examples.dtype == np.bool_:
        examples = examples.astype(np.uint8)
        return ParsedData(examples, 2, fmt)
    return ParsedData(examples, _levels(examples), fmt)
