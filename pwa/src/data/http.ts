/**
 * The app's requests to /api/v1/ with the device token: a timeout, no cookies, no HTTP cache, the
 * guide's language for translated errors, and failures as `SyncError` (status 0 = no network).
 */

const TIMEOUT_MS = 30_000;

/** Set by the app to the active language, sent as Accept-Language so errors come translated. */
export const syncLanguage = { value: "de" };

export class SyncError extends Error {
  constructor(readonly status: number, readonly code: string, readonly retry: boolean) {
    super(`${status} ${code}`);
  }
}

export async function request(method: string, path: string, body: BodyInit | null, contentType: string,
                              token: string): Promise<{ status: number; json: unknown }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(path, {
      method, body, signal: controller.signal, credentials: "omit", cache: "no-store",
      headers: {
        "Content-Type": contentType, Accept: "application/json", Authorization: `Bearer ${token}`,
        "Accept-Language": syncLanguage.value,
      },
    });
  } catch {
    throw new SyncError(0, navigator.onLine === false ? "offline" : "network", true);
  } finally {
    clearTimeout(timer);
  }
  let json: unknown = null;
  try {
    json = await response.json();
  } catch {
    // an empty or non-JSON body (a proxy's error page): the status decides
  }
  return { status: response.status, json };
}

export function errorCode(json: unknown): string {
  const code = (json as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === "string" ? code : "unknown";
}

