"""The guide's app on a phone: first-screen weight, offline start, save, History and pull times.

Run from the repo root after `make pwa`: `.venv/bin/python bench/pwa_bench.py` (needs Debian's Chromium
at /usr/bin/chromium and `npm ci` in pwa/). Prints figures, next to their target and, where it means
something, a floor: the same work done with bare IndexedDB calls, i.e. what no code of ours can beat.

Everything runs in headless Chromium at 360×640 with the CPU slowed down 4× (CDP
`Emulation.setCPUThrottlingRate`), roughly an old Android phone. The built app is served from disk by
a small local server with the two API calls stubbed — the app's time is measured, not the server's.
Save, History and pull use the app's own code: the built app, and for the data layer a bundle of
pwa/src/data/ made from pwa/src/bench.ts (built here into a temp folder).
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "server" / "static" / "app"
CHROMIUM = "/usr/bin/chromium"
APP_ROUTES = ("/enroll", "/today", "/log", "/expenses", "/assignments", "/history", "/settings")
THROTTLE = 4
RUNS = 5
KB = 1024

ENROLMENT = {"token": "bench", "device_id": "bench", "guide": {"id": "g", "name": "Bench"},
             "organization": {"id": "o", "name": "Bench"}}


def make_server(bench_dir: Path) -> ThreadingHTTPServer:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(BUILD), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

        def send_bytes(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path in ("/", *APP_ROUTES):
                self.send_bytes((BUILD / "index.html").read_bytes(), "text/html; charset=utf-8")
            elif path == "/bench/bench.js":
                self.send_bytes((bench_dir / "bench.js").read_bytes(), "text/javascript")
            else:
                super().do_GET()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/api/v1/enroll"):
                self.send_bytes(json.dumps(ENROLMENT).encode(), "application/json", 201)
            else:
                body = {"results": [], "changes": [], "cursor": "c0", "has_more": False}
                self.send_bytes(json.dumps(body).encode(), "application/json")

    SimpleHTTPRequestHandler.extensions_map[".webmanifest"] = "application/manifest+json"
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build_data_bundle(out: Path) -> None:
    subprocess.run(["npx", "vite", "build", "-c", "scripts/bench.vite.config.ts", "--logLevel", "error"],
                   cwd=ROOT / "pwa", env=dict(os.environ, BENCH_OUT=str(out)), check=True)


def line(name: str, value: str, target: str = "", floor: str = "") -> None:
    print(f"  {name:<52} {value:>12}   {('target ' + target) if target else '':<16} {floor}")


def throttle(context: Any, page: Any) -> Any:
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
    return cdp


# ---- in-page measurements ----------------------------------------------------------------------------

SAVE_MEETINGS = """async (n) => {
  const { db, saveRecord } = window.lotsenbuchBench;
  await db.records.clear(); await db.outbox.clear();
  const fields = (i) => ({ date: "2026-11-20", minutes: 45 + (i % 60), kind: "meeting", assignment_id: null,
    district: null, travel_km: null, note: "Elternabend Grundschule", needs_professional_help: false });
  for (let i = 0; i < 5; i++) await saveRecord("activity", undefined, fields(i));  // warm-up
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await saveRecord("activity", undefined, fields(i));
    times.push(performance.now() - t0);
  }
  // Floor: the same two rows, written by one bare IndexedDB transaction (no Dexie, no read first).
  const idb = db.backendDB();
  const floor = [];
  for (let i = 0; i < n; i++) {
    const id = crypto.randomUUID();
    const t0 = performance.now();
    await new Promise((done, fail) => {
      const tx = idb.transaction(["records", "outbox"], "readwrite");
      tx.objectStore("outbox").add({ id: crypto.randomUUID(), type: "activity", record_id: id,
        mutation: { id, type: "activity", record_id: id, op: "upsert", base_version: null, fields: fields(i),
                    client_time: new Date().toISOString() } });
      tx.objectStore("records").put({ type: "activity", id, version: 0, deleted: 0, data: fields(i),
                                      changed_at: new Date().toISOString() });
      tx.oncomplete = done; tx.onerror = () => fail(tx.error);
    });
    floor.push(performance.now() - t0);
  }
  await db.records.clear(); await db.outbox.clear();
  return { times, floor };
}"""

SEED_HISTORY = """async (n) => {
  const { db } = window.lotsenbuchBench;
  await db.records.clear(); await db.outbox.clear();
  const kinds = ["accompaniment", "meeting", "phone", "preparation"];
  const rows = [];
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.UTC(2026, 10, 20) - (i % 900) * 86400000).toISOString().slice(0, 10);
    rows.push({ type: "activity", id: `h-${i}`, version: 1, deleted: 0, changed_at: new Date().toISOString(),
      data: { date: day, minutes: 30 + (i % 90), kind: kinds[i % 4], note: `Termin ${i}`, state: "logged" } });
  }
  await db.records.bulkPut(rows);
  return await db.records.count();
}"""

OPEN_HISTORY = """async () => {
  const nav = [...document.querySelectorAll(".bottom-nav button")];
  const target = nav.find((b) => b.classList.contains("nav-history")) ?? nav[nav.length - 2];
  const t0 = performance.now();
  target.click();
  await new Promise((done) => {
    const check = () => (document.querySelector(".entries li") ? done() : requestAnimationFrame(check));
    check();
  });
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));  // painted
  return { ms: performance.now() - t0, rows: document.querySelectorAll(".entries li").length };
}"""

# History's read alone: its first page through the date index, against reading every entry (as before v3).
READ_HISTORY = """async (runs) => {
  const { db, historyPage } = window.lotsenbuchBench;
  const page = [], all = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    const first = await historyPage(30);
    page.push(performance.now() - t0);
    t0 = performance.now();
    const every = [...await db.records.where("type").equals("activity").toArray(),
                   ...await db.records.where("type").equals("expense").toArray()];
    every.sort((a, b) => String(b.data.date).localeCompare(String(a.data.date)));
    all.push(performance.now() - t0);
    if (first.records.length !== 30 || every.length !== first.total) throw new Error("history read mismatch");
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { page: median(page), all: median(all) };
}"""

APPLY_PULL = """async ({ total, page }) => {
  const { db, applyResponse } = window.lotsenbuchBench;
  await db.records.clear(); await db.outbox.clear();
  const change = (i) => ({ type: "activity", record_id: `p-${i}`, version: 1 + (i % 3), deleted: false,
    data: { date: "2026-11-20", minutes: 30 + (i % 90), kind: "meeting", assignment_id: null, district: null,
            travel_km: null, note: `Termin ${i}`, needs_professional_help: false, state: "logged" } });
  const pages = [];
  for (let start = 0; start < total; start += page) {
    const changes = [];
    for (let i = start; i < Math.min(total, start + page); i++) changes.push(change(i));
    pages.push({ results: [], changes, cursor: `c${start}`, has_more: start + page < total });
  }
  const t0 = performance.now();
  for (const response of pages) await applyResponse([], response);
  const ms = performance.now() - t0;
  const count = await db.records.count();
  // Floor: the same rows put by bare IndexedDB, one transaction per page.
  await db.records.clear();
  const idb = db.backendDB();
  const f0 = performance.now();
  for (const response of pages) {
    await new Promise((done, fail) => {
      const tx = idb.transaction(["records", "meta"], "readwrite");
      const store = tx.objectStore("records");
      for (const c of response.changes) store.put({ type: c.type, id: c.record_id, version: c.version,
        deleted: 0, data: c.data, changed_at: "2026-11-20T00:00:00Z" });
      tx.objectStore("meta").put({ key: "cursor", value: response.cursor });
      tx.oncomplete = done; tx.onerror = () => fail(tx.error);
    });
  }
  const floor = performance.now() - f0;
  await db.records.clear();
  return { ms, floor, count };
}"""

WATCH_USABLE = """new MutationObserver((_, observer) => {
  if (document.querySelector('[data-testid="sync-state"]')) {
    window.__usable = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });"""


def first_screen_bytes(page: Any, suffixes: tuple[str, ...] = (".js", ".css")) -> tuple[int, list[tuple[str, int]]]:
    """Gzipped size of every file of these kinds the page loaded (as Vite reports it: gzip level 9)."""
    urls = page.evaluate("[location.href, ...performance.getEntriesByType('resource').map((e) => e.name)]")
    files: list[tuple[str, int]] = []
    for url in urls:
        path = "/" + url.split("/", 3)[3].split("?")[0] if url.count("/") >= 3 else ""
        if path.endswith(suffixes) and (BUILD / path.lstrip("/")).is_file():
            files.append((path, len(gzip.compress((BUILD / path.lstrip("/")).read_bytes(), 9))))
    return sum(size for _, size in files), files


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not (BUILD / "index.html").is_file():
        sys.exit(f"{BUILD} has no build: run `make pwa` first")
    with tempfile.TemporaryDirectory() as tmp:
        build_data_bundle(Path(tmp))
        server = make_server(Path(tmp))
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2,
                                          is_mobile=True, has_touch=True, locale="de-DE", base_url=base)
            context.set_default_timeout(30_000)
            page = context.new_page()
            page.goto("/enroll#code=BENCH")
            page.locator("form button[type=submit]").click()
            page.get_by_test_id("sync-state").wait_for()
            page.evaluate("navigator.serviceWorker.ready")
            page.wait_for_function("navigator.serviceWorker.controller !== null")

            print(f"PWA benchmark — headless Chromium, 360×640, CPU throttled {THROTTLE}×, build {BUILD.relative_to(ROOT)}")
            # 1. Weight of the first screen (Today, as a guide opens the app every day).
            page.goto("/today")
            page.get_by_test_id("sync-state").wait_for()
            page.wait_for_load_state("networkidle")
            total, files = first_screen_bytes(page)
            line("first screen JS + CSS, gzipped", f"{total / KB:.1f} KB", "≤ 60 KB")
            for path, size in files:
                print(f"      {path:<48} {size / KB:6.1f} KB")
            # The catalog comes in parts (pwa/scripts/locales-plugin.ts): Today needs only the main one.
            catalog, parts = first_screen_bytes(page, (".json",))
            whole = sum(len(gzip.compress(f.read_bytes(), 9)) for f in (BUILD / "locales").glob("de/*.json"))
            line("first screen catalog (German), gzipped", f"{catalog / KB:.1f} KB", "",
                 f"{', '.join(p for p, _ in parts)}; the screens' parts add {whole / KB:.1f} KB when opened")

            # 2. Offline start served by the service worker.
            context.set_offline(True)
            context.add_init_script(WATCH_USABLE)
            cdp = throttle(context, page)
            starts = []
            for _ in range(RUNS):
                page.goto("/today")
                page.get_by_test_id("sync-state").wait_for()
                starts.append(page.evaluate("window.__usable"))
            assert page.evaluate("navigator.serviceWorker.controller !== null")
            line(f"offline start to usable Today (median of {RUNS})", f"{statistics.median(starts):.0f} ms",
                 "≤ 1000 ms", "runs: " + " ".join(f"{v:.0f}" for v in starts))

            # 3–5. The data layer, loaded into the running app (same IndexedDB; a page of its own would be
            # answered with the app shell by the service worker), still throttled.
            context.set_offline(False)
            bench = page
            bench.goto("/settings")
            bench.add_script_tag(url="/bench/bench.js", type="module")
            bench.wait_for_function("window.lotsenbuchBench !== undefined")
            saved = bench.evaluate(SAVE_MEETINGS, 50)
            times, floor = sorted(saved["times"]), sorted(saved["floor"])
            line("save one meeting (record + outbox committed), median", f"{statistics.median(times):.1f} ms",
                 "≤ 50 ms", f"floor (bare IndexedDB) {statistics.median(floor):.1f} ms")
            line("save one meeting, 95th percentile", f"{times[int(len(times) * 0.95) - 1]:.1f} ms", "",
                 f"floor {floor[int(len(floor) * 0.95) - 1]:.1f} ms")

            pull = bench.evaluate(APPLY_PULL, {"total": 10_000, "page": 500})
            seeded = bench.evaluate(SEED_HISTORY, 5000)
            read = bench.evaluate(READ_HISTORY, RUNS)
            history = []
            page.goto("/today")
            page.get_by_test_id("sync-state").wait_for()
            page.evaluate(OPEN_HISTORY)  # warm-up: loads the History chunk once
            for _ in range(RUNS):
                page.evaluate("document.querySelector('.bottom-nav button').click()")
                page.get_by_test_id("sync-state").wait_for()
                history.append(page.evaluate(OPEN_HISTORY))
            ms = [h["ms"] for h in history]
            line(f"History of {seeded} entries on screen (median of {RUNS})", f"{statistics.median(ms):.0f} ms",
                 "≤ 200 ms", f"{history[0]['rows']} rows drawn, the next pages on scrolling or “show more”")
            line("  of which: read the first page (date index)", f"{read['page']:.1f} ms", "",
                 f"reading and sorting all {seeded} (before v3): {read['all']:.0f} ms")

            line("apply a pull of 10,000 records (20 pages of 500)", f"{pull['ms']:.0f} ms", "",
                 f"floor (bare IndexedDB puts) {pull['floor']:.0f} ms; {pull['count']} stored")
            cdp.detach()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
