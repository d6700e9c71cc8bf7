"""Take the manifest's screenshot of the built app (run from the repo root after `make pwa`:
.venv/bin/python pwa/scripts/make_screenshot.py, then build again so the PNG is copied; commit it).

Chromium shows it in the richer install dialog ("narrow" = phone). It is the Today screen of a demo
guide at 360×640, CSS pixels = image pixels, reduced to a small palette so the PNG stays a few tens of
KB. No server is needed: the built files are answered from disk and the two API calls are stubbed.
The image is not precached (vite.config.ts `globIgnores`): only the install dialog fetches it.
"""

from __future__ import annotations

import io
import json
import mimetypes
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "server" / "static" / "app"
OUT = ROOT / "pwa" / "public" / "screenshots" / "today-narrow.png"
ORIGIN = "http://lotsenbuch.localhost"
SPA_ROUTES = ("/enroll", "/today", "/log", "/expenses", "/assignments", "/history", "/settings")

ENROLMENT = {
    "token": "demo", "device_id": "demo",
    "guide": {"id": "g", "name": "Amira Haddad"}, "organization": {"id": "o", "name": "VHS Hannover"},
}


def demo_changes() -> list[dict[str, Any]]:
    from datetime import date

    month = date.today().strftime("%Y-%m")
    rows = [(90, "accompaniment"), (45, "meeting"), (120, "accompaniment"), (30, "phone")]
    changes = [{"type": "activity", "record_id": f"a{i}", "version": 1, "deleted": False,
                "data": {"date": f"{month}-0{i + 1}", "minutes": m, "kind": k, "state": "logged"}}
               for i, (m, k) in enumerate(rows)]
    changes.append({"type": "expense", "record_id": "e1", "version": 1, "deleted": False,
                    "data": {"date": f"{month}-02", "category": "public_transport", "amount_cents": 680,
                             "state": "open"}})
    return changes


def serve(route: Any) -> None:
    path = route.request.url.removeprefix(ORIGIN).split("?")[0].split("#")[0]
    if path == "/api/v1/enroll":
        route.fulfill(status=201, content_type="application/json", body=json.dumps(ENROLMENT))
        return
    if path == "/api/v1/sync":
        body = {"results": [], "changes": demo_changes(), "cursor": "c1", "has_more": False}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))
        return
    target = BUILD / ("index.html" if path in ("/", *SPA_ROUTES) else path.lstrip("/"))
    if not target.is_file():
        route.fulfill(status=404, body="")
        return
    route.fulfill(status=200, body=target.read_bytes(),
                  content_type=mimetypes.guess_type(target.name)[0] or "application/octet-stream")


def main() -> None:
    if not (BUILD / "index.html").is_file():
        raise SystemExit(f"{BUILD} has no build: run `make pwa` first")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1,
                                      is_mobile=True, has_touch=True, locale="de-DE",
                                      service_workers="block", color_scheme="light")
        context.route(f"{ORIGIN}/**", serve)
        page = context.new_page()
        page.goto(f"{ORIGIN}/enroll#code=DEMO-CODE-0000")
        page.get_by_role("button", name="Dieses Handy anmelden").click()
        page.get_by_text("Alles synchronisiert").wait_for()
        page.get_by_text("4:45 h").wait_for()
        png = page.screenshot()
        browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64, dither=Image.Dither.NONE)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    image.save(OUT, optimize=True)
    print(f"{OUT.relative_to(ROOT)}: {image.size[0]}×{image.size[1]}, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
