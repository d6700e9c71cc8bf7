/**
 * The service worker's translations: the active language's `locales/<code>/sw.json` (the strings of
 * src/sw/, a catalog part of their own — scripts/locales-plugin.ts), read from the precache, so a
 * notification speaks the guide's language also when the phone has no signal. Same rules as
 * src/shared/i18n.ts: `t` fills `{name}`, `tn` picks a plural form with Intl.PluralRules (CLDR order).
 */

export type Params = Record<string, string | number>;
type Catalog = Record<string, string | readonly string[]>;

export interface Translator {
  readonly code: string;
  t(msgid: string, params?: Params): string;
  tn(singular: string, plural: string, n: number, params?: Params): string;
}

function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

const CLDR_ORDER: readonly Intl.LDMLPluralRule[] = ["zero", "one", "two", "few", "many", "other"];

function pluralIndex(code: string): Map<Intl.LDMLPluralRule, number> {
  const rules = new Intl.PluralRules(code.replace("_", "-"));
  const reached = new Set<Intl.LDMLPluralRule>();
  for (let n = 0; n <= 200; n++) reached.add(rules.select(n));
  return new Map(CLDR_ORDER.filter((c) => reached.has(c)).map((c, i) => [c, i]));
}

async function loadCatalog(code: string): Promise<Catalog> {
  const path = `/locales/${code}/sw.json`;
  try {
    // The precache stores it under a revisioned URL (…?__WB_REVISION__=…): match without the query.
    const cached = await caches.match(path, { ignoreSearch: true });
    const response = cached ?? (await fetch(path));
    if (response.ok) return (await response.json()) as Catalog;
  } catch {
    // no cache and no network: English below
  }
  return {};
}

export async function translator(code: string): Promise<Translator> {
  const catalog = await loadCatalog(code);
  const tag = code.replace("_", "-");
  return {
    code,
    t(msgid, params) {
      const entry = catalog[msgid];
      return fill(typeof entry === "string" && entry ? entry : msgid, params);
    },
    tn(singular, plural, n, params) {
      const all: Params = { count: new Intl.NumberFormat(tag).format(n), ...params };
      const forms = catalog[singular];
      if (Array.isArray(forms) && forms.length) {
        const index = pluralIndex(code).get(new Intl.PluralRules(tag).select(n)) ?? forms.length - 1;
        return fill(forms[Math.min(index, forms.length - 1)], all);
      }
      return fill(n === 1 ? singular : plural, all);
    },
  };
}
