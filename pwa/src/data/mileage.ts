/**
 * Kilometres once: a meeting's "travel (km)" and its mileage expense are the same trip, typed once.
 *
 * Nothing is stored here of its own. Saving a meeting with km writes, in ONE Dexie transaction over
 * `records` and `outbox` (and `meta`, for the timer's run), the activity and either a new mileage
 * expense linked to it (`activity_id`) or the linked open one brought to the meeting's km — so the
 * meeting can never be saved without the expense the form promised, nor the reverse. The amount is
 * km × the organization's car rate on the meeting's date, from the synced `organization` record
 * (expenses.ts `centsPerKm`), so it works offline; the server computes it again and its figure counts.
 * A submitted, approved or paid expense is never touched (the server would refuse it as `locked`).
 */

import type { OrganizationData } from "../shared/wire";
import { db, type LocalRecord } from "./db";
import { centsPerKm } from "./expenses";
import { saveRecord } from "./records";

export type Expense = LocalRecord<"expense">;

/** The mileage expense linked to a meeting, if the phone holds one. */
export async function mileageOf(activityId: string | undefined): Promise<Expense | undefined> {
  if (!activityId) return undefined;
  const expenses = await db.records.where("type").equals("expense").toArray() as Expense[];
  return expenses.find((e) => !e.deleted && e.data.category === "mileage" && e.data.activity_id === activityId);
}

/** Whether the guide may still change an expense (open or rejected at the server). */
export function stillOpen(expense: Expense): boolean {
  const state = expense.data.state ?? "open";
  return state === "open" || state === "rejected";
}

/**
 * Save a meeting (`save` writes the activity and returns its id) and its mileage expense as one
 * transaction. `km` is the meeting's travel km (null: none); `addMileage` the guide's choice to add an
 * expense when none is linked yet. Returns the activity's id.
 */
export async function saveMeetingWithMileage(save: () => Promise<string>, date: string, km: number | null,
                                             addMileage: boolean, organization: OrganizationData | undefined,
                                             ): Promise<string> {
  let id = "";
  await db.transaction("rw", db.records, db.outbox, db.meta, async () => {
    id = await save();
    if (!km) return;
    const linked = await mileageOf(id);
    if (linked) {
      if (stillOpen(linked) && linked.data.km !== km) {
        await saveRecord("expense", linked.id, { km, amount_cents: km * centsPerKm(organization, linked.data.date ?? date) });
      }
      return;
    }
    if (!addMileage) return;
    await saveRecord("expense", undefined, {
      date, category: "mileage", km, amount_cents: km * centsPerKm(organization, date), description: "",
      receipts: [], activity_id: id,
    });
  });
  return id;
}
