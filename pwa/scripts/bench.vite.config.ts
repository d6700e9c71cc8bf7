// Builds src/bench.ts (the app's data layer for bench/pwa_bench.py) into $BENCH_OUT as one ES module.
import { defineConfig } from "vite";

export default defineConfig({
  root: new URL("..", import.meta.url).pathname,
  publicDir: false,
  define: { __LOCALES__: "[]" },
  build: {
    outDir: process.env.BENCH_OUT ?? "bench-build",
    emptyOutDir: true,
    target: "es2020",
    lib: { entry: "src/bench.ts", formats: ["es"], fileName: "bench" },
  },
});
