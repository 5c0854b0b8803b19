"""Uploaded data files, parsed and checked: ``.npy``/``.npz``, CSV, a zip of PNGs, MNIST IDX.

Every format is parsed, never unpickled (``allow_pickle=False``), and must be what its name
says: a ``.npy`` must start with NumPy's magic string, a ``.gz`` with gzip's, and so on.

Memory is bounded before anything is allocated, from what the bytes declare: the ``.npy``
header's shape and dtype (inside an ``.npz`` too), a zip's central directory, the IDX header,
the CSV's line and separator counts, each PNG's IHDR. The bound is on the examples as they will
be stored (signed integers become float64, float16 float32), so an int8 header that would
become gigabytes of float64 is refused from its 128 bytes. See :class:`UploadLimits`.

Every exception a parser raises on client bytes becomes an :class:`InvalidUpload` (422) or an
:class:`UploadTooLarge` (413) naming the field and the rule; nothing reaches a 500.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import math
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.errors import exception_text
from app.png import BadPng, decode_png, read_header
from app.upload_budget import (
    DECODED_BYTES_FACTOR,
    Budget,
    InvalidUpload,
    UploadLimits,
    UploadTooLarge,
    client_bytes,
    refuse,
    stored_dtype,
    too_large,
)
from models.datasets import npz_keys
from models.idx import InvalidIDX, header_size, is_idx_name, parse_idx
from models.idx import read_header as read_idx_header

__all__ = [
    "DECODED_BYTES_FACTOR",
    "InvalidUpload",
    "ParsedData",
    "UploadLimits",
    "UploadTooLarge",
    "parse_upload",
    "upload_format",
]

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK\x03\x04"
_GZIP_MAGIC = b"\x1f\x8b"
FORMATS = ("npy", "npz", "csv", "png-zip", "idx")
_ZIP_METHODS = {
    zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma",
}
_NPY_HEADER_BYTES = 65536


@dataclass(frozen=True)
class ParsedData:
    """Examples ``[N, *shape]``: uint8/bool/unsigned for discrete data, float otherwise.

    ``test``: the published test split ``[M, *shape]`` (an ``.npz``'s ``x_test``, or the test
    file of a pair), in the same dtype; None when the upload has none.
    """

    array: NDArray[Any]
    levels: int | None
    format: str
    test: NDArray[Any] | None = None


def upload_format(filename: str, field: str = "file") -> str:
    """The format a file name promises; raises for a name no parser takes."""
    lower = filename.lower()
    if is_idx_name(filename):
        return "idx"
    for suffix, fmt in ((".npy", "npy"), (".npz", "npz"), (".csv", "csv"), (".zip", "png-zip")):
        if lower.endswith(suffix):
            return fmt
    raise refuse(
        f"{filename!r}: unsupported file type; upload .npy, .npz, .csv, a .zip of PNG images "
        "or MNIST IDX files (*-ubyte or *.idx*, optionally .gz)",
        "file_type", field,
    )


def _levels(array: NDArray[Any]) -> int | None:
    if array.dtype == np.bool_:
        return 2
    if np.issubdtype(array.dtype, np.unsignedinteger):
        return int(np.iinfo(array.dtype).max) + 1
    return None


def _examples(array: NDArray[Any], what: str, field: str) -> NDArray[Any]:
    """Check ``[N, ...]`` with N >= 2 and finite values; convert to the stored dtype."""
    stored = stored_dtype(array.dtype, what, field)
    if array.ndim < 2 or array.shape[0] < 2 or math.prod(array.shape[1:]) == 0:
        raise refuse(
            f"{what}: expected at least 2 non-empty examples [N, ...], got shape "
            f"{list(array.shape)}", "shape", field,
        )
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise refuse(f"{what}: contains NaN or infinity", "finite", field)
    return np.ascontiguousarray(array, dtype=stored)


# -- zip ------------------------------------------------------------------------------------


def _open_zip(data: bytes, what: str, budget: Budget, field: str) -> zipfile.ZipFile:
    """A zip whose members are all safe to read: names, flags, methods and declared sizes."""
    if not data.startswith(_ZIP_MAGIC):
        raise refuse(f"{what} is not a zip archive (no zip signature)", "format", field)
    with client_bytes(f"{what} is not a valid zip archive", field):
        archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    budget.check_bytes(sum(info.file_size for info in infos), what, field)
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in name or "\x00" in name:
            raise refuse(
                f"{what}: member {name!r} has an unsafe path (absolute, '..' or a drive)",
                "zip_member_name", field,
            )
        if info.flag_bits & 0x1:
            raise refuse(
                f"{what}: member {name!r} is encrypted; upload it without a password",
                "zip_encrypted", field,
            )
        if info.compress_type not in _ZIP_METHODS:
            raise refuse(
                f"{what}: member {name!r} uses compression method {info.compress_type}; use "
                f"one of {sorted(_ZIP_METHODS.values())}", "zip_compression", field,
            )
    return archive


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, field: str
                 ) -> bytes:
    """A member's bytes (at most its declared size), its CRC and local header checked."""
    with client_bytes(f"{what}: member {info.filename!r}", field):
        return archive.read(info)


# -- .npy / .npz ----------------------------------------------------------------------------


def _npy_header(stream: Any, what: str, field: str) -> tuple[tuple[int, ...], np.dtype[Any]]:
    with client_bytes(f"{what}: not a readable .npy header", field):
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(
                stream, max_header_size=_NPY_HEADER_BYTES
            )
        elif version in ((2, 0), (3, 0)):
            shape, _, dtype = np.lib.format.read_array_header_2_0(
                stream, max_header_size=_NPY_HEADER_BYTES
            )
        else:
            raise ValueError(f".npy format version {version} is not supported")
    return tuple(int(s) for s in shape), dtype


def _read_npy(open_stream: Any, what: str, budget: Budget, field: str) -> NDArray[Any]:
    """Header first (shape and dtype checked against the budget), then the values."""
    with open_stream() as stream:
        shape, dtype = _npy_header(stream, what, field)
    budget.check(shape, dtype, what, field)
    with open_stream() as stream, client_bytes(f"{what}: not a readable .npy file", field):
        return np.asarray(np.lib.format.read_array(
            stream, allow_pickle=False, max_header_size=_NPY_HEADER_BYTES
        ))


def _parse_npy(data: bytes, what: str, budget: Budget, field: str) -> NDArray[Any]:
    if not data.startswith(_NPY_MAGIC):
        raise refuse(f"{what} is not a .npy file (no NumPy magic string)", "format", field)
    return _read_npy(lambda: io.BytesIO(data), what, budget, field)


def _parse_npz(
    data: bytes, what: str, budget: Budget, field: str
) -> tuple[NDArray[Any], NDArray[Any] | None]:
    """The examples array, and ``x_test`` beside ``x_train`` (or ``x``) as the test split."""
    archive = _open_zip(data, what, budget, field)
    with archive:
        members = {
            info.filename[:-4]: info for info in archive.infolist()
            if info.filename.endswith(".npy")
        }
        train_key, test_key = npz_keys(list(members))
        if train_key is None:
            raise refuse(
                f"{what}: name the examples array x (or x_train, X, data); found "
                f"{sorted(members)}", "npz_key", field,
            )

        def member(key: str) -> NDArray[Any]:
            return _read_npy(lambda: archive.open(members[key]), f"{what}[{key}]", budget, field)

        with client_bytes(what, field):
            train = member(train_key)
            test = member(test_key) if test_key is not None else None
    return train, test


# -- CSV ------------------------------------------------------------------------------------


def _parse_csv(data: bytes, what: str, budget: Budget, field: str) -> NDArray[Any]:
    """Rows and columns are counted on the bytes (newlines, commas) before anything is decoded
    or parsed; NumPy's C parser then reads the values, streaming the lines."""
    if b"\x00" in data:
        raise refuse(f"{what} is not a CSV text file (it contains NUL bytes)", "format", field)
    data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark
    start = _first_data_line(data)
    if start is None:
        raise refuse(f"{what}: no data rows", "shape", field)
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    columns = data.count(b",", start, end) + 1  # an upper bound: quoted commas count too
    if columns > budget.limits.max_features:
        raise too_large(
            f"{what}: its first row has {columns} columns; the limit is "
            f"{budget.limits.max_features} (GENSERVE_MAX_DATASET_FEATURES)", "max_features", field,
        )
    header = not _numeric_row(data[start:end].decode("utf-8", errors="replace"))
    body_start = end + 1 if header else start
    rows = data.count(b"\n", body_start) + 1  # an upper bound: blank lines count too
    budget.check((max(rows, 2), columns), np.dtype(np.float64), what, field)
    if _first_data_line(data, body_start) is None:
        raise refuse(f"{what}: no data rows", "shape", field)
    values: NDArray[np.float64] | None = None
    filled = 0
    lines = _data_lines(data, body_start, what, field)
    while block := list(itertools.islice(lines, _CSV_BLOCK_ROWS)):
        part = _parse_csv_block(block, filled, what, field)
        if values is None:  # the upper bound of rows; pages past the real rows stay unused
            values = np.empty((rows, part.shape[1]), np.float64)
        if part.shape[1] != values.shape[1]:
            raise refuse(
                f"{what}: data row {filled + 1} has {part.shape[1]} columns; the first has "
                f"{values.shape[1]}", "rectangular", field,
            )
        values[filled : filled + len(part)] = part
        filled += len(part)
    assert values is not None  # _first_data_line found a data line
    return values[:filled]


_CSV_BLOCK_ROWS = 4096
"""Rows NumPy parses at a time into the preallocated array (a block's copy is small)."""


def _data_lines(data: bytes, position: int, what: str, field: str) -> Iterator[str]:
    """Each line holding more than blanks and commas, decoded one at a time (no copy of all)."""
    while position < len(data):
        end = data.find(b"\n", position)
        end = len(data) if end < 0 else end + 1
        raw, position = data[position:end], end
        if raw.strip(b" \t\r\n,"):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise refuse(f"{what} is not a UTF-8 CSV text file: {exc}", "format",
                             field) from exc


def _parse_csv_block(block: list[str], before: int, what: str, field: str
                     ) -> NDArray[np.float64]:
    try:
        return np.loadtxt(
            block, delimiter=",", dtype=np.float64, ndmin=2, comments=None, quotechar='"',
        )
    except ValueError as exc:
        message = exception_text(exc).split("; use `usecols`")[0]
        rectangular = "number of columns" in message
        base = before + (0 if rectangular else 1)  # NumPy counts these rows from 1, those from 0
        message = re.sub(r"at row (\d+)", lambda m: f"at data row {base + int(m[1])}", message)
        rule = "rectangular" if rectangular else "numeric"
        raise refuse(f"{what}: {message}", rule, field) from exc
    except Exception as exc:  # noqa: BLE001 - client bytes
        message = f"{what}: not a readable CSV file: {exception_text(exc)}"
        raise refuse(message, "format", field) from exc


_CONTENT = re.compile(rb"[^ \t\r\n,]")


def _first_data_line(data: bytes, position: int = 0) -> int | None:
    """Offset of the first line from ``position`` holding more than blanks and commas."""
    found = _CONTENT.search(data, position)
    return None if found is None else data.rfind(b"\n", position, found.start()) + 1 or position


def _numeric_row(line: str) -> bool:
    try:
        cells = next(csv.reader([line]))
        [float(cell) for cell in cells]
    except (ValueError, csv.Error, StopIteration):
        return False
    return True


# -- zip of PNG images ----------------------------------------------------------------------


def _parse_png_zip(data: bytes, what: str, budget: Budget, field: str) -> NDArray[Any]:
    """All images the same size and bit depth; the output is allocated once, from the first
    image's header times the number of members."""
    archive = _open_zip(data, what, budget, field)
    with archive:
        members = []
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or posixpath.basename(info.filename).startswith("."):
                continue
            if not info.filename.lower().endswith(".png"):
                raise refuse(f"{what}: member {info.filename!r} is not a .png image",
                              "png_zip", field)
            members.append(info)
        if not members:
            raise refuse(f"{what}: the zip holds no PNG images", "png_zip", field)
        images: NDArray[Any] | None = None
        first = None
        for i, info in enumerate(members):
            raw = _read_member(archive, info, what, field)
            name = f"{what}: member {info.filename!r}"
            try:
                header = read_header(raw)
                if first is None:
                    first = header
                    dtype = np.dtype(np.uint16 if header.levels == 65536 else np.uint8)
                    budget.check((len(members), header.height, header.width), dtype, what, field)
                elif (header.width, header.height) != (first.width, first.height):
                    raise refuse(
                        f"{name} is {header.width}x{header.height}; the first image is "
                        f"{first.width}x{first.height}; all images must be the same size",
                        "same_size", field,
                    )
                elif header.levels != first.levels:
                    raise refuse(
                        f"{name} has {header.levels} grey levels; the first image has "
                        f"{first.levels}: all images must have the same bit depth "
                        "(16-bit greyscale, or 8-bit)", "same_bit_depth", field,
                    )
                image = decode_png(raw, max_pixels=budget.limits.max_image_pixels)
            except BadPng as exc:
                raise refuse(f"{name} {exc}", exc.rule, field) from None
            if images is None:
                images = np.empty((len(members), *image.pixels.shape), image.pixels.dtype)
            images[i] = image.pixels
    assert images is not None
    return images


# -- IDX ------------------------------------------------------------------------------------


def _gunzip_idx(data: bytes, what: str, budget: Budget, field: str) -> bytes:
    """Inflate an IDX file, its header first: the declared shape is checked against the budget
    before the values are inflated, and no more than it promises is read."""
    if not data.startswith(_GZIP_MAGIC):
        raise refuse(f"{what} is not gzip-compressed (no gzip signature)", "format", field)
    with client_bytes(f"{what}: broken gzip stream", field), gzip.GzipFile(
        fileobj=io.BytesIO(data)
    ) as stream:
        head = stream.read(4)
        head += stream.read(header_size(head) - len(head))
        try:
            shape, dtype = read_idx_header(head, what)
        except InvalidIDX as error:
            raise refuse(str(error), "format", field) from error
        budget.check(shape, dtype, what, field)
        promised = math.prod(shape) * dtype.itemsize
        return head + stream.read(promised + 1)  # one more: a longer body is refused


def _parse_idx(data: bytes, what: str, budget: Budget, field: str) -> NDArray[Any]:
    gzipped = what.lower().endswith(".gz")
    if gzipped:
        data = _gunzip_idx(data, what, budget, field)  # checks the budget from the header
    try:
        array = parse_idx(data, what)  # a view of ``data``: nothing is copied yet
    except InvalidIDX as error:
        raise refuse(str(error), "format", field) from error
    if not gzipped:
        budget.check(array.shape, array.dtype, what, field)
    return array


# -- one upload -----------------------------------------------------------------------------


def _parse_one(
    filename: str, data: bytes, budget: Budget, field: str
) -> tuple[str, NDArray[Any], NDArray[Any] | None]:
    fmt = upload_format(filename, field)
    test = None
    if fmt == "npy":
        array = _parse_npy(data, filename, budget, field)
    elif fmt == "npz":
        array, test = _parse_npz(data, filename, budget, field)
    elif fmt == "csv":
        array = _parse_csv(data, filename, budget, field)
    elif fmt == "png-zip":
        array = _parse_png_zip(data, filename, budget, field)
    else:
        array = _parse_idx(data, filename, budget, field)
    return fmt, array, test


def parse_upload(
    filename: str, data: bytes, limits: UploadLimits,
    test_file: tuple[str, bytes] | None = None,
) -> ParsedData:
    """Parse an upload by the format its name promises, with its published test split: an
    ``.npz``'s ``x_test``, or ``test_file`` (the same format, e.g. MNIST's ``t10k`` images)."""
    budget = Budget(limits)
    fmt, array, test = _parse_one(filename, data, budget, "file")
    examples = _examples(array, filename, "file")
    test_field = "file"
    if test_file is not None:
        if test is not None:
            raise refuse(
                f"{filename} holds x_test already; send test_file only with files that have "
                "no test split", "one_test_split", "test_file",
            )
        test_name, test_data = test_file
        test_field = "test_file"
        test_fmt, test, extra = _parse_one(test_name, test_data, budget, test_field)
        if test_fmt != fmt or extra is not None:
            raise refuse(
                f"test_file {test_name!r} is {test_fmt}; the training file is {fmt}: send both "
                "in one format", "same_format", test_field,
            )
    if test is None:
        return ParsedData(examples, _levels(array), fmt)
    what = test_file[0] if test_file is not None else f"{filename}[x_test]"
    held_out = _examples(test, what, test_field)
    if held_out.shape[1:] != examples.shape[1:] or held_out.dtype != examples.dtype:
        raise refuse(
            f"{what}: test examples are {list(held_out.shape[1:])} of {held_out.dtype}; the "
            f"training examples are {list(examples.shape[1:])} of {examples.dtype}",
            "same_shape", test_field,
        )
    return ParsedData(examples, _levels(array), fmt, held_out)
