"""Security headers on every response: every route of `app.url_map` (GET, as the demo's admin where a
sign-in is needed, and anonymously), JSON, files and errors alike (issue #16, item 1)."""

from __future__ import annotations

from typing import Any

from tests.coordinator.test_garbage_input import _admin, _demo_ids, _url

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# Receipts are shown in an <object> on the claim page: only they may be embedded, and only by our pages.
EMBEDDABLE = {"coordinator.receipt_file", "coordinator.restricted_receipt"}


def _problems(response: Any, secure: bool = False, embeddable: bool = False) -> list[str]:
    expected = {**EXPECTED, "X-Frame-Options": "SAMEORIGIN" if embeddable else "DENY"}
    problems = [f"{k}={response.headers.get(k)!r}" for k, v in expected.items() if response.headers.get(k) != v
                and not (k == "Referrer-Policy" and response.headers.get(k) == "no-referrer")]  # stricter: fine
    csp = response.headers.get("Content-Security-Policy", "")
    frames = "frame-ancestors 'self'" if embeddable else "frame-ancestors 'none'"
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", frames,
                      "img-src 'self' data: blob:", "connect-src 'self'", "worker-src 'self'",
                      "manifest-src 'self'", "object-src 'self'", "base-uri 'self'", "form-action 'self'"):
        if directive not in [part.strip() for part in csp.split(";")]:
            problems.append(f"CSP lacks {directive!r}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append("CSP allows unsafe-inline/unsafe-eval")
    permissions = response.headers.get("Permissions-Policy", "")
    allowed = [p.strip() for p in permissions.split(",") if not p.strip().endswith("=()")]
    if allowed != ["camera=(self)"]:
        problems.append(f"Permissions-Policy allows {allowed}")
    if secure != ("Strict-Transport-Security" in response.headers):
        problems.append(f"HSTS {'missing' if secure else 'sent over plain HTTP settings'}")
    return problems


def _walk(app: Any, browser: Any, ids: dict[str, Any], secure: bool = False) -> tuple[int, list[str]]:
    failures, seen = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = _url(rule, ids)
        if rule.endpoint.endswith("static"):
            url = url.replace("/1", "/coordinator.css") if "filename" in rule.arguments else url
        for target in (url, url + "-does-not-exist" if rule.arguments else url + "?page=abc"):
            response = browser.get(target)
            seen += 1
            embeddable = rule.endpoint in EMBEDDABLE and response.status_code == 200
            failures += [f"GET {target} ({response.status_code}): {p}"
                         for p in _problems(response, secure, embeddable)]
            response.close()
    return seen, failures


def test_every_route_sends_the_security_headers_signed_in_and_not(app):
    ids = _demo_ids(app)
    seen, failures = _walk(app, _admin(app), ids)
    seen_anonymous, failures_anonymous = _walk(app, app.test_client(), ids)
    assert seen > 100 and seen_anonymous > 100
    assert failures + failures_anonymous == []


def test_json_errors_posts_and_files_carry_them_too(app, client):
    responses = [
        client.get("/api/v1/meta"),                                    # JSON, unauthorised
        client.post("/api/v1/sync", data="{not json", content_type="application/json"),
        client.get("/api/v1/blobs/" + "0" * 64),
        client.get("/api/v1/openapi.json"),
        client.get("/nothing-here"),                                   # 404 page
        client.delete("/coordinator/login"),                           # 405
        client.post("/coordinator/login", data={"email": "x\x00"}),    # 400 (NUL)
        client.get("/healthz"),
        client.get("/verify/not-a-token"),
        client.get("/sw.js"),
        client.get("/manifest.webmanifest"),
        client.get("/coordinator/static/coordinator.css"),
    ]
    failures = [f"{r.request.method} {r.request.path} ({r.status_code}): {p}" for r in responses for p in _problems(r)]
    assert failures == []


def test_an_unexpected_error_still_carries_them(app, client, monkeypatch):
    def boom() -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "coordinator.login", boom)
    response = client.get("/coordinator/login")
    assert response.status_code == 500 and _problems(response) == []


def test_hsts_only_when_the_session_cookie_is_secure(app):
    from server import create_app

    secure = create_app({**{k: app.config[k] for k in ("DATABASE_URL", "SECRET_KEY", "BLOB_DIR")},
                         "TESTING": True, "SESSION_COOKIE_SECURE": True})
    response = secure.test_client().get("/coordinator/login")
    assert _problems(response, secure=True) == []
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in app.test_client().get("/coordinator/login").headers
