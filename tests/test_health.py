"""The app answers: health check, JSON errors under /api/, the app shell at /."""

from __future__ import annotations


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "version": "0.1.0"}


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
