/**
 * The inbox: messages from the coordination office (record type `message`, PROTOCOL.md), read offline.
 * Opening one sets its `read_at` (the only field a guide writes), synced back like any change.
 */

import type { MessageData } from "../shared/wire";
import { db, type LocalRecord } from "./db";
import { saveRecord } from "./records";

export type Message = LocalRecord<"message">;

/** Newest first. */
export async function inbox(): Promise<Message[]> {
  const rows = (await db.records.where("type").equals("message").toArray()) as Message[];
  return rows.filter((r) => !r.deleted)
    .sort((a, b) => String(b.data.sent_at ?? "").localeCompare(String(a.data.sent_at ?? "")));
}

export async function unreadCount(): Promise<number> {
  const rows = await db.records.where("type").equals("message").toArray();
  return rows.filter((r) => !r.deleted && !(r.data as MessageData).read_at).length;
}

export async function markRead(message: Message): Promise<void> {
  if (message.data.read_at) return;
  await saveRecord("message", message.id, { read_at: new Date().toISOString().replace(/\.\d+Z$/, "Z") });
}
