"""What a certificate keeps after an Art. 17 erasure (issue #16, item 5; server/privacy/erasure.py): by
default it is revoked and anonymised — the certificate list shows no name, the public check says "no
longer valid" without any name or fact; only if the coordinator records that the guide asked to keep them
do they stay valid with the name."""

from __future__ import annotations

import datetime as dt

import pytest

from server.activities.models import Activity
from server.extensions import db
from server.money.models import Certificate


def _certificate(world) -> Certificate:
    from server.money.certificates import issue_certificate
    from sync.merge import Author

    db.session.add(Activity(organization_id=world.org_a.id, guide_id=world.guide_a.id, date=dt.date(2026, 3, 2),
                            minutes=120, kind="accompaniment", state="approved"))
    db.session.flush()
    cert = issue_certificate(Author("coordinator", user_id=world.coord_a.id), world.org_a.id, world.guide_a.id,
                             dt.date(2026, 1, 1), dt.date(2026, 6, 30), "Dr. Jana Schulz")
    db.session.commit()
    return cert


@pytest.mark.parametrize("keep", [False, True], ids=["default", "guide-asked-to-keep"])
def test_erasure_revokes_and_anonymises_certificates_unless_kept(app, signed_in, world, keep):
    name = world.guide_a.name
    cert = _certificate(world)
    token, cert_id = cert.token, cert.id
    public = app.test_client()
    assert name in public.get(f"/verify/{token}").get_data(as_text=True)
    desk = signed_in(world.coord_a)
    data = {"confirm_name": name, **({"keep_certificates": "y"} if keep else {})}
    assert desk.post(f"/coordinator/guides/{world.guide_a.id}/erase", data=data).status_code == 302

    db.session.expire_all()
    stored = db.session.get(Certificate, cert_id)
    check = public.get(f"/verify/{token}")
    html = check.get_data(as_text=True)
    listing = desk.get("/coordinator/certificates").get_data(as_text=True)
    if keep:
        assert stored.revoked_at is None and stored.guide_name == name
        assert 'data-state="valid"' in html and name in html
        return
    assert stored.revoked_at is not None and stored.guide_name == f"Gelöschte Person #{world.guide_a.id}"
    assert check.status_code == 200 and 'data-state="revoked"' in html
    for fact in (name, "Ayşe", "Guide-A", "Dr. Jana Schulz", 'data-fact="'):
        assert fact not in html, fact
    assert name not in listing and "Ayşe" not in listing
    row = next(line for line in listing.splitlines() if f'data-certificate="{cert_id}"' in line)
    assert 'data-state="revoked"' in row


def test_a_revoked_certificate_confirms_nothing(app, world):
    from server.money.certificates import revoke_certificate
    from sync.merge import Author

    cert = _certificate(world)
    revoke_certificate(Author("coordinator", user_id=world.coord_a.id), world.org_a.id, cert.id)
    db.session.commit()
    html = app.test_client().get(f"/verify/{cert.token}").get_data(as_text=True)
    assert 'data-state="revoked"' in html and world.guide_a.name not in html and 'data-fact="' not in html
