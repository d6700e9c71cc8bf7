"""A guide's bank account for payouts, typed by the coordinator on the guide page: IBAN and BIC checked
with schwifty on entry, audited without the full number, never synced to the phone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.extensions import db
from server.guides.models import GuideProfile

VALID_IBAN = "DE89 3704 0044 0532 0130 00"  # the standard example account (Commerzbank Köln)


def _profile(guide) -> GuideProfile:
    db.session.expire_all()
    return db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))


def _post(browser, guide, **fields):
    return browser.post(f"/coordinator/guides/{guide.id}/bank-account", data=fields)


def test_a_valid_account_is_stored_compact_with_the_bic_found_and_audited_without_the_number(signed_in, world):
    browser = signed_in(world.coord_a)
    page = browser.get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    assert 'id="guide-bank-current" data-has-account="false"' in page

    response = _post(browser, world.guide_a, account_holder="  Amira   Haddad ", iban=VALID_IBAN.lower(), bic="")
    assert response.status_code == 302 and response.location.endswith("#bank-account")
    profile = _profile(world.guide_a)
    assert (profile.iban, profile.bic, profile.account_holder) == ("DE89370400440532013000", "COBADEFFXXX",
                                                                  "Amira Haddad")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "money.guide_bank_account_set")).one()
    assert (event.organization_id, event.object_id, event.actor_user_id) == (
        world.org_a.id, str(world.guide_a.id), world.coord_a.id)
    assert event.details == {"iban_last4": "3000", "bic": "COBADEFFXXX"}
    page = browser.get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    assert 'data-has-account="true"' in page and "DE89 … 3000" in page
    assert "DE89370400440532013000" not in page  # the full number is not shown again


@pytest.mark.parametrize("fields, bad_field", [
    ({"account_holder": "A", "iban": "DE89370400440532013001", "bic": ""}, "iban"),  # wrong check digits
    ({"account_holder": "A", "iban": "not an iban", "bic": ""}, "iban"),
    ({"account_holder": "A", "iban": VALID_IBAN, "bic": "NOTABIC"}, "bic"),
    ({"account_holder": "A", "iban": VALID_IBAN, "bic": "BNPAFRPP"}, "bic"),  # a French bank for a German IBAN
    ({"account_holder": "", "iban": VALID_IBAN, "bic": ""}, "account_holder"),
    ({"account_holder": "A" * 71, "iban": VALID_IBAN, "bic": ""}, "account_holder"),
])
def test_bad_bank_details_are_refused_at_the_field_and_change_nothing(signed_in, world, fields, bad_field):
    browser = signed_in(world.coord_a)
    assert _post(browser, world.guide_a, account_holder="Amira Haddad", iban=VALID_IBAN, bic="").status_code == 302
    response = _post(browser, world.guide_a, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # The error stands in the label of the field that is wrong, and only there.
    assert html.count('class="field-error"') == 1
    assert re.search(rf'<label>(?:(?!</label>).)*name="{bad_field}"(?:(?!</label>).)*class="field-error"', html, re.S)
    profile = _profile(world.guide_a)
    assert (profile.iban, profile.account_holder) == ("DE89370400440532013000", "Amira Haddad")
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "money.guide_bank_account_set").offset(1)) is None  # only the first one


def test_another_organizations_guide_is_not_found(signed_in, world):
    browser = signed_in(world.coord_b)
    assert _post(browser, world.guide_a, account_holder="X", iban=VALID_IBAN, bic="").status_code == 404
    assert _post(browser, world.guide_b, account_holder="X", iban="garbage", bic="").status_code == 400
    assert _profile(world.guide_a).iban is None


def test_bank_details_never_reach_the_phone(signed_in, world, make_device):
    phone = make_device(world.guide_a)
    assert _post(signed_in(world.coord_a), world.guide_a, account_holder="Amira Haddad", iban=VALID_IBAN,
                 bic="").status_code == 302
    phone.sync()
    profiles = phone.records("profile")
    assert profiles, "the guide's own profile syncs"
    for record in profiles.values():
        assert not {"iban", "bic", "account_holder"} & set(record)
        assert "3000" not in repr(record)
