// Shared wording and number formats for the screens: the active locale, Europe/Berlin dates.
import { direction, locale, t } from "../../shared/i18n";
import type { ActivityKind, ExpenseCategory } from "../../shared/wire";

function tag(): string {
  return locale.value.replace("_", "-");
}

/** 90 → "1:30 h" (hours:minutes, the way guides count time). */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const text = `${h}:${String(m).padStart(2, "0")} h`;
  // In a right-to-left language keep "1:30 h" in its order (Unicode isolate), wherever it is shown.
  return direction(locale.value) === "rtl" ? `\u2066${text}\u2069` : text;
}

export function formatEuro(cents: number): string {
  return new Intl.NumberFormat(tag(), { style: "currency", currency: "EUR" }).format(cents / 100);
}

/** "2026-11-20" → "Fr., 20.11.2026" in the active language. */
export function formatDate(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  if (!y || !m || !d) return date;
  return new Intl.DateTimeFormat(tag(), { weekday: "short", day: "numeric", month: "numeric", year: "numeric" })
    .format(new Date(y, m - 1, d));
}

export function formatTime(iso: string): string {
  return new Intl.DateTimeFormat(tag(), { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Berlin" })
    .format(new Date(iso));
}

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(tag(), {
    day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Berlin",
  }).format(new Date(iso));
}

export function kindLabel(kind: ActivityKind | string | undefined): string {
  switch (kind) {
    case "accompaniment": return t("Accompaniment");
    case "meeting": return t("Meeting");
    case "phone": return t("Phone call");
    case "preparation": return t("Preparation");
    case "travel": return t("Travel");
    case "plenum": return t("Plenum");
    case "training": return t("Training");
    default: return t("Other");
  }
}

export function categoryLabel(category: ExpenseCategory | string | undefined): string {
  switch (category) {
    case "mileage": return t("Mileage");
    case "public_transport": return t("Public transport");
    case "phone": return t("Phone costs");
    case "material": return t("Material");
    default: return t("Other");
  }
}

/** A wire field's name as the guide knows it, for conflict and error messages. */
export function fieldLabel(field: string): string {
  switch (field) {
    case "date": return t("Date");
    case "minutes": return t("Duration");
    case "kind": return t("Kind");
    case "assignment_id": return t("Assignment");
    case "district": return t("District");
    case "travel_km": return t("Travel (km)");
    case "note": return t("Note");
    case "needs_professional_help": return t("Needs professional help");
    case "category": return t("Category");
    case "amount_cents": return t("Amount");
    case "km": return t("Kilometres");
    case "description": return t("Description");
    case "receipts": return t("Receipts");
    case "deleted": return t("Deletion");
    default: return field;
  }
}

/** A value from a conflict record, readable: minutes as h:mm, booleans as yes/no, kinds translated. */
export function valueLabel(field: string, value: unknown): string {
  if (value === null || value === undefined || value === "") return t("(empty)");
  if (field === "minutes" && typeof value === "number") return formatMinutes(value);
  if (field === "amount_cents" && typeof value === "number") return formatEuro(value);
  if (field === "kind") return kindLabel(String(value));
  if (field === "category") return categoryLabel(String(value));
  if (field === "date" && typeof value === "string") return formatDate(value);
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The workflow state that locked a record against the guide's edit (a `locked` rejection's `state`,
 *  PROTOCOL.md §2), as a word inside "Not changed: already {state}". */
export function lockedStateWord(state: string | undefined): string {
  switch (state) {
    case "submitted": return t("submitted");
    case "approved": return t("approved");
    case "paid": return t("paid");
    default: return state ?? "";
  }
}
