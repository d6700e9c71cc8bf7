/**
 * Receipt photos after their expense: upload, refusal and pruning (PROTOCOL §7). Runs at the end of
 * every sync (data/sync.ts), after the records went through.
 *
 *  - UPLOAD: a blob is PUT to /api/v1/blobs/<sha256> only once the expense that lists it has synced
 *    (otherwise the server answers 409 `not_referenced`); the PUT is idempotent, so a retry is safe.
 *  - REFUSED FOR GOOD (413 too large, 415 not a picture, 400 `broken_file`): the same bytes can only
 *    fail the same way, so the blob is marked `refused` and never sent again, and the next blobs go on
 *    — one bad file must not hold back every later receipt. The Expenses screen asks the guide to take
 *    that photo again. Transient failures (no network, 5xx, 429, a damaged transfer) throw, and the
 *    sync loop retries with backoff.
 *  - PRUNING: once an expense is paid, nothing about it changes any more and the server has its
 *    receipts; the phone then drops the bytes of each photo the server acknowledged (`uploaded` = 1) and
 *    keeps the row as a marker "stored on the server" — a year of receipts is tens of MB on a phone
 *    with little storage. A photo that was never acknowledged is never pruned.
 */

import { db } from "./db";
import { errorCode, request, SyncError } from "./http";

function refusedForGood(status: number, code: string): boolean {
  return status === 413 || status === 415 || (status === 400 && code === "broken_file");
}

function transient(status: number): boolean {
  return status === 0 || status >= 500 || status === 429 || status === 408 || status === 400;
}

/** Upload receipts whose expense the server already has (synced, nothing waiting for it). */
export async function uploadBlobs(token: string): Promise<void> {
  // Keys first, then one row at a time: the rows hold the image bytes.
  const waiting = await db.blobs.where("uploaded").equals(0).primaryKeys();
  for (const sha256 of waiting) {
    const blob = await db.blobs.get(sha256);
    if (!blob || blob.uploaded || blob.refused) continue;
    const expense = await db.records.get(["expense", blob.expense_id]);
    const pending = await db.outbox.where("[type+record_id]").equals(["expense", blob.expense_id]).count();
    if (!expense || expense.version === 0 || pending > 0) continue;
    const { status, json } = await request("PUT", `/api/v1/blobs/${blob.sha256}`, blob.bytes, blob.mime, token);
    const code = errorCode(json);
    if (status === 200 || status === 201) {
      await db.blobs.update(blob.sha256, { uploaded: 1 });
    } else if (refusedForGood(status, code)) {
      const message = (json as { error?: { message?: string } } | null)?.error?.message ?? "";
      await db.blobs.update(blob.sha256, { refused: { status, code, message, at: new Date().toISOString() } });
    } else if (status !== 409) { // 409 not_referenced: the expense is not there yet; next sync
      throw new SyncError(status, code, transient(status));
    }
  }
}

/** Drop the bytes of acknowledged photos of paid expenses; returns how many were pruned. */
export async function pruneReceipts(): Promise<number> {
  const paid = await db.records.where("type").equals("expense")
    .filter((r) => r.data.state === "paid" && !r.deleted).primaryKeys();
  let pruned = 0;
  for (const [, expenseId] of paid) {
    await db.transaction("rw", db.blobs, db.records, db.outbox, async () => {
      // Read again inside the transaction: the expense may have changed since the scan above.
      const expense = await db.records.get(["expense", expenseId]);
      const waiting = await db.outbox.where("[type+record_id]").equals(["expense", expenseId]).count();
      if (!expense || expense.data.state !== "paid" || waiting > 0) return;
      const missing = new Set((expense.data as { missing_receipts?: string[] }).missing_receipts ?? []);
      const photos = await db.blobs.where("expense_id").equals(expenseId).toArray();
      for (const blob of photos) {
        if (blob.uploaded !== 1 || blob.pruned || missing.has(blob.sha256)) continue;
        await db.blobs.update(blob.sha256, { bytes: new ArrayBuffer(0), pruned: 1 });
        pruned += 1;
      }
    });
  }
  return pruned;
}
