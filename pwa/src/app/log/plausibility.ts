// Warnings, never refusals: a meeting in the future, over 12 hours, or overlapping another of the
// guide's meetings that day (both with a start time). The guide confirms and saves; the coordinator
// sees the same flags in review (server/activities/plausibility.py, the same three rules).
import { recordsOf } from "../../data/queries";
import { localDate } from "../../data/records";
import type { ActivityData } from "../../shared/wire";

export const LONG_MINUTES = 12 * 60;

export type Warning = { key: "future" } | { key: "long" } | { key: "overlap"; start: string; end: string };

function minutesOf(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return h * 60 + m;
}

function clockOf(minutes: number): string {
  const capped = Math.min(minutes, 24 * 60);
  return `${String(Math.floor(capped / 60)).padStart(2, "0")}:${String(capped % 60).padStart(2, "0")}`;
}

/** The warnings for an activity about to be saved (`id`: the one being edited, not its own overlap). */
export async function warningsFor(fields: ActivityData, id: string | undefined): Promise<Warning[]> {
  const out: Warning[] = [];
  if (fields.date && fields.date > localDate()) out.push({ key: "future" });
  if ((fields.minutes ?? 0) > LONG_MINUTES) out.push({ key: "long" });
  if (fields.start_time && fields.minutes) {
    const start = minutesOf(fields.start_time);
    const end = start + fields.minutes;
    const others = (await recordsOf("activity")).filter((a) => a.id !== id && a.data.date === fields.date);
    for (const other of others) {
      const data = other.data as ActivityData;
      if (!data.start_time || !data.minutes) continue;
      const from = minutesOf(data.start_time);
      const to = from + data.minutes;
      if (from < end && start < to) {
        out.push({ key: "overlap", start: data.start_time, end: clockOf(to) });
        break;
      }
    }
  }
  return out;
}
