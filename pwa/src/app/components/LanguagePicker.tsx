import { setMeta } from "../../data/db";
import { applyLocale, LOCALES, locale, t } from "../../shared/i18n";
import "../styles/forms.css";

/** A native <select>: big enough to tap, readable by screen readers, no extra code. */
export function LanguagePicker() {
  const change = async (code: string) => {
    try {
      await applyLocale(code);
      await setMeta("locale", code);
    } catch {
      // Catalog unreachable (should not happen: it is precached): keep the current language.
    }
  };
  return (
    <label class="language">
      {/* A globe: recognisable by someone who cannot read the language currently shown. */}
      <svg class="globe" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
        <circle cx="12" cy="12" r="9.5" />
        <path d="M2.5 12h19M12 2.5c2.6 2.7 3.9 5.9 3.9 9.5s-1.3 6.8-3.9 9.5c-2.6-2.7-3.9-5.9-3.9-9.5s1.3-6.8 3.9-9.5z" />
      </svg>
      {/* "Language" for screen readers and for people who cannot read the current script; the select shows
          each language's own name. */}
      <span class="visually-hidden">{t("Language")}</span>
      <select value={locale.value} onChange={(e) => void change(e.currentTarget.value)}>
        {LOCALES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code.replace("_", "-")}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}
