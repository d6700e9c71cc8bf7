/**
 * Numbers as guides type them, in any of the app's languages: ASCII digits, Arabic-Indic (٠–٩) and
 * Persian (۰–۹) digits, and "," "." or the Arabic decimal separator "٫" before the decimals. Inputs for
 * numbers are `type="text" inputmode="decimal"` (a `type="number"` input silently empties itself on a
 * digit it does not know), and every one is read through `parseNumber`: it returns the number typed or
 * null — never a guess, never with a digit dropped ("1.234,5" is null, not 1.2345).
 */

const SPACES = /[\s\u00a0\u202f\u2009]/g;

/** The text with every digit as ASCII and the decimal separator as "."; spaces removed. */
export function normaliseNumber(text: string): string {
  return text
    .replace(SPACES, "")
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[,\u066b]/g, ".");
}

/** "12", "1,5", "١٢٫٥", "۱۲.۵" → the number; "", "1.234,5", "12a" → null. */
export function parseNumber(text: string): number | null {
  const clean = normaliseNumber(text);
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(clean)) return null;
  return Number(clean);
}

/** A whole number typed ("٤٢" → 42), or null (empty, a fraction, anything else). */
export function parseWhole(text: string): number | null {
  const clean = normaliseNumber(text);
  return /^\d+$/.test(clean) ? Number(clean) : null;
}
