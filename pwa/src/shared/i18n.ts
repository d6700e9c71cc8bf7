/**
 * Translations for the app. `t(msgid, params)` looks the English source text up in the active
 * language's catalog — compiled at build time from the same `locales/<code>/LC_MESSAGES/messages.po`
 * the server uses — and fills `{name}` placeholders; a missing entry falls back to the msgid.
 *
 * The catalog comes in parts (scripts/locales-plugin.ts): `/locales/<code>.json` for the shell and the
 * first screen, `/locales/<code>/<Screen>.json` fetched with a screen's code (`loadCatalogPart`). A
 * language change reloads every part in use.
 *
 * `tn(singular, plural, n, params)` is gettext's ngettext: a plural entry's forms come as an array in
 * the Plural-Forms header's order (locales/check_catalogs.py): CLDR's categories for whole numbers in
 * CLDR's order (zero, one, two, few, many, other), so `Intl.PluralRules` picks the form — no plural
 * expression is evaluated. `{count}` is filled with n, formatted for the language.
 *
 * pybabel finds the strings with locales/extract_ts.py, so pass `t` / `tn` literal strings ('…' or
 * "…"), never a variable or a concatenation. Because `t` reads a signal, a component that calls it
 * renders again when the language changes.
 */

import { batch, signal } from "@preact/signals";

export type Params = Record<string, string | number>;
type Catalog = Record<string, string | readonly string[]>;

export const LOCALES = __LOCALES__;
export const DEFAULT_LOCALE = "de";

export const locale = signal(DEFAULT_LOCALE);
const catalog = signal<Catalog>({});
const loaded = new Map<string, Catalog>(); // by "<code>" (main part) or "<code>/<part>"
const partsInUse = new Set<string>();
let latest = 0;

function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

export function t(msgid: string, params?: Params): string {
  const entry = catalog.value[msgid];
  return fill(typeof entry === "string" && entry ? entry : msgid, params);
}

const CLDR_ORDER: readonly Intl.LDMLPluralRule[] = ["zero", "one", "two", "few", "many", "other"];
const pluralIndexes = new Map<string, Map<Intl.LDMLPluralRule, number>>();

/**
 * The form index of each plural category of a language: its position among the categories that whole
 * numbers reach (a fraction-only category has no form), in CLDR's order.
 */
function pluralIndex(code: string): Map<Intl.LDMLPluralRule, number> {
  let found = pluralIndexes.get(code);
  if (!found) {
    const rules = new Intl.PluralRules(code.replace("_", "-"));
    const reached = new Set<Intl.LDMLPluralRule>();
    for (let n = 0; n <= 200; n++) reached.add(rules.select(n));
    for (const n of [1000, 10000, 100000, 1000000, 1000001]) reached.add(rules.select(n));
    found = new Map(CLDR_ORDER.filter((c) => reached.has(c)).map((c, i) => [c, i]));
    pluralIndexes.set(code, found);
  }
  return found;
}

/** The plural form for the count n ("1 change", "3 changes"); `{count}` is n, formatted. */
export function tn(singular: string, plural: string, n: number, params?: Params): string {
  const all: Params = { count: formatNumber(n), ...params };
  const forms = catalog.value[singular];
  if (Array.isArray(forms) && forms.length) {
    const code = locale.value;
    const index = pluralIndex(code).get(new Intl.PluralRules(code.replace("_", "-")).select(n)) ?? forms.length - 1;
    return fill(forms[Math.min(index, forms.length - 1)], all);
  }
  return fill(n === 1 ? singular : plural, all);
}

/** A number in the active language's digits and separators. */
export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale.value.replace("_", "-"), options).format(n);
}

/** "ltr" or "rtl", from locales/languages.json (baked in at build time), never from the text. */
export function direction(code: string): "ltr" | "rtl" {
  const base = code.split(/[-_]/)[0];
  return (LOCALES.find((l) => l.code === code) ?? LOCALES.find((l) => l.code === base))?.dir ?? "ltr";
}

/** The saved choice if we still have it, else the browser's first language we have, else German. */
export function negotiate(saved: string | undefined, wanted: readonly string[]): string {
  const codes = LOCALES.map((l) => l.code);
  if (saved && codes.includes(saved)) return saved;
  for (const tag of wanted) {
    const exact = tag.replace("-", "_");
    const base = tag.split("-")[0].toLowerCase();
    const hit = codes.find((c) => c === exact) ?? codes.find((c) => c === base);
    if (hit) return hit;
  }
  return DEFAULT_LOCALE;
}

/** One catalog file, fetched once (the service worker has it precached). */
async function fetchCatalog(key: string): Promise<Catalog> {
  let found = loaded.get(key);
  if (!found) {
    const response = await fetch(`/locales/${key}.json`);
    if (!response.ok) throw new Error(`catalog ${key}: HTTP ${response.status}`);
    found = (await response.json()) as Catalog;
    loaded.set(key, found);
  }
  return found;
}

/** Fetch and activate a language (its main part and every screen part in use); sets <html lang dir>. */
export async function applyLocale(code: string): Promise<void> {
  const ticket = ++latest;
  const parts = await Promise.all([code, ...[...partsInUse].map((part) => `${code}/${part}`)].map(
    (key, i) => (i === 0 ? fetchCatalog(key) : fetchCatalog(key).catch(() => ({}))))); // a part: best effort
  if (ticket !== latest) return; // a later choice won the race
  const chosen = Object.assign({}, ...parts) as Catalog;
  batch(() => {
    catalog.value = chosen;
    locale.value = code;
  });
  const root = document.documentElement;
  root.lang = code.replace("_", "-");
  root.dir = direction(code);
}

/** A lazily loaded screen's strings: fetched with its code; on failure the English text shows. */
export async function loadCatalogPart(part: string): Promise<void> {
  partsInUse.add(part);
  for (;;) {
    const code = locale.value;
    const strings = await fetchCatalog(`${code}/${part}`).catch(() => ({}));
    if (locale.value !== code) continue; // the language changed meanwhile: that one's part instead
    catalog.value = { ...catalog.value, ...strings };
    return;
  }
}
