"""What an organization's money files and funder reports carry besides the figures: the funding
reference (Förderkennzeichen), the logo, and the finance office's booking account per expense category
and allowance basis (the payout's line sheet). The admin's organization page sets them; the caller
audits and commits.
"""

from __future__ import annotations

import io
import warnings

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from server.blobs.receipts import sniff
from server.money.models import LEGAL_BASES
from server.organizations.models import Organization
from sync.vocabulary import EXPENSE_CATEGORIES

# Every key a payout line can have: the expense categories, then the two allowance bases.
BOOKING_KEYS = (*EXPENSE_CATEGORIES, *LEGAL_BASES)
BOOKING_ACCOUNT_MAX = 20
FUNDING_REFERENCE_MAX = 120
LOGO_MAX_PIXELS = 25_000_000
LOGO_MAX_SIDE = 800  # plenty for a 6 cm wide logo at 300 dpi


class LogoError(ValueError):
    """unsupported_type | broken_file | too_large"""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def clean_logo(data: bytes) -> tuple[str, bytes]:
    """(content type, bytes) of a PNG or JPEG logo, decoded and re-encoded by Pillow like a receipt:
    metadata dropped, EXIF orientation applied, at most LOGO_MAX_SIDE pixels wide or high."""
    if len(data) > current_app.config["LOGO_MAX_BYTES"]:
        raise LogoError("too_large")
    kind = sniff(data)
    if kind not in ("image/png", "image/jpeg"):
        raise LogoError("unsupported_type")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.size[0] * image.size[1] > LOGO_MAX_PIXELS:
                    raise LogoError("too_large")
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
                out = io.BytesIO()
                if kind == "image/jpeg":
                    image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
                else:
                    image.save(out, "PNG", optimize=True)
    except LogoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise LogoError("broken_file") from None
    return kind, out.getvalue()


def set_logo(org: Organization, data: bytes) -> dict[str, object]:
    kind, cleaned = clean_logo(data)
    org.logo, org.logo_content_type = cleaned, kind
    return {"content_type": kind, "size_bytes": len(cleaned)}


def remove_logo(org: Organization) -> bool:
    had = org.logo_content_type is not None
    org.logo, org.logo_content_type = None, None
    return had


def update_reporting(org: Organization, funding_reference: str,
                     booking_accounts: dict[str, str]) -> dict[str, dict[str, object]]:
    """Set the funding reference and booking accounts (unknown keys ignored, blanks dropped); returns
    {field: {"before": …, "after": …}} of what changed."""
    reference = " ".join((funding_reference or "").split())[:FUNDING_REFERENCE_MAX] or None
    accounts = {key: value for key in BOOKING_KEYS
                if (value := " ".join((booking_accounts.get(key) or "").split())[:BOOKING_ACCOUNT_MAX])}
    changed: dict[str, dict[str, object]] = {}
    if org.funding_reference != reference:
        changed["funding_reference"] = {"before": org.funding_reference, "after": reference}
        org.funding_reference = reference
    before = org.booking_accounts or {}
    for key in BOOKING_KEYS:
        if before.get(key, "") != accounts.get(key, ""):
            changed[f"booking_account.{key}"] = {"before": before.get(key) or None, "after": accounts.get(key)}
    if before != accounts:
        org.booking_accounts = accounts
    return changed
