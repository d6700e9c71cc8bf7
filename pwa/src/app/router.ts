// The app's routing, kept small: a signal names the screen, `location.pathname` mirrors it.
import { signal } from "@preact/signals";

import type { Enrolment } from "../data/db";

export type Screen = "enroll" | "today";

const PATHS: Record<Screen, string> = { enroll: "/enroll", today: "/today" };

/** The stored enrolment; undefined until this phone is enrolled. */
export const enrolment = signal<Enrolment | undefined>(undefined);
export const screen = signal<Screen>("enroll");

/** The screen for a path, given whether the phone is enrolled (nothing but enrolment before that). */
function screenFor(pathname: string): Screen {
  if (!enrolment.value) return "enroll";
  const match = (Object.keys(PATHS) as Screen[]).find((s) => PATHS[s] === pathname && s !== "enroll");
  return match ?? "today";
}

export function go(next: Screen, replace = false): void {
  screen.value = next;
  if (location.pathname !== PATHS[next]) {
    history[replace ? "replaceState" : "pushState"](null, "", PATHS[next]);
  }
}

/** Pick the screen from the address bar at start and on back/forward. */
export function startRouting(): void {
  go(screenFor(location.pathname), true);
  addEventListener("popstate", () => go(screenFor(location.pathname), true));
}
