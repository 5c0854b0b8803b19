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
from models.datasets import MAX_CLASS_NAME, LabelError, encode_labels, label_keys, npz_keys
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
    labels: NDArray[np.int64] | None = None
    """Class indices ``[N]`` into ``classes``; None for unlabelled data."""
    test_labels: NDArray[np.int64] | None = None
    classes: tuple[str, ...] | None = None


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


def _read_npy(
    open_stream: Any, what: str, budget: Budget, field: str, *, labels: bool = False
) -> NDArray[Any]:
    """Header first (shape and dtype checked against the budget), then the values."""
    with open_stream() as stream:
        shape, dtype = _npy_header(stream, what, field)
    (budget.check_labels if labels else budget.check)(shape, dtype, what, field)
    with open_stream() as stream, client_bytes(f"{what}: not a readable .npy file", field):
        return np.asarray(np.lib.format.read_array(
            stream, allow_pickle=False, max_header_size=_NPY_HEADER_BYTES
        ))


def _parse_npy(data: bytes, what: str, budget: Budget, field: str) -> NDArray[Any]:
    if not data.startswith(_NPY_MAGIC):
        raise refuse(f"{what} is not a .npy file (no NumPy magic string)", "format", field)
    return _read_npy(lambda: io.BytesIO(data), what, budget, field)


def _parse_npz(data: bytes, what: str, budget: Budget, field: str) -> _Part:
    """The examples array, and ``x_test`` beside ``x_train`` (or ``x``) as the test split,
    with their labels (``y_train``/``y``, ``y_test``) when the archive has them."""
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

        def member(key: str, labels: bool = False) -> NDArray[Any]:
            return _read_npy(lambda: archive.open(members[key]), f"{what}[{key}]", budget, field,
                             labels=labels)

        label_key, test_label_key = label_keys(list(members), train_key, test_key)
        with client_bytes(what, field):
            train = member(train_key)
            test = member(test_key) if test_key is not None else None
            labels = member(label_key, True) if label_key is not None else None
            test_labels = member(test_label_key, True) if test_label_key is not None else None
    return _Part("npz", train, test, labels, test_labels,
                 f"{what}[{label_key}]", f"{what}[{test_label_key}]")


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


def _csv_header(data: bytes) -> list[str] | None:
    """The header's cells (stripped), or None when the first data line is numbers."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    start = _first_data_line(data)
    if start is None:
        return None
    end = data.find(b"\n", start)
    line = data[start : len(data) if end < 0 else end].decode("utf-8", errors="replace")
    if _numeric_row(line):
        return None
    try:
        return [cell.strip() for cell in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return None


def _label_index(header: list[str] | None, label_column: str | None, what: str, field: str
                 ) -> int | None:
    """The label column: ``label_column`` (a header name, or a 0-based index), else a header
    cell named ``label``; None when there is none. (Not ``y`` by default: ``x,y`` headers name
    the coordinates of 2-D points far more often than a label.)"""
    names = [] if header is None else [cell.lower() for cell in header]
    if label_column is None:
        return names.index("label") if "label" in names else None
    if header is not None and label_column in header:
        return header.index(label_column)
    if label_column.lower() in names:
        return names.index(label_column.lower())
    if re.fullmatch(r"[0-9]{1,9}", label_column):
        return int(label_column)
    found = f"its header is {header[:20]}" if header is not None else "it has no header row"
    raise refuse(
        f"{what}: no column {label_column[:80]!r}: {found}; name a header cell or give a 0-based "
        "column index", "label_column", "label_column" if field == "file" else field,
    )


def _split_label_column(
    values: NDArray[Any], index: int, what: str, field: str
) -> tuple[NDArray[Any], NDArray[Any]]:
    if index >= values.shape[1]:
        raise refuse(
            f"{what}: label column {index} is past its {values.shape[1]} columns",
            "label_column", "label_column" if field == "file" else field,
        )
    return np.delete(values, index, axis=1), values[:, index].copy()


def _numeric_row(line: str) -> bool:
    try:
        cells = next(csv.reader([line]))
        [float(cell) for cell in cells]
    except (ValueError, csv.Error, StopIteration):
        return False
    return True


# -- zip of PNG images ----------------------------------------------------------------------


def _parse_png_zip(
    data: bytes, what: str, budget: Budget, field: str
) -> tuple[NDArray[Any], NDArray[Any] | None]:
    """All images the same size and bit depth; the output is allocated once, from the first
    image's header times the number of members. With one folder per class (two or more
    folders, every image in one), each image's label is its folder's name."""
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
    return images, _folder_labels(members, what, field)


def _folder_labels(members: list[zipfile.ZipInfo], what: str, field: str) -> NDArray[Any] | None:
    folders = [posixpath.dirname(info.filename.replace("\\", "/")) for info in members]
    if len(set(folders)) < 2:
        return None
    loose = next((info.filename for info, f in zip(members, folders, strict=True) if not f), None)
    if loose is not None:
        raise refuse(
            f"{what}: member {loose!r} is in no folder, others are in class folders: put every "
            "image in its class's folder, or none in folders", "class_folders", field,
        )
    names = [posixpath.basename(f) for f in folders]
    longest = max(names, key=len)
    if len(longest) > MAX_CLASS_NAME:  # before an array padded to the longest name is made
        raise refuse(
            f"{what}: class folder {longest[:40]!r}... is over {MAX_CLASS_NAME} characters",
            "class_folders", field,
        )
    return np.array(names)


# -- IDX ------------------------------------------------------------------------------------


def _gunzip_idx(
    data: bytes, what: str, budget: Budget, field: str, *, labels: bool = False
) -> bytes:
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
        (budget.check_labels if labels else budget.check)(shape, dtype, what, field)
        promised = math.prod(shape) * dtype.itemsize
        return head + stream.read(promised + 1)  # one more: a longer body is refused


def _parse_idx(
    data: bytes, what: str, budget: Budget, field: str, *, labels: bool = False
) -> NDArray[Any]:
    gzipped = what.lower().endswith(".gz")
    check = budget.check_labels if labels else budget.check
    if gzipped:
        data = _gunzip_idx(data, what, budget, field, labels=labels)  # the header's budget
    try:
        array = parse_idx(data, what)  # a view of ``data``: nothing is copied yet
    except InvalidIDX as error:
        raise refuse(str(error), "format", field) from error
    if not gzipped:
        check(array.shape, array.dtype, what, field)
    return array


def _parse_labels_file(filename: str, data: bytes, budget: Budget, field: str) -> NDArray[Any]:
    """A labels file: IDX (MNIST's ``*-labels-idx1-ubyte[.gz]``) or a 1-D ``.npy``."""
    fmt = upload_format(filename, field)
    if fmt == "idx":
        return _parse_idx(data, filename, budget, field, labels=True)
    if fmt == "npy":
        if not data.startswith(_NPY_MAGIC):
            raise refuse(f"{filename} is not a .npy file (no NumPy magic string)", "format", field)
        return _read_npy(lambda: io.BytesIO(data), filename, budget, field, labels=True)
    raise refuse(
        f"{filename!r}: a labels file is IDX (e.g. train-labels-idx1-ubyte.gz) or a 1-D .npy",
        "file_type", field,
    )


# -- one upload -----------------------------------------------------------------------------


@dataclass
class _Part:
    """One uploaded file, parsed: its examples, an ``.npz``'s test split, raw labels."""

    fmt: str
    array: NDArray[Any]
    test: NDArray[Any] | None = None
    labels: NDArray[Any] | None = None
    test_labels: NDArray[Any] | None = None
    labels_what: str = ""
    test_labels_what: str = ""


def _parse_one(
    filename: str, data: bytes, budget: Budget, field: str, label_column: str | None = None
) -> _Part:
    fmt = upload_format(filename, field)
    if label_column is not None and fmt != "csv":
        raise refuse(
            f"label_column names a CSV column; {filename!r} is {fmt}", "csv_only", "label_column"
        )
    if fmt == "npy":
        return _Part(fmt, _parse_npy(data, filename, budget, field))
    if fmt == "npz":
        return _parse_npz(data, filename, budget, field)
    if fmt == "csv":
        values = _parse_csv(data, filename, budget, field)
        index = _label_index(_csv_header(data), label_column, filename, field)
        if index is None:
            return _Part(fmt, values)
        examples, labels = _split_label_column(values, index, filename, field)
        return _Part(fmt, examples, labels=labels, labels_what=f"{filename} label column")
    if fmt == "png-zip":
        images, folders = _parse_png_zip(data, filename, budget, field)
        return _Part(fmt, images, labels=folders, labels_what=f"{filename} class folders")
    return _Part(fmt, _parse_idx(data, filename, budget, field))


def _count(labels: NDArray[Any] | None, examples: NDArray[Any], what: str, field: str) -> None:
    """Labels must be one per example: a 422 naming the field otherwise."""
    if labels is not None and len(labels) != len(examples):
        raise refuse(
            f"{what}: {len(labels)} labels for {len(examples)} examples; give one label per "
            "example", "label_count", field,
        )


def parse_upload(
    filename: str, data: bytes, limits: UploadLimits,
    test_file: tuple[str, bytes] | None = None, *,
    labels_file: tuple[str, bytes] | None = None,
    test_labels_file: tuple[str, bytes] | None = None,
    label_column: str | None = None,
) -> ParsedData:
    """Parse an upload by the format its name promises, with its published test split (an
    ``.npz``'s ``x_test``, or ``test_file``: the same format, e.g. MNIST's ``t10k`` images)
    and its labels where it has them: an ``.npz``'s ``y_train``/``y``/``y_test``, a CSV label
    column, a zip's class folders, or ``labels_file``/``test_labels_file`` beside the images."""
    budget = Budget(limits)
    part = _parse_one(filename, data, budget, "file", label_column)
    examples = _examples(part.array, filename, "file")
    test, test_field = part.test, "file"
    test_labels, test_labels_field = part.test_labels, "file"
    test_labels_what = part.test_labels_what
    if test_file is not None:
        if test is not None:
            raise refuse(
                f"{filename} holds x_test already; send test_file only with files that have "
                "no test split", "one_test_split", "test_file",
            )
        test_name, test_data = test_file
        test_field = test_labels_field = "test_file"
        extra = _parse_one(test_name, test_data, budget, test_field, label_column)
        if extra.fmt != part.fmt or extra.test is not None:
            raise refuse(
                f"test_file {test_name!r} is {extra.fmt}; the training file is {part.fmt}: send "
                "both in one format", "same_format", test_field,
            )
        test, test_labels, test_labels_what = extra.array, extra.labels, extra.labels_what
    labels, labels_field, labels_what = part.labels, "file", part.labels_what
    if labels_file is not None:
        if labels is not None:
            raise refuse(
                f"{filename} brings its own labels ({labels_what}); send labels_file only with "
                "files that have none", "one_label_source", "labels_file",
            )
        labels_what, labels_field = labels_file[0], "labels_file"
        labels = _parse_labels_file(*labels_file, budget, labels_field)
    if test_labels_file is not None:
        if test is None or labels is None or test_labels is not None:
            raise refuse(
                "test_labels_file labels a test split (test_file) whose training examples are "
                "labelled too, and that has no labels of its own", "test_labels",
                "test_labels_file",
            )
        test_labels_what, test_labels_field = test_labels_file[0], "test_labels_file"
        test_labels = _parse_labels_file(*test_labels_file, budget, test_labels_field)
    _count(labels, examples, labels_what, labels_field)
    held_out = None
    if test is not None:
        what = test_file[0] if test_file is not None else f"{filename}[x_test]"
        held_out = _examples(test, what, test_field)
        if held_out.shape[1:] != examples.shape[1:] or held_out.dtype != examples.dtype:
            raise refuse(
                f"{what}: test examples are {list(held_out.shape[1:])} of {held_out.dtype}; "
                f"the training examples are {list(examples.shape[1:])} of {examples.dtype}",
                "same_shape", test_field,
            )
        _count(test_labels, held_out, test_labels_what, test_labels_field)
    if labels is None:
        return ParsedData(examples, _levels(part.array), part.fmt, held_out)
    try:
        codes, test_codes, classes = encode_labels(
            labels, test_labels if held_out is not None else None
        )
    except LabelError as error:
        raise refuse(f"{labels_what}: {error}", "labels", labels_field) from None
    return ParsedData(
        examples, _levels(part.array), part.fmt, held_out, codes, test_codes, classes
    )
