/**
 * Build of the guide's app into ../server/static/app, which Flask serves at `/` (server/web.py).
 *
 * Service worker (Workbox `generateSW` through vite-plugin-pwa) — the caching strategy:
 *  - PRECACHE the app shell: index.html, every JS/CSS chunk, the icons, the manifest and every
 *    language's catalog (`locales/<code>.json`). Each entry carries a revision (content hash), so a new
 *    build replaces exactly what changed and the app starts with no network in every language. The
 *    shell is small (tens of KB) — large or rarely used assets must stay out of `globPatterns`.
 *  - NAVIGATIONS (`/`, `/enroll`, `/today`, …) are answered with the precached index.html, the SPA
 *    routes itself. Never for `/api/` (JSON; a cached HTML page there would be read as data) and never
 *    for `/coordinator/` (server-rendered pages for the office, online only) or `/healthz`.
 *  - NO runtime caching of API responses: records live in IndexedDB (src/data/), where the app can
 *    tell saved from synced; a second, invisible copy in the Cache API could only go stale.
 *  - UPDATES: `registerType: "prompt"`, `skipWaiting: false` — a new worker installs next to the old
 *    one and WAITS instead of taking over mid-session. The app (src/app/shell/serviceWorker.ts, which
 *    also registers the worker — hence `injectRegister: false`) shows "A new version is ready — update
 *    now"; only the guide's tap sends SKIP_WAITING (the generated worker listens for it) and reloads,
 *    and never while a form holds unsaved input (docs/ARCHITECTURE.md §4.7). IndexedDB is untouched by an
 *    update; a new Dexie schema version migrates it when the new code opens it (src/data/db.ts).
 *  - FIRST VISIT: `clientsClaim: true` — the very first worker takes over the page that installed it,
 *    so a guide who enrols at the office and walks into a basement can open every screen (the lazy
 *    chunks come from the precache). It changes nothing for updates: those still wait for the tap.
 *  - NOT precached: the manifest's screenshots (public/screenshots/), only the install dialog shows them.
 *  - PUSH: the generated worker imports sw-push.js (`importScripts`), built from src/sw/push.ts as a
 *    classic script after the app (`serviceWorkerPush` below): notifications built on the phone from
 *    IndexedDB in the guide's language (its strings: the catalog part `locales/<code>/sw.json`). The
 *    browser keeps imported scripts with the worker and checks them on every update, so it needs no
 *    precache entry.
 */

import preact from "@preact/preset-vite";
import { build, defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

import { locales } from "./scripts/locales-plugin.ts";

const THEME = "#0f766e";
const OUT_DIR = "../server/static/app";

/** Build src/sw/push.ts into sw-push.js (one classic script, no imports) once the app is built. */
function serviceWorkerPush(): Plugin {
  return {
    name: "lotsenbuch-sw-push",
    apply: "build",
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: "warn",
        define: { __LOCALES__: "[]" },
        build: {
          outDir: OUT_DIR, emptyOutDir: false, target: "es2020", copyPublicDir: false, minify: true,
          lib: { entry: "src/sw/push.ts", formats: ["iife"], name: "lotsenbuchPush", fileName: () => "sw-push.js" },
        },
      });
    },
  };
}

export default defineConfig({
  plugins: [
    preact(),
    locales("../locales", { sw: "src/sw" }),
    serviceWorkerPush(),
    VitePWA({
      registerType: "prompt",
      injectRegister: false,
      includeManifestIcons: false, // globPatterns below already precaches every icon once
      manifest: {
        name: "Lotsenbuch",
        short_name: "Lotsenbuch",
        description: "Logbook for volunteer integration guides (Integrationslotsen)",
        lang: "de",
        start_url: "/",
        scope: "/",
        id: "/",
        display: "standalone",
        orientation: "portrait",
        theme_color: THEME,
        background_color: "#ffffff",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
        // Made by scripts/make_screenshot.py from the built app (the Today screen at 360×640).
        screenshots: [
          {
            src: "/screenshots/today-narrow.png", sizes: "360x640", type: "image/png", form_factor: "narrow",
            label: "Lotsenbuch: today's sync state, hours this month and the accompaniment timer",
          },
        ],
      },
      workbox: {
        // manifest.webmanifest is added by the plugin itself.
        globPatterns: ["**/*.{html,js,css,json,png}"],
        globIgnores: ["screenshots/**", "sw-push.js"],
        importScripts: ["sw-push.js"],
        navigateFallback: "index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/coordinator(\/|$)/, /^\/healthz$/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: false,
      },
    }),
  ],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: "es2020",
    reportCompressedSize: true,
  },
});
