/**
 * The data layer's own tests (pwa/test/): src/data against the real server, in Node with
 * fake-indexeddb. `npm run test`; `make test` runs it after the type checks.
 */

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/globalSetup.ts"],
    setupFiles: ["test/setup.ts"],
    // One server, one SQLite file: the files run one after another, their tests in order.
    fileParallelism: false,
    testTimeout: 60_000, // generous: the shared machine may be busy with other runs
    hookTimeout: 60_000,
  },
});
