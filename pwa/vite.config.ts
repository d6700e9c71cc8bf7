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
 *  - UPDATES: `registerType: "prompt"` — a new worker waits until every tab of the app is closed
 *    instead of taking over mid-session, so an update never interrupts a half-typed entry
 *    (CONVENTIONS §12). A visible "update ready" prompt can hook into `virtual:pwa-register` later.
 */

import preact from "@preact/preset-vite";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

import { locales } from "./scripts/locales-plugin.ts";

const THEME = "#0f766e";

export default defineConfig({
  plugins: [
    preact(),
    locales("../locales"),
    VitePWA({
      registerType: "prompt",
      injectRegister: "script-defer",
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
      },
      workbox: {
        // manifest.webmanifest is added by the plugin itself.
        globPatterns: ["**/*.{html,js,css,json,png}"],
        navigateFallback: "index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/coordinator(\/|$)/, /^\/healthz$/],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
      },
    }),
  ],
  build: {
    outDir: "../server/static/app",
    emptyOutDir: true,
    target: "es2020",
    reportCompressedSize: true,
  },
});
