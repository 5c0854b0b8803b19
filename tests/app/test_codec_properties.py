"""Property-based: what the codecs accept fits the model's shape and range; the rest is 4xx."""

from __future__ import annotations

import base64
import io

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from app import codecs
from app.errors import ServiceError
from models import DataSpec

IMAGE = DataSpec(shape=(8, 8), value_range=(0.0, 1.0))
POINTS = DataSpec(shape=(2,), value_range=None)
MAX_PIXELS = 4096

any_json_value = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=3),
    lambda children: st.lists(children, max_size=5),
    max_leaves=80,
)


@given(any_json_value)
@settings(max_examples=300, deadline=None)
def test_arbitrary_json_is_decoded_to_the_model_shape_or_refused(payload: object) -> None:
    for data in (IMAGE, POINTS):
        try:
            rows = codecs.decode_arrays(payload, data)  # type: ignore[arg-type]
        except ServiceError as exc:
            assert 400 <= exc.status_code < 500 and exc.field and exc.rule
            continue
        assert rows.ndim == 2 and rows.shape[1] == data.dim and rows.dtype == np.float32
        assert np.isfinite(rows).all()
        if data.value_range is not None:
            assert rows.min() >= -1e-6 and rows.max() <= 1 + 1e-6


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.sampled_from([64, 63, 65]))))
@settings(max_examples=200, deadline=None)
def test_arrays_are_accepted_only_when_their_width_and_values_fit(array: np.ndarray) -> None:
    try:
        rows = codecs.decode_arrays(array.tolist(), IMAGE)
    except ServiceError as exc:
        bad_width = array.shape[1] != 64
        bad_values = (
            not np.isfinite(array).all() or (array < -1e-6).any() or (array > 1 + 1e-6).any()
        )
        assert bad_width or bad_values, exc.message
    else:
        np.testing.assert_allclose(rows, array.astype(np.float32))


def _png(pixels: np.ndarray, mode: str) -> str:
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode=mode).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@given(
    st.integers(1, 80),
    st.integers(1, 80),
    st.sampled_from(["L", "RGB", "RGBA"]),
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=100, deadline=None)
def test_any_png_is_resized_into_the_model_range_or_refused_by_pixel_count(
    width: int, height: int, mode: str, seed: int
) -> None:
    channels = {"L": (), "RGB": (3,), "RGBA": (4,)}[mode]
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, *channels), np.uint8)
    try:
        row = codecs.png_to_array(_png(pixels, mode), IMAGE, max_pixels=MAX_PIXELS)
    except ServiceError as exc:
        assert width * height > MAX_PIXELS and exc.rule == "max_image_pixels"
    else:
        assert width * height <= MAX_PIXELS
        assert row.shape == (64,) and row.min() >= 0.0 and row.max() <= 1.0


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_as_an_image_are_refused_with_a_4xx(raw: bytes) -> None:
    for payload in (
        base64.b64encode(raw).decode(),
        base64.b64encode(b"\x89PNG\r\n\x1a\n" + raw).decode(),
    ):
        try:
            row = codecs.png_to_array(payload, IMAGE, max_pixels=MAX_PIXELS)
        except ServiceError as exc:
            assert 400 <= exc.status_code < 500
        else:  # only a real PNG can get here
            assert row.shape == (64,)
