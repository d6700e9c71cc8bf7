/**
 * Second, separate build: the charts of the coordinator's server-rendered pages
 * (coordinator-charts/ → ../server/coordinator/static/charts/charts.js, one ES module, no hash in the
 * name: Flask serves it from the blueprint's static folder). It shares nothing with the guide's app,
 * so the app's bundle and its service worker's precache stay as they are.
 */

import { resolve } from "node:path";

import { defineConfig } from "vite";

export default defineConfig({
  publicDir: false,
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: resolve(import.meta.dirname, "../server/coordinator/static/charts"),
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    minify: true,
    modulePreload: false,
    rolldownOptions: {
      input: resolve(import.meta.dirname, "coordinator-charts/charts.ts"),
      output: { entryFileNames: "charts.js", chunkFileNames: "[name].js", format: "es" },
    },
  },
});
