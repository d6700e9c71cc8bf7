"""Organizations (Träger / Koordinierungsstelle): the tenant boundary, and their rates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from server.extensions import db
from sync.clock import utcnow


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("slug <> ''", name="slug_not_empty"),
        CheckConstraint("retention_months >= 12", name="retention_at_least_a_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Months after which closed records are anonymised (DSGVO); money records follow the law instead.
    retention_months: Mapped[int] = mapped_column(Integer, default=36)
    # Years that booking records (expenses, claims, receipts) of an erased guide stay restricted before
    # they may be deleted: § 147 AO keeps Buchungsbelege for 10 years.
    booking_retention_years: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    # Sent to devices as the reference record `organization`; grows with every change.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The account payouts are sent from (the debtor of the SEPA credit transfer); never synced to phones.
    bank_account_holder: Mapped[str | None] = mapped_column(String(70), default=None)
    bank_iban: Mapped[str | None] = mapped_column(String(34), default=None)
    bank_bic: Mapped[str | None] = mapped_column(String(11), default=None)
    # The funder's reference for the project (Förderkennzeichen), printed on every funder report.
    funding_reference: Mapped[str | None] = mapped_column(String(120), default=None)
    # The finance office's account per expense category or allowance basis: {"mileage": "4660", …}.
    booking_accounts: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    # The logo on funder reports: PNG or JPEG, re-encoded by Pillow (server/organizations/reporting.py).
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, default=None))
    logo_content_type: Mapped[str | None] = mapped_column(String(20), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def booking_account(self, key: str) -> str:
        return (self.booking_accounts or {}).get(key, "")

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"


class MileageRate(db.Model):
    """Cents per km for one travel mode, valid from a date until the next rate of the same mode."""

    __tablename__ = "mileage_rates"
    __table_args__ = (
        UniqueConstraint("organization_id", "mode", "valid_from"),
        CheckConstraint("cents_per_km >= 0", name="cents_per_km_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(20), default="car")
    valid_from: Mapped[dt.date] = mapped_column(Date)
    cents_per_km: Mapped[int] = mapped_column(Integer)
