"""Checking and cleaning receipt files: by content, never by the declared type.

What a stored receipt keeps (sync/PROTOCOL.md §7 says the same):

* JPEG and PNG: the pixels only. Each image is decoded with Pillow, turned upright by its EXIF
  orientation, converted to sRGB when it carries an ICC profile, and re-encoded from a fresh image that
  has no `info` at all — so no EXIF (GPS!), XMP, ICC profile, JPEG comment (COM) or APPn segment, and
  no PNG text chunk (tEXt, iTXt, zTXt), time or physical-size chunk survives. Oversized pixel counts are
  refused before decoding (decompression bombs).
* PDF: the pages (their content, fonts and images) only. The file is parsed and rewritten with pikepdf
  keeping of the document catalog only its page tree and of each page only what draws it (content,
  resources, boxes, rotation). Gone are the document information (/Info), XMP metadata (on the document
  and on every image, font or form XObject), JavaScript, open and additional actions (/OpenAction, /AA),
  embedded files, file attachments and associated files (/Names, /AF), forms (/AcroForm), every
  annotation (links, widgets, attachments), outlines and page-piece data. A PDF that cannot be parsed,
  or is encrypted, is refused (`broken_file`); so is one of more than MAX_PDF_PAGES pages (`too_large`).
"""

from __future__ import annotations

import io
import warnings

import pikepdf
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; far beyond any phone camera's receipt shot
MAX_SIDE = 4000
MAX_PDF_PAGES = 50

# What is kept of the document catalog and of each page: the page tree and what draws a page. Everything
# else goes (metadata, /OpenAction, /AA, /AcroForm, /Names with JavaScript and embedded files, /AF
# associated files, outlines, /PieceInfo …); annotations too (links, form widgets, file attachments).
_CATALOG_KEEP = {"/Type", "/Pages", "/Version"}
_PAGE_KEEP = {"/Type", "/Parent", "/Resources", "/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox",
              "/Contents", "/Rotate", "/Group", "/UserUnit"}
# Keys removed from every other object (images, fonts, form XObjects): XMP, actions, associated files.
_OBJECT_DROP = ("/Metadata", "/AA", "/AF", "/PieceInfo", "/OC")


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
        return kind, clean_pdf(data)
    return kind, clean_image(data, kind)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours as the profile meant them, in sRGB (the profile itself is then dropped with the rest)."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        output = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=output)
        return converted if converted is not None else image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are


def _pixels_only(image: Image.Image, jpeg: bool) -> Image.Image:
    """A new image holding nothing but `image`'s pixels: no `info` (comment, EXIF, XMP, ICC, text)."""
    if jpeg:
        image = image.convert("RGB")
    elif image.mode == "P" or image.mode not in ("1", "L", "LA", "RGB", "RGBA", "I;16"):
        image = image.convert("RGBA" if "transparency" in image.info or "A" in image.mode else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def clean_image(data: bytes, kind: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise ReceiptError("too_large")
                opened.load()
                image = ImageOps.exif_transpose(opened) or opened
                image.info = {**opened.info, **image.info}
                image = _to_srgb(image)
                if max(image.size) > MAX_SIDE:
                    image.thumbnail((MAX_SIDE, MAX_SIDE))
                clean = _pixels_only(image, jpeg=kind == "image/jpeg")
                out = io.BytesIO()
                if kind == "image/jpeg":
                    clean.save(out, "JPEG", quality=85, optimize=True, exif=b"", comment=b"")
                else:
                    clean.save(out, "PNG", optimize=True)
                return out.getvalue()
    except ReceiptError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ReceiptError("broken_file") from None


def clean_pdf(data: bytes) -> bytes:
    """The PDF rewritten without metadata, scripts, actions, attachments and forms (see the header)."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                raise ReceiptError("broken_file")
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise ReceiptError("too_large")
            _strip_pdf(pdf)
            out = io.BytesIO()
            pdf.save(out, fix_metadata_version=False, deterministic_id=True, linearize=False,
                     object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
            return out.getvalue()
    except ReceiptError:
        raise
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError, TypeError, KeyError, RuntimeError):
        raise ReceiptError("broken_file") from None


def _strip_pdf(pdf: pikepdf.Pdf) -> None:
    # Document information (author, title, producer …): no trailer /Info at all.
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    root = pdf.Root
    for key in set(root.keys()) - _CATALOG_KEEP:
        del root[key]
    for page in pdf.pages:
        for key in set(page.obj.keys()) - _PAGE_KEEP:
            del page.obj[key]
    for obj in pdf.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in _OBJECT_DROP:
                if key in obj:
                    del obj[key]
    # Only what the pages still reach is written: removed scripts, files and fields go with the rest.
    pdf.remove_unreferenced_resources()
