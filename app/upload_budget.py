"""What an upload may cost, checked from what its bytes declare, and how a refusal reads.

:class:`UploadLimits` come from the settings; a :class:`Budget` checks each declared shape and
dtype against them before anything is allocated, adding up an upload's arrays (training and
test split). Refusals are :class:`InvalidUpload` (422) or :class:`UploadTooLarge` (413), both
naming the field and the rule; :func:`client_bytes` turns any other exception a parser raises on
client bytes into the former.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.config import Settings
from app.errors import InvalidInput, ServiceError, exception_text

__all__ = [
    "DECODED_BYTES_FACTOR",
    "Budget",
    "InvalidUpload",
    "UploadLimits",
    "UploadTooLarge",
    "client_bytes",
    "refuse",
    "stored_dtype",
    "too_large",
]

DECODED_BYTES_FACTOR = 4
"""Default GENSERVE_MAX_DECODED_BYTES: this many times GENSERVE_MAX_UPLOAD_BYTES."""


class InvalidUpload(InvalidInput):
    error_type = "invalid_upload"


class UploadTooLarge(ServiceError):
    status_code = 413
    error_type = "limit_exceeded"


@dataclass(frozen=True)
class UploadLimits:
    """What one upload may hold once decoded, checked from headers before allocating.

    ``max_decoded_bytes`` counts the examples as stored (training and test split together);
    the peak memory of a parse is about the upload plus twice that (a decoded member and its
    stored copy).
    """

    max_decoded_bytes: int
    max_rows: int
    max_features: int
    max_image_pixels: int

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        return cls(
            max_decoded_bytes=settings.max_decoded_bytes
            or DECODED_BYTES_FACTOR * settings.max_upload_bytes,
            max_rows=settings.max_dataset_rows,
            max_features=settings.max_dataset_features,
            max_image_pixels=settings.max_image_pixels,
        )


def refuse(message: str, rule: str, field: str = "file") -> InvalidUpload:
    return InvalidUpload(message, field=field, rule=rule)


def too_large(message: str, rule: str, field: str = "file") -> UploadTooLarge:
    return UploadTooLarge(message, field=field, rule=rule)


@contextmanager
def client_bytes(what: str, field: str, rule: str = "format") -> Iterator[None]:
    """Any exception a parser raises on client bytes becomes a 422 naming the field."""
    try:
        yield
    except (ServiceError, MemoryError):
        raise
    except zipfile.BadZipFile as exc:  # bad CRC, names that differ, truncated members...
        message = f"{what}: broken zip archive: {exception_text(exc)}"
        raise refuse(message, "zip_integrity", field) from exc
    except Exception as exc:  # noqa: BLE001 - the bytes are the client's, so is the fault
        raise refuse(f"{what}: {exception_text(exc)}", rule, field) from exc


def stored_dtype(dtype: np.dtype[Any], what: str, field: str) -> np.dtype[Any]:
    """The dtype examples are stored in (see :func:`_examples`); refuses non-numeric ones."""
    if dtype.hasobject:
        raise refuse(f"{what}: holds Python objects, which cannot be read without pickle",
                      "no_pickle", field)
    if dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
        raise refuse(f"{what}: dtype {dtype} is not numeric", "numeric_dtype", field)
    if dtype.kind == "b":
        return np.dtype(np.uint8)
    if dtype.kind == "u":
        return dtype.newbyteorder("=")
    if dtype.kind == "i":
        return np.dtype(np.float64)
    return np.dtype(np.float32 if dtype.itemsize <= 4 else np.float64)


class Budget:
    """Checks declared shapes against :class:`UploadLimits`, adding up train and test."""

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.used = 0

    def check(
        self, shape: Sequence[int], dtype: np.dtype[Any], what: str, field: str = "file"
    ) -> None:
        """Refuse before allocating: rows, values per example and stored bytes."""
        stored = stored_dtype(dtype, what, field)
        if len(shape) < 2:
            raise refuse(
                f"{what}: expected examples as an array [N, ...] with at least 2 dimensions, "
                f"got shape {list(shape)}", "shape", field,
            )
        rows, features = int(shape[0]), math.prod(int(s) for s in shape[1:])
        limits = self.limits
        if rows > limits.max_rows:
            raise too_large(
                f"{what} holds {rows} examples; the limit is {limits.max_rows} "
                "(GENSERVE_MAX_DATASET_ROWS)", "max_rows", field,
            )
        if features > limits.max_features:
            raise too_large(
                f"{what} has {features} values per example; the limit is "
                f"{limits.max_features} (GENSERVE_MAX_DATASET_FEATURES)", "max_features", field,
            )
        nbytes = rows * features * max(stored.itemsize, dtype.itemsize)
        if self.used + nbytes > limits.max_decoded_bytes:
            raise too_large(
                f"{what} holds {self.used + nbytes} bytes once decoded, over the limit of "
                f"{limits.max_decoded_bytes} (GENSERVE_MAX_DECODED_BYTES)",
                "max_decoded_bytes", field,
            )
        self.used += rows * features * stored.itemsize

    def check_labels(
        self, shape: Sequence[int], dtype: np.dtype[Any], what: str, field: str = "file"
    ) -> None:
        """Labels ``[N]`` (or ``[N, 1]``) of integers, counted as int64 against the limits."""
        if dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
            raise refuse(f"{what}: labels of dtype {dtype} are not integers", "labels", field)
        if not (len(shape) == 1 or (len(shape) == 2 and int(shape[1]) == 1)):
            raise refuse(
                f"{what}: expected one label per example [N], got shape {list(shape)}",
                "labels", field,
            )
        rows = int(shape[0]) if shape else 0
        if rows > self.limits.max_rows:
            raise too_large(
                f"{what} holds {rows} labels; the limit is {self.limits.max_rows} "
                "(GENSERVE_MAX_DATASET_ROWS)", "max_rows", field,
            )
        nbytes = rows * max(8, dtype.itemsize)
        if self.used + nbytes > self.limits.max_decoded_bytes:
            raise too_large(
                f"{what} holds {self.used + nbytes} bytes once decoded, over the limit of "
                f"{self.limits.max_decoded_bytes} (GENSERVE_MAX_DECODED_BYTES)",
                "max_decoded_bytes", field,
            )
        self.used += rows * 8

    def check_bytes(self, nbytes: int, what: str, field: str = "file") -> None:
        """Refuse compressed data whose declared inflated size is over the limit."""
        if nbytes > self.limits.max_decoded_bytes:
            raise too_large(
                f"{what} holds {nbytes} bytes once decompressed, over the limit of "
                f"{self.limits.max_decoded_bytes} (GENSERVE_MAX_DECODED_BYTES)",
                "max_decoded_bytes", field,
            )
