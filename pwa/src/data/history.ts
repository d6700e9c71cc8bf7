/**
 * The History screen's read: the newest entries (activities and expenses) a page at a time, through the
 * `[type+deleted+data.date]` index (db.ts, schema v3), so opening History reads the ~50 rows it shows
 * instead of all of a phone's years (bench/pwa_bench.py: 5,000 entries).
 *
 * Order: date, newest first; on the same date the last changed first. The index orders equal dates by
 * primary key, not by `changed_at`, so every row of the page's last date is read as well and the page is
 * cut after sorting — a page boundary never reorders a day.
 */

import Dexie from "dexie";

import { db, type LocalRecord } from "./db";

export type HistoryRecord = LocalRecord<"activity"> | LocalRecord<"expense">;
const TYPES = ["activity", "expense"] as const;
const LIVE = 0; // `deleted` of a record that is not deleted on this phone

export interface HistoryPage {
  records: HistoryRecord[];
  total: number;
}

function newestFirst(a: HistoryRecord, b: HistoryRecord): number {
  return String(b.data.date).localeCompare(String(a.data.date)) || b.changed_at.localeCompare(a.changed_at);
}

function byDate() {
  return db.records.where("[type+deleted+data.date]");
}

/** The newest `limit` entries and how many there are in all. */
export async function historyPage(limit: number): Promise<HistoryPage> {
  const perType = await Promise.all(TYPES.map(async (type) => {
    const all = () => byDate().between([type, LIVE, Dexie.minKey], [type, LIVE, Dexie.maxKey]);
    const [newest, total] = await Promise.all([all().reverse().limit(limit).toArray(), all().count()]);
    return { newest: newest as HistoryRecord[], total };
  }));
  const total = perType.reduce((sum, p) => sum + p.total, 0);
  const merged = perType.flatMap((p) => p.newest).sort(newestFirst);
  if (merged.length <= limit) return { records: merged, total };
  // Rows after the cut can share the last date with rows before it: read that whole day, re-sort.
  const lastDate = String(merged[limit - 1].data.date);
  const sameDay = await Promise.all(TYPES.map((type) => byDate().equals([type, LIVE, lastDate]).toArray()));
  const seen = new Set(merged.map((r) => `${r.type}\u0000${r.id}`));
  for (const record of sameDay.flat() as HistoryRecord[]) {
    if (!seen.has(`${record.type}\u0000${record.id}`)) merged.push(record);
  }
  return { records: merged.sort(newestFirst).slice(0, limit), total };
}
