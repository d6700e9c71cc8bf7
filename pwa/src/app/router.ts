// The app's routing, kept small: a signal names the screen, `location.pathname` mirrors it.
import { signal } from "@preact/signals";

import type { Enrolment } from "../data/db";

export type Screen = "enroll" | "today" | "log" | "expenses" | "assignments" | "history" | "settings";

const PATHS: Record<Screen, string> = {
  enroll: "/enroll", today: "/today", log: "/log", expenses: "/expenses", assignments: "/assignments",
  history: "/history", settings: "/settings",
};

/** The stored enrolment; undefined until this phone is enrolled. */
export const enrolment = signal<Enrolment | undefined>(undefined);
export const screen = signal<Screen>("enroll");
/** The record the Log screen edits (undefined: a new entry). */
export const editing = signal<string | undefined>(undefined);
/** The expense the Expenses screen edits: an id, "new", or undefined for the month's list. */
export const editingExpense = signal<string | undefined>(undefined);
/**
 * A short confirmation shown once on the next screen ("Saved on this phone"). It holds a function that
 * calls `t()`, never the translated text, so it follows a language change made while it shows.
 */
export const flash = signal<(() => string) | null>(null);

/** The screen for a path, given whether the phone is enrolled (nothing but enrolment before that). */
function screenFor(pathname: string): Screen {
  if (!enrolment.value) return "enroll";
  const match = (Object.keys(PATHS) as Screen[]).find((s) => PATHS[s] === pathname && s !== "enroll");
  return match ?? "today";
}

export function go(next: Screen, replace = false): void {
  if (next !== "log") editing.value = undefined;
  if (next !== "expenses" || replace) editingExpense.value = undefined; // back closes the expense form
  screen.value = next;
  if (location.pathname !== PATHS[next]) {
    history[replace ? "replaceState" : "pushState"](null, "", PATHS[next]);
  }
  scrollTo(0, 0);
}

/** Open the Log screen on an existing record. */
export function edit(id: string): void {
  go("log");
  editing.value = id;
}

/** Open the expense form ("new" or an id) over the Expenses screen; the back button closes it. */
export function editExpense(id: string): void {
  go("expenses");
  history.pushState({ expenseForm: true }, "", PATHS.expenses);
  editingExpense.value = id;
}

/** Close the expense form, taking back the history entry it added. */
export function closeExpense(): void {
  if ((history.state as { expenseForm?: boolean } | null)?.expenseForm) history.back();
  else editingExpense.value = undefined;
  scrollTo(0, 0);
}

/** Pick the screen from the address bar at start and on back/forward. */
export function startRouting(): void {
  go(screenFor(location.pathname), true);
  addEventListener("popstate", () => go(screenFor(location.pathname), true));
}

/** The enrolment code a link `/enroll#code=…` carried, taken from the address bar at start. */
export let initialEnrolCode = "";
export function setInitialEnrolCode(code: string): void {
  initialEnrolCode = code;
}
