"""Money fixtures: an organization with a bank account, guides with bank details, claims and activities."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.syncing.conftest import enrol_code, make_device  # noqa: F401 - fixtures used by the money tests

ORG_IBAN, ORG_BIC = "DE02100100100006820101", "PBNKDEFFXXX"
GUIDE_IBANS = ("DE89370400440532013000", "DE02120300000000202051", "DE12500105170648489890",
               "DE73250501800001234567")


@pytest.fixture(autouse=True)
def english(request: pytest.FixtureRequest) -> Any:
    """Figures are checked against English labels; a test wanting German nests `force_locale("de")`."""
    if "app" not in request.fixturenames:
        yield
        return
    from flask_babel import force_locale

    request.getfixturevalue("app")
    with force_locale("en"):
        yield


@pytest.fixture
def coordinator_author(coordinator: Any) -> Any:
    from sync.merge import Author

    return Author(role="coordinator", user_id=coordinator.id)


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    from server.extensions import db
    from server.money.bank import set_organization_account
    from sync.merge import Author

    org = make_org("vhs", "VHS Hannover – Integrationslotsen")
    set_organization_account(Author(role="system"), org.id, ORG_IBAN, ORG_BIC, "VHS Hannover")
    db.session.commit()
    return org


@pytest.fixture
def coordinator(make_user: Callable[..., Any], org: Any) -> Any:
    return make_user(org, "coordinator", "koordination@example.org", "Maria Weber")


@pytest.fixture
def make_guide(make_user: Callable[..., Any]) -> Callable[..., Any]:
    from sqlalchemy import select

    from server.extensions import db
    from server.guides.models import GuideProfile

    counter = {"n": 0}

    def make(org: Any, name: str | None = None, iban: str | None = "auto", locale: str | None = None) -> Any:
        counter["n"] += 1
        user = make_user(org, "guide", f"guide{counter['n']}-{org.slug}@example.org",
                         name or f"Lotsin Nr. {counter['n']} Jürgens")
        profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == user.id))
        if iban == "auto":
            iban = GUIDE_IBANS[(counter["n"] - 1) % len(GUIDE_IBANS)]
        profile.iban = iban
        profile.account_holder = user.name if iban else None
        user.locale = locale
        db.session.commit()
        return user

    return make


@pytest.fixture
def guide(make_guide: Callable[..., Any], org: Any) -> Any:
    return make_guide(org, "Ayşe Demir")


@pytest.fixture
def limits_2026(app: Any) -> None:
    """The 2026 amounts (the migration seeds them; PostgreSQL tests start from empty tables)."""
    from server.extensions import db
    from server.money.limits import set_tax_free_limit
    from sync.merge import Author

    set_tax_free_limit(Author(role="system"), 2026, "ehrenamt_26a", 84000)
    set_tax_free_limit(Author(role="system"), 2026, "uebungsleiter_26", 300000)
    db.session.commit()


@pytest.fixture
def make_claim(app: Any) -> Callable[..., Any]:
    """A submitted claim of `month` with one submitted expense per amount (category "other" unless given)."""
    from server.expenses.models import Claim, Expense
    from server.extensions import db

    def make(guide: Any, org: Any, month: str, amounts: list[int], category: str = "other") -> Any:
        claim = Claim(organization_id=org.id, guide_id=guide.id, month=month, state="submitted")
        db.session.add(claim)
        db.session.flush()
        for day, cents in enumerate(amounts, start=1):
            db.session.add(Expense(organization_id=org.id, guide_id=guide.id, date=dt.date.fromisoformat(
                f"{month}-{min(day, 28):02d}"), category=category, amount_cents=cents, state="submitted",
                claim_id=claim.id, description=f"Beleg {day}"))
        db.session.commit()
        return claim

    return make


@pytest.fixture
def make_activity(app: Any) -> Callable[..., Any]:
    from server.activities.models import Activity
    from server.extensions import db

    def make(guide: Any, org: Any, day: str, minutes: int = 60, kind: str = "accompaniment",
             approved: bool = True, **fields: Any) -> Any:
        activity = Activity(organization_id=org.id, guide_id=guide.id, date=dt.date.fromisoformat(day),
                            minutes=minutes, kind=kind, state="approved" if approved else "logged", **fields)
        db.session.add(activity)
        db.session.flush()
        return activity

    return make


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[ \t]+", " ", text)


def approve_all(author: Any, org: Any, claim: Any) -> None:
    from server.extensions import db
    from server.money.operations import approve_remaining

    approve_remaining(author, org.id, claim.id)
    db.session.commit()
