"""Decoding refuses what a model cannot take; encoding round-trips images."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from app import codecs
from app.errors import InvalidInput, LimitExceeded
from models import DataSpec

IMAGE = DataSpec(shape=(8, 8), value_range=(0.0, 1.0))
POINTS = DataSpec(shape=(2,), value_range=None)


def png_base64(pixels: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), mode="L").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_flat_and_shaped_rows_decode_to_the_same_batch() -> None:
    rows = np.random.default_rng(0).random((3, 64))
    flat = codecs.decode_arrays(rows.tolist(), IMAGE)
    shaped = codecs.decode_arrays(rows.reshape(3, 8, 8).tolist(), IMAGE)
    np.testing.assert_array_equal(flat, shaped)
    assert flat.shape == (3, 64) and flat.dtype == np.float32


@pytest.mark.parametrize(
    ("inputs", "rule"),
    [
        ([[0.5] * 63], "shape"),
        ([[0.5] * 64, [0.5] * 60], "rectangular_numeric_array"),
        ([["a"] * 64], "rectangular_numeric_array"),
        ([[float("nan")] * 64], "finite"),
        ([[1.5] * 64], "value_range"),
        ([], "min_items"),
    ],
)
def test_bad_arrays_are_refused_with_the_rule_they_break(inputs: list, rule: str) -> None:
    with pytest.raises(InvalidInput) as info:
        codecs.decode_arrays(inputs, IMAGE)
    assert info.value.rule == rule
    assert info.value.field is not None and info.value.field.startswith("inputs")


def test_unbounded_models_accept_any_finite_values() -> None:
    rows = codecs.decode_arrays([[1e6, -1e6]], POINTS)
    assert rows.tolist() == [[1e6, -1e6]]


def test_png_and_array_of_the_same_image_decode_alike() -> None:
    pixels = np.random.default_rng(1).integers(0, 256, (8, 8))
    decoded = codecs.png_to_array(png_base64(pixels), IMAGE, max_pixels=4096)
    np.testing.assert_allclose(decoded, pixels.reshape(-1) / 255.0, atol=1e-7)


def test_array_to_png_round_trips_at_8_bit_precision() -> None:
    row = np.random.default_rng(2).random(64).astype(np.float32)
    back = codecs.png_to_array(codecs.array_to_png(row, IMAGE), IMAGE, max_pixels=4096)
    np.testing.assert_allclose(back, row, atol=0.5 / 255 + 1e-6)


def test_larger_png_is_resized_to_the_model_shape() -> None:
    decoded = codecs.png_to_array(png_base64(np.full((32, 32), 255)), IMAGE, max_pixels=4096)
    assert decoded.shape == (64,)
    np.testing.assert_allclose(decoded, 1.0)


def test_png_over_the_pixel_limit_is_refused_before_decoding() -> None:
    with pytest.raises(LimitExceeded) as info:
        codecs.png_to_array(png_base64(np.zeros((100, 100))), IMAGE, max_pixels=4096)
    assert info.value.rule == "max_image_pixels"


@pytest.mark.parametrize(
    ("payload", "rule"),
    [
        ("not base64!!", "base64"),
        (base64.b64encode(b"GIF89a....").decode(), "png"),
        (base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20).decode(), "png"),
    ],
)
def test_malformed_images_are_refused(payload: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as info:
        codecs.png_to_array(payload, IMAGE, max_pixels=4096)
    assert info.value.rule == rule


def test_grid_holds_every_tile() -> None:
    rows = np.ones((5, 64), dtype=np.float32)
    with Image.open(io.BytesIO(codecs.grid_png(rows, IMAGE))) as grid:
        pixels = np.asarray(grid)
    assert grid.size == (3 * 9 + 1, 2 * 9 + 1)
    assert (pixels == 255).sum() == 5 * 64


def test_npy_bytes_load_without_pickle() -> None:
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    loaded = np.load(io.BytesIO(codecs.npy_bytes(array)), allow_pickle=False)
    np.testing.assert_array_equal(loaded, array)
