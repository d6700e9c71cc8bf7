"""Checking and cleaning receipt files: by content, never by the declared type.

Images are decoded and re-encoded with Pillow, which drops EXIF (GPS!) and every other metadata, and
applies the EXIF orientation first so the picture stays upright. Oversized pixel counts are refused
before decoding (decompression bombs).
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; far beyond any phone camera's receipt shot
MAX_SIDE = 4000


class ReceiptError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_receipt(data: bytes) -> tuple[str, bytes]:
    """Return (content type, cleaned bytes) or raise ReceiptError(unsupported_type | broken_file | too_large)."""
    kind = sniff(data)
    if kind is None:
        raise ReceiptError("unsupported_type")
    if kind == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise ReceiptError("broken_file")
        return kind, data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ReceiptError("too_large")
                image.load()
                image = ImageOps.exif_transpose(image)
                if max(image.size) > MAX_SIDE:
                    image.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                if kind == "image/jpeg":
                    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                else:
                    image.save(out, "PNG", optimize=True)
                return kind, out.getvalue()
    except ReceiptError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ReceiptError("broken_file") from None
