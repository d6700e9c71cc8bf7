"""Running it for real, over HTTP: /metrics (protected, counting syncs, results, pulls, failed sign-ins,
the outbox) and the logs (JSON lines with the request's id; never a token, code, IBAN, note or name)."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import activity, auth, mutation, result_of
from tests.conftest import _config

METRICS_TOKEN = "metrics-" + "x" * 24
STAFF_PASSWORD = "correct horse battery"  # tests/conftest.py make_user's default


@pytest.fixture
def scrape(app: Any, client: Any) -> Any:
    app.config["METRICS_TOKEN"] = METRICS_TOKEN

    def read() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = client.get("/metrics", headers=auth(METRICS_TOKEN))
        assert response.status_code == 200
        assert response.content_type.startswith("text/plain")
        samples = {}
        for family in text_string_to_metric_families(response.get_data(as_text=True)):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return read


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_without_a_token_configured(client) -> None:
    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_a_missing_or_wrong_token(app, client) -> None:
    app.config["METRICS_TOKEN"] = METRICS_TOKEN
    for headers in ({}, auth("wrong"), {"Authorization": METRICS_TOKEN}, auth(METRICS_TOKEN + "x")):
        response = client.get("/metrics", headers={**headers, "Accept-Language": "en"})
        assert response.status_code == 401, headers
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert response.get_json()["error"]["message"] == "This needs the metrics token."
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "lotsenbuch_" not in response.get_data(as_text=True)


def test_sync_latency_results_and_pull_sizes_are_counted(scrape, sync, token) -> None:
    before = scrape()
    assert result_of(sync(token, [activity(), activity()]))["status"] == "applied"
    rejected = result_of(sync(token, [activity(minutes="ninety")]))
    assert rejected["status"] == "rejected"
    first_pull = sync(token, limit=500).get_json()
    assert sync("not-a-token").status_code == 401
    after = scrape()

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("lotsenbuch_sync_mutations_total", status="applied") == 2
    assert delta("lotsenbuch_sync_mutations_total", status="rejected") == 1
    assert delta("lotsenbuch_sync_request_duration_seconds_count", outcome="ok") == 3
    assert delta("lotsenbuch_sync_request_duration_seconds_count", outcome="unauthorized") == 1
    assert delta("lotsenbuch_sync_request_duration_seconds_sum", outcome="ok") > 0
    assert delta("lotsenbuch_sync_pull_changes_count") == 3
    # The pushes' responses carry their own records back (2, then none new), the pull everything.
    assert delta("lotsenbuch_sync_pull_changes_sum") >= len(first_pull["changes"]) >= 2
    assert delta("lotsenbuch_sign_in_failures_total", kind="device_token") == 1


def test_failed_sign_ins_are_counted_by_kind(scrape, client, make_user, org) -> None:
    coordinator = make_user(org, role="coordinator")
    before = scrape()
    assert client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC", "device_name": "x"}).status_code == 403
    wrong = client.post("/coordinator/login", data={"email": coordinator.email, "password": "not it at all"})
    assert wrong.status_code == 401
    assert client.post("/coordinator/login", data={"email": "nobody@example.org", "password": "x" * 12}) \
        .status_code == 401
    after = scrape()
    assert value(after, "lotsenbuch_sign_in_failures_total", kind="enrolment_code") \
        - value(before, "lotsenbuch_sign_in_failures_total", kind="enrolment_code") == 1
    assert value(after, "lotsenbuch_sign_in_failures_total", kind="password") \
        - value(before, "lotsenbuch_sign_in_failures_total", kind="password") == 2


@pytest.fixture
def outbox_table(app: Any) -> Iterator[Any]:
    """The outbox's table: the real one once branch `mail` is merged, else a stand-in with the columns
    the gauge reads; yields a function that queues a message on a channel in a state."""
    from sqlalchemy import inspect, text

    from server.extensions import db
    from server.observability.metrics import OUTBOX_TABLE

    created = not inspect(db.engine).has_table(OUTBOX_TABLE)
    if created:
        db.session.execute(text(f"CREATE TABLE {OUTBOX_TABLE} (channel VARCHAR(10), "
                                "state VARCHAR(10))"))
        db.session.commit()

    def queue(channel: str, state: str) -> None:
        try:
            from server.outbox.models import OutboxMessage  # type: ignore[import-not-found]
        except ImportError:
            db.session.execute(text(f"INSERT INTO {OUTBOX_TABLE} (channel, state) VALUES (:c, :s)"),  # noqa: S608
                               {"c": channel, "s": state})
        else:
            db.session.add(OutboxMessage(channel=channel, state=state, kind="test", address="a@example.org"))
        db.session.commit()

    yield queue
    db.session.rollback()
    if created:
        db.session.execute(text(f"DROP TABLE {OUTBOX_TABLE}"))
        db.session.commit()


def test_outbox_gauge_is_absent_without_the_table(scrape, app) -> None:
    from sqlalchemy import inspect

    from server.extensions import db

    if inspect(db.engine).has_table("outbox_messages"):
        pytest.skip("the outbox exists (branch mail merged): see the next test")
    assert not any(name == "lotsenbuch_outbox_messages" for name, _labels in scrape())


def test_outbox_gauge_counts_waiting_messages_per_channel(scrape, outbox_table) -> None:
    for channel, state in (("mail", "pending"), ("mail", "pending"), ("mail", "sending"), ("mail", "sent"),
                           ("mail", "failed"), ("push", "pending")):
        outbox_table(channel, state)
    samples = scrape()
    assert value(samples, "lotsenbuch_outbox_messages", channel="mail") == 3
    assert value(samples, "lotsenbuch_outbox_messages", channel="push") == 1


# ---------------------------------------------------------------------------------------------- logs

@pytest.fixture
def logged(app: Any) -> Iterator[tuple[Any, io.StringIO]]:
    """A second app on the same database with LOG_LEVEL=DEBUG and LOG_FORMAT=json, and what its log
    handler (the very one the app installs: `make_handler`) writes."""
    from server import create_app
    from server.extensions import db
    from server.observability.logs import make_handler

    root, engine_log = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = root.level, engine_log.level
    debug_app = create_app({**_config(app.config["DATABASE_URL"], app.instance_path_for_tests),
                            "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"})
    stream = io.StringIO()
    handler = make_handler(stream, "json")
    root.addHandler(handler)
    try:
        with debug_app.app_context():
            yield debug_app, stream
            db.session.remove()
            db.engine.dispose()
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        engine_log.setLevel(levels[1])


@pytest.fixture(autouse=True)
def _instance_path(app: Any, tmp_path: Any) -> None:
    app.instance_path_for_tests = tmp_path


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_log_has_one_object_per_line_with_the_request(logged) -> None:
    debug_app, stream = logged
    client = debug_app.test_client()
    response = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert response.headers["X-Request-ID"] == "lb-1234.abc"
    forged = client.get("/healthz", headers={"X-Request-ID": "x" * 65})  # not sane: a new id instead
    assert len(forged.headers["X-Request-ID"]) == 32
    records = [r for r in lines(stream) if r["logger"] == "lotsenbuch.request"]
    assert len(records) == 2
    first = records[0]
    assert {"time", "level", "logger", "message", "request_id", "method", "path", "status", "duration_ms"} <= set(first)
    assert (first["level"], first["method"], first["path"], first["status"]) == ("INFO", "GET", "/healthz", 200)
    assert first["request_id"] == "lb-1234.abc" and first["message"] == "GET /healthz 200"
    assert first["time"].endswith("Z") and isinstance(first["duration_ms"], float)
    assert records[1]["request_id"] == forged.headers["X-Request-ID"]


def test_no_token_code_iban_note_or_name_reaches_the_log_at_debug(logged, enrol_code, make_user, org) -> None:
    from server.observability.logs import make_handler  # noqa: F401 - the handler under test (fixture)

    debug_app, stream = logged
    client = debug_app.test_client()
    note = f"Termin beim Jobcenter mit Frau Nowak {uuid.uuid4().hex[:8]}"
    iban = "DE89370400440532013000"
    guide = make_user(org, name="Ayşe Demir-Yılmaz")
    code = enrol_code(guide)
    enrolled = client.post("/api/v1/enroll", json={"code": code, "device_name": "Ayşes Handy"})
    assert enrolled.status_code == 201
    token = enrolled.get_json()["token"]
    pushed = client.post("/api/v1/sync", headers=auth(token), json={"cursor": None, "mutations": [
        activity(note=note),
        mutation("profile", str(guide.id), iban=iban, account_holder="Ayşe Demir-Yılmaz"),  # refused field
    ]})
    assert pushed.status_code == 200
    assert [r["status"] for r in pushed.get_json()["results"]] == ["applied", "rejected"]
    # The desk: a coordinator stores the guide's IBAN.
    coordinator = make_user(org, role="coordinator", name="Kora Koordinatorin")
    assert client.post("/coordinator/login", data={"email": coordinator.email, "password": STAFF_PASSWORD}) \
        .status_code == 302
    saved = client.post(f"/coordinator/guides/{guide.id}/bank-account",
                        data={"account_holder": "Ayşe Demir-Yılmaz", "iban": iban})
    assert saved.status_code in (200, 302, 303)
    # A library that logs what it should not is redacted too (the filter sits on the handler).
    logging.getLogger("some.library").debug("request body %s headers %s", json.dumps({"note": note, "code": code}),
                                            {"Authorization": f"Bearer {token}", "iban": iban})

    text = stream.getvalue()
    assert "sqlalchemy.engine" in text  # SQL was logged at DEBUG (without its parameters)
    for secret in (note, iban, "DE89 3704", token, code, code.replace("-", ""), "Ayşe", "Demir-Yılmaz", "Kora"):
        assert secret not in text, secret
    assert "[redacted]" in text
