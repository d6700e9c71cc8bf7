"""Static files from the app itself: WhiteNoise wraps the WSGI app (under `flask run` and gunicorn alike).

What it serves: the built PWA at `/` (server/static/app) and the coordinator pages' files at
`/coordinator/static/` (their CSS, small scripts, the charts build). Both builds are precompressed by
the Makefile (`python -m whitenoise.compress`: `.br` and `.gz` next to each file), so a response is a
file read, never a compression; WhiteNoise picks the variant the browser accepts and sends
`Content-Encoding` and `Vary: Accept-Encoding`, an ETag and Last-Modified (304s).

Caching, as the service worker's update flow needs it (pwa/vite.config.ts):
* `/assets/*` and `workbox-<hash>.js` carry a content hash in their names: cached for good (immutable).
* Everything else — index.html (and the app's routes, which answer with it), sw.js, the manifest, the
  catalogs' entry points `/locales/<code>.json`, icons, the coordinator's files — is `no-cache`: the
  browser revalidates (a 304 is cheap), so a new release is seen at once; Workbox's precache asks for
  these with its own `__WB_REVISION__` query, which WhiteNoise ignores.

Files are looked up in a table made at the first request (a dict look-up per request after that; made
lazily because an app that never serves a file, as in most tests, should not pay for reading the
folders); after a new build, restart gunicorn. The development server (`flask run`, `--debug`) looks on disk at every request
instead, so `make pwa` takes effect without a restart.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.headers import Headers

from flask import Flask
from whitenoise import WhiteNoise

PACKAGE_DIR = Path(__file__).resolve().parent
APP_DIR = PACKAGE_DIR / "static" / "app"
COORDINATOR_STATIC_DIR = PACKAGE_DIR / "coordinator" / "static"
COORDINATOR_STATIC_PREFIX = "/coordinator/static/"
# Paths the PWA routes itself (pwa/src/app/router.ts); the server answers each with the app shell.
APP_ROUTES = frozenset({"enroll", "today", "log", "expenses", "assignments", "history", "settings", "timer",
                        "messages", "money", "courses"})
HASHED = re.compile(r"^/assets/|^/workbox-[0-9a-f]{8}\.js$")
SERVED_METHODS = frozenset({"GET", "HEAD"})
SHELL = "/index.html"
# Not in WhiteNoise's table: Chromium checks installability against the manifest's type.
MEDIA_TYPES = {".webmanifest": "application/manifest+json"}


def _immutable(_path: str, url: str) -> bool:
    return bool(HASHED.search(url))


def _revalidate_the_rest(headers: Headers, url: str) -> None:
    if not HASHED.search(url):
        headers["Cache-Control"] = "no-cache"


class StaticFiles(WhiteNoise):  # type: ignore[misc]
    """WhiteNoise, plus: `/` and the app's routes answer with the shell (index.html), and only GET and
    HEAD are its business (anything else goes on to Flask, whose 405 is translated)."""

    def __init__(self, application: Callable[..., Any], pwa_dir: Path, *, autorefresh: bool,
                 extra_headers: dict[str, str]) -> None:
        # The files bypass Flask's after-request hooks: the security headers (server/security_headers.py)
        # are added here, so `/` and every file carry them too.
        def add_headers(headers: Headers, _path: str, url: str) -> None:
            _revalidate_the_rest(headers, url)
            for key, value in extra_headers.items():
                headers[key] = value

        super().__init__(application, autorefresh=autorefresh, max_age=None, allow_all_origins=False, mimetypes=MEDIA_TYPES,
                         immutable_file_test=_immutable, add_headers_function=add_headers)
        self.serve_build(pwa_dir)

    def serve_build(self, pwa_dir: Path) -> None:
        """Serve the PWA from `pwa_dir` from now on (start-up; tests publish a new release this way)."""
        self.pwa_dir = Path(pwa_dir)
        self._scan_lock = threading.Lock()
        self._scanned = False

    def _scan(self) -> None:
        with self._scan_lock:
            if self._scanned:
                return
            self.files = {}
            self.directories = []
            for root, prefix in self._roots():
                # A folder not built yet is simply not served (web.py then says how to build it).
                if self.autorefresh or root.is_dir():
                    self.add_files(str(root), prefix)
            self._scanned = True

    def _roots(self) -> Iterable[tuple[Path, str]]:
        yield self.pwa_dir, "/"
        yield COORDINATOR_STATIC_DIR, COORDINATOR_STATIC_PREFIX

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD") not in SERVED_METHODS:
            return self.application(environ, start_response)
        if not self._scanned:
            self._scan()
        path = environ.get("PATH_INFO", "")
        if path == "/" or path[1:].split("/", 1)[0] in APP_ROUTES:
            # The shell under its own name too: Workbox precaches "index.html" (no redirect to "/").
            shell = self.find_file(SHELL) if self.autorefresh else self.files.get(SHELL)
            if shell is not None:
                return self.serve(shell, environ, start_response)
        return super().__call__(environ, start_response)


def install_static_files(app: Flask) -> StaticFiles:
    """Wrap `app.wsgi_app`; the wrapper is also kept as `app.extensions["static_files"]`."""
    # `flask run` (FLASK_RUN_FROM_CLI is Flask's own marker for its command line) or debug mode: look on
    # disk at every request, so a rebuild is picked up; gunicorn and tests use the start-up table.
    autorefresh = app.debug or os.environ.get("FLASK_RUN_FROM_CLI") == "true"
    from server.security_headers import security_headers

    static = StaticFiles(app.wsgi_app, Path(app.config.get("PWA_DIR", APP_DIR)), autorefresh=autorefresh,
                         extra_headers=security_headers(bool(app.config.get("SESSION_COOKIE_SECURE"))))
    app.wsgi_app = static  # type: ignore[method-assign]
    app.extensions["static_files"] = static
    return static


def serve_build(app: Flask, pwa_dir: Path) -> None:
    """Switch the app to another build of the PWA (the update tests publish releases this way)."""
    app.config["PWA_DIR"] = str(pwa_dir)
    app.extensions["static_files"].serve_build(pwa_dir)
