// Start-up: read the enrolment and language from IndexedDB, load that language, then render.
import { render } from "preact";

import { App } from "./app/App";
import "./app/app.css";
import { getMeta } from "./data/db";
import { applyLocale, DEFAULT_LOCALE, negotiate } from "./shared/i18n";
import { enrolment, startRouting } from "./app/router";

/** The enrolment code from a link `/enroll#code=ABCD-EFGH-JKMN`; removed from the address bar at once. */
function takeCodeFromFragment(): string {
  const code = new URLSearchParams(location.hash.slice(1)).get("code") ?? "";
  if (location.hash) history.replaceState(null, "", location.pathname);
  return code;
}

async function start(): Promise<void> {
  const initialCode = takeCodeFromFragment();
  const [stored, savedLocale] = await Promise.all([getMeta("enrolment"), getMeta("locale")]).catch(
    () => [undefined, undefined] as const, // IndexedDB unavailable (e.g. some private modes): start fresh
  );
  enrolment.value = stored;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  await applyLocale(negotiate(savedLocale, wanted)).catch(() => applyLocale(DEFAULT_LOCALE).catch(() => {}));
  startRouting();
  render(<App initialCode={initialCode} />, document.getElementById("app")!);
}

void start();
