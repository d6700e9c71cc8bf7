"""Browser fixtures: the Flask app on a real port, Debian's Chromium through Playwright, a phone.

`live_server` runs `create_app` on a copy of the migrated SQLite template in a background thread
(werkzeug's `make_server`, 127.0.0.1, a free port; `.url`, and `.app` for setting up data in an app
context) and serves the built PWA from server/static/app —
run `make pwa` first. `phone(locale=...)` opens a 360×640 touch context; the contexts it made are closed
after the test. Chromium, Playwright or the built PWA missing → skipped locally, failed under CI=true.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _config, skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
PWA_INDEX = Path(__file__).resolve().parents[2] / "server" / "static" / "app" / "index.html"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Every violation of the Content-Security-Policy, as the page reports it (server/security_headers.py):
# Chromium logs "Refused to …" on the console, and the page fires `securitypolicyviolation`.
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} on ${location.pathname}`);
});"""
AXE_URL = "/__test__/axe.min.js"


def watch_csp(context: Any, found: list[str]) -> None:
    """Collect into `found` every CSP violation in `context`'s pages; and serve axe-core from the page's
    own origin (AXE_URL), so that `add_axe` loads it as a script file the policy allows."""
    from tests.browser.test_accessibility import AXE

    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))

    def on_console(message: Any) -> None:
        text = message.text
        if "Refused to" in text or "CSP violation" in text or "Content Security Policy" in text:
            found.append(f"{message.page.url if message.page else '?'}: {text[:300]}")

    context.on("console", on_console)


def add_axe(page: Any) -> None:
    """axe-core into the page as a same-origin script file (an inline script would break the CSP)."""
    page.add_script_tag(url=AXE_URL)


@pytest.fixture
def csp_violations() -> list[str]:
    """The CSP violations seen by the contexts of `phone` and `desk` in this test (none allowed)."""
    return []


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Any


@contextmanager
def serve(app: Any) -> Iterator[LiveServer]:
    """`app` at http://127.0.0.1:<free port> in a background thread, until the block ends."""
    from werkzeug.serving import make_server

    from server.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def fresh_app(sqlite_template: Path, folder: Path) -> Any:
    """The app on its own copy of the migrated SQLite template, with its blobs in `folder`."""
    from server import create_app

    if not PWA_INDEX.is_file():
        skip_or_fail(f"the PWA is not built ({PWA_INDEX} missing): run `make pwa`")
    path = folder / "live.sqlite"
    shutil.copy(sqlite_template, path)
    return create_app(_config(f"sqlite:///{path}", folder))


@pytest.fixture(scope="session")
def live_server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app at http://127.0.0.1:<port>, shared by the session's browser tests."""
    with serve(fresh_app(sqlite_template, tmp_path_factory.mktemp("live-server"))) as server:
        yield server


@pytest.fixture(scope="session")
def demo_server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A second server holding the demo of `make run` (seed-demo), for tests of the demo itself."""
    from server.demo.seed import seed_demo_data

    app = fresh_app(sqlite_template, tmp_path_factory.mktemp("demo-server"))
    with app.app_context():
        assert seed_demo_data() is not None
    with serve(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian (Playwright's own download does not work here)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright is not installed (pip install -r requirements.lock)")
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    manager = sync_playwright().start()
    try:
        try:
            chromium = manager.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            skip_or_fail(f"Chromium did not start: {exc.message.splitlines()[0]}")
        yield chromium
        chromium.close()
    finally:
        manager.stop()


@pytest.fixture
def phone(browser: Any, live_server: LiveServer, csp_violations: list[str]) -> Iterator[Callable[..., Any]]:
    """A factory: `phone(locale="de-DE", **options)` → a fresh 360×640 phone context on the live server."""
    from server.extensions import limiter

    # Every phone comes from 127.0.0.1: without a reset, the enrolment limit (10 a minute, against
    # guessing codes) is used up by the session's earlier tests rather than by this one.
    with live_server.app.app_context():
        limiter.reset()
    contexts: list[Any] = []

    def make(locale: str = "de-DE", **options: Any) -> Any:
        settings: dict[str, Any] = {
            "viewport": {"width": 360, "height": 640},
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
            "locale": locale,
            "base_url": live_server.url,
            "user_agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                          "Chrome/156.0.0.0 Mobile Safari/537.36",
        }
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        watch_csp(context, csp_violations)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert csp_violations == [], "\n".join(csp_violations)


@pytest.fixture
def desk(browser: Any, csp_violations: list[str]) -> Iterator[Callable[..., Any]]:
    """A factory: `desk(server, email, password)` → a page of a coordinator signed in at a desktop
    (1280×900, German), on the dashboard; the contexts it made are closed after the test."""
    import re

    contexts: list[Any] = []

    def sign_in(server: LiveServer, email: str, password: str) -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE", base_url=server.url)
        context.set_default_timeout(10_000)
        watch_csp(context, csp_violations)
        contexts.append(context)
        page = context.new_page()
        page.goto("/coordinator/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit].primary")
        page.wait_for_url(re.compile(r"/coordinator/$"))
        return page

    yield sign_in
    for context in contexts:
        context.close()
    assert csp_violations == [], "\n".join(csp_violations)


@pytest.fixture
def artifacts() -> Path:
    """test-artifacts/ at the repo root (git-ignored): screenshots to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
