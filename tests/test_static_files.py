"""Static files as the phone gets them: precompressed (brotli, gzip), revalidated or cached for good.

Through the test client, i.e. the WSGI app as gunicorn and `flask run` run it (WhiteNoise wraps it:
server/static_files.py). Needs the built PWA and charts (`make setup`).
"""

from __future__ import annotations

import gzip
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import pytest

from server.static_files import APP_DIR, COORDINATOR_STATIC_DIR, serve_build
from tests.conftest import _config, skip_or_fail

YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def static_app(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One app for the module: serving files touches no database, so SQLite alone is enough."""
    from server import create_app

    if not (APP_DIR / "index.html").is_file() or not (COORDINATOR_STATIC_DIR / "charts" / "charts.js").is_file():
        skip_or_fail("the PWA or the charts are not built: run `make setup`")
    folder = tmp_path_factory.mktemp("static")
    shutil.copy(sqlite_template, folder / "db.sqlite")
    yield create_app(_config(f"sqlite:///{folder / 'db.sqlite'}", folder))


@pytest.fixture
def client(static_app: Any) -> Any:
    return static_app.test_client()


def main_script() -> str:
    html = (APP_DIR / "index.html").read_text()
    return re.search(r'src="(/assets/index-[\w-]+\.js)"', html).group(1)  # type: ignore[union-attr]


def file_bytes(url: str) -> bytes:
    return (APP_DIR / url.lstrip("/")).read_bytes()


def test_main_script_is_brotli_when_the_browser_accepts_it(client) -> None:
    url = main_script()
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert int(response.headers["Content-Length"]) == len(response.data) < len(file_bytes(url)) / 3
    assert brotli.decompress(response.data) == file_bytes(url)


def test_gzip_for_a_browser_without_brotli_and_plain_for_none(client) -> None:
    url = main_script()
    gzipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gzipped.data) == file_bytes(url)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.data == file_bytes(url)
    assert plain.headers["Vary"] == "Accept-Encoding"  # a shared cache must keep the variants apart


def test_hashed_assets_are_cached_for_good(client) -> None:
    for url in (main_script(), "/" + next((APP_DIR / "assets").glob("*.css")).relative_to(APP_DIR).as_posix(),
                "/" + next(APP_DIR.glob("workbox-*.js")).name):
        cache = client.get(url).headers["Cache-Control"]
        assert "immutable" in cache and "public" in cache, url
        assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= YEAR, url  # type: ignore[union-attr]


@pytest.mark.parametrize("url", ["/", "/index.html", "/enroll", "/today", "/settings", "/sw.js",
                                 "/manifest.webmanifest", "/locales/de.json", "/locales/ar.json",
                                 "/icons/icon-192.png"])
def test_entry_points_are_revalidated_every_time(client, url: str) -> None:
    """What names the current release must never be served from a cache unasked: index.html, the
    service worker (its update flow starts from a changed sw.js), the manifest and the catalogs."""
    response = client.get(url, headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    etag = response.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_shell_is_compressed_under_every_app_route(client) -> None:
    shell = file_bytes("/index.html")
    for url in ("/", "/enroll", "/history", "/index.html"):
        response = client.get(url, headers={"Accept-Encoding": "br"})
        assert response.headers["Content-Encoding"] == "br", url
        assert response.headers["Content-Type"].startswith("text/html")
        assert brotli.decompress(response.data) == shell, url


def test_precache_requests_with_a_revision_query_get_the_file(client) -> None:
    # Workbox fetches unhashed entries as `locales/de.json?__WB_REVISION__=<md5>`.
    response = client.get("/locales/de.json?__WB_REVISION__=4222d3a3", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert gzip.decompress(response.data) == file_bytes("/locales/de.json")


def test_manifest_has_its_media_type(client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.headers["Content-Type"] == "application/manifest+json"
    assert response.get_json(force=True)["start_url"] == "/"


def test_coordinator_files_are_compressed_and_revalidated(client) -> None:
    for url, name in (("/coordinator/static/coordinator.css", "coordinator.css"),
                      ("/coordinator/static/charts/charts.js", "charts/charts.js")):
        response = client.get(url, headers={"Accept-Encoding": "gzip, br"})
        assert response.status_code == 200, url
        assert response.headers["Content-Encoding"] == "br"
        assert response.headers["Cache-Control"] == "no-cache"
        assert brotli.decompress(response.data) == (COORDINATOR_STATIC_DIR / name).read_bytes()


def test_unknown_and_escaping_paths_are_404(client) -> None:
    for url in ("/assets/nope.js", "/assets/../../config.py", "/../server/config.py", "/locales/xx.json",
                "/index.html.br", "/coordinator/static/../views.py"):
        assert client.get(url).status_code == 404, url


def test_other_methods_are_refused_translated(client) -> None:
    response = client.post(main_script(), headers={"Accept-Language": "de"})
    assert response.status_code == 405
    assert "nicht erlaubt" in response.get_data(as_text=True)
    assert client.post("/enroll").status_code == 405


def test_a_new_build_is_served_after_serve_build(static_app, client, tmp_path: Path) -> None:
    release = tmp_path / "release"
    shutil.copytree(APP_DIR, release)
    (release / "index.html").write_text("<!doctype html><title>release 2</title>")
    for stale in release.glob("index.html.*"):
        stale.unlink()
    try:
        serve_build(static_app, release)
        response = client.get("/enroll", headers={"Accept-Encoding": "br"})
        assert response.get_data(as_text=True) == "<!doctype html><title>release 2</title>"
        assert "Content-Encoding" not in response.headers  # no stale variant of the old shell
    finally:
        serve_build(static_app, APP_DIR)
    assert client.get("/enroll").data == file_bytes("/index.html")
