// Shared wording and number formats for the screens: the active locale, Europe/Berlin dates.
import { direction, formatNumber, locale, t } from "../../shared/i18n";
import type { ActivityKind, ExpenseCategory } from "../../shared/wire";

function tag(): string {
  return locale.value.replace("_", "-");
}

/**
 * The active language's tag for dates: always the Gregorian calendar (`-u-ca-gregory`). Intl gives Farsi
 * the Persian calendar by default, so a December claim would read "Azar 1405"; the coordination office,
 * the bank and the server's PDFs all count Gregorian months.
 */
export function dateTag(): string {
  return `${tag()}-u-ca-gregory`;
}

/**
 * Text a person typed (a name, a reason) inside a translated sentence: a Unicode isolate (FSI … PDI), so a
 * German name in an Arabic sentence keeps its own direction and does not reorder the words around it.
 */
export function isolate(text: string): string {
  // Only where directions can mix: a right-to-left screen, or right-to-left letters in the text.
  return direction(locale.value) === "rtl" || /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/.test(text)
    ? `\u2068${text}\u2069` : text;
}

export type Unit = "h" | "min" | "km";

/**
 * A number with its unit ("1:30 h", "12 km"), the unit translated and placed as the language writes it
 * (the msgid "{value} h" lets a translator put it first or last). In a right-to-left language the pair is
 * a Unicode isolate (FSI … PDI), so it stays together and in order inside any sentence or list.
 */
export function withUnit(value: number | string, unit: Unit): string {
  const shown = typeof value === "number" ? formatNumber(value) : value;
  const text = unit === "h" ? t("{value} h", { value: shown })
    : unit === "min" ? t("{value} min", { value: shown }) : t("{value} km", { value: shown });
  return direction(locale.value) === "rtl" ? `\u2068${text}\u2069` : text;
}

/** 90 → "1:30 h" (hours:minutes, the way guides count time). */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return withUnit(`${h}:${String(m).padStart(2, "0")}`, "h");
}

export function formatEuro(cents: number): string {
  return new Intl.NumberFormat(tag(), { style: "currency", currency: "EUR" }).format(cents / 100);
}

/** "2026-11-20" → "Fr., 20.11.2026" in the active language. */
export function formatDate(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  if (!y || !m || !d) return date;
  return new Intl.DateTimeFormat(dateTag(), { weekday: "short", day: "numeric", month: "numeric", year: "numeric" })
    .format(new Date(y, m - 1, d));
}

export function formatTime(iso: string): string {
  return new Intl.DateTimeFormat(dateTag(), { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Berlin" })
    .format(new Date(iso));
}

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(dateTag(), {
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
