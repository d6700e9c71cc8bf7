"""The guide's own money and papers over HTTP (GET /api/v1/me/…, PROTOCOL §8): her allowance lines beside
her transfers (expenses + allowances = the amount on her bank statement), her year statement and her
certificates as PDF — her own only: another guide's or organization's ids answer 404, never data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from server.extensions import db
from server.money.allowances import approve_allowance_line, compute_allowance_lines
from server.money.certificates import issue_certificate, revoke_certificate
from server.money.operations import create_payout, export_payout, mark_payout_paid
from server.money.rates import set_allowance_rate
from tests.money.conftest import approve_all, pdf_text


def token_of(client: Any, guide: Any) -> str:
    """Enrol a phone of `guide` over the API; its bearer token."""
    from server.accounts.operations import issue_enrolment_code

    code = issue_enrolment_code(guide)
    db.session.commit()
    response = client.post("/api/v1/enroll", json={"code": code, "device_name": "Handy", "app_version": "1"})
    assert response.status_code == 201, response.data
    return str(response.get_json()["token"])


def get(client: Any, path: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


@pytest.fixture
def paid(org, guide, make_claim, make_activity, coordinator_author, limits_2026) -> dict[str, Any]:
    """A paid transfer of 2,50 € expenses + 12,00 € Ehrenamtspauschale, and a certificate."""
    set_allowance_rate(coordinator_author, org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 600)
    make_activity(guide, org, "2026-10-01", 120)
    claim = make_claim(guide, org, "2026-10", [250])
    approve_all(coordinator_author, org, claim)
    [line] = compute_allowance_lines(coordinator_author, org.id, "2026-10")
    approve_allowance_line(coordinator_author, org.id, line.id)
    payout = create_payout(coordinator_author, org.id, [claim.id], [line.id])
    export_payout(coordinator_author, org.id, payout.id, dt.date(2026, 11, 30))
    mark_payout_paid(coordinator_author, org.id, payout.id, dt.date(2026, 12, 1))
    cert = issue_certificate(coordinator_author, org.id, guide.id, dt.date(2026, 1, 1), dt.date(2026, 10, 31))
    db.session.commit()
    return {"line": line.id, "payout": payout.id, "cert": cert.id}


def test_her_allowances_transfers_and_papers(client, guide, paid, clock) -> None:
    clock("2026-12-04T12:00+01:00")
    token = token_of(client, guide)
    body = get(client, "/api/v1/me/money", token).get_json()
    assert body["year"] == 2026
    [line] = body["allowances"]
    assert (line["month"], line["legal_basis"], line["amount_cents"], line["state"], line["paid_on"]) == (
        "2026-10", "ehrenamt_26a", 1200, "paid", "2026-12-01")
    [transfer] = body["transfers"]
    assert (transfer["expense_cents"], transfer["allowance_cents"], transfer["amount_cents"]) == (250, 1200, 1450)
    assert transfer["paid_on"] == "2026-12-01" and "2026-10" in transfer["remittance"]
    assert transfer["claim_months"] == ["2026-10"] and transfer["allowance_months"] == ["2026-10"]
    assert [c["id"] for c in body["certificates"]] == [paid["cert"]]
    assert body["statement_years"] == ["2026"]
    assert get(client, "/api/v1/me/money?year=2025", token).get_json()["transfers"] == []

    statement = get(client, "/api/v1/me/year-statements/2026", token)
    assert statement.status_code == 200 and statement.mimetype == "application/pdf"
    assert "12,00 €" in pdf_text(statement.data) and "2,50 €" in pdf_text(statement.data)
    certificate = get(client, f"/api/v1/me/certificates/{paid['cert']}", token)
    assert certificate.status_code == 200 and certificate.data.startswith(b"%PDF")
    assert "private" in certificate.headers["Cache-Control"]


def test_only_her_own(client, guide, make_guide, make_org, org, paid, coordinator_author) -> None:
    other = make_guide(org, "Oleksandr Kovalenko")
    other_token = token_of(client, other)
    elsewhere = make_org("awo", "AWO")
    stranger_token = token_of(client, make_guide(elsewhere, "Boris Fremd"))
    for token in (other_token, stranger_token):
        body = get(client, "/api/v1/me/money", token).get_json()
        assert body["allowances"] == [] and body["transfers"] == [] and body["certificates"] == []
        for path in (f"/api/v1/me/certificates/{paid['cert']}", "/api/v1/me/year-statements/2026"):
            response = get(client, path, token)
            assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    for path in ("/api/v1/me/money", f"/api/v1/me/certificates/{paid['cert']}", "/api/v1/me/year-statements/2026"):
        assert get(client, path, None).status_code == 401
    # A revoked certificate is gone for her too.
    token = token_of(client, guide)
    revoke_certificate(coordinator_author, org.id, paid["cert"])
    db.session.commit()
    assert get(client, f"/api/v1/me/certificates/{paid['cert']}", token).status_code == 404
    assert get(client, "/api/v1/me/money", token).get_json()["certificates"] == []


@pytest.mark.parametrize("year", ["20x6", "1999", "99999", "-1", "2026.0"])
def test_a_bad_year_is_a_clear_400(client, guide, year) -> None:
    response = get(client, f"/api/v1/me/money?year={year}", token_of(client, guide))
    assert response.status_code == 400 and response.get_json()["error"]["fields"]["year"]
