// The app's routing, kept small: a signal names the screen, `location.pathname` mirrors it.
import { signal } from "@preact/signals";

import type { Enrolment } from "../data/db";

export type Screen = "enroll" | "today" | "log" | "expenses" | "assignments" | "history" | "messages" | "settings"
  | "money" | "courses";

const PATHS: Record<Screen, string> = {
  enroll: "/enroll", today: "/today", log: "/log", expenses: "/expenses", assignments: "/assignments",
  history: "/history", messages: "/messages", settings: "/settings", money: "/money", courses: "/courses",
};

/** The stored enrolment; undefined until this phone is enrolled. */
export const enrolment = signal<Enrolment | undefined>(undefined);
export const screen = signal<Screen>("enroll");
/** The record the Log screen edits (undefined: a new entry). */
export const editing = signal<string | undefined>(undefined);
/** The Log screen reviews the stopped timer's run (prefilled from it) before it is saved. */
export const reviewingTimer = signal(false);
/** The expense the Expenses screen edits: an id, "new", or undefined for the month's list. */
export const editingExpense = signal<string | undefined>(undefined);
/** What a link (a tapped notification: `/assignments?id=…`, `/expenses?month=…`) points at on its screen. */
export const target = signal<{ id?: string; month?: string }>({});
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
  if (next !== screen.value && screen.value !== "enroll") target.value = {};
  if (next !== "log") {
    editing.value = undefined;
    reviewingTimer.value = false;
  }
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

/** Open the Log screen on the stopped timer's run, to adjust and save it. */
export function reviewTimer(): void {
  go("log");
  editing.value = undefined;
  reviewingTimer.value = true;
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

function targetFromAddress(): void {
  const query = new URLSearchParams(location.search);
  target.value = { id: query.get("id") ?? undefined, month: query.get("month") ?? undefined };
}

/** Pick the screen from the address bar at start and on back/forward. */
export function startRouting(): void {
  targetFromAddress();
  go(screenFor(location.pathname), true);
  openTargetForm();
  addEventListener("popstate", () => go(screenFor(location.pathname), true));
}

/** Open an address of the app (from a tapped notification) as if it had been typed: screen and target. */
export function openAddress(url: string): void {
  const address = new URL(url, location.origin);
  if (address.origin !== location.origin) return;
  history.pushState(null, "", address.pathname + address.search);
  go(screenFor(address.pathname), true);
  targetFromAddress();
  openTargetForm();
}

/** An expense link opens that expense's form (its state, and why it was rejected). */
function openTargetForm(): void {
  if (screen.value === "expenses" && target.value.id) editExpense(target.value.id);
}

/** The enrolment code a link `/enroll#code=…` carried, taken from the address bar at start. */
export let initialEnrolCode = "";
export function setInitialEnrolCode(code: string): void {
  initialEnrolCode = code;
}
