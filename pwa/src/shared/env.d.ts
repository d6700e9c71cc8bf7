/** Languages with a catalog, baked in at build time by scripts/locales-plugin.ts (German first). */
declare const __LOCALES__: ReadonlyArray<{ code: string; name: string; dir: "ltr" | "rtl" }>;
