"""PNG in: every colour type and bit depth read at its own precision, or refused by name; a
header that declares a huge image refused before anything is decoded (issue 17, #5 and #6)."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app import codecs
from app.errors import InvalidInput, LimitExceeded
from app.png import BadPng, GreyImage, _grey, decode_png
from models import DataSpec

NOISE = np.random.default_rng(0).integers(0, 256, (16, 16), dtype=np.uint8)
IMAGE = DataSpec(shape=(2, 2), value_range=(0.0, 1.0), dataset="test")
ROW = [0.5] * 64


def png(pixels: np.ndarray, **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", **save)
    return buffer.getvalue()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid-looking PNG whose header declares ``width x height`` 8-bit grey pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    stream = zlib.compress(b"\x00" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", stream)
            + _chunk(b"IEND", b""))


@pytest.mark.parametrize("path", ["/encode", "/reconstruct", "/log-likelihood", "/interpolate"])
def test_png_decompression_bomb_is_413_or_422(client: TestClient, path: str) -> None:
    images = [b64(bomb())] * (2 if path == "/interpolate" else 1)
    response = client.post(path, json={"model": "tiny-vae", "images": images})
    assert response.status_code in (413, 422), response.text
    error = response.json()["error"]
    assert (error["field"], error["rule"]) == ("images[0]", "max_image_pixels")
    assert "30000x30000" in error["message"]


def test_png_over_pillows_own_bomb_limit_is_refused_even_when_the_setting_allows_it() -> None:
    with pytest.raises(BadPng) as info:
        decode_png(bomb(), max_pixels=10**10)
    assert info.value.too_large and info.value.rule == "max_image_pixels"


def test_16_bit_grey_256_of_65535_is_dark_not_white() -> None:
    pixels = np.array([[256, 65535], [0, 32768]], dtype=np.uint16)
    row = codecs.png_to_array(b64(png(pixels)), IMAGE, max_pixels=4096)
    np.testing.assert_allclose(row, pixels.reshape(-1) / 65535.0, atol=1e-6)
    assert row[0] < 0.01


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (Image.fromarray(np.array([[0, 85], [170, 255]], np.uint8)), [0, 85, 170, 255]),
        (Image.fromarray(np.array([[0, 1], [1, 0]], bool)), [0, 255, 255, 0]),
        (Image.fromarray(np.full((2, 2, 3), [200, 100, 50], np.uint8)), [124] * 4),  # 601 luma
        # alpha composited onto black: grey 200 at alpha 128 -> 100, fully transparent -> 0
        (Image.fromarray(np.array([[[200, 128], [200, 255]], [[200, 0], [50, 255]]], np.uint8),
                         ), [100, 200, 0, 50]),
        (Image.fromarray(np.array([[[255, 255, 255, 255], [255, 255, 255, 0]]] * 2, np.uint8)),
         [255, 0, 255, 0]),
    ],
    ids=["L", "1-bit", "RGB", "LA", "RGBA"],
)
def test_each_png_mode_decodes_to_its_grey_levels(image: Image.Image, expected: list[int]
                                                  ) -> None:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    decoded = decode_png(buffer.getvalue(), max_pixels=4096)
    assert decoded.levels == 256
    assert decoded.pixels.reshape(-1).tolist() == expected


def test_palette_transparency_reads_as_black() -> None:
    palette = Image.new("P", (2, 1))
    palette.putpalette([255, 255, 255, 255, 255, 255])
    palette.putpixel((1, 0), 1)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", transparency=0)
    assert decode_png(buffer.getvalue(), max_pixels=4096).pixels.tolist() == [[0, 255]]


def test_16_bit_grey_keeps_65536_levels() -> None:
    pixels = np.array([[1000, 2000], [3000, 65535]], dtype=np.uint16)
    decoded = decode_png(png(pixels), max_pixels=4096)
    assert decoded.levels == 65536 and decoded.pixels.dtype == np.uint16
    np.testing.assert_array_equal(decoded.pixels, pixels)


@pytest.mark.parametrize("mode", ["CMYK", "F", "YCbCr", "HSV", "LAB"])
def test_modes_a_png_decoder_cannot_read_are_refused_by_name(mode: str) -> None:
    with pytest.raises(BadPng) as info:
        _grey(Image.new(mode, (2, 2)))
    assert info.value.rule == "png_mode" and mode in str(info.value)


def test_grey_image_unit_scale_uses_its_own_levels() -> None:
    eight = GreyImage(np.array([[255]], np.uint8), 256).unit()
    sixteen = GreyImage(np.array([[255]], np.uint16), 65536).unit()
    assert eight[0, 0] == 1.0 and sixteen[0, 0] == pytest.approx(255 / 65535)


@pytest.mark.parametrize(
    "raw",
    [b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, bomb(4, 4)[:45], png(NOISE)[:120],
     b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
     + _chunk(b"IDAT", b"not zlib") + _chunk(b"IEND", b"")],
    ids=["zeros", "truncated-header", "truncated-data", "bad-zlib"],
)
def test_png_errors_print_no_memory_addresses(raw: bytes) -> None:
    with pytest.raises(InvalidInput) as info:
        codecs.png_to_array(b64(raw), IMAGE, max_pixels=4096)
    assert info.value.rule == "png"
    assert "0x" not in info.value.message and "<" not in info.value.message


def test_a_bomb_is_a_limit_not_a_bad_image() -> None:
    with pytest.raises(LimitExceeded):
        codecs.png_to_array(b64(bomb()), IMAGE, max_pixels=4096)


def test_a_png_with_megabytes_of_compressed_text_is_refused_cheaply() -> None:
    text = _chunk(b"zTXt", b"comment\x00\x00" + zlib.compress(b"a" * (8 << 20)))
    raw = png(NOISE)
    raw = raw[:33] + text + raw[33:]  # after the signature and IHDR
    with pytest.raises(BadPng) as info:
        decode_png(raw, max_pixels=4096)
    assert info.value.rule == "png" and "0x" not in str(info.value)
