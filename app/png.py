"""PNG in: one decoder for inference images and uploaded archives, bounded before it inflates.

The size is read from the IHDR chunk (always the first, at a fixed offset) and checked against
the pixel limit before Pillow allocates anything, so a 30000x30000 header costs nothing.

Every PNG colour type and bit depth is read at its own precision as grey levels:

- greyscale 1-8 bit and palette/RGB images: 256 levels (colour by ITU-R 601 luma, Pillow's
  ``convert("L")``; Pillow reads 16-bit RGB at 8 bits);
- 16-bit greyscale: 65,536 levels, never clipped to 8 bits (``I;16``: 256/65535 is dark grey);
- transparency (an alpha channel, a ``tRNS`` palette entry or colour key): composited onto
  black, the background of an empty canvas, so a transparent pixel reads as 0.

Any other mode Pillow reports is refused by name. Pillow's own error texts can hold object
reprs with memory addresses; messages here never do. Text chunks (``tEXt``, ``zTXt``, ``iTXt``)
mean nothing here, so Pillow may inflate at most 64 KiB of them per image, not its 64 MiB.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, PngImagePlugin, UnidentifiedImageError

from app.errors import exception_text

__all__ = [
    "PNG_SIGNATURE", "BadPng", "GreyImage", "PngHeader", "check_pixels", "decode_png",
    "read_header",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IHDR = struct.Struct(">I4sIIBB")  # length, b"IHDR", width, height, bit depth, colour type
_COLOUR_TYPES = {0: "greyscale", 2: "RGB", 3: "palette", 4: "greyscale+alpha", 6: "RGBA"}
_TEXT_BYTES = 64 * 1024
PngImagePlugin.MAX_TEXT_CHUNK = PngImagePlugin.MAX_TEXT_MEMORY = _TEXT_BYTES
_BIT_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}


class BadPng(ValueError):
    """Bytes that are not a PNG this service reads; ``rule`` names what failed."""

    def __init__(self, message: str, rule: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.rule = rule
        self.too_large = too_large


@dataclass(frozen=True)
class PngHeader:
    width: int
    height: int
    bit_depth: int
    colour_type: int

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def levels(self) -> int:
        """Grey levels the decoded image has: 65,536 for 16-bit greyscale, else 256."""
        return 65536 if (self.bit_depth, self.colour_type) == (16, 0) else 256


@dataclass(frozen=True)
class GreyImage:
    """``pixels [H, W]``: uint8 (``levels`` 256) or uint16 (65,536)."""

    pixels: NDArray[Any]
    levels: int

    def unit(self) -> NDArray[np.float32]:
        """The pixels in [0, 1]: value / (levels - 1)."""
        return self.pixels.astype(np.float32) / np.float32(self.levels - 1)


def read_header(raw: bytes) -> PngHeader:
    """The IHDR of ``raw``, checked: a PNG signature, then a well-formed IHDR chunk."""
    if not raw.startswith(PNG_SIGNATURE):
        raise BadPng("is not a PNG image (no PNG signature)", "png")
    if len(raw) < len(PNG_SIGNATURE) + _IHDR.size:
        raise BadPng("is not a readable PNG (truncated before its IHDR header)", "png")
    length, kind, width, height, depth, colour = _IHDR.unpack_from(raw, len(PNG_SIGNATURE))
    if length != 13 or kind != b"IHDR":
        raise BadPng("is not a readable PNG (its first chunk is not IHDR)", "png")
    if not (0 < width < 2**31 and 0 < height < 2**31):
        raise BadPng(f"is not a readable PNG (size {width}x{height})", "png")
    if colour not in _COLOUR_TYPES or depth not in _BIT_DEPTHS[colour]:
        raise BadPng(
            f"is not a readable PNG (colour type {colour} with bit depth {depth})", "png"
        )
    return PngHeader(width, height, depth, colour)


def check_pixels(header: PngHeader, max_pixels: int) -> None:
    if header.pixels > max_pixels:
        raise BadPng(
            f"has {header.width}x{header.height} pixels; the limit is {max_pixels} "
            "(GENSERVE_MAX_IMAGE_PIXELS)",
            "max_image_pixels", too_large=True,
        )


def decode_png(raw: bytes, *, max_pixels: int) -> GreyImage:
    """``raw`` PNG bytes as grey levels at their own precision; raises :class:`BadPng`."""
    header = read_header(raw)
    check_pixels(header, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
                if image.size != (header.width, header.height):
                    raise BadPng("is not a readable PNG (inconsistent size)", "png")
                image.load()
                return _grey(image)
    except BadPng:
        raise
    except Image.DecompressionBombError:
        raise BadPng(
            f"has {header.width}x{header.height} pixels, over Pillow's decompression-bomb limit",
            "max_image_pixels", too_large=True,
        ) from None
    except UnidentifiedImageError:
        raise BadPng("is not a readable PNG", "png") from None
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of Pillow on client bytes is theirs
        raise BadPng(f"is not a readable PNG ({exception_text(exc, 200)})", "png") from None


def _grey(image: Image.Image) -> GreyImage:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        values = np.asarray(image)
        if values.size and (int(values.min()) < 0 or int(values.max()) > 65535):
            raise BadPng(f"has 32-bit values (mode {mode}); send 8- or 16-bit PNG", "png_mode")
        pixels = values.astype(np.uint16)
        key = image.info.get("transparency")
        if isinstance(key, int):
            pixels = np.where(pixels == key, 0, pixels).astype(np.uint16)
        return GreyImage(pixels, 65536)
    if mode not in ("1", "L", "LA", "P", "PA", "RGB", "RGBA"):
        raise BadPng(
            f"has mode {mode}, which is not read here; send greyscale, palette, RGB or RGBA",
            "png_mode",
        )
    transparent = mode in ("LA", "PA", "RGBA") or "transparency" in image.info
    if not transparent:
        return GreyImage(np.asarray(image.convert("L"), dtype=np.uint8), 256)
    rgba = image.convert("RGBA")
    grey = np.asarray(rgba.convert("L"), dtype=np.uint16)
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.uint16)
    composited = (grey * alpha + 127) // 255  # onto black, rounded
    return GreyImage(composited.astype(np.uint8), 256)


