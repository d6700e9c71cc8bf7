/**
 * The service worker's push side, loaded into the Workbox-generated sw.js with importScripts
 * (vite.config.ts builds this file as sw-push.js, a classic script).
 *
 * push: the payload names a category and a record id, nothing personal (PROTOCOL.md "Push"). First a
 *   short sync (the record the push is about is usually new), then the text is built from IndexedDB
 *   in the phone's language (texts.ts) and shown. Offline, the record already here or a plain
 *   sentence of the category is shown: a push never waits for the network.
 * notificationclick: focus the app on the screen the notification is about (or open it there).
 * pushsubscriptionchange: the browser renewed the subscription: hand the new one to the server.
 */

/// <reference lib="webworker" />

import { db, getMeta } from "../data/db";
import { syncNow } from "../data/sync";
import { translator } from "./catalog";
import { notificationText, type PushPayload } from "./texts";

declare const self: ServiceWorkerGlobalScope & {
  lotsenbuchOpen?: (url: string) => Promise<void>;
  lotsenbuchShow?: (payload: PushPayload) => Promise<void>;
};

const SYNC_BEFORE_SHOWING_MS = 8000;

function parse(data: PushMessageData | null): PushPayload | null {
  try {
    const value = data?.json() as PushPayload | undefined;
    return value && typeof value.category === "string" ? value : null;
  } catch {
    return null;
  }
}

async function openExpenses(month: string): Promise<number> {
  const rows = await db.records.where("type").equals("expense").toArray();
  return rows.filter((r) => {
    const d = r.data as { date?: string; state?: string };
    return !r.deleted && (d.state ?? "open") === "open" && (d.date ?? "").startsWith(month);
  }).length;
}

async function show(payload: PushPayload): Promise<void> {
  if (!(await getMeta("enrolment"))) return; // signed out meanwhile: nothing to tell
  await Promise.race([syncNow(), new Promise((resolve) => setTimeout(resolve, SYNC_BEFORE_SHOWING_MS))]);
  const tr = await translator((await getMeta("locale")) ?? "de");
  const note = await notificationText(payload, tr, (type, id) => db.records.get([type, id]), openExpenses);
  await self.registration.showNotification(note.title, {
    body: note.body, tag: note.tag, lang: tr.code.replace("_", "-"), icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png", data: { url: note.url },
  });
}

async function open(url: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const client = windows.find((w) => new URL(w.url).origin === self.location.origin);
  if (client) {
    await client.focus().catch(() => undefined); // allowed in a real tap only; the screen changes anyway
    client.postMessage({ type: "OPEN", url }); // the app routes itself (src/app/shell/serviceWorker.ts)
    return;
  }
  await self.clients.openWindow(url);
}

self.addEventListener("push", (event) => {
  const payload = parse(event.data);
  if (payload) event.waitUntil(show(payload));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data as { url?: string } | null)?.url ?? "/today";
  event.waitUntil(open(url));
});

self.addEventListener("pushsubscriptionchange", (event) => {
  const change = event as Event & { waitUntil(p: Promise<unknown>): void; newSubscription?: PushSubscription | null };
  change.waitUntil((async () => {
    const enrolment = await getMeta("enrolment");
    const subscription = change.newSubscription ?? (await self.registration.pushManager.getSubscription());
    if (!enrolment || !subscription) return;
    await fetch("/api/v1/push-subscription", {
      method: "PUT", credentials: "omit", body: JSON.stringify(subscription.toJSON()),
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${enrolment.token}` },
    }).catch(() => undefined);
  })());
});

// For the browser tests: what a push and a tap do, callable in the worker (a test cannot tap a
// notification of the system).
self.lotsenbuchOpen = open;
self.lotsenbuchShow = show;
