"""Seeds, mutations and the memory check shared by the decoder fuzz targets.

Each case runs under :func:`bounded`: it may return or raise the project's own 4xx error, any
other exception fails the test, and the memory it allocates (Python and NumPy buffers, as
``tracemalloc`` traces them, peak within the case) and the process's resident size after it
must stay within a bound set from the limits, never from the input's declared sizes.
"""

from __future__ import annotations

import gzip
import io
import resource
import struct
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image

from app.dataset_files import UploadLimits
from app.errors import ServiceError

LIMITS = UploadLimits(
    max_decoded_bytes=1 << 20, max_rows=20_000, max_features=4096, max_image_pixels=4096
)
"""Small limits, so that a decoder that allocated from a declared size would show it."""
PEAK_BOUND = 4 * LIMITS.max_decoded_bytes
"""Traced allocations within one case: the limit twice (decoded and stored) and slack."""
RSS_GROWTH_BOUND = 64 << 20
"""Resident growth over a whole target: no case may leave memory behind."""
FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def rss_bytes() -> int:
    """Resident set size now (Linux /proc), else the peak from getrusage."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@contextmanager
def rss_guard() -> Iterator[None]:
    before = rss_bytes()
    yield
    grown = rss_bytes() - before
    assert grown < RSS_GROWTH_BOUND, f"resident memory grew {grown >> 20} MiB over the target"


def bounded(case: Callable[[], Any], input_size: int) -> Any:
    """Run one case: its own 4xx or a result; traced peak allocation within the bound."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        result = case()
    except ServiceError as error:
        assert 400 <= error.status_code < 500, error
        assert error.field and error.rule and error.message, error
        assert " at 0x" not in error.message, error.message
        result = error
    finally:
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    assert peak < PEAK_BOUND + 8 * input_size, f"peak {peak} bytes for {input_size} input bytes"
    return result


# -- seeds ----------------------------------------------------------------------------------


def png(pixels: np.ndarray, **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", **save)
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def idx(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = b"\x00\x00" + bytes([type_code, array.ndim])
    return header + b"".join(struct.pack(">I", s) for s in array.shape) + array.tobytes()


GREY = (np.arange(64, dtype=np.uint8).reshape(8, 8) * 4)
SEEDS: dict[str, list[bytes]] = {
    "png": [
        png(GREY), png(GREY.astype(np.uint16) * 257), png(np.stack([GREY] * 3, axis=-1)),
        png(np.stack([GREY] * 4, axis=-1)), png(GREY > 100),
    ],
    "npy": [npy(np.ones((3, 4), np.float32)), npy(np.arange(12, dtype=">i2").reshape(3, 4))],
    "npz": [
        npz(x=np.ones((3, 4))),
        npz(x_train=np.eye(4, dtype=np.uint8), x_test=np.eye(4, dtype=np.uint8)),
    ],
    "csv": [b"a,b,c\n1,2,3\n4,5,6\n", b"0.5,1e-3\n-2,3\n"],
    "idx": [idx(GREY.reshape(2, 4, 8)), idx(np.ones((2, 3), ">f4"), 0x0D)],
}
SEEDS["zip"] = [zipped({f"{i}.png": png(GREY + i) for i in range(3)}),
                zipped({"a.png": SEEDS["png"][1], "b.png": SEEDS["png"][1]}, zipfile.ZIP_STORED)]
SEEDS["idx.gz"] = [gzip.compress(seed) for seed in SEEDS["idx"]]

_EXTREMES = [0, 1, 2, 3, 255, 256, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 30000, 134217728]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with a few byte-level edits: flips, 32-bit fields set to extremes, cuts, inserts."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "int32", "cut", "insert", "byte"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "int32":
            value = draw(st.sampled_from(_EXTREMES) | st.integers(0, 2**32 - 1))
            data[at : at + 4] = struct.pack(draw(st.sampled_from([">I", "<I"])), value)
        elif op == "cut":
            data = data[:at] if draw(st.booleans()) else data[:at] + data[at + 8 :]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)
