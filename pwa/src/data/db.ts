/**
 * The phone's own store: IndexedDB through Dexie, one database "lotsenbuch" per origin.
 *
 * What lives where, and why:
 *  - `meta` — what the device has exactly once, as key/value rows: the enrolment (the device's bearer
 *    token, its id, the guide and organization as sent at enrolment), the sync `cursor` (opaque,
 *    stored exactly as received, in the same transaction as the page of changes it ends), the time of
 *    the last successful sync, the `timer` (its start, and its end once stopped and not yet reviewed,
 *    so both "accompaniment started" and an unsaved review survive closing the app), the guide's own
 *    money as last loaded (`my_money`, data/papers.ts) and settings (language). Key/value lets a
 *    setting be added without a schema version. The token is a secret: it stays in this origin's
 *    IndexedDB and goes only into the Authorization header of /api/v1/ requests.
 *  - `records` — every synced record the device holds (its own activities, expenses, claims,
 *    assignments offered to it, conflicts, the organization), keyed by [type+id]. `version` is the
 *    server version the local copy started from (0 = never seen by the server), `data` the wire fields,
 *    `deleted` a local delete waiting to be sent, `problem` the last rejection the server gave for it.
 *    Whether a record is "waiting to sync" is NOT stored here: it is "has an outbox entry", so the two
 *    can never disagree.
 *  - `outbox` — mutations not yet acknowledged by the server, in the order they were made (`seq`).
 *    Each carries its client-made uuid `id`, reused on every retry (exactly once, PROTOCOL §3). A save
 *    writes its record and its outbox entry in ONE transaction (data/records.ts); an entry leaves only
 *    when the server answered it (data/sync.ts).
 *  - `blobs` — receipt images (already downscaled JPEG bytes) by SHA-256, waiting to be uploaded after
 *    their expense synced; `uploaded` flips to 1 once the server has them (PUT is idempotent).
 *    `refused` is set when the server refused the file for good (413/415/damaged): it is not sent
 *    again, and the guide is asked to take the photo again. `pruned` = 1 once the expense was paid
 *    and the server had the file: the bytes are dropped to save the phone's storage (the row stays
 *    as a marker "stored on the server"), see data/receiptSync.ts.
 *  - `sent` — acknowledged mutations, as sent, for 60 days: replayed (same ids) when the server says it
 *    was restored from a backup (409 `feed_rewound`, data/sync.ts, sync/PROTOCOL.md §10).
 *
 * Schema versions — the migration rule. A phone may hold entries the server has never seen, and an app
 * update (a new service worker, src/app/shell/serviceWorker.ts) must never lose one:
 *  1. A shipped `this.version(n)` block is never edited or removed. A change is a NEW block n+1 that
 *     declares only the tables whose indexes change (the others carry over), plus `.upgrade(tx => …)`
 *     when existing rows must be rewritten (Dexie runs it once, in the version-change transaction, so
 *     the rewrite is all-or-nothing; IndexedDB stores version n as n×10).
 *  2. An upgrade may add or reshape fields; it never deletes `outbox` rows or records that have one,
 *     and never changes a queued mutation (its id and fields are what the server deduplicates on).
 *  3. Renaming or dropping a table means copying its rows first, in the same upgrade.
 *  4. tests/browser/test_install_update.py ships an extra version with an upgrade over a phone full of
 *     unsynced entries (with and without the service worker update) and checks nothing was lost.
 */

import Dexie, { type Table } from "dexie";

import type { Mutation, MyMoney, RecordData, RecordType } from "../shared/wire";

export type { Mutation } from "../shared/wire"; // the outbox holds them as the envelope declares

export interface Guide {
  id?: string | number;
  name?: string;
  [field: string]: unknown;
}

export interface Organization {
  id?: string | number;
  name?: string;
  [field: string]: unknown;
}

export interface Enrolment {
  token: string;
  device_id: string;
  guide: Guide;
  organization: Organization;
  enrolled_at: string;
}

export interface Timer {
  started_at: string; // RFC 3339
  ended_at?: string; // RFC 3339: stopped, waiting for the guide to review and save (or discard) it
}

/** Every key `meta` may hold, with the type of its value. */
export interface MetaValues {
  enrolment: Enrolment;
  locale: string;
  cursor: string | null;
  last_synced_at: string;
  timer: Timer | null;
  install_notice_dismissed_at: string; // RFC 3339; the install notice asks again a week later
  /** The guide's own money per year as last loaded (data/papers.ts). */
  my_money: Record<string, { money: MyMoney; fetched_at: string }>;
  recovering: boolean; // re-pulling after the server was restored (data/sync.ts, PROTOCOL §10)
}

interface MetaRow<K extends keyof MetaValues = keyof MetaValues> {
  key: K;
  value: MetaValues[K];
}

/** What the server said when it refused the last mutation of a record (`rejected` result). */
export interface Problem {
  code: string;
  message: string;
  state?: string;
  fields?: Record<string, string[]>;
  at: string;
}

/** Fields the server adds to a record beyond the declared wire fields (e.g. `missing_receipts`). */
type Extra = Record<string, unknown>;

export interface LocalRecord<T extends RecordType = RecordType> {
  type: T;
  id: string;
  version: number; // the server version this copy is based on; 0 = the server has not seen it yet
  deleted: 0 | 1; // deleted on this phone, delete waiting in the outbox
  data: RecordData[T] & Extra;
  problem?: Problem;
  changed_at: string; // last local or pulled change, for sorting
  unconfirmed?: 1; // during a recovery (PROTOCOL §10): not yet pulled again from the restored server
}

export interface OutboxRow {
  seq?: number;
  id: string; // = mutation.id
  type: RecordType;
  record_id: string;
  mutation: Mutation;
}

/** An acknowledged mutation, kept for a replay after the server was restored (sync/PROTOCOL.md §10). */
export interface SentRow {
  seq?: number;
  mutation: Mutation;
  acked_at: string; // RFC 3339; kept JOURNAL_DAYS (data/sync.ts)
}

export interface BlobRow {
  sha256: string;
  expense_id: string;
  mime: string;
  bytes: ArrayBuffer; // ArrayBuffer, not Blob: older Safari cannot store Blobs in IndexedDB; empty once pruned
  uploaded: 0 | 1;
  created_at: string;
  refused?: { status: number; code: string; message: string; at: string };
  pruned?: 1;
}

class LotsenbuchDB extends Dexie {
  meta!: Table<MetaRow, string>;
  records!: Table<LocalRecord, [string, string]>;
  outbox!: Table<OutboxRow, number>;
  blobs!: Table<BlobRow, string>;
  sent!: Table<SentRow, number>;

  constructor() {
    super("lotsenbuch");
    this.version(1).stores({ meta: "key" });
    // v2: the data layer. No data to migrate: v1 had only meta, which stays as it is.
    this.version(2).stores({
      meta: "key",
      records: "[type+id], type",
      outbox: "++seq, &id, [type+record_id]",
      blobs: "sha256, expense_id, uploaded",
    });
    // v3: History reads only the rows it shows, newest first, through an index on the entry's date
    // (`deleted` in it, so local deletes stay out of pages and counts; records without a `data.date`,
    // e.g. assignments, are simply not in it). Only an index is added: IndexedDB builds it over the
    // existing rows in the version-change transaction; no row is rewritten.
    this.version(3).stores({
      records: "[type+id], type, [type+deleted+data.date]",
    });
    // v4: the journal of acknowledged mutations (`sent`), replayed when the server was restored from a
    // backup (sync/PROTOCOL.md §10). A new table only: nothing is rewritten.
    this.version(4).stores({ sent: "++seq, acked_at" });
  }
}

export const db = new LotsenbuchDB();

export async function getMeta<K extends keyof MetaValues>(key: K): Promise<MetaValues[K] | undefined> {
  const row = await db.meta.get(key);
  return row?.value as MetaValues[K] | undefined;
}

/** Resolves only after IndexedDB committed the write (or joins the caller's transaction). */
export async function setMeta<K extends keyof MetaValues>(key: K, value: MetaValues[K]): Promise<void> {
  await db.meta.put({ key, value } as MetaRow);
}

/** Sign-out and revocation: delete the whole database and every cache of this origin. */
export async function wipeEverything(): Promise<void> {
  // Live queries (the nav badge, Today's figures) would reopen the database and block the delete:
  // close it for good, then delete.
  await db.delete({ disableAutoOpen: true });
  if ("caches" in self) {
    for (const name of await caches.keys()) await caches.delete(name);
  }
  if ("serviceWorker" in navigator) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  }
}
