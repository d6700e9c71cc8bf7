/**
 * Read-only views over the local store for the screens (no writes here: see records.ts and sync.ts).
 *
 * "Waiting to sync" is derived from the outbox at read time, never stored on the record, so a record
 * and its sync state can never disagree. Everything works offline: it reads IndexedDB only.
 */

import type { ActivityData, AssignmentData, ConflictData, ExpenseData, OrganizationData } from "../shared/wire";
import { db, type LocalRecord } from "./db";

export type Activity = LocalRecord<"activity">;
export type Expense = LocalRecord<"expense">;

/** "type\0id" of every record with a mutation waiting in the outbox. */
export async function pendingKeys(): Promise<Set<string>> {
  const rows = await db.outbox.toArray();
  return new Set(rows.map((r) => `${r.type}\u0000${r.record_id}`));
}

export function keyOf(record: { type: string; id: string }): string {
  return `${record.type}\u0000${record.id}`;
}

export async function recordsOf<T extends "activity" | "expense" | "assignment" | "conflict" | "organization">(
  type: T): Promise<LocalRecord<T>[]> {
  const rows = await db.records.where("type").equals(type).toArray();
  return rows.filter((r) => !r.deleted) as LocalRecord<T>[];
}

export interface TodaySummary {
  waiting: number;
  minutesThisMonth: number;
  openExpenseCents: number;
  lastSyncedAt?: string;
}

export async function todaySummary(month: string): Promise<TodaySummary> {
  // This month's activities only, through the date index (db.ts v3), not every activity ever logged.
  const ofMonth = db.records.where("[type+deleted+data.date]")
    .between(["activity", 0, month], ["activity", 0, `${month}\uffff`]).toArray();
  const [waiting, activities, expenses, last] = await Promise.all([
    db.outbox.count(), ofMonth, recordsOf("expense"), db.meta.get("last_synced_at"),
  ]);
  const minutesThisMonth = activities
    .filter((a) => (a.data as ActivityData).date?.startsWith(month))
    .reduce((sum, a) => sum + ((a.data as ActivityData).minutes ?? 0), 0);
  const openExpenseCents = expenses
    .filter((e) => ((e.data as ExpenseData).state ?? "open") === "open")
    .reduce((sum, e) => sum + ((e.data as ExpenseData).amount_cents ?? 0), 0);
  return { waiting, minutesThisMonth, openExpenseCents, lastSyncedAt: last?.value as string | undefined };
}

/**
 * Assignments this guide holds and that are active (or accepted on this phone, answer not yet sent):
 * the choices for an activity's assignment. Ended ones and offers another guide took are left out.
 */
export async function myAssignments(): Promise<LocalRecord<"assignment">[]> {
  const all = await recordsOf("assignment");
  return all.filter((a) => {
    const data = a.data as AssignmentData & { offer_state?: string | null; state?: string };
    if (data.offer_state === "taken") return false;
    return data.state === "active" || (data.state === "offered" && data.response === "accepted");
  });
}

export async function organization(): Promise<OrganizationData | undefined> {
  const [first] = await recordsOf("organization");
  return first?.data as OrganizationData | undefined;
}

/** Open conflicts by the record they concern. */
export async function conflictsByRecord(): Promise<Map<string, ConflictData[]>> {
  const out = new Map<string, ConflictData[]>();
  for (const c of await recordsOf("conflict")) {
    const data = c.data as ConflictData;
    if (data.resolved) continue;
    const key = `${String(data.record_type)}\u0000${String(data.record_id)}`;
    out.set(key, [...(out.get(key) ?? []), data]);
  }
  return out;
}
