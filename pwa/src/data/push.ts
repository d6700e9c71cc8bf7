/**
 * Notifications on this phone: Web Push through the service worker, opt-in from Settings.
 *
 * GET /api/v1/push-subscription gives the server's VAPID public key; the browser's subscription (its
 * endpoint and keys) goes to PUT, DELETE forgets it (PROTOCOL.md "Push"). Pushes carry a category and a
 * record id only; src/sw/ builds the words on the phone. Signing out forgets the subscription on both
 * sides; a revoked phone's subscription is dropped by the server itself.
 */

import { getMeta } from "./db";
import { request } from "./http";

export type PushState = "unsupported" | "denied" | "on" | "off";

function supported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in self && "Notification" in self && isSecureContext;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

async function subscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration("/");
  return (await registration?.pushManager.getSubscription()) ?? null;
}

export async function pushState(): Promise<PushState> {
  if (!supported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  return Notification.permission === "granted" && (await subscription()) ? "on" : "off";
}

/** Ask for permission, subscribe with the server's key and hand the subscription to the server. */
export async function turnPushOn(): Promise<PushState> {
  if (!supported()) return "unsupported";
  const enrolment = await getMeta("enrolment");
  if (!enrolment) return "off";
  if ((await Notification.requestPermission()) !== "granted") return pushState();
  const key = await request("GET", "/api/v1/push-subscription", null, "application/json", enrolment.token);
  const publicKey = (key.json as { public_key?: unknown } | null)?.public_key;
  if (key.status !== 200 || typeof publicKey !== "string") throw new Error(`push key: HTTP ${key.status}`);
  const registration = await navigator.serviceWorker.ready;
  const current = await registration.pushManager.getSubscription();
  const wanted = keyBytes(publicKey);
  const sameKey = current?.options.applicationServerKey
    && new Uint8Array(current.options.applicationServerKey).join() === wanted.join();
  if (current && !sameKey) await current.unsubscribe(); // the server's key changed: subscribe anew
  const fresh = current && sameKey ? current
    : await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: wanted });
  const stored = await request("PUT", "/api/v1/push-subscription", JSON.stringify(fresh.toJSON()), "application/json",
                               enrolment.token);
  if (stored.status !== 200) throw new Error(`push subscription: HTTP ${stored.status}`);
  return "on";
}

/** Stop notifications on this phone: the browser's subscription and the server's copy. */
export async function turnPushOff(): Promise<PushState> {
  await forgetPush();
  return pushState();
}

/** Best effort, also offline: before signing out, and when the guide turns notifications off. */
export async function forgetPush(): Promise<void> {
  const enrolment = await getMeta("enrolment");
  await (await subscription().catch(() => null))?.unsubscribe().catch(() => false);
  if (enrolment) {
    await request("DELETE", "/api/v1/push-subscription", null, "application/json", enrolment.token).catch(() => null);
  }
}
