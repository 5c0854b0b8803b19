"""One fuzz target per decoder of client bytes: PNG, zip of PNGs, CSV, IDX, .npy, .npz.

Each target feeds mutated seeds and header-aware inputs (declared sizes at the extremes) to the
decoder and checks, per case (``fuzzkit.bounded``), that it answers with data or the project's
4xx error naming the field and the rule, never another exception, and that its allocations stay
bounded by the limits whatever the headers declare. The budget is fixed and derandomised
(``fuzzkit.FUZZ``) so ``make test`` stays fast and repeatable.
"""

from __future__ import annotations

import base64
import gzip
import struct
import zipfile
import zlib
from typing import Any

import numpy as np
import pytest
from fuzzkit import FUZZ, GREY, LIMITS, SEEDS, bounded, idx, mutated, npy, png, rss_guard, zipped
from hypothesis import given
from hypothesis import strategies as st

from app import codecs
from app.dataset_files import ParsedData, parse_upload
from models import DataSpec
from models.datasets import MAX_CLASSES

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
IMAGE = DataSpec(shape=(8, 8), value_range=(0.0, 1.0), dataset="fuzz")
_SIZES = st.sampled_from([0, 1, 2, 7, 8, 255, 4096, 30000, 65535, 2**31 - 1, 2**32 - 1])


def _upload(filename: str, data: bytes, size: int = 0, **labels: Any) -> None:
    result = bounded(lambda: parse_upload(filename, data, LIMITS, **labels), len(data) + size)
    if isinstance(result, ParsedData):
        stored = result.array.nbytes + (0 if result.test is None else result.test.nbytes)
        stored += sum(0 if y is None else y.nbytes for y in (result.labels, result.test_labels))
        assert stored <= LIMITS.max_decoded_bytes
        assert result.array.shape[0] <= LIMITS.max_rows
        assert result.array[0].size <= LIMITS.max_features
        _labels_fit(result)


def _labels_fit(result: ParsedData) -> None:
    """Labels, when there are any: one class index per example, each naming a class."""
    if result.labels is None:
        assert result.test_labels is None and result.classes is None
        return
    assert result.classes is not None and 1 <= len(result.classes) <= MAX_CLASSES
    assert result.labels.shape == (len(result.array),) and result.labels.dtype == np.int64
    assert result.labels.min() >= 0 and result.labels.max() < len(result.classes)
    if result.test_labels is not None:
        assert result.test is not None and result.test_labels.shape == (len(result.test),)
        assert result.test_labels.max(initial=0) < len(result.classes)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@st.composite
def png_headers(draw: st.DrawFn) -> bytes:
    """A PNG whose IHDR declares any size, depth and colour type, with a short image stream."""
    ihdr = struct.pack(
        ">IIBBBBB", draw(_SIZES), draw(_SIZES), draw(st.sampled_from([1, 2, 4, 8, 16, 3, 32])),
        draw(st.sampled_from([0, 2, 3, 4, 6, 5])), 0, 0, draw(st.sampled_from([0, 1])),
    )
    stream = zlib.compress(draw(st.binary(max_size=256)))
    extra = [_chunk(b"PLTE", bytes(range(48)))] if draw(st.booleans()) else []
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + b"".join(extra)
            + _chunk(b"IDAT", stream) + _chunk(b"IEND", b""))


@given(st.one_of(mutated(SEEDS["png"]), png_headers()))
@FUZZ
def test_png_decoder_answers_data_or_a_4xx_within_bounded_memory(data: bytes) -> None:
    encoded = base64.b64encode(data).decode()
    with rss_guard():
        bounded(lambda: codecs.png_to_array(encoded, IMAGE, max_pixels=4096), len(data))


@st.composite
def zip_fields(draw: st.DrawFn) -> bytes:
    """A zip of PNGs with one header field set by the fuzzer: flags, method, CRC or a name."""
    data = bytearray(draw(st.sampled_from(SEEDS["zip"])))
    local, central = 0, data.find(b"PK\x01\x02")
    field = draw(st.sampled_from(["flags", "method", "crc", "name", "size"]))
    value = draw(st.integers(0, 0xFFFF))
    if field == "flags":
        struct.pack_into("<H", data, local + 6, value)
        struct.pack_into("<H", data, central + 8, value)
    elif field == "method":
        struct.pack_into("<H", data, local + 8, value)
        struct.pack_into("<H", data, central + 10, value)
    elif field == "crc":
        struct.pack_into("<I", data, draw(st.sampled_from([local + 14, central + 16])), value)
    elif field == "name":
        data[local + 30] ^= 1 + value % 255
    else:
        struct.pack_into("<I", data, central + 24, draw(_SIZES))  # declared inflated size
    return bytes(data)


@given(st.one_of(mutated(SEEDS["zip"]), zip_fields()))
@FUZZ
def test_png_zip_decoder_answers_data_or_a_4xx_within_bounded_memory(data: bytes) -> None:
    with rss_guard():
        _upload("images.zip", data)


_CELLS = st.sampled_from(["0", "1.5", "-2e3", "nan", "inf", "", " ", "a", '"3"', '"x,y"', "1e400",
                          "0x1", "9" * 200, "\ufeff1"])


@st.composite
def csv_texts(draw: st.DrawFn) -> bytes:
    width = draw(st.integers(1, 6))
    lines = [",".join(draw(st.lists(_CELLS, min_size=1, max_size=width + 1)))
             for _ in range(draw(st.integers(0, 8)))]
    shape = draw(st.sampled_from(["cells", "wide", "tall"]))
    if shape == "wide":  # columns around the limit
        width = draw(st.sampled_from([10, 4095, 4096, 4097, 5000]))
        lines.extend(["0," * (width - 1) + "0"] * draw(st.integers(1, 3)))
    elif shape == "tall":  # rows around the limit
        lines.extend(["0"] * draw(st.sampled_from([10, 19_999, 20_000, 20_001, 40_000])))
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines).encode()


@given(st.one_of(mutated(SEEDS["csv"]), csv_texts()))
@FUZZ
def test_csv_decoder_answers_data_or_a_4xx_within_bounded_memory(data: bytes) -> None:
    with rss_guard():
        _upload("table.csv", data)


_IDX_ITEMSIZE = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}


@st.composite
def idx_headers(draw: st.DrawFn) -> bytes:
    """An IDX header with any type code, number of dimensions and sizes; the body is either
    what the header promises (so parsing goes past the length check) or a few random bytes."""
    ndim = draw(st.sampled_from([0, 1, 2, 3, 4, 16, 17, 64, 65, 255]))
    code = draw(st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x07, 0xFF]))
    consistent = draw(st.integers(0, 3)) > 0
    if consistent:  # ones, with a few small sizes: the promise stays small at any ndim
        shape = [1] * ndim
        for _ in range(draw(st.integers(0, 3)) if ndim else 0):
            shape[draw(st.integers(0, ndim - 1))] = draw(st.integers(0, 40))
    else:
        shape = [draw(_SIZES) for _ in range(ndim)]
    dims = b"".join(struct.pack(">I", s) for s in shape)
    promised = int(np.prod(shape, dtype=object)) * _IDX_ITEMSIZE.get(code, 1)
    if consistent and promised <= 1 << 16:
        body = draw(st.binary(min_size=promised, max_size=promised))
    else:
        body = draw(st.binary(max_size=64))
    return b"\x00\x00" + bytes([code, ndim]) + dims + body


@given(st.one_of(mutated(SEEDS["idx"]), idx_headers()), st.booleans())
@FUZZ
def test_idx_decoder_answers_data_or_a_4xx_within_bounded_memory(data: bytes, gz: bool) -> None:
    import gzip

    with rss_guard():
        if gz:
            _upload("train-images-idx3-ubyte.gz", gzip.compress(data, compresslevel=1))
        else:
            _upload("train-images-idx3-ubyte", data)


_DTYPES = st.sampled_from(["<f8", "|i1", "<u2", ">i4", "|b1", "<f2", "<c16", "|O", "|V8",
                           "<U3", "[('a', '<f4')]", "<f16"])


@st.composite
def npy_headers(draw: st.DrawFn) -> bytes:
    """A .npy whose header declares any shape and dtype, followed by a few bytes."""
    shape = tuple(draw(st.lists(_SIZES | st.integers(-1, 3), max_size=4)))
    fortran = draw(st.booleans())
    header = f"{{'descr': {draw(_DTYPES)!r}, 'fortran_order': {fortran}, 'shape': {shape!r}, }}"
    header = header.replace("\"[('a', '<f4')]\"", "[('a', '<f4')]")
    padded = header.encode("latin1") + b" " * ((-len(header) - 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(padded)) + padded + draw(
        st.binary(max_size=64)
    )


@given(st.one_of(mutated(SEEDS["npy"]), npy_headers()))
@FUZZ
def test_npy_decoder_answers_data_or_a_4xx_within_bounded_memory(data: bytes) -> None:
    with rss_guard():
        _upload("points.npy", data)


@given(st.one_of(
    mutated(SEEDS["npz"]),
    npy_headers().map(lambda member: zipped({"x.npy": member})),
    st.tuples(npy_headers(), npy_headers()).map(
        lambda pair: zipped({"x_train.npy": pair[0], "x_test.npy": pair[1]}, zipfile.ZIP_STORED)
    ),
))
@FUZZ
def test_npz_decoder_answers_data_or_a_4xx_within_bounded_memory(data: bytes) -> None:
    with rss_guard():
        _upload("arrays.npz", data)


# -- labels -------------------------------------------------------------------------------

_EXAMPLES = npy(np.ones((4, 3), np.float32))
_IMAGES = idx(GREY.reshape(4, 4, 4))


@given(st.one_of(
    npy_headers(), mutated([npy(np.arange(4)), npy(np.array([[1.0], [2.0], [1.0], [0.0]]))])
), st.sampled_from(["y", "y_train"]))
@FUZZ
def test_npz_labels_answer_labels_or_a_4xx_within_bounded_memory(labels: bytes, key: str
                                                                  ) -> None:
    """Any ``y`` member beside valid examples: its declared shape and dtype are checked first."""
    with rss_guard():
        _upload("arrays.npz", zipped({"x.npy": _EXAMPLES, f"{key}.npy": labels}))


@given(st.one_of(idx_headers(), mutated([idx(np.arange(4, dtype=np.uint8))])), st.booleans())
@FUZZ
def test_idx_labels_file_answers_labels_or_a_4xx_within_bounded_memory(data: bytes, gz: bool
                                                                        ) -> None:
    name = "train-labels-idx1-ubyte" + (".gz" if gz else "")
    labels = gzip.compress(data, compresslevel=1) if gz else data
    with rss_guard():
        _upload("train-images-idx3-ubyte", _IMAGES, len(labels), labels_file=(name, labels))


@given(st.one_of(mutated(SEEDS["csv"]), csv_texts()),
       st.sampled_from([None, "0", "1", "7", "a", "label", "9" * 30, "9" * 5000, "\u00b2", ""]),
       st.booleans())
@FUZZ
def test_csv_label_column_answers_labels_or_a_4xx_within_bounded_memory(
    data: bytes, column: str | None, header: bool
) -> None:
    body = (b"label,a,b\n" + data) if header else data
    with rss_guard():
        _upload("table.csv", body, label_column=column)


_FOLDER = st.sampled_from(
    ["0", "1", "cat", "", ".", "a/b", "\u00e9t\u00e9", "x" * 101, " ", "9" * 40]
)


@given(st.lists(_FOLDER, min_size=1, max_size=6), st.booleans())
@FUZZ
def test_png_zip_class_folders_answer_labels_or_a_4xx_within_bounded_memory(
    folders: list[str], mutate: bool
) -> None:
    members = {
        (f"{folder}/{i}.png" if folder else f"{i}.png"): png(GREY + i)
        for i, folder in enumerate(folders)
    }
    data = zipped(members)
    if mutate:  # one byte of a member name changed: names and the central directory disagree
        at = data.find(b"PK\x01\x02") + 46
        data = data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]
    with rss_guard():
        _upload("classes.zip", data)


def test_the_seeds_themselves_parse() -> None:
    """The fuzzers start from valid files: each seed decodes to data, not an error."""
    for name, kind in [("a.zip", "zip"), ("a.csv", "csv"), ("t-ubyte", "idx"),
                       ("a.npy", "npy"), ("a.npz", "npz")]:
        for seed in SEEDS[kind]:
            assert isinstance(parse_upload(name, seed, LIMITS), ParsedData), (kind, seed[:20])
    for seed in SEEDS["png"]:
        row = codecs.png_to_array(base64.b64encode(seed).decode(), IMAGE, max_pixels=4096)
        assert row.shape == (64,) and np.isfinite(row).all()
