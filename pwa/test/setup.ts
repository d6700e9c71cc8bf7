/**
 * Per test file: what the browser gives the data layer and Node does not. IndexedDB comes from
 * fake-indexeddb (a fresh, separate one per simulated phone: device.ts); `fetch` goes to the real
 * server of globalSetup.ts through `network` (relative /api/ paths resolved, and the test can lose a
 * request or its answer on the way); `navigator.onLine`. The app's own timers (backoff retries, the
 * request timeout) never fire: every sync in a test is started by the test, so none runs behind it.
 */

import { inject, vi } from "vitest";

import { network } from "./network";

const realFetch = globalThis.fetch;
const base = inject("serverUrl");

globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url, base);
  const fate = network.next(url.pathname);
  if (fate === "offline" || fate === "drop_request") throw new TypeError("Failed to fetch");
  const response = await realFetch(url, init);
  if (fate === "drop_response") {
    await response.arrayBuffer(); // the server handled it; its answer never reaches the phone
    throw new TypeError("Failed to fetch");
  }
  return response;
};

if (typeof globalThis.navigator === "undefined") {
  Object.defineProperty(globalThis, "navigator", { value: { onLine: true, userAgent: "Vitest (Linux)" }, writable: true });
}

vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
