"""The real server for the PWA data layer's own tests (pwa/test/, run by Vitest): test-only.

`python -m tests.pwa_data_server` migrates a fresh SQLite database in a temporary folder, serves the
app on 127.0.0.1 at a free port and prints `READY http://127.0.0.1:<port>` once it answers. It then
runs until its standard input closes (pwa/test/globalSetup.ts holds that pipe), and removes the folder.

Beside the app's own routes it mounts `/__test__/…` — ONLY here, never in `create_app` — for what the
Python sync tests do through the session (tests/syncing/): a new organization with a guide and an
enrolment code, a coordinator's edit (sync/coordinator.py) or approval (server/activities/review.py),
revoking a guide's devices,
records pushed by the reference client as another of the guide's devices,
and the server-side checks of tests/syncing/harness.py (what a device must hold, histories, audit).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, jsonify, request

control = Blueprint("pwa_data_test_control", __name__, url_prefix="/__test__")
_counter = {"n": 0}


def _body() -> dict[str, Any]:
    return dict(request.get_json(force=True) or {})


@control.post("/guide")
def new_guide() -> Any:
    """A guide with an enrolment code; in a new organization unless `org_id` is given."""
    from server.accounts.operations import create_organization, create_user, issue_enrolment_code
    from server.extensions import db
    from server.organizations.models import Organization

    body = _body()
    _counter["n"] += 1
    n = _counter["n"]
    org = (db.session.get(Organization, body["org_id"]) if body.get("org_id")
           else create_organization(f"org-{n}", body.get("org_name", f"Organisation {n}")))
    guide = create_user(org, f"guide{n}@example.org", "guide", body.get("name", f"Guide {n}"))
    db.session.commit()
    code = issue_enrolment_code(guide)
    db.session.commit()
    return jsonify(org_id=org.id, guide_id=guide.id, code=code)


@control.post("/code")
def new_code() -> Any:
    """Another enrolment code for the same guide (a second phone)."""
    from server.accounts.models import User
    from server.accounts.operations import issue_enrolment_code
    from server.extensions import db

    code = issue_enrolment_code(db.session.get(User, _body()["guide_id"]))
    db.session.commit()
    return jsonify(code=code)


def _coordinator(org_id: int) -> Any:
    from sqlalchemy import select

    from server.accounts.models import Membership, User
    from server.accounts.operations import create_user
    from server.extensions import db
    from server.organizations.models import Organization
    from sync.merge import Author

    user = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                             .where(Membership.organization_id == org_id, Membership.role == "coordinator"))
    if user is None:
        user = create_user(db.session.get(Organization, org_id), f"coordinator{org_id}@example.org", "coordinator",
                           "Maria Weber", "correct horse battery")
        db.session.commit()
    return Author(role="coordinator", user_id=user.id)


@control.post("/edit")
def coordinator_edit() -> Any:
    from server.extensions import db
    from sync.coordinator import edit_record

    body = _body()
    edit_record(db.session, _coordinator(body["org_id"]), body["org_id"], body["type"], body["record_id"],
                body["fields"])
    db.session.commit()
    return jsonify(ok=True)


@control.post("/approve")
def coordinator_approve() -> Any:
    from server.activities.review import approve_activity
    from server.extensions import db

    body = _body()
    approve_activity(db.session, _coordinator(body["org_id"]), body["org_id"], body["record_id"])
    db.session.commit()
    return jsonify(ok=True)


@control.post("/revoke")
def revoke() -> Any:
    from server.accounts.models import User
    from server.accounts.operations import revoke_devices
    from server.extensions import db

    count = revoke_devices(db.session.get(User, _body()["guide_id"]))
    db.session.commit()
    return jsonify(revoked=count)


@control.post("/seed")
def seed() -> Any:
    """`count` activities of the guide, pushed by another of the guide's devices: the reference client
    (sync/client.py) over the app's test client, in batches as it sends them."""
    from flask import current_app

    from server.accounts.models import User
    from server.extensions import db
    from sync.client import SyncClient
    from tests.syncing.conftest import activity_fields, test_client_transport
    from tests.syncing.harness import enrol_directly

    body = _body()
    device = SyncClient(test_client_transport(current_app.test_client()))
    enrol_directly(db.session, device, db.session.get(User, body["guide_id"]), "reference client")
    for i in range(body["count"]):
        device.upsert("activity", **activity_fields(minutes=1 + i % 600, note=f"Termin {i}"))
    device.sync()
    return jsonify(ok=True)


@control.post("/check")
def check() -> Any:
    """What a device of this guide must hold ("type/id" → [version, data]), history gaps, and how
    often each mutation id was applied (the audit log)."""
    from server.extensions import db
    from tests.syncing.harness import audit_mutation_counts, history_problems, server_scope

    body = _body()
    scope = server_scope(db.session, body["org_id"], body["guide_id"])
    return jsonify(scope={f"{t}/{r}": list(v) for (t, r), v in scope.items()},
                   history_problems=history_problems(db.session, body["org_id"]),
                   applied=dict(audit_mutation_counts(db.session, body["org_id"])))


def make_app(folder: Path) -> Flask:
    from flask_migrate import upgrade

    from server import create_app
    from tests.conftest import _config

    config = _config(f"sqlite:///{folder / 'pwa-data.sqlite'}", folder)
    config["RATELIMIT_ENABLED"] = False  # every test enrols phones from 127.0.0.1
    app = create_app(config)
    with app.app_context():
        upgrade()
    app.register_blueprint(control)
    return app


def main() -> None:
    from werkzeug.serving import make_server

    folder = Path(tempfile.mkdtemp(prefix="lotsenbuch-pwa-data-"))
    try:
        server = make_server("127.0.0.1", 0, make_app(folder), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"READY http://127.0.0.1:{server.server_port}", flush=True)
        sys.stdin.read()  # until the test run closes the pipe (or dies)
        server.shutdown()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
