"""An organization's public face: its request form's settings and its entry in the city's directory."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from sync.clock import utcnow

# The directory entry's text fields, edited on the desk as a draft and copied on publish.
PROFILE_TEXT_FIELDS = ("offer", "how_to_get_help", "how_to_become_guide", "contact")
PROFILE_FIELDS = ("districts", "specialisations", *PROFILE_TEXT_FIELDS)


class PublicProfile(db.Model):
    """One per organization, created on first edit. The draft fields are what the desk edits; `published`
    is the copy the directory shows (None: not listed), `numbers` the counts refreshed from live data."""

    __tablename__ = "public_profiles"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    # The request form: off until the organization has written its data protection notice (Art. 13 DSGVO).
    form_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    privacy_notice: Mapped[str] = mapped_column(Text, default="")
    # The directory entry's draft.
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    specialisations: Mapped[list[str]] = mapped_column(JSON, default=list)
    offer: Mapped[str] = mapped_column(Text, default="")
    how_to_get_help: Mapped[str] = mapped_column(Text, default="")
    how_to_become_guide: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    # What the directory shows: the draft as of `published_at`, and counts as of `numbers_refreshed_at`.
    # none_as_null: "not published" is SQL NULL (a JSON `null` would pass `IS NOT NULL`).
    published: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    numbers: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    numbers_refreshed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def accepts_requests(self) -> bool:
        return bool(self.form_enabled and self.privacy_notice.strip())

    def draft(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PROFILE_FIELDS}


class PartnerLink(db.Model):
    """A one-time link that fills the request form with a known partner institution's details: a partner
    that files often is remembered by its email, with no password (server/public/partner_links.py).
    Only the token's hash is kept; a link works once and for a limited time."""

    __tablename__ = "partner_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(Integer, ForeignKey("partner_institutions.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
