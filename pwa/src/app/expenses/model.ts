// What the Expenses screen reads (IndexedDB only, so it works offline) and how it words states.
import { db, type LocalRecord } from "../../data/db";
import type { Claim } from "../../data/expenses";
export type { Claim };
import { keyOf, pendingKeys, recordsOf } from "../../data/queries";
import { t } from "../../shared/i18n";
import { dateTag } from "../components/format";
import type { ExpenseData } from "../../shared/wire";
import { lockedStateWord } from "../components/format";

export type Expense = LocalRecord<"expense">;
/** A rejection the guide answered by correcting the expense: kept, so the decision's history stays. */
export interface EarlierRejection { reason: string; rejected_at: string }
export type ExpenseFields = ExpenseData & {
  missing_receipts?: string[]; claim_id?: string | null; earlier_rejections?: EarlierRejection[];
};

export interface Row {
  record: Expense;
  data: ExpenseFields;
  waiting: boolean;
  pendingReceipts: number;
  /** Receipts the server refused for good (too large, not a picture): the guide must take them again. */
  refusedReceipts: number;
}

export interface MonthView {
  rows: Row[];
  /** The latest claim of the month (synced or waiting), if any. */
  claim?: Claim;
  /** Every claim of the month, first one first: the month's claim, then follow-up claims (Nachtrag). */
  claims: Claim[];
  /** A claim of the month is saved on this phone and not yet sent. */
  claimWaiting: boolean;
  /** Claims the server refused (they exist only on this phone). */
  refused: Claim[];
}

/** The month's expenses, newest first, its claim, and which receipts have not reached the server. */
export async function loadMonth(month: string): Promise<MonthView> {
  const [expenses, waiting, claims, notUploaded, uploaded] = await Promise.all([
    recordsOf("expense"), pendingKeys(), db.records.where("type").equals("claim").toArray(),
    db.blobs.where("uploaded").equals(0).toArray(), db.blobs.where("uploaded").equals(1).primaryKeys(),
  ]);
  const refused = new Set(notUploaded.filter((b) => b.refused).map((b) => b.sha256));
  const localOnly = new Set(notUploaded.filter((b) => !b.refused).map((b) => b.sha256));
  const sent = new Set(uploaded);
  const rows = expenses
    .filter((e) => String(e.data.date ?? "").startsWith(month))
    .map((record) => {
      const data = record.data as ExpenseFields;
      const missing = new Set(data.missing_receipts ?? []);
      const pendingReceipts = (data.receipts ?? [])
        .filter((h) => !refused.has(h) && (localOnly.has(h) || (missing.has(h) && !sent.has(h)))).length;
      const refusedReceipts = (data.receipts ?? []).filter((h) => refused.has(h)).length;
      return { record, data, waiting: waiting.has(keyOf(record)), pendingReceipts, refusedReceipts };
    })
    .sort((a, b) => String(b.data.date).localeCompare(String(a.data.date))
      || b.record.changed_at.localeCompare(a.record.changed_at));
  const ofMonth = (claims as Claim[]).filter((c) => c.data.month === month && !c.deleted);
  const refusedClaims = ofMonth.filter((c) => c.version === 0 && c.problem);
  // A claim not yet sent has no sequence: it comes after the sent ones.
  const order = (c: Claim) => (c.version === 0 ? Number.MAX_SAFE_INTEGER : Number(c.data.sequence ?? 1));
  const live = ofMonth.filter((c) => !refusedClaims.includes(c)).sort((a, b) => order(a) - order(b));
  const claim = live[live.length - 1];
  return { rows, claim, claims: live, claimWaiting: live.some((c) => waiting.has(keyOf(c))), refused: refusedClaims };
}

export interface Status {
  label: string;
  tone: "ok" | "warn" | "bad" | "info";
  editable: boolean;
  /** Stable, untranslated: waiting, in_claim, open, submitted, approved, rejected, paid, locked, refused. */
  key: string;
}

/** The state of one expense in words; `inClaim`: the month's claim is waiting to be sent. */
export function statusOf(row: Row, inClaim: boolean): Status {
  const { record, data } = row;
  if (record.problem) {
    if (record.problem.code === "locked") {
      return { label: t("Not changed: already {state}", { state: lockedStateWord(record.problem.state) }), tone: "bad",
               editable: false, key: "locked" };
    }
    return { label: t("Rejected by the server"), tone: "bad", editable: true, key: "refused" };
  }
  if (row.waiting || record.version === 0) {
    return { label: t("Waiting to sync"), tone: "warn", editable: !inClaim, key: "waiting" };
  }
  switch (data.state ?? "open") {
    case "submitted": return { label: t("Submitted"), tone: "info", editable: false, key: "submitted" };
    case "approved": return { label: t("Approved"), tone: "ok", editable: false, key: "approved" };
    case "rejected": return { label: t("Rejected"), tone: "bad", editable: true, key: "rejected" };
    case "paid": return { label: t("Paid"), tone: "ok", editable: false, key: "paid" };
    default:
      return inClaim ? { label: t("In the claim, waiting to sync"), tone: "warn", editable: false, key: "in_claim" }
        : { label: t("Open"), tone: "info", editable: true, key: "open" };
  }
}

/** A claim refusal (PROTOCOL §2 codes) in the guide's words. */
export function claimProblem(code: string, fallback: string): string {
  switch (code) {
    case "duplicate": return t("This month's claim was already submitted from another device.");
    case "no_open_expenses": return t("There are no open expenses in this month to claim.");
    case "locked": return t("This month's claim was already submitted and can no longer be changed.");
    default: return fallback || t("The server did not accept the claim.");
  }
}

/** "Claim for November 2026", or "Follow-up claim for November 2026" for a later claim of the month. */
export function claimTitle(claim: Claim | undefined, month: string, followUp: boolean): string {
  const sequence = Number(claim?.data.sequence ?? 1);
  if (!followUp && sequence <= 1) return t("Claim for {month}", { month: formatMonth(month) });
  return sequence > 2 ? t("Follow-up claim {number} for {month}", { number: sequence - 1, month: formatMonth(month) })
    : t("Follow-up claim for {month}", { month: formatMonth(month) });
}

/** "2026-11" → "November 2026" in the active language. */
export function formatMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Intl.DateTimeFormat(dateTag(), { month: "long", year: "numeric" })
    .format(new Date(y, m - 1, 1));
}

export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number);
  const at = new Date(y, m - 1 + by, 1);
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, "0")}`;
}

/** Categories whose expenses need a receipt (mileage is km × rate, its "receipt" is the trip log). */
export function needsReceipt(data: ExpenseData): boolean {
  return data.category !== "mileage" && !(data.receipts?.length);
}
