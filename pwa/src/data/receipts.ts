/**
 * Receipt photos, made ready for storage on the phone before they ever touch IndexedDB.
 *
 * A phone camera's photo is 3–12 MB with EXIF (GPS position, device, time). We never store or send
 * that original: the picture is decoded (createImageBitmap, which applies the EXIF orientation),
 * drawn onto a canvas at most MAX_SIDE px on its long side and encoded again as JPEG (quality 0.8).
 * A canvas has no metadata to carry over, so the stored bytes have no EXIF at all; the server re-encodes
 * once more anyway (PROTOCOL §7). A receipt ends up at roughly 150–400 KB: small enough for a prepaid
 * plan and for IndexedDB on an old phone, still readable for the coordination office.
 *
 * The SHA-256 is taken over exactly the bytes that are stored and later PUT to /api/v1/blobs/<sha256>,
 * so the hash in the expense's `receipts` list, the IndexedDB key (`blobs`, db.ts) and the upload
 * always agree, and a retried upload is idempotent. Nothing is written here: records.ts / expenses.ts
 * store the result together with its expense in one transaction.
 */

export const MAX_SIDE = 1600;
export const JPEG_QUALITY = 0.8;

export interface PreparedReceipt {
  sha256: string;
  bytes: ArrayBuffer;
  mime: "image/jpeg";
  width: number;
  height: number;
}

export class ReceiptError extends Error {}

/** Hex SHA-256 of some bytes (SubtleCrypto; needs a secure context: https or localhost). */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The size to draw at: the long side at most `max`, never enlarged. */
export function fitWithin(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

type Drawable = ImageBitmap | HTMLImageElement;

/** Decode a picture; createImageBitmap where it exists, an <img> otherwise (older Safari). */
async function decode(file: Blob): Promise<{ image: Drawable; width: number; height: number; close(): void }> {
  if (typeof createImageBitmap === "function") {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      return { image: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() };
    } catch {
      // fall through: some browsers refuse options or certain formats here but decode them in <img>
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = "async";
    img.src = url;
    await img.decode();
    return { image: img, width: img.naturalWidth, height: img.naturalHeight, close: () => {} };
  } catch {
    throw new ReceiptError("undecodable");
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function encode(image: Drawable, width: number, height: number): Promise<Blob> {
  if (typeof OffscreenCanvas === "function") {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d");
    if (context) {
      context.fillStyle = "#fff"; // a transparent PNG gets a white page, not a black one
      context.fillRect(0, 0, width, height);
      context.drawImage(image, 0, 0, width, height);
      return canvas.convertToBlob({ type: "image/jpeg", quality: JPEG_QUALITY });
    }
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) throw new ReceiptError("no_canvas");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);
  return new Promise((done, fail) => canvas.toBlob(
    (blob) => (blob ? done(blob) : fail(new ReceiptError("encode"))), "image/jpeg", JPEG_QUALITY));
}

/** A photo from the camera or the gallery → downscaled JPEG bytes without metadata, and their hash. */
export async function prepareReceipt(file: Blob): Promise<PreparedReceipt> {
  const decoded = await decode(file);
  try {
    const size = fitWithin(decoded.width, decoded.height);
    const jpeg = await encode(decoded.image, size.width, size.height);
    const bytes = await jpeg.arrayBuffer();
    return { sha256: await sha256Hex(bytes), bytes, mime: "image/jpeg", ...size };
  } finally {
    decoded.close();
  }
}
