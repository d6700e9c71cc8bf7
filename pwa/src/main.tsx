// Start-up: read the enrolment and language from IndexedDB, load that language, then render.
import "./app/styles/base.css"; // first: the screens' own styles come after it
import { render } from "preact";
import { effect } from "@preact/signals";

import { App } from "./app/App";
import { getMeta } from "./data/db";
import { startSyncing, syncLanguage } from "./data/sync";
import { applyLocale, DEFAULT_LOCALE, locale, negotiate } from "./shared/i18n";
import { enrolment, setInitialEnrolCode, startRouting } from "./app/router";
import { Banners } from "./app/shell/Banners";
import { captureInstallOffer } from "./app/shell/install";
import { registerServiceWorker } from "./app/shell/serviceWorker";
import { watchTextSize } from "./app/shell/textSize";

captureInstallOffer(); // before anything awaits: the browser may offer installing at once

/** The enrolment code from a link `/enroll#code=ABCD-EFGH-JKMN`; removed from the address bar at once. */
function takeCodeFromFragment(): string {
  const code = new URLSearchParams(location.hash.slice(1)).get("code") ?? "";
  if (location.hash) history.replaceState(null, "", location.pathname);
  return code;
}

async function start(): Promise<void> {
  setInitialEnrolCode(takeCodeFromFragment());
  const [stored, savedLocale] = await Promise.all([getMeta("enrolment"), getMeta("locale")]).catch(
    () => [undefined, undefined] as const, // IndexedDB unavailable (e.g. some private modes): start fresh
  );
  enrolment.value = stored;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  await applyLocale(negotiate(savedLocale, wanted)).catch(() => applyLocale(DEFAULT_LOCALE).catch(() => {}));
  effect(() => {
    syncLanguage.value = locale.value.replace("_", "-");
  });
  // Sync from the moment the phone is enrolled (at start, or right after the enrolment screen).
  effect(() => {
    if (enrolment.value) startSyncing();
  });
  startRouting();
  render(<App />, document.getElementById("app")!);
  render(<Banners />, document.getElementById("banners")!);
  watchTextSize();
  registerServiceWorker(); // after the first screen: installing a worker must not slow it down
}

void start();
