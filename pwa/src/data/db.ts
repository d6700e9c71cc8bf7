/**
 * The phone's own store: IndexedDB through Dexie, one database "lotsenbuch" per origin.
 *
 * `meta` holds what the device has exactly once, as key/value rows: the enrolment (the device's bearer
 * token, its id, and the guide and organization as the server sent them at enrolment) and settings
 * (the chosen language). Key/value keeps these out of the record tables that sync will fill, and lets
 * a setting be added without a schema version. The token is a secret: it stays in this origin's
 * IndexedDB and goes only into the Authorization header of /api/v1/ requests.
 *
 * Records, the outbox and the sync cursor come with the data layer. Schema changes are new
 * `this.version(n)` blocks below; version 1 is never edited once shipped.
 */

import Dexie, { type Table } from "dexie";

export interface Guide {
  id?: string | number;
  name?: string;
  [field: string]: unknown;
}

export interface Organization {
  id?: string | number;
  name?: string;
  [field: string]: unknown;
}

export interface Enrolment {
  token: string;
  device_id: string;
  guide: Guide;
  organization: Organization;
  enrolled_at: string;
}

/** Every key `meta` may hold, with the type of its value. */
export interface MetaValues {
  enrolment: Enrolment;
  locale: string;
}

interface MetaRow<K extends keyof MetaValues = keyof MetaValues> {
  key: K;
  value: MetaValues[K];
}

class LotsenbuchDB extends Dexie {
  meta!: Table<MetaRow, string>;

  constructor() {
    super("lotsenbuch");
    this.version(1).stores({ meta: "key" });
  }
}

export const db = new LotsenbuchDB();

export async function getMeta<K extends keyof MetaValues>(key: K): Promise<MetaValues[K] | undefined> {
  const row = await db.meta.get(key);
  return row?.value as MetaValues[K] | undefined;
}

/** Resolves only after IndexedDB committed the write. */
export async function setMeta<K extends keyof MetaValues>(key: K, value: MetaValues[K]): Promise<void> {
  await db.meta.put({ key, value } as MetaRow);
}
