/**
 * Enrolment: trade a one-time code from the coordination office for this device's token.
 *
 * POST /api/v1/enroll {"code", "device_name"} → 201 {token, device_id, guide, organization}. The answer
 * is stored in `meta.enrolment` before `enrol()` resolves, so the app never shows "enrolled" for a
 * token it could lose. Failures come back as an `EnrolError` with a stable code the screen translates:
 * the server's `error.code`, or `offline` (no answer at all) / `bad_response` (an answer we cannot read).
 *
 * The code is sent in the body only — never in a URL, so it cannot end up in a server or proxy log.
 */

import { type Enrolment, setMeta } from "./db";

export class EnrolError extends Error {
  constructor(readonly code: string, message = code) {
    super(message);
  }
}

/** What the guide typed or the link carried, reduced to the code's letters and digits. */
export function normalizeCode(raw: string): string {
  return raw.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

/** A name the coordinator recognises in the device list: "Android · Chrome", "iPhone · Safari". */
export function deviceName(ua = navigator.userAgent): string {
  const system = /Android/.test(ua) ? "Android" : /iPhone/.test(ua) ? "iPhone" : /iPad/.test(ua) ? "iPad"
    : /Windows/.test(ua) ? "Windows" : /Mac OS/.test(ua) ? "Mac" : /Linux/.test(ua) ? "Linux" : "";
  const browser = /Firefox\//.test(ua) ? "Firefox" : /EdgA?\//.test(ua) ? "Edge" : /SamsungBrowser/.test(ua)
    ? "Samsung Internet" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "";
  return [system, browser].filter(Boolean).join(" · ") || "Browser";
}

export async function enrol(code: string, language: string): Promise<Enrolment> {
  let response: Response;
  try {
    response = await fetch("/api/v1/enroll", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": language },
      body: JSON.stringify({ code: normalizeCode(code), device_name: deviceName() }),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new EnrolError("offline");
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new EnrolError(response.ok ? "bad_response" : `http_${response.status}`);
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new EnrolError(typeof error?.code === "string" ? error.code : `http_${response.status}`,
      typeof error?.message === "string" ? error.message : undefined);
  }
  const data = body as Partial<Enrolment> | null;
  if (!data || typeof data.token !== "string" || !data.token || data.device_id == null
      || typeof data.guide !== "object" || typeof data.organization !== "object") {
    throw new EnrolError("bad_response");
  }
  const enrolment: Enrolment = {
    token: data.token,
    device_id: String(data.device_id),
    guide: data.guide ?? {},
    organization: data.organization ?? {},
    enrolled_at: new Date().toISOString(),
  };
  await setMeta("enrolment", enrolment);
  return enrolment;
}
