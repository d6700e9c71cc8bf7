/**
 * The guide's own money and papers (GET /api/v1/me/…, sync/PROTOCOL.md §8): read-only, not synced.
 *
 * What is stored where, and why:
 *  - `meta` "my_money": the last answer per year (with when it came), so the screen shows her
 *    allowances and transfers offline as last seen. Key/value: no schema version needed.
 *  - Cache Storage "lotsenbuch-papers": each PDF she opened (year statement, certificate), under its
 *    API path — kept offline once opened. The service worker never caches /api/ itself (the token is
 *    in a header, vite.config.ts); the app puts the response there after a successful download.
 * Sign-out and revocation delete both (db.ts `wipeEverything` deletes the database and every cache).
 */

import type { MyMoney } from "../shared/wire";
import { getMeta, setMeta } from "./db";
import { errorCode, request, SyncError } from "./http";

const PAPERS = "lotsenbuch-papers";

export interface Stored {
  money: MyMoney;
  fetched_at: string; // RFC 3339
}

async function token(): Promise<string> {
  const enrolment = await getMeta("enrolment");
  if (!enrolment) throw new SyncError(401, "invalid_token", false);
  return enrolment.token;
}

/** The year as last loaded on this phone (undefined: never loaded). */
export async function storedMoney(year: number): Promise<Stored | undefined> {
  return (await getMeta("my_money"))?.[String(year)];
}

/** Load the year from the server and keep it; throws `SyncError` when offline or refused. */
export async function refreshMoney(year: number): Promise<Stored> {
  const { status, json } = await request("GET", `/api/v1/me/money?year=${year}`, null, "application/json",
    await token());
  if (status !== 200) throw new SyncError(status, errorCode(json), status === 0 || status >= 500);
  const stored: Stored = { money: json as MyMoney, fetched_at: new Date().toISOString() };
  const all = (await getMeta("my_money")) ?? {};
  await setMeta("my_money", { ...all, [String(year)]: stored });
  return stored;
}

export function yearStatementPath(year: string | number): string {
  return `/api/v1/me/year-statements/${year}`;
}

export function certificatePath(id: number): string {
  return `/api/v1/me/certificates/${id}`;
}

/** The API paths of the papers kept on this phone. */
export async function keptPapers(): Promise<Set<string>> {
  if (!("caches" in self)) return new Set();
  const keys = await (await caches.open(PAPERS)).keys();
  return new Set(keys.map((r) => new URL(r.url).pathname));
}

/** A paper as a PDF blob: from this phone if kept, else downloaded (with the token) and kept. */
export async function paper(path: string): Promise<Blob> {
  const cache = "caches" in self ? await caches.open(PAPERS) : undefined;
  const kept = await cache?.match(path);
  if (kept) return kept.blob();
  let response: Response;
  try {
    response = await fetch(path, {
      credentials: "omit", cache: "no-store", headers: { Authorization: `Bearer ${await token()}` },
    });
  } catch {
    throw new SyncError(0, navigator.onLine === false ? "offline" : "network", true);
  }
  if (!response.ok) throw new SyncError(response.status, "not_found", false);
  const blob = await response.blob();
  await cache?.put(path, new Response(blob, { headers: { "Content-Type": "application/pdf" } }));
  return blob;
}
