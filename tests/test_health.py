"""The app answers: health check, JSON errors under /api/, the app shell at /."""

from __future__ import annotations


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "version": "0.1.0"}
    assert response.headers["X-Request-ID"]


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.delete("/api/v1/meta")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_api_errors_are_translated(client):
    german = client.get("/api/v1/nope", headers={"Accept-Language": "de"}).get_json()["error"]["message"]
    english = client.get("/api/v1/nope", headers={"Accept-Language": "en"}).get_json()["error"]["message"]
    assert english == "Not found."
    assert german != english


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["info"]["title"] == "Lotsenbuch API"


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path) -> None:
    """An app pointed at a PostgreSQL port where nothing listens: a clear 503, never a 500."""
    from server import create_app
    from tests.conftest import _config

    app = create_app(_config("postgresql+psycopg://postgres@127.0.0.1:9/lotsenbuch", tmp_path))
    response = app.test_client().get("/healthz", headers={"Accept-Language": "de"})
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable", "version": "0.1.0"}


def test_healthz_recovers_when_a_pooled_connection_died(app, client, backend) -> None:
    """A connection the database dropped (restart, failover) is thrown away, not reported healthy."""
    from server.extensions import db

    assert client.get("/healthz").status_code == 200
    if backend == "postgres":
        with db.engine.connect() as conn:  # end every other connection of this database, as a restart does
            conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    first = client.get("/healthz")
    assert first.status_code in (200, 503)
    assert client.get("/healthz").status_code == 200  # the dead connection was not put back
