"""A receipt belongs to the organization it was uploaded in (issue #16, item 8): a guide of another
organization who lists its hash in an expense cannot download it, and does not see it as "stored"; her own
upload of the same bytes is a copy of her organization's. The coordinator's receipt page follows the same
rule. On both backends (the `app` fixture) and both receipt stores."""

from __future__ import annotations

import pytest

from tests.api.conftest import auth, expense
from tests.api.test_blobs import get, jpeg_with_gps, put, sha


@pytest.fixture(params=["folder", "database"])
def store(request, app):
    app.config["BLOB_STORE"] = request.param
    return request.param


def _sync(client, token, item):
    response = client.post("/api/v1/sync", json={"cursor": None, "mutations": [item]}, headers=auth(token))
    assert response.get_json()["results"][0]["status"] == "applied", response.get_json()
    return response


def _pulled(client, token, record_id):
    body = client.post("/api/v1/sync", json={"cursor": None, "mutations": []}, headers=auth(token)).get_json()
    return next(c for c in body["changes"] if c["record_id"] == record_id)


def test_a_hash_from_another_organization_reaches_nothing(app, client, store, make_org, make_user, make_device):
    from server.blobs.models import Blob
    from server.extensions import db

    vhs, awo = make_org("vhs-o", "VHS"), make_org("awo-o", "AWO")
    owner = make_device(make_user(vhs, "guide"), "owner").token
    thief = make_device(make_user(awo, "guide"), "thief").token
    photo = jpeg_with_gps()
    _sync(client, owner, expense(receipts=[sha(photo)]))
    assert put(client, owner, photo).status_code == 201
    # The other organization's guide lists the hash in an expense of hers.
    stolen = expense(receipts=[sha(photo)])
    _sync(client, thief, stolen)
    assert _pulled(client, thief, stolen["record_id"])["data"]["missing_receipts"] == [sha(photo)]
    response = get(client, thief, sha(photo))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    # Uploading the same bytes herself makes her organization's own copy; the owner's stays hers.
    assert put(client, thief, photo).status_code == 201
    assert get(client, thief, sha(photo)).status_code == 200
    db.session.expire_all()
    owners = sorted(db.session.scalars(db.select(Blob.organization_id).where(Blob.sha256 == sha(photo))))
    assert owners == sorted([vhs.id, awo.id])
    assert get(client, owner, sha(photo)).status_code == 200


def test_the_coordinator_sees_only_her_organizations_copy(app, client, store, make_org, make_user, make_device):
    from server.expenses.models import Expense, ExpenseReceipt
    from server.extensions import db

    vhs, awo = make_org("vhs-p", "VHS"), make_org("awo-p", "AWO")
    owner = make_device(make_user(vhs, "guide"), "owner").token
    awo_guide = make_user(awo, "guide")
    thief = make_device(awo_guide, "thief").token
    coordinator = make_user(awo, "coordinator", "coord-awo@example.org")
    photo = jpeg_with_gps()
    _sync(client, owner, expense(receipts=[sha(photo)]))
    assert put(client, owner, photo).status_code == 201
    stolen = expense(receipts=[sha(photo)])
    _sync(client, thief, stolen)
    receipt_id = db.session.scalar(db.select(ExpenseReceipt.id).join(Expense, Expense.id == ExpenseReceipt.expense_id)
                                   .where(Expense.organization_id == awo.id))
    desk = app.test_client()
    assert desk.post("/coordinator/login", data={"email": coordinator.email,
                                                 "password": "correct horse battery"}).status_code == 302
    assert desk.get(f"/coordinator/receipts/{receipt_id}").status_code == 404
