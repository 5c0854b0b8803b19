"""Bytes and JSON at the edge: nested arrays and base64 PNG in; arrays, PNG and .npy out.

Decoding validates everything a model's maths relies on (width, finiteness, value range,
pixel count), so a bad request becomes a 422 that names the field instead of a 500.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray
from PIL import Image
from pydantic import TypeAdapter, ValidationError

from app.errors import InvalidInput, LimitExceeded
from app.png import BadPng, decode_png
from models import DataSpec

__all__ = [
    "array_to_png",
    "decode_arrays",
    "decode_images",
    "dumps",
    "grid_png",
    "npy_bytes",
    "png_to_array",
    "to_uint8",
]

_RANGE_TOLERANCE = 1e-6
MAX_ABS_VALUE = 1e6
"""Inputs of unbounded models are kept to this magnitude so densities stay finite in float32."""


def dumps(content: Any) -> bytes:
    """JSON with numpy arrays serialised natively (no per-element Python objects)."""
    return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


def decode_arrays(
    inputs: Sequence[Any], data: DataSpec, *, field: str = "inputs"
) -> NDArray[np.float32]:
    """Nested lists -> ``[B, D]`` float32, flattened or in the model's data shape per row.

    Every value must be a JSON number: NumPy alone would read ``"0.5"`` as 0.5, ``true`` as 1
    and ``null`` as NaN.
    """
    _check_numbers(inputs, field)
    try:
        array = np.asarray(inputs, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            f"{field} must be a rectangular array of numbers ({exc})", field=field,
            rule="rectangular_numeric_array",
        ) from None
    if array.ndim == 0 or len(array) == 0:
        raise InvalidInput(f"{field} must hold at least one example", field=field, rule="min_items")
    flat_ok = array.ndim == 2 and array.shape[1] == data.dim
    shaped_ok = array.shape[1:] == tuple(data.shape)
    if not (flat_ok or shaped_ok):
        shape_text = "x".join(str(s) for s in data.shape)
        raise InvalidInput(
            f"{field} has shape {list(array.shape)}; the model expects rows of {data.dim} values "
            f"({shape_text}), as [B, {data.dim}] or [B, {', '.join(map(str, data.shape))}]",
            field=field, rule="shape",
        )
    rows = array.reshape(len(array), data.dim)
    finite = np.isfinite(rows)
    if not finite.all():
        bad = int(np.argwhere(~finite.all(axis=1))[0, 0])
        raise InvalidInput(
            f"{field}[{bad}] contains NaN or infinity", field=f"{field}[{bad}]", rule="finite"
        )
    if data.value_range is None:
        too_large = np.abs(rows) > MAX_ABS_VALUE
        if too_large.any():
            bad = int(np.argwhere(too_large.any(axis=1))[0, 0])
            raise InvalidInput(
                f"{field}[{bad}] has values beyond +-{MAX_ABS_VALUE:g}", field=f"{field}[{bad}]",
                rule="max_abs_value",
            )
    else:
        low, high = data.value_range
        outside = (rows < low - _RANGE_TOLERANCE) | (rows > high + _RANGE_TOLERANCE)
        if outside.any():
            bad = int(np.argwhere(outside.any(axis=1))[0, 0])
            raise InvalidInput(
                f"{field}[{bad}] has values outside the model's range [{low}, {high}]",
                field=f"{field}[{bad}]", rule="value_range",
            )
    return rows.astype(np.float32)


_MAX_NESTING = 5  # [B, C, H, W] and one spare


def _nested_floats(depth: int) -> Any:
    kind: Any = float
    for _ in range(depth):
        kind = list[kind]
    return kind


_NUMBER_LISTS = [
    TypeAdapter(_nested_floats(depth), config={"strict": True})
    for depth in range(_MAX_NESTING + 1)
]
"""``list[float]``, ``list[list[float]]``...: strict, so only numbers (ints too) pass."""


def _check_numbers(inputs: Any, field: str) -> None:
    """Refuse any value that is not a number, naming where it is (3 ms for 256x784 values)."""
    depth, probe = 0, inputs
    while isinstance(probe, list) and probe:
        depth, probe = depth + 1, probe[0]
    if depth > _MAX_NESTING:
        raise InvalidInput(
            f"{field} is nested {depth} deep; send [B, D] or [B, *shape]", field=field,
            rule="shape",
        )
    try:
        _NUMBER_LISTS[max(depth, 1)].validate_python(inputs)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = field + "".join(f"[{part}]" for part in error["loc"])
        value = error["input"]
        got = (
            "null" if value is None else "a boolean" if isinstance(value, bool)
            else "a string" if isinstance(value, str) else "an array" if isinstance(value, list)
            else "an object" if isinstance(value, dict) else "a number"
        )
        if error["type"] == "list_type":
            raise InvalidInput(
                f"{where} must be an array, nested like the first example, got {got}",
                field=where, rule="rectangular_numeric_array",
            ) from None
        raise InvalidInput(
            f"{where} must be a number, got {got}", field=where,
            rule="rectangular_numeric_array",
        ) from None


def png_to_array(
    encoded: str, data: DataSpec, *, max_pixels: int, field: str = "images[0]"
) -> NDArray[np.float32]:
    """One base64 PNG -> a row ``[D]`` in the model's value range, resized to its shape."""
    if not data.is_image or data.value_range is None:
        raise InvalidInput(
            f"{field}: this model's data are not images; send 'inputs' as arrays",
            field=field, rule="image_model",
        )
    if encoded.startswith("data:"):
        encoded = encoded.partition(",")[2]
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{field} is not valid base64", field=field, rule="base64") from None
    try:
        image = decode_png(raw, max_pixels=max_pixels)
    except BadPng as exc:
        error = LimitExceeded if exc.too_large else InvalidInput
        raise error(f"{field} {exc}", field=field, rule=exc.rule) from None
    pixels = image.unit()
    target_h, target_w = data.shape
    if pixels.shape != (target_h, target_w):
        resized = Image.fromarray(pixels).resize(
            (target_w, target_h), Image.Resampling.BOX
        )
        pixels = np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)
    low, high = data.value_range
    return (low + pixels * (high - low)).reshape(-1)


def decode_images(images: Sequence[str], data: DataSpec, *, max_pixels: int) -> NDArray[np.float32]:
    if len(images) == 0:
        raise InvalidInput("images must hold at least one PNG", field="images", rule="min_items")
    rows = [
        png_to_array(image, data, max_pixels=max_pixels, field=f"images[{i}]")
        for i, image in enumerate(images)
    ]
    return np.stack(rows)


def to_uint8(values: NDArray[np.floating[Any]], data: DataSpec) -> NDArray[np.uint8]:
    """The value range mapped to 0-255 (as in PNG answers); else the values' own min and max."""
    low, high = data.value_range or (float(values.min()), float(values.max()) or 1.0)
    scaled = (values - low) / max(high - low, 1e-12)
    return np.clip(np.rint(scaled * 255.0), 0, 255).astype(np.uint8)


def _png_bytes(pixels: NDArray[np.uint8]) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def array_to_png(row: NDArray[np.floating[Any]], data: DataSpec) -> str:
    """One row ``[D]`` of an image model -> base64 PNG (value range mapped to 0-255)."""
    return base64.b64encode(_png_bytes(to_uint8(row.reshape(data.shape), data))).decode()


def grid_png(
    rows: NDArray[np.floating[Any]], data: DataSpec, *, padding: int = 1, scale: int = 1
) -> bytes:
    """``[n, D]`` images tiled into one near-square PNG grid, each pixel ``scale`` x ``scale``
    (nearest neighbour: enlarged, never blurred)."""
    height, width = data.shape
    n = len(rows)
    columns = max(1, math.ceil(math.sqrt(n)))
    lines = max(1, math.ceil(n / columns))
    canvas = np.zeros(
        (lines * (height + padding) + padding, columns * (width + padding) + padding), np.uint8
    )
    tiles = to_uint8(rows.reshape(n, height, width), data)
    for i, tile in enumerate(tiles):
        top = padding + (i // columns) * (height + padding)
        left = padding + (i % columns) * (width + padding)
        canvas[top : top + height, left : left + width] = tile
    if scale > 1:
        canvas = np.repeat(np.repeat(canvas, scale, axis=0), scale, axis=1)
    return _png_bytes(canvas)


def npy_bytes(array: NDArray[Any]) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()
