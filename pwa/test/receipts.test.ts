/**
 * Receipt photos after their expense (data/receiptSync.ts, PROTOCOL §7) against the real server: sent
 * once the expense synced, a file refused for good marked and skipped while the others go on.
 */

import { beforeEach, expect, test } from "vitest";

import { newGuide, newPhone, type Phone } from "./device";
import { network } from "./network";

beforeEach(() => network.reset());

// An 8×6 JPEG (made with Pillow); the server decodes and re-encodes it.
const JPEG = Uint8Array.from(atob(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/"
  + "2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAGAAgDASIAAhEBAxEB/8QA"
  + "HwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkK"
  + "FhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG"
  + "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC"
  + "AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOE"
  + "hYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwCeiiivkD6o/9k=",
), (c) => c.charCodeAt(0));

async function expenseWithPhoto(phone: Phone, bytes: Uint8Array, amount: number): Promise<[string, string]> {
  const buffer = bytes.slice().buffer;
  const sha256 = await phone.sha256Hex(buffer);
  const id = await phone.saveExpense(undefined, {
    date: "2026-11-03", category: "public_transport", amount_cents: amount, description: "GVH Einzelfahrt",
    receipts: [sha256],
  } as Parameters<Phone["saveExpense"]>[1], [{ sha256, bytes: buffer, mime: "image/jpeg", width: 8, height: 6 }]);
  return [id, sha256];
}

test("a receipt is uploaded after its expense synced, and the server then lists nothing missing", async () => {
  const phone = await newPhone(await newGuide());
  const [id, sha256] = await expenseWithPhoto(phone, JPEG, 320);
  expect((await phone.db.blobs.get(sha256))?.uploaded).toBe(0);
  expect(await phone.sync()).toBe("idle");
  expect((await phone.db.blobs.get(sha256))?.uploaded).toBe(1);
  expect(await phone.sync()).toBe("idle");
  expect((await phone.data("expense", id))?.missing_receipts).toEqual([]);
});

test("a file the server refuses for good is marked and skipped; the other receipts still go", async () => {
  const phone = await newPhone(await newGuide());
  const [, broken] = await expenseWithPhoto(phone, new TextEncoder().encode("not a picture at all"), 100);
  const [good, photo] = await expenseWithPhoto(phone, JPEG, 320);
  expect(await phone.sync()).toBe("idle");
  const refused = await phone.db.blobs.get(broken);
  expect(refused?.uploaded).toBe(0);
  expect(refused?.refused?.status).toBeGreaterThanOrEqual(400);
  expect((await phone.db.blobs.get(photo))?.uploaded).toBe(1);
  // Not sent again: the next sync makes no request for it.
  await phone.sync();
  expect((await phone.db.blobs.get(broken))?.refused?.at).toBe(refused?.refused?.at);
  expect((await phone.data("expense", good))?.missing_receipts).toEqual([]);
});

test("no network for the upload: the photo waits and goes with a later sync", async () => {
  const phone = await newPhone(await newGuide());
  const [, sha256] = await expenseWithPhoto(phone, JPEG, 320);
  // The sync's round trips go through; the upload after them does not.
  network.then("ok", "ok", "drop_request");
  expect(await phone.sync()).toBe("error");
  expect((await phone.db.blobs.get(sha256))?.uploaded).toBe(0);
  expect(await phone.sync()).toBe("idle");
  expect((await phone.db.blobs.get(sha256))?.uploaded).toBe(1);
});
