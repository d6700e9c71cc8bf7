/**
 * Expenses, their receipt photos, the month's claim and the answer to an assignment offer: the local
 * writes of the Expenses and My-assignments screens, on top of records.ts.
 *
 * An expense and its new receipt photos are saved in ONE Dexie transaction over `records`, `outbox`
 * and `blobs` (db.ts): the photo can never be stored without the expense that lists its hash, nor the
 * expense without its photo, even if the app is closed mid-save. The photo's upload follows later, after
 * the expense synced (sync.ts `uploadBlobs`, PROTOCOL §7). A photo removed from the expense leaves the
 * phone in the same transaction.
 *
 * Money is integer cents everywhere. Amounts are typed with a comma or a dot ("12,50", "12.5") and
 * converted on strings, never through floating point. A mileage amount is km × the organization's
 * rate valid on the expense's date, the same rule as server/expenses/rules.py (rate: server/money/rates.py) — shown to the
 * guide at once, though the server computes it again and its figure is the one that counts.
 */

import { normaliseNumber } from "../shared/numbers";
import type { ExpenseData, OrganizationData } from "../shared/wire";
import { type BlobRow, db, type LocalRecord } from "./db";
import type { PreparedReceipt } from "./receipts";
import { deleteRecord, saveRecord } from "./records";

/** The server's rate when an organization has set none (server/money/rates.py). */
export const FALLBACK_CENTS_PER_KM = 30;

interface MileageRate {
  mode: string;
  valid_from: string;
  cents_per_km: number;
}

/** The car rate valid on `date` (the latest `valid_from` on or before it), as the server picks it. */
export function centsPerKm(organization: OrganizationData | undefined, date: string): number {
  const rates = Array.isArray(organization?.mileage_rates) ? (organization.mileage_rates as MileageRate[]) : [];
  let best: MileageRate | undefined;
  for (const rate of rates) {
    if (rate.mode !== "car" || !(rate.valid_from <= date)) continue;
    if (!best || rate.valid_from > best.valid_from) best = rate;
  }
  return best ? best.cents_per_km : FALLBACK_CENTS_PER_KM;
}

/**
 * "12,50" / "12.5" / "12" / "12,50 €" / "١٢٫٥٠" / "۱۲,۵" → 1250; anything else (thousands separators, a third
 * decimal) → null, so the form says so instead of dropping a digit (src/shared/numbers.ts).
 */
export function parseEuros(text: string): number | null {
  const clean = normaliseNumber(text.replace(/€/g, ""));
  const match = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(clean);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "0").padEnd(2, "0"));
}

/** 1250 → "12,50" (or "12.50"), for putting a stored amount back into the input. */
export function centsToInput(cents: number, decimalSeparator = ","): string {
  const whole = Math.floor(cents / 100);
  return `${whole}${decimalSeparator}${String(cents % 100).padStart(2, "0")}`;
}

/** Create or change an expense together with its new photos; returns the expense's id after commit. */
export async function saveExpense(id: string | undefined, fields: ExpenseData,
                                  added: PreparedReceipt[]): Promise<string> {
  let saved = "";
  await db.transaction("rw", db.records, db.outbox, db.blobs, async () => {
    saved = await saveRecord("expense", id, fields);
    const now = new Date().toISOString();
    for (const photo of added) {
      if (!fields.receipts?.includes(photo.sha256)) continue;
      const row: BlobRow = {
        sha256: photo.sha256, expense_id: saved, mime: photo.mime, bytes: photo.bytes, uploaded: 0, created_at: now,
      };
      const existing = await db.blobs.get(photo.sha256);
      if (!existing) await db.blobs.add(row);
    }
    if (fields.receipts) {
      const keep = new Set(fields.receipts);
      await db.blobs.where("expense_id").equals(saved).and((b) => !keep.has(b.sha256)).delete();
    }
  });
  return saved;
}

/** Delete an expense and the photos that only it had, in one transaction. */
export async function deleteExpense(id: string): Promise<void> {
  await db.transaction("rw", db.records, db.outbox, db.blobs, async () => {
    await deleteRecord("expense", id);
    await db.blobs.where("expense_id").equals(id).delete();
  });
}

export type Claim = LocalRecord<"claim">;

/**
 * Submit the month's claim: one `claim` upsert `{month, state: "submitted"}`. The server submits every
 * open expense of that month in the same transaction. When the month's claim was sent already, this is
 * a new claim: a follow-up (Nachtrag) for what is open now — an expense added later, a rejected one
 * corrected. A claim the server refused before (nothing of it exists there) is replaced by a fresh one,
 * so trying again is a new request, not a no-op edit. Returns the claim's id.
 */
export async function submitClaim(month: string): Promise<string> {
  let id = "";
  await db.transaction("rw", db.records, db.outbox, async () => {
    const claims = (await db.records.where("type").equals("claim").toArray())
      .filter((c) => (c.data as { month?: string }).month === month) as Claim[];
    for (const old of claims.filter((c) => c.version === 0 && c.problem)) await deleteRecord("claim", old.id);
    const unsent = claims.find((c) => c.version === 0 && !c.problem);
    id = await saveRecord("claim", unsent?.id, { month, state: "submitted" });
  });
  return id;
}

/** Forget a claim the server refused (it exists only on this phone). */
export async function dismissClaim(id: string): Promise<void> {
  const claim = await db.records.get(["claim", id]);
  if (claim && claim.version === 0) await deleteRecord("claim", id);
}

/** Answer an assignment offer; the first acceptance at the server wins (PROTOCOL §5, `assignment`). */
export async function answerOffer(id: string, response: "accepted" | "declined"): Promise<void> {
  await saveRecord("assignment", id, { response });
}
