// The part of gettext-parser 10's API that scripts/locales-plugin.ts uses (the package ships no types).
declare module "gettext-parser" {
  export interface PoEntry {
    msgctxt?: string;
    msgid: string;
    msgid_plural?: string;
    msgstr: string[];
    comments?: { flag?: string };
  }
  export interface PoFile {
    charset: string;
    headers: Record<string, string>;
    translations: Record<string, Record<string, PoEntry>>;
  }
  export const po: { parse(input: string | Buffer, options?: { defaultCharset?: string }): PoFile };
}
