/**
 * Vite plugin: the gettext catalogs in ../locales become the PWA's translations.
 *
 * One `.po` per language serves the Flask pages and this app (docs/ARCHITECTURE.md §4.5). At build time every
 * `locales/<code>/LC_MESSAGES/messages.po` is compiled to `locales/<code>.json` in the output — a flat
 * `{ "English msgid": "translation" }` object holding only translated entries (fuzzy ones included, as
 * `pybabel compile --use-fuzzy` does for the server). The app fetches the active language's file
 * lazily; the service worker precaches all of them, so every language works offline. The dev server
 * compiles on request, so an edited .po shows up on reload.
 *
 * Only the msgids the bundle uses go into the JSON: while Vite transforms the app's modules this plugin
 * collects every `t("…")` literal per module (the same rule as locales/extract_ts.py), so the server's
 * hundreds of coordinator strings never weigh on the phone's first load. And the catalog is split like
 * the code: `locales/<code>.json` holds the strings of the main chunk (the shell and the Today screen),
 * `locales/<code>/<Screen>.json` those of one lazily loaded screen (its chunk and the chunks it imports,
 * minus what the main file has). The app fetches a screen's part together with its code
 * (src/shared/i18n.ts `loadCatalogPart`), so the first screen's catalog stays small however many
 * strings the other screens gain. The dev server sends whole catalogs for every part.
 *
 * The list of languages (the folders of ../locales with a catalog), each one's own name and direction
 * from the one table `locales/languages.json` (which server/i18n.py reads too), is baked into the bundle
 * as `__LOCALES__` (German first, it is the default), so the picker needs no extra request.
 *
 * A plural entry (`tn("…", "…", n)`, gettext's msgid_plural) becomes an array of its forms in the
 * Plural-Forms header's order; src/shared/i18n.ts `tn` picks one with Intl.PluralRules.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { po } from "gettext-parser";
import type { Plugin, Rollup } from "vite";

type OutputBundle = Rollup.OutputBundle;
type OutputChunk = Rollup.OutputChunk;

export interface LocaleInfo {
  code: string;
  name: string;
  dir: "ltr" | "rtl";
}

type Entry = string | string[];

const DEFAULT_LOCALE = "de";

function catalogPath(dir: string, code: string): string {
  return join(dir, code, "LC_MESSAGES", "messages.po");
}

export function localeCodes(dir: string): string[] {
  const found = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(catalogPath(dir, entry.name)))
    .map((entry) => entry.name)
    .sort();
  return [DEFAULT_LOCALE, ...found.filter((code) => code !== DEFAULT_LOCALE)];
}

/** locales/languages.json's row for a code; a code missing there gets Intl's name and left-to-right. */
export function localeInfo(dir: string, code: string): LocaleInfo {
  const table = JSON.parse(readFileSync(join(dir, "languages.json"), "utf8")) as Record<string, Partial<LocaleInfo>>;
  const row = table[code] ?? {};
  return { code, name: row.name ?? nativeName(code), dir: row.dir === "rtl" ? "rtl" : "ltr" };
}

function nativeName(code: string): string {
  const tag = code.replace("_", "-");
  try {
    const name = new Intl.DisplayNames([tag], { type: "language" }).of(tag) ?? code;
    return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
  } catch {
    return code;
  }
}

/**
 * `{msgid: msgstr}` for every translated entry — `{msgid: [form, …]}` for a plural one (only if every
 * form is filled: a half-translated plural shows the English forms); a context is joined to the msgid
 * with U+0004, as gettext does.
 */
export function compileCatalog(file: string, keep?: ReadonlySet<string>): Record<string, Entry> {
  const parsed = po.parse(readFileSync(file));
  const out: Record<string, Entry> = {};
  for (const [context, entries] of Object.entries(parsed.translations)) {
    for (const entry of Object.values(entries)) {
      if (!entry.msgid || (keep && !keep.has(entry.msgid))) continue;
      const key = context ? `${context}\u0004${entry.msgid}` : entry.msgid;
      if (entry.msgid_plural) {
        if (entry.msgstr.length && entry.msgstr.every(Boolean)) out[key] = [...entry.msgstr];
      } else if (entry.msgstr[0]) {
        out[key] = entry.msgstr[0];
      }
    }
  }
  return out;
}

// t("…") / t('…') / tn("…", …) as its own name (not `x.t(` or `fmt(`), like CALL in locales/extract_ts.py.
const T_CALL = /(?<![\w$.])tn?\(\s*(?:"((?:\\.|[^"\\\n])*)"|'((?:\\.|[^'\\\n])*)')\s*[,)]/g;

/** The msgids of every t() call in one module's source. */
export function usedMsgids(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(T_CALL)) {
    const raw = match[1] ?? match[2].replace(/\\'/g, "'").replace(/"/g, '\\"');
    found.push(JSON.parse(`"${raw}"`) as string);
  }
  return found;
}

/** The msgids of each catalog file: "" = the main chunk's, else one per lazily loaded chunk (by name). */
export function catalogParts(bundle: OutputBundle, byModule: ReadonlyMap<string, string[]>): Map<string, Set<string>> {
  const chunks = new Map<string, OutputChunk>();
  for (const item of Object.values(bundle)) if (item.type === "chunk") chunks.set(item.fileName, item);
  const msgidsOf = (start: OutputChunk): Set<string> => { // the chunk and, recursively, what it imports
    const out = new Set<string>();
    const seen = new Set<string>();
    const visit = (chunk: OutputChunk) => {
      if (seen.has(chunk.fileName)) return;
      seen.add(chunk.fileName);
      for (const id of chunk.moduleIds) for (const msgid of byModule.get(id.split("?")[0]) ?? []) out.add(msgid);
      for (const name of chunk.imports) {
        const imported = chunks.get(name);
        if (imported) visit(imported);
      }
    };
    visit(start);
    return out;
  };
  const main = new Set<string>();
  for (const chunk of chunks.values()) if (chunk.isEntry) for (const msgid of msgidsOf(chunk)) main.add(msgid);
  const parts = new Map<string, Set<string>>([["", main]]);
  for (const chunk of chunks.values()) {
    if (!chunk.isDynamicEntry || chunk.isEntry) continue;
    parts.set(chunk.name, new Set([...msgidsOf(chunk)].filter((msgid) => !main.has(msgid))));
  }
  return parts;
}

/** The msgids of every .ts file under `folder` (read from disk: code built outside this bundle). */
function folderMsgids(folder: string): Set<string> {
  const out = new Set<string>();
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts")) {
      for (const msgid of usedMsgids(readFileSync(join(entry.parentPath, entry.name), "utf8"))) out.add(msgid);
    }
  }
  return out;
}

/**
 * `extraParts` names catalog parts for code built apart from the app, e.g. `{ sw: "src/sw" }`: the
 * service worker's strings go whole into `locales/<code>/sw.json` (it loads nothing else).
 */
export function locales(dir: string, extraParts: Record<string, string> = {}): Plugin {
  const root = resolve(dir);
  const codes = localeCodes(root);
  const infos: LocaleInfo[] = codes.map((code) => localeInfo(root, code));
  const byModule = new Map<string, string[]>();
  return {
    name: "lotsenbuch-locales",
    enforce: "pre", // see the source as written, before JSX and TypeScript are compiled away
    config() {
      return { define: { __LOCALES__: JSON.stringify(infos) } };
    },
    buildStart() {
      byModule.clear();
      for (const code of codes) this.addWatchFile(catalogPath(root, code));
    },
    transform(source, id) {
      const file = id.split("?")[0];
      if (/\/src\/.*\.tsx?$/.test(file)) byModule.set(file, usedMsgids(source));
      return null;
    },
    generateBundle(_options, bundle) {
      const parts = catalogParts(bundle, byModule);
      for (const [part, folder] of Object.entries(extraParts)) parts.set(part, folderMsgids(resolve(folder)));
      for (const code of codes) {
        const whole = compileCatalog(catalogPath(root, code));
        for (const [part, msgids] of parts) {
          const catalog: Record<string, Entry> = {};
          for (const msgid of msgids) if (msgid in whole) catalog[msgid] = whole[msgid];
          this.emitFile({
            type: "asset",
            fileName: part ? `locales/${code}/${part}.json` : `locales/${code}.json`,
            source: JSON.stringify(catalog),
          });
        }
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const match = /^\/locales\/([A-Za-z_]+)(?:\/\w+)?\.json$/.exec(req.url ?? "");
        if (!match || !codes.includes(match[1])) return next();
        res.setHeader("Content-Type", "application/json; charset=utf-8");
        res.end(JSON.stringify(compileCatalog(catalogPath(root, match[1]))));
      });
    },
  };
}
