// Entry of the benchmark bundle only (bench/pwa_bench.py builds it with scripts/bench.vite.config.ts);
// never part of the app. It hands the benchmark the app's own data layer — the same Dexie schema,
// save and pull code — so the figures are those of the shipped code, not of a re-implementation.
import { db } from "./data/db";
import { historyPage } from "./data/history";
import { saveRecord } from "./data/records";
import { applyResponse } from "./data/sync";

declare global {
  interface Window {
    lotsenbuchBench: {
      db: typeof db; saveRecord: typeof saveRecord; applyResponse: typeof applyResponse; historyPage: typeof historyPage;
    };
  }
}

window.lotsenbuchBench = { db, saveRecord, applyResponse, historyPage };
