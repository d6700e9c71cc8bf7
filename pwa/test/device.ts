/**
 * A simulated phone: the app's own data layer (src/data) on an IndexedDB of its own. Each phone
 * loads a fresh copy of the data modules (`vi.resetModules`) after pointing Dexie at a new
 * fake-indexeddb factory, so two phones in one test share nothing but the server — like the reference
 * client's SyncClient in tests/syncing/.
 */

import Dexie from "dexie";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { inject, vi } from "vitest";

import type { LocalRecord, OutboxRow } from "../src/data/db";
import type { MutableType, RecordData, RecordType } from "../src/shared/wire";

export async function control<T = Record<string, unknown>>(path: string, body: object = {}): Promise<T> {
  const response = await fetch(new URL(`/__test__/${path}`, inject("serverUrl")), {
    method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" },
  });
  if (!response.ok) throw new Error(`/__test__/${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export interface Guide {
  org_id: number;
  guide_id: number;
  code: string;
}

/** A new organization with a guide in it (or another guide in `org_id`), and an enrolment code. */
export function newGuide(options: { org_id?: number; org_name?: string; name?: string } = {}): Promise<Guide> {
  return control<Guide>("guide", options);
}

export async function newPhone(guide?: Guide) {
  Dexie.dependencies.indexedDB = new IDBFactory();
  Dexie.dependencies.IDBKeyRange = IDBKeyRange;
  vi.resetModules();
  const data = await import("../src/data/db");
  const records = await import("../src/data/records");
  const sync = await import("../src/data/sync");
  const enrolment = await import("../src/data/enrol");
  const expenses = await import("../src/data/expenses");
  const receipts = await import("../src/data/receipts");
  const phone = {
    ...data, ...records, ...sync, ...enrolment, ...expenses, ...receipts,
    /** Enrol with a fresh code of this guide (the first phone may use the guide's own code). */
    async enrolAs(who: Guide, code?: string) {
      await enrolment.enrol(code ?? (await control<{ code: string }>("code", { guide_id: who.guide_id })).code, "de");
    },
    /** A sync as the app runs it; returns the status it ended in ("idle" when all went through). */
    async sync() {
      await sync.syncNow();
      return sync.syncStatus.value;
    },
    async record(type: RecordType, id: string): Promise<LocalRecord | undefined> {
      return data.db.records.get([type, id]);
    },
    async data<T extends RecordType>(type: T, id: string): Promise<(RecordData[T] & Record<string, unknown>) | undefined> {
      const row = await data.db.records.get([type, id]);
      return row && !row.deleted ? (row.data as RecordData[T] & Record<string, unknown>) : undefined;
    },
    async live(type?: RecordType): Promise<LocalRecord[]> {
      const rows = type ? await data.db.records.where("type").equals(type).toArray() : await data.db.records.toArray();
      return rows.filter((r) => !r.deleted);
    },
    pending(): Promise<OutboxRow[]> {
      return data.db.outbox.orderBy("seq").toArray();
    },
    save<T extends MutableType>(type: T, id: string | undefined, fields: Partial<RecordData[T]>) {
      return records.saveRecord(type, id, fields);
    },
  };
  if (guide) await phone.enrolAs(guide, guide.code);
  return phone;
}

export type Phone = Awaited<ReturnType<typeof newPhone>>;

/** What the server says a device of this guide must hold, and its exactly-once bookkeeping. */
export function serverCheck(guide: Guide) {
  return control<{ scope: Record<string, [number, unknown]>; history_problems: string[]; applied: Record<string, number> }>(
    "check", { org_id: guide.org_id, guide_id: guide.guide_id });
}

/** A phone's live records in the shape of serverCheck's scope. */
export async function snapshot(phone: Phone): Promise<Record<string, [number, unknown]>> {
  const out: Record<string, [number, unknown]> = {};
  for (const r of await phone.live()) out[`${r.type}/${r.id}`] = [r.version, r.data];
  return out;
}

export function activity(overrides: Partial<RecordData["activity"]> = {}): Partial<RecordData["activity"]> {
  return { date: "2026-11-20", minutes: 90, kind: "accompaniment", note: "Jobcenter", needs_professional_help: false,
    ...overrides };
}
