/**
 * Local edits: the only way the screens change a record.
 *
 * Every save is ONE Dexie transaction over `records` and `outbox` (see db.ts): the record's new local
 * state and the mutation that tells the server about it commit together or not at all, so closing the
 * app in the middle of a save can never leave a record without its outbox entry or the reverse. The
 * returned promise resolves only after IndexedDB committed — the screens confirm "saved" after that.
 *
 * A mutation carries only the fields this edit changed, the server version the edit started from
 * (`base_version`, null for a new record) and a fresh uuid made here, once; sync.ts resends it
 * unchanged until the server answers (PROTOCOL §2–3). Kept in step with sync/client.py `upsert`/`delete`.
 */

import { type ActivityData, baseVersionOf, type MutableType, type RecordData } from "../shared/wire";
import { db, type LocalRecord, type Mutation, type Timer } from "./db";

export function uuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16)); // older Safari (< 15.4)
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The local date (YYYY-MM-DD) of an instant; dates on the wire are local dates (PROTOCOL §5). */
export function localDate(at: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

function queue(record: LocalRecord | undefined, type: MutableType, id: string, op: Mutation["op"],
               fields: Record<string, unknown>): Promise<number> {
  const mutation: Mutation = {
    id: uuid(), type, record_id: id, op,
    base_version: baseVersionOf(record?.version),
    fields, client_time: new Date().toISOString(),
  };
  return db.outbox.add({ id: mutation.id, type, record_id: id, mutation });
}

/** Only the fields whose value differs from `before` (JSON comparison: values are plain JSON). */
export function changedFields<T extends object>(before: T, after: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) out[key] = after[key];
  }
  return out;
}

/**
 * Create (id undefined) or change a record; returns its id once the record and its outbox entry have
 * committed together. An edit that changes nothing writes nothing.
 */
export async function saveRecord<T extends MutableType>(type: T, id: string | undefined,
                                                         fields: Partial<RecordData[T]>): Promise<string> {
  const recordId = id ?? uuid();
  await db.transaction("rw", db.records, db.outbox, async () => {
    const current = id ? await db.records.get([type, recordId]) : undefined;
    const changes = current ? changedFields(current.data as RecordData[T], fields) : fields;
    if (current && Object.keys(changes).length === 0) return;
    await queue(current, type, recordId, "upsert", changes as Record<string, unknown>);
    const record: LocalRecord = {
      type, id: recordId, version: current?.version ?? 0, deleted: 0,
      data: { ...(current?.data ?? {}), ...changes } as LocalRecord["data"],
      problem: undefined, // a new edit answers the last rejection
      changed_at: new Date().toISOString(),
    };
    await db.records.put(record);
  });
  return recordId;
}

export async function deleteRecord(type: MutableType, id: string): Promise<void> {
  await db.transaction("rw", db.records, db.outbox, async () => {
    const current = await db.records.get([type, id]);
    if (!current) return;
    if (current.version === 0) {
      // Never reached the server: forget it and its queued create instead of sending create + delete.
      await db.outbox.where("[type+record_id]").equals([type, id]).delete();
      await db.records.delete([type, id]);
      return;
    }
    await queue(current, type, id, "delete", {});
    await db.records.update([type, id], { deleted: 1, changed_at: new Date().toISOString() });
  });
}

// ---- the one-tap accompaniment timer --------------------------------------------------------------

/** Start the timer; its start is in IndexedDB, so it survives closing the app. */
export async function startTimer(): Promise<Timer> {
  const timer = { started_at: new Date().toISOString() };
  await db.meta.put({ key: "timer", value: timer });
  return timer;
}

export function minutesSince(startedAt: string, now = Date.now()): number {
  return Math.min(1440, Math.max(1, Math.round((now - Date.parse(startedAt)) / 60000)));
}

/** A run shorter than this is taken for an accidental tap: it is never booked without asking. */
export const SHORT_RUN_MS = 60_000;

export function isShortRun(timer: Timer): boolean {
  return Date.parse(timer.ended_at ?? new Date().toISOString()) - Date.parse(timer.started_at) < SHORT_RUN_MS;
}

async function putTimer(change: (timer: Timer) => Timer | null): Promise<Timer | null | undefined> {
  return db.transaction("rw", db.meta, async () => {
    const timer = (await db.meta.get("timer"))?.value as Timer | null | undefined;
    if (!timer) return undefined;
    const next = change(timer);
    await db.meta.put({ key: "timer", value: next });
    return next;
  });
}

/** Stop the clock. Nothing is logged yet: the guide reviews the run first (the end is kept meanwhile). */
export async function endTimer(): Promise<Timer | undefined> {
  return (await putTimer((t) => ({ ...t, ended_at: t.ended_at ?? new Date().toISOString() }))) ?? undefined;
}

/** Take back a stop (an accidental tap on "ended"): the timer runs on from its start. */
export async function resumeTimer(): Promise<void> {
  await putTimer(({ started_at }) => ({ started_at }));
}

export async function discardTimer(): Promise<void> {
  await db.meta.put({ key: "timer", value: null });
}

/** Log the reviewed run and clear the timer in one transaction: never both, never neither. */
export async function saveTimerActivity(fields: ActivityData): Promise<string> {
  let created = "";
  await db.transaction("rw", db.meta, db.records, db.outbox, async () => {
    created = await saveRecord("activity", undefined, fields);
    await db.meta.put({ key: "timer", value: null });
  });
  return created;
}
