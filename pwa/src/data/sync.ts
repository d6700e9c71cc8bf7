/**
 * The sync client: the phone's side of POST /api/v1/sync (sync/PROTOCOL.md), mirroring the reference
 * client sync/client.py step for step.
 *
 * Nothing is stored here; it moves data between the server and the tables of db.ts:
 *  - PUSH: the oldest outbox entries (up to BATCH) go out with the cursor. A mutation leaves `outbox`
 *    only when a result for it arrived, whatever its status; after a network error, a timeout or a
 *    5xx the SAME mutations with the SAME ids are sent again (the server answers a replay with the
 *    original result), with backoff 2 s, 4 s, … up to 5 min.
 *  - PULL: each page of `changes` and its `cursor` are applied in ONE transaction, so a page is either
 *    fully in IndexedDB with its cursor or not at all. A change never overwrites a record that still
 *    has mutations waiting: the next push sends them and the server merges.
 *  - The loop runs while `has_more`, and once more after a round trip that pushed: the server
 *    publishes a request's own mutations when it commits, so their server versions arrive on the
 *    next pull (PROTOCOL §4). A new phone asks for pages as large as the protocol allows
 *    (CATCH_UP_LIMIT); and while a phone catches up with nothing to push, the next page is asked for
 *    (with the cursor the current page ends at) while the current one is written, so a first sync
 *    waits for the server and for IndexedDB at the same time instead of in turn
 *    (bench/phone_first_sync_bench.py).
 *  - RECEIPTS follow their expense (data/receiptSync.ts): a blob is PUT only once the expense that lists
 *    it has synced; a file the server refuses for good is marked and skipped, the others carry on; a
 *    paid expense's uploaded photos are pruned from the phone.
 *  - 409 `feed_rewound`: the server was restored from a backup. The journal of acknowledged mutations
 *    (`sent`, kept JOURNAL_DAYS) goes back into the outbox with the same ids, the cursor is dropped,
 *    every confirmed record is marked `unconfirmed` and receipts are uploaded again; the re-pull
 *    confirms what the server has, and what it does not is removed at the end (PROTOCOL §10).
 *  - 401 `device_revoked`: the phone was declared lost — the app tells the guide, then wipes
 *    (state "revoked"); 401 `invalid_token`: ask for a new code, keep the unsynced data.
 *
 * Triggers (startSyncing): on start, on `online`, when the app becomes visible, every few minutes
 * while open, a second after a local save (the outbox grew), and on demand (syncNow). One sync runs at a time; a request during a run is queued.
 */

import { signal } from "@preact/signals";
import { liveQuery } from "dexie";

import type { SyncRequest, SyncResponse } from "../shared/wire";
import { db, getMeta, type LocalRecord, type OutboxRow, type Problem } from "./db";
import { errorCode, request, SyncError } from "./http";
import { pruneReceipts, uploadBlobs } from "./receiptSync";

export { syncLanguage } from "./http";

const BATCH = 200;
const LIMIT = 500; // a page small enough to arrive whole on a weak signal (PROTOCOL §4)
const CATCH_UP_LIMIT = 1000; // the largest the protocol allows: a new phone catches up in fewer round trips
const WRITE_SLICE = 250;
const PERIOD_MS = 3 * 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const JOURNAL_DAYS = 60; // as sync/client.py: a backup at most this old loses nothing the phone sent
export const APP_VERSION = "0.1.0";

export type SyncStatus = "idle" | "syncing" | "offline" | "error" | "revoked" | "signed_out";

export const syncStatus = signal<SyncStatus>("idle");

/** Apply one response: acknowledge results, then the page of changes and its cursor — one transaction.
 * `catchingUp`: the phone held no record when this pull began and nothing was edited since (a new
 * phone's first sync), so every copy it holds came from this pull's earlier pages, which are older
 * than this one — no copy needs reading first (a third of a page's time).
 * (Exported for bench/pwa_bench.py, which times a pull of 10,000 records through it.) */
export async function applyResponse(sent: OutboxRow[], response: SyncResponse, catchingUp = false): Promise<void> {
  const now = new Date().toISOString();
  await db.transaction("rw", [db.records, db.outbox, db.meta, db.sent], async () => {
    const byId = new Map(response.results.map((r) => [r.id, r]));
    const recovering = (await getMeta("recovering")) === true;
    for (const row of sent) {
      const result = byId.get(row.id);
      if (!result) continue; // not answered: stays in the outbox, resent next time
      await db.outbox.delete(row.seq!);
      await db.sent.add({ mutation: row.mutation, acked_at: now });
      const key: [string, string] = [row.type, row.record_id];
      if (result.status === "rejected") {
        const error = result.error ?? { code: "unknown", message: "" };
        const problem: Problem = {
          code: error.code, message: error.message, state: error.state, fields: error.fields, at: now,
        };
        if (result.version == null) {
          // A refused create: nothing exists on the server. Keep the local copy, marked, so the
          // guide sees what was refused and why instead of the entry silently vanishing.
          await db.records.update(key, { problem, deleted: 0, unconfirmed: undefined }); // kept through a recovery
        } else {
          await db.records.update(key, { problem });
        }
      }
    }
    const busy = new Set((await db.outbox.toArray()).map((r) => `${r.type}\u0000${r.record_id}`));
    // The page in bulk (one read, one delete, one write — a page-long loop of single gets and puts was
    // 10× slower on a phone, bench/pwa_bench.py), with the same rules as change by change, in order.
    const changes = response.changes.filter((c) => !busy.has(`${c.type}\u0000${c.record_id}`)); // local edits win until pushed
    const stored = catchingUp && busy.size === 0 ? []
      : await db.records.bulkGet(changes.map((c): [string, string] => [c.type, c.record_id]));
    const outcome = new Map<string, LocalRecord | null>(); // per record: its new copy, or null = delete
    changes.forEach((change, i) => {
      const name = `${change.type}\u0000${change.record_id}`;
      const current = outcome.has(name) ? outcome.get(name) ?? undefined : stored[i];
      if (change.deleted) {
        outcome.set(name, null);
        return;
      }
      // An older copy of what we have — unless re-pulling after a restore, where the local versions
      // come from a history the server no longer has.
      if (current && current.version > change.version && !recovering) return;
      outcome.set(name, {
        type: change.type, id: change.record_id, version: change.version, deleted: 0,
        data: (change.data ?? {}) as LocalRecord["data"], problem: current?.problem, changed_at: now,
      });
    });
    const puts = [...outcome.values()].filter((r): r is LocalRecord => r !== null);
    const deletes = [...outcome].filter(([, r]) => r === null).map(([name]) => name.split("\u0000") as [string, string]);
    await db.records.bulkDelete(deletes);
    // In slices: issuing a put clones its record on the main thread, and 1,000 at once held it for a
    // long task of up to 250 ms on a busy phone; between slices a tap is answered. One transaction still.
    for (let i = 0; i < puts.length; i += WRITE_SLICE) await db.records.bulkPut(puts.slice(i, i + WRITE_SLICE));
    await db.meta.put({ key: "cursor", value: response.cursor });
    await db.meta.put({ key: "last_synced_at", value: now });
    if (sent.length) await db.sent.where("acked_at").below(new Date(Date.now() - JOURNAL_DAYS * 864e5).toISOString()).delete();
    if (recovering && sent.length === 0 && !response.has_more && busy.size === 0) {
      // The re-pull is complete and nothing waits: what it did not confirm is gone from the server.
      await db.records.filter((r) => r.unconfirmed === 1).delete();
      await db.meta.put({ key: "recovering", value: false });
    }
  });
}

/** 409 `feed_rewound` (PROTOCOL §10): replay the journal ahead of what waits, pull everything again. */
async function recover(): Promise<void> {
  await db.transaction("rw", [db.records, db.outbox, db.meta, db.sent, db.blobs], async () => {
    const journal = await db.sent.orderBy("seq").toArray();
    const waiting = await db.outbox.orderBy("seq").toArray();
    await db.outbox.clear();
    await db.outbox.bulkAdd([
      ...journal.map((j): OutboxRow => ({ id: j.mutation.id, type: j.mutation.type, record_id: j.mutation.record_id, mutation: j.mutation })),
      ...waiting.map(({ seq: _seq, ...row }) => row),
    ]);
    await db.sent.clear();
    await db.records.filter((r) => r.version > 0).modify({ unconfirmed: 1 });
    await db.blobs.filter((b) => !b.pruned && !b.refused).modify({ uploaded: 0 }); // the restore may lack them
    await db.meta.put({ key: "cursor", value: null });
    await db.meta.put({ key: "recovering", value: true });
  });
}

type Answer = SyncResponse | "invalid_cursor" | "feed_rewound";

/** POST one round trip; the answer, or a SyncError (nothing local changed). */
async function send(token: string, rows: OutboxRow[], cursor: string | null, limit = LIMIT): Promise<Answer> {
  // Always a JSON object, even with nothing to push: the server refuses a round trip without a body.
  const request_: SyncRequest = { cursor, mutations: rows.map((r) => r.mutation), limit, app_version: APP_VERSION };
  const body = JSON.stringify(request_);
  const { status, json } = await request("POST", "/api/v1/sync", body, "application/json", token);
  if (status === 409 && errorCode(json) === "feed_rewound") return "feed_rewound";
  if (status === 400 && errorCode(json) === "invalid_cursor") return "invalid_cursor";
  if (status !== 200) throw new SyncError(status, errorCode(json), status === 0 || status === 503 || status >= 500
    || status === 429 || status === 408);
  const response = json as SyncResponse;
  if (!response || !Array.isArray(response.results) || !Array.isArray(response.changes)) {
    throw new SyncError(status, "bad_response", true);
  }
  return response;
}

interface Trip {
  pushed: number;
  hasMore: boolean;
  /** The next page, already asked for (a pull only, from the cursor this trip stored). */
  ahead?: Promise<Answer>;
}

/** One round trip (or the page asked for ahead); on any failure nothing local changed, so calling
 * again retries exactly — a page asked for ahead of a failed write is simply dropped. */
async function roundTrip(token: string, ahead?: Promise<Answer>, catchingUp = false): Promise<Trip> {
  const rows = ahead ? [] : await db.outbox.orderBy("seq").limit(BATCH).toArray();
  const limit = catchingUp ? CATCH_UP_LIMIT : LIMIT;
  const answer = await (ahead ?? send(token, rows, (await getMeta("cursor")) ?? null, limit));
  if (answer === "feed_rewound") {
    await recover();
    return { pushed: 0, hasMore: true };
  }
  if (answer === "invalid_cursor") {
    await db.meta.put({ key: "cursor", value: null }); // not ours (a restored server?): pull from the start
    return { pushed: 0, hasMore: true };
  }
  let next: Promise<Answer> | undefined;
  if (answer.has_more && rows.length === 0 && (await db.outbox.count()) === 0) {
    next = send(token, [], answer.cursor, limit);
    next.catch(() => {}); // awaited by the next trip; unobserved only if this page's write fails
  }
  await applyResponse(rows, answer, catchingUp && rows.length === 0);
  return { pushed: answer.results.length, hasMore: answer.has_more, ahead: next };
}

let running: Promise<void> | null = null;
let again = false;
let failures = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

async function run(): Promise<void> {
  const enrolment = await getMeta("enrolment");
  if (!enrolment) return;
  if (navigator.onLine === false) {
    syncStatus.value = "offline";
    return;
  }
  syncStatus.value = "syncing";
  try {
    // As SyncClient.sync: stop only after a round trip that pushed nothing, got everything and left
    // nothing waiting — so a trip that pushed is always followed by one more pull.
    let ahead: Promise<Answer> | undefined;
    // A new phone: no cursor, no record, nothing to send (see applyResponse); ends with the first push.
    let catchingUp = (await getMeta("cursor")) == null && (await db.records.count()) === 0;
    for (let trips = 0; trips < 100; trips++) {
      const { pushed, hasMore, ahead: next } = await roundTrip(enrolment.token, ahead, catchingUp);
      ahead = next;
      catchingUp &&= pushed === 0;
      if (!hasMore && pushed === 0 && (await db.outbox.count()) === 0) break;
    }
    await uploadBlobs(enrolment.token);
    await pruneReceipts();
    failures = 0;
    syncStatus.value = "idle";
  } catch (exc) {
    const error = exc instanceof SyncError ? exc : new SyncError(0, "unknown", true);
    if (error.status === 401) {
      syncStatus.value = error.code === "device_revoked" ? "revoked" : "signed_out";
      return;
    }
    syncStatus.value = error.code === "offline" ? "offline" : "error";
    if (error.retry) {
      failures += 1;
      const delay = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** (failures - 1));
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => void syncNow(), delay);
    }
  }
}

/** Sync now (or right after the sync that is running); resolves when done. Never throws. */
export function syncNow(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await run();
      } while (again && (syncStatus.value === "idle"));
    } finally {
      running = null;
    }
  })();
  return running;
}

let started = false;

/** Wire the triggers once; ask the browser to keep our storage (best effort, may be refused). */
export function startSyncing(): void {
  if (started) return;
  started = true;
  void navigator.storage?.persist?.().catch(() => false);
  addEventListener("online", () => {
    failures = 0;
    void syncNow();
  });
  addEventListener("offline", () => (syncStatus.value = "offline"));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void syncNow();
  });
  setInterval(() => {
    if (document.visibilityState === "visible") void syncNow();
  }, PERIOD_MS);
  // A save (in this tab or another) grew the outbox: send it soon, batching quick successive saves.
  let last = Infinity;
  let soon: ReturnType<typeof setTimeout> | undefined;
  liveQuery(() => db.outbox.count()).subscribe({
    next: (count) => {
      if (count > last && navigator.onLine !== false) {
        clearTimeout(soon);
        soon = setTimeout(() => void syncNow(), 1000);
      }
      last = count;
    },
    error: () => {},
  });
  void syncNow();
}
